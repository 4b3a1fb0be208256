"""Case pages at national scale: the case list, a case page and the CPR search, on demo-scale and on
national-scale data, and the data generator's own speed.

Run through ``python bench/run.py --only cases`` (``make bench``); needs PostgreSQL. ``--scale 0.1``
generates a tenth of the national data (the 98 cooperations stay); ``--quick`` checks the benchmark
itself with 2% of the data and fewer requests.

Two databases of its own, dropped and created on every run next to the one ``bench/run.py`` prepares
(``<name>_cases_demo`` and ``<name>_cases``, so ``samspil_bench_cases`` by default): one with one
cooperation of demo size, one with the national data. Requests to the two alternate one by one, so
both see the same load on the shared machine and the ratio is measured back to back.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import common

SECTION = "Cases at national scale"

REQUESTS = 300  # per page and persona
WARM_UP = 20  # per page and persona
TARGET = 1.5
TYPICAL_ENTRIES = 10
SEED = 2026
PAGES = ("case list", "case page", "CPR search")


def _scales(factor: float) -> tuple[Any, Any]:
    from samspil.demo.national import NATIONAL, Scale

    demo = Scale(citizens=30, cases=50, entries=500, cooperations=1)
    return demo, NATIONAL.scaled(factor) if factor != 1 else NATIONAL


# ------------------------------------------------------------------------------------------ databases


def _admin_connection() -> Any:
    import psycopg
    from django.db import connection

    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or None, port=settings["PORT"] or None, user=settings["USER"] or None,
        password=settings["PASSWORD"] or None, dbname="postgres", autocommit=True,
    )


class Databases:
    """One open connection per bench database; ``use`` makes one of them Django's default connection.

    Both stay open, so requests to the two can alternate one by one without reconnecting (the test
    client never closes the connection between requests). Swapping the default connection goes through
    the connection handler's internals: fine for a benchmark, not for the application.
    """

    def __init__(self, names: tuple[str, ...]) -> None:
        from django.db import connections

        self.original = connections["default"]
        settings = self.original.settings_dict
        self.wrappers = {
            name: self.original.__class__({**settings, "NAME": name}, alias="default") for name in names
        }

    def use(self, name: str) -> None:
        from django.db import connections

        connections._connections.default = self.wrappers[name]  # type: ignore[attr-defined]

    def close(self) -> None:
        from django.db import connections

        for wrapper in self.wrappers.values():
            wrapper.close()
        connections._connections.default = self.original  # type: ignore[attr-defined]


def _create_databases(demo_db: str, national_db: str) -> float:
    """Drop and create both, migrating once: the second is a copy of the freshly migrated first."""
    from django.core.management import call_command
    from django.db import connection, connections

    connections.close_all()
    with _admin_connection() as admin:
        for name in (national_db, demo_db):
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {demo_db}")
    base = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = demo_db
    try:
        began = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        seconds = time.perf_counter() - began
    finally:
        connections.close_all()
        connection.settings_dict["NAME"] = base
    with _admin_connection() as admin:
        admin.execute(f"CREATE DATABASE {national_db} TEMPLATE {demo_db}")
    return seconds


def _vacuum() -> float:
    """VACUUM ANALYZE, as autovacuum leaves a database in use (visibility map set, statistics fresh)."""
    from django.db import connection

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - began


# ------------------------------------------------------------------------------------------- personas


@dataclass(frozen=True)
class Shape:
    """What makes one case page cost more than another, besides the size of the database."""

    state: str
    organisations: int
    entries: int
    entries_seen: int
    tasks: int
    flags: int

    def distance(self, other: Shape) -> tuple[int, ...]:
        return (
            int(self.state != other.state), abs(self.organisations - other.organisations),
            abs(self.entries - other.entries), abs(self.entries_seen - other.entries_seen),
            abs(self.tasks - other.tasks), abs(self.flags - other.flags),
        )


TYPICAL = Shape(state="active", organisations=3, entries=TYPICAL_ENTRIES, entries_seen=TYPICAL_ENTRIES // 2,
                tasks=2, flags=0)


@dataclass
class Persona:
    """A key member of the municipality in one cooperation, with what their requests ask for."""

    label: str
    database: str
    email: str
    case_id: int
    shape: Shape
    pseudonym: str
    newest: str  # pseudonym of the first row of the case list
    cpr: str
    visible_cases: int
    cooperation_cases: int
    client: Any = None
    times: dict[str, list[float]] = field(default_factory=lambda: {page: [] for page in PAGES})
    queries: dict[str, int] = field(default_factory=dict)

    def request(self, page: str) -> Any:
        if page == "case list":
            return self.client.get("/sager/")
        if page == "case page":
            return self.client.get(f"/sager/{self.case_id}/")
        return self.client.post("/sager/", {"cpr": self.cpr})


def _shapes(cooperation_id: int, organisation_id: int) -> dict[int, Shape]:
    """The shape of every identified case of the cooperation that the organisation is involved in."""
    from collections import Counter

    from samspil.cases.models import Case, EntryVisibility, Flag, Involvement, JournalEntry, Task

    cases = dict(
        Case.objects.filter(
            cooperation_id=cooperation_id,
            citizen__isnull=False,
            involvements__organisation_id=organisation_id,
            involvements__ended_at__isnull=True,
        ).values_list("pk", "state")
    )
    organisations = Counter(
        Involvement.objects.filter(case__in=cases, ended_at__isnull=True).values_list("case_id", flat=True)
    )
    entries: Counter[int] = Counter()
    seen: Counter[int] = Counter()
    for case_id, organisation, visibility in JournalEntry.objects.filter(case__in=cases).values_list(
        "case_id", "organisation_id", "visibility"
    ):
        entries[case_id] += 1
        seen[case_id] += organisation == organisation_id or visibility == EntryVisibility.SHARED
    tasks = Counter(Task.objects.filter(case__in=cases).values_list("case_id", flat=True))
    flags = Counter(Flag.objects.filter(case__in=cases, is_active=True).values_list("case_id", flat=True))
    return {
        pk: Shape(state, organisations[pk], entries[pk], seen[pk], tasks[pk], flags[pk])
        for pk, state in cases.items()
    }


def _persona(label: str, database: str, cooperation_id: int, *, like: Shape) -> Persona:
    """The municipality's key member, and the case nearest in shape to ``like`` (ties: lowest id)."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from samspil.cases.models import Case
    from samspil.cases.selectors import CaseCriteria, cases_search
    from samspil.citizens.cpr import cpr_decrypt, cpr_format
    from samspil.core.roles import Role
    from samspil.core.scoping import unscoped
    from samspil.organisations.models import Membership, OrganisationKind

    with unscoped("benchmark set-up: choosing the persona's typical case"):
        membership = Membership.objects.select_related("user").get(
            cooperation_id=cooperation_id,
            role=Role.KEY_MEMBER,
            organisation__kind=OrganisationKind.MUNICIPALITY,
        )
        shapes = _shapes(cooperation_id, membership.organisation_id)
        case_id = min(shapes, key=lambda pk: (shapes[pk].distance(like), pk))
        case = Case.objects.select_related("citizen").get(pk=case_id)
        assert case.citizen is not None
        cpr = cpr_format(cpr_decrypt(case.citizen.cpr_encrypted))
        cooperation_cases = Case.objects.filter(cooperation_id=cooperation_id).count()
    user = membership.user
    visible = cases_search(user, CaseCriteria())
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return Persona(
        label=label, database=database, email=user.email, case_id=case.pk, shape=shapes[case.pk],
        pseudonym=case.pseudonym, newest=visible[0].pseudonym, cpr=cpr, visible_cases=visible.count(),
        cooperation_cases=cooperation_cases, client=client,
    )


def _check(persona: Persona) -> None:
    """Every page answers 200 with what it should show, before anything is timed."""
    expected = {
        "case list": [persona.newest, f"{persona.visible_cases} sager"],
        "case page": [persona.pseudonym],
        "CPR search": [persona.pseudonym],
    }
    for page in PAGES:
        response = persona.request(page)
        text = response.content.decode()
        missing = [wanted for wanted in expected[page] if wanted not in text]
        if response.status_code != 200 or missing:
            raise SystemExit(f"{persona.label}: {page} answered {response.status_code}, missing {missing}")


def _count_queries(persona: Persona) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for page in PAGES:
        persona.request(page)
        with CaptureQueriesContext(connection) as captured:
            persona.request(page)
        persona.queries[page] = len(captured)


# ------------------------------------------------------------------------------------------ measuring


def _measure(databases: Databases, personas: list[Persona], *, requests: int) -> list[str]:
    """Request by request: each page of each persona in turn, the personas' order rotated every time, so
    the two databases share the machine's ups and downs. Returns the load average every 50 rounds."""
    loads = []
    for persona in personas:
        databases.use(persona.database)
        for page in PAGES:
            for _ in range(WARM_UP):
                persona.request(page)
    for number in range(requests):
        if number % 50 == 0:
            loads.append(common.load_average())
        shift = number % len(personas)
        for persona in personas[shift:] + personas[:shift]:
            databases.use(persona.database)
            for page in PAGES:
                began = time.perf_counter()
                response = persona.request(page)
                persona.times[page].append(time.perf_counter() - began)
                if response.status_code != 200:
                    raise SystemExit(f"{persona.label}: {page} answered {response.status_code}")
    return loads


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


# ---------------------------------------------------------------------------------------------- run


def run(args: argparse.Namespace) -> str:
    from django.db import connection
    from django.template import Template
    from django.test.utils import instrumented_test_render, teardown_test_environment

    quick = getattr(args, "quick", False)
    factor = getattr(args, "scale", 1.0) or 1.0
    if quick:
        factor = min(factor, 0.02)
    requests = 60 if quick else REQUESTS
    demo_scale, national_scale = _scales(factor)
    if Template._render is instrumented_test_render:  # an earlier benchmark set up the test environment
        teardown_test_environment()
    facts = common.machine_facts()
    base = connection.settings_dict["NAME"]
    demo_db, national_db = f"{base}_cases_demo", f"{base}_cases"
    loads = {"start": _loadavg()}
    print(f"Creating {demo_db} and {national_db} ...", flush=True)
    migrate_seconds = _create_databases(demo_db, national_db)
    databases = Databases((demo_db, national_db))
    try:
        return _run(databases, facts, loads, demo_scale, national_scale, requests, factor, quick,
                    migrate_seconds)
    finally:
        databases.close()  # back to the database bench/run.py prepared, for the benchmarks after this one


def _run(
    databases: Databases, facts: dict[str, str], loads: dict[str, str], demo_scale: Any, national_scale: Any,
    requests: int, factor: float, quick: bool, migrate_seconds: float,
) -> str:
    from django.conf import settings
    from django.test.utils import override_settings

    from samspil.demo.national import generate_national

    demo_db, national_db = databases.wrappers
    databases.use(demo_db)
    print(f"Demo-scale data in {demo_db}: {demo_scale}", flush=True)
    demo_report = generate_national(scale=demo_scale, seed=SEED, progress=False)
    _vacuum()

    databases.use(national_db)
    loads["generator"] = _loadavg()
    print(f"National-scale data in {national_db}: {national_scale}", flush=True)
    national_report = generate_national(scale=national_scale, seed=SEED, progress=True)
    print(national_report.speed_table(), flush=True)
    loads["generator_end"] = _loadavg()
    vacuum_seconds = _vacuum()

    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        databases.use(demo_db)
        demo = _persona("demo scale", demo_db, demo_report.cooperation_ids[0], like=TYPICAL)
        databases.use(national_db)
        ids = national_report.cooperation_ids
        national = [
            _persona("national, largest cooperation", national_db, ids[0], like=demo.shape),
            _persona("national, median cooperation", national_db, ids[len(ids) // 2], like=demo.shape),
        ]
        personas = [demo, *national]
        for persona in personas:
            databases.use(persona.database)
            _check(persona)
        print(f"Measuring {requests} requests per page and persona ...", flush=True)
        loads["measure"] = _loadavg()
        round_loads = _measure(databases, personas, requests=requests)
        loads["measure_end"] = _loadavg()
        for persona in personas:
            databases.use(persona.database)
            _count_queries(persona)

    rows = []
    for page in PAGES:
        base_median = statistics.median(demo.times[page]) * 1000
        base_p95 = _p95(demo.times[page]) * 1000
        rows.append((page, demo.label, f"{base_median:.1f}", f"{base_p95:.1f}", "-", "-",
                     str(demo.queries[page])))
        for persona in national:
            median = statistics.median(persona.times[page]) * 1000
            p95 = _p95(persona.times[page]) * 1000
            verdict = "ok" if median / base_median <= TARGET else "MISSED"
            rows.append((page, persona.label, f"{median:.1f}", f"{p95:.1f}",
                         f"{median / base_median:.2f} ({verdict})", f"{p95 / base_p95:.2f}",
                         str(persona.queries[page])))
    result = common.table(
        ("page", "data", "median ms", "p95 ms", "median ratio (target <= 1.5)", "p95 ratio", "queries"), rows
    )
    print(result)
    print(f"1-minute load average every 50 rounds: {', '.join(round_loads)}")
    return _section(
        facts=facts, result=result, demo=demo, national=national, demo_report=demo_report,
        national_report=national_report, loads=loads, round_loads=round_loads, requests=requests,
        migrate_seconds=migrate_seconds, vacuum_seconds=vacuum_seconds, factor=factor, quick=quick,
        databases=(demo_db, national_db),
    )


def _summary(report: Any) -> str:
    counts = [f"{t.rows:,} {t.table}" for t in report.tables if t.table != "cooperations+staff"]
    cooperations = report.scale.cooperations
    return ", ".join([f"{cooperations} cooperation{'s' if cooperations != 1 else ''}", *counts])


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def _section(
    *, facts: dict[str, str], result: str, demo: Persona, national: list[Persona], demo_report: Any,
    national_report: Any, loads: dict[str, str], round_loads: list[str], requests: int,
    migrate_seconds: float, vacuum_seconds: float, factor: float, quick: bool, databases: tuple[str, str],
) -> str:
    scale = national_report.scale
    generator = (
        f"samspil seed-national --citizens {scale.citizens} --cases {scale.cases} --entries {scale.entries} "
        f"--cooperations {scale.cooperations}"
    )
    command = "python bench/run.py --only cases"
    if factor != 1:
        command += " --quick" if quick else f" --scale {factor:g}"
    note = ""
    if factor != 1:
        note = f"\n\n**Reduced run ({factor:g} of the national data): not the reference figures.**"
    personas = "\n".join(
        f"- {p.label}: {p.email}, sees {p.visible_cases:,} of the cooperation's {p.cooperation_cases:,} "
        f"cases in full; the case page is case {p.case_id}: {p.shape.state}, {p.shape.organisations} "
        f"organisations involved, {p.shape.entries} journal entries ({p.shape.entries_seen} visible to the "
        f"persona), tasks: {p.shape.tasks}, flags: {p.shape.flags}."
        for p in (demo, *national)
    )
    speed = national_report.speed_table()
    national_summary, demo_summary = (_summary(report) for report in (national_report, demo_report))
    return f"""
Command: `{command}` (part of `make bench`, which is `python bench/run.py`; `--scale 0.1`
shrinks the national data, e.g. to check the benchmark). The generator on its own, into a migrated
database: `{generator}`.{note}

Measured {facts["date"]} on: {facts["nproc"]} cores (`nproc`), {facts["cpu"]}, {facts["memory"]} memory,
PostgreSQL {facts["postgresql"]} on the same machine, Python {facts["python"]}. Server settings:
{facts["pg_settings"]}.
`/proc/loadavg` (1, 5, 15 min): {loads["start"]} at the start, {loads["generator"]} when the national
data was generated, {loads["measure"]} when the measuring began, {loads["measure_end"]} at the end (the
1-minute figure every 50 rounds of requests: {", ".join(round_loads)}). On {facts["nproc"]} cores, more
than {facts["nproc"]} means other work shared the machine; both data sets shared it alike, since their
requests alternate one by one.

Server time of each page, {requests} requests per page and persona after a warm-up, `django.test.Client`
in the process (no network), signed in with a verified second factor, settings `config.settings.test`;
ratio = national / demo scale:

{result}

Personas (the key member of the municipality in the cooperation):
{personas}

National data: {national_summary}; the largest cooperation has {national[0].cooperation_cases:,}
cases, the median one {national[1].cooperation_cases:,}. Demo scale, made by the same generator:
{demo_summary}.

The generator's own speed at national scale (`{national_report.method}`, one transaction, seed
{national_report.seed}; the citizens' time includes encrypting each CPR number and its look-up hash):

```
{speed}
```

Around it: migrating the empty database took {migrate_seconds:.0f} s, and `VACUUM ANALYZE` after the
load {vacuum_seconds:.0f} s (so the pages are measured on a database as autovacuum would leave it).
The databases `{databases[0]}` and `{databases[1]}` are left in place for inspection and dropped by
the next run.

How it is measured:
- Case list: `GET /sager/`, the first page with the default filters (newest first, 25 rows, and the
  count of all the persona's cases for the pager). Case page: `GET /sager/<id>/`. CPR search:
  `POST /sager/` with the citizen's CPR number (exact match through the keyed hash). Each request writes
  its audit event and commits, as in production (`ATOMIC_REQUESTS`).
- Server time is the wall time around `client.get`/`client.post`, after {WARM_UP} warm-up requests per page
  and persona. Both databases stay connected; every round requests each page once for each persona,
  the personas' order rotated every round, so the demo and national requests alternate one by one.
- The case page of each national persona is the case nearest in shape to the demo persona's (state,
  organisations involved, journal entries seen and in all, tasks, flags), so the ratio compares the
  same page on more data, not a bigger page.
- Query counts are of one request per page; they are the same at both scales when the pages' query
  counts do not grow with the data.
- No audit events are generated with the data (see `samspil/demo/national.py`); the audit log only
  holds what the benchmark's own requests write.
"""
