"""The minutes as PDF per organisation (read back with pdftotext and pypdf) and the personal iCal feed
(read back with icalendar's parser)."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from samspil.accounts.middleware import OPEN_PATH_PREFIXES
from samspil.audit import actions as codes
from samspil.meetings.models import CalendarFeed, Decision, MeetingStatus, MinutesEntry

from .helpers import acknowledge, events, item_on, meeting_in


def _text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


@pytest.fixture
def held(world, case, police_case):
    """A closed meeting: a case all three sectors see, one only police and psychiatry see, with shared
    minutes, one internal note each for the police and the municipality, and decisions."""
    meeting = meeting_in(world, status=MeetingStatus.CLOSED, starts_at=timezone.now() - timedelta(days=1))
    shared_item = item_on(meeting, case=case)
    police_item = item_on(meeting, case=police_case)
    MinutesEntry.objects.create(
        item=shared_item, text="Fælles referat om boligsituationen (fiktivt).", version=1
    )
    MinutesEntry.objects.create(
        item=shared_item, organisation=world.police, text="Politiets egen note (fiktivt)."
    )
    MinutesEntry.objects.create(
        item=shared_item, organisation=world.municipality, text="Kommunens egen note (fiktivt)."
    )
    MinutesEntry.objects.create(item=police_item, text="Referat om våbenbesiddelse (fiktivt).", version=1)
    Decision.objects.create(item=shared_item, text="Kommunen tilbyder bostøtte (fiktivt).")
    acknowledge(meeting, world.users["police_officer"])
    return meeting


def test_pdf_for_the_municipality__holds_only_what_the_municipality_may_see(
    world, client_for, held, case
) -> None:
    response = client_for("social_worker").get(
        reverse("meetings:minutes_pdf", args=[held.pk]), {"organisation": world.municipality.pk}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "FORTROLIGT" in text and "retsplejelovens § 115" in text
    assert "må ikke videregives" in text  # the § 115 marking from the rule set
    assert "Borger M-1001" in text and "Fælles referat om boligsituationen" in text
    assert "Kommunens egen note" in text and "Kommunen tilbyder bostøtte" in text
    assert "Politiets egen note" not in text
    assert "Borger M-2002" not in text and "våbenbesiddelse" not in text and "Begrænset" in text
    [export] = events(codes.MEETING_MINUTES_EXPORTED)
    assert export.organisation_id == world.municipality.pk
    assert (
        export.detail["cases"] == [case.pk]
        and export.detail["restricted"] == 1
        and export.detail["draft"] is False
    )
    # The citizen whose case is in the PDF has the export in their access log; the police's case is
    # restricted for the municipality and so is not in it.
    [shown] = events(codes.MEETING_CASE_MINUTES_EXPORTED)
    assert (shown.citizen_id, shown.object_id, shown.organisation_id) == (
        case.citizen_id, str(case.pk), world.municipality.pk)
    date = timezone.localtime(held.starts_at).strftime("%d-%m-%Y")
    assert shown.purpose == f"Referatet af PSP-mødet {date} (Nøglepersongruppen), hentet som PDF"
    assert shown.detail == {"meeting": held.pk, "read_event": export.pk}


def test_pdf_for_the_police__holds_the_police_case_and_the_polices_own_note(
    world, client_for, held, case, police_case
) -> None:
    response = client_for("police_officer").get(reverse("meetings:minutes_pdf", args=[held.pk]))
    text = _text(response.content)
    assert "Borger M-2002" in text and "våbenbesiddelse" in text and "Politiets egen note" in text
    assert "Kommunens egen note" not in text
    [export] = events(codes.MEETING_MINUTES_EXPORTED)
    shown = events(codes.MEETING_CASE_MINUTES_EXPORTED)
    assert sorted((e.citizen_id, e.object_id) for e in shown) == sorted(
        (c.citizen_id, str(c.pk)) for c in (case, police_case))
    assert {(e.organisation_id, e.detail["read_event"]) for e in shown} == {(world.police.pk, export.pk)}


def test_every_page_of_the_pdf__is_marked_confidential(world, client_for, held) -> None:
    for n in range(25):
        item = item_on(held, theme=f"Tema {n}")
        MinutesEntry.objects.create(item=item, text="Drøftelse af samarbejdet. " * 40, version=1)
    pdf = client_for("police_officer").get(reverse("meetings:minutes_pdf", args=[held.pk])).content
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) > 2
    for page in pages:
        text = page.extract_text()
        assert "FORTROLIGT" in text and "Testrup Politi (fiktiv)" in text


def test_pdf_for_another_organisation__is_refused_audited_and_not_exported(world, client_for, held) -> None:
    response = client_for("social_worker").get(
        reverse("meetings:minutes_pdf", args=[held.pk]), {"organisation": world.police.pk}
    )
    assert response.status_code == 403
    assert events(codes.MEETING_MINUTES_EXPORTED) == []
    assert events(codes.MEETING_CASE_MINUTES_EXPORTED) == []
    [denial] = events(codes.ACCESS_DENIED, actor_id=world.users["social_worker"].pk)
    assert denial.detail["needed"] == "meeting.export"


# --- Calendar -----------------------------------------------------------------------------------------------


def _new_feed_url(client: Client) -> str:
    page = client.post(reverse("meetings:calendar_settings"), {"action": "create"}).content.decode()
    start = page.index('value="http://testserver/kalender/') + len('value="http://testserver')
    return page[start : page.index('"', start)]


def test_calendar_feed__lists_the_meetings_with_time_and_place_and_no_personal_data(
    world, client_for, case
) -> None:
    meeting = meeting_in(world, place="Politigården, lokale 4")
    item_on(meeting, case=case)
    acknowledge(meeting, world.users["social_worker"])
    url = _new_feed_url(client_for("social_worker"))
    response = client_for("dpo").get(url)  # the token is the authority, not the session
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "PSP-møde"
    assert str(event["LOCATION"]) == "Politigården, lokale 4"
    assert event.decoded("DTSTART") == meeting.starts_at.replace(microsecond=0)
    assert not {"ATTENDEE", "ORGANIZER", "DESCRIPTION", "URL"} & set(event)
    assert "Borger" not in response.content.decode() and "Sofie" not in response.content.decode()
    [read] = events(codes.MEETING_CALENDAR_READ)
    assert read.actor_id == world.users["social_worker"].pk and read.detail == {"meetings": 1}


def test_calendar_feed__only_its_hash_is_stored(world, client_for) -> None:
    url = _new_feed_url(client_for("police_officer"))
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    [feed] = CalendarFeed.objects.all()
    assert token not in feed.token_hash and len(feed.token_hash) == 64


def test_revoked_or_replaced_calendar_link__stops_working(world, client_for) -> None:
    client = client_for("police_officer")
    first = _new_feed_url(client)
    second = _new_feed_url(client)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    client.post(reverse("meetings:calendar_settings"), {"action": "revoke"})
    assert client.get(second).status_code == 404
    assert len(events(codes.MEETING_CALENDAR_REVOKED)) == 1


@pytest.mark.skipif(
    "/kalender/" not in OPEN_PATH_PREFIXES,
    reason="the sign-in middleware must let /kalender/ through (accounts.middleware)",
)
def test_calendar_feed__is_read_without_a_session(world, client_for) -> None:
    url = _new_feed_url(client_for("police_officer"))
    assert Client().get(url).status_code == 200
    assert Client().get("/kalender/ukendt.ics").status_code == 404
