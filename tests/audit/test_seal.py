from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from samspil.audit import actions
from samspil.audit.chain import GENESIS_HASH, audit_seal, audit_verify, canonical_event, chain_step
from samspil.audit.models import AuditChainLink, AuditEvent, AuditSeal
from samspil.core.scoping import unscoped

from .helpers import record_events, seal, tampering

pytestmark = pytest.mark.django_db


def _values(event: AuditEvent) -> list[object]:
    return [
        event.pk,
        event.occurred_at,
        event.actor_id,
        event.organisation_id,
        event.cooperation_id,
        event.role,
        event.action,
        event.object_type,
        event.object_id,
        event.citizen_id,
        event.purpose,
        event.outcome,
        event.request_id,
        event.source_ip,
        event.detail,
    ]


def test_canonical_event__is_the_documented_json_array() -> None:
    values = [
        7,
        datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC),
        None,
        12,
        3,
        "key_member",
        "cooperation.viewed",
        "organisations.cooperation",
        "3",
        None,
        "Forebyggelse, \"særlig\"\n",
        "allowed",
        "req-1",
        "10.0.0.1",
        {"b": [1, 2], "a": "ø"},
    ]
    assert canonical_event(values) == (
        '[7, "2026-03-01T12:00:05.000000+00:00", null, 12, 3, "key_member", "cooperation.viewed", '
        '"organisations.cooperation", "3", null, "Forebyggelse, \\"særlig\\"\\n", "allowed", "req-1", '
        '"10.0.0.1", {"a":"ø","b":[1,2]}]'
    ).encode()


def test_seal__links_every_event_in_id_order_with_the_documented_hashes() -> None:
    ids = record_events(20)
    sealed = seal()
    assert sealed is not None
    links = list(AuditChainLink.objects.order_by("seq").values_list("seq", "event_id", "chain_hash"))
    assert [(seq, event_id) for seq, event_id, _hash in links] == list(enumerate(ids, start=1))
    previous = GENESIS_HASH
    with unscoped("test"):
        events = {e.pk: e for e in AuditEvent.objects.all()}
    for _seq, event_id, chain_hash in links:
        canonical = canonical_event(_values(events[event_id]))
        expected = hashlib.sha256(bytes.fromhex(previous) + canonical).hexdigest()
        assert chain_hash == expected
        previous = chain_hash
    assert (sealed.first_seq, sealed.last_seq, sealed.head_hash) == (1, 20, previous)


def test_seal__hashes_awkward_text_exactly_as_documented() -> None:
    event = AuditEvent.objects.create(
        occurred_at=timezone.now(),
        action=actions.MEMBERS_LISTED,
        role="ø\"\\",
        purpose="linje\nskift\ttab \x01 æøå ☃",
        object_id="é",
        source_ip="2001:db8::1",
        citizen_id=2**62,
        detail={"z": None, "a": {"y": 1.5, "x": [True, False]}, "ü": "\u2028"},
    )
    seal()
    with unscoped("test"):
        stored = AuditEvent.objects.get(pk=event.pk)
    link = AuditChainLink.objects.get(event_id=event.pk)
    assert link.chain_hash == chain_step(GENESIS_HASH, canonical_event(_values(stored)))


def test_seal__writes_one_seal_per_batch_and_its_own_audit_event() -> None:
    record_events(12)
    last = seal(batch_size=5)
    assert last is not None
    assert list(AuditSeal.objects.order_by("last_seq").values_list("first_seq", "last_seq")) == [
        (1, 5),
        (6, 10),
        (11, 12),
    ]
    with unscoped("test"):
        sealed_events = list(AuditEvent.objects.filter(action=actions.AUDIT_SEALED).order_by("id"))
    assert [e.detail["last_seq"] for e in sealed_events] == [5, 10, 12]
    assert [e.detail["events"] for e in sealed_events] == [5, 5, 2]
    assert not AuditChainLink.objects.filter(event_id__in=[e.pk for e in sealed_events]).exists()


def test_seal__continues_the_chain_across_runs_and_seals_its_own_events_later() -> None:
    record_events(5)
    first = seal()
    assert first is not None
    new_ids = record_events(3)
    second = seal()
    assert second is not None
    assert (second.first_seq, second.last_seq) == (6, 6 + 1 + 3 - 1)
    with unscoped("test"):
        first_sealed_event = AuditEvent.objects.filter(action=actions.AUDIT_SEALED).order_by("id").first()
    assert first_sealed_event is not None
    linked = list(
        AuditChainLink.objects.filter(seq__gte=6).order_by("seq").values_list("event_id", flat=True)
    )
    assert linked == [first_sealed_event.pk, *new_ids]
    assert audit_verify().ok


def test_seal__with_nothing_due__returns_none_and_writes_nothing() -> None:
    assert seal() is None
    assert AuditSeal.objects.count() == 0
    with unscoped("test"):
        assert AuditEvent.objects.count() == 0


@override_settings(SAMSPIL_AUDIT_SEAL_LAG=timedelta(seconds=60))
def test_seal__leaves_events_younger_than_the_lag() -> None:
    ids = record_events(3)
    now = timezone.now()
    assert audit_seal(now=now) is None
    assert AuditChainLink.objects.count() == 0
    sealed = audit_seal(now=now + timedelta(seconds=61))
    assert sealed is not None
    assert list(AuditChainLink.objects.values_list("event_id", flat=True).order_by("seq")) == ids


def test_seal__links_a_late_committed_event_in_a_later_run_and_verify_accepts_it() -> None:
    ids = record_events(6)
    now = timezone.now()
    with tampering():
        # As if event 3's transaction committed long after it began: it was not visible to the first run.
        AuditEvent.objects.filter(pk=ids[2]).update(occurred_at=now + timedelta(seconds=5))
    audit_seal(now=now)
    assert list(AuditChainLink.objects.order_by("seq").values_list("event_id", flat=True)) == [
        ids[0], ids[1], ids[3], ids[4], ids[5]
    ]
    assert audit_verify().ok
    audit_seal(now=now + timedelta(seconds=10))
    assert AuditChainLink.objects.get(event_id=ids[2]).seq == 6
    assert audit_verify().ok


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent sealers need PostgreSQL sessions")
@pytest.mark.django_db(transaction=True)
def test_seal__two_sealers_at_once__never_interleave() -> None:
    ids = record_events(300)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def sealer() -> None:
        try:
            barrier.wait()
            audit_seal(now=timezone.now(), batch_size=25)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sealer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = list(AuditChainLink.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert set(ids) <= set(AuditChainLink.objects.values_list("event_id", flat=True))
    seals = list(AuditSeal.objects.order_by("last_seq").values_list("first_seq", "last_seq"))
    assert [first for first, _last in seals[1:]] == [last + 1 for _first, last in seals[:-1]]
    assert audit_verify().ok
