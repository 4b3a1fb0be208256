"""The hash chain over the audit log: sealing, verification and checkpoints.

Every event is serialised canonically (``canonical_event``): a UTF-8 JSON array of all its columns in
the fixed order of ``CANONICAL_COLUMNS`` (id first), ``occurred_at`` as UTC ISO 8601 with microseconds,
and last the ``detail`` as ``json.dumps(sort_keys=True, separators=(",", ":"))``. The chain runs

    chain_hash_n = SHA-256(bytes(chain_hash_{n-1}) + canonical_n),   chain_hash_0 = GENESIS_HASH

and ``AuditChainLink`` row n holds (seq n, event id, chain_hash_n). The sealer links events in id order
in batches, one ``AuditSeal`` per batch. Because sealed bytes are recomputed from the rows as they are
now, ``audit_verify`` finds any event edited, deleted, inserted into or reordered inside the sealed
range, and a tail cut off (through the last seal or an exported checkpoint).

What the chain cannot do alone: somebody with owner rights on the database could delete the tail
*and* its seals, or rewrite the whole chain consistently. Export ``audit_checkpoint()`` regularly to
somewhere outside the system (the DPO's mailbox, a notary service); verifying against an exported
checkpoint catches both.

Changing the column list or the serialisation changes every hash: that needs a new ``ALGORITHM``.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import queue
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from samspil.core.scoping import unscoped

from . import actions
from .models import AuditChainLink, AuditEvent, AuditSeal, Outcome
from .services import audit_record

ALGORITHM = "sha256"
GENESIS_HASH = hashlib.sha256(b"samspil.audit.chain.v1").hexdigest()
# Any fixed 64-bit number: the PostgreSQL advisory lock that keeps two sealers from interleaving.
SEAL_LOCK_KEY = 7_301_652_118_443_605_001

# Every column of AuditEvent, in the order they are serialised.
CANONICAL_COLUMNS = (
    "id",
    "occurred_at",
    "actor_id",
    "organisation_id",
    "cooperation_id",
    "role",
    "action",
    "object_type",
    "object_id",
    "citizen_id",
    "purpose",
    "outcome",
    "request_id",
    "source_ip",
    "detail",
)
_DETAIL = len(CANONICAL_COLUMNS) - 1
_scalars_json = json.JSONEncoder(ensure_ascii=False).encode
_detail_json = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_STREAM_CHUNK = 5000
_DETAIL_CACHE = 10_000
# PostgreSQL formats the scalar columns itself (json_build_array writes exactly what Python's json
# module writes with its default separators and ensure_ascii=False), which keeps verification fast.
_PG_TIME = "to_char({alias}.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"


def _select_columns(alias: str) -> str:
    """The columns ``row_canonicalizer`` makes the canonical bytes from: on PostgreSQL two, the scalar
    part of the canonical form and the detail as JSON text (NULL exactly when the event is missing);
    elsewhere the raw columns (id NULL when the event is missing)."""
    if connection.vendor == "postgresql":
        columns = [f"{alias}.{name}" for name in CANONICAL_COLUMNS[:_DETAIL]]
        columns[1] = _PG_TIME.format(alias=alias)
        return f"json_build_array({', '.join(columns)})::text, {alias}.detail::text"
    return ", ".join(f"{alias}.{name}" for name in CANONICAL_COLUMNS)


def _utc_text(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_event(values: Sequence[Any]) -> bytes:
    """The canonical bytes of one event from its values in ``CANONICAL_COLUMNS`` order (occurred_at as
    a datetime or UTC ISO text, detail as a JSON-compatible object).

    A JSON array, UTF-8: the scalar columns as ``json.dumps`` writes them by default (", " between
    items, non-ASCII kept), occurred_at as ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``, and last the detail
    as ``json.dumps(detail, sort_keys=True, separators=(",", ":"))`` (non-ASCII kept).
    """
    scalars = list(values[:_DETAIL])
    scalars[1] = _utc_text(scalars[1])
    return _join(_scalars_json(scalars), values[_DETAIL])


def _join(scalars_text: str, detail: Any) -> bytes:
    return (scalars_text[:-1] + ", " + _detail_json(detail) + "]").encode("utf-8")


def row_canonicalizer(offset: int) -> Callable[[Sequence[Any]], bytes]:
    """The function that makes an event's canonical bytes from a row whose columns from ``offset`` on
    are those of ``_select_columns`` (sealing and verification both use it).

    On PostgreSQL the database has formatted the scalar part (``json_build_array`` writes what
    ``canonical_event`` writes), which costs less CPU than formatting the plain columns in Python; the
    detail is serialised again here, as jsonb orders keys its own way. Details repeat a lot (``{}``,
    the same few counts and paths), so their serialisation is remembered, up to a bound."""
    if connection.vendor == "postgresql":
        loads, detail_json = json.loads, _detail_json
        scalars_at, detail_at = offset, offset + 1
        tails: dict[str, str] = {"{}": ", {}]"}

        def from_database(row: Sequence[Any]) -> bytes:
            detail = row[detail_at]
            tail = tails.get(detail)
            if tail is None:
                tail = ", " + detail_json(loads(detail)) + "]"
                if len(tails) < _DETAIL_CACHE:
                    tails[detail] = tail
            return (row[scalars_at][:-1] + tail).encode()

        return from_database

    def from_columns(row: Sequence[Any]) -> bytes:
        values = row[offset:]
        detail = values[_DETAIL]
        parsed = json.loads(detail) if isinstance(detail, str | bytes) else detail
        return canonical_event((*values[:_DETAIL], parsed))

    return from_columns


def chain_step(previous_hash: str, canonical: bytes) -> str:
    return hashlib.sha256(bytes.fromhex(previous_hash) + canonical).hexdigest()


# --------------------------------------------------------------------------------------------- sealing


def _lock_sealer() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])


def _db_time(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def audit_seal(*, now: datetime | None = None, batch_size: int | None = None) -> AuditSeal | None:
    """Seal every unlinked event older than the seal lag into the chain, in id order, in batches of
    ``batch_size``, one transaction and one ``AuditSeal`` per batch. Returns the last seal written, or
    None when nothing was due.

    An event is due when it occurred at least ``SAMSPIL_AUDIT_SEAL_LAG`` before ``now`` (so that
    transactions still running have committed) and either its id is above every sealed id or it
    occurred after the previous seal's cut-off (a late commit). Anything else that is unlinked but
    inside the sealed range is what ``audit_verify`` reports as inserted; the sealer never adopts it.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.SAMSPIL_AUDIT_SEAL_BATCH
    cutoff = now - settings.SAMSPIL_AUDIT_SEAL_LAG
    with unscoped("sealing the audit chain covers every event"):
        # Events recorded while sealing (its own audit.sealed events) wait for the next run.
        upto_id = AuditEvent.objects.aggregate(top=Max("id"))["top"]
        if upto_id is None:
            return None
        last_seal = None
        while True:
            seal = _seal_batch(now=now, cutoff=cutoff, batch_size=batch_size, upto_id=upto_id)
            if seal is None:
                return last_seal
            last_seal = seal


def _seal_batch(*, now: datetime, cutoff: datetime, batch_size: int, upto_id: int) -> AuditSeal | None:
    with transaction.atomic():
        _lock_sealer()
        head = AuditChainLink.objects.order_by("-seq").values_list("seq", "chain_hash").first()
        last_seq, head_hash = head if head else (0, GENESIS_HASH)
        max_sealed_id = AuditChainLink.objects.aggregate(top=Max("event_id"))["top"] or 0
        previous = AuditSeal.objects.order_by("-last_seq").values_list("sealed_at", flat=True).first()
        previous_cutoff = previous - settings.SAMSPIL_AUDIT_SEAL_LAG if previous else cutoff
        columns = _select_columns("e")
        sql = f"""
            SELECT e.id, {columns} FROM audit_auditevent e
            WHERE e.id IN (
                SELECT fresh.id FROM (
                    SELECT id FROM audit_auditevent
                    WHERE id > %s AND id <= %s AND occurred_at <= %s ORDER BY id LIMIT %s
                ) fresh
                UNION
                SELECT id FROM audit_auditevent
                WHERE id < %s AND occurred_at > %s AND occurred_at <= %s
            )
            AND NOT EXISTS (SELECT 1 FROM audit_auditchainlink l WHERE l.event_id = e.id)
            ORDER BY e.id LIMIT %s
        """  # noqa: S608 - only fixed column names are formatted in
        params = [
            max_sealed_id,
            upto_id,
            _db_time(cutoff),
            batch_size,
            max_sealed_id,
            _db_time(previous_cutoff),
            _db_time(cutoff),
            batch_size,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return None
        canonical = row_canonicalizer(1)
        links = []
        chain_hash = head_hash
        previous_bytes = bytes.fromhex(head_hash)
        sha256 = hashlib.sha256
        for offset, row in enumerate(rows, start=1):
            digest = sha256(previous_bytes + canonical(row))
            previous_bytes = digest.digest()
            chain_hash = digest.hexdigest()
            links.append(AuditChainLink(seq=last_seq + offset, event_id=row[0], chain_hash=chain_hash))
        AuditChainLink.objects.bulk_create(links, batch_size=2000)
        seal = AuditSeal.objects.create(
            sealed_at=now, first_seq=last_seq + 1, last_seq=last_seq + len(links), head_hash=chain_hash
        )
        audit_record(
            action=actions.AUDIT_SEALED,
            object_type="audit.auditseal",
            object_id=seal.pk,
            detail={
                "first_seq": seal.first_seq,
                "last_seq": seal.last_seq,
                "events": len(links),
                "head_hash": chain_hash,
            },
        )
        return seal


# ---------------------------------------------------------------------------------------- verification


class ProblemKind:
    EDITED = "edited"
    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"
    TRUNCATED = "truncated"
    LINK_MISSING = "link_missing"
    LINK_ALTERED = "link_altered"
    SEAL_MISMATCH = "seal_mismatch"
    SEAL_MISSING = "seal_missing"


@dataclass
class Problem:
    kind: str
    seq: int | None
    event_id: int | None
    message: str


@dataclass
class VerifyReport:
    ok: bool
    links: int
    events_checked: int
    seals: int
    seconds: float
    events_per_second: float
    head_seq: int
    head_hash: str
    checkpoint_seq: int | None = None
    problems: list[Problem] = field(default_factory=list)
    processes: int = 1  # how many processes walked the chain

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Mismatch:
    seq: int
    event_id: int
    canonical: bytes
    previous_hash: str
    stored_hash: str
    recomputed_hash: str
    kind: str = ProblemKind.EDITED


def _walk_rows(sql: str, params: list[Any]) -> Iterator[Sequence[Any]]:
    """Rows of the chain walk, streamed: on PostgreSQL in chunks straight from the server while the
    walk runs (the server produces the next rows while Python hashes), elsewhere through the driver's
    lazy cursor."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.connection.cursor() as cursor:
            yield from cursor.stream(sql, params, size=_STREAM_CHUNK)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            chunk = cursor.fetchmany(_STREAM_CHUNK)
            if not chunk:
                return
            yield from chunk


def _load_checkpoint(checkpoint: dict[str, Any] | None) -> tuple[int, str] | None:
    if checkpoint is None:
        return None
    if checkpoint.get("algorithm", ALGORITHM) != ALGORITHM:
        raise ValueError(f"Checkpoint algorithm {checkpoint.get('algorithm')!r} is not {ALGORITHM!r}")
    return int(checkpoint["seq"]), str(checkpoint["head_hash"])


def audit_verify(*, checkpoint: dict[str, Any] | None = None, workers: int | None = None) -> VerifyReport:
    """Walk the whole chain, recompute every hash and report each problem with its position.

    Records an ``audit.verified`` event after the walk (outcome failed when problems were found).
    ``checkpoint`` is a dict as exported by ``audit_checkpoint`` and kept outside the system.

    The chain is walked in ``workers`` ranges of positions. On PostgreSQL, outside a transaction, each
    range is walked by its own process with its own connection, all reading the same snapshot; inside a
    transaction (whose writes no other connection sees) or on another database the ranges are walked one
    after the other here. The report is the same whatever the split. ``workers`` defaults to one per CPU,
    at most 8 (each holds a database connection); by default a chain shorter than 50,000 links is walked
    in this process, as starting processes would cost more than they save.
    """
    expected = _load_checkpoint(checkpoint)
    chosen = workers is not None
    workers = max(1, workers if workers is not None else min(os.cpu_count() or 1, _DEFAULT_WORKERS_MAX))
    started = time.perf_counter()
    with unscoped("verifying the audit chain covers every event"):
        if connection.in_atomic_block:
            report = _verify(expected, workers)
        elif (
            connection.vendor == "postgresql"
            and workers > 1
            and "fork" in multiprocessing.get_all_start_methods()
            and (chosen or _chain_length() >= _PROCESSES_FROM)
        ):
            report = _verify_in_processes(expected, workers)
        else:
            with transaction.atomic():
                _snapshot_transaction()
                report = _verify(expected, workers)
    report.seconds = time.perf_counter() - started
    report.events_per_second = report.events_checked / report.seconds if report.seconds > 0 else 0.0
    with transaction.atomic():
        audit_record(
            action=actions.AUDIT_VERIFIED,
            outcome=Outcome.ALLOWED if report.ok else Outcome.FAILED,
            detail={
                "links": report.links,
                "problems": len(report.problems),
                "head_seq": report.head_seq,
                "checkpoint_seq": report.checkpoint_seq,
            },
        )
    return report


def _snapshot_transaction(snapshot: str | None = None) -> None:
    """Make the open transaction read one snapshot for seals, links and events (a concurrent sealer is
    invisible); with ``snapshot``, the one another transaction exported."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        if snapshot is not None:
            cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])


@dataclass
class _Plan:
    """What every range walk needs to know about the chain as a whole."""

    seals: list[tuple[int, int, str]]
    seal_heads: dict[int, str]
    end: int  # the walk covers link positions 1..end
    checkpoint_seq: int  # -1 without a checkpoint


def _plan(expected: tuple[int, str] | None) -> _Plan:
    seals = list(AuditSeal.objects.order_by("last_seq").values_list("first_seq", "last_seq", "head_hash"))
    sealed_end = seals[-1][1] if seals else 0
    link_end = AuditChainLink.objects.aggregate(top=Max("seq"))["top"] or 0
    return _Plan(
        seals=seals,
        seal_heads={last: head for _first, last, head in seals},
        end=max(sealed_end, link_end),
        checkpoint_seq=expected[0] if expected else -1,
    )


def _ranges(end: int, parts: int) -> list[tuple[int, int]]:
    """Split positions 1..end into at most ``parts`` consecutive ranges of (nearly) equal size."""
    parts = max(1, min(parts, end))
    size, extra = divmod(end, parts)
    ranges, first = [], 1
    for part in range(parts):
        last = first + size - 1 + (1 if part < extra else 0)
        ranges.append((first, last))
        first = last + 1
    return ranges


def _verify(expected: tuple[int, str] | None, parts: int) -> VerifyReport:
    """The walk in this process and connection, range after range."""
    plan = _plan(expected)
    results = [_walk_range(plan, first, last) for first, last in _ranges(plan.end, parts)]
    return _report(plan, results, expected)


# Ranges per worker process: smaller pieces keep all workers busy to the end when other work slows one
# of them down.
_RANGES_PER_WORKER = 4
_DEFAULT_WORKERS_MAX = 8
_PROCESSES_FROM = 50_000


def _chain_length() -> int:
    return AuditChainLink.objects.aggregate(top=Max("seq"))["top"] or 0


def _verify_in_processes(expected: tuple[int, str] | None, workers: int) -> VerifyReport:
    """The walk in ``workers`` processes. They are forked before any connection is opened (a forked
    child must never use its parent's connection); then this process exports its snapshot, and every
    range is walked in a transaction that imports it, so all of them read the same state."""
    connections.close_all()
    context = multiprocessing.get_context("fork")
    tasks, results = context.SimpleQueue(), context.Queue()
    processes = [context.Process(target=_worker, args=(tasks, results), daemon=True) for _ in range(workers)]
    for process in processes:
        process.start()
    try:
        with transaction.atomic():
            _snapshot_transaction()
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            plan = _plan(expected)
            ranges = _ranges(plan.end, workers * _RANGES_PER_WORKER)
            for number, (first, last) in enumerate(ranges):
                tasks.put((number, snapshot, plan, first, last))
            walked: dict[int, _RangeResult] = {}
            while len(walked) < len(ranges):
                try:
                    number, result = results.get(timeout=1.0)
                except queue.Empty:
                    if not all(process.is_alive() for process in processes):
                        raise RuntimeError("A verification worker process ended unexpectedly.") from None
                    continue
                if isinstance(result, str):
                    raise RuntimeError(f"Verifying positions {ranges[number]} failed:\n{result}")
                walked[number] = result
            # The tail checks read this transaction's snapshot too.
            report = _report(plan, [walked[number] for number in range(len(ranges))], expected)
            report.processes = workers
            return report
    finally:
        for _process in processes:
            tasks.put(None)
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():  # pragma: no cover - a worker stuck after an error
                process.kill()


def _worker(tasks: Any, results: Any) -> None:
    """A walk process: walks ranges until told to stop, then closes its own connection. A failure is
    sent back as text (an exception object may not survive pickling)."""
    try:
        while (task := tasks.get()) is not None:
            number, snapshot, plan, first, last = task
            try:
                with transaction.atomic():
                    _snapshot_transaction(snapshot)
                    results.put((number, _walk_range(plan, first, last)))
            except Exception:
                results.put((number, traceback.format_exc()))
    finally:
        connection.close()


@dataclass
class _RangeResult:
    """What one range walk found. Counts and findings cover the rows it owned (see ``_walk_range``)."""

    links: int = 0
    checked: int = 0
    found: int = 0  # owned links whose event exists
    max_event_id: int = 0
    last_seq: int = 0  # the last position walked, 0 if none
    problems: list[Problem] = field(default_factory=list)
    mismatches: list[_Mismatch] = field(default_factory=list)
    gaps: list[tuple[int, int, int | None]] = field(default_factory=list)
    checkpoint_hashes: tuple[str, str] | None = None


# The walk streams links in seq order; a nested loop over the two primary keys delivers the first
# row at once (no sort of the whole range first), so the database works while Python hashes.
_PG_WALK_SETTINGS = ("enable_hashjoin", "enable_mergejoin", "enable_sort")


def _walk_sql(*, limited: bool = False) -> str:
    """The walk over positions [%s, %s] in order; ``limited``: positions (%s, %s], the first %s rows."""
    where = "l.seq BETWEEN %s AND %s ORDER BY l.seq"
    if limited:
        where = "l.seq > %s AND l.seq <= %s ORDER BY l.seq LIMIT %s"
    return (
        f"SELECT l.seq, l.event_id, l.chain_hash, {_select_columns('e')} "  # noqa: S608
        f"FROM audit_auditchainlink l LEFT JOIN audit_auditevent e ON e.id = l.event_id WHERE {where}"
    )


def _walk_range(plan: _Plan, first: int, last: int) -> _RangeResult:
    """Walk positions first..last like one walk from position 1 would, so that the ranges' results
    together are exactly the whole walk's.

    The walk is a state machine whose only memory between rows is the previous row's stored hash, seq
    and event, and a mismatch waiting for the next row to tell whether the event or the link was
    changed. That memory is empty after any row that is not a *raw mismatch* (a present event right
    after its predecessor whose recomputed hash differs from the stored one). So a range owns its rows
    from the first one that is not a raw mismatch: rows before that belong to the previous range, whose
    walk continues past its end through raw mismatches and stops at the next range's first owned row,
    which it only uses to settle a waiting mismatch. The first range owns everything from position 1,
    starting from the genesis hash.
    """
    vendor_is_pg = connection.vendor == "postgresql"
    missing_column = 4 if vendor_is_pg else 3  # detail (PostgreSQL) or id (elsewhere) is NULL: no event
    canonical_of = row_canonicalizer(3)
    sha256 = hashlib.sha256
    fromhex = bytes.fromhex
    seal_heads = plan.seal_heads
    checkpoint_seq = plan.checkpoint_seq
    boundaries = {*seal_heads, checkpoint_seq}  # positions with a seal head or the checkpoint
    result = _RangeResult()
    problems, mismatches, gaps = result.problems, result.mismatches, result.gaps

    # The row before the range (or the genesis): what the whole walk would remember there.
    previous_seq, previous_hash, previous_event_id = 0, GENESIS_HASH, None
    if first > 1:
        anchor = AuditChainLink.objects.filter(seq__lt=first).order_by("-seq").values_list(
            "seq", "chain_hash", "event_id"
        ).first()
        if anchor is not None:
            previous_seq, previous_hash, previous_event_id = anchor
    previous_bytes = fromhex(previous_hash)
    owning = first == 1
    pending: _Mismatch | None = None  # a mismatch whose cause (event or link) the next row tells
    intact = 0  # owned rows that were intact links right after intact ones (counted at the end)
    max_event_id = 0
    last_seq = 0

    if vendor_is_pg:
        with connection.cursor() as cursor:
            for name in _PG_WALK_SETTINGS:
                cursor.execute(f"SET LOCAL {name} = off")
    for row in _continued_rows(first, last, plan.end):
        seq, event_id, stored = row[0], row[1], row[2]
        missing = row[missing_column] is None
        contiguous = seq == previous_seq + 1
        canonical = b""
        recomputed = ""
        if contiguous and not missing:
            canonical = canonical_of(row)
            digest = sha256(previous_bytes + canonical)
            recomputed = digest.hexdigest()
            if recomputed == stored and pending is None:
                # The common case first, and fast: an intact link right after an intact one.
                if seq > last:
                    break  # the next range's first owned row, and nothing waits to be settled
                owning = True
                intact += 1
                if event_id > max_event_id:
                    max_event_id = event_id
                last_seq = previous_seq = seq
                previous_hash, previous_event_id = stored, event_id
                previous_bytes = digest.digest()
                if seq in boundaries:
                    seen = _boundary(seq, event_id, stored, stored, seal_heads, checkpoint_seq, problems)
                    result.checkpoint_hashes = seen or result.checkpoint_hashes
                continue
        raw_mismatch = contiguous and not missing and recomputed != stored
        if seq > last and not (owning and raw_mismatch):
            # Past the range: the next range's first owned row (it only settles what waits here), or
            # rows that the walk of an earlier range covers.
            if owning and pending is not None:
                mismatches.append(pending)
            break
        if not owning:
            if raw_mismatch:  # before this range's first owned row: the previous range walks it
                previous_seq, previous_hash, previous_event_id = seq, stored, event_id
                previous_bytes = fromhex(stored)
                continue
            owning = True
        result.links += 1
        last_seq = seq
        if event_id > max_event_id:
            max_event_id = event_id
        if not contiguous:
            # A link is gone: this row cannot be checked against its predecessor, restart from it.
            gaps.append((previous_seq + 1, seq - 1, previous_event_id))
            if pending is not None:
                mismatches.append(pending)
                pending = None
            if missing:
                problems.append(_deleted(seq, event_id))
            else:
                result.found += 1
        elif missing:
            if pending is not None:
                mismatches.append(pending)
                pending = None
            problems.append(_deleted(seq, event_id))
        else:
            result.checked += 1
            result.found += 1
            if pending is not None:
                if recomputed == stored:
                    mismatches.append(pending)  # row n+1 fits the stored hash n: event n was edited
                elif sha256(fromhex(pending.recomputed_hash) + canonical).hexdigest() == stored:
                    # Row n+1 fits the true hash n: link n was altered.
                    pending.kind = ProblemKind.LINK_ALTERED
                    mismatches.append(pending)
                    recomputed = stored
                else:
                    mismatches.append(pending)
                pending = None
            if recomputed != stored:
                pending = _Mismatch(seq, event_id, canonical, previous_hash, stored, recomputed)
            if seq in boundaries:
                seen = _boundary(
                    seq, event_id, stored, recomputed, seal_heads, checkpoint_seq, problems, pending
                )
                result.checkpoint_hashes = seen or result.checkpoint_hashes
        previous_seq, previous_hash, previous_event_id = seq, stored, event_id
        previous_bytes = fromhex(stored)
    else:
        if pending is not None:  # the chain ends with it
            mismatches.append(pending)
    result.links += intact
    result.checked += intact
    result.found += intact
    result.max_event_id = max_event_id
    result.last_seq = last_seq
    if vendor_is_pg:
        with connection.cursor() as cursor:
            for name in _PG_WALK_SETTINGS:
                cursor.execute(f"SET LOCAL {name} TO DEFAULT")
    return result


def _continued_rows(first: int, last: int, end: int) -> Iterator[Sequence[Any]]:
    """The rows of positions first..last, then, only as far as the caller reads on, the following ones
    up to ``end`` in growing batches (a range's walk usually needs just one row past its end)."""
    yield from _walk_rows(_walk_sql(), [first, last])
    after, batch = last, 16
    while after < end:
        rows = list(_walk_rows(_walk_sql(limited=True), [after, end, batch]))
        yield from rows
        if len(rows) < batch:
            return
        after, batch = rows[-1][0], min(batch * 4, _STREAM_CHUNK)


def _report(plan: _Plan, results: list[_RangeResult], expected: tuple[int, str] | None) -> VerifyReport:
    """Put the ranges' findings together (in position order) and add the checks over the whole chain."""
    problems: list[Problem] = []
    mismatches: list[_Mismatch] = []
    gaps: list[tuple[int, int, int | None]] = []
    checkpoint_hashes = None
    for result in results:
        problems.extend(result.problems)
        mismatches.extend(result.mismatches)
        gaps.extend(result.gaps)
        checkpoint_hashes = result.checkpoint_hashes or checkpoint_hashes
    links = sum(r.links for r in results)
    found = sum(r.found for r in results)
    max_event_id = max((r.max_event_id for r in results), default=0)
    chain_end = max((r.last_seq for r in results), default=0)
    problems.extend(_classify_mismatches(mismatches))
    problems.extend(_tail_problems(plan.seals, chain_end, expected, checkpoint_hashes))
    inserted = _inserted_events(max_event_id, found, plan.seals)
    problems.extend(_gap_and_insert_problems(gaps, inserted))
    problems.sort(key=lambda p: (p.seq if p.seq is not None else 0, p.kind))
    head_hash = AuditChainLink.objects.filter(seq=chain_end).values_list("chain_hash", flat=True).first()
    return VerifyReport(
        ok=not problems,
        links=links,
        events_checked=sum(r.checked for r in results),
        seals=len(plan.seals),
        seconds=0.0,
        events_per_second=0.0,
        head_seq=chain_end,
        head_hash=head_hash or GENESIS_HASH,
        checkpoint_seq=expected[0] if expected else None,
        problems=problems,
    )


def _boundary(
    seq: int,
    event_id: int,
    stored: str,
    recomputed: str,
    seal_heads: dict[int, str],
    checkpoint_seq: int,
    problems: list[Problem],
    pending: _Mismatch | None = None,
) -> tuple[str, str] | None:
    """Checks at a seal's last position (and the checkpoint's): returns the hashes seen at the checkpoint."""
    head = seal_heads.get(seq)
    if head is not None:
        if head not in (stored, recomputed):
            problems.append(
                Problem(
                    ProblemKind.SEAL_MISMATCH,
                    seq,
                    event_id,
                    _("Forseglingen, der slutter ved position %(seq)s, har et andet hoved-hash end kæden.")
                    % {"seq": seq},
                )
            )
        elif pending is not None and head == recomputed and head != stored:
            pending.kind = ProblemKind.LINK_ALTERED
    return (stored, recomputed) if seq == checkpoint_seq else None


def _deleted(seq: int, event_id: int) -> Problem:
    return Problem(
        ProblemKind.DELETED,
        seq,
        event_id,
        _("Hændelse %(event)s på position %(seq)s er slettet.") % {"event": event_id, "seq": seq},
    )


def _mismatch_problem(mismatch: _Mismatch) -> Problem:
    if mismatch.kind == ProblemKind.LINK_ALTERED:
        message = _("Kædens hash på position %(seq)s (hændelse %(event)s) er ændret.")
    else:
        message = _("Hændelse %(event)s på position %(seq)s er ændret efter forseglingen.")
    values = {"seq": mismatch.seq, "event": mismatch.event_id}
    return Problem(mismatch.kind, mismatch.seq, mismatch.event_id, message % values)


def _classify_mismatches(mismatches: list[_Mismatch]) -> list[Problem]:
    """Edited events, except pairs whose contents (or ids) were swapped: those are reordered."""
    edited = [m for m in mismatches if m.kind == ProblemKind.EDITED]
    partner: dict[int, int] = {}
    taken: set[int] = set()
    if 2 <= len(edited) <= 200:
        for a in edited:
            for b in edited:
                if a is b or b.seq in taken:
                    continue
                # a's current row is b's original content, under a's id (contents swapped) or b's (ids
                # swapped or links swapped).
                values = json.loads(a.canonical)
                with_b_id = canonical_event([b.event_id, *values[1:]])
                for candidate in (with_b_id, a.canonical):
                    if chain_step(b.previous_hash, candidate) == b.stored_hash:
                        partner[a.seq] = b.seq
                        taken.add(b.seq)
                        break
                if a.seq in partner:
                    break
    problems = []
    for mismatch in mismatches:
        other = partner.get(mismatch.seq)
        if other is None:
            problems.append(_mismatch_problem(mismatch))
            continue
        problems.append(
            Problem(
                ProblemKind.REORDERED,
                mismatch.seq,
                mismatch.event_id,
                _("Indholdet på position %(seq)s (hændelse %(event)s) hører til på position %(other)s: "
                  "hændelser er byttet om.")
                % {"seq": mismatch.seq, "event": mismatch.event_id, "other": other},
            )
        )
    return problems


def _tail_problems(
    seals: list[tuple[int, int, str]],
    chain_end: int,
    expected: tuple[int, str] | None,
    checkpoint_hashes: tuple[str, str] | None,
) -> list[Problem]:
    problems = []
    sealed_end = seals[-1][1] if seals else 0
    if sealed_end > chain_end:
        problems.append(
            Problem(
                ProblemKind.TRUNCATED,
                chain_end + 1,
                None,
                _("Kæden slutter ved position %(end)s, men den seneste forsegling dækker til position "
                  "%(sealed)s: slutningen af loggen er fjernet.")
                % {"end": chain_end, "sealed": sealed_end},
            )
        )
    covered_to = 0
    for first, last, _head in seals:
        if first > covered_to + 1:
            problems.append(_seal_missing(covered_to + 1, first - 1))
        covered_to = max(covered_to, last)
    if chain_end > covered_to:
        problems.append(_seal_missing(covered_to + 1, chain_end))
    if expected is not None:
        seq, head_hash = expected
        if seq > chain_end:
            problems.append(
                Problem(
                    ProblemKind.TRUNCATED,
                    chain_end + 1,
                    None,
                    _("Kontrolpunktet nævner position %(seq)s, men kæden slutter ved position %(end)s: "
                      "slutningen af loggen er fjernet.")
                    % {"seq": seq, "end": chain_end},
                )
            )
        elif seq > 0 and (checkpoint_hashes is None or head_hash not in checkpoint_hashes):
            problems.append(
                Problem(
                    ProblemKind.TRUNCATED,
                    seq,
                    None,
                    _("Kædens hash på position %(seq)s passer ikke med kontrolpunktet: loggen er skåret "
                      "af og skrevet om.")
                    % {"seq": seq},
                )
            )
    return problems


def _seal_missing(first: int, last: int) -> Problem:
    return Problem(
        ProblemKind.SEAL_MISSING,
        first,
        None,
        _("Position %(first)s-%(last)s er ikke dækket af nogen forsegling; en forsegling er slettet.")
        % {"first": first, "last": last},
    )


def _inserted_events(
    max_event_id: int, linked: int, seals: list[tuple[int, int, str]]
) -> list[tuple[int, int | None]]:
    """Unlinked events that claim a place inside the sealed range: an id below the highest sealed id and
    old enough that the last sealer run would have linked them. Returns (event id, seq it would precede)."""
    if not seals or max_event_id == 0:
        return []
    last_sealed_at = AuditSeal.objects.order_by("-last_seq").values_list("sealed_at", flat=True).first()
    assert last_sealed_at is not None
    cutoff = last_sealed_at - settings.SAMSPIL_AUDIT_SEAL_LAG
    with connection.cursor() as cursor:
        # Cheap test first: every event at or below the highest sealed id is linked.
        cursor.execute("SELECT count(*) FROM audit_auditevent WHERE id <= %s", [max_event_id])
        if cursor.fetchone()[0] <= linked:
            return []
        cursor.execute(
            """
            SELECT e.id, (SELECT min(l2.seq) FROM audit_auditchainlink l2 WHERE l2.event_id > e.id)
            FROM audit_auditevent e
            WHERE e.id < %s AND e.occurred_at <= %s
              AND NOT EXISTS (SELECT 1 FROM audit_auditchainlink l WHERE l.event_id = e.id)
            ORDER BY e.id LIMIT 10000
            """,
            [max_event_id, _db_time(cutoff)],
        )
        return [(event_id, seq) for event_id, seq in cursor.fetchall()]


def _gap_and_insert_problems(
    gaps: list[tuple[int, int, int | None]], inserted: Iterable[tuple[int, int | None]]
) -> list[Problem]:
    """A missing link leaves its event unlinked: name that event in the gap rather than as inserted."""
    problems = []
    open_slots = {first: list(range(first, last + 1)) for first, last, _before in gaps}
    named: dict[int, list[int]] = {first: [] for first, _last, _before in gaps}
    for event_id, following_seq in inserted:
        gap = next(
            (
                (first, last)
                for first, last, before in gaps
                if following_seq == last + 1 and (before is None or before < event_id) and open_slots[first]
            ),
            None,
        )
        if gap is not None:
            open_slots[gap[0]].pop(0)
            named[gap[0]].append(event_id)
            continue
        problems.append(
            Problem(
                ProblemKind.INSERTED,
                following_seq,
                event_id,
                _("Hændelse %(event)s er ikke med i kæden, men har et id inde i det forseglede område "
                  "(før position %(seq)s): den er indsat bagefter.")
                % {"event": event_id, "seq": following_seq},
            )
        )
    for first, last, _before in gaps:
        events = named[first]
        for offset, seq in enumerate(range(first, last + 1)):
            orphan = events[offset] if offset < len(events) else None
            problems.append(
                Problem(
                    ProblemKind.LINK_MISSING,
                    seq,
                    orphan,
                    _("Kædeled %(seq)s mangler (hændelse %(event)s er ikke længere kædet).")
                    % {"seq": seq, "event": orphan if orphan is not None else "?"},
                )
            )
    return problems


# ----------------------------------------------------------------------------------------- checkpoints


def audit_checkpoint() -> dict[str, Any]:
    """The chain head as of the last seal, for anchoring outside the system (e.g. mailed to the DPO):
    a later ``audit verify --checkpoint`` proves the chain still contains this head."""
    seal = AuditSeal.objects.order_by("-last_seq").first()
    result: dict[str, Any] = {
        "seq": seal.last_seq if seal else 0,
        "head_hash": seal.head_hash if seal else GENESIS_HASH,
        "sealed_at": seal.sealed_at.astimezone(UTC).isoformat(timespec="microseconds") if seal else None,
        "algorithm": ALGORITHM,
    }
    with transaction.atomic():
        audit_record(action=actions.AUDIT_CHECKPOINT, object_type="audit.auditseal", detail=dict(result))
    return result
