"""Writes (and audited reads) of meetings. Each service runs in one transaction with its audit event.

Services check again what the views check (policies.py), because the API and the worker call them too.
A refusal a person should read is a ``MeetingError`` with a Danish message (and the form field it is
about); the views show it and keep what was typed. ``PermissionDenied`` means the person may not do it.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from smtplib import SMTPException
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samspil.audit import actions as codes
from samspil.audit.citizens import CitizenShown, audit_record_per_citizen
from samspil.audit.models import AuditEvent
from samspil.audit.services import audit_record
from samspil.cases.identifiers import identifier_problem
from samspil.cases.models import Case, CaseState, Task
from samspil.cases.policies import case_access
from samspil.cases.selectors import cases_visible_to
from samspil.cases.services import task_status_write, task_write
from samspil.citizens.selectors import case_worker_memberships, case_worker_organisations
from samspil.organisations.models import Cooperation, CooperationGroup, CooperationOrganisation, Organisation

from . import emails, selectors
from .confidentiality import confidentiality_terms
from .merge import merge_texts
from .models import (
    Action,
    ActionReview,
    ActionStatus,
    Addendum,
    AgendaItem,
    AgendaItemStatus,
    AgreementType,
    Attendance,
    AttendanceStatus,
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
    ReviewOutcome,
)
from .policies import is_coordinator, may_manage, may_see_meetings_of
from .workdays import add_working_days, is_working_day, working_days_between

logger = logging.getLogger(__name__)

REASON_MAX = 1000
DECISION_MAX = Decision._meta.get_field("text").max_length or 2000
ACTION_MAX = Action._meta.get_field("what").max_length or 300
REVIEW_MAX = 2000
ADDENDUM_MAX = Addendum._meta.get_field("text").max_length or 5000
THEME_MAX = AgendaItem._meta.get_field("theme").max_length or 200
DISCHARGE_WORKING_DAYS = 5


class MeetingError(ValueError):
    """A refused change, with a Danish message for the person; ``field`` names the form field, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class UnreviewedActionsError(MeetingError):
    """The meeting cannot close while carried-over actions are neither reviewed nor deferred."""

    def __init__(self, count: int) -> None:
        super().__init__(
            _(
                "Mødet kan ikke afsluttes: %(count)s handling(er) fra tidligere møder er hverken fulgt op "
                "eller udskudt. Følg op på dem, eller udskyd de resterende med en begrundelse."
            )
            % {"count": count},
            field="defer_reason",
        )
        self.count = count


def _check_text(text: str, *, field: str, limit: int, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise MeetingError(_("Feltet skal udfyldes."), field=field)
    if len(text) > limit:
        raise MeetingError(
            _(
                "Teksten er for lang: %(length)s tegn, højst %(limit)s. Intet er gemt; "
                "din tekst står herunder."
            )
            % {"length": len(text), "limit": limit},
            field=field,
        )
    return text


def _check_anonymous(case: Case | None, text: str, field: str) -> None:
    if case is not None and case.state == CaseState.ANONYMOUS:
        problem = identifier_problem(text)
        if problem:
            raise MeetingError(problem, field=field)


def _audit(
    action: str,
    *,
    actor: Any,
    meeting: Meeting,
    request: HttpRequest | None,
    target: Any = None,
    citizen_id: int | None = None,
    organisation_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    return audit_record(
        action=action,
        actor=actor,
        request=request,
        target=target if target is not None else meeting,
        citizen_id=citizen_id,
        cooperation_id=meeting.cooperation_id,
        organisation_id=organisation_id,
        detail={"meeting": meeting.pk, **(detail or {})},
    )


def _require_manager(actor: Any, meeting: Meeting) -> None:
    if not may_manage(actor, meeting):
        raise PermissionDenied(_("Kun mødets leder, referent og samarbejdets koordinatorer kan gøre dette."))


def _require_not_closed(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CLOSED:
        raise MeetingError(_("Mødet er afsluttet, og referatet er låst. Skriv en tilføjelse i stedet."))


def _require_open(meeting: Meeting) -> None:
    _require_not_closed(meeting)
    if meeting.status != MeetingStatus.OPEN:
        raise MeetingError(_("Mødet er ikke startet endnu. Start mødet for at skrive referat."))


def _locked_meeting(meeting: Meeting) -> Meeting:
    """The meeting row, locked for the rest of the transaction (status changes are serialised)."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.status = locked.status
    return locked


def _is_case_worker(person: Any, cooperation_id: int, organisation_id: int | None = None) -> bool:
    organisations = case_worker_organisations(person).get(cooperation_id, set())
    return bool(organisations) if organisation_id is None else organisation_id in organisations


def _acknowledged(actor: Any, meeting: Meeting) -> bool:
    return (
        Attendance.objects.filter(meeting=meeting, user=actor, acknowledged_at__isnull=False)
        .scoped()
        .exists()
    )


def require_item_writer(actor: Any, item: AgendaItem) -> selectors.ItemRow:
    """Who writes on an item: a person who accepted the meeting's confidentiality statement and sees the
    item in full (a theme: anyone who runs the meeting). Returns the item as the person sees it."""
    meeting = item.meeting
    if not may_see_meetings_of(actor, meeting.cooperation_id):
        raise PermissionDenied(_("Mødet findes ikke for dig."))
    if not _acknowledged(actor, meeting):
        raise PermissionDenied(_("Accepter mødets fortrolighedserklæring først."))
    row = selectors.item_row(actor, item)
    if row.is_theme:
        if not may_manage(actor, meeting):
            raise PermissionDenied(
                _("Kun mødets leder, referent og koordinatorer skriver referat af temaer.")
            )
    elif row.restricted:
        raise PermissionDenied(_("Din organisation er ikke involveret i sagen"))
    if item.status != AgendaItemStatus.ACCEPTED:
        raise MeetingError(_("Punktet er ikke på dagsordenen."))
    return row


# --- Series and meetings ------------------------------------------------------------------------------------


@transaction.atomic
def series_create(
    *,
    actor: Any,
    cooperation: Cooperation,
    group: CooperationGroup,
    name: str = "",
    default_place: str = "",
    default_start: time | None = None,
    default_duration_minutes: int = 120,
    request: HttpRequest | None = None,
) -> MeetingSeries:
    """A series of meetings for one group of the cooperation (its cadence is the group's)."""
    if not is_coordinator(actor, cooperation.pk):
        raise PermissionDenied(_("Kun samarbejdets koordinatorer opretter mødeserier."))
    if group.cooperation_id != cooperation.pk:
        raise MeetingError(_("Vælg en af samarbejdets grupper."), field="group")
    if MeetingSeries.objects.filter(group=group).exists():
        raise MeetingError(_("Gruppen har allerede en mødeserie."), field="group")
    series = MeetingSeries.objects.create(
        cooperation=cooperation,
        group=group,
        name=_check_text(name, field="name", limit=150, required=False) or group.name,
        default_place=_check_text(default_place, field="default_place", limit=200, required=False),
        default_start=default_start or time(9, 0),
        default_duration_minutes=default_duration_minutes,
        created_by=actor,
    )
    audit_record(
        action=codes.MEETING_SERIES_CREATED,
        actor=actor,
        request=request,
        target=series,
        cooperation_id=cooperation.pk,
        detail={"group": group.pk},
    )
    return series


def suggested_start(series: MeetingSeries, *, today: date | None = None) -> datetime:
    """The next meeting by the group's cadence: the interval after the latest meeting (a week from today
    for the first), moved to a working day, at the series' usual time."""
    today = today or timezone.localdate()
    latest = Meeting.objects.filter(series=series).aggregate(latest=Max("starts_at"))["latest"]
    day = (
        timezone.localdate(latest) + timedelta(days=series.interval_days)
        if latest
        else today + timedelta(days=7)
    )
    day = max(day, today + timedelta(days=1))
    while not is_working_day(day):
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, series.default_start))


def _check_schedule(
    starts_at: datetime, ends_at: datetime | None, place: str, video_link: str
) -> tuple[str, str]:
    place = _check_text(place, field="place", limit=200, required=False)
    video_link = (video_link or "").strip()
    if not place and not video_link:
        raise MeetingError(_("Angiv et mødested eller et videolink."), field="place")
    if ends_at is not None and ends_at <= starts_at:
        raise MeetingError(_("Mødet skal slutte efter, at det begynder."), field="ends_at")
    return place, video_link


def _check_people(cooperation_id: int, chair: Any, secretary: Any) -> None:
    if chair is not None and not _is_case_worker(chair, cooperation_id):
        raise MeetingError(
            _("Mødelederen skal være nøgleperson eller koordinator i samarbejdet."), field="chair"
        )
    if secretary is not None and not _is_case_worker(secretary, cooperation_id):
        raise MeetingError(
            _("Referenten skal være nøgleperson eller koordinator i samarbejdet."), field="secretary"
        )


@transaction.atomic
def meeting_plan(
    *,
    actor: Any,
    series: MeetingSeries,
    starts_at: datetime,
    ends_at: datetime | None = None,
    place: str = "",
    video_link: str = "",
    chair: Any = None,
    secretary: Any = None,
    request: HttpRequest | None = None,
) -> Meeting:
    if not is_coordinator(actor, series.cooperation_id):
        raise PermissionDenied(_("Kun samarbejdets koordinatorer planlægger møder."))
    place, video_link = _check_schedule(starts_at, ends_at, place, video_link)
    _check_people(series.cooperation_id, chair, secretary)
    meeting = Meeting.objects.create(
        series=series,
        cooperation_id=series.cooperation_id,
        starts_at=starts_at,
        ends_at=ends_at or starts_at + timedelta(minutes=series.default_duration_minutes),
        place=place,
        video_link=video_link,
        chair=chair,
        secretary=secretary,
        created_by=actor,
    )
    _audit(codes.MEETING_PLANNED, actor=actor, meeting=meeting, request=request, detail={"series": series.pk})
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor: Any,
    meeting: Meeting,
    version: int,
    starts_at: datetime,
    ends_at: datetime | None,
    place: str,
    video_link: str,
    chair: Any,
    secretary: Any,
    request: HttpRequest | None = None,
) -> Meeting:
    """Change time, place, chair or secretary, if nobody saved since ``version`` was read."""
    _require_manager(actor, meeting)
    _require_not_closed(meeting)
    place, video_link = _check_schedule(starts_at, ends_at, place, video_link)
    _check_people(meeting.cooperation_id, chair, secretary)
    updated = Meeting.objects.filter(pk=meeting.pk, version=version).update(
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        video_link=video_link,
        chair=chair,
        secretary=secretary,
        version=F("version") + 1,
    )
    if updated != 1:
        raise MeetingError(
            _(
                "Mødet er blevet ændret af en anden, siden du åbnede det. "
                "Dine ændringer står herunder; gem igen."
            )
        )
    _audit(codes.MEETING_CHANGED, actor=actor, meeting=meeting, request=request)
    meeting.refresh_from_db()
    return meeting


# --- Agenda -------------------------------------------------------------------------------------------------


def _next_order(meeting: Meeting) -> int:
    highest = AgendaItem.objects.filter(meeting=meeting).scoped().aggregate(highest=Max("order"))["highest"]
    return int(highest or 0) + 1


@transaction.atomic
def agenda_item_propose(
    *,
    actor: Any,
    meeting: Meeting,
    case: Case,
    reason: str,
    organisation: Organisation | None = None,
    request: HttpRequest | None = None,
) -> AgendaItem:
    """A member of an organisation involved in the case proposes it (or its anonymous discussion) for a
    meeting, with a short reason. The meeting's managers curate: a proposal from one of them goes straight
    onto the agenda."""
    access = case_access(actor, case)
    if not access.has_details or case.cooperation_id != meeting.cooperation_id:
        raise PermissionDenied(_("Din organisation er ikke involveret i sagen"))
    if meeting.series.is_steering:
        raise MeetingError(
            _("Styregruppens møder har kun temaer uden borgere. Vælg et andet møde."), field="meeting"
        )
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingError(_("Sager kan kun foreslås til planlagte møder."), field="meeting")
    if case.state == CaseState.CLOSED:
        raise MeetingError(_("Sagen er lukket. Genåbn den, før den sættes på et møde."))
    reason = _check_text(reason, field="reason", limit=REASON_MAX)
    _check_anonymous(case, reason, "reason")
    acting = organisation.pk if organisation is not None else min(access.organisation_ids)
    if acting not in access.organisation_ids:
        raise PermissionDenied(_("Du kan ikke handle for denne organisation i sagen."))
    accepted = may_manage(actor, meeting)
    existing = AgendaItem.objects.select_for_update().filter(meeting=meeting, case=case).scoped().first()
    if existing is not None and existing.status != AgendaItemStatus.DECLINED:
        raise MeetingError(_("Sagen er allerede foreslået til dette møde."), field="meeting")
    now = timezone.now()
    values = {
        "reason": reason,
        "proposed_by": actor,
        "proposed_by_organisation_id": acting,
        "proposed_at": now,
        "status": AgendaItemStatus.ACCEPTED if accepted else AgendaItemStatus.PROPOSED,
        "order": _next_order(meeting) if accepted else 0,
        "decided_by": actor if accepted else None,
        "decided_at": now if accepted else None,
    }
    if existing is None:
        item = AgendaItem.objects.create(meeting=meeting, case=case, **values)
    else:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        item = existing
    _audit(
        codes.MEETING_ITEM_PROPOSED,
        actor=actor,
        meeting=meeting,
        request=request,
        target=item,
        citizen_id=case.citizen_id,
        organisation_id=acting,
        detail={"case": case.pk, "accepted": accepted},
    )
    return item


@transaction.atomic
def agenda_item_add(
    *,
    actor: Any,
    meeting: Meeting,
    case: Case | None = None,
    theme: str = "",
    reason: str = "",
    request: HttpRequest | None = None,
) -> AgendaItem:
    """A manager puts a case they know of, or a theme without citizens, straight on the agenda."""
    _require_manager(actor, meeting)
    _require_not_closed(meeting)
    theme = _check_text(theme, field="theme", limit=THEME_MAX, required=False)
    reason = _check_text(reason, field="reason", limit=REASON_MAX, required=False)
    existing: AgendaItem | None = None
    if case is None and not theme:
        raise MeetingError(_("Vælg en sag, eller skriv et tema."), field="theme")
    if case is not None and theme:
        raise MeetingError(_("Et punkt er enten en sag eller et tema, ikke begge dele."), field="theme")
    if case is not None:
        if meeting.series.is_steering:
            raise MeetingError(_("Styregruppens møder har kun temaer uden borgere."), field="case")
        if not cases_visible_to(actor).filter(pk=case.pk, cooperation_id=meeting.cooperation_id).exists():
            raise MeetingError(_("Vælg en af samarbejdets sager."), field="case")
        if case.state == CaseState.CLOSED:
            raise MeetingError(_("Sagen er lukket. Genåbn den, før den sættes på et møde."), field="case")
        _check_anonymous(case, reason, "reason")
        existing = AgendaItem.objects.filter(meeting=meeting, case=case).scoped().first()
        if existing is not None and existing.status != AgendaItemStatus.DECLINED:
            raise MeetingError(_("Sagen er allerede på dagsordenen eller foreslået til mødet."), field="case")
    now = timezone.now()
    values = {
        "theme": theme,
        "reason": reason,
        "status": AgendaItemStatus.ACCEPTED,
        "order": _next_order(meeting),
        "proposed_by": actor,
        "proposed_by_organisation": None,
        "proposed_at": now,
        "decided_by": actor,
        "decided_at": now,
    }
    if case is not None and existing is not None:
        AgendaItem.objects.filter(pk=existing.pk).scoped().update(**values)
        existing.refresh_from_db()
        item = existing
    else:
        item = AgendaItem.objects.create(meeting=meeting, case=case, **values)
    _audit(
        codes.MEETING_ITEM_ADDED,
        actor=actor,
        meeting=meeting,
        request=request,
        target=item,
        citizen_id=case.citizen_id if case else None,
        detail={"case": case.pk if case else None},
    )
    return item


@transaction.atomic
def agenda_item_decide(
    *, actor: Any, item: AgendaItem, accept: bool, request: HttpRequest | None = None
) -> AgendaItem:
    """Accept a proposal onto the agenda (last), or decline it / take an item off the agenda."""
    meeting = item.meeting
    _require_manager(actor, meeting)
    _require_not_closed(meeting)
    if item.actions.exists() or item.decisions.exists():
        raise MeetingError(_("Punktet har beslutninger eller handlinger og kan ikke tages af dagsordenen."))
    wanted = AgendaItemStatus.ACCEPTED if accept else AgendaItemStatus.DECLINED
    if item.status == wanted:
        raise MeetingError(_("Punktet har allerede den status."))
    item.status = wanted
    item.order = _next_order(meeting) if accept else 0
    item.decided_by, item.decided_at = actor, timezone.now()
    item.save(update_fields=["status", "order", "decided_by", "decided_at"])
    _audit(
        codes.MEETING_ITEM_ACCEPTED if accept else codes.MEETING_ITEM_DECLINED,
        actor=actor,
        meeting=meeting,
        request=request,
        target=item,
        citizen_id=item.case.citizen_id if item.case else None,
    )
    return item


@transaction.atomic
def agenda_item_move(
    *, actor: Any, item: AgendaItem, direction: str, request: HttpRequest | None = None
) -> None:
    """Move an item one place up or down; the agenda is renumbered 1..n."""
    meeting = item.meeting
    _require_manager(actor, meeting)
    _require_not_closed(meeting)
    if direction not in ("up", "down"):
        raise MeetingError(_("Vælg op eller ned."))
    items = list(
        AgendaItem.objects.select_for_update()
        .filter(meeting=meeting, status=AgendaItemStatus.ACCEPTED)
        .order_by("order", "pk")
        .scoped()
    )
    index = next((i for i, other in enumerate(items) if other.pk == item.pk), None)
    if index is None:
        raise MeetingError(_("Punktet er ikke på dagsordenen."))
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    changed = []
    for number, other in enumerate(items, start=1):
        if other.order != number:
            other.order = number
            changed.append(other)
    AgendaItem.objects.scoped().bulk_update(changed, ["order"])
    _audit(
        codes.MEETING_AGENDA_REORDERED,
        actor=actor,
        meeting=meeting,
        request=request,
        detail={"item": item.pk, "direction": direction},
    )


# --- Invitations, attendance, confidentiality ---------------------------------------------------------------


@transaction.atomic
def invitations_send(*, actor: Any, meeting: Meeting, request: HttpRequest | None = None) -> int:
    """Invite the group's members (in the app: an attendance row each; and by email). The email lists the
    agenda as numbered items with the organisations involved; cases are not named. Sending again (after
    the agenda changed) sends the current agenda to everyone invited. A mail server that cannot be
    reached refuses the whole sending, so nobody is marked as invited who got nothing."""
    _require_manager(actor, meeting)
    _require_not_closed(meeting)
    now = timezone.now()
    invitees = selectors.invitees_of(meeting)
    if not invitees:
        raise MeetingError(_("Gruppen har ingen medlemmer at indkalde."))
    existing = {a.user_id: a for a in Attendance.objects.filter(meeting=meeting, user__isnull=False).scoped()}
    for membership in invitees:
        if membership.user_id not in existing:
            existing[membership.user_id] = Attendance.objects.create(
                meeting=meeting,
                user=membership.user,
                organisation=membership.organisation,
                invited_at=now,
            )
    items = list(selectors.agenda_items(meeting, statuses=[AgendaItemStatus.ACCEPTED]))
    involved = selectors.involvements_by_case(i.case_id for i in items if i.case_id)
    agenda = [
        emails.AgendaLine(
            number=n,
            title=item.theme if item.case_id is None else _("Sag"),
            organisations=", ".join(o.name for o in involved.get(item.case_id or 0, [])),
        )
        for n, item in enumerate(items, start=1)
    ]
    people = [a.user for a in existing.values() if a.user is not None and a.user.is_active]
    messages = [emails.invitation_message(person, meeting, agenda) for person in people]
    try:
        emails.send_all(messages)
    except (OSError, SMTPException) as exc:
        logger.warning("Meeting invitations could not be sent: %s", exc.__class__.__name__)
        raise MeetingError(
            _("Indkaldelserne kunne ikke sendes, fordi mailserveren ikke svarer. Prøv igen senere.")
        ) from exc
    Meeting.objects.filter(pk=meeting.pk).update(invitations_sent_at=now)
    meeting.invitations_sent_at = now
    _audit(
        codes.MEETING_INVITATIONS_SENT,
        actor=actor,
        meeting=meeting,
        request=request,
        detail={"invited": len(people), "items": len(items)},
    )
    return len(people)


@transaction.atomic
def attendance_set(
    *, actor: Any, attendance: Attendance, status: str, note: str = "", request: HttpRequest | None = None
) -> Attendance:
    meeting = attendance.meeting
    _require_manager(actor, meeting)
    _require_not_closed(meeting)
    if status not in AttendanceStatus.values:
        raise MeetingError(_("Vælg en gyldig status."), field="status")
    if attendance.user_id is None and status in (AttendanceStatus.PRESENT, AttendanceStatus.INVITED):
        raise MeetingError(
            _("En organisation uden en navngiven deltager kan kun have afbud."), field="status"
        )
    attendance.status = status
    attendance.note = _check_text(note, field="note", limit=300, required=False)
    attendance.recorded_by, attendance.recorded_at = actor, timezone.now()
    attendance.save(update_fields=["status", "note", "recorded_by", "recorded_at"])
    _audit(
        codes.MEETING_ATTENDANCE_RECORDED,
        actor=actor,
        meeting=meeting,
        request=request,
        target=attendance,
        detail={"status": status},
    )
    return attendance


@transaction.atomic
def attendance_add(
    *,
    actor: Any,
    meeting: Meeting,
    organisation: Organisation,
    status: str,
    person: Any = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> Attendance:
    """Add a person who was not invited, or record an absent organisation ("information sent")."""
    _require_manager(actor, meeting)
    _require_not_closed(meeting)
    if not CooperationOrganisation.objects.filter(
        cooperation_id=meeting.cooperation_id, organisation=organisation
    ).exists():
        raise MeetingError(_("Vælg en af samarbejdets organisationer."), field="organisation")
    if person is not None and not _is_case_worker(person, meeting.cooperation_id, organisation.pk):
        raise MeetingError(
            _("Personen skal være nøgleperson eller koordinator for organisationen."), field="person"
        )
    if status not in AttendanceStatus.values:
        raise MeetingError(_("Vælg en gyldig status."), field="status")
    if person is None and status not in (AttendanceStatus.APOLOGIES, AttendanceStatus.INFORMATION_SENT):
        raise MeetingError(
            _("En organisation uden en navngiven deltager kan kun have afbud."), field="status"
        )
    duplicate = (
        Attendance.objects.filter(meeting=meeting, user=person)
        if person is not None
        else Attendance.objects.filter(meeting=meeting, user__isnull=True, organisation=organisation)
    )
    if duplicate.scoped().exists():
        raise MeetingError(_("Deltageren er allerede på listen; ret status i tabellen."), field="person")
    attendance = Attendance.objects.create(
        meeting=meeting,
        user=person,
        organisation=organisation,
        status=status,
        note=_check_text(note, field="note", limit=300, required=False),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    _audit(
        codes.MEETING_ATTENDANCE_RECORDED,
        actor=actor,
        meeting=meeting,
        request=request,
        target=attendance,
        detail={"status": status, "added": True},
    )
    return attendance


@transaction.atomic
def confidentiality_accept(
    *, actor: Any, meeting: Meeting, organisation_id: int | None = None, request: HttpRequest | None = None
) -> Attendance:
    """The person accepts the meeting's confidentiality statement; the agenda then opens to them. At a
    meeting in progress this also records them as present."""
    if not may_see_meetings_of(actor, meeting.cooperation_id):
        raise PermissionDenied(_("Mødet findes ikke for dig."))
    _require_not_closed(meeting)
    organisations = case_worker_organisations(actor).get(meeting.cooperation_id, set())
    if organisation_id is None or organisation_id not in organisations:
        organisation_id = min(organisations)
    terms = confidentiality_terms()
    now = timezone.now()
    attendance = Attendance.objects.select_for_update().filter(meeting=meeting, user=actor).scoped().first()
    if attendance is None:
        attendance = Attendance(meeting=meeting, user=actor, organisation_id=organisation_id)
    attendance.acknowledged_at = now
    attendance.acknowledged_terms_digest = terms.digest
    if meeting.status == MeetingStatus.OPEN and attendance.status == AttendanceStatus.INVITED:
        attendance.status = AttendanceStatus.PRESENT
        attendance.recorded_by, attendance.recorded_at = actor, now
    attendance.save()
    _audit(
        codes.MEETING_CONFIDENTIALITY_ACCEPTED,
        actor=actor,
        meeting=meeting,
        request=request,
        target=attendance,
        detail={"terms": terms.digest},
    )
    return attendance


# --- Running the meeting ------------------------------------------------------------------------------------


@transaction.atomic
def meeting_open(*, actor: Any, meeting: Meeting, request: HttpRequest | None = None) -> Meeting:
    _require_manager(actor, meeting)
    locked = _locked_meeting(meeting)
    if locked.status != MeetingStatus.PLANNED:
        raise MeetingError(_("Mødet er allerede startet."))
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.OPEN, opened_at=now)
    meeting.status, meeting.opened_at = MeetingStatus.OPEN, now
    _audit(codes.MEETING_OPENED, actor=actor, meeting=meeting, request=request)
    return meeting


@dataclass(frozen=True)
class SaveResult:
    entry: MinutesEntry
    saved: bool
    merged: bool
    conflicted: bool


def _merge_marker(author: Any, at: datetime) -> str:
    return _("[Samtidig tekst fra %(name)s kl. %(time)s – begge versioner er bevaret:]") % {
        "name": getattr(author, "full_name", "") or _("en anden"),
        "time": f"{timezone.localtime(at):%H:%M:%S}",
    }


@transaction.atomic
def minutes_save(
    *,
    actor: Any,
    item: AgendaItem,
    text: str,
    base_version: int,
    organisation_id: int | None = None,
    request: HttpRequest | None = None,
) -> SaveResult:
    """Save the minutes of an item: the shared part (``organisation_id`` None) or one organisation's own
    notes, typed live during the meeting.

    ``base_version`` is the version the writer's text was made from. If nobody saved since, the text is
    stored as it is. If someone did, the two are merged against that version (``merge.py``): nothing
    either writer typed is lost; lines both changed are kept twice with a marker naming the other writer.
    """
    meeting = item.meeting
    _require_open(meeting)
    row = require_item_writer(actor, item)
    if organisation_id is not None:
        if row.access is None or organisation_id not in row.access.organisation_ids:
            raise PermissionDenied(_("Du kan kun skrive noter for din egen organisation."))
    elif row.access is not None and not row.access.reads_shared_entries:
        raise PermissionDenied(
            _("Det fælles referat er ikke tilgængeligt for medlemmer, der bruges i efterforskning.")
        )
    text = (text or "").replace("\r\n", "\n")
    _check_text(
        text, field="text", limit=MinutesEntry._meta.get_field("text").max_length or 50000, required=False
    )
    _check_anonymous(item.case, text, "text")
    entry = _locked_entry(item, organisation_id)
    if base_version > entry.version or base_version < 0:
        raise MeetingError(
            _("Ukendt version af referatet. Genindlæs siden; din tekst står herunder."), field="text"
        )
    if text == entry.text:
        return SaveResult(entry, saved=False, merged=False, conflicted=False)
    merged = conflicted = False
    if base_version == entry.version:
        new_text = text
    else:
        base = selectors.minutes_revision(entry, base_version) if base_version else None
        result = merge_texts(
            base.text if base else "", text, entry.text, marker=_merge_marker(actor, timezone.now())
        )
        new_text, merged, conflicted = result.text, True, result.conflicted
        if new_text == entry.text:
            return SaveResult(entry, saved=False, merged=True, conflicted=False)
    limit = MinutesEntry._meta.get_field("text").max_length or 50000
    if len(new_text) > limit:
        raise MeetingError(
            _("Referatet bliver for langt ved sammenfletning. Del teksten op; din tekst står herunder."),
            field="text",
        )
    now = timezone.now()
    entry.text, entry.version, entry.updated_by, entry.updated_at = new_text, entry.version + 1, actor, now
    entry.save(update_fields=["text", "version", "updated_by", "updated_at"])
    MinutesRevision.objects.create(
        entry=entry, version=entry.version, text=new_text, author=actor, saved_at=now, merged=merged
    )
    _audit(
        codes.MEETING_MINUTES_SAVED,
        actor=actor,
        meeting=meeting,
        request=request,
        target=entry,
        citizen_id=item.case.citizen_id if item.case else None,
        organisation_id=organisation_id,
        detail={
            "item": item.pk,
            "part": "internal" if organisation_id else "shared",
            "version": entry.version,
            "merged": merged,
            "conflicted": conflicted,
        },
    )
    return SaveResult(entry, saved=True, merged=merged, conflicted=conflicted)


def _locked_entry(item: AgendaItem, organisation_id: int | None) -> MinutesEntry:
    """The entry, locked; created (version 0) on the first save. Two first saves at once: one creates,
    the other waits on the unique constraint and then locks the row the first made."""
    query = MinutesEntry.objects.select_for_update().filter(item=item)
    query = (
        query.filter(organisation__isnull=True)
        if organisation_id is None
        else query.filter(organisation_id=organisation_id)
    )
    entry = query.scoped().first()
    if entry is not None:
        return entry
    try:
        with transaction.atomic():
            return MinutesEntry.objects.create(item=item, organisation_id=organisation_id)
    except IntegrityError:
        return query.scoped().get()


@transaction.atomic
def decision_record(
    *, actor: Any, item: AgendaItem, text: str, for_feedback: bool = False, request: HttpRequest | None = None
) -> Decision:
    """Record what the meeting decided on an item. A decision marked for feedback is told to the person
    who raised the case, so it must not name anyone (no CPR number, email address or phone number)."""
    _require_open(item.meeting)
    row = require_item_writer(actor, item)
    text = _check_text(text, field="text", limit=DECISION_MAX)
    _check_anonymous(item.case, text, "text")
    if for_feedback:
        if row.is_theme:
            raise MeetingError(
                _("Et tema har ingen, der har rejst sagen, at give tilbagemelding til."), field="for_feedback"
            )
        if identifier_problem(text):
            raise MeetingError(
                _(
                    "En tilbagemelding må ikke indeholde CPR-numre, e-mailadresser eller telefonnumre. "
                    "Fjern dem, eller fjern markeringen af tilbagemelding."
                ),
                field="text",
            )
    decision = Decision.objects.create(item=item, text=text, for_feedback=for_feedback, recorded_by=actor)
    _audit(
        codes.MEETING_DECISION_RECORDED,
        actor=actor,
        meeting=item.meeting,
        request=request,
        target=decision,
        citizen_id=item.case.citizen_id if item.case else None,
        detail={"item": item.pk, "for_feedback": for_feedback},
    )
    return decision


@transaction.atomic
def action_record(
    *,
    actor: Any,
    item: AgendaItem,
    organisation: Organisation,
    what: str,
    owner: Any = None,
    due_date: date | None = None,
    request: HttpRequest | None = None,
) -> Action:
    """Record an agreed action: which organisation (and person) does what by when. On a case it becomes a
    task on the case (source "meeting"), so it shows in the owner's task list."""
    meeting = item.meeting
    _require_open(meeting)
    row = require_item_writer(actor, item)
    what = _check_text(what, field="what", limit=ACTION_MAX)
    _check_anonymous(item.case, what, "what")
    if due_date is not None and due_date < timezone.localdate(meeting.starts_at):
        raise MeetingError(_("Fristen ligger før mødet."), field="due_date")
    if item.case is not None:
        if organisation.pk not in {o.pk for o in row.organisations}:
            raise MeetingError(
                _("Handlingen kan kun gives til en organisation, der er involveret i sagen."),
                field="organisation",
            )
        if item.case.state == CaseState.CLOSED:
            raise MeetingError(_("Sagen er lukket, så der kan ikke gives opgaver på den."), field="what")
    elif not CooperationOrganisation.objects.filter(
        cooperation_id=meeting.cooperation_id, organisation=organisation
    ).exists():
        raise MeetingError(_("Vælg en af samarbejdets organisationer."), field="organisation")
    if owner is not None and not _is_case_worker(owner, meeting.cooperation_id, organisation.pk):
        raise MeetingError(
            _("Den ansvarlige skal være nøgleperson eller koordinator for den valgte organisation."),
            field="owner",
        )
    task = (
        _task_for_action(
            actor=actor,
            item=item,
            organisation=organisation,
            owner=owner,
            what=what,
            due_date=due_date,
            request=request,
        )
        if item.case is not None
        else None
    )
    action = Action.objects.create(
        item=item,
        meeting=meeting,
        case=item.case,
        organisation=organisation,
        owner=owner,
        what=what,
        due_date=due_date,
        task=task,
        created_by=actor,
    )
    _audit(
        codes.MEETING_ACTION_RECORDED,
        actor=actor,
        meeting=meeting,
        request=request,
        target=action,
        citizen_id=item.case.citizen_id if item.case else None,
        detail={"item": item.pk, "organisation": organisation.pk, "task": task.pk if task else None},
    )
    return action


def _task_for_action(
    *,
    actor: Any,
    item: AgendaItem,
    organisation: Organisation,
    owner: Any,
    what: str,
    due_date: date | None,
    request: HttpRequest | None,
) -> Task:
    """The case task for a meeting action. Not through ``cases.services.task_add`` because the person
    taking the minutes need not work on the case for an involved organisation (the meeting, not the
    writer, gives the task); the checks that service makes were made above."""
    case = item.case
    assert case is not None
    return task_write(
        actor=actor,
        case=case,
        title=what,
        owner_organisation=organisation,
        owner=owner,
        due_date=due_date,
        source="meeting",
        request=request,
        detail={"meeting": item.meeting_id},
    )


@transaction.atomic
def action_review(
    *,
    actor: Any,
    meeting: Meeting,
    action: Action,
    outcome: str,
    reason: str,
    request: HttpRequest | None = None,
) -> ActionReview:
    """Follow up a carried-over action at this meeting: done, not possible (circumstances changed), not
    undertaken (the organisation's responsibility), or deferred to the next meeting; always with a
    reason. The case task gets the same status. A review can be corrected while the meeting runs."""
    _require_open(meeting)
    if not may_see_meetings_of(actor, meeting.cooperation_id) or not _acknowledged(actor, meeting):
        raise PermissionDenied(_("Accepter mødets fortrolighedserklæring først."))
    carried = selectors.action_for_review(meeting, action.pk)
    if carried is None:
        raise MeetingError(_("Handlingen følges ikke op på dette møde."))
    access = case_access(actor, carried.case) if carried.case is not None else None
    if not may_manage(actor, meeting) and (access is None or not access.has_details):
        raise PermissionDenied(_("Din organisation er ikke involveret i sagen"))
    if outcome not in ReviewOutcome.values:
        raise MeetingError(_("Vælg et udfald."), field="outcome")
    reason = _check_text(reason, field="reason", limit=REVIEW_MAX)
    _check_anonymous(carried.case, reason, "reason")
    now = timezone.now()
    review, _created = ActionReview.objects.scoped().update_or_create(
        action=carried,
        meeting=meeting,
        defaults={"outcome": outcome, "reason": reason, "reviewed_by": actor, "reviewed_at": now},
    )
    new_status = ActionStatus.OPEN if outcome == ReviewOutcome.DEFERRED else outcome
    if carried.status != new_status:
        Action.objects.filter(pk=carried.pk).scoped().update(
            status=new_status, closed_at=None if new_status == ActionStatus.OPEN else now
        )
    if carried.task is not None:
        _sync_task(
            actor=actor, task=carried.task, status=new_status, reason=reason, request=request, meeting=meeting
        )
    _audit(
        codes.MEETING_ACTION_REVIEWED,
        actor=actor,
        meeting=meeting,
        request=request,
        target=carried,
        citizen_id=carried.case.citizen_id if carried.case else None,
        detail={"outcome": outcome, "from_meeting": carried.meeting_id},
    )
    return review


def _sync_task(
    *, actor: Any, task: Task, status: str, reason: str, request: HttpRequest | None, meeting: Meeting
) -> None:
    """Give the case task the review's status (the meeting reviewed it, whoever writes the minutes)."""
    if task.status == status:
        return
    task_status_write(
        actor=actor, task=task, status=status, reason=reason, request=request, detail={"meeting": meeting.pk}
    )


@dataclass(frozen=True)
class CloseResult:
    deferred: int
    feedback: int
    feedback_emailed: int


@transaction.atomic
def meeting_close(
    *, actor: Any, meeting: Meeting, defer_reason: str = "", request: HttpRequest | None = None
) -> CloseResult:
    """Close the meeting and lock its minutes.

    Nothing silently disappears: every action carried over to this meeting must have been reviewed here,
    or the person closing defers the rest explicitly with a reason (recorded as a review of each). Then
    the people who raised the cases on the agenda get the decisions marked for feedback, in the app and
    (a notice with a link) by email; a mail server that is down does not stop the closing, the worker
    sends the notice later.
    """
    _require_manager(actor, meeting)
    locked = _locked_meeting(meeting)
    if locked.status != MeetingStatus.OPEN:
        raise MeetingError(_("Kun et møde, der er i gang, kan afsluttes."))
    defer_reason = _check_text(defer_reason, field="defer_reason", limit=REVIEW_MAX, required=False)
    unreviewed = [a for a in selectors.carried_over_actions(meeting) if not getattr(a, "reviews_here", [])]
    if unreviewed and not defer_reason:
        raise UnreviewedActionsError(len(unreviewed))
    now = timezone.now()
    for action in unreviewed:
        ActionReview.objects.create(
            action=action,
            meeting=meeting,
            outcome=ReviewOutcome.DEFERRED,
            reason=defer_reason,
            reviewed_by=actor,
            reviewed_at=now,
        )
        _audit(
            codes.MEETING_ACTION_REVIEWED,
            actor=actor,
            meeting=meeting,
            request=request,
            target=action,
            citizen_id=action.case.citizen_id if action.case else None,
            detail={"outcome": ReviewOutcome.DEFERRED, "from_meeting": action.meeting_id, "at_close": True},
        )
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CLOSED, closed_at=now, closed_by=actor)
    meeting.status, meeting.closed_at, meeting.closed_by = MeetingStatus.CLOSED, now, actor
    _audit(
        codes.MEETING_CLOSED,
        actor=actor,
        meeting=meeting,
        request=request,
        detail={"deferred": len(unreviewed)},
    )
    feedback = _create_feedback(actor=actor, meeting=meeting, request=request)
    emailed = sum(1 for f in feedback if feedback_send_email(feedback=f, request=request))
    return CloseResult(deferred=len(unreviewed), feedback=len(feedback), feedback_emailed=emailed)


def _create_feedback(*, actor: Any, meeting: Meeting, request: HttpRequest | None) -> list[ReferrerFeedback]:
    items = (
        AgendaItem.objects.filter(
            meeting=meeting,
            status=AgendaItemStatus.ACCEPTED,
            case__referred_by__isnull=False,
            case__referred_by__is_active=True,
        )
        .select_related("case", "case__referred_by", "meeting")
        .prefetch_related("decisions")
        .scoped()
    )
    created = []
    for item in items:
        case = item.case
        assert case is not None and case.referred_by is not None
        texts = [d.text for d in item.decisions.all() if d.for_feedback]
        if (
            not texts
            or not case.referred_by.memberships.filter(
                cooperation_id=case.cooperation_id, is_active=True
            ).exists()
        ):
            continue
        feedback, made = ReferrerFeedback.objects.scoped().get_or_create(
            item=item,
            recipient=case.referred_by,
            defaults={"case": case, "text": "\n\n".join(texts)},
        )
        if made:
            _audit(
                codes.MEETING_FEEDBACK_CREATED,
                actor=actor,
                meeting=meeting,
                request=request,
                target=feedback,
                citizen_id=case.citizen_id,
                detail={"case": case.pk, "recipient": case.referred_by_id},
            )
            created.append(feedback)
    return created


def feedback_send_email(*, feedback: ReferrerFeedback, request: HttpRequest | None = None) -> bool:
    """Send the notice of one feedback (no decision text, only pseudonym, date and link). False when the
    mail server failed; the reminder job tries again."""
    try:
        with transaction.atomic():
            emails.send_all([emails.feedback_message(feedback)])
            now = timezone.now()
            ReferrerFeedback.objects.filter(pk=feedback.pk).scoped().update(emailed_at=now)
            feedback.emailed_at = now
            _audit(
                codes.MEETING_FEEDBACK_EMAILED,
                actor=None,
                meeting=feedback.item.meeting,
                request=request,
                target=feedback,
                citizen_id=feedback.case.citizen_id,
                detail={"recipient": feedback.recipient_id},
            )
    except (OSError, SMTPException) as exc:
        logger.warning("Feedback notice %s not sent: %s", feedback.pk, exc.__class__.__name__)
        return False
    return True


@transaction.atomic
def feedback_open(*, actor: Any, feedback: ReferrerFeedback, request: HttpRequest | None = None) -> None:
    if feedback.recipient_id != actor.pk:
        raise PermissionDenied
    if feedback.read_at is None:
        feedback.read_at = timezone.now()
        ReferrerFeedback.objects.filter(pk=feedback.pk).scoped().update(read_at=feedback.read_at)
    audit_record(
        action=codes.MEETING_FEEDBACK_VIEWED,
        actor=actor,
        request=request,
        target=feedback,
        citizen_id=feedback.case.citizen_id,
        cooperation_id=feedback.case.cooperation_id,
        detail={"case": feedback.case_id},
    )


@transaction.atomic
def addendum_add(
    *,
    actor: Any,
    meeting: Meeting,
    text: str,
    item: AgendaItem | None = None,
    request: HttpRequest | None = None,
) -> Addendum:
    """A correction or addition after the meeting closed (the minutes themselves stay locked). Written by
    the meeting's managers or by a person recorded as present; on an item only by someone who sees it."""
    if meeting.status != MeetingStatus.CLOSED:
        raise MeetingError(_("Tilføjelser skrives efter mødet. Ret referatet direkte, mens mødet er i gang."))
    present = (
        Attendance.objects.filter(meeting=meeting, user=actor, status=AttendanceStatus.PRESENT)
        .scoped()
        .exists()
    )
    if not may_manage(actor, meeting) and not (
        present and may_see_meetings_of(actor, meeting.cooperation_id)
    ):
        raise PermissionDenied(
            _("Kun mødets leder, referent, koordinatorer og deltagere kan skrive tilføjelser.")
        )
    if item is not None:
        if item.meeting_id != meeting.pk:
            raise MeetingError(_("Vælg et punkt fra dette møde."), field="item")
        if selectors.item_row(actor, item).restricted:
            raise PermissionDenied(_("Din organisation er ikke involveret i sagen"))
    text = _check_text(text, field="text", limit=ADDENDUM_MAX)
    if item is not None:
        _check_anonymous(item.case, text, "text")
    addendum = Addendum.objects.create(meeting=meeting, item=item, text=text, author=actor)
    _audit(
        codes.MEETING_ADDENDUM_ADDED,
        actor=actor,
        meeting=meeting,
        request=request,
        target=addendum,
        citizen_id=item.case.citizen_id if item and item.case else None,
        detail={"item": item.pk if item else None},
    )
    return addendum


# --- Audited reads ------------------------------------------------------------------------------------------


@transaction.atomic
def meeting_record_read(
    *,
    actor: Any,
    meeting: Meeting,
    page: selectors.MeetingPage,
    minutes: bool,
    request: HttpRequest | None = None,
) -> None:
    """Audit a look at the agenda or minutes: one event for the meeting with the cases (and citizens)
    whose details were shown, and one per citizen shown for the citizen's access log."""
    event = _audit(
        codes.MEETING_MINUTES_VIEWED if minutes else codes.MEETING_AGENDA_VIEWED,
        actor=actor,
        meeting=meeting,
        request=request,
        detail={
            "cases": page.shown_case_ids,
            "citizens": page.shown_citizen_ids,
            "restricted": sum(1 for r in page.rows if r.restricted),
        },
    )
    _audit_citizens_shown(
        event,
        meeting=meeting,
        page=page,
        action=codes.MEETING_CASE_MINUTES_VIEWED if minutes else codes.MEETING_CASE_AGENDA_VIEWED,
        purpose=(
            gettext_lazy("Referatet af PSP-mødet %(date)s (%(series)s)")
            if minutes
            else gettext_lazy("Dagsordenen til PSP-mødet %(date)s (%(series)s)")
        ),
    )


def _audit_citizens_shown(
    event: AuditEvent, *, meeting: Meeting, page: selectors.MeetingPage, action: str, purpose: Any
) -> None:
    """One event per identified case the page showed, with its citizen (restricted items and anonymous
    discussions show none), so that the look is in each citizen's access log. ``purpose`` (a lazy
    message) is filled in with the meeting's date and series, in Danish whatever the reader's language:
    the audit log and the citizen's access report are written in Danish."""
    with translation.override(settings.LANGUAGE_CODE):
        text = str(purpose) % {
            "date": timezone.localtime(meeting.starts_at).strftime("%d-%m-%Y"),
            "series": meeting.series.name,
        }
    audit_record_per_citizen(
        event,
        action=action,
        shown=[
            CitizenShown(citizen_id, Case._meta.label_lower, str(case_id))
            for case_id, citizen_id in page.shown_citizen_cases
        ],
        purpose=text,
        detail={"meeting": meeting.pk},
    )


@transaction.atomic
def minutes_export(
    *, actor: Any, meeting: Meeting, organisation: Organisation, request: HttpRequest | None = None
) -> bytes:
    """The minutes as PDF for one of the actor's organisations, holding only what that organisation may
    see (need-to-know by involvement), marked confidential. Audited as an export with the cases shown,
    and once per citizen shown for the citizen's access log."""
    from .pdf import minutes_pdf

    if not may_see_meetings_of(actor, meeting.cooperation_id):
        raise PermissionDenied(_("Mødet findes ikke for dig."))
    memberships = [
        m
        for m in case_worker_memberships(actor)
        if m.cooperation_id == meeting.cooperation_id and m.organisation_id == organisation.pk
    ]
    if not memberships:
        raise PermissionDenied(_("Du kan kun hente referatet for din egen organisation."))
    reads_shared = any(not m.is_investigative for m in memberships)
    page = selectors.meeting_page(
        actor,
        meeting,
        with_minutes=True,
        notes_organisation_id=organisation.pk,
        access_for=selectors.organisation_access(organisation.pk, reads_shared_entries=reads_shared),
    )
    pdf = minutes_pdf(
        meeting=meeting,
        page=page,
        organisation=organisation,
        attendances=list(selectors.attendances_of(meeting)),
        terms=confidentiality_terms(),
    )
    event = _audit(
        codes.MEETING_MINUTES_EXPORTED,
        actor=actor,
        meeting=meeting,
        request=request,
        organisation_id=organisation.pk,
        detail={
            "cases": page.shown_case_ids,
            "citizens": page.shown_citizen_ids,
            "restricted": sum(1 for r in page.rows if r.restricted),
            "draft": not meeting.is_closed,
        },
    )
    _audit_citizens_shown(
        event,
        meeting=meeting,
        page=page,
        action=codes.MEETING_CASE_MINUTES_EXPORTED,
        purpose=gettext_lazy("Referatet af PSP-mødet %(date)s (%(series)s), hentet som PDF"),
    )
    return pdf


# --- Calendar feed ------------------------------------------------------------------------------------------


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def calendar_feed_create(*, actor: Any, request: HttpRequest | None = None) -> str:
    """A new secret feed link (the token is shown once; only its hash is kept). An earlier link stops."""
    now = timezone.now()
    CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=actor, token_hash=feed_token_hash(token), created_at=now)
    audit_record(action=codes.MEETING_CALENDAR_CREATED, actor=actor, request=request, target=feed)
    return token


@transaction.atomic
def calendar_feed_revoke(*, actor: Any, request: HttpRequest | None = None) -> int:
    revoked = CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit_record(
            action=codes.MEETING_CALENDAR_REVOKED, actor=actor, request=request, detail={"revoked": revoked}
        )
    return revoked


@transaction.atomic
def calendar_feed_read(*, token: str, request: HttpRequest | None = None) -> bytes | None:
    """The calendar for a secret link, or None when the link is unknown, revoked or its owner is gone."""
    from .calendar import meetings_calendar

    if not token or len(token) > 128:
        return None
    feed = (
        CalendarFeed.objects.filter(
            token_hash=feed_token_hash(token), revoked_at__isnull=True, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    if feed is None:
        return None
    now = timezone.now()
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    meetings = selectors.calendar_meetings(feed.user, now=now)
    audit_record(
        action=codes.MEETING_CALENDAR_READ,
        actor=feed.user,
        request=request,
        target=feed,
        detail={"meetings": len(meetings)},
    )
    return meetings_calendar(meetings)


# --- Discharge coordination (psykiatriloven §§ 13 a-c) ------------------------------------------------------


def discharge_deadline(requested_on: date) -> date:
    return add_working_days(requested_on, DISCHARGE_WORKING_DAYS)


def propose_discharge_dates(
    cooperation_id: int, requested_on: date, deadline: date, *, count: int = 3
) -> list[date]:
    """Working days within the deadline, from the day after the request, leaving out days on which the
    cooperation already meets; the last days before the deadline are used only when nothing earlier is
    free."""
    days = working_days_between(requested_on, deadline)
    busy = {
        timezone.localdate(starts)
        for starts in Meeting.objects.filter(
            cooperation_id=cooperation_id,
            starts_at__date__gte=requested_on,
            starts_at__date__lte=deadline,
        ).values_list("starts_at", flat=True)
    }
    free = [d for d in days if d not in busy]
    return (free or days)[:count]


@transaction.atomic
def discharge_request(
    *,
    actor: Any,
    case: Case,
    requested_by_party: str,
    timing: str,
    requested_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> DischargeMeeting:
    """Record that psychiatry, the social services or the citizen asked for a network meeting before or
    after discharge. The deadline is five working days after the request (Danish public holidays do not
    count); Samspil proposes dates within it."""
    access = case_access(actor, case)
    if not access.has_details:
        raise PermissionDenied(_("Din organisation er ikke involveret i sagen"))
    if case.state == CaseState.CLOSED:
        raise MeetingError(_("Sagen er lukket. Genåbn den først."))
    from .models import DischargeRequester, DischargeTiming

    if requested_by_party not in DischargeRequester.values:
        raise MeetingError(_("Vælg, hvem der har bedt om mødet."), field="requested_by_party")
    if timing not in DischargeTiming.values:
        raise MeetingError(_("Vælg, om mødet er før eller efter udskrivning."), field="timing")
    now = timezone.now()
    requested_at = requested_at or now
    if requested_at > now + timedelta(minutes=5):
        raise MeetingError(_("Anmodningen kan ikke ligge i fremtiden."), field="requested_at")
    requested_on = timezone.localdate(requested_at)
    deadline = discharge_deadline(requested_on)
    discharge = DischargeMeeting.objects.create(
        cooperation_id=case.cooperation_id,
        case=case,
        requested_by_party=requested_by_party,
        timing=timing,
        requested_at=requested_at,
        deadline=deadline,
        proposed_dates=[
            d.isoformat() for d in propose_discharge_dates(case.cooperation_id, requested_on, deadline)
        ],
        recorded_by=actor,
        recorded_by_organisation_id=min(access.organisation_ids),
    )
    audit_record(
        action=codes.DISCHARGE_REQUESTED,
        actor=actor,
        request=request,
        target=discharge,
        citizen_id=case.citizen_id,
        cooperation_id=case.cooperation_id,
        detail={"case": case.pk, "deadline": deadline.isoformat(), "party": requested_by_party},
    )
    return discharge


def _discharge_access(actor: Any, discharge: DischargeMeeting) -> None:
    if not case_access(actor, discharge.case).has_details:
        raise PermissionDenied(_("Din organisation er ikke involveret i sagen"))


@transaction.atomic
def discharge_schedule(
    *,
    actor: Any,
    discharge: DischargeMeeting,
    scheduled_at: datetime,
    place: str,
    request: HttpRequest | None = None,
) -> bool:
    """Set the meeting's time and place. Returns whether it lies after the deadline (allowed, since the
    parties may not all be able to come, but shown as a warning and recorded)."""
    _discharge_access(actor, discharge)
    if discharge.status == DischargeStatus.HELD:
        raise MeetingError(_("Mødet er afholdt og registreret."))
    place = _check_text(place, field="place", limit=200)
    if scheduled_at < discharge.requested_at:
        raise MeetingError(_("Mødet kan ikke ligge før anmodningen."), field="scheduled_at")
    late = timezone.localdate(scheduled_at) > discharge.deadline
    DischargeMeeting.objects.filter(pk=discharge.pk).scoped().update(
        scheduled_at=scheduled_at, place=place, status=DischargeStatus.SCHEDULED
    )
    discharge.scheduled_at, discharge.place, discharge.status = scheduled_at, place, DischargeStatus.SCHEDULED
    audit_record(
        action=codes.DISCHARGE_SCHEDULED,
        actor=actor,
        request=request,
        target=discharge,
        citizen_id=discharge.case.citizen_id,
        cooperation_id=discharge.cooperation_id,
        detail={"after_deadline": late},
    )
    return late


@transaction.atomic
def discharge_record(
    *,
    actor: Any,
    discharge: DischargeMeeting,
    agreement_type: str,
    agreement_summary: str,
    organisations: list[Organisation],
    citizen_participates: bool,
    other_participants: str = "",
    held_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> DischargeMeeting:
    """Record the outcome: a discharge agreement (the citizen took part) or a coordination plan (the
    citizen did not), and who took part."""
    _discharge_access(actor, discharge)
    if discharge.status == DischargeStatus.HELD:
        raise MeetingError(_("Mødet er allerede registreret som afholdt."))
    if agreement_type not in AgreementType.values:
        raise MeetingError(_("Vælg udskrivningsaftale eller koordinationsplan."), field="agreement_type")
    if agreement_type == AgreementType.DISCHARGE_AGREEMENT and not citizen_participates:
        raise MeetingError(
            _(
                "En udskrivningsaftale indgås med borgeren. "
                "Deltog borgeren ikke, er resultatet en koordinationsplan."
            ),
            field="agreement_type",
        )
    if agreement_type == AgreementType.COORDINATION_PLAN and citizen_participates:
        raise MeetingError(
            _(
                "Deltog borgeren, er resultatet en udskrivningsaftale. "
                "En koordinationsplan laves, når borgeren ikke deltager."
            ),
            field="agreement_type",
        )
    if not organisations:
        raise MeetingError(_("Vælg de organisationer, der deltog."), field="organisations")
    allowed = set(
        CooperationOrganisation.objects.filter(cooperation_id=discharge.cooperation_id).values_list(
            "organisation_id", flat=True
        )
    )
    if any(o.pk not in allowed for o in organisations):
        raise MeetingError(_("Vælg blandt samarbejdets organisationer."), field="organisations")
    summary = _check_text(agreement_summary, field="agreement_summary", limit=4000)
    others = _check_text(other_participants, field="other_participants", limit=300, required=False)
    held_at = held_at or discharge.scheduled_at or timezone.now()
    DischargeMeeting.objects.filter(pk=discharge.pk).scoped().update(
        agreement_type=agreement_type,
        agreement_summary=summary,
        citizen_participates=citizen_participates,
        other_participants=others,
        held_at=held_at,
        status=DischargeStatus.HELD,
        completed_by=actor,
    )
    discharge.participant_organisations.set(organisations)
    discharge.refresh_from_db()
    audit_record(
        action=codes.DISCHARGE_RECORDED,
        actor=actor,
        request=request,
        target=discharge,
        citizen_id=discharge.case.citizen_id,
        cooperation_id=discharge.cooperation_id,
        detail={
            "agreement_type": agreement_type,
            "organisations": sorted(o.pk for o in organisations),
            "after_deadline": timezone.localdate(held_at) > discharge.deadline,
        },
    )
    return discharge


@transaction.atomic
def discharge_record_view(
    *, actor: Any, discharge: DischargeMeeting, request: HttpRequest | None = None
) -> None:
    audit_record(
        action=codes.DISCHARGE_VIEWED,
        actor=actor,
        request=request,
        target=discharge,
        citizen_id=discharge.case.citizen_id,
        cooperation_id=discharge.cooperation_id,
    )
