"""Demo citizens and cases for one cooperation: every state of the lifecycle, journal entries, flags and
tasks (some overdue). Everything is fictitious: names "Fiktiv Borger N", addresses "Fiktivvej N, 9999
Demoby", and CPR numbers made by ``citizens.cpr.fictitious_cpr`` (generated, never looked up; see
docs/citizens-and-cases.md).

Idempotent: a case is recognised by its pseudonym in the cooperation and left alone if it exists, so a
second run creates nothing. Dates are relative to the first run (opened N days ago, tasks due N days from
then), so the demo always has overdue tasks and recent discussions.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from samspil.cases.models import (
    Case,
    CaseState,
    Flag,
    Involvement,
    JournalEntry,
    StateChange,
    Task,
    TaskStatus,
)
from samspil.citizens.cpr import cpr_encrypt, cpr_lookup_hash, fictitious_cpr
from samspil.citizens.models import Citizen
from samspil.citizens.names import fold_name
from samspil.core.scoping import unscoped
from samspil.organisations.models import Cooperation, Membership, Organisation

S = CaseState
# Persona keys whose organisation stands for each sector in the cooperation.
SECTOR_PERSONAS = {"municipality": "social_worker", "police": "police_officer", "region": "psychiatry_nurse"}


@dataclass(frozen=True)
class DemoTask:
    title: str
    owner: str  # "municipality" | "police" | "region"
    due_in_days: int | None
    person: str = ""  # persona key of the responsible person, if any
    status: str = TaskStatus.OPEN
    reason: str = ""


@dataclass(frozen=True)
class DemoCase:
    pseudonym: str
    state: str
    lead: str
    involved: tuple[str, ...]
    opened_days_ago: int
    description: str
    age_band: str = "25-34"
    sex: str = ""
    citizen: int | None = None  # the N of "Fiktiv Borger N"
    action_plan: str = ""
    referred: bool = False
    closing_reason: str = ""
    history: tuple[tuple[str, str, str], ...] = ()  # (from, to, reason), oldest first
    entries: tuple[tuple[str, str], ...] = ()  # (organisation key, text)
    flags: tuple[str, ...] = ()
    tasks: tuple[DemoTask, ...] = field(default_factory=tuple)


ON_HOLIDAY = "Manden var på ferie hos familie. Ingen grund til videre bekymring."
STABLE = "Borgeren er i stabilt forløb i kommunens regi; samarbejdet afslutter sagen."
JUSTIFICATION = "Nødvendigt for at koordinere indsatsen mellem sektorerne (fiktivt demoeksempel)."

DEMO_CASES: tuple[DemoCase, ...] = (
    DemoCase(
        "Borger D-1001", S.ANONYMOUS, "municipality", ("police",), 3,
        "Mand i 40'erne råber ad naboerne om natten og har flere gange banket på døre. "
        "Naboerne er bekymrede.",
        age_band="35-49", sex="male", referred=True,
        entries=(
            ("municipality", "Frontmedarbejder har talt med viceværten. Ingen kendt kontakt til kommunen."),
        ),
        tasks=(DemoTask("Gennemgå døgnrapporterne for opgangen", "police", 7, person="police_officer"),),
    ),
    DemoCase(
        "Borger D-1002", S.ANONYMOUS, "police", ("region",), 20,
        "Yngre kvinde set forvirret ved stationen flere nætter i træk; "
        "virker ikke til at have et sted at sove.",
        age_band="18-24", sex="female",
    ),
    DemoCase(
        "Borger D-1003", S.CLOSED, "municipality", (), 12,
        "Ældre mand, som naboerne ikke har set i en uge.",
        age_band="65+", closing_reason=ON_HOLIDAY, history=((S.ANONYMOUS, S.CLOSED, ON_HOLIDAY),),
    ),
    DemoCase(
        "Borger D-1004", S.IDENTIFIED, "municipality", ("police", "region"), 30,
        "Borgeren har flere gange truet personalet i jobcenteret og taler om at blive forfulgt.",
        age_band="25-34", sex="male", citizen=1,
        history=((S.ANONYMOUS, S.IDENTIFIED, ""),),
        entries=(
            ("municipality", "Jobcentret oplyser, at borgeren ikke er mødt op til de seneste tre samtaler."),
            ("police", "To anmeldelser om uro på adressen den seneste måned."),
        ),
        tasks=(DemoTask("Aftal netværksmøde med borgeren", "municipality", -5, person="social_worker"),),
    ),
    DemoCase(
        "Borger D-1005", S.ACTIVE, "municipality", ("police", "region"), 60,
        "Borgeren er i risiko for at miste sin bolig og har ikke taget imod behandling.",
        age_band="35-49", sex="female", citizen=2, referred=True,
        action_plan="Kommunen tager kontakt via bostøtten. Psykiatrien tilbyder opsøgende besøg. "
                    "Politiet orienterer ved nye anmeldelser.",
        history=((S.ANONYMOUS, S.IDENTIFIED, ""), (S.IDENTIFIED, S.ACTIVE, "")),
        entries=(
            ("municipality",
             "Bostøtten har haft kontakt; borgeren var afvisende, men tog imod telefonnummeret."),
            ("region", "Opsøgende team har forsøgt besøg to gange uden at træffe borgeren."),
        ),
        flags=("Mød kun op to medarbejdere",),
        tasks=(
            DemoTask("Kontakt boligselskabet om huslejerestance", "municipality", -10,
                     person="social_worker"),
            DemoTask("Opsøgende besøg", "region", 5, person="psychiatry_nurse"),
            DemoTask("Orientér om nye anmeldelser", "police", -2),
            DemoTask("Send brev om netværksmøde", "municipality", -20, status=TaskStatus.DONE),
        ),
    ),
    DemoCase(
        "Borger D-1006", S.ACTIVE, "region", ("municipality",), 45,
        "Udskrivning fra psykiatrisk afdeling nærmer sig; borgeren har ingen fast bolig.",
        age_band="50-64", sex="male", citizen=3,
        action_plan="Koordinationsplan efter psykiatriloven § 13 c: kommunen finder midlertidig bolig "
                    "før udskrivning.",
        history=((S.ANONYMOUS, S.IDENTIFIED, ""), (S.IDENTIFIED, S.ACTIVE, "")),
        flags=("Hund på adressen",),
        tasks=(DemoTask("Find midlertidig bolig", "municipality", 3, person="coordinator"),),
    ),
    DemoCase(
        "Borger D-1007", S.FOLLOW_UP, "municipality", ("police",), 120,
        "Ung mand med gentagne konflikter i opgangen og mistanke om misbrug.",
        age_band="18-24", sex="male", citizen=4,
        action_plan="Mentorforløb via kommunen; politiet holder øje med opgangen.",
        history=((S.ANONYMOUS, S.IDENTIFIED, ""), (S.IDENTIFIED, S.ACTIVE, ""),
                 (S.ACTIVE, S.FOLLOW_UP, "Mentorforløbet er i gang; følges op om tre måneder.")),
        tasks=(
            DemoTask("Opfølgningssamtale med mentor", "municipality", 30, person="social_worker"),
            DemoTask("Hjemmebesøg", "police", -30, status=TaskStatus.NOT_POSSIBLE,
                     reason="Borgeren er flyttet til en anden kommune i en periode."),
        ),
    ),
    DemoCase(
        "Borger D-1008", S.CLOSED, "police", ("municipality",), 200,
        "Kvinde udsat for chikane fra tidligere partner; selv presset psykisk.",
        age_band="35-49", sex="female", citizen=5,
        action_plan="Krisecenter og samtaleforløb.",
        closing_reason=STABLE,
        history=((S.ANONYMOUS, S.IDENTIFIED, ""), (S.IDENTIFIED, S.ACTIVE, ""), (S.ACTIVE, S.FOLLOW_UP, ""),
                 (S.FOLLOW_UP, S.CLOSED, STABLE)),
        tasks=(DemoTask("Henvis til krisecenter", "municipality", -150, status=TaskStatus.DONE),),
    ),
    DemoCase(
        "Borger D-1009", S.IDENTIFIED, "municipality", ("region",), 300,
        "Borgeren var i samarbejdet sidste år; ny bekymring fra naboer om uro og råb.",
        age_band="50-64", sex="male", citizen=6,
        history=((S.ANONYMOUS, S.IDENTIFIED, ""), (S.IDENTIFIED, S.CLOSED, "Forløbet afsluttet."),
                 (S.CLOSED, S.IDENTIFIED, "Ny henvendelse fra boligselskabet.")),
        tasks=(DemoTask("Ny vurdering af borgerens situation", "region", -1, person="psychiatry_nurse"),),
    ),
    DemoCase(
        "Borger D-1010", S.ACTIVE, "police", ("region",), 15,
        "Borger med kendt psykisk sygdom har sendt truende beskeder til en offentlig myndighed.",
        age_band="25-34", citizen=7,
        action_plan="Psykiatrien vurderer behov for behandling; politiet følger henvendelserne.",
        history=((S.ANONYMOUS, S.IDENTIFIED, ""), (S.IDENTIFIED, S.ACTIVE, "")),
        entries=(("police", "Beskederne er gemt; ingen anmeldelse på nuværende tidspunkt."),),
        tasks=(DemoTask("Vurdering i ambulatoriet", "region", -3),),
    ),
)


def _citizen_birth_date(n: int) -> date:
    return date(1950 + (n * 7) % 50, 1 + (n * 5) % 12, 2 + (n * 11) % 26)


def _organisations(cooperation: Cooperation, personas: Mapping[str, Any]) -> dict[str, Organisation]:
    found = {}
    for sector, key in SECTOR_PERSONAS.items():
        membership = (
            Membership.objects.filter(user=personas[key], cooperation=cooperation, is_active=True)
            .select_related("organisation")
            .first()
        )
        if membership is None:
            raise ValueError(f"The persona {key!r} has no membership in {cooperation}")
        found[sector] = membership.organisation
    return found


def _citizen(cooperation: Cooperation, n: int, organisation: Organisation, created_at: Any) -> Citizen:
    pseudonym = f"Borger F-{2000 + n}"
    existing = Citizen.objects.filter(cooperation=cooperation, pseudonym=pseudonym).first()
    if existing is not None:
        return existing
    born = _citizen_birth_date(n)
    cpr = fictitious_cpr(born, random.Random(n))
    name = f"Fiktiv Borger {n}"
    return Citizen.objects.create(
        cooperation=cooperation,
        cpr_encrypted=cpr_encrypt(cpr),
        cpr_lookup=cpr_lookup_hash(cpr),
        full_name=name,
        search_name=fold_name(name),
        birth_date=born,
        address=f"Fiktivvej {n}, 9999 Demoby",
        pseudonym=pseudonym,
        registered_by_organisation=organisation,
        created_at=created_at,
    )


def seed_cases(cooperation: Cooperation, personas: Mapping[str, Any]) -> list[str]:
    """Create the demo cases that are missing in ``cooperation``; return a label per created case.

    ``personas`` maps persona keys to users: police_officer, social_worker, psychiatry_nurse (their
    organisations are the three sectors), coordinator and frontline_worker.
    """
    created: list[str] = []
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic(), unscoped("seeding fictitious demo cases"):
        organisations = _organisations(cooperation, personas)
        for spec in DEMO_CASES:
            if Case.objects.filter(cooperation=cooperation, pseudonym=spec.pseudonym).exists():
                continue
            opened_at = now - timedelta(days=spec.opened_days_ago)
            lead = organisations[spec.lead]
            opener = personas[SECTOR_PERSONAS[spec.lead]]
            citizen = _citizen(cooperation, spec.citizen, lead, opened_at) if spec.citizen else None
            case = Case.objects.create(
                cooperation=cooperation,
                citizen=citizen,
                state=spec.state,
                pseudonym=spec.pseudonym,
                age_band=spec.age_band,
                sex=spec.sex,
                description=spec.description,
                action_plan=spec.action_plan,
                lead_organisation=lead,
                opened_by=opener,
                opened_at=opened_at,
                referred_by=personas["frontline_worker"] if spec.referred else None,
                identification_legal_basis="rpl-115-1-2" if citizen else "",
                identification_justification=JUSTIFICATION if citizen else "",
                identified_by=opener if citizen else None,
                identified_at=opened_at + timedelta(days=1) if citizen else None,
                closed_at=now - timedelta(days=1) if spec.state == S.CLOSED else None,
                closing_reason=spec.closing_reason,
            )
            for key in dict.fromkeys((spec.lead, *spec.involved)):
                Involvement.objects.create(
                    case=case, organisation=organisations[key], is_lead=key == spec.lead, added_by=opener,
                    added_at=opened_at,
                )
            steps = len(spec.history)
            for index, (from_state, to_state, reason) in enumerate(spec.history):
                StateChange.objects.create(
                    case=case, from_state=from_state, to_state=to_state, reason=reason, actor=opener,
                    changed_at=opened_at + (now - opened_at) * (index + 1) / (steps + 1),
                )
            for index, (key, text) in enumerate(spec.entries):
                JournalEntry.objects.create(
                    case=case,
                    organisation=organisations[key],
                    author=personas[SECTOR_PERSONAS[key]],
                    text=text,
                    created_at=opened_at + timedelta(hours=2 + index),
                )
            for text in spec.flags:
                Flag.objects.create(
                    case=case, text=text, organisation=lead, created_by=opener, created_at=opened_at
                )
            for task in spec.tasks:
                Task.objects.create(
                    case=case,
                    title=task.title,
                    owner_organisation=organisations[task.owner],
                    owner=personas[task.person] if task.person else None,
                    due_date=None if task.due_in_days is None else today + timedelta(days=task.due_in_days),
                    status=task.status,
                    status_reason=task.reason,
                    source="case",
                    created_by=opener,
                    created_at=opened_at,
                    closed_at=now if task.status != TaskStatus.OPEN else None,
                )
            created.append(f"case {spec.pseudonym}")
    return created


HISTORY_CASES = 48
HISTORY_REASON = "Forløbet er afsluttet (fiktivt historisk demoeksempel)."


def seed_case_history(cooperation: Cooperation, personas: Mapping[str, Any]) -> list[str]:
    """Closed cases from the past year (opened 100-460 days before the first run, closed 3-60 days later),
    so the cooperation's evaluation figures have complete quarters to show: some sectors and quarters
    above the suppression threshold, others under it. Half were identified on § 115 with a fictitious
    citizen, the rest stayed anonymous to the end; about four in ten were raised by the frontline worker.
    Drawn from a fixed seed, so every demo has the same history; idempotent like ``seed_cases``."""
    rng = random.Random(2026)
    now = timezone.now()
    leads = ("police",) * 9 + ("municipality",) * 8 + ("region",) * 3
    created = 0
    with transaction.atomic(), unscoped("seeding fictitious demo cases"):
        organisations = _organisations(cooperation, personas)
        existing = set(Case.objects.filter(cooperation=cooperation).values_list("pseudonym", flat=True))
        for n in range(HISTORY_CASES):
            lead_key = rng.choice(leads)
            opened_at = now - timedelta(days=rng.randint(100, 460), hours=rng.randint(0, 8))
            closed_at = opened_at + timedelta(days=rng.randint(3, 60))
            identified = rng.random() < 0.5
            referred = rng.random() < 0.4
            pseudonym = f"Borger H-{3001 + n}"
            if pseudonym in existing:
                continue
            lead = organisations[lead_key]
            opener = personas[SECTOR_PERSONAS[lead_key]]
            citizen = _citizen(cooperation, 100 + n, lead, opened_at) if identified else None
            case = Case.objects.create(
                cooperation=cooperation,
                citizen=citizen,
                state=S.CLOSED,
                pseudonym=pseudonym,
                age_band=rng.choice(("18-24", "25-34", "35-49", "50-64", "65+")),
                description="Tidligere forløb i samarbejdet (fiktivt historisk demoeksempel).",
                lead_organisation=lead,
                opened_by=opener,
                opened_at=opened_at,
                referred_by=personas["frontline_worker"] if referred else None,
                identification_legal_basis="rpl-115-1-2" if citizen else "",
                identification_justification=JUSTIFICATION if citizen else "",
                identified_by=opener if citizen else None,
                identified_at=opened_at + timedelta(days=1) if citizen else None,
                closed_at=closed_at,
                closing_reason=HISTORY_REASON,
            )
            Involvement.objects.create(
                case=case, organisation=lead, is_lead=True, added_by=opener, added_at=opened_at
            )
            StateChange.objects.create(
                case=case, from_state=S.IDENTIFIED if citizen else S.ANONYMOUS, to_state=S.CLOSED,
                reason=HISTORY_REASON, actor=opener, changed_at=closed_at,
            )
            created += 1
    return [f"{created} closed cases from the past year"] if created else []
