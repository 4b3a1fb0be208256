from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from samspil.audit import actions
from samspil.audit.chain import audit_checkpoint, audit_verify
from samspil.audit.models import AuditChainLink, AuditEvent, AuditSeal, Outcome
from samspil.core.scoping import unscoped

from .helpers import event_at, problems_of, record_events, seal, tampering

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain() -> list[int]:
    """500 sealed events (seq n holds the n-th id)."""
    ids = record_events(500)
    seal()
    return ids


def test_verify__clean_chain__is_ok_and_counts_everything(chain: list[int]) -> None:
    report = audit_verify()
    assert report.ok
    assert report.problems == []
    assert (report.links, report.events_checked, report.seals, report.head_seq) == (500, 500, 1, 500)
    assert report.head_hash == AuditChainLink.objects.get(seq=500).chain_hash
    assert report.events_per_second > 0


def test_verify__records_its_run_after_walking(chain: list[int]) -> None:
    audit_verify()
    with unscoped("test"):
        event = AuditEvent.objects.filter(action=actions.AUDIT_VERIFIED).get()
    assert (event.outcome, event.detail["links"], event.detail["problems"]) == (Outcome.ALLOWED, 500, 0)
    assert not AuditChainLink.objects.filter(event_id=event.pk).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("actor_id", 4242),
        ("action", actions.LOGIN_FAILED),
        ("detail", {"side": 99}),
        ("occurred_at", "shift"),
        ("purpose", "Noget andet"),
        ("outcome", Outcome.DENIED),
    ],
)
@pytest.mark.parametrize("position", [1, 250, 500])
def test_verify__edited_field__is_reported_at_its_seq(
    chain: list[int], field: str, value: object, position: int
) -> None:
    event_id = event_at(position)
    with tampering():
        if value == "shift":
            value = AuditEvent.objects.get(pk=event_id).occurred_at - timedelta(microseconds=1)
        AuditEvent.objects.filter(pk=event_id).update(**{field: value})
    report = audit_verify()
    assert not report.ok
    assert problems_of(report) == [("edited", position, event_id)]
    assert f"position {position}" in report.problems[0].message


def test_verify__deleted_event__is_reported_at_its_seq(chain: list[int]) -> None:
    with tampering():
        AuditEvent.objects.filter(pk=event_at(250)).delete()
    assert problems_of(audit_verify()) == [("deleted", 250, chain[249])]


def test_verify__forged_event_inside_the_sealed_range__is_reported_as_inserted() -> None:
    ids = record_events(20)
    with tampering():
        # A gap in the ids, as a rolled-back transaction leaves on PostgreSQL.
        AuditEvent.objects.filter(pk=ids[9]).delete()
    seal()
    with tampering():
        AuditEvent.objects.create(
            id=ids[9],
            occurred_at=timezone.now() - timedelta(days=2),
            action=actions.MEMBERS_LISTED,
            purpose="Forfalsket",
        )
    report = audit_verify()
    # It claims the place between the events now at seq 9 (ids[8]) and seq 10 (ids[10]).
    assert problems_of(report) == [("inserted", 10, ids[9])]


def test_verify__event_recorded_after_the_last_seal__is_not_inserted(chain: list[int]) -> None:
    record_events(3)
    assert audit_verify().ok


@pytest.mark.parametrize("what", ["contents", "ids"])
def test_verify__two_events_swapped__are_reported_as_reordered_at_both_positions(
    chain: list[int], what: str
) -> None:
    first, second = event_at(100), event_at(300)
    with tampering():
        a = AuditEvent.objects.get(pk=first)
        b = AuditEvent.objects.get(pk=second)
        if what == "contents":
            fields = [f.name for f in AuditEvent._meta.concrete_fields if f.name != "id"]
            AuditEvent.objects.filter(pk=first).update(**{f: getattr(b, f) for f in fields})
            AuditEvent.objects.filter(pk=second).update(**{f: getattr(a, f) for f in fields})
        else:
            AuditEvent.objects.filter(pk=first).update(id=-1)
            AuditEvent.objects.filter(pk=second).update(id=first)
            AuditEvent.objects.filter(pk=-1).update(id=second)
    report = audit_verify()
    assert problems_of(report) == [("reordered", 100, first), ("reordered", 300, second)]
    assert "position 300" in report.problems[0].message


def test_verify__two_links_swapped__are_reported_as_reordered(chain: list[int]) -> None:
    first, second = event_at(10), event_at(20)
    with tampering():
        AuditChainLink.objects.filter(seq=10).update(event_id=-1)
        AuditChainLink.objects.filter(seq=20).update(event_id=first)
        AuditChainLink.objects.filter(seq=10).update(event_id=second)
    assert problems_of(audit_verify()) == [("reordered", 10, second), ("reordered", 20, first)]


def test_verify__deleted_link__is_reported_with_its_orphaned_event(chain: list[int]) -> None:
    with tampering():
        AuditChainLink.objects.filter(seq=250).delete()
    assert problems_of(audit_verify()) == [("link_missing", 250, chain[249])]


@pytest.mark.parametrize("position", [250, 500])
def test_verify__altered_link_hash__is_reported_at_its_seq(chain: list[int], position: int) -> None:
    with tampering():
        AuditChainLink.objects.filter(seq=position).update(chain_hash="0" * 64)
    assert problems_of(audit_verify()) == [("link_altered", position, chain[position - 1])]


def test_verify__altered_seal_head__is_reported(chain: list[int]) -> None:
    with tampering():
        AuditSeal.objects.update(head_hash="f" * 64)
    assert problems_of(audit_verify()) == [("seal_mismatch", 500, chain[499])]


def _cut_tail(after_seq: int) -> None:
    with tampering():
        event_ids = list(AuditChainLink.objects.filter(seq__gt=after_seq).values_list("event_id", flat=True))
        AuditChainLink.objects.filter(seq__gt=after_seq).delete()
        AuditEvent.objects.filter(pk__in=event_ids).delete()


def test_verify__tail_cut_but_seal_kept__is_truncated() -> None:
    record_events(50)
    seal()
    _cut_tail(40)
    assert problems_of(audit_verify()) == [("truncated", 41, None)]


def test_verify__tail_cut_with_its_seals__is_found_only_with_the_checkpoint() -> None:
    record_events(50)
    seal(batch_size=30)
    checkpoint = audit_checkpoint()
    assert (checkpoint["seq"], checkpoint["algorithm"]) == (50, "sha256")
    _cut_tail(30)
    with tampering():
        AuditSeal.objects.filter(last_seq__gt=30).delete()
    assert audit_verify().ok  # consistent on its own: that is why checkpoints are kept elsewhere
    report = audit_verify(checkpoint=checkpoint)
    assert problems_of(report) == [("truncated", 31, None)]
    assert "50" in report.problems[0].message


def test_verify__checkpoint_with_another_head__is_reported(chain: list[int]) -> None:
    checkpoint = {"seq": 200, "head_hash": "a" * 64, "algorithm": "sha256"}
    assert problems_of(audit_verify(checkpoint=checkpoint)) == [("truncated", 200, None)]


def test_verify__matching_checkpoint__is_ok(chain: list[int]) -> None:
    checkpoint = audit_checkpoint()
    record_events(10)
    seal()
    report = audit_verify(checkpoint=checkpoint)
    assert report.ok
    assert report.checkpoint_seq == 500


def test_verify__deleted_seal__is_reported() -> None:
    record_events(30)
    seal(batch_size=10)
    with tampering():
        AuditSeal.objects.filter(last_seq=20).delete()
    assert problems_of(audit_verify()) == [("seal_missing", 11, None)]


def test_verify__failed_run__is_recorded_as_failed(chain: list[int]) -> None:
    with tampering():
        AuditEvent.objects.filter(pk=chain[0]).update(role="x")
    audit_verify()
    with unscoped("test"):
        event = AuditEvent.objects.filter(action=actions.AUDIT_VERIFIED).get()
    assert (event.outcome, event.detail["problems"]) == (Outcome.FAILED, 1)
