"""CSV export of the DPO's current search: sudo, formula-injection safety, streaming, its own audit event."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from samspil.accounts.services import SUDO_AT
from samspil.audit import actions
from samspil.audit.models import AuditEvent, Outcome
from samspil.privacy.views import EXPORT_CHUNK, csv_safe

from .events import events_after, last_event_id, make_event

URL = "/revision/eksport.csv"
HEADER = ["Tidspunkt", "Person", "Organisation", "Rolle", "Handlingskode", "Handling", "Objekttype",
          "Objekt-id", "Borger-id", "Formål", "Udfald", "Request-id"]


def with_sudo(client):
    session = client.session
    session[SUDO_AT] = timezone.now().isoformat()
    session.save()
    return client


def _rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_export__streams_the_current_search_as_csv(world, client_for):
    police, social = world.user("police_officer"), world.user("social_worker")
    make_event(actor=police, occurred_at=datetime(2025, 1, 15, 8, 0, tzinfo=UTC), citizen_id=1042,
                       object_type="cases.case", object_id="17", purpose="Forberedelse af møde",
                       request_id="req-export-0001")
    make_event(actor=police, occurred_at=datetime(2025, 7, 1, 10, 0, tzinfo=UTC),
                       action=actions.ACCESS_DENIED, outcome=Outcome.DENIED, request_id="req-export-0002")
    make_event(actor=social)  # not the chosen person

    response = with_sudo(client_for("dpo")).get(URL, {"person": police.pk})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="revisionslog-')
    assert response["Content-Disposition"].endswith('.csv"')
    rows = _rows(response)
    police_columns = ["Per Betjent", "Testrup Politi (fiktiv)", "Nøgleperson"]
    assert rows == [
        HEADER,
        ["2025-07-01T12:00:00+02:00", *police_columns, "auth.access_denied", "Adgang nægtet", "", "", "", "",
         "Nægtet", "req-export-0002"],
        ["2025-01-15T09:00:00+01:00", *police_columns, "cooperation.viewed", "Samarbejde set", "cases.case",
         "17", "1042", "Forberedelse af møde", "Tilladt", "req-export-0001"],
    ]


def test_export__escapes_cells_a_spreadsheet_would_run_as_formulas(world, client_for):
    police = world.user("police_officer")
    for n, dangerous in enumerate(["=HYPERLINK(\"http://x.invalid\")", "+4512345678", "-1+1", "@SUM(A1)",
                                   "\tcmd", "\rcmd"]):
        make_event(actor=police, purpose=dangerous, object_id=f"obj-{n}")

    response = with_sudo(client_for("dpo")).get(URL, {"person": police.pk})

    purposes = [row[9] for row in _rows(response)[1:]]
    assert purposes == ["'\rcmd", "'\tcmd", "'@SUM(A1)", "'-1+1", "'+4512345678", "'=HYPERLINK(\"http://x.invalid\")"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t1", "'\t1"), ("\r1", "'\r1"),
     ("Per Betjent", "Per Betjent"), ("a=b", "a=b"), ("", ""), (None, ""), (1042, "1042")],
)
def test_csv_safe__prefixes_only_cells_that_start_like_a_formula(value, expected):
    assert csv_safe(value) == expected


def test_export__is_audited_with_the_filter_and_the_row_count(world, client_for):
    police = world.user("police_officer")
    for _ in range(3):
        make_event(actor=police, outcome=Outcome.DENIED)
    make_event(actor=police)
    before = last_event_id()

    response = with_sudo(client_for("dpo")).get(URL, {"person": police.pk, "outcome": "denied"})
    rows = _rows(response)

    [exported] = events_after(before)
    assert exported.action == actions.AUDIT_EXPORTED
    assert exported.actor_id == world.user("dpo").pk
    assert exported.cooperation_id == world.cooperation.pk
    assert exported.detail == {
        "criteria": {"person": police.pk, "outcome": "denied"},
        "rows": 3,
        "format": "csv",
    }
    assert len(rows) == 1 + 3


def test_export__covers_more_than_one_chunk_without_repeating_a_row(world, client_for):
    police = world.user("police_officer")
    template = make_event(actor=police, object_id="0")
    count = EXPORT_CHUNK * 2 + 5
    AuditEvent.objects.bulk_create(
        AuditEvent(
            occurred_at=template.occurred_at,
            actor_id=police.pk,
            organisation_id=template.organisation_id,
            cooperation_id=template.cooperation_id,
            role=template.role,
            action=template.action,
            object_id=str(n),
        )
        for n in range(1, count)
    )

    rows = _rows(with_sudo(client_for("dpo")).get(URL, {"person": police.pk}))

    assert [row[7] for row in rows[1:]] == [str(n) for n in reversed(range(count))]


def test_export__needs_sudo_and_exports_nothing_without_it(world, client_for):
    make_event(actor=world.user("police_officer"))
    before = last_event_id()

    response = client_for("dpo").get(URL, {"outcome": "allowed"})

    assert response.status_code == 302
    next_url = quote(URL + "?outcome=allowed", safe="")
    assert response["Location"] == f"{reverse('accounts:sudo')}?next={next_url}"
    assert events_after(before) == []


def test_export__expired_sudo_is_asked_for_again(world, client_for, settings):
    client = client_for("dpo")
    session = client.session
    session[SUDO_AT] = (timezone.now() - settings.SAMSPIL_SUDO_LIFETIME - timedelta(seconds=1)).isoformat()
    session.save()
    before = last_event_id()

    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sudo"))
    assert events_after(before) == []


@pytest.mark.parametrize("persona", ["police_officer", "social_worker", "psychiatry_nurse", "coordinator",
                                     "frontline_worker", "outsider"])
def test_export__other_personas_get_403_even_in_sudo_and_only_the_denial_recorded(world, client_for, persona):
    make_event(actor=world.user("police_officer"))
    before = last_event_id()

    response = with_sudo(client_for(persona)).get(URL)

    assert response.status_code == 403
    assert [(e.action, e.outcome, e.detail) for e in events_after(before)] == [
        (actions.ACCESS_DENIED, Outcome.DENIED, {"path": URL, "needed": "audit.export"})
    ]


def test_export__with_an_invalid_filter_goes_back_to_the_search_and_exports_nothing(world, client_for):
    make_event(actor=world.user("police_officer"))
    before = last_event_id()

    response = with_sudo(client_for("dpo")).get(URL, {"date_from": "igår"})

    assert response.status_code == 302
    assert response["Location"] == "/revision/?date_from=ig%C3%A5r"
    assert events_after(before) == []
