"""Helpers for the audit tests: make events, seal them, and tamper like someone with owner rights."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.utils import timezone

from samspil.audit import actions
from samspil.audit.chain import audit_seal
from samspil.audit.models import AuditChainLink, AuditEvent, AuditSeal
from samspil.audit.services import audit_record
from samspil.core.scoping import unscoped

AUDIT_TABLES = ("audit_auditevent", "audit_auditchainlink", "audit_auditseal")
CODES = (actions.MEMBERS_LISTED, actions.COOPERATION_VIEWED, actions.PROFILE_VIEWED, actions.ACCESS_DENIED)


def record_events(count: int) -> list[int]:
    """``count`` varied events through the real service; returns their ids in order."""
    ids = []
    for n in range(count):
        event = audit_record(
            action=CODES[n % len(CODES)],
            organisation_id=100 + n % 7,
            cooperation_id=n % 3 or None,
            role="key_member",
            object_type="organisations.cooperation",
            object_id=n % 11,
            citizen_id=n if n % 5 == 0 else None,
            purpose="Forebyggelse" if n % 2 else "",
            detail={"side": n % 4, "sti": f"/samarbejder/{n}/"} if n % 3 == 0 else {},
        )
        ids.append(event.pk)
    return ids


def seal(**kwargs: Any) -> AuditSeal | None:
    return audit_seal(now=kwargs.pop("now", None) or timezone.now(), **kwargs)


def seq_of(event_id: int) -> int:
    return AuditChainLink.objects.get(event_id=event_id).seq


def event_at(seq: int) -> int:
    return AuditChainLink.objects.get(seq=seq).event_id


def problems_of(report: Any) -> list[tuple[str, int | None, int | None]]:
    return [(p.kind, p.seq, p.event_id) for p in report.problems]


@contextmanager
def tampering() -> Iterator[None]:
    """Change audit rows as an attacker with owner rights would: on PostgreSQL first switch off the
    append-only triggers (inside the test's transaction, so the rollback restores them)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        with unscoped("the test tampers with the audit log"):
            yield
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in AUDIT_TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def all_events() -> list[AuditEvent]:
    with unscoped("test reads the whole log"):
        return list(AuditEvent.objects.order_by("id"))
