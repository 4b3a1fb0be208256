"""Course results built from answers: scores per goal per participant, gains per group, trends,
satisfaction, item analysis and the staff time organisations spend.

Views fetch answers through selectors and pass ``suppress=True`` for anyone but a course
administrator: then no individual appears and groups under 5 are hidden (shown as "<5").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from samspil.core.scoping import unscoped
from samspil.organisations.models import Sector

from .models import (
    GOAL_SHORT_LABELS,
    Answer,
    Attendance,
    Enrolment,
    EnrolmentStatus,
    Goal,
    ItemKind,
    Offering,
    Questionnaire,
    QuestionnaireKind,
)
from .scoring import (
    SUPPRESSION_THRESHOLD,
    GoalSummary,
    ItemStatistics,
    item_statistics,
    mean,
    normalised_gain,
    summarise,
    suppressed_cells,
)

PSP_SECTORS = (Sector.POLICE, Sector.SOCIAL_SERVICES, Sector.PSYCHIATRY)


@dataclass
class ParticipantResult:
    enrolment_id: int
    name: str
    sector: str
    organisation: str
    pre: dict[str, float] = field(default_factory=dict)
    post: dict[str, float] = field(default_factory=dict)
    responses: dict[str, int] = field(default_factory=dict)

    def gain(self, goal: str) -> float | None:
        if goal in self.pre and goal in self.post:
            return self.post[goal] - self.pre[goal]
        return None

    def normalised(self, goal: str) -> float | None:
        if goal in self.pre and goal in self.post:
            return normalised_gain(self.pre[goal], self.post[goal])
        return None

    @property
    def is_measured(self) -> bool:
        """Answered both before and after on at least one goal."""
        return any(goal in self.post for goal in self.pre)

    @property
    def sector_label(self) -> str:
        return str(Sector(self.sector).label) if self.sector in Sector.values else self.sector


def participant_results(answers: Iterable[Answer]) -> list[ParticipantResult]:
    """Scores per goal per participant from pre and post answers (items without a goal are ignored)."""
    scores: dict[int, dict[str, dict[str, list[float]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    people: dict[int, ParticipantResult] = {}
    for answer in answers:
        kind = answer.response.questionnaire.kind
        if kind not in (QuestionnaireKind.PRE, QuestionnaireKind.POST) or not answer.item.goal:
            continue
        enrolment = answer.response.enrolment
        if enrolment.pk not in people:
            people[enrolment.pk] = ParticipantResult(
                enrolment_id=enrolment.pk,
                name=enrolment.member.full_name if _is_loaded(enrolment, "member") else "",
                sector=enrolment.sector,
                organisation=enrolment.organisation.name if _is_loaded(enrolment, "organisation") else "",
            )
        scores[enrolment.pk][kind][answer.item.goal].append(answer.score())
        people[enrolment.pk].responses[kind] = answer.response_id
    for enrolment_id, person in people.items():
        for goal, values in scores[enrolment_id][QuestionnaireKind.PRE].items():
            person.pre[goal] = sum(values) / len(values)
        for goal, values in scores[enrolment_id][QuestionnaireKind.POST].items():
            person.post[goal] = sum(values) / len(values)
    return sorted(people.values(), key=lambda p: (p.name.casefold(), p.enrolment_id))


def _is_loaded(instance: Any, relation: str) -> bool:
    return instance._meta.get_field(relation).is_cached(instance)


@dataclass
class GroupResult:
    key: str
    label: str
    n: int
    hidden: bool
    goals: dict[str, GoalSummary]

    @property
    def n_display(self) -> str:
        return f"<{SUPPRESSION_THRESHOLD}" if self.hidden else str(self.n)

    def rows(self) -> list[tuple[str, GoalSummary | None]]:
        """(goal label, summary or None when hidden) in goal order, for templates."""
        return [
            (str(GOAL_SHORT_LABELS[Goal(g)]), None if self.hidden else self.goals[g]) for g in Goal.values
        ]


def _group(key: str, label: str, people: list[ParticipantResult], hidden: bool) -> GroupResult:
    goals = {goal: summarise((p.pre.get(goal), p.post.get(goal)) for p in people) for goal in Goal.values}
    if hidden:
        goals = {goal: GoalSummary(0, None, None) for goal in Goal.values}
    return GroupResult(key, label, len(people), hidden, goals)


def sector_label(sector: str) -> str:
    return str(Sector(sector).label) if sector in Sector.values else sector


def by_sector(people: list[ParticipantResult], *, suppress: bool) -> tuple[GroupResult, list[GroupResult]]:
    """The whole group and one group per sector; with ``suppress``, small groups are hidden so that no
    count under 5 can be read or worked out from the total."""
    measured = [p for p in people if p.is_measured]
    sectors = list(PSP_SECTORS) + sorted({p.sector for p in measured} - set(PSP_SECTORS))
    members = {sector: [p for p in measured if p.sector == sector] for sector in sectors}
    hidden, total_hidden = (
        suppressed_cells({s: len(m) for s, m in members.items()}) if suppress else (set(), False)
    )
    overall = _group("all", str(_("Alle deltagere")), measured, total_hidden)
    groups = [_group(s, sector_label(s), members[s], s in hidden) for s in sectors]
    return overall, groups


@dataclass
class SatisfactionRow:
    text: str
    n: int
    mean: float | None
    distribution: list[int]
    hidden: bool


def satisfaction_summary(answers: Iterable[Answer], *, suppress: bool) -> list[SatisfactionRow]:
    """Per Likert item of the evaluation: number of answers, mean and (for administrators) the
    distribution of 1..5."""
    values: dict[int, list[int]] = defaultdict(list)
    texts: dict[int, str] = {}
    for answer in answers:
        if (
            answer.response.questionnaire.kind != QuestionnaireKind.SATISFACTION
            or answer.likert_value is None
        ):
            continue
        values[answer.item_id].append(answer.likert_value)
        texts[answer.item_id] = answer.item.text
    rows = []
    for item_id in sorted(values):
        given = values[item_id]
        hidden = suppress and len(given) < SUPPRESSION_THRESHOLD
        rows.append(
            SatisfactionRow(
                text=texts[item_id],
                n=len(given),
                mean=None if hidden else mean(given),
                distribution=[] if (suppress or hidden) else [given.count(v) for v in range(1, 6)],
                hidden=hidden,
            )
        )
    return rows


@dataclass
class TrendPoint:
    offering: Offering
    label: str
    starts_on: date | None
    group: GroupResult


def course_trend(offerings: list[Offering], answers: Iterable[Answer], *, suppress: bool) -> list[TrendPoint]:
    """Per offering (oldest first): the group's scores and gains per goal; small offerings hidden."""
    by_offering: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers:
        by_offering[answer.response.questionnaire.offering_id].append(answer)
    points = []
    for offering in offerings:
        people = [p for p in participant_results(by_offering.get(offering.pk, [])) if p.is_measured]
        hidden = suppress and len(people) < SUPPRESSION_THRESHOLD
        days = sorted(d.date for d in offering.days.all())
        points.append(
            TrendPoint(
                offering,
                offering.title,
                days[0] if days else None,
                _group(str(offering.pk), offering.title, people, hidden),
            )
        )
    return sorted(points, key=lambda p: (p.starts_on or date.max, p.offering.pk))


@dataclass
class ItemAnalysisRow:
    item_id: int
    text: str
    goal: str
    kind: str
    statistics: ItemStatistics | None
    likert_mean: float | None
    likert_n: int

    @property
    def flag_messages(self) -> list[str]:
        if self.statistics is None:
            return []
        messages = {
            "hard": _("Meget svært: færre end hver femte svarer rigtigt. Tjek formulering og facit."),
            "easy": _("Meget let: mere end ni ud af ti svarer rigtigt. Spørgsmålet måler næppe forskel."),
            "weak": _("Skiller dårligt mellem stærke og svage deltagere."),
            "negative": _("Stærke deltagere svarer oftere forkert end svage. Tjek facit."),
        }
        return [str(messages[flag]) for flag in self.statistics.flags]


def item_analysis(questionnaire: Questionnaire, answers: Iterable[Answer]) -> list[ItemAnalysisRow]:
    """Difficulty and discrimination of each multiple-choice item, and the mean of each Likert item."""
    matrix: dict[int, dict[int, int]] = defaultdict(dict)
    likert: dict[int, list[int]] = defaultdict(list)
    for answer in answers:
        if answer.response.questionnaire_id != questionnaire.pk:
            continue
        if answer.option_id is not None:
            matrix[answer.response_id][answer.item_id] = 1 if answer.option.is_correct else 0  # type: ignore[union-attr]
        elif answer.likert_value is not None:
            likert[answer.item_id].append(answer.likert_value)
    entries = list(questionnaire.entries.select_related("item").order_by("order", "pk"))
    mc_ids = [e.item_id for e in entries if e.item.kind == ItemKind.MULTIPLE_CHOICE]
    statistics = {s.item_id: s for s in item_statistics(matrix, mc_ids)}
    return [
        ItemAnalysisRow(
            item_id=e.item_id,
            text=e.item.text,
            goal=e.item.goal,
            kind=e.item.kind,
            statistics=statistics.get(e.item_id),
            likert_mean=mean(likert[e.item_id]) if e.item.kind == ItemKind.LIKERT else None,
            likert_n=len(likert[e.item_id]),
        )
        for e in entries
    ]


@dataclass
class StaffTimeRow:
    organisation: str
    sector: str
    participants: int
    planned_hours: float
    attended_hours: float

    @property
    def sector_label(self) -> str:
        return sector_label(self.sector)


def staff_time(offerings: list[Offering]) -> list[StaffTimeRow]:
    """Per organisation: participants with a seat, the hours their seats plan for, and the hours
    attended (days marked present), over the given offerings. The course is free of charge, but the
    organisations are not compensated for their staff's time."""
    day_hours: dict[int, float] = {}
    planned_per_offering: dict[int, float] = {}
    for offering in offerings:
        total = 0.0
        for day in offering.days.select_related("programme_day").prefetch_related("programme_day__sessions"):
            day_hours[day.pk] = day.programme_day.hours()
            total += day_hours[day.pk]
        planned_per_offering[offering.pk] = total
    rows: dict[int, StaffTimeRow] = {}
    people: dict[int, set[int]] = defaultdict(set)
    with unscoped("staff time per organisation: counts and hours, no person is shown"):
        enrolments = list(
            Enrolment.objects.filter(offering__in=offerings, status=EnrolmentStatus.ENROLLED).select_related(
                "organisation"
            )
        )
        present = list(
            Attendance.objects.filter(enrolment__in=[e.pk for e in enrolments], present=True).values_list(
                "enrolment_id", "day_id"
            )
        )
    attended: dict[int, float] = defaultdict(float)
    for enrolment_id, day_id in present:
        attended[enrolment_id] += day_hours.get(day_id, 0.0)
    for enrolment in enrolments:
        row = rows.setdefault(
            enrolment.organisation_id,
            StaffTimeRow(enrolment.organisation.name, enrolment.organisation.sector, 0, 0.0, 0.0),
        )
        people[enrolment.organisation_id].add(enrolment.member_id)
        row.participants = len(people[enrolment.organisation_id])
        row.planned_hours += planned_per_offering.get(enrolment.offering_id, 0.0)
        row.attended_hours += attended[enrolment.pk]
    return sorted(rows.values(), key=lambda r: (r.sector, r.organisation.casefold()))
