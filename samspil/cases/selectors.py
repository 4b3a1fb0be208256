"""Reads of cases and what hangs off them, limited to what the asking user may see (rules: policies.py).

List and panel queries do not grow with the number of rows: everything a row shows is joined or
annotated in the one query (plus Django's count for pagination).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import timezone

from samspil.citizens.cpr import cpr_lookup_hash
from samspil.citizens.names import fold_name
from samspil.citizens.selectors import case_worker_organisations
from samspil.core.roles import Capability, Role, role_has_capability
from samspil.organisations.models import Membership, Organisation
from samspil.organisations.selectors import membership_list

from .models import (
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
from .policies import CaseAccess

_NOTHING = Q(pk__in=[])


def _details_condition(user: Any) -> Q:
    """Cases the user sees in full: an own organisation actively involved, per cooperation."""
    condition = _NOTHING
    for cooperation_id, organisation_ids in case_worker_organisations(user).items():
        involved = Involvement.objects.filter(
            case=OuterRef("pk"), organisation_id__in=sorted(organisation_ids), ended_at__isnull=True
        )
        condition |= Q(cooperation_id=cooperation_id) & Q(Exists(involved))
    return condition


def _existence_condition(user: Any) -> Q:
    """Cases the user only knows exist: all of a coordinator's cooperation, a frontline worker's referrals."""
    memberships = membership_list(user)
    coordinated = sorted(
        {
            m.cooperation_id
            for m in memberships
            if m.cooperation_id and role_has_capability(m.role, Capability.CONFIGURE_COOPERATION)
        }
    )
    referring = sorted(
        {m.cooperation_id for m in memberships if m.cooperation_id and m.role == Role.FRONTLINE_WORKER}
    )
    condition = _NOTHING
    if coordinated:
        condition |= Q(cooperation_id__in=coordinated)
    if referring:
        condition |= Q(cooperation_id__in=referring, referred_by=user)
    return condition


def _open_tasks_overdue(today: date) -> Exists:
    return Exists(Task.objects.filter(case=OuterRef("pk"), status=TaskStatus.OPEN, due_date__lt=today))


def _active_flags() -> Exists:
    return Exists(Flag.objects.filter(case=OuterRef("pk"), is_active=True))


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """Every case the user may know of, each annotated with ``has_details`` (full view) or not (a list
    row with pseudonym and state; for a referrer also the lead organisation)."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none().scoped()
    details = _details_condition(user)
    return (
        Case.objects.filter(details | _existence_condition(user))
        .annotate(has_details=ExpressionWrapper(details, output_field=BooleanField()))
        .scoped()
    )


def cases_with_details_for(user: Any) -> QuerySet[Case]:
    """Cases the user sees in full."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none().scoped()
    return Case.objects.filter(_details_condition(user)).scoped()


def case_visible(user: Any, pk: int) -> Case | None:
    """One case the user may know of (any level), with what its header shows, or None (-> 404)."""
    return (
        cases_visible_to(user)
        .select_related("cooperation", "lead_organisation", "citizen", "referred_by")
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class CaseCriteria:
    """What the case list is filtered and searched by. ``cpr`` is never stored or logged."""

    state: str = ""
    organisation: int | None = None
    mine: bool = False
    overdue: bool = False
    flagged: bool = False
    name: str = ""
    cpr: str = ""  # normalised digits, only for the POST search

    def criterion_kinds(self) -> list[str]:
        """The kinds of criteria given, for the audit event: names of filters, never their values."""
        kinds = [k for k in ("state", "organisation", "mine", "overdue", "flagged") if getattr(self, k)]
        if self.name:
            kinds.append("name")
        if self.cpr:
            kinds.append("cpr")
        return kinds


def cases_search(user: Any, criteria: CaseCriteria, *, today: date | None = None) -> QuerySet[Case]:
    """The case list: visible cases narrowed by the criteria, newest first. Paginate it (its count is the
    pager's) and fetch the page's rows with ``case_list_rows``.

    Criteria about a case's content (organisation, my cases, overdue tasks, flags, a citizen's name or
    CPR number) only match cases the user sees in full, so a coordinator cannot learn by searching
    anything about a case they only know exists. The pseudonym matches at every level.
    """
    today = today or timezone.localdate()
    details = _details_condition(user)
    cases = cases_visible_to(user)
    if criteria.state:
        cases = cases.filter(state=criteria.state)
    if criteria.organisation is not None:
        cases = cases.filter(
            details,
            Exists(
                Involvement.objects.filter(
                    case=OuterRef("pk"), organisation_id=criteria.organisation, ended_at__isnull=True
                )
            ),
        )
    if criteria.mine:
        cases = cases.filter(
            details,
            Q(opened_by=user)
            | Q(Exists(Task.objects.filter(case=OuterRef("pk"), owner=user, status=TaskStatus.OPEN))),
        )
    if criteria.overdue:
        cases = cases.filter(details, _open_tasks_overdue(today))
    if criteria.flagged:
        cases = cases.filter(details, _active_flags())
    if criteria.name:
        folded = fold_name(criteria.name)
        cases = cases.filter(
            Q(pseudonym__icontains=criteria.name.strip())
            | (details & Q(citizen__search_name__contains=folded))
        )
    if criteria.cpr:
        cases = cases.filter(details, citizen__cpr_lookup=cpr_lookup_hash(criteria.cpr))
    return cases.order_by("-opened_at", "-pk")


def case_list_rows(user: Any, page: QuerySet[Case], *, today: date | None = None) -> QuerySet[Case]:
    """The rows of one page of ``cases_search`` (its sliced queryset), with what each row shows.

    Still one query: the page is a subquery, and the per-row annotations are computed for its rows only.
    Annotated on the whole search instead, PostgreSQL plans them for every matching case and hashes every
    open overdue task and active flag in the database to show one page, which grows with the national
    data (docs/benchmarks.md, "Cases at national scale").
    """
    today = today or timezone.localdate()
    return (
        cases_visible_to(user)
        .filter(pk__in=page.values("pk"))
        .select_related("lead_organisation", "citizen")
        .annotate(has_overdue_tasks=_open_tasks_overdue(today), has_flags=_active_flags())
        .order_by("-opened_at", "-pk")
    )


def involvements_of(case: Case) -> QuerySet[Involvement]:
    """Active involvements of a case the caller has checked the user may see in full."""
    return (
        Involvement.objects.filter(case=case, ended_at__isnull=True)
        .select_related("organisation")
        .order_by("-is_lead", "organisation__name")
        .scoped()
    )


def flags_of(case: Case) -> QuerySet[Flag]:
    return (
        Flag.objects.filter(case=case, is_active=True)
        .select_related("organisation")
        .order_by("created_at", "pk")
        .scoped()
    )


def flag_of(case: Case, pk: int) -> Flag | None:
    return flags_of(case).filter(pk=pk).first()


def journal_entries_visible_to(user: Any, case: Case, access: CaseAccess) -> QuerySet[JournalEntry]:
    """The entries of the user's own organisations, and entries shared in the cooperation unless every
    membership through which the user works on the case is investigative."""
    if not access.has_details:
        return JournalEntry.objects.none().scoped()
    condition = Q(organisation_id__in=sorted(access.organisation_ids))
    if access.reads_shared_entries:
        condition |= Q(visibility=EntryVisibility.SHARED)
    return (
        JournalEntry.objects.filter(condition, case=case)
        .select_related("organisation", "author", "edited_by")
        .order_by("-created_at", "-pk")
        .scoped()
    )


def journal_entry_editable_by(user: Any, case: Case, access: CaseAccess, pk: int) -> JournalEntry | None:
    """An entry the user may edit: one of their own organisations' entries, not yet shared."""
    return (
        journal_entries_visible_to(user, case, access)
        .filter(
            pk=pk,
            organisation_id__in=sorted(access.organisation_ids),
            visibility=EntryVisibility.OWN_ORGANISATION,
        )
        .first()
    )


def tasks_of(case: Case) -> QuerySet[Task]:
    return (
        Task.objects.filter(case=case)
        .select_related("owner_organisation", "owner")
        .order_by("status", "due_date", "pk")
        .scoped()
    )


def task_of(case: Case, pk: int) -> Task | None:
    return tasks_of(case).filter(pk=pk).first()


def state_changes_of(case: Case) -> QuerySet[StateChange]:
    return StateChange.objects.filter(case=case).select_related("actor").order_by("changed_at", "pk").scoped()


def cooperation_organisations(case: Case) -> QuerySet[Organisation]:
    """Organisations taking part in the case's cooperation: the only ones that can be involved."""
    return Organisation.objects.filter(participations__cooperation_id=case.cooperation_id).order_by("name")


def case_worker_members(cooperation_id: int) -> QuerySet[Membership]:
    """Active key members and coordinators of a cooperation: the people a task can be given to."""
    roles = [role for role in Role.values if role_has_capability(role, Capability.OPEN_CASE)]
    return (
        Membership.objects.filter(cooperation_id=cooperation_id, is_active=True, role__in=roles)
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__full_name")
        .scoped()
    )


def frontline_members(cooperation_id: int) -> QuerySet[Membership]:
    """Active frontline workers of a cooperation: who may be recorded as having referred a case."""
    return (
        Membership.objects.filter(cooperation_id=cooperation_id, is_active=True, role=Role.FRONTLINE_WORKER)
        .select_related("user", "organisation")
        .order_by("user__full_name")
        .scoped()
    )


def _open_tasks_for(user: Any) -> QuerySet[Task]:
    return (
        Task.objects.filter(status=TaskStatus.OPEN, case__in=cases_with_details_for(user).values("pk"))
        .select_related("case", "owner_organisation", "owner")
        .scoped()
    )


def my_open_tasks(user: Any) -> QuerySet[Task]:
    """Open tasks the user owns, in cases they see in full, soonest deadline first (none last)."""
    if not getattr(user, "is_authenticated", False):
        return Task.objects.none().scoped()
    return _open_tasks_for(user).filter(owner=user).order_by(F("due_date").asc(nulls_last=True), "pk")


def overdue_tasks(user: Any, *, today: date | None = None) -> QuerySet[Task]:
    """Open tasks past their deadline that belong to one of the user's organisations (the person's own
    and their colleagues'), in cases the user sees in full; oldest deadline first."""
    if not getattr(user, "is_authenticated", False):
        return Task.objects.none().scoped()
    today = today or timezone.localdate()
    condition = _NOTHING
    for cooperation_id, organisation_ids in case_worker_organisations(user).items():
        condition |= Q(
            case__cooperation_id=cooperation_id, owner_organisation_id__in=sorted(organisation_ids)
        )
    return _open_tasks_for(user).filter(condition, due_date__lt=today).order_by("due_date", "pk")


def anonymous_cases_due_for_purge(now: datetime) -> QuerySet[Case]:
    """System selector for the retention job: anonymous discussions never identified within their
    cooperation's ``anonymous_discussion_retention_days`` (counted from when they were opened), including
    ones closed without being identified.

    Marked scoped because the retention rule itself is the scope; only system jobs call this.
    """
    never_identified = Q(
        citizen__isnull=True, identified_at__isnull=True, state__in=[CaseState.ANONYMOUS, CaseState.CLOSED]
    )
    days_in_use = sorted(
        set(
            Case.objects.filter(never_identified)
            .values_list("cooperation__anonymous_discussion_retention_days", flat=True)
            .scoped()
        )
    )
    condition = _NOTHING
    for days in days_in_use:
        condition |= Q(
            cooperation__anonymous_discussion_retention_days=days, opened_at__lt=now - timedelta(days=days)
        )
    return Case.objects.filter(never_identified, condition).scoped()

