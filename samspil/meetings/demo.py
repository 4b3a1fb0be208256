"""Demo meetings for the fictitious demo cooperation: two past meetings with minutes, decisions, open and
closed actions and feedback to the referrer, a planned meeting with a proposal and carried-over actions,
and a steering-group meeting with a theme.

``seed_meetings(cooperation, personas)`` is idempotent: a series that already has meetings is left alone,
and the three demo cases are found again by their pseudonyms. ``personas`` maps persona keys
("coordinator", "police_officer", "social_worker", "psychiatry_nurse", "frontline_worker") to users.
Everything is fictitious.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from samspil.cases.models import Case, CaseState, Involvement, Task, TaskStatus
from samspil.core.scoping import unscoped
from samspil.organisations.models import Cooperation, CooperationGroup, GroupKind, Organisation, Sector

from .confidentiality import confidentiality_terms
from .models import (
    Action,
    ActionReview,
    AgendaItem,
    AgendaItemStatus,
    Attendance,
    AttendanceStatus,
    Decision,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MinutesEntry,
    ReferrerFeedback,
    ReviewOutcome,
)

PLACE = "Rådhuset, mødelokale 2 (fiktivt)"
# The demo cases of samspil.demo.cases when they exist (an active case all three sectors work on, raised by
# the frontline worker; a case only the police and psychiatry are involved in; an anonymous discussion),
# otherwise cases of the same shape made here.
CASES = (
    (
        "Borger D-1005",
        "Borger Demo-M1",
        ("social", "police", "psychiatry"),
        "social",
        "Uro og råb i opgangen om natten; naboerne er bekymrede (fiktivt).",
    ),
    (
        "Borger D-1010",
        "Borger Demo-M2",
        ("police", "psychiatry"),
        "police",
        "Gentagne henvendelser til politiet om forfølgelse (fiktivt).",
    ),
    (
        "Borger D-1001",
        "Borger Demo-M3",
        ("social", "police"),
        "social",
        "Anonym drøftelse: ung mand, der har mistet sin bolig (fiktivt).",
    ),
)


def seed_meetings(cooperation: Cooperation, personas: Mapping[str, Any]) -> list[str]:
    """Create the demo meetings if missing; returns what was created (empty on a second run)."""
    created: list[str] = []
    with transaction.atomic(), unscoped("seeding the fictitious demo meetings"):
        by_sector = _organisations(cooperation)
        key_group = CooperationGroup.objects.filter(
            cooperation=cooperation, kind=GroupKind.KEY_PERSONS
        ).first()
        if key_group is not None:
            series, made = MeetingSeries.objects.get_or_create(
                cooperation=cooperation,
                group=key_group,
                defaults={"name": key_group.name, "default_place": PLACE, "default_start": time(9, 0)},
            )
            if made:
                created.append(f"series {series.name}")
            if not series.meetings.exists():
                cases = [_case(cooperation, by_sector, personas, spec, created) for spec in CASES]
                _key_person_meetings(series, cases, by_sector, personas)
                created.append("key-person meetings")
        steering = CooperationGroup.objects.filter(cooperation=cooperation, kind=GroupKind.STEERING).first()
        if steering is not None:
            series, made = MeetingSeries.objects.get_or_create(
                cooperation=cooperation,
                group=steering,
                defaults={"name": steering.name, "default_place": PLACE, "default_start": time(13, 0)},
            )
            if not series.meetings.exists():
                meeting = _meeting(
                    series, days=21, status=MeetingStatus.PLANNED, chair=personas.get("coordinator")
                )
                AgendaItem.objects.create(
                    meeting=meeting,
                    theme="Statistik for første halvår (fiktivt)",
                    status=AgendaItemStatus.ACCEPTED,
                    order=1,
                )
                AgendaItem.objects.create(
                    meeting=meeting,
                    theme="Samarbejdsaftale med psykiatrien (fiktivt)",
                    status=AgendaItemStatus.ACCEPTED,
                    order=2,
                )
                created.append("steering-group meeting")
    return created


def _organisations(cooperation: Cooperation) -> dict[str, Organisation]:
    found: dict[str, Organisation] = {}
    for participation in cooperation.participations.select_related("organisation").order_by("pk"):
        found.setdefault(participation.sector, participation.organisation)
    found.setdefault(Sector.SOCIAL_SERVICES, cooperation.municipality)
    return found


def _case(
    cooperation: Cooperation,
    by_sector: dict[str, Organisation],
    personas: Mapping[str, Any],
    spec: tuple[str, str, tuple[str, ...], str, str],
    created: list[str],
) -> Case:
    preferred, pseudonym, sectors, lead, description = spec
    case = (
        Case.objects.filter(cooperation=cooperation, pseudonym__in=[preferred, pseudonym])
        .order_by("pk")
        .first()
    )
    if case is not None:
        return case
    organisations = [by_sector[s] for s in sectors if s in by_sector]
    case = Case.objects.create(
        cooperation=cooperation,
        pseudonym=pseudonym,
        age_band="25-34",
        description=description,
        lead_organisation=by_sector.get(lead, organisations[0]),
        state=CaseState.ANONYMOUS,
        opened_by=personas.get("social_worker"),
        referred_by=personas.get("frontline_worker") if pseudonym.endswith("M1") else None,
    )
    for organisation in organisations:
        Involvement.objects.create(
            case=case, organisation=organisation, is_lead=organisation.pk == case.lead_organisation_id
        )
    created.append(f"case {pseudonym}")
    return case


def _meeting(series: MeetingSeries, *, days: int, status: str, chair: Any, secretary: Any = None) -> Meeting:
    day = timezone.localdate() + timedelta(days=days)
    starts = timezone.make_aware(datetime.combine(day, series.default_start))
    now = timezone.now()
    return Meeting.objects.create(
        series=series,
        cooperation=series.cooperation,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place=series.default_place or PLACE,
        chair=chair,
        secretary=secretary,
        status=status,
        opened_at=starts if status != MeetingStatus.PLANNED else None,
        closed_at=starts + timedelta(hours=2) if status == MeetingStatus.CLOSED else None,
        closed_by=chair if status == MeetingStatus.CLOSED else None,
        invitations_sent_at=min(now, starts - timedelta(days=7)),
    )


def _attend(
    meeting: Meeting,
    personas: Mapping[str, Any],
    by_sector: dict[str, Organisation],
    information_sent: tuple[str, ...] = (),
) -> None:
    digest = confidentiality_terms().digest
    for key, sector in (
        ("coordinator", Sector.SOCIAL_SERVICES),
        ("social_worker", Sector.SOCIAL_SERVICES),
        ("police_officer", Sector.POLICE),
        ("psychiatry_nurse", Sector.PSYCHIATRY),
    ):
        user = personas.get(key)
        if user is None or sector not in by_sector:
            continue
        apologies = key in information_sent
        Attendance.objects.create(
            meeting=meeting,
            user=user,
            organisation=by_sector[sector],
            status=AttendanceStatus.INFORMATION_SENT if apologies else AttendanceStatus.PRESENT,
            acknowledged_at=None if apologies else meeting.starts_at,
            acknowledged_terms_digest="" if apologies else digest,
        )


def _action(item: AgendaItem, organisation: Organisation, owner: Any, what: str, due_days: int) -> Action:
    due = timezone.localdate(item.meeting.starts_at) + timedelta(days=due_days)
    task = (
        Task.objects.create(
            case=item.case,
            title=what,
            owner_organisation=organisation,
            owner=owner,
            due_date=due,
            source="meeting",
        )
        if item.case
        else None
    )
    return Action.objects.create(
        item=item,
        meeting=item.meeting,
        case=item.case,
        organisation=organisation,
        owner=owner,
        what=what,
        due_date=due,
        task=task,
    )


def _close(action: Action, meeting: Meeting, outcome: str, reason: str, by: Any) -> None:
    ActionReview.objects.create(
        action=action,
        meeting=meeting,
        outcome=outcome,
        reason=reason,
        reviewed_by=by,
        reviewed_at=meeting.starts_at + timedelta(minutes=30),
    )
    if outcome != ReviewOutcome.DEFERRED:
        Action.objects.filter(pk=action.pk).update(status=outcome, closed_at=meeting.starts_at)
        if action.task_id:
            Task.objects.filter(pk=action.task_id).update(
                status=outcome,
                closed_at=meeting.starts_at,
                status_reason=reason if outcome != TaskStatus.DONE else "",
            )


def _key_person_meetings(
    series: MeetingSeries, cases: list[Case], by_sector: dict[str, Organisation], personas: Mapping[str, Any]
) -> None:
    coordinator, social = personas.get("coordinator"), personas.get("social_worker")
    police, psychiatry = personas.get("police_officer"), personas.get("psychiatry_nurse")
    municipality = by_sector[Sector.SOCIAL_SERVICES]
    police_org = by_sector.get(Sector.POLICE, municipality)
    psychiatry_org = by_sector.get(Sector.PSYCHIATRY, municipality)
    first_case, police_case, anonymous_case = cases

    first = _meeting(series, days=-70, status=MeetingStatus.CLOSED, chair=coordinator, secretary=social)
    _attend(first, personas, by_sector)
    a1, a2 = (
        AgendaItem.objects.create(
            meeting=first,
            case=c,
            status=AgendaItemStatus.ACCEPTED,
            order=n,
            reason="Nyt i sagen siden sidst (fiktivt).",
        )
        for n, c in enumerate((first_case, police_case), start=1)
    )
    MinutesEntry.objects.create(
        item=a1,
        version=1,
        updated_by=social,
        text="Naboerne har klaget igen. Borgeren vil gerne have hjælp til økonomien (fiktivt).",
    )
    MinutesEntry.objects.create(
        item=a1,
        organisation=police_org,
        version=1,
        updated_by=police,
        text="Politiets egen note: to udrykninger i sidste måned (fiktivt).",
    )
    MinutesEntry.objects.create(
        item=a2,
        version=1,
        updated_by=police,
        text="Borgeren føler sig forfulgt; psykiatrien tilbyder en samtale (fiktivt).",
    )
    Decision.objects.create(
        item=a1,
        text="Kommunen tilbyder hjælp til økonomi og bolig (fiktivt).",
        for_feedback=True,
        recorded_by=coordinator,
    )
    done = _action(a1, municipality, social, "Kommunen holder møde med borgeren om økonomien (fiktivt).", 14)
    open_police = _action(
        a2, police_org, police, "Politiet orienterer psykiatrien ved nye henvendelser (fiktivt).", 21
    )

    second = _meeting(series, days=-35, status=MeetingStatus.CLOSED, chair=coordinator, secretary=social)
    _attend(second, personas, by_sector, information_sent=("psychiatry_nurse",))
    b1, b3 = (
        AgendaItem.objects.create(
            meeting=second, case=c, status=AgendaItemStatus.ACCEPTED, order=n, reason="Opfølgning (fiktivt)."
        )
        for n, c in enumerate((first_case, anonymous_case), start=1)
    )
    MinutesEntry.objects.create(
        item=b1,
        version=1,
        updated_by=social,
        text="Mødet om økonomien er holdt; der er lagt en budgetplan (fiktivt).",
    )
    MinutesEntry.objects.create(
        item=b3,
        version=1,
        updated_by=coordinator,
        text="Den unge bor hos venner; kommunen ser på et midlertidigt tilbud (fiktivt).",
    )
    _close(done, second, ReviewOutcome.DONE, "Møde holdt og budgetplan lagt (fiktivt).", coordinator)
    _close(
        open_police,
        second,
        ReviewOutcome.DEFERRED,
        "Ingen nye henvendelser endnu; følges (fiktivt).",
        coordinator,
    )
    Decision.objects.create(
        item=b1,
        text="Sagen fortsætter; psykiatrien inviteres til en fælles samtale (fiktivt).",
        for_feedback=True,
        recorded_by=coordinator,
    )
    _action(b1, psychiatry_org, psychiatry, "Psykiatrien indkalder til fælles samtale (fiktivt).", 45)
    _action(b3, municipality, social, "Kommunen undersøger et midlertidigt botilbud (fiktivt).", 20)
    referrer = first_case.referred_by
    if referrer is not None:
        for item in (a1, b1):
            text = " ".join(d.text for d in item.decisions.filter(for_feedback=True))
            ReferrerFeedback.objects.create(
                item=item,
                case=first_case,
                recipient=referrer,
                text=text,
                emailed_at=item.meeting.closed_at,
                read_at=item.meeting.closed_at if item.meeting == first else None,
            )

    upcoming = _meeting(series, days=7, status=MeetingStatus.PLANNED, chair=coordinator, secretary=social)
    AgendaItem.objects.create(
        meeting=upcoming,
        case=first_case,
        status=AgendaItemStatus.ACCEPTED,
        order=1,
        reason="Status på den fælles samtale (fiktivt).",
    )
    AgendaItem.objects.create(
        meeting=upcoming,
        case=police_case,
        status=AgendaItemStatus.PROPOSED,
        order=0,
        proposed_by=police,
        proposed_by_organisation=police_org,
        reason="Nye henvendelser i weekenden (fiktivt).",
    )
