"""Reads for the training course, limited to what the asking user may see.

- Courses, programmes and offerings open for enrolment are visible to every signed-in member: the
  course serves every cooperation in the country. Planned (not yet open) offerings are visible only to
  course administrators.
- A member sees their own enrolments, attendance, completions and answers.
- A course administrator sees everything about the offerings they run.
- A coordinator sees the enrolments of their own cooperation's members (to nominate and follow up),
  grants waivers to them, and sees aggregated results only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samspil.core.roles import Capability
from samspil.core.scoping import unscoped
from samspil.organisations.models import Membership
from samspil.organisations.policies import has_capability
from samspil.organisations.selectors import cooperation_ids_with, members_visible_to, membership_list

from .models import (
    Answer,
    AttestationKind,
    Completion,
    Course,
    Enrolment,
    EnrolmentStatus,
    Goal,
    Item,
    ItemOption,
    Material,
    Module,
    Offering,
    OfferingDay,
    OfferingStatus,
    Presenter,
    ProgrammeDay,
    Questionnaire,
    QuestionnaireItem,
    Response,
    Session,
    TrainingAttestation,
)

# --- who may do what ---------------------------------------------------------------------------------------


def is_course_administrator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and has_capability(
        user, Capability.ADMINISTER_COURSES
    )


def can_view_course_results(user: Any) -> bool:
    """Aggregated results (groups under 5 hidden) are for coordinators and course administrators."""
    return is_course_administrator(user) or has_capability(user, Capability.VIEW_COURSE_RESULTS)


def enrolment_memberships(user: Any) -> list[Membership]:
    """The user's memberships they can take part in a course for: those within a cooperation."""
    return [m for m in membership_list(user) if m.cooperation_id is not None]


def nominating_cooperation_ids(user: Any) -> set[int]:
    return cooperation_ids_with(user, Capability.NOMINATE_FOR_COURSES)


# --- courses and programmes (not personal data) ------------------------------------------------------------


def courses() -> QuerySet[Course]:
    return Course.objects.order_by("title")


def course_get(pk: int) -> Course | None:
    return Course.objects.filter(pk=pk).first()


def programme(course: Course) -> QuerySet[ProgrammeDay]:
    """The course's days with sessions, modules, their goals and presenters, in order (4 queries)."""
    modules = Module.objects.prefetch_related("goals", "presenters").order_by("order", "pk")
    sessions = Session.objects.prefetch_related(Prefetch("modules", queryset=modules)).order_by("starts_at")
    return course.days.prefetch_related(Prefetch("sessions", queryset=sessions)).order_by("number")


def goal_coverage(course: Course) -> dict[str, list[Module]]:
    """For each goal, the modules that serve it (an empty list: the goal has no module)."""
    coverage: dict[str, list[Module]] = {goal: [] for goal in Goal.values}
    for module in (
        Module.objects.filter(session__day__course=course)
        .prefetch_related("goals")
        .order_by("session__day__number", "session__starts_at", "order")
    ):
        for goal in module.goal_list:
            coverage[goal].append(module)
    return coverage


def uncovered_goals(course: Course) -> list[Goal]:
    return [Goal(goal) for goal, modules in goal_coverage(course).items() if not modules]


def course_hours(course: Course) -> float:
    return sum(day.hours() for day in programme(course))


def day_get(pk: int) -> ProgrammeDay | None:
    return ProgrammeDay.objects.select_related("course").filter(pk=pk).first()


def session_get(pk: int) -> Session | None:
    return Session.objects.select_related("day__course").filter(pk=pk).first()


def module_get(pk: int) -> Module | None:
    return (
        Module.objects.select_related("session__day__course")
        .prefetch_related("goals", "presenters")
        .filter(pk=pk)
        .first()
    )


def presenters() -> QuerySet[Presenter]:
    return Presenter.objects.order_by("name")


def presenter_get(pk: int) -> Presenter | None:
    return Presenter.objects.filter(pk=pk).first()


# --- offerings ---------------------------------------------------------------------------------------------


def offerings_visible_to(user: Any, course: Course | None = None) -> QuerySet[Offering]:
    offerings = Offering.objects.select_related("course").prefetch_related(
        Prefetch("days", queryset=OfferingDay.objects.select_related("programme_day").order_by("date"))
    )
    if course is not None:
        offerings = offerings.filter(course=course)
    if not is_course_administrator(user):
        offerings = offerings.exclude(status=OfferingStatus.PLANNED)
    return offerings.order_by("-registration_deadline", "pk")


def offering_visible_to(user: Any, pk: int) -> Offering | None:
    return offerings_visible_to(user).filter(pk=pk).first()


def offering_days(offering: Offering) -> list[OfferingDay]:
    return list(offering.days.select_related("programme_day").order_by("date", "programme_day__number"))


@dataclass(frozen=True)
class SeatSummary:
    capacity: int
    enrolled: int
    waitlisted: int
    sector_limit: int | None
    by_sector: dict[str, int]

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.enrolled)


def offering_seats(offering: Offering) -> SeatSummary:
    """Counts only (no people): seats taken in total and per sector, and the waitlist's length."""
    with unscoped("seat counts reveal no person"):
        rows = list(
            Enrolment.objects.filter(offering=offering)
            .exclude(status=EnrolmentStatus.CANCELLED)
            .values_list("status", "sector")
        )
    enrolled = Counter(sector for status, sector in rows if status == EnrolmentStatus.ENROLLED)
    return SeatSummary(
        capacity=offering.capacity,
        enrolled=sum(enrolled.values()),
        waitlisted=sum(1 for status, _sector in rows if status == EnrolmentStatus.WAITLISTED),
        sector_limit=offering.sector_seat_limit(),
        by_sector=dict(enrolled),
    )


# --- enrolments --------------------------------------------------------------------------------------------


def enrolments_of(user: Any) -> QuerySet[Enrolment]:
    """The user's own enrolments (any status), newest offering first."""
    if not getattr(user, "is_authenticated", False):
        return Enrolment.objects.none().scoped()
    return (
        Enrolment.objects.filter(member=user)
        .select_related("offering__course", "organisation")
        .order_by("-offering__registration_deadline")
        .scoped()
    )


def enrolment_of(user: Any, offering: Offering) -> Enrolment | None:
    return enrolments_of(user).filter(offering=offering).first()


def waitlist_rank(enrolment: Enrolment) -> int | None:
    """1 for the first on the waitlist; None when not waitlisted."""
    if enrolment.status != EnrolmentStatus.WAITLISTED or enrolment.position is None:
        return None
    with unscoped("a waitlist rank is a count of others, not their data"):
        ahead = Enrolment.objects.filter(
            offering_id=enrolment.offering_id,
            status=EnrolmentStatus.WAITLISTED,
            position__lt=enrolment.position,
        ).count()
    return ahead + 1


def offering_enrolments(user: Any, offering: Offering) -> QuerySet[Enrolment]:
    """Every enrolment on the offering, for a course administrator; nothing for anyone else."""
    if not is_course_administrator(user):
        return Enrolment.objects.none().scoped()
    return (
        Enrolment.objects.filter(offering=offering)
        .select_related("member", "organisation", "cooperation", "nominated_by")
        .order_by("status", "position", "member__full_name", "pk")
        .scoped()
    )


def cooperation_enrolments(user: Any, offering: Offering) -> QuerySet[Enrolment]:
    """Enrolments on the offering made for the coordinator's cooperation(s)."""
    ids = nominating_cooperation_ids(user)
    if not ids:
        return Enrolment.objects.none().scoped()
    return (
        Enrolment.objects.filter(offering=offering, cooperation_id__in=sorted(ids))
        .select_related("member", "organisation", "cooperation")
        .order_by("status", "member__full_name", "pk")
        .scoped()
    )


def enrolment_for_administrator(user: Any, pk: int) -> Enrolment | None:
    if not is_course_administrator(user):
        return None
    return (
        Enrolment.objects.filter(pk=pk)
        .select_related("member", "offering__course", "organisation")
        .scoped()
        .first()
    )


def enrolment_cancellable_by(user: Any, pk: int) -> Enrolment | None:
    """An enrolment the user may cancel: their own, one for their cooperation as coordinator, or any
    as course administrator. None means: does not exist for this user."""
    if not getattr(user, "is_authenticated", False):
        return None
    visible = Q(member=user) | Q(cooperation_id__in=sorted(nominating_cooperation_ids(user)))
    enrolments = Enrolment.objects.filter(pk=pk)
    if not is_course_administrator(user):
        enrolments = enrolments.filter(visible)
    return enrolments.select_related("member", "offering__course").scoped().first()


def nominable_memberships(user: Any) -> list[Membership]:
    """Active memberships the coordinator may nominate: members of the cooperations they coordinate."""
    from samspil.organisations.selectors import cooperation_get

    result: list[Membership] = []
    for cooperation_id in sorted(nominating_cooperation_ids(user)):
        cooperation = cooperation_get(cooperation_id)
        if cooperation is not None:
            result.extend(members_visible_to(user, cooperation))
    return result


# --- attendance and completion -----------------------------------------------------------------------------


def attendance_sheet(user: Any, offering: Offering) -> QuerySet[Enrolment]:
    """Enrolled participants with their attendance, for a course administrator."""
    return (
        offering_enrolments(user, offering)
        .filter(status=EnrolmentStatus.ENROLLED)
        .prefetch_related("attendances", "session_attendances")
        .select_related("completion")
        .order_by("member__full_name", "pk")
    )


def completions_of(user: Any) -> QuerySet[Completion]:
    if not getattr(user, "is_authenticated", False):
        return Completion.objects.none().scoped()
    return Completion.objects.filter(member=user).select_related("course", "offering").scoped()


def completion_for_certificate(user: Any, pk: int) -> Completion | None:
    """The member's own completion, or any for a course administrator."""
    completions = Completion.objects.filter(pk=pk).select_related("member", "course", "offering")
    if not is_course_administrator(user):
        completions = completions.filter(member=user)
    return completions.scoped().first()


def normalise_code(raw: str) -> str:
    """What a person typed, as a stored code: without spaces and dashes, upper case."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def completion_by_code(raw: str) -> Completion | None:
    """The completion a verification code belongs to (the code is the authority); malformed codes
    are not looked up."""
    code = normalise_code(raw)
    if len(code) != 16 or not all(ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for ch in code):
        return None
    with unscoped("the public verification page: a long random code identifies one certificate"):
        return Completion.objects.filter(verification_code=code).select_related("member", "course").first()


# --- the training gate -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingStatus:
    is_valid: bool
    valid_until: datetime | None
    basis: str  # "completion", an AttestationKind value, or "" when not valid
    refresher_due: bool  # valid, but ends within the notice period

    @property
    def basis_label(self) -> str:
        if self.basis == "completion":
            return str(_("Gennemført kursus i Samspil"))
        if self.basis:
            return str(AttestationKind(self.basis).label)
        return ""


def training_status(user: Any, at: datetime | None = None) -> TrainingStatus:
    """Whether the user's training counts for concern cases at ``at``, until when, and on what basis.

    A completion of a course that counts for concerns is valid for the course's period (default
    ``SAMSPIL_TRAINING_VALID_YEARS``) unless revoked; an attestation (course taken elsewhere, or a
    coordinator's waiver) is valid between its start and expiry unless revoked. The latest end wins.
    """
    at = at or timezone.now()
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return TrainingStatus(False, None, "", False)
    candidates: list[tuple[datetime, str]] = []
    completions = Completion.objects.filter(
        member=user, revoked_at__isnull=True, course__counts_for_concerns=True, completed_at__lte=at
    ).select_related("course")
    for completion in completions.scoped():
        if completion.valid_until > at:
            candidates.append((completion.valid_until, "completion"))
    attestations = TrainingAttestation.objects.filter(
        member=user, revoked_at__isnull=True, valid_from__lte=at, expires_at__gt=at
    )
    for attestation in attestations.scoped():
        candidates.append((attestation.expires_at, attestation.kind))
    if not candidates:
        return TrainingStatus(False, None, "", False)
    valid_until, basis = max(candidates)
    notice = timedelta(days=settings.SAMSPIL_TRAINING_REFRESHER_NOTICE_DAYS)
    return TrainingStatus(True, valid_until, basis, valid_until - at <= notice)


def has_valid_radicalisation_training(user: Any, at: datetime | None = None) -> bool:
    """The training gate for concern cases: True while the user holds a valid course completion,
    a registered course taken elsewhere, or a coordinator's waiver (see ``training_status``)."""
    return training_status(user, at=at).is_valid


def attestations_visible_to(user: Any) -> QuerySet[TrainingAttestation]:
    """Waivers and registered courses for members of the coordinator's cooperations, or all for a
    course administrator."""
    attestations = TrainingAttestation.objects.select_related("member", "granted_by", "cooperation")
    if not is_course_administrator(user):
        ids = cooperation_ids_with(user, Capability.WAIVE_TRAINING)
        if not ids:
            return TrainingAttestation.objects.none().scoped()
        attestations = attestations.filter(cooperation_id__in=sorted(ids))
    return attestations.order_by("-created_at").scoped()


def waivable_memberships(user: Any) -> list[Membership]:
    from samspil.organisations.selectors import cooperation_get

    result: list[Membership] = []
    for cooperation_id in sorted(cooperation_ids_with(user, Capability.WAIVE_TRAINING)):
        cooperation = cooperation_get(cooperation_id)
        if cooperation is not None:
            result.extend(members_visible_to(user, cooperation))
    return result


# --- questionnaires ----------------------------------------------------------------------------------------


def items() -> QuerySet[Item]:
    return Item.objects.prefetch_related(
        Prefetch("options", queryset=ItemOption.objects.order_by("order", "pk"))
    )


def item_get(pk: int) -> Item | None:
    return items().filter(pk=pk).first()


def item_is_answered(item: Item) -> bool:
    with unscoped("whether an item has answers, not what they are"):
        return Answer.objects.filter(item=item).exists()


def questionnaire_get(offering: Offering, kind: str) -> Questionnaire | None:
    return Questionnaire.objects.filter(offering=offering, kind=kind).first()


def questionnaire_entries(questionnaire: Questionnaire) -> list[QuestionnaireItem]:
    options = ItemOption.objects.order_by("order", "pk")
    return list(
        questionnaire.entries.select_related("item")
        .prefetch_related(Prefetch("item__options", queryset=options))
        .order_by("order", "pk")
    )


def questionnaire_has_responses(questionnaire: Questionnaire) -> bool:
    with unscoped("whether a questionnaire has responses, not what they are"):
        return Response.objects.filter(questionnaire=questionnaire).exists()


def questionnaire_for_participant(user: Any, pk: int) -> tuple[Questionnaire, Enrolment] | None:
    """A questionnaire of an offering the user is enrolled on, with the enrolment; None otherwise."""
    questionnaire = Questionnaire.objects.select_related("offering__course").filter(pk=pk).first()
    if questionnaire is None:
        return None
    enrolment = (
        enrolments_of(user).filter(offering=questionnaire.offering, status=EnrolmentStatus.ENROLLED).first()
    )
    if enrolment is None:
        return None
    return questionnaire, enrolment


def response_of(user: Any, questionnaire: Questionnaire) -> Response | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Response.objects.filter(questionnaire=questionnaire, participant=user).scoped().first()


@dataclass(frozen=True)
class QuestionnaireTask:
    questionnaire: Questionnaire
    answered: bool


def questionnaire_tasks(user: Any, at: datetime | None = None) -> list[QuestionnaireTask]:
    """Questionnaires of the user's offerings that are open now, answered or not."""
    at = at or timezone.now()
    offering_ids = list(
        enrolments_of(user).filter(status=EnrolmentStatus.ENROLLED).values_list("offering_id", flat=True)
    )
    open_now = (
        Questionnaire.objects.filter(offering_id__in=offering_ids, opens_at__lte=at, deadline__gt=at)
        .select_related("offering__course")
        .order_by("deadline")
    )
    answered = set(
        Response.objects.filter(participant=user, questionnaire__in=open_now)
        .scoped()
        .values_list("questionnaire_id", flat=True)
    )
    return [QuestionnaireTask(q, q.pk in answered) for q in open_now]


def response_visible_to(user: Any, pk: int) -> Response | None:
    """A response for its participant or a course administrator; None (404) for anyone else."""
    responses = Response.objects.filter(pk=pk).select_related(
        "participant", "questionnaire__offering__course"
    )
    if not is_course_administrator(user):
        if not getattr(user, "is_authenticated", False):
            return None
        responses = responses.filter(participant=user)
    return responses.scoped().first()


def response_answers(response: Response) -> list[Answer]:
    return list(response.answers.select_related("item", "option").order_by("item__goal", "item_id"))


def offering_answers(user: Any, offering: Offering) -> QuerySet[Answer]:
    """Every answer given on the offering's questionnaires, for a course administrator only."""
    if not is_course_administrator(user):
        return Answer.objects.none().scoped()
    return (
        Answer.objects.filter(response__questionnaire__offering=offering)
        .select_related(
            "item",
            "option",
            "response__questionnaire",
            "response__enrolment__member",
            "response__enrolment__organisation",
        )
        .scoped()
    )


def answers_for_aggregation(offerings: list[Offering]) -> QuerySet[Answer]:
    """Answers for computing aggregates. Callers show individual rows only to course administrators
    and suppress small groups for everyone else (see reports)."""
    return (
        Answer.objects.filter(response__questionnaire__offering_id__in=[o.pk for o in offerings])
        .select_related("item", "option", "response__questionnaire", "response__enrolment__organisation")
        .scoped()
    )


# --- materials ---------------------------------------------------------------------------------------------


def can_see_materials(user: Any, course: Course) -> bool:
    """Course administrators, and members with a seat on one of the course's offerings."""
    if is_course_administrator(user):
        return True
    return enrolments_of(user).filter(offering__course=course, status=EnrolmentStatus.ENROLLED).exists()


def materials_of(course: Course) -> QuerySet[Material]:
    return course.materials.select_related("uploaded_by").order_by("title", "pk")


def material_get(pk: int) -> Material | None:
    return Material.objects.select_related("course").filter(pk=pk).first()
