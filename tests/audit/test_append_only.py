"""On PostgreSQL nobody (not even the owner, short of disabling the triggers) changes audit rows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction

from samspil.audit.models import AuditChainLink, AuditEvent, AuditSeal
from samspil.core.scoping import unscoped

from .helpers import record_events, seal

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the append-only triggers exist on PostgreSQL only"
    ),
]


def _refused(action: Callable[[], object]) -> str:
    with pytest.raises(DatabaseError) as raised, transaction.atomic():
        action()
    return str(raised.value)


def _raw(sql: str) -> Callable[[], None]:
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)

    return run


@pytest.fixture
def sealed_event() -> AuditEvent:
    record_events(3)
    seal()
    with unscoped("test"):
        return AuditEvent.objects.order_by("id").first()  # type: ignore[return-value]


def _snapshot() -> tuple[list[tuple[object, ...]], ...]:
    with unscoped("test"):
        return (
            list(AuditEvent.objects.order_by("id").values_list("id", "action", "actor_id", "detail")),
            list(AuditChainLink.objects.order_by("seq").values_list("seq", "event_id", "chain_hash")),
            list(AuditSeal.objects.order_by("id").values_list("id", "last_seq", "head_hash")),
        )


def test_orm_update_and_delete__are_refused_and_change_nothing(sealed_event: AuditEvent) -> None:
    before = _snapshot()
    with unscoped("test"):
        events = AuditEvent.objects.filter(pk=sealed_event.pk)
        assert "append-only" in _refused(lambda: events.update(actor_id=99))
        assert "append-only" in _refused(lambda: events.delete())
        sealed_event.purpose = "ændret"
        assert "append-only" in _refused(lambda: sealed_event.save())
    assert "append-only" in _refused(lambda: AuditChainLink.objects.filter(seq=1).update(chain_hash="0" * 64))
    assert "append-only" in _refused(lambda: AuditChainLink.objects.all().delete())
    assert "append-only" in _refused(lambda: AuditSeal.objects.update(head_hash="0" * 64))
    assert "append-only" in _refused(lambda: AuditSeal.objects.all().delete())
    assert _snapshot() == before


COLUMNS = {"audit_auditevent": "role", "audit_auditchainlink": "chain_hash", "audit_auditseal": "head_hash"}


@pytest.mark.parametrize("table", sorted(COLUMNS))
def test_raw_update_delete_truncate__are_refused_and_change_nothing(
    sealed_event: AuditEvent, table: str
) -> None:
    before = _snapshot()
    column = COLUMNS[table]
    assert f"UPDATE on {table} refused" in _refused(_raw(f"UPDATE {table} SET {column} = 'x'"))  # noqa: S608
    assert f"DELETE on {table} refused" in _refused(_raw(f"DELETE FROM {table}"))  # noqa: S608
    assert f"TRUNCATE on {table} refused" in _refused(_raw(f"TRUNCATE {table}"))
    assert _snapshot() == before


def test_insert__is_still_allowed(sealed_event: AuditEvent) -> None:
    record_events(1)
    assert seal() is not None
