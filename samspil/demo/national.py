"""National-scale fictitious data for benchmarks: one PSP cooperation per municipality, at any size.

``generate_national(scale=NATIONAL)`` creates, in one transaction and deterministically from a seed
(and the ``now`` it is given):

- one PSP cooperation per real municipality of the reference data (the first ``cooperations`` by
  official code), with the municipality's police district and region as member organisations;
- per cooperation five staff members: a key member for each of the three sectors, a coordinator and
  a frontline worker (emails under ``national.samspil.invalid``, no usable password, a TOTP device);
- exactly ``citizens`` citizens, ``cases`` cases and ``entries`` journal entries, spread over the
  cooperations by a Zipf-like law (rank r gets a share proportional to r^-0.8, so the largest
  cooperation holds about an eighth of everything, as the largest municipality holds of the
  population);
- for the cases: involvements of 1-3 organisations, the state changes of each case's path through the
  lifecycle, flags and tasks (some overdue), and for every journal entry shared in the cooperation
  the disclosure that shared it, on a legal basis of the shipped rule set.

Everything is fictitious: names are a first name and an invented surname from the word lists below,
addresses are on "Fiktivvej" in the non-existent postcode 9999, and CPR numbers come from
``citizens.cpr.fictitious_cpr`` (generated, never looked up), stored with the real encryption and
look-up hash (their cost is part of the generator's speed).

No audit events are generated: an audit log of millions of events is the audit benchmark's subject,
and the pages measured on this data write their own events as they always do.

On PostgreSQL the rows go in with ``COPY`` (ids reserved from the tables' own sequences first); on
other databases with ``bulk_create``. Nothing is switched off: indexes, constraints and the deferred
foreign-key checks all stay, and the checks are run before the tables are analysed.
"""

from __future__ import annotations

import json
import random
import sys
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, TextIO, cast

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from tqdm import tqdm

from samspil.accounts.models import User
from samspil.cases.models import (
    AgeBand,
    Case,
    CaseState,
    EntryVisibility,
    Flag,
    Involvement,
    JournalEntry,
    StateChange,
    Task,
    TaskStatus,
)
from samspil.citizens.cpr import cpr_encrypt, cpr_lookup_hash, fictitious_cpr
from samspil.citizens.models import Citizen, Sex
from samspil.citizens.names import fold_name
from samspil.core.roles import Role
from samspil.core.scoping import unscoped
from samspil.organisations.models import (
    Cooperation,
    CooperationOrganisation,
    CooperationType,
    Membership,
    Organisation,
    OrganisationKind,
    Sector,
)
from samspil.sharing.models import DataCategory, Disclosure, DisclosureKind, LegalBasis, Purpose, SubjectType

EMAIL_DOMAIN = "national.samspil.invalid"
STREET = "Fiktivvej"
POSTCODE_AND_TOWN = "9999 Fiktivby"  # 9999 is not a Danish postcode
DEFAULT_SEED = 2026
ZIPF_EXPONENT = 0.8

FIRST_NAMES: tuple[str, ...] = (
    "Anna", "Mette", "Hanne", "Lone", "Kirsten", "Susanne", "Maria", "Camilla", "Sofie", "Ida", "Emma",
    "Freja", "Fatima", "Karen", "Laura", "Peter", "Jens", "Lars", "Henrik", "Søren", "Niels", "Mikkel",
    "Jonas", "Mads", "Rasmus", "Emil", "Oskar", "Ali", "Mohammed", "Bo",
)
# Invented surnames: no real person carries them, so no combination names a real person.
LAST_NAMES: tuple[str, ...] = (
    "Fiktivsen", "Prøvesen", "Testesen", "Eksempelsen", "Demogaard", "Opdigtholm", "Skitsesen",
    "Udkastrup", "Modelgaard", "Forsøgsen", "Påhitsen", "Attrapsen", "Prøvemose", "Fiktivhøj",
    "Eksempelbjerg", "Øvelsesen",
)
_PSEUDONYM_LETTERS = "ABCDEFGHJKLMNPRSTUVXYZ"

DESCRIPTIONS: tuple[str, ...] = (
    "Naboerne har flere gange hørt råb og uro fra lejligheden om natten.",
    "Personen virker forvirret og har svært ved at passe sin bolig.",
    "Har ikke taget imod tilbud om behandling og har mistet kontakten til egen læge.",
    "Der er bekymring for misbrug og gæld; huslejen er ikke betalt i flere måneder.",
    "Har udtalt trusler mod personale i en offentlig institution.",
    "Udskrives snart fra psykiatrisk afdeling uden fast bolig.",
    "Familien er bekymret og har kontaktet kommunen flere gange.",
    "Er set sove udendørs i perioder og virker underernæret.",
    "Har haft gentagne konflikter med andre beboere i opgangen.",
    "Har selv bedt om hjælp, men er ikke mødt op til de aftalte samtaler.",
)
JOURNAL_SENTENCES: dict[str, tuple[str, ...]] = {
    Sector.SOCIAL_SERVICES: (
        "Kommunen har haft telefonisk kontakt med borgeren.",
        "Bostøtten har været på besøg; borgeren var afvisende, men tog imod telefonnummeret.",
        "Der er søgt om midlertidig bolig.",
        "Jobcentret oplyser, at borgeren ikke er mødt op til de seneste samtaler.",
        "Sagen er drøftet med kommunens misbrugscenter.",
        "Borgeren har fået tilbudt en mentor.",
    ),
    Sector.POLICE: (
        "Der er modtaget en anmeldelse om uro på adressen.",
        "Patruljen har talt med borgeren, som var rolig.",
        "Ingen nye anmeldelser siden sidste møde i samarbejdet.",
        "Nærpolitiet holder øje med opgangen.",
        "Borgeren er vejledt om reglerne for ophold på stationen.",
    ),
    Sector.PSYCHIATRY: (
        "Opsøgende team har forsøgt besøg uden at træffe borgeren.",
        "Borgeren er tilbudt tid i ambulatoriet.",
        "Der er lavet koordinationsplan før udskrivning.",
        "Borgeren har taget imod samtaletilbud.",
        "Medicinen er justeret; borgeren virker mere rolig.",
    ),
}
COMMON_SENTENCES: tuple[str, ...] = (
    "Aftalt opfølgning på næste møde i samarbejdet.",
    "Status uændret.",
    "Handleplanen er gennemgået med de involverede.",
    "Der er ikke grundlag for yderligere tiltag lige nu.",
)
ACTION_PLANS: tuple[str, ...] = (
    "Kommunen tager kontakt via bostøtten. Psykiatrien tilbyder opsøgende besøg. Politiet orienterer "
    "ved nye anmeldelser.",
    "Koordinationsplan: kommunen finder midlertidig bolig før udskrivning; psykiatrien følger op.",
    "Mentorforløb via kommunen; politiet holder øje med opgangen.",
    "Netværksmøde med borgeren og pårørende; aftaler om fast kontaktperson.",
)
CLOSING_REASONS: tuple[str, ...] = (
    "Borgeren er i stabilt forløb i kommunens regi; samarbejdet afslutter sagen.",
    "Der er ikke længere grund til bekymring.",
    "Borgeren er flyttet til en anden kommune; sagen er overdraget.",
)
FLAG_TEXTS: tuple[str, ...] = (
    "Mød kun op to medarbejdere",
    "Hund på adressen",
    "Ring før besøg",
    "Tolk nødvendig",
    "Kan reagere voldsomt på uniformer",
)
TASK_TITLES: tuple[str, ...] = (
    "Aftal netværksmøde med borgeren",
    "Hjemmebesøg",
    "Opsøgende besøg",
    "Kontakt boligselskabet om huslejerestance",
    "Vurdering i ambulatoriet",
    "Orientér om nye anmeldelser",
    "Følg op på handleplanen",
    "Send indkaldelse til samtale",
)
JUSTIFICATION = "Nødvendigt for at koordinere indsatsen mellem sektorerne (fiktive testdata)."
TASK_REASONS = {
    TaskStatus.NOT_POSSIBLE: "Borgeren er flyttet i en periode.",
    TaskStatus.NOT_UNDERTAKEN: "Organisationen har ikke haft kapacitet.",
}

SECTORS: tuple[str, ...] = (Sector.SOCIAL_SERVICES, Sector.POLICE, Sector.PSYCHIATRY)
LEAD_WEIGHTS = (5, 3, 2)  # municipality, police, region
CATEGORY_OF: dict[str, str] = {
    Sector.SOCIAL_SERVICES: DataCategory.SOCIAL,
    Sector.POLICE: DataCategory.CRIMINAL_OFFENCE,
    Sector.PSYCHIATRY: DataCategory.HEALTH,
}
# The case's path through the lifecycle, per final state; "closed_anonymous" was closed unidentified.
S = CaseState
PATHS: dict[str, tuple[str, ...]] = {
    "anonymous": (S.ANONYMOUS,),
    "identified": (S.ANONYMOUS, S.IDENTIFIED),
    "active": (S.ANONYMOUS, S.IDENTIFIED, S.ACTIVE),
    "follow_up": (S.ANONYMOUS, S.IDENTIFIED, S.ACTIVE, S.FOLLOW_UP),
    "closed": (S.ANONYMOUS, S.IDENTIFIED, S.ACTIVE, S.FOLLOW_UP, S.CLOSED),
    "closed_anonymous": (S.ANONYMOUS, S.CLOSED),
}
# (weight, youngest and oldest age in days, weight of its journal); anonymous discussions are at most
# 29 days old, as older ones are purged by the retention rule (30 days by default).
KINDS: dict[str, tuple[int, int, int, float]] = {
    "anonymous": (10, 0, 29, 0.3),
    "identified": (15, 7, 400, 0.7),
    "active": (28, 14, 900, 1.2),
    "follow_up": (14, 60, 1200, 1.3),
    "closed": (30, 60, 1800, 1.0),
    "closed_anonymous": (3, 1, 29, 0.3),
}
SHARED_SHARE = 0.2  # of the entries in identified cases with two or more organisations


class NationalDataError(RuntimeError):
    """The generator cannot run here (reference data missing, national data already present)."""


@dataclass(frozen=True)
class Scale:
    citizens: int
    cases: int
    entries: int
    cooperations: int

    def scaled(self, factor: float) -> Scale:
        """The same shape with ``factor`` times the rows (the number of cooperations stays)."""
        return replace(
            self,
            citizens=max(1, round(self.citizens * factor)),
            cases=max(1, round(self.cases * factor)),
            entries=max(1, round(self.entries * factor)),
        )


NATIONAL = Scale(citizens=100_000, cases=200_000, entries=2_000_000, cooperations=98)


@dataclass(frozen=True)
class TableSpeed:
    table: str
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass
class GenerationReport:
    scale: Scale
    seed: int
    method: str  # "COPY" or "bulk_create"
    tables: list[TableSpeed] = field(default_factory=list)
    steps: list[tuple[str, float]] = field(default_factory=list)  # (what, seconds) not per table
    seconds: float = 0.0
    cooperation_ids: list[int] = field(default_factory=list)  # largest first

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def count(self, table: str) -> int:
        return next((t.rows for t in self.tables if t.table == table), 0)

    def speed_table(self) -> str:
        header = ("table", "rows", "seconds", "rows/s")
        body = [
            (t.table, f"{t.rows:,}", f"{t.seconds:.1f}", f"{t.rows_per_second:,.0f}") for t in self.tables
        ]
        body += [(what, "", f"{seconds:.1f}", "") for what, seconds in self.steps]
        rate = self.rows / self.seconds if self.seconds > 0 else 0.0
        body.append(("total", f"{self.rows:,}", f"{self.seconds:.1f}", f"{rate:,.0f}"))
        widths = [max(len(row[i]) for row in (header, *body)) for i in range(len(header))]

        def line(row: tuple[str, ...]) -> str:
            cells = zip(row, widths, strict=True)
            return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(cells))

        return "\n".join(line(row) for row in (header, *body))


# --------------------------------------------------------------------------------------------- writing


class _Writer:
    """Writes rows of plain values: COPY on PostgreSQL, bulk_create elsewhere; times every table."""

    def __init__(self, report: GenerationReport, *, progress: bool, stream: TextIO) -> None:
        self.report = report
        self.progress = progress
        self.stream = stream
        self.copy = connection.vendor == "postgresql"

    def reserve_ids(self, model: type[models.Model], count: int) -> Sequence[int]:
        """``count`` fresh primary keys for ``model``: from its sequence on PostgreSQL (so concurrent
        inserts never collide), above the highest id elsewhere."""
        if count <= 0:
            return []
        table = model._meta.db_table
        if not self.copy:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                highest = cursor.fetchone()[0] or 0
            return range(highest + 1, highest + 1 + count)
        from psycopg import sql

        ids = array("q")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            statement = sql.SQL("COPY (SELECT nextval({}::regclass) FROM generate_series(1, {})) TO STDOUT")
            with cursor.copy(statement.format(sql.Literal(sequence), sql.Literal(count))) as copy:
                copy.set_types(["int8"])
                for (value,) in copy.rows():
                    ids.append(value)
        return ids

    def write(
        self, label: str, model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple[Any, ...]],
        *, total: int | None,
    ) -> int:
        began = time.perf_counter()
        with tqdm(
            total=total, desc=f"{label:<21}", unit=" rows", unit_scale=True, disable=not self.progress,
            file=self.stream, mininterval=0.5, leave=True,
        ) as bar:
            write = self._copy if self.copy else self._bulk
            written = write(model, fields, rows, bar)
        self.report.tables.append(TableSpeed(label, written, time.perf_counter() - began))
        return written

    def _copy(self, model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple[Any, ...]],
              bar: Any) -> int:
        meta = model._meta
        columns = [str(cast(models.Field, meta.get_field(name)).column) for name in fields]
        json_at = [i for i, name in enumerate(fields) if isinstance(meta.get_field(name), models.JSONField)]
        quote = connection.ops.quote_name
        statement = f"COPY {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        written = 0
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                if json_at:
                    values = list(row)
                    for i in json_at:
                        values[i] = json.dumps(values[i])
                    row = tuple(values)
                copy.write_row(row)
                written += 1
                if written % 10_000 == 0:
                    bar.update(10_000)
        bar.update(written % 10_000)
        return written

    def _bulk(self, model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple[Any, ...]],
              bar: Any) -> int:
        written = 0
        batch: list[models.Model] = []
        for row in rows:
            batch.append(model(**dict(zip(fields, row, strict=True))))
            if len(batch) == 2000:
                model._default_manager.bulk_create(batch)
                written += len(batch)
                bar.update(len(batch))
                batch = []
        if batch:
            model._default_manager.bulk_create(batch)
            written += len(batch)
            bar.update(len(batch))
        return written

    def step(self, what: str, action: Callable[[], None]) -> None:
        began = time.perf_counter()
        action()
        self.report.steps.append((what, time.perf_counter() - began))


# ------------------------------------------------------------------------------------------ planning


@dataclass
class _Cooperation:
    """One cooperation being generated: its organisations and key members by sector, its citizens."""

    pk: int
    organisation: dict[str, int]  # sector -> organisation id
    key_member: dict[str, int]  # sector -> user id
    frontline: int
    citizen_ids: list[int] = field(default_factory=list)


@dataclass
class _Case:
    pk: int
    cooperation: _Cooperation
    kind: str
    opened_at: datetime
    ended_at: datetime | None  # closed_at
    sectors: tuple[str, ...]  # involved, the lead first
    citizen_id: int | None = None
    transitions: tuple[datetime, ...] = ()  # when each step of the path was taken
    birth_date: date | None = None

    @property
    def state(self) -> str:
        return PATHS[self.kind][-1]


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` that add up exactly (largest remainder)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    counts = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _skewed_days(rng: random.Random, youngest: int, oldest: int) -> float:
    """An age in days, more often recent than old (most cases are recent)."""
    return youngest + (oldest - youngest) * rng.random() ** 1.5


def _birth_date(rng: random.Random) -> date:
    year, month, day = rng.randint(1940, 2007), rng.randint(1, 12), rng.randint(1, 28)
    if month == 1 and day == 1:
        day = 2  # fictitious CPR numbers avoid 1 January
    return date(year, month, day)


def _age_band(born: date, today: date) -> str:
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    for limit, band in ((18, AgeBand.UNDER_18), (25, AgeBand.AGE_18_24), (35, AgeBand.AGE_25_34),
                        (50, AgeBand.AGE_35_49), (65, AgeBand.AGE_50_64)):
        if age < limit:
            return str(band)
    return str(AgeBand.AGE_65_PLUS)


def _full_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _text(rng: random.Random, sentences: Sequence[str], count: int) -> str:
    return " ".join(rng.sample(sentences, min(count, len(sentences))))


# ---------------------------------------------------------------------------------------------- main


def national_data_present() -> bool:
    return User.objects.filter(email__iendswith=f"@{EMAIL_DOMAIN}").exists()


def generate_national(
    *,
    scale: Scale = NATIONAL,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
    progress: bool = True,
    stream: TextIO | None = None,
) -> GenerationReport:
    """Create the national-scale data described in the module docstring; return its own speed.

    Deterministic: the same seed and ``now`` give the same data (ids aside, and the CPR ciphertexts,
    whose nonces are random by design; they decrypt to the same numbers). Raises NationalDataError when
    the reference data is missing or national data is already present.
    """
    if min(scale.citizens, scale.cases, scale.entries) < 0 or scale.cooperations < 1:
        raise NationalDataError("Counts must be positive and there must be at least one cooperation.")
    rng = random.Random(seed)
    now = now or timezone.now()
    report = GenerationReport(scale=scale, seed=seed, method="COPY" if connection.vendor == "postgresql"
                              else "bulk_create")
    writer = _Writer(report, progress=progress, stream=stream or sys.stderr)
    began = time.perf_counter()
    with transaction.atomic(), unscoped("generating fictitious national-scale benchmark data"):
        if national_data_present():
            raise NationalDataError("National test data is already present: generate into a fresh database.")
        cooperations = _cooperations(writer, rng, scale.cooperations)
        weights = list(range(1, len(cooperations) + 1))
        rng.shuffle(weights)
        shares = [rank**-ZIPF_EXPONENT for rank in weights]
        report.cooperation_ids = [c.pk for _, c in sorted(zip(weights, cooperations, strict=True),
                                                          key=lambda pair: pair[0])]
        citizen_counts = _allocate(scale.citizens, shares)
        case_counts = _allocate(scale.cases, shares)
        citizen_ids = writer.reserve_ids(Citizen, scale.citizens)
        offset = 0
        for cooperation, count in zip(cooperations, citizen_counts, strict=True):
            cooperation.citizen_ids = list(citizen_ids[offset : offset + count])
            offset += count
        cases = _plan_cases(writer, rng, cooperations, case_counts, now)
        _write_citizens(writer, rng, cooperations, cases, now)
        _write_cases(writer, rng, cases, now)
        _write_journal(writer, rng, cases, scale.entries, now)
        _write_flags_and_tasks(writer, rng, cases, now)
        if connection.vendor == "postgresql":
            writer.step("foreign-key checks", lambda: _run("SET CONSTRAINTS ALL IMMEDIATE"))
        writer.step("ANALYZE", lambda: _analyse([
            Organisation, Cooperation, CooperationOrganisation, User, Membership, TOTPDevice, Citizen, Case,
            Involvement, StateChange, JournalEntry, Disclosure, Disclosure.recipients.through, Flag, Task,
        ]))
    report.seconds = time.perf_counter() - began
    return report


def _run(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def _analyse(models_: Iterable[type[models.Model]]) -> None:
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _cooperations(writer: _Writer, rng: random.Random, count: int) -> list[_Cooperation]:
    """One PSP cooperation per municipality (the first ``count`` by official code), its partners and staff."""
    municipalities = sorted(
        Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
        .exclude(code="")
        .exclude(police_district=None)
        .exclude(region=None),
        key=lambda m: (len(m.code), m.code),
    )[:count]
    if len(municipalities) < count:
        raise NationalDataError(
            f"Only {len(municipalities)} municipalities with police district and region in the reference "
            f"data; {count} cooperations asked for. Migrate the database first."
        )
    began = time.perf_counter()
    made = Cooperation.objects.bulk_create(
        Cooperation(
            type=CooperationType.PSP,
            name=f"PSP {m.name.removesuffix(' Kommune')} (testdata)",
            municipality=m,
            enabled_legal_bases=["rpl-115-1-2", "rpl-115-2", "psyk-13c", "consent"],
        )
        for m in municipalities
    )
    organisations = [_sector_organisations(m) for m in municipalities]
    participations = [
        CooperationOrganisation(cooperation=c, organisation_id=organisation_id, sector=sector)
        for c, by_sector in zip(made, organisations, strict=True)
        for sector, organisation_id in by_sector.items()
    ]
    CooperationOrganisation.objects.bulk_create(participations)
    staff = [("social", "Socialrådgiver"), ("politi", "Politibetjent"), ("psykiatri", "Sygeplejerske"),
             ("koordinator", "Koordinator"), ("front", "Frontmedarbejder")]
    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"{prefix}.{m.code}@{EMAIL_DOMAIN}", full_name=_full_name(rng), job_title=title,
             password=unusable)
        for m in municipalities
        for prefix, title in staff
    )
    TOTPDevice.objects.bulk_create(TOTPDevice(user=u, name="Godkenderapp", confirmed=True) for u in users)
    plans, memberships = [], []
    for index, (cooperation, organisation) in enumerate(zip(made, organisations, strict=True)):
        social, police, psychiatry, coordinator, frontline = users[index * 5 : index * 5 + 5]
        for user, sector, role in (
            (social, Sector.SOCIAL_SERVICES, Role.KEY_MEMBER),
            (police, Sector.POLICE, Role.KEY_MEMBER),
            (psychiatry, Sector.PSYCHIATRY, Role.KEY_MEMBER),
            (coordinator, Sector.SOCIAL_SERVICES, Role.COORDINATOR),
            (frontline, Sector.SOCIAL_SERVICES, Role.FRONTLINE_WORKER),
        ):
            memberships.append(Membership(
                user=user, organisation_id=organisation[sector], cooperation=cooperation, role=role
            ))
        plans.append(
            _Cooperation(
                pk=cooperation.pk,
                organisation=organisation,
                key_member={
                    Sector.SOCIAL_SERVICES: social.pk,
                    Sector.POLICE: police.pk,
                    Sector.PSYCHIATRY: psychiatry.pk,
                },
                frontline=frontline.pk,
            )
        )
    Membership.objects.bulk_create(memberships)
    seconds = time.perf_counter() - began
    rows = len(made) + len(participations) + 2 * len(users) + len(memberships)
    writer.report.tables.append(TableSpeed("cooperations+staff", rows, seconds))
    return plans


def _sector_organisations(municipality: Organisation) -> dict[str, int]:
    """The cooperation's member organisation per sector: the municipality, its police district and region."""
    assert municipality.police_district_id is not None and municipality.region_id is not None
    return {
        Sector.SOCIAL_SERVICES: municipality.pk,
        Sector.POLICE: municipality.police_district_id,
        Sector.PSYCHIATRY: municipality.region_id,
    }


def _plan_cases(
    writer: _Writer, rng: random.Random, cooperations: list[_Cooperation], counts: list[int], now: datetime
) -> list[_Case]:
    """Every case's kind, dates, organisations and citizen, before anything is written."""
    case_ids = writer.reserve_ids(Case, sum(counts))
    kinds = list(KINDS)
    kind_weights = [KINDS[k][0] for k in kinds]
    cases: list[_Case] = []
    position = 0
    for cooperation, count in zip(cooperations, counts, strict=True):
        linked = 0  # every citizen gets a case first, then citizens are picked at random
        for _ in range(count):
            kind = rng.choices(kinds, kind_weights)[0]
            if not cooperation.citizen_ids and kind not in ("anonymous", "closed_anonymous"):
                kind = "anonymous"
            _weight, youngest, oldest, _journal = KINDS[kind]
            age = timedelta(days=_skewed_days(rng, youngest, oldest), seconds=rng.randrange(86400))
            opened_at = now - age
            span = (now - opened_at).total_seconds()
            ended_at = None
            if PATHS[kind][-1] == S.CLOSED:
                ended_at = opened_at + timedelta(seconds=span * rng.uniform(0.4, 0.95))
                span = (ended_at - opened_at).total_seconds()
            steps = len(PATHS[kind]) - 1
            # Evenly spread steps; an open case's last step is followed by time in its current state.
            slots = steps + (ended_at is None)
            transitions = tuple(
                opened_at + timedelta(seconds=span * (i + rng.uniform(0.2, 0.8)) / slots)
                for i in range(steps)
            )
            if ended_at is not None:
                transitions = (*transitions[:-1], ended_at)
            lead = rng.choices(SECTORS, LEAD_WEIGHTS)[0]
            others = [s for s in SECTORS if s != lead]
            rng.shuffle(others)
            sectors = (lead, *others[: rng.choices((0, 1, 2), (20, 45, 35))[0]])
            citizen_id = None
            if kind not in ("anonymous", "closed_anonymous"):
                if linked < len(cooperation.citizen_ids):
                    citizen_id, linked = cooperation.citizen_ids[linked], linked + 1
                else:
                    citizen_id = rng.choice(cooperation.citizen_ids)
            cases.append(_Case(
                case_ids[position], cooperation, kind, opened_at, ended_at, sectors, citizen_id, transitions
            ))
            position += 1
    return cases


def _write_citizens(
    writer: _Writer, rng: random.Random, cooperations: list[_Cooperation], cases: list[_Case], now: datetime
) -> None:
    first_case: dict[int, _Case] = {}
    for case in cases:
        if case.citizen_id is not None:
            known = first_case.get(case.citizen_id)
            if known is None or case.transitions[0] < known.transitions[0]:
                first_case[case.citizen_id] = case
    used: set[str] = set()
    births: dict[int, date] = {}

    def rows() -> Iterator[tuple[Any, ...]]:
        for cooperation in cooperations:
            for number, pk in enumerate(cooperation.citizen_ids, start=1):
                born = _birth_date(rng)
                cpr = fictitious_cpr(born, rng)
                while cpr in used:
                    born = _birth_date(rng)
                    cpr = fictitious_cpr(born, rng)
                used.add(cpr)
                births[pk] = born
                name = _full_name(rng)
                case = first_case.get(pk)
                if case is not None:  # registered when its first case was identified
                    sector = case.sectors[0]
                    created_at = case.transitions[0] - timedelta(hours=1)
                else:  # registered, identification pending (purged after 30 days if never linked)
                    sector = Sector.SOCIAL_SERVICES
                    created_at = now - timedelta(days=rng.uniform(0, 25))
                yield (
                    pk, cooperation.pk, cpr_encrypt(cpr), cpr_lookup_hash(cpr), name, fold_name(name), born,
                    rng.choice((Sex.FEMALE, Sex.MALE, Sex.FEMALE, Sex.MALE, Sex.OTHER, Sex.UNKNOWN)),
                    f"{STREET} {rng.randint(1, 250)}, {POSTCODE_AND_TOWN}", "",
                    f"Borger {rng.choice(_PSEUDONYM_LETTERS)}-{1000 + number}",
                    cooperation.organisation[sector], cooperation.key_member[sector], created_at, 1,
                )

    fields = ("id", "cooperation_id", "cpr_encrypted", "cpr_lookup", "full_name", "search_name", "birth_date",
              "sex", "address", "phone", "pseudonym", "registered_by_organisation_id", "created_by_id",
              "created_at", "version")
    writer.write("citizens", Citizen, fields, rows(), total=sum(len(c.citizen_ids) for c in cooperations))
    for case in cases:
        if case.citizen_id is not None:
            case.birth_date = births[case.citizen_id]


def _write_cases(writer: _Writer, rng: random.Random, cases: list[_Case], now: datetime) -> None:
    today = timezone.localdate(now)
    numbers: dict[int, int] = {}

    def case_rows() -> Iterator[tuple[Any, ...]]:
        for case in cases:
            cooperation = case.cooperation
            numbers[cooperation.pk] = number = numbers.get(cooperation.pk, 1000) + 1
            lead = case.sectors[0]
            opener = cooperation.key_member[lead]
            identified = case.citizen_id is not None
            has_plan = case.state in (S.ACTIVE, S.FOLLOW_UP) or (case.state == S.CLOSED and identified)
            yield (
                case.pk, cooperation.pk, case.citizen_id, case.state,
                f"Borger {rng.choice(_PSEUDONYM_LETTERS)}-{number}",
                _age_band(case.birth_date, today) if case.birth_date else rng.choice(AgeBand.values[:-1]),
                rng.choice((Sex.FEMALE, Sex.MALE, Sex.UNKNOWN)),
                _text(rng, DESCRIPTIONS, rng.randint(1, 3)),
                rng.choice(ACTION_PLANS) if has_plan else "",
                cooperation.organisation[lead], opener, case.opened_at,
                cooperation.frontline if rng.random() < 0.15 else None,
                rng.choice(("rpl-115-1-2", "psyk-13c", "consent")) if identified else "",
                JUSTIFICATION if identified else "",
                opener if identified else None,
                case.transitions[0] if identified else None,
                case.ended_at,
                rng.choice(CLOSING_REASONS) if case.ended_at else "",
                1,
            )

    fields = ("id", "cooperation_id", "citizen_id", "state", "pseudonym", "age_band", "sex", "description",
              "action_plan", "lead_organisation_id", "opened_by_id", "opened_at", "referred_by_id",
              "identification_legal_basis", "identification_justification", "identified_by_id",
              "identified_at", "closed_at", "closing_reason", "version")
    writer.write("cases", Case, fields, case_rows(), total=len(cases))

    def involvement_rows() -> Iterator[tuple[Any, ...]]:
        for case in cases:
            opener = case.cooperation.key_member[case.sectors[0]]
            for index, sector in enumerate(case.sectors):
                yield (case.pk, case.cooperation.organisation[sector], index == 0, opener,
                       case.opened_at if index == 0 else case.opened_at + timedelta(hours=index), None)

    writer.write("involvements", Involvement,
                 ("case_id", "organisation_id", "is_lead", "added_by_id", "added_at", "ended_at"),
                 involvement_rows(), total=sum(len(c.sectors) for c in cases))

    def state_change_rows() -> Iterator[tuple[Any, ...]]:
        for case in cases:
            path = PATHS[case.kind]
            actor = case.cooperation.key_member[case.sectors[0]]
            for step, changed_at in enumerate(case.transitions):
                to_state = path[step + 1]
                reason = rng.choice(CLOSING_REASONS) if to_state == S.CLOSED else ""
                yield (case.pk, path[step], to_state, reason, actor, changed_at)

    writer.write("state changes", StateChange,
                 ("case_id", "from_state", "to_state", "reason", "actor_id", "changed_at"),
                 state_change_rows(), total=sum(len(c.transitions) for c in cases))


def _legal_bases() -> dict[str, tuple[str, str, list[str]]]:
    """code -> (name, citation, default restrictions) of the bases the generated disclosures use."""
    found = {b.code: (b.name, b.citation, list(b.restrictions)) for b in
             LegalBasis.objects.filter(code__in=["rpl-115-1-2", "rpl-115-2", "psyk-13c"])}
    missing = {"rpl-115-1-2", "rpl-115-2", "psyk-13c"} - set(found)
    if missing:
        raise NationalDataError(f"The shipped legal bases {sorted(missing)} are missing: migrate first.")
    return found


def _basis_code(source: str, recipients: Sequence[str]) -> str:
    """A basis of the shipped rule set that covers the direction from ``source`` to every recipient."""
    if source == Sector.POLICE:
        return "rpl-115-1-2"
    if Sector.POLICE in recipients:
        return "rpl-115-2"
    return "psyk-13c"


def _write_journal(
    writer: _Writer, rng: random.Random, cases: list[_Case], total: int, now: datetime
) -> None:
    weights = [KINDS[case.kind][3] * rng.expovariate(1.0) for case in cases]
    counts = _allocate(total, weights) if cases else []
    if total and not cases:
        raise NationalDataError("Journal entries need at least one case.")
    entry_ids = writer.reserve_ids(JournalEntry, total)
    shared: list[tuple[int, _Case, str, int, datetime]] = []  # entry id, case, sector, author, time

    def rows() -> Iterator[tuple[Any, ...]]:
        position = 0
        for case, count in zip(cases, counts, strict=True):
            cooperation = case.cooperation
            sectors = case.sectors
            # Shared only once identified: before that the case is an anonymous discussion.
            shared_from = case.transitions[0] if case.citizen_id is not None and len(sectors) > 1 else None
            start = case.opened_at
            span = ((case.ended_at or now) - start).total_seconds()
            for offset in sorted(rng.random() for _ in range(count)):
                sector = sectors[0] if rng.random() < 0.4 else rng.choice(sectors)
                author = cooperation.key_member[sector]
                created_at = start + timedelta(seconds=span * offset)
                text = _text(rng, JOURNAL_SENTENCES[sector], rng.randint(1, 3))
                if rng.random() < 0.3:
                    text += " " + rng.choice(COMMON_SENTENCES)
                pk = entry_ids[position]
                position += 1
                visibility = EntryVisibility.OWN_ORGANISATION
                if shared_from is not None and created_at > shared_from and rng.random() < SHARED_SHARE:
                    visibility = EntryVisibility.SHARED
                    shared.append((pk, case, sector, author, created_at))
                yield (pk, case.pk, cooperation.organisation[sector], author, text, visibility, created_at, 1)

    writer.write("journal entries", JournalEntry,
                 ("id", "case_id", "organisation_id", "author_id", "text", "visibility", "created_at",
                  "version"),
                 rows(), total=total)

    bases = _legal_bases()
    disclosure_ids = writer.reserve_ids(Disclosure, len(shared))
    recipients: list[tuple[int, int]] = []

    def disclosure_rows() -> Iterator[tuple[Any, ...]]:
        for pk, (entry_id, case, sector, author, created_at) in zip(disclosure_ids, shared, strict=True):
            others = [s for s in case.sectors if s != sector]
            code = _basis_code(sector, others)
            name, citation, restrictions = bases[code]
            organisation = case.cooperation.organisation
            recipients.extend((pk, organisation[s]) for s in others)
            yield (
                pk, DisclosureKind.SHARE, case.cooperation.pk, case.pk, case.citizen_id,
                SubjectType.JOURNAL_ENTRY, str(entry_id), entry_id, organisation[sector], author,
                min(created_at + timedelta(minutes=10), now), code, name, citation, Purpose.COORDINATION,
                JUSTIFICATION, [CATEGORY_OF[sector]], restrictions,
            )

    writer.write("disclosures", Disclosure,
                 ("id", "kind", "cooperation_id", "case_id", "citizen_id", "subject_type", "subject_id",
                  "journal_entry_id", "source_organisation_id", "disclosed_by_id", "disclosed_at",
                  "legal_basis_code", "legal_basis_name", "legal_basis_citation", "purpose", "justification",
                  "categories", "restrictions"),
                 disclosure_rows(), total=len(shared))
    writer.write("disclosure recipients", Disclosure.recipients.through, ("disclosure_id", "organisation_id"),
                 iter(recipients), total=len(recipients))


def _write_flags_and_tasks(writer: _Writer, rng: random.Random, cases: list[_Case], now: datetime) -> None:
    today = timezone.localdate(now)

    def flag_rows() -> Iterator[tuple[Any, ...]]:
        for case in cases:
            if rng.random() >= 0.12:
                continue
            for text in rng.sample(FLAG_TEXTS, 1 if rng.random() < 0.85 else 2):
                yield (case.pk, text, case.cooperation.organisation[case.sectors[0]],
                       case.cooperation.key_member[case.sectors[0]], case.opened_at + timedelta(hours=3),
                       case.ended_at is None)

    writer.write("flags", Flag,
                 ("case_id", "text", "organisation_id", "created_by_id", "created_at", "is_active"),
                 flag_rows(), total=None)

    def task_rows() -> Iterator[tuple[Any, ...]]:
        for case in cases:
            anonymous = case.citizen_id is None
            count = rng.choices((0, 1, 2, 3), (70, 30, 0, 0) if anonymous else (30, 35, 25, 10))[0]
            end = case.ended_at or now
            for _ in range(count):
                sector = rng.choice(case.sectors)
                created_at = case.opened_at + (end - case.opened_at) * rng.uniform(0.0, 0.8)
                if case.ended_at is None and rng.random() < 0.7:
                    status, closed_at = TaskStatus.OPEN, None
                    due = today + timedelta(days=rng.randint(-30, 45))
                else:
                    status = rng.choices(
                        (TaskStatus.DONE, TaskStatus.NOT_POSSIBLE, TaskStatus.NOT_UNDERTAKEN), (8, 1, 1)
                    )[0]
                    closed_at = created_at + (end - created_at) * rng.uniform(0.1, 1.0)
                    due = timezone.localdate(created_at) + timedelta(days=rng.randint(3, 30))
                yield (
                    case.pk, rng.choice(TASK_TITLES), case.cooperation.organisation[sector],
                    case.cooperation.key_member[sector] if rng.random() < 0.6 else None, due, status,
                    TASK_REASONS.get(status, ""), "case", case.cooperation.key_member[case.sectors[0]],
                    created_at, closed_at,
                )

    writer.write("tasks", Task,
                 ("case_id", "title", "owner_organisation_id", "owner_id", "due_date", "status",
                  "status_reason", "source", "created_by_id", "created_at", "closed_at"),
                 task_rows(), total=None)
