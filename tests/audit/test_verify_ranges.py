"""Verification split into ranges of positions (and worker processes) reports exactly what one walk does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection

from samspil.audit.chain import audit_checkpoint, audit_verify
from samspil.audit.models import AuditChainLink, AuditEvent, AuditSeal, Outcome

from .helpers import event_at, problems_of, record_events, seal, tampering

pytestmark = pytest.mark.django_db

EVENTS = 120
# 1: one walk. 120: every position its own range. The rest put range boundaries all over the chain.
SPLITS = (2, 3, 4, 7, 13, 120)


def _edit(*positions: int) -> Callable[[], None]:
    def tamper() -> None:
        for position in positions:
            AuditEvent.objects.filter(pk=event_at(position)).update(purpose=f"Ændret {position}")

    return tamper


def _delete_events(*positions: int) -> Callable[[], None]:
    def tamper() -> None:
        AuditEvent.objects.filter(pk__in=[event_at(p) for p in positions]).delete()

    return tamper


def _delete_links(first: int, last: int) -> Callable[[], None]:
    def tamper() -> None:
        AuditChainLink.objects.filter(seq__gte=first, seq__lte=last).delete()

    return tamper


def _alter_links(*positions: int) -> Callable[[], None]:
    def tamper() -> None:
        AuditChainLink.objects.filter(seq__in=positions).update(chain_hash="0" * 64)

    return tamper


def _swap_links(a: int, b: int) -> None:
    first, second = event_at(a), event_at(b)
    AuditChainLink.objects.filter(seq=a).update(event_id=-1)
    AuditChainLink.objects.filter(seq=b).update(event_id=first)
    AuditChainLink.objects.filter(seq=a).update(event_id=second)


def _swap_contents(a: int, b: int) -> None:
    first, second = AuditEvent.objects.get(pk=event_at(a)), AuditEvent.objects.get(pk=event_at(b))
    fields = [f.name for f in AuditEvent._meta.concrete_fields if f.name != "id"]
    AuditEvent.objects.filter(pk=first.pk).update(**{f: getattr(second, f) for f in fields})
    AuditEvent.objects.filter(pk=second.pk).update(**{f: getattr(first, f) for f in fields})


def _cut_tail_keep_seals() -> None:
    ids = list(AuditChainLink.objects.filter(seq__gt=100).values_list("event_id", flat=True))
    AuditChainLink.objects.filter(seq__gt=100).delete()
    AuditEvent.objects.filter(pk__in=ids).delete()


def _link_altered_then_event_edited() -> None:
    _alter_links(60)()
    _edit(61)()


SCENARIOS: dict[str, Callable[[], None]] = {
    "edited first": _edit(1),
    "edited at a seal head": _edit(40),
    "edited after a seal head": _edit(41),
    "edited last": _edit(120),
    "edited run across boundaries": _edit(58, 59, 60, 61, 62, 63),
    "edited every other": _edit(*range(31, 52, 2)),
    "edited everything in the middle": _edit(*range(20, 101)),
    "deleted events": _delete_events(30, 31, 61),
    "deleted link at a seal head": _delete_links(40, 40),
    "deleted links over whole ranges": _delete_links(50, 75),
    "deleted first links": _delete_links(1, 3),
    "altered links": _alter_links(40, 61, 120),
    "altered neighbouring links": _alter_links(59, 60),
    "link altered, next event edited": _link_altered_then_event_edited,
    "swapped links": lambda: _swap_links(59, 60),
    "swapped contents far apart": lambda: _swap_contents(20, 100),
    "seal head altered": lambda: AuditSeal.objects.filter(last_seq=80).update(head_hash="f" * 64),
    "seal deleted": lambda: AuditSeal.objects.filter(last_seq=80).delete(),
    "tail cut, seals kept": _cut_tail_keep_seals,
}


@pytest.fixture
def sealed_chain() -> list[int]:
    ids = record_events(EVENTS)
    seal(batch_size=40)  # seal heads at positions 40, 80 and 120
    return ids


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_verify_in_ranges__reports_exactly_what_one_walk_reports(
    sealed_chain: list[int], scenario: str
) -> None:
    with tampering():
        SCENARIOS[scenario]()
    whole = audit_verify(workers=1)
    assert not whole.ok
    for workers in SPLITS:
        split = audit_verify(workers=workers)
        assert problems_of(split) == problems_of(whole), f"{workers} ranges"
        assert [p.message for p in split.problems] == [p.message for p in whole.problems]
        assert (split.links, split.events_checked, split.head_seq, split.head_hash) == (
            whole.links,
            whole.events_checked,
            whole.head_seq,
            whole.head_hash,
        ), f"{workers} ranges"


def test_verify_in_ranges__edits_at_range_edges__are_reported_at_their_seq(sealed_chain: list[int]) -> None:
    # Two ranges: 1-60 and 61-120. Edit the last of the first, the first and a middle one of the second.
    with tampering():
        _edit(60, 61, 90)()
    report = audit_verify(workers=2)
    assert problems_of(report) == [
        ("edited", 60, sealed_chain[59]),
        ("edited", 61, sealed_chain[60]),
        ("edited", 90, sealed_chain[89]),
    ]
    assert report.events_checked == EVENTS


def test_verify_in_ranges__clean_chain_with_checkpoint__is_ok(sealed_chain: list[int]) -> None:
    checkpoint = audit_checkpoint()
    for workers in (1, *SPLITS):
        report = audit_verify(workers=workers, checkpoint=checkpoint)
        counts = (report.links, report.events_checked, report.checkpoint_seq)
        assert (report.ok, *counts) == (True, 120, 120, 120)


def test_verify_in_ranges__checkpoint_with_another_head__is_reported_whatever_the_split(
    sealed_chain: list[int],
) -> None:
    checkpoint = {"seq": 57, "head_hash": "a" * 64, "algorithm": "sha256"}
    for workers in (1, *SPLITS):
        assert problems_of(audit_verify(workers=workers, checkpoint=checkpoint)) == [("truncated", 57, None)]


def test_verify__empty_chain__is_ok_for_any_split() -> None:
    for workers in (1, 4):
        report = audit_verify(workers=workers)
        assert (report.ok, report.links, report.head_seq) == (True, 0, 0)


# ------------------------------------------------------------------------ worker processes (PostgreSQL)

@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes walk on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_verify_in_processes__tampered_event_in_the_second_workers_range__is_reported_at_its_seq() -> None:
    ids = record_events(EVENTS)
    seal(batch_size=40)
    assert audit_verify(workers=2).ok
    # With 2 workers the chain is cut into 8 ranges (1-15, 16-30, ... 106-120), dealt out to both.
    with tampering():
        _edit(16, 75, 120)()
        AuditChainLink.objects.filter(seq=91).delete()
    report = audit_verify(workers=2)
    assert report.processes == 2
    assert problems_of(report) == [
        ("edited", 16, ids[15]),
        ("edited", 75, ids[74]),
        ("link_missing", 91, ids[90]),
        ("edited", 120, ids[119]),
    ]
    # The event after the missing link cannot be checked against a predecessor: 118 hashes, 119 links.
    assert (report.links, report.events_checked, report.head_seq) == (119, 118, 120)
    whole = audit_verify(workers=1)
    assert whole.processes == 1
    assert problems_of(whole) == problems_of(report)
    assert (whole.links, whole.events_checked, whole.head_seq) == (119, 118, 120)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes walk on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_verify_in_processes__records_its_run_once_after_walking() -> None:
    record_events(30)
    seal()
    report = audit_verify(workers=3)
    assert (report.ok, report.processes, report.events_checked) == (True, 3, 30)
    event = AuditEvent.objects.filter(action="audit.verified").scoped().get()
    assert (event.outcome, event.detail["links"], event.detail["problems"]) == (Outcome.ALLOWED, 30, 0)
