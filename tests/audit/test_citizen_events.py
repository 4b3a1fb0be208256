"""Per-citizen events for a read that showed several citizens: copied from the read's own event, written
in one INSERT, sealed and verified like any other event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samspil.audit import actions
from samspil.audit.chain import audit_seal, audit_verify
from samspil.audit.citizens import CitizenShown, audit_record_per_citizen
from samspil.audit.models import AuditEvent, Outcome
from samspil.audit.services import UnknownAuditAction, audit_record
from samspil.core.scoping import unscoped

pytestmark = pytest.mark.django_db


def _read() -> AuditEvent:
    return audit_record(action=actions.MEETING_AGENDA_VIEWED, object_type="meetings.meeting", object_id=7,
                        organisation_id=3, cooperation_id=2, role="key_member", detail={"citizens": [41, 42]})


def _count() -> int:
    with unscoped("test counts the events"):
        return AuditEvent.objects.count()


def test_per_citizen_events__copy_the_read_and_are_written_in_one_insert() -> None:
    read = _read()
    shown = [CitizenShown(41, "cases.case", "501"), CitizenShown(42, "cases.case", "502")]

    with CaptureQueriesContext(connection) as queries:
        events = audit_record_per_citizen(read, action=actions.MEETING_CASE_AGENDA_VIEWED, shown=shown,
                                          purpose="Dagsordenen til PSP-mødet (fiktivt)", detail={"meeting": 7})

    assert len(queries) == 1
    with unscoped("test reads the events back"):
        stored = list(AuditEvent.objects.filter(action=actions.MEETING_CASE_AGENDA_VIEWED).order_by("id"))
    assert [e.pk for e in stored] == [e.pk for e in events]
    assert [(e.citizen_id, e.object_type, e.object_id) for e in stored] == [
        (41, "cases.case", "501"), (42, "cases.case", "502")]
    for event in stored:
        assert (event.occurred_at, event.actor_id, event.organisation_id, event.cooperation_id, event.role,
                event.request_id) == (read.occurred_at, read.actor_id, 3, 2, "key_member", read.request_id)
        assert event.purpose == "Dagsordenen til PSP-mødet (fiktivt)" and event.outcome == Outcome.ALLOWED
        assert event.detail == {"meeting": 7, "read_event": read.pk}


def test_per_citizen_events__are_sealed_and_verified_like_any_other() -> None:
    read = _read()
    audit_record_per_citizen(read, action=actions.MEETING_CASE_AGENDA_VIEWED,
                             shown=[CitizenShown(41, "cases.case", "501")], purpose="Fiktivt formål")

    audit_seal(now=timezone.now() + timedelta(minutes=5))

    report = audit_verify()
    assert report.ok and report.events_checked == 2


def test_nothing_shown__writes_nothing() -> None:
    read = _read()

    assert audit_record_per_citizen(read, action=actions.MEETING_CASE_AGENDA_VIEWED, shown=[], purpose="") == []
    assert _count() == 1


def test_unregistered_action__is_refused_and_nothing_is_written() -> None:
    read = _read()

    with pytest.raises(UnknownAuditAction, match=r"meeting\.invented"):
        audit_record_per_citizen(read, action="meeting.invented", shown=[CitizenShown(41, "cases.case", "1")],
                                 purpose="")
    assert _count() == 1


def test_a_read_that_was_not_written_or_not_allowed__gives_no_citizen_events() -> None:
    unwritten = AuditEvent(occurred_at=timezone.now(), action=actions.MEETING_AGENDA_VIEWED)
    denied = audit_record(action=actions.MEETING_AGENDA_VIEWED, outcome=Outcome.DENIED)

    for event in (unwritten, denied):
        with pytest.raises(ValueError, match="allowed read"):
            audit_record_per_citizen(event, action=actions.MEETING_CASE_AGENDA_VIEWED,
                                     shown=[CitizenShown(41, "cases.case", "1")], purpose="")
    assert _count() == 1
