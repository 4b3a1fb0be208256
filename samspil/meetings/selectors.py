"""Reads of meetings, limited to what the asking user may see (rules: policies.py).

The agenda and minutes pages are built here in a fixed number of queries, whatever the number of items
and carried-over actions: items, the involvements of every case shown, the minutes, decisions, actions
and reviews each come in one query, and need-to-know is decided in Python from those rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from samspil.cases.models import Case, Involvement
from samspil.cases.policies import CaseAccess
from samspil.core.roles import Capability, Role, role_has_capability
from samspil.organisations.models import CooperationGroup, Membership, Organisation

from .models import (
    Action,
    ActionReview,
    ActionStatus,
    Addendum,
    AgendaItem,
    AgendaItemStatus,
    Attendance,
    CalendarFeed,
    Decision,
    DischargeMeeting,
    DischargeStatus,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MinutesEntry,
    MinutesRevision,
    ReferrerFeedback,
)
from .policies import item_access, meeting_cooperation_ids

# --- Meetings and series ------------------------------------------------------------------------------------


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(cooperation_id__in=sorted(meeting_cooperation_ids(user)))
        .select_related("series", "series__group", "cooperation", "chair", "secretary")
        .order_by("starts_at", "pk")
    )


def meeting_visible(user: Any, pk: int) -> Meeting | None:
    return meetings_visible_to(user).filter(pk=pk).first()


def series_visible_to(user: Any) -> QuerySet[MeetingSeries]:
    return (
        MeetingSeries.objects.filter(cooperation_id__in=sorted(meeting_cooperation_ids(user)))
        .select_related("cooperation", "group")
        .order_by("cooperation__name", "name")
    )


def series_visible(user: Any, pk: int) -> MeetingSeries | None:
    return series_visible_to(user).filter(pk=pk).first()


def groups_without_series(cooperation_id: int) -> QuerySet[CooperationGroup]:
    return CooperationGroup.objects.filter(
        cooperation_id=cooperation_id, meeting_series__isnull=True
    ).order_by("kind", "name")


def upcoming_meetings(user: Any, *, now: datetime | None = None, limit: int = 5) -> list[Meeting]:
    now = now or timezone.now()
    return list(
        meetings_visible_to(user)
        .filter(starts_at__gte=now - timedelta(hours=12))
        .exclude(status=MeetingStatus.CLOSED)[:limit]
    )


def meetings_open_for_proposals(case: Case) -> QuerySet[Meeting]:
    """Planned meetings of the case's cooperation that take cases (not steering groups), soonest first.

    A meeting planned for today still takes proposals after its start time until it is opened (held):
    meetings often start late, and the agenda is not closed until then."""
    start_of_today = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    return (
        Meeting.objects.filter(
            cooperation_id=case.cooperation_id, status=MeetingStatus.PLANNED, starts_at__gte=start_of_today
        )
        .exclude(series__group__kind="steering")
        .select_related("series")
        .order_by("starts_at", "pk")
    )


def case_workers_of(cooperation_id: int, organisation_id: int | None = None) -> QuerySet[Membership]:
    """Active key members and coordinators of a cooperation (optionally of one organisation)."""
    roles = [role for role in Role.values if role_has_capability(role, Capability.OPEN_CASE)]
    members = Membership.objects.filter(cooperation_id=cooperation_id, is_active=True, role__in=roles)
    if organisation_id is not None:
        members = members.filter(organisation_id=organisation_id)
    return (
        members.select_related("user", "organisation")
        .order_by("organisation__name", "user__full_name")
        .scoped()
    )


def invitees_of(meeting: Meeting) -> list[Membership]:
    """Who is invited: the active case workers in the series' group, or every case worker of the
    cooperation when the group has no members yet. One row per person (their first organisation)."""
    members = list(case_workers_of(meeting.cooperation_id).filter(groups=meeting.series.group_id))
    if not members:
        members = list(case_workers_of(meeting.cooperation_id))
    by_person: dict[int, Membership] = {}
    for membership in members:
        by_person.setdefault(membership.user_id, membership)
    return list(by_person.values())


def attendances_of(meeting: Meeting) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(meeting=meeting)
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__full_name", "pk")
        .scoped()
    )


def own_attendance(user: Any, meeting: Meeting) -> Attendance | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Attendance.objects.filter(meeting=meeting, user=user).scoped().first()


def has_acknowledged(user: Any, meeting: Meeting) -> bool:
    attendance = own_attendance(user, meeting)
    return attendance is not None and attendance.acknowledged_at is not None


# --- Agenda and need-to-know --------------------------------------------------------------------------------


def involvements_by_case(case_ids: Iterable[int]) -> dict[int, list[Organisation]]:
    """The organisations actively involved in each case, in one query."""
    ids = sorted(set(case_ids))
    found: dict[int, list[Organisation]] = defaultdict(list)
    if not ids:
        return found
    rows = (
        Involvement.objects.filter(case_id__in=ids, ended_at__isnull=True)
        .select_related("organisation")
        .order_by("-is_lead", "organisation__name")
        .scoped()
    )
    for involvement in rows:
        found[involvement.case_id].append(involvement.organisation)
    return found


def agenda_items(meeting: Meeting, *, statuses: Iterable[str] | None = None) -> QuerySet[AgendaItem]:
    items = AgendaItem.objects.filter(meeting=meeting)
    if statuses is not None:
        items = items.filter(status__in=list(statuses))
    return (
        items.select_related("case", "case__lead_organisation", "proposed_by", "proposed_by_organisation")
        .order_by("order", "pk")
        .scoped()
    )


def agenda_item(pk: int, user: Any) -> AgendaItem | None:
    """One agenda item of a meeting the user may see (its details are decided per item, see policies)."""
    return (
        AgendaItem.objects.filter(pk=pk, meeting__cooperation_id__in=sorted(meeting_cooperation_ids(user)))
        .select_related(
            "meeting", "meeting__series", "meeting__series__group", "case", "case__lead_organisation"
        )
        .scoped()
        .first()
    )


def carried_over_actions(meeting: Meeting) -> QuerySet[Action]:
    """The actions from earlier meetings that this meeting follows up.

    Open actions agreed at an earlier meeting of the same series, or about a case on this meeting's
    agenda, plus those already reviewed at this meeting (so a closed action stays in this meeting's
    record). For a closed meeting only what it reviewed: everything it carried was reviewed or deferred.
    """
    reviewed_here = Exists(ActionReview.objects.filter(action=OuterRef("pk"), meeting=meeting))
    if meeting.status == MeetingStatus.CLOSED:
        condition = Q(reviewed_here)
    else:
        on_agenda = AgendaItem.objects.filter(
            meeting=meeting, status=AgendaItemStatus.ACCEPTED, case__isnull=False
        ).values("case_id")
        earlier = Q(
            meeting__cooperation_id=meeting.cooperation_id,
            meeting__starts_at__lt=meeting.starts_at,
        ) & (Q(meeting__series_id=meeting.series_id) | Q(case_id__in=on_agenda))
        condition = (Q(status=ActionStatus.OPEN) & earlier) | Q(reviewed_here)
    reviews = ActionReview.objects.filter(meeting=meeting).select_related("reviewed_by").scoped()
    return (
        Action.objects.filter(condition)
        .exclude(meeting=meeting)
        .select_related("case", "organisation", "owner", "meeting", "task")
        .prefetch_related(Prefetch("reviews", queryset=reviews, to_attr="reviews_here"))
        .order_by("due_date", "pk")
        .scoped()
    )


def action_for_review(meeting: Meeting, pk: int) -> Action | None:
    return carried_over_actions(meeting).filter(pk=pk).first()


@dataclass
class CarriedAction:
    action: Action
    access: CaseAccess | None
    review: ActionReview | None
    on_agenda: bool

    @property
    def restricted(self) -> bool:
        return self.access is not None and not self.access.has_details

    @property
    def needs_review(self) -> bool:
        return self.review is None


@dataclass
class ItemRow:
    """One agenda item as one person may see it."""

    item: AgendaItem
    number: int
    access: CaseAccess | None
    organisations: list[Organisation]
    carried: list[CarriedAction] = field(default_factory=list)
    shared_minutes: MinutesEntry | None = None
    own_notes: MinutesEntry | None = None
    decisions: list[Decision] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    addenda: list[Addendum] = field(default_factory=list)

    @property
    def is_theme(self) -> bool:
        return self.item.case_id is None

    @property
    def restricted(self) -> bool:
        return self.access is not None and not self.access.has_details

    @property
    def is_anonymous(self) -> bool:
        return self.item.case is not None and self.item.case.citizen_id is None

    @property
    def reads_shared_minutes(self) -> bool:
        return self.access is None or self.access.reads_shared_entries


@dataclass
class MeetingPage:
    meeting: Meeting
    rows: list[ItemRow]
    proposals: list[ItemRow]
    carried: list[CarriedAction]
    addenda: list[Addendum] = field(default_factory=list)

    @property
    def unreviewed(self) -> list[CarriedAction]:
        return [c for c in self.carried if c.needs_review]

    @property
    def shown_case_ids(self) -> list[int]:
        """Cases whose details this page showed (for the audit event)."""
        ids = {r.item.case_id for r in self.rows + self.proposals if r.item.case_id and not r.restricted}
        ids |= {c.action.case_id for c in self.carried if c.action.case_id and not c.restricted}
        return sorted(i for i in ids if i is not None)

    @property
    def shown_citizen_ids(self) -> list[int]:
        return sorted({citizen_id for _case_id, citizen_id in self.shown_citizen_cases})

    @property
    def shown_citizen_cases(self) -> list[tuple[int, int]]:
        """(case id, citizen id) of each identified case whose details this page showed: restricted items
        (need-to-know) and anonymous discussions show no citizen."""
        cases = [r.item.case for r in self.rows + self.proposals if r.item.case and not r.restricted]
        cases += [c.action.case for c in self.carried if c.action.case and not c.restricted]
        return sorted({(case.pk, case.citizen_id) for case in cases if case.citizen_id is not None})


def _carried_rows(
    actions: list[Action],
    involved: dict[int, list[Organisation]],
    agenda_cases: set[int],
    access_for: AccessFor,
) -> list[CarriedAction]:
    rows = []
    for action in actions:
        organisations = {o.pk for o in involved.get(action.case_id or 0, [])}
        reviews = getattr(action, "reviews_here", [])
        rows.append(
            CarriedAction(
                action=action,
                access=access_for(action.case, organisations),
                review=reviews[0] if reviews else None,
                on_agenda=action.case_id in agenda_cases,
            )
        )
    return rows


AccessFor = Callable[[Case | None, set[int]], CaseAccess | None]


def organisation_access(organisation_id: int, *, reads_shared_entries: bool) -> AccessFor:
    """Need-to-know for one organisation (the PDF for its journal): an item is open to it when the
    organisation is actively involved in the case."""

    def access_for(case: Case | None, involved: set[int]) -> CaseAccess | None:
        if case is None:
            return None
        ids = frozenset({organisation_id}) if organisation_id in involved else frozenset()
        return CaseAccess(ids, reads_shared_entries and bool(ids), False, False)

    return access_for


def meeting_page(
    user: Any,
    meeting: Meeting,
    *,
    with_minutes: bool = False,
    notes_organisation_id: int | None = None,
    access_for: AccessFor | None = None,
) -> MeetingPage:
    """The agenda (and, ``with_minutes``, the minutes) of a meeting as ``user`` may see it.

    ``notes_organisation_id`` is the organisation whose internal notes are shown (none: no internal
    notes). Queries: items, involvements, carried actions (+ their reviews here), and with minutes the
    entries, decisions, actions and addenda: a fixed number whatever the size of the meeting.
    """
    shown_statuses = [AgendaItemStatus.ACCEPTED, AgendaItemStatus.PROPOSED]
    items = list(agenda_items(meeting, statuses=shown_statuses))
    carried_actions = list(carried_over_actions(meeting))
    case_ids = {i.case_id for i in items if i.case_id} | {a.case_id for a in carried_actions if a.case_id}
    involved = involvements_by_case(i for i in case_ids if i is not None)
    accepted = [i for i in items if i.status == AgendaItemStatus.ACCEPTED]
    agenda_cases = {i.case_id for i in accepted if i.case_id is not None}
    access: AccessFor = access_for or (lambda case, organisations: item_access(user, case, organisations))
    carried = _carried_rows(carried_actions, involved, agenda_cases, access)

    def row(item: AgendaItem, number: int) -> ItemRow:
        organisations = involved.get(item.case_id or 0, [])
        return ItemRow(
            item=item,
            number=number,
            access=access(item.case, {o.pk for o in organisations}),
            organisations=organisations,
            carried=[c for c in carried if item.case_id is not None and c.action.case_id == item.case_id],
        )

    rows = [row(item, n) for n, item in enumerate(accepted, start=1)]
    proposals = [row(item, 0) for item in items if item.status == AgendaItemStatus.PROPOSED]
    page = MeetingPage(meeting=meeting, rows=rows, proposals=proposals, carried=carried)
    if with_minutes:
        _attach_minutes(page, notes_organisation_id)
    return page


def _attach_minutes(page: MeetingPage, notes_organisation_id: int | None) -> None:
    by_item = {r.item.pk: r for r in page.rows}
    visible_items = [pk for pk, r in by_item.items() if not r.restricted]
    entries = MinutesEntry.objects.filter(item_id__in=visible_items).filter(
        Q(organisation__isnull=True) | Q(organisation_id=notes_organisation_id)
    )
    for entry in entries.select_related("updated_by").scoped():
        target = by_item[entry.item_id]
        if entry.organisation_id is None:
            target.shared_minutes = entry
        else:
            target.own_notes = entry
    for decision in Decision.objects.filter(item_id__in=visible_items).order_by("recorded_at", "pk").scoped():
        by_item[decision.item_id].decisions.append(decision)
    actions = (
        Action.objects.filter(item_id__in=visible_items)
        .select_related("organisation", "owner", "task")
        .order_by("pk")
        .scoped()
    )
    for action in actions:
        by_item[action.item_id].actions.append(action)
    addenda = (
        Addendum.objects.filter(meeting=page.meeting).select_related("author").order_by("created_at", "pk")
    )
    for addendum in addenda.scoped():
        if addendum.item_id is None:
            page.addenda.append(addendum)
        elif addendum.item_id in visible_items:
            by_item[addendum.item_id].addenda.append(addendum)


def item_row(user: Any, item: AgendaItem) -> ItemRow:
    """One item with its need-to-know access (for the pages that act on one item)."""
    organisations = involvements_by_case([item.case_id] if item.case_id else []).get(item.case_id or 0, [])
    return ItemRow(
        item=item,
        number=0,
        access=item_access(user, item.case, {o.pk for o in organisations}),
        organisations=organisations,
    )


def minutes_entry(item: AgendaItem, organisation_id: int | None) -> MinutesEntry | None:
    entries = MinutesEntry.objects.filter(item=item)
    entries = (
        entries.filter(organisation__isnull=True)
        if organisation_id is None
        else entries.filter(organisation_id=organisation_id)
    )
    return entries.scoped().first()


def minutes_revision(entry: MinutesEntry, version: int) -> MinutesRevision | None:
    return MinutesRevision.objects.filter(entry=entry, version=version).scoped().first()


# --- Actions, feedback, reminders, calendar -----------------------------------------------------------------


def my_open_actions(user: Any) -> QuerySet[Action]:
    if not getattr(user, "is_authenticated", False):
        return Action.objects.none().scoped()
    return (
        Action.objects.filter(
            owner=user,
            status=ActionStatus.OPEN,
            meeting__cooperation_id__in=sorted(meeting_cooperation_ids(user)),
        )
        .select_related("case", "meeting", "organisation")
        .order_by("due_date", "pk")
        .scoped()
    )


def actions_due_for_reminder(today: date, days_ahead: int) -> QuerySet[Action]:
    """System selector for the reminder job: open actions with an owner and a due date up to
    ``days_ahead`` days away (or past). The reminder rule is the scope; only the job calls this."""
    return (
        Action.objects.filter(
            status=ActionStatus.OPEN,
            owner__isnull=False,
            owner__is_active=True,
            due_date__isnull=False,
            due_date__lte=today + timedelta(days=days_ahead),
        )
        .select_related("case", "meeting", "owner", "organisation")
        .prefetch_related("reminders")
        .order_by("due_date", "pk")
        .scoped()
    )


def feedback_for(user: Any) -> QuerySet[ReferrerFeedback]:
    if not getattr(user, "is_authenticated", False):
        return ReferrerFeedback.objects.none().scoped()
    return (
        ReferrerFeedback.objects.filter(recipient=user)
        .select_related("case", "case__lead_organisation", "item__meeting", "item__meeting__series")
        .order_by("-created_at", "-pk")
        .scoped()
    )


def feedback_visible(user: Any, pk: int) -> ReferrerFeedback | None:
    return feedback_for(user).filter(pk=pk).first()


def feedback_unsent_email() -> QuerySet[ReferrerFeedback]:
    """System selector: feedback whose notification email has not gone out yet (retried by the job)."""
    return (
        ReferrerFeedback.objects.filter(emailed_at__isnull=True, recipient__is_active=True)
        .select_related("case", "recipient", "item__meeting")
        .order_by("pk")
        .scoped()
    )


def active_calendar_feed(user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at").first()


def calendar_meetings(user: Any, *, now: datetime | None = None) -> list[Meeting]:
    """Meetings for the user's calendar: those they are invited to, chair or take minutes at, from a
    month back, in cooperations where they still work on cases."""
    now = now or timezone.now()
    invited = Attendance.objects.filter(meeting=OuterRef("pk"), user=user)
    return list(
        Meeting.objects.filter(
            Q(Exists(invited)) | Q(chair=user) | Q(secretary=user),
            cooperation_id__in=sorted(meeting_cooperation_ids(user)),
            starts_at__gte=now - timedelta(days=31),
        )
        .select_related("series")
        .order_by("starts_at", "pk")
    )


# --- Discharge coordination ---------------------------------------------------------------------------------


def discharge_meetings_visible_to(user: Any) -> QuerySet[DischargeMeeting]:
    """Discharge meetings on cases the user sees in full (their organisation is involved)."""
    from samspil.cases.selectors import cases_with_details_for

    return (
        DischargeMeeting.objects.filter(case__in=cases_with_details_for(user).values("pk"))
        .select_related("case", "case__cooperation", "recorded_by_organisation", "recorded_by")
        .order_by("deadline", "pk")
        .scoped()
    )


def discharge_visible(user: Any, pk: int) -> DischargeMeeting | None:
    return discharge_meetings_visible_to(user).filter(pk=pk).first()


def discharge_meetings_of(case: Case) -> QuerySet[DischargeMeeting]:
    """A case's discharge meetings (for the case page, which has checked the user sees it in full)."""
    return DischargeMeeting.objects.filter(case=case).order_by("-requested_at", "-pk").scoped()


def discharge_pending(user: Any) -> QuerySet[DischargeMeeting]:
    return discharge_meetings_visible_to(user).exclude(status=DischargeStatus.HELD)


def case_meeting_history(case: Case) -> QuerySet[AgendaItem]:
    """The meetings a case was on (for the case page, which has checked the user sees it in full)."""
    return (
        AgendaItem.objects.filter(case=case)
        .exclude(status=AgendaItemStatus.DECLINED)
        .select_related("meeting", "meeting__series")
        .order_by("-meeting__starts_at", "-pk")
        .scoped()
    )


def case_open_actions(case: Case) -> QuerySet[Action]:
    return (
        Action.objects.filter(case=case, status=ActionStatus.OPEN)
        .select_related("organisation", "owner", "meeting")
        .order_by("due_date", "pk")
        .scoped()
    )
