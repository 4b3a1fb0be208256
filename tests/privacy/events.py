"""Helpers for audit-log tests: fictitious events with chosen times and ids, and reading them back."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from samspil.audit.models import AuditEvent
from samspil.core.scoping import unscoped

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=COPENHAGEN)


def make_event(*, actor: Any = None, **fields: Any) -> AuditEvent:
    """An event as ``audit_record`` would write it for ``actor`` acting in their first membership."""
    membership = actor.memberships.first() if actor is not None else None
    values: dict[str, Any] = {
        "occurred_at": timezone.now(),
        "actor_id": actor.pk if actor is not None else None,
        "action": "cooperation.viewed",
        "request_id": "req-test-0001",
    }
    if membership is not None:
        values.update(
            organisation_id=membership.organisation_id,
            cooperation_id=membership.cooperation_id,
            role=membership.role,
        )
    values.update(fields)
    return AuditEvent.objects.create(**values)


def all_events() -> list[AuditEvent]:
    with unscoped("tests read back every event"):
        return list(AuditEvent.objects.order_by("id"))


def events_after(last_id: int) -> list[AuditEvent]:
    return [e for e in all_events() if e.pk > last_id]


def last_event_id() -> int:
    events = all_events()
    return events[-1].pk if events else 0
