"""Reads of concerns and what hangs off them, limited to what the asking user may see (policies.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from samspil.cases.models import Case
from samspil.cases.selectors import cases_visible_to
from samspil.citizens.selectors import case_worker_organisations
from samspil.core.roles import Capability, Role
from samspil.core.scoping import unscoped
from samspil.organisations.models import (
    Cooperation,
    CooperationOrganisation,
    Membership,
    Organisation,
    OrganisationKind,
    Sector,
)
from samspil.organisations.selectors import cooperation_ids_with

from .models import (
    OPEN_STATUSES,
    Assessment,
    AssessmentTemplate,
    Concern,
    ConcernDisclosure,
    ConcernInvolvement,
    ConcernReview,
    ConcernSettings,
    ConcernStatus,
    ConcernTransition,
    InterventionGoal,
    InterventionPlan,
    LeadContact,
    SignOfConcern,
)
from .policies import ConcernAccess, lead_contact_cooperation_ids

_NOTHING = Q(pk__in=[])
LEAD_CONTACT_ROLES = (Role.KEY_MEMBER, Role.COORDINATOR)


def _by_role_condition(user: Any) -> Q:
    """Concerns the user would see in full (training permitting): every concern of a cooperation where
    they are lead contact; concerns their organisation is involved in (after a hand-over to the police,
    only when that organisation takes part as police)."""
    condition = _NOTHING
    lead = sorted(lead_contact_cooperation_ids(user))
    if lead:
        condition |= Q(cooperation_id__in=lead)
    pairs = case_worker_organisations(user)
    if not pairs:
        return condition
    police = defaultdict(set)
    for cooperation_id, organisation_id in CooperationOrganisation.objects.filter(
        cooperation_id__in=sorted(pairs), sector=Sector.POLICE
    ).values_list("cooperation_id", "organisation_id"):
        if organisation_id in pairs[cooperation_id]:
            police[cooperation_id].add(organisation_id)
    for cooperation_id, organisation_ids in pairs.items():
        involved = Exists(
            ConcernInvolvement.objects.filter(
                concern=OuterRef("pk"), organisation_id__in=sorted(organisation_ids), ended_at__isnull=True
            )
        )
        involved_police = Exists(
            ConcernInvolvement.objects.filter(
                concern=OuterRef("pk"),
                organisation_id__in=sorted(police[cooperation_id]),
                ended_at__isnull=True,
            )
        )
        condition |= Q(cooperation_id=cooperation_id) & (
            (~Q(status=ConcernStatus.POLICE) & Q(involved)) | Q(involved_police)
        )
    return condition


def concerns_visible_to(user: Any) -> QuerySet[Concern]:
    """Every concern the user may know of, annotated with ``by_role`` (would see the details) or not
    (the raiser's status-only view)."""
    if not getattr(user, "is_authenticated", False):
        return Concern.objects.none().scoped()
    by_role = _by_role_condition(user)
    return (
        Concern.objects.filter(by_role | Q(raised_by=user))
        .annotate(by_role=ExpressionWrapper(by_role, output_field=BooleanField()))
        .select_related("cooperation", "raised_by_organisation")
        .scoped()
    )


def concern_visible(user: Any, pk: int) -> Concern | None:
    return concerns_visible_to(user).select_related("lead_contact", "raised_by", "case").filter(pk=pk).first()


def concerns_worked_on(user: Any, *, include_closed: bool = False) -> QuerySet[Concern]:
    """The concerns the user handles (lead contact or involved), open ones first by deadline."""
    if not getattr(user, "is_authenticated", False):
        return Concern.objects.none().scoped()
    concerns = Concern.objects.filter(_by_role_condition(user))
    if not include_closed:
        concerns = concerns.exclude(status=ConcernStatus.CLOSED)
    return concerns.select_related("cooperation").order_by("step_due_at", "-raised_at", "-pk").scoped()


def cases_for_raising(user: Any, cooperation_id: int) -> QuerySet[Case]:
    """Cases the raiser knows of in the cooperation (for a frontline worker: the ones they referred)."""
    return cases_visible_to(user).filter(cooperation_id=cooperation_id).order_by("pseudonym")[:200]


def concerns_raised_by(user: Any) -> QuerySet[Concern]:
    if not getattr(user, "is_authenticated", False):
        return Concern.objects.none().scoped()
    return Concern.objects.filter(raised_by=user).order_by("-raised_at", "-pk").scoped()


def overdue_concerns(user: Any, *, now: datetime | None = None) -> QuerySet[Concern]:
    """Open concerns the user handles whose current step is past its deadline (reviews included)."""
    now = now or timezone.now()
    return (
        concerns_worked_on(user)
        .filter(status__in=OPEN_STATUSES, step_due_at__lt=now)
        .order_by("step_due_at", "pk")
    )


def reviews_due(user: Any, *, today: date | None = None) -> QuerySet[ConcernReview]:
    """Reviews that have fallen due and are not yet done, in concerns the user leads."""
    today = today or timezone.localdate()
    lead = sorted(lead_contact_cooperation_ids(user))
    return (
        ConcernReview.objects.filter(
            concern__cooperation_id__in=lead, completed_at__isnull=True, due_on__lte=today,
            concern__status=ConcernStatus.FOLLOW_UP,
        )
        .select_related("concern")
        .order_by("due_on", "pk")
        .scoped()
    )


# --- One concern's parts (the caller has checked that the user sees it in full) --------------------


def involvements_of(concern: Concern) -> QuerySet[ConcernInvolvement]:
    return (
        ConcernInvolvement.objects.filter(concern=concern, ended_at__isnull=True)
        .select_related("organisation", "added_by")
        .order_by("added_at", "pk")
        .scoped()
    )


def involvement_of(concern: Concern, pk: int) -> ConcernInvolvement | None:
    return involvements_of(concern).filter(pk=pk).first()


def disclosures_visible(user: Any, concern: Concern, access: ConcernAccess) -> QuerySet[ConcernDisclosure]:
    """Information shared in the concern: lead contacts see all of it, an involved organisation what it
    shared or received."""
    if not access.has_details:
        return ConcernDisclosure.objects.none().scoped()
    disclosures = ConcernDisclosure.objects.filter(concern=concern)
    if not access.is_lead_contact:
        mine = sorted(access.organisation_ids)
        disclosures = disclosures.filter(
            Q(source_organisation_id__in=mine) | Q(recipients__in=mine)
        ).distinct()
    return (
        disclosures.select_related("source_organisation", "shared_by")
        .prefetch_related("recipients")
        .order_by("shared_at", "pk")
        .scoped()
    )


def assessments_of(concern: Concern) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(concern=concern)
        .select_related("template", "created_by", "created_by_organisation")
        .order_by("number")
        .scoped()
    )


def assessment_of(concern: Concern, pk: int) -> Assessment | None:
    return assessments_of(concern).filter(pk=pk).first()


def transitions_of(concern: Concern) -> QuerySet[ConcernTransition]:
    return (
        ConcernTransition.objects.filter(concern=concern)
        .select_related("actor")
        .order_by("at", "pk")
        .scoped()
    )


def plan_of(concern: Concern) -> InterventionPlan | None:
    return InterventionPlan.objects.filter(concern=concern).scoped().first()


def goals_of(plan: InterventionPlan) -> QuerySet[InterventionGoal]:
    return (
        InterventionGoal.objects.filter(plan=plan)
        .select_related("responsible_organisation", "responsible_person")
        .order_by("created_at", "pk")
        .scoped()
    )


def reviews_of(concern: Concern) -> QuerySet[ConcernReview]:
    return (
        ConcernReview.objects.filter(concern=concern)
        .select_related("completed_by")
        .order_by("due_on", "pk")
        .scoped()
    )


def review_of(concern: Concern, pk: int) -> ConcernReview | None:
    return reviews_of(concern).filter(pk=pk).first()


def participating_organisations(cooperation_id: int) -> QuerySet[Organisation]:
    return Organisation.objects.filter(participations__cooperation_id=cooperation_id).order_by("name")


def cooperation_members(cooperation_id: int) -> QuerySet[Membership]:
    """Active members who work on cases in the cooperation (the people a goal can be given to)."""
    return (
        Membership.objects.filter(cooperation_id=cooperation_id, is_active=True, role__in=LEAD_CONTACT_ROLES)
        .select_related("user", "organisation")
        .order_by("user__full_name", "organisation__name")
        .scoped()
    )


def lead_contacts_of(cooperation: Cooperation) -> QuerySet[LeadContact]:
    return (
        LeadContact.objects.filter(cooperation=cooperation, ended_at__isnull=True)
        .select_related("membership__user", "membership__organisation")
        .order_by("membership__user__full_name", "pk")
        .scoped()
    )


def lead_contact_of(cooperation: Cooperation, pk: int) -> LeadContact | None:
    return lead_contacts_of(cooperation).filter(pk=pk).first()


def lead_contact_organisation_ids(cooperation_id: int) -> set[int]:
    return set(
        LeadContact.objects.filter(cooperation_id=cooperation_id, ended_at__isnull=True)
        .values_list("membership__organisation_id", flat=True)
        .scoped()
    )


def lead_contact_candidates(cooperation: Cooperation) -> QuerySet[Membership]:
    """Active key members and coordinators of the municipality or the police in the cooperation who
    are not lead contacts already (for the coordinator's page, which has checked the capability)."""
    current = LeadContact.objects.filter(cooperation=cooperation, ended_at__isnull=True).values(
        "membership_id"
    )
    return (
        Membership.objects.filter(
            cooperation=cooperation,
            is_active=True,
            role__in=LEAD_CONTACT_ROLES,
            organisation__kind__in=[OrganisationKind.MUNICIPALITY, OrganisationKind.POLICE_DISTRICT],
        )
        .exclude(pk__in=current)
        .select_related("user", "organisation")
        .order_by("user__full_name", "organisation__name")
        .scoped()
    )


# --- Configuration ----------------------------------------------------------------------------------


def settings_for(cooperation: Cooperation | int) -> ConcernSettings:
    """The cooperation's settings, or unsaved defaults when it has none yet."""
    cooperation_id = cooperation if isinstance(cooperation, int) else cooperation.pk
    found = ConcernSettings.objects.filter(cooperation_id=cooperation_id).first()
    return found or ConcernSettings(cooperation_id=cooperation_id)


def signs_available(cooperation_id: int) -> QuerySet[SignOfConcern]:
    """Shipped signs and the cooperation's own, including hidden ones (for the configuration page)."""
    return SignOfConcern.objects.filter(
        Q(cooperation__isnull=True) | Q(cooperation_id=cooperation_id)
    ).order_by("group", "sort_order", "label")


def signs_shown(cooperation_id: int) -> QuerySet[SignOfConcern]:
    hidden = settings_for(cooperation_id).hidden_signs or []
    return signs_available(cooperation_id).exclude(
        code__in=[code for code in hidden if isinstance(code, str)]
    )


def templates_in_use(cooperation_id: int | None) -> list[AssessmentTemplate]:
    """The newest active version of every template available in the cooperation (shipped and own)."""
    available = AssessmentTemplate.objects.filter(is_active=True).filter(
        Q(cooperation__isnull=True) | Q(cooperation_id=cooperation_id)
    )
    newest = available.values("code").annotate(latest=Max("version"))
    wanted = Q(pk__in=[])
    for row in newest:
        wanted |= Q(code=row["code"], version=row["latest"])
    return list(available.filter(wanted).order_by("name"))


def templates_visible_to(user: Any) -> QuerySet[AssessmentTemplate]:
    """Every version of the shipped templates and of the templates of the user's cooperations."""
    cooperation_ids = sorted(cooperation_ids_with(user, Capability.VIEW_COOPERATION))
    return AssessmentTemplate.objects.filter(
        Q(cooperation__isnull=True) | Q(cooperation_id__in=cooperation_ids)
    ).order_by("name", "code", "-version")


def template_for_concern(concern: Concern, pk: int) -> AssessmentTemplate | None:
    return next((t for t in templates_in_use(concern.cooperation_id) if t.pk == pk), None)


def default_template(concern: Concern) -> AssessmentTemplate | None:
    templates = templates_in_use(concern.cooperation_id)
    code = settings_for(concern.cooperation_id).default_template_code
    return next((t for t in templates if t.code == code), templates[0] if templates else None)


def latest_version(code: str) -> int:
    return AssessmentTemplate.objects.filter(code=code).aggregate(latest=Max("version"))["latest"] or 0


# --- Infohus Netværk: counts without personal data -------------------------------------------------


def network_districts_for(user: Any) -> list[Organisation]:
    """Police districts of the cooperations the user may view: a district is linked to a cooperation
    when its municipality belongs to the district or the district takes part in it."""
    cooperation_ids = sorted(cooperation_ids_with(user, Capability.VIEW_COOPERATION))
    if not cooperation_ids:
        return []
    return list(
        Organisation.objects.filter(kind=OrganisationKind.POLICE_DISTRICT)
        .filter(
            Q(participations__cooperation_id__in=cooperation_ids)
            | Q(district_municipalities__cooperations__id__in=cooperation_ids)
        )
        .distinct()
        .order_by("name")
    )


def district_municipalities(district: Organisation) -> list[Organisation]:
    return list(
        Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
        .filter(Q(police_district=district) | Q(cooperations__participations__organisation=district))
        .distinct()
        .order_by("name")
    )


@dataclass(frozen=True)
class Period:
    label: str
    starts: datetime
    ends: datetime


def count_raised(municipality_ids: list[int], periods: list[Period]) -> dict[tuple[int, int], int]:
    """Concerns raised per (municipality id, period index). Aggregates only: no row leaves here."""
    counts: dict[tuple[int, int], int] = {}
    with unscoped("Infohus Netværk: counts per municipality and quarter, no personal data"):
        for index, period in enumerate(periods):
            rows = (
                Concern.objects.filter(
                    cooperation__municipality_id__in=municipality_ids,
                    raised_at__gte=period.starts,
                    raised_at__lt=period.ends,
                )
                .values("cooperation__municipality_id")
                .annotate(n=Count("pk"))
                .order_by()
            )
            for row in rows:
                counts[(row["cooperation__municipality_id"], index)] = row["n"]
    return counts


def count_concluded(municipality_ids: list[int], periods: list[Period]) -> dict[tuple[str, int], int]:
    """Concerns concluded per (outcome, period index) across the municipalities: decided as unfounded,
    an intervention or handed to the police; or closed without a decision."""
    counts: dict[tuple[str, int], int] = {}
    with unscoped("Infohus Netværk: counts per outcome and quarter, no personal data"):
        rows = (
            Concern.objects.filter(cooperation__municipality_id__in=municipality_ids)
            .filter(Q(decided_at__isnull=False) | Q(closed_at__isnull=False))
            .values_list("decision", "decided_at", "closed_at")
            .order_by()
        )
        for decision, decided_at, closed_at in rows:
            outcome = decision or "closed_otherwise"
            moment = decided_at or closed_at
            for index, period in enumerate(periods):
                if period.starts <= moment < period.ends:
                    counts[(outcome, index)] = counts.get((outcome, index), 0) + 1
    return counts
