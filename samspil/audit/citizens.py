"""One event per citizen for a read that showed several citizens at once (a meeting's agenda or minutes).

Such a read is recorded once with ``audit_record`` (the DPO sees one look at one meeting). The citizen's
access report finds its lines through the indexed ``citizen_id`` column, never by reading ``detail``,
so each citizen whose data the read showed gets an event of their own: the same time, person,
organisation, cooperation, role, request and source as the read's own event, with the citizen's id, the
object shown (their case), a purpose a citizen understands and a pointer to the read's event. All of
them are written in one INSERT, so a meeting of 30 cases costs the request one query, not 30.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .actions import REGISTRY
from .models import AuditEvent, Outcome
from .services import UnknownAuditAction


@dataclass(frozen=True)
class CitizenShown:
    """A citizen whose data the read showed, and the record (usually their case) it was shown through."""

    citizen_id: int
    object_type: str
    object_id: str


def audit_record_per_citizen(
    event: AuditEvent,
    *,
    action: str,
    shown: Iterable[CitizenShown],
    purpose: str,
    detail: dict[str, Any] | None = None,
) -> list[AuditEvent]:
    """Write one ``action`` event per entry of ``shown``, derived from ``event`` (already written).

    ``detail`` is copied into every event, with ``"read_event"``: the id of ``event``. Raises like
    ``audit_record`` if the action code is not registered; only an allowed read has citizens to record.
    """
    if action not in REGISTRY:
        raise UnknownAuditAction(f"Register the audit action {action!r} in samspil.audit.actions")
    if event.pk is None or event.outcome != Outcome.ALLOWED:
        raise ValueError("Per-citizen events follow an allowed read that has been written")
    events = [
        AuditEvent(
            occurred_at=event.occurred_at,
            actor_id=event.actor_id,
            organisation_id=event.organisation_id,
            cooperation_id=event.cooperation_id,
            role=event.role,
            action=action,
            object_type=item.object_type,
            object_id=str(item.object_id),
            citizen_id=int(item.citizen_id),
            purpose=purpose[:200],
            outcome=Outcome.ALLOWED,
            request_id=event.request_id,
            source_ip=event.source_ip,
            detail={**(detail or {}), "read_event": event.pk},
        )
        for item in shown
    ]
    if events:
        AuditEvent.objects.bulk_create(events)
    return events
