"""Audit benchmarks: concurrent appends, chain verification, and what a request pays for its event.

Run through ``python bench/run.py --only audit`` (``make bench``); needs PostgreSQL on this machine.
Sizes can be reduced with ``--quick`` to check the benchmark itself.

On a shared machine the absolute figures move with the other work, so a change is judged by running
two versions of the code back to back, alternately, under the same load:

    python bench/audit_bench.py compare --old-tree DIR [--rounds 5] [--seconds 10] [--verify-events N] [--explicit]

``DIR`` is another checkout of the project (e.g. ``git archive <commit> | tar -x -C DIR``). Each round
runs (a) 8 writers for each version, then verify for each version over one shared sealed chain; the
order alternates between rounds. It prints medians and new/old ratios as a Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path

SECTION = "Audit"
ROOT = Path(__file__).resolve().parent.parent

WRITERS = 8
APPEND_SECONDS = 10.0
VERIFY_EVENTS = 1_000_000
VERIFY_RUNS = 5
REQUESTS = 2000

ACTIONS = (
    "cooperation.members_listed",
    "cooperation.viewed",
    "account.profile_viewed",
    "auth.login_failed",
    "auth.mfa_verified",
    "auth.access_denied",
)
COPY_COLUMNS = (
    "occurred_at, actor_id, organisation_id, cooperation_id, role, action, object_type, object_id, "
    "citizen_id, purpose, outcome, request_id, source_ip, detail"
)
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a process has used so far, from /proc; None where unreadable."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


class CpuMeter:
    """CPU seconds used by this process and by its PostgreSQL backend between ``start`` and ``stop``
    (the server runs on the same machine, so its process is readable in /proc)."""

    def __init__(self) -> None:
        self.backend = backend_pid()
        self.client = self.server = 0.0

    def start(self) -> None:
        self._client, self._server = time.process_time(), process_cpu(self.backend) or 0.0

    def stop(self) -> None:
        self.client = time.process_time() - self._client
        self.server = (process_cpu(self.backend) or 0.0) - self._server


def _machine_cpu() -> tuple[int, int, int]:
    """(busy, iowait, total) jiffies of the whole machine."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle, iowait = fields[3], fields[4]
    return sum(fields) - idle - iowait, iowait, sum(fields)


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


# ------------------------------------------------------------------------------------ (a) appends


def _writer(
    start: Any, stop_at: float, synchronous_commit: str, results: Any, probe: bool, explicit: bool
) -> None:
    """One writer process appending events until stop_at, each committed durably before the next.

    ``explicit`` wraps each event in ``transaction.atomic()`` (BEGIN, INSERT, COMMIT: three round trips,
    as a request whose only statement is its audit event); otherwise the INSERT is its own transaction
    (autocommit: one round trip, the same commit and WAL flush)."""
    from django.db import connection, transaction

    from samspil.audit import actions
    from samspil.audit.services import audit_record

    with connection.cursor() as cursor:
        # Per session only; the server's setting is untouched (and reported in the table).
        cursor.execute(f"SET synchronous_commit = {synchronous_commit}")
    meter = CpuMeter()
    rng = random.Random()
    start.wait()
    meter.start()
    done = 0
    if probe:  # the floor: a one-column insert per transaction, no Django, prepared, straight through libpq
        raw = connection.connection
        raw.autocommit = True
        pgconn = raw.pgconn
        pgconn.prepare(b"bench_probe", b"INSERT INTO bench_commit_probe DEFAULT VALUES")
        while time.monotonic() < stop_at:
            if explicit:
                pgconn.exec_(b"BEGIN")
                pgconn.exec_prepared(b"bench_probe", None)
                pgconn.exec_(b"COMMIT")
            else:
                pgconn.exec_prepared(b"bench_probe", None)
            done += 1
    else:
        wrap = transaction.atomic if explicit else contextlib.nullcontext
        while time.monotonic() < stop_at:
            with wrap():
                audit_record(
                    action=actions.MEMBERS_LISTED,
                    organisation_id=rng.randint(1, 115),
                    cooperation_id=rng.randint(1, 98),
                    role="key_member",
                    object_type="organisations.cooperation",
                    object_id=rng.randint(1, 98),
                    purpose="Medlemsliste",
                    detail={"count": rng.randint(1, 40)},
                )
            done += 1
    meter.stop()
    results.put((done, meter.client, meter.server))
    connection.close()


def _wal_counters() -> tuple[int, int]:
    """(commits, WAL flushes) of the bench database so far."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
        commits = cursor.fetchone()[0]
        cursor.execute("SELECT wal_sync FROM pg_stat_wal")
        syncs = cursor.fetchone()[0]
    connection.close()
    return commits, syncs


def measure_appends(
    *, writers: int, seconds: float, synchronous_commit: str, probe: bool = False, explicit: bool = False
) -> dict[str, float]:
    """Events/s with ``writers`` processes (not threads: each has its own interpreter and connection),
    one event per transaction (``explicit``: inside ``transaction.atomic()``), and where the time went:
    CPU per event in the writer processes and in their PostgreSQL backends, the machine's CPU use (ours
    and everybody else's) and commits per WAL flush (group commit). ``probe`` writes a one-column row
    instead, without Django: the most durable commits per second this server and disk give that many
    sessions."""
    from django.db import connection, connections

    if probe:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (id bigserial PRIMARY KEY)")
    commits_before, syncs_before = _wal_counters()
    connections.close_all()  # the children must not share the parent's connection
    context = multiprocessing.get_context("fork")
    start = context.Event()
    results = context.Queue()
    stop_at = time.monotonic() + 1.0 + seconds  # 1 s to connect, then the timed window
    arguments = (start, stop_at, synchronous_commit, results, probe, explicit)
    processes = [context.Process(target=_writer, args=arguments) for _ in range(writers)]
    for process in processes:
        process.start()
    time.sleep(max(0.0, stop_at - seconds - time.monotonic()))
    cpu_before = _machine_cpu()
    began = time.monotonic()
    start.set()
    outcomes = [results.get(timeout=seconds + 60) for _ in processes]
    elapsed = time.monotonic() - began
    cpu_after = _machine_cpu()
    for process in processes:
        process.join()
    commits_after, syncs_after = _wal_counters()
    total = sum(done for done, _client, _server in outcomes)
    client = sum(c for _done, c, _server in outcomes)
    server = sum(s for _done, _client, s in outcomes)
    jiffies = max(1, cpu_after[2] - cpu_before[2])
    busy_seconds = (cpu_after[0] - cpu_before[0]) / _TICKS
    cores = os.cpu_count() or 1
    flushes = max(1, syncs_after - syncs_before)
    return {
        "rate": total / elapsed,
        "events": total,
        "seconds": elapsed,
        "client_us": 1e6 * client / max(1, total),
        "server_us": 1e6 * server / max(1, total),
        # Shares of the machine's CPU capacity over the window (all cores = 100%).
        "client_share": 100 * client / (elapsed * cores),
        "server_share": 100 * server / (elapsed * cores),
        "other_share": max(0.0, 100 * (busy_seconds - client - server) / (elapsed * cores)),
        "cpu_busy": 100 * (cpu_after[0] - cpu_before[0]) / jiffies,
        "iowait": 100 * (cpu_after[1] - cpu_before[1]) / jiffies,
        "commits_per_flush": (commits_after - commits_before) / flushes,
        "flushes_per_second": flushes / elapsed,
    }


# ------------------------------------------------------------------------------------ (b) verify


def bulk_events(count: int, *, start: datetime) -> None:
    """Insert ``count`` realistic events with COPY (as fast as the database takes them)."""
    from django.db import connection

    rng = random.Random(20261122)
    connection.ensure_connection()
    raw = connection.connection
    step = timedelta(milliseconds=3)
    with raw.cursor() as cursor, cursor.copy(f"COPY audit_auditevent ({COPY_COLUMNS}) FROM STDIN") as copy:
        for n in range(count):
            action = ACTIONS[n % len(ACTIONS)]
            detail = {"path": f"/samarbejder/{n % 997}/", "needed": "cooperation.view"} if n % 4 == 0 else {}
            copy.write_row(
                (
                    start + n * step,
                    rng.randint(1, 5000),
                    rng.randint(1, 115),
                    rng.randint(1, 98),
                    "key_member",
                    action,
                    "organisations.cooperation",
                    str(rng.randint(1, 98)),
                    rng.randint(1, 10**6) if n % 3 == 0 else None,
                    "Forebyggelse af kriminalitet" if n % 3 == 0 else "",
                    "denied" if action == "auth.access_denied" else "allowed",
                    f"{rng.getrandbits(128):032x}",
                    f"10.{n % 250}.{(n >> 8) % 250}.{n % 200 + 1}",
                    json.dumps(detail),
                )
            )
    if not raw.autocommit:
        raw.commit()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditevent")


def fill_and_seal(events: int) -> dict[str, float]:
    """Load ``events`` with COPY and seal them in batches of 10,000 (the setup of the verify runs)."""
    from django.db import connection
    from django.utils import timezone

    from samspil.audit.chain import audit_seal

    began = time.perf_counter()
    bulk_events(events, start=timezone.now() - timedelta(days=60))
    load_seconds = time.perf_counter() - began
    began = time.perf_counter()
    audit_seal(batch_size=10_000)
    seal_seconds = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditchainlink")
        cursor.execute("CHECKPOINT")
    return {
        "load_rate": events / load_seconds,
        "seal_rate": events / seal_seconds,
        "seal_seconds": seal_seconds,
    }


def verify_once(workers: int | None = None) -> dict[str, Any]:
    """One ``audit_verify()`` run with wall time and CPU: this process and its children (the walk's
    worker processes), and the database backends of this database (sampled from /proc)."""
    import inspect

    from django.db import connection

    from samspil.audit.chain import audit_verify

    kwargs: dict[str, Any] = {}
    if workers is not None and "workers" in inspect.signature(audit_verify).parameters:
        kwargs["workers"] = workers
    connection.ensure_connection()
    sampler = _BackendSampler(connection.settings_dict["NAME"])
    before = os.times()
    with sampler:
        began = time.perf_counter()
        report = audit_verify(**kwargs)
        wall = time.perf_counter() - began
    after = os.times()
    if not report.ok:
        raise SystemExit(f"The bench chain does not verify: {report.problems[:3]}")
    client = sum(after[i] - before[i] for i in range(4))  # user, system, children's user and system
    return {
        "rate": report.events_per_second,
        "events": report.events_checked,
        "seconds": report.seconds,
        "wall": wall,
        "client_us": 1e6 * client / max(1, report.events_checked),
        "server_us": 1e6 * sampler.seconds() / max(1, report.events_checked),
    }


class _BackendSampler:
    """CPU seconds of the PostgreSQL backends connected to one database, sampled every 20 ms (backends
    that start and end between two samples are missed, so this is a lower bound)."""

    def __init__(self, database: str) -> None:
        self.needle = f" {database} ".encode()
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.known_at_start: set[int] = set()

    def _backends(self) -> list[int]:
        pids = []
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/cmdline", "rb") as cmdline:
                    command = cmdline.read()
            except OSError:
                continue
            if command.startswith(b"postgres: ") and self.needle in command:
                pids.append(int(name))
        return pids

    def _poll(self) -> None:
        for pid in self._backends():
            cpu = process_cpu(pid)
            if cpu is not None:
                self.first.setdefault(pid, cpu)
                self.last[pid] = cpu

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self._poll()

    def __enter__(self) -> _BackendSampler:
        import threading

        self._poll()
        self.known_at_start = set(self.first)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._poll()

    def seconds(self) -> float:
        # A backend seen at the start counts from then; a new one from its birth (it was idle before).
        return sum(
            self.last[pid] - (self.first[pid] if pid in self.known_at_start else 0.0) for pid in self.last
        )


def measure_verify(*, events: int, runs: int) -> dict[str, Any]:
    setup = fill_and_seal(events)
    reports = {
        "default": [verify_once() for _ in range(runs)],
        "one process": [verify_once(1) for _ in range(max(1, runs // 2))],
    }
    default = reports["default"]
    return {
        **setup,
        "events": default[0]["events"],
        "rates": [r["rate"] for r in default],
        "median_rate": statistics.median(r["rate"] for r in default),
        "median_seconds": statistics.median(r["seconds"] for r in default),
        "client_us": statistics.median(r["client_us"] for r in default),
        "server_us": statistics.median(r["server_us"] for r in default),
        "single_rate": statistics.median(r["rate"] for r in reports["one process"]),
    }


# ------------------------------------------------------------------------ (c) the cost per request


def members_without_audit(request: HttpRequest) -> HttpResponse:
    from samspil.organisations.selectors import memberships_of

    names = [m.organisation.name for m in memberships_of(request.user)]
    return HttpResponse(", ".join(names))


def members_with_audit(request: HttpRequest) -> HttpResponse:
    from samspil.audit import actions
    from samspil.audit.services import audit_record
    from samspil.organisations.selectors import memberships_of

    names = [m.organisation.name for m in memberships_of(request.user)]
    audit_record(action=actions.MEMBERS_LISTED, request=request, detail={"count": len(names)})
    return HttpResponse(", ".join(names))


urlpatterns = [
    path("bench/members-plain/", members_without_audit),
    path("bench/members-audited/", members_with_audit),
]


def _signed_in_client() -> Any:
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from samspil.accounts.models import User
    from samspil.core.roles import Role
    from samspil.organisations.models import Cooperation, CooperationType, Membership, Organisation

    municipality = Organisation.objects.filter(kind="municipality").order_by("id").first()
    if municipality is None:
        raise SystemExit("Reference data missing: migrate the bench database first.")
    cooperation = Cooperation.objects.create(
        type=CooperationType.PSP, name="PSP Bænkby", municipality=municipality
    )
    user = User.objects.create_user(email="baenk@eksempel.invalid", full_name="Bente Bænk", password=None)
    Membership.objects.create(
        user=user, organisation=municipality, cooperation=cooperation, role=Role.COORDINATOR
    )
    device = TOTPDevice.objects.create(user=user, name="Godkenderapp", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def measure_request_cost(*, requests: int) -> dict[str, float]:
    """Median time of the same small view with and without its audit event, requests interleaved."""
    from django.test.utils import override_settings

    from bench import common

    common.ensure_test_environment()
    with override_settings(ROOT_URLCONF=__name__):
        client = _signed_in_client()
        for url in ("/bench/members-plain/", "/bench/members-audited/"):
            for _ in range(50):  # warm up caches, session activity stamp, connections
                assert client.get(url).status_code == 200
        plain, audited = [], []
        for _ in range(requests):
            began = time.perf_counter()
            client.get("/bench/members-plain/")
            plain.append(time.perf_counter() - began)
            began = time.perf_counter()
            client.get("/bench/members-audited/")
            audited.append(time.perf_counter() - began)
    plain_ms = statistics.median(plain) * 1000
    audited_ms = statistics.median(audited) * 1000
    return {"plain_ms": plain_ms, "audited_ms": audited_ms, "extra_ms": audited_ms - plain_ms,
            "ratio": audited_ms / plain_ms}


# --------------------------------------------------------------------------------------------- run


def _append_row(label: str, a: dict[str, float], target: str) -> tuple[str, str, str]:
    return (
        f"(a) {label}",
        f"{a['rate']:,.0f}/s; per event {a['client_us']:.0f} µs client + {a['server_us']:.0f} µs server "
        f"CPU; machine {a['cpu_busy']:.0f}% busy (ours {a['client_share'] + a['server_share']:.0f}%); "
        f"{a['commits_per_flush']:.1f} commits/flush, {a['flushes_per_second']:,.0f} flushes/s",
        target,
    )


def run(args: argparse.Namespace) -> str:
    from bench import common

    quick = getattr(args, "quick", False)
    seconds = 2.0 if quick else APPEND_SECONDS
    verify_events = 20_000 if quick else VERIFY_EVENTS
    verify_runs = 2 if quick else VERIFY_RUNS
    requests = 100 if quick else REQUESTS
    facts = common.machine_facts()
    loads = [common.load_average()]

    print(f"(a) {WRITERS} writers x {seconds:.0f} s, one event per transaction ...", flush=True)
    appends = {}
    for label, writers, mode, probe, explicit in (
        ("append, 8 writers, each event its own durable commit, synchronous_commit=on (default)",
         WRITERS, "on", False, False),
        ("append, 8 writers, each event in `transaction.atomic()` (BEGIN, INSERT, COMMIT), synchronous_commit=on",
         WRITERS, "on", False, True),
        ("append, 8 writers, each event its own commit, synchronous_commit=off (bench sessions only)",
         WRITERS, "off", False, False),
        ("append, 1 writer, each event its own durable commit", 1, "on", False, False),
        ("floor: 8 sessions, one-column insert per commit through libpq, no Django, synchronous_commit=on",
         WRITERS, "on", True, False),
        ("floor: the same inside BEGIN ... COMMIT", WRITERS, "on", True, True),
    ):
        appends[label] = measure_appends(
            writers=writers, seconds=seconds, synchronous_commit=mode, probe=probe, explicit=explicit
        )
        print("    " + " | ".join(_append_row(label, appends[label], "")[:2]), flush=True)

    loads.append(common.load_average())
    print(f"(b) verify over {verify_events:,} sealed events, {verify_runs} runs ...", flush=True)
    verify = measure_verify(events=verify_events, runs=verify_runs)
    print(f"    runs: {', '.join(f'{r:,.0f}' for r in verify['rates'])} events/s; "
          f"median {verify['median_rate']:,.0f} events/s; one process {verify['single_rate']:,.0f}",
          flush=True)

    loads.append(common.load_average())
    print(f"(c) request cost, {requests} requests each, interleaved ...", flush=True)
    cost = measure_request_cost(requests=requests)
    print(f"    without event {cost['plain_ms']:.2f} ms, with event {cost['audited_ms']:.2f} ms, "
          f"ratio {cost['ratio']:.2f}", flush=True)

    rows = [
        _append_row(label, a, ">= 5,000 events/s" if n == 0 else "for comparison")
        for n, (label, a) in enumerate(appends.items())
    ]
    rows += [
        (f"(b) verify, {verify['events']:,} sealed events, {os.cpu_count()} worker processes (default), "
         f"median of {verify_runs}",
         f"{verify['median_rate']:,.0f} events/s ({verify['median_seconds']:.2f} s); per event "
         f"{verify['client_us']:.1f} µs client + {verify['server_us']:.1f} µs server CPU",
         ">= 200,000 events/s"),
        ("(b) verify, one process (`--workers 1`)", f"{verify['single_rate']:,.0f} events/s",
         "for comparison"),
        ("(b) seal (setup: 10,000 per batch)", f"{verify['seal_rate']:,.0f} events/s", "-"),
        (f"(c) request without its audit event, median of {requests}", f"{cost['plain_ms']:.2f} ms", "-"),
        (f"(c) same request with one audit event, median of {requests}", f"{cost['audited_ms']:.2f} ms", "-"),
        ("(c) cost of the audit event", f"+{cost['extra_ms']:.2f} ms, ratio {cost['ratio']:.2f}", "-"),
    ]
    loads.append(common.load_average())
    result_table = common.table(("measurement", "result", "target"), rows)
    print(result_table)
    print(f"1-minute load average before (a), (b), (c) and at the end: {', '.join(loads)}")
    return _section(facts, result_table, verify, loads, quick=quick)


def _section(
    facts: dict[str, str], result_table: str, verify: dict[str, Any], loads: list[str], *, quick: bool
) -> str:
    runs = ", ".join(f"{r:,.0f}" for r in verify["rates"])
    quick_note = "\n\n**Quick run (reduced sizes): not the reference figures.**" if quick else ""
    return f"""
Command: `make bench` (that is `python bench/run.py`); this section alone:
`python bench/run.py --only audit`.{quick_note}

Measured {facts["date"]} on: {facts["nproc"]} cores (`nproc`), {facts["cpu"]}, {facts["memory"]} memory,
PostgreSQL {facts["postgresql"]} on the same machine, Python {facts["python"]}. Server settings:
{facts["pg_settings"]}.
The database is `samspil_bench`, dropped, created and migrated by the run; the Django settings are
`config.settings.test` (so the seal lag is 0 and the scoping guard is on).

{result_table}

Verify runs: {runs} events/s. One-minute load average before (a), (b), (c) and at the end:
{", ".join(loads)} (on 2 cores: above 2 means other work shared the machine during the run).

How it is measured:
- (a) 8 processes (not threads), each with its own connection, call `audit_record` for {APPEND_SECONDS:.0f} s,
  each event committed (WAL flushed) before the next; events/s over all of them. The target row measures
  the log's append rate: the INSERT is its own transaction (autocommit, one round trip). The
  `transaction.atomic()` row adds the BEGIN and COMMIT round trips of an explicit transaction, what a
  request costs whose only statement is its audit event; a real request pays those two once, for all
  its statements and events together (what the event itself adds to a request is (c)). CPU per event
  is read from /proc for the writer processes (client) and their PostgreSQL backends (server);
  "machine busy" includes everything else running. The `synchronous_commit=off` row sets it for the
  benchmark's own sessions only, to show what the commit flush costs; the durable rows are what
  Samspil runs with. The floor rows commit a one-column row from 8 sessions through libpq, without Django: under
  the same load no application commits durably faster on this server and disk.
- (b) {VERIFY_EVENTS:,} events are loaded with COPY, sealed by `audit_seal` in batches of 10,000, then
  `audit_verify()` walks the whole chain {VERIFY_RUNS} times with its default worker processes (and twice
  with one); events/s is events checked / wall time of the run, including the snapshot, starting the
  workers, seal checks and the inserted-event check.
- (c) a small view that lists the signed-in person's memberships through the selector, with and without
  writing one `audit_record` event, through `django.test.Client` signed in with a verified second factor;
  the two are requested alternately {REQUESTS} times each and the medians compared. Each request is its
  own transaction (`ATOMIC_REQUESTS`): without the event it only reads, with it it commits one row.
"""


# ----------------------------------------------------------------------- compare two code versions


def _child(argv: list[str]) -> None:
    """One measurement in a fresh interpreter with ``--tree``'s code on sys.path; prints one JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("task", choices=["migrate", "fill", "append", "verify"])
    parser.add_argument("--tree", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--seconds", type=float, default=APPEND_SECONDS)
    parser.add_argument("--events", type=int, default=VERIFY_EVENTS)
    parser.add_argument("--explicit", action="store_true", help="each event inside transaction.atomic()")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(args.tree).resolve()))
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    import samspil

    assert Path(samspil.__file__).resolve().is_relative_to(Path(args.tree).resolve()), samspil.__file__
    result: dict[str, Any] = {}
    if args.task == "migrate":
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    elif args.task == "fill":
        result = fill_and_seal(args.events)
    elif args.task == "append":
        result = measure_appends(
            writers=WRITERS, seconds=args.seconds, synchronous_commit="on", explicit=args.explicit
        )
    else:
        result = verify_once()
    print(json.dumps(result))


def _run_child(task: str, tree: Path, database: str, *extra: str) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "_child", task, "--tree", str(tree),
               "--database", database, *extra]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _recreate(database: str) -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database}")
        admin.execute(f"CREATE DATABASE {database}")


def compare(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="audit_bench.py compare")
    parser.add_argument("--old-tree", required=True, help="checkout of the code to compare against")
    parser.add_argument("--new-tree", default=str(ROOT))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=APPEND_SECONDS)
    parser.add_argument("--verify-events", type=int, default=VERIFY_EVENTS)
    parser.add_argument("--skip", choices=["append", "verify"], default=None)
    parser.add_argument("--explicit", action="store_true", help="appends inside transaction.atomic()")
    args = parser.parse_args(argv)
    trees = {"old": Path(args.old_tree).resolve(), "new": Path(args.new_tree).resolve()}
    for label, tree in trees.items():
        _recreate(f"samspil_bench_{label}")
        _run_child("migrate", tree, f"samspil_bench_{label}")
    if args.skip != "verify":
        _recreate("samspil_bench_verify")
        _run_child("migrate", trees["new"], "samspil_bench_verify")
        events = str(args.verify_events)
        setup = _run_child("fill", trees["new"], "samspil_bench_verify", "--events", events)
        print(f"verify chain: {args.verify_events:,} events sealed at {setup['seal_rate']:,.0f}/s",
              flush=True)
    results: dict[str, dict[str, list[dict[str, Any]]]] = {"append": {}, "verify": {}}
    loads = []
    for round_number in range(args.rounds):
        order = ("old", "new") if round_number % 2 == 0 else ("new", "old")
        for task in ("append", "verify"):
            if args.skip == task:
                continue
            for label in order:
                loads.append(float(load_average()))
                if task == "append":
                    result = _run_child("append", trees[label], f"samspil_bench_{label}", "--seconds",
                                        str(args.seconds), *(["--explicit"] if args.explicit else []))
                else:
                    result = _run_child("verify", trees[label], "samspil_bench_verify")
                results[task].setdefault(label, []).append(result)
                print(f"round {round_number + 1} {task:6s} {label}: {result['rate']:,.0f}/s, "
                      f"client {result['client_us']:.1f} µs, server {result['server_us']:.1f} µs per event, "
                      f"load {loads[-1]}", flush=True)
    print()
    print(f"{args.rounds} rounds; 1-minute load average during the runs: min {min(loads):.2f}, "
          f"median {statistics.median(loads):.2f}, max {max(loads):.2f}")
    print()
    print("| measurement | old (median) | new (median) | new / old |")
    print("|---|---|---|---|")
    for task, unit in (("append", "events/s, 8 writers, synchronous_commit=on"), ("verify", "events/s")):
        if not results[task]:
            continue
        medians = {label: {key: statistics.median(r[key] for r in runs) for key in ("rate", "client_us",
                                                                                      "server_us")}
                   for label, runs in results[task].items()}
        old, new = medians["old"], medians["new"]
        runs = {label: ", ".join(f"{r['rate']:,.0f}" for r in found)
                for label, found in results[task].items()}
        print(f"| {task} ({unit}) | {old['rate']:,.0f} ({runs['old']}) | {new['rate']:,.0f} "
              f"({runs['new']}) | {new['rate'] / old['rate']:.2f} |")
        for key, name in (("client_us", "client CPU µs/event"), ("server_us", "server CPU µs/event")):
            ratio = new[key] / max(old[key], 1e-9)
            print(f"| {task}: {name} | {old[key]:.1f} | {new[key]:.1f} | {ratio:.2f} |")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        _child(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "compare":
        compare(sys.argv[2:])
    else:
        raise SystemExit(__doc__)
