"""Live minutes: saved as you type, safe with two secretaries, shared part and organisation notes, locked
when the meeting closes (addenda after that)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samspil.audit import actions
from samspil.meetings.models import Addendum, Decision, MeetingStatus, MinutesEntry, MinutesRevision
from samspil.organisations.models import Membership

from .helpers import acknowledge, events, item_on, meeting_in, psp_case


@pytest.fixture
def open_meeting(world):
    return meeting_in(world, status=MeetingStatus.OPEN, secretary=world.users["social_worker"])


def _save(client, item, text, version, *, part="shared", htmx=True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(
        reverse("meetings:minutes_save", args=[item.pk]),
        {"part": part, "text": text, "version": str(version)},
        **headers,
    )


def _shared(item):
    return MinutesEntry.objects.scoped().get(item=item, organisation__isnull=True)


def test_typing__saves_the_shared_minutes_with_a_new_version(world, client_for, open_meeting, case) -> None:
    item = item_on(open_meeting, case=case)
    acknowledge(open_meeting, world.users["coordinator"])
    response = _save(client_for("coordinator"), item, "Borgeren er set i opgangen (fiktivt).", 0)
    assert response.status_code == 200
    assert "Gemt kl." in response.content.decode()
    assert f'id="version-shared-{item.pk}" hx-swap-oob="true"' in response.content.decode()
    entry = _shared(item)
    assert (entry.text, entry.version, entry.updated_by) == (
        "Borgeren er set i opgangen (fiktivt).",
        1,
        world.users["coordinator"],
    )
    assert list(MinutesRevision.objects.scoped().filter(entry=entry).values_list("version", "merged")) == [
        (1, False)
    ]
    [event] = events(actions.MEETING_MINUTES_SAVED)
    assert event.detail == {
        "meeting": open_meeting.pk,
        "item": item.pk,
        "part": "shared",
        "version": 1,
        "merged": False,
        "conflicted": False,
    }
    assert event.citizen_id == case.citizen_id


def test_two_secretaries_writing_at_once__lose_no_text(world, client_for, open_meeting, case) -> None:
    item = item_on(open_meeting, case=case)
    for persona in ("coordinator", "social_worker"):
        acknowledge(open_meeting, world.users[persona])
    chair, secretary = client_for("coordinator"), client_for("social_worker")
    # Both open the empty minutes (version 0); the chair saves first.
    _save(chair, item, "Politiet: set tre gange.\n", 0)
    response = _save(secretary, item, "Kommunen: varsel om udsættelse.\n", 0)
    page = response.content.decode()
    assert "teksterne er flettet" in page
    assert _shared(item).text == "Politiet: set tre gange.\nKommunen: varsel om udsættelse.\n"
    assert 'data-merged-for="text-shared-' in page and "Politiet: set tre gange." in page
    # Now both change the same line from version 2.
    _save(chair, item, "Politiet: set fire gange.\nKommunen: varsel om udsættelse.\n", 2)
    _save(secretary, item, "Politiet: set tre gange, senest i går.\nKommunen: varsel om udsættelse.\n", 2)
    text = _shared(item).text
    assert "Politiet: set fire gange.\n" in text and "Politiet: set tre gange, senest i går.\n" in text
    assert "[Samtidig tekst fra Sofie Socialrådgiver" in text
    assert text.endswith("Kommunen: varsel om udsættelse.\n")
    assert _shared(item).version == 4
    merged = [e.detail for e in events(actions.MEETING_MINUTES_SAVED) if e.detail["merged"]]
    assert [d["conflicted"] for d in merged] == [False, True]


def test_organisation_notes__are_seen_only_by_that_organisation(
    world, client_for, open_meeting, case
) -> None:
    item = item_on(open_meeting, case=case)
    for persona in ("police_officer", "social_worker"):
        acknowledge(open_meeting, world.users[persona])
    response = _save(
        client_for("police_officer"), item, "Kun for politiet: sag om trusler (fiktivt).", 0, part="internal"
    )
    assert response.status_code == 200
    entry = MinutesEntry.objects.scoped().get(item=item, organisation=world.police)
    assert entry.text == "Kun for politiet: sag om trusler (fiktivt)."
    url = reverse("meetings:minutes", args=[open_meeting.pk])
    assert "Kun for politiet" in client_for("police_officer").get(url).content.decode()
    assert "Kun for politiet" not in client_for("social_worker").get(url).content.decode()


def test_saving_without_accepting_the_statement__is_refused_audited_and_nothing_saved(
    world, client_for, open_meeting, case
) -> None:
    item = item_on(open_meeting, case=case)
    response = _save(client_for("police_officer"), item, "Forsøg (fiktivt).", 0, htmx=False)
    assert response.status_code == 403
    assert not MinutesEntry.objects.scoped().filter(item=item).exists()
    [denial] = events(actions.ACCESS_DENIED, actor_id=world.users["police_officer"].pk)
    assert denial.detail["needed"] == "meeting.minutes"


def test_minutes_of_a_restricted_item__cannot_be_written(
    world, client_for, open_meeting, police_case
) -> None:
    item = item_on(open_meeting, case=police_case)
    acknowledge(open_meeting, world.users["coordinator"])
    assert _save(client_for("coordinator"), item, "Forsøg (fiktivt).", 0).status_code == 403
    assert not MinutesEntry.objects.scoped().filter(item=item).exists()


def test_investigative_member__does_not_see_the_shared_minutes(world, client_for, open_meeting, case) -> None:
    item = item_on(open_meeting, case=case)
    MinutesEntry.objects.create(item=item, text="Psykiatrien: indlagt i weekenden (fiktivt).", version=1)
    Membership.objects.scoped().filter(user=world.users["police_officer"]).update(is_investigative=True)
    acknowledge(open_meeting, world.users["police_officer"])
    page = (
        client_for("police_officer").get(reverse("meetings:minutes", args=[open_meeting.pk])).content.decode()
    )
    assert "indlagt i weekenden" not in page
    assert "vises ikke for medlemmer, der bruges i efterforskning" in page


def test_reading_the_minutes__puts_one_line_per_citizen_shown_in_their_access_logs(
    world, client_for, open_meeting, case, police_case
) -> None:
    item_on(open_meeting, case=case)
    item_on(open_meeting, case=police_case)
    item_on(open_meeting, case=psp_case(world, pseudonym="Borger A-9"))  # anonymous: no citizen
    item_on(open_meeting, theme="Samarbejdet med boligselskabet")
    acknowledge(open_meeting, world.users["social_worker"])

    client_for("social_worker").get(reverse("meetings:minutes", args=[open_meeting.pk]))

    [read] = events(actions.MEETING_MINUTES_VIEWED)
    assert read.citizen_id is None and read.detail["restricted"] == 1
    # The municipality is not involved in the police's case: that item was restricted, so only the
    # citizen of the shared case had their data shown.
    [shown] = events(actions.MEETING_CASE_MINUTES_VIEWED)
    assert (shown.citizen_id, shown.object_id, shown.organisation_id) == (
        case.citizen_id, str(case.pk), world.municipality.pk)
    assert shown.purpose.startswith("Referatet af PSP-mødet ")
    assert events(actions.MEETING_CASE_AGENDA_VIEWED) == []


def test_text_too_long_without_javascript__is_refused_and_the_text_is_kept(
    world, client_for, open_meeting, case
) -> None:
    item = item_on(open_meeting, case=case)
    acknowledge(open_meeting, world.users["coordinator"])
    text = "Meget lang tekst. " * 3000
    response = _save(client_for("coordinator"), item, text, 0, htmx=False)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Teksten er for lang" in page and text.strip()[:500] in page
    assert not MinutesEntry.objects.scoped().filter(item=item, version__gt=0).exists()


def test_closing__locks_the_minutes(world, client_for, open_meeting, case) -> None:
    item = item_on(open_meeting, case=case)
    acknowledge(open_meeting, world.users["coordinator"])
    client = client_for("coordinator")
    _save(client, item, "Før lukning (fiktivt).", 0)
    assert client.post(reverse("meetings:meeting_close", args=[open_meeting.pk])).status_code == 302
    response = _save(client, item, "Efter lukning (fiktivt).", 1)
    assert "referatet er låst" in response.content.decode()
    assert _shared(item).text == "Før lukning (fiktivt)."


def test_after_closing__corrections_are_addenda_with_author_and_time(world, client_for, case) -> None:
    closed = meeting_in(world, status=MeetingStatus.CLOSED)
    item = item_on(closed, case=case)
    client = client_for("coordinator")
    response = client.post(
        reverse("meetings:addendum_add", args=[closed.pk]),
        {"item": item.pk, "text": "Rettelse: mødet var torsdag (fiktivt)."},
    )
    assert response.status_code == 302
    [addendum] = Addendum.objects.scoped().all()
    assert (addendum.author, addendum.item, addendum.text) == (
        world.users["coordinator"],
        item,
        "Rettelse: mødet var torsdag (fiktivt).",
    )
    page = client.get(reverse("meetings:minutes", args=[closed.pk])).content.decode()
    assert "Rettelse: mødet var torsdag (fiktivt)." in page and "Karin Koordinator" in page


def test_addendum_by_someone_who_was_not_there__is_refused(world, client_for, case) -> None:
    closed = meeting_in(world, status=MeetingStatus.CLOSED)
    response = client_for("police_officer").post(
        reverse("meetings:addendum_add", args=[closed.pk]), {"text": "x"}
    )
    assert response.status_code == 403
    assert not Addendum.objects.scoped().exists()


def test_decision_marked_for_feedback_with_a_phone_number__is_refused_keeping_the_text(
    world, client_for, open_meeting, case
) -> None:
    item = item_on(open_meeting, case=case)
    acknowledge(open_meeting, world.users["coordinator"])
    text = "Frontmedarbejderen kan ringe til 11 22 33 44 (fiktivt)."
    response = client_for("coordinator").post(
        reverse("meetings:decision_add", args=[item.pk]), {"text": text, "for_feedback": "on"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "må ikke indeholde CPR-numre" in page and text in page
    assert not Decision.objects.scoped().exists()


def test_decision__is_recorded_and_shown_on_the_minutes(world, client_for, open_meeting, case) -> None:
    item = item_on(open_meeting, case=case)
    acknowledge(open_meeting, world.users["coordinator"])
    client = client_for("coordinator")
    response = client.post(
        reverse("meetings:decision_add", args=[item.pk]),
        {"text": "Politiet og kommunen tager fælles kontakt (fiktivt).", "for_feedback": "on"},
    )
    assert response.status_code == 302
    [decision] = Decision.objects.scoped().all()
    assert (decision.item, decision.for_feedback, decision.recorded_by) == (
        item,
        True,
        world.users["coordinator"],
    )
    assert (
        "Politiet og kommunen tager fælles kontakt"
        in client.get(reverse("meetings:minutes", args=[open_meeting.pk])).content.decode()
    )
