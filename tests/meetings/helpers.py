"""Test data for the meeting tests: the world's key-person group and meetings, built with the models."""

from __future__ import annotations

import email
import email.header
import socket
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import Message
from typing import Any

from django.utils import timezone

from samspil.audit.models import AuditEvent
from samspil.cases.models import Case, CaseState, Task
from samspil.core.scoping import unscoped
from samspil.meetings.confidentiality import confidentiality_terms
from samspil.meetings.models import (
    Action,
    AgendaItem,
    AgendaItemStatus,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)
from samspil.organisations.models import CooperationGroup, GroupKind, Organisation

from ..factories import CaseFactory, CitizenFactory, CooperationGroupFactory

KEY_MEMBERS = ("police_officer", "social_worker", "psychiatry_nurse", "coordinator")


def organisations_of(world: Any) -> dict[str, Organisation]:
    return {"police": world.police, "municipality": world.municipality, "region": world.region}


def key_group(world: Any) -> CooperationGroup:
    group = CooperationGroup.objects.filter(cooperation=world.cooperation, kind=GroupKind.KEY_PERSONS).first()
    if group is None:
        group = CooperationGroupFactory(
            cooperation=world.cooperation,
            kind=GroupKind.KEY_PERSONS,
            name="Nøglepersongruppen",
            meetings_per_year=10,
        )
        for persona in KEY_MEMBERS:
            world.users[persona].memberships.get().groups.add(group)
    return group


def series_of(world: Any, *, kind: str = GroupKind.KEY_PERSONS) -> MeetingSeries:
    if kind == GroupKind.KEY_PERSONS:
        group = key_group(world)
    else:
        name = "Styregruppen" if kind == GroupKind.STEERING else "Arbejdsgruppen"
        group = CooperationGroup.objects.filter(
            cooperation=world.cooperation, kind=kind
        ).first() or CooperationGroupFactory(
            cooperation=world.cooperation, kind=kind, name=name, meetings_per_year=4
        )
    series = MeetingSeries.objects.filter(group=group).first()
    return series or MeetingSeries.objects.create(
        cooperation=world.cooperation, group=group, name=group.name, default_place="Rådhuset, mødelokale 2"
    )


def meeting_in(
    world: Any,
    *,
    series: MeetingSeries | None = None,
    status: str = MeetingStatus.PLANNED,
    starts_at: datetime | None = None,
    chair: Any = None,
    secretary: Any = None,
    place: str = "Rådhuset, mødelokale 2",
) -> Meeting:
    series = series or series_of(world)
    starts_at = starts_at or timezone.now() + timedelta(days=7)
    return Meeting.objects.create(
        series=series,
        cooperation=world.cooperation,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        place=place,
        status=status,
        chair=chair if chair is not None else world.users["coordinator"],
        secretary=secretary,
        opened_at=timezone.now() if status != MeetingStatus.PLANNED else None,
        closed_at=timezone.now() if status == MeetingStatus.CLOSED else None,
    )


def psp_case(
    world: Any,
    *,
    involved: tuple[str, ...] = ("police", "municipality", "region"),
    lead: str = "municipality",
    identified: bool = False,
    referred_by: Any = None,
    pseudonym: str | None = None,
) -> Case:
    orgs = organisations_of(world)
    fields: dict[str, Any] = {}
    if pseudonym:
        fields["pseudonym"] = pseudonym
    if identified:
        fields.update(citizen=CitizenFactory(cooperation=world.cooperation), state=CaseState.IDENTIFIED)
    return CaseFactory(
        cooperation=world.cooperation,
        lead_organisation=orgs[lead],
        involve=[orgs[n] for n in involved],
        referred_by=referred_by,
        **fields,
    )


def item_on(
    meeting: Meeting,
    *,
    case: Case | None = None,
    theme: str = "",
    reason: str = "Drøftes (fiktivt).",
    status: str = AgendaItemStatus.ACCEPTED,
    order: int | None = None,
) -> AgendaItem:
    if order is None:
        order = AgendaItem.objects.filter(meeting=meeting).scoped().count() + 1
    return AgendaItem.objects.create(
        meeting=meeting, case=case, theme=theme, reason=reason, status=status, order=order
    )


def acknowledge(meeting: Meeting, user: Any, *, status: str = AttendanceStatus.PRESENT) -> Attendance:
    organisation = user.memberships.filter(cooperation=meeting.cooperation).first().organisation
    attendance, _created = Attendance.objects.scoped().update_or_create(
        meeting=meeting,
        user=user,
        defaults={
            "organisation": organisation,
            "status": status,
            "acknowledged_at": timezone.now(),
            "acknowledged_terms_digest": confidentiality_terms().digest,
        },
    )
    return attendance


def action_on(
    item: AgendaItem,
    organisation: Organisation,
    *,
    owner: Any = None,
    due_date: date | None = None,
    what: str = "Kontakte borgeren i denne uge (fiktivt).",
) -> Action:
    task = None
    if item.case is not None:
        task = Task.objects.create(
            case=item.case,
            title=what,
            owner_organisation=organisation,
            owner=owner,
            due_date=due_date,
            source="meeting",
        )
    return Action.objects.create(
        item=item,
        meeting=item.meeting,
        case=item.case,
        organisation=organisation,
        owner=owner,
        what=what,
        due_date=due_date,
        task=task,
    )


def events(action: str, **filters: Any) -> list[AuditEvent]:
    with unscoped("test reads the audit log"):
        return list(AuditEvent.objects.filter(action=action, **filters).order_by("pk"))


# --- A real SMTP server on loopback -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Inbox:
    """What arrived at the loopback SMTP server."""

    envelopes: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"

    @property
    def messages(self) -> list[Message]:
        return [email.message_from_bytes(e.original_content or e.content) for e in self.envelopes]

    def recipients(self) -> list[str]:
        return sorted(address for e in self.envelopes for address in e.rcpt_tos)

    def body(self, message: Message) -> str:
        part = message.get_payload(decode=True)
        return part.decode(message.get_content_charset() or "utf-8") if isinstance(part, bytes) else str(part)

    def subject(self, message: Message) -> str:
        return str(email.header.make_header(email.header.decode_header(message["Subject"])))


# --- The authorization matrix's objects ---------------------------------------------------------------------


@dataclass
class RouteObjects:
    series: MeetingSeries
    meeting: Meeting
    item: AgendaItem
    proposal: AgendaItem
    case: Case
    carried: Action
    closed: Meeting
    discharge: Any
    feedback: Any


def meeting_objects(world: Any) -> RouteObjects:
    """Built once per world: a meeting in progress (the coordinator chairs it and has accepted the
    confidentiality statement) with a case involving all three sectors on the agenda, a proposal, an
    action carried over from the previous (closed) meeting, a discharge request on the case and a feedback
    to the frontline worker who raised it."""
    cached = getattr(world, "_meeting_objects", None)
    if cached is not None:
        return cached
    from samspil.meetings.models import DischargeMeeting, ReferrerFeedback
    from samspil.meetings.services import discharge_deadline

    case = psp_case(world, referred_by=world.users["frontline_worker"], identified=True)
    closed = meeting_in(world, status=MeetingStatus.CLOSED, starts_at=timezone.now() - timedelta(days=30))
    closed_item = item_on(closed, case=case)
    carried = action_on(
        closed_item,
        world.police,
        owner=world.users["police_officer"],
        due_date=timezone.localdate() + timedelta(days=3),
    )
    feedback = ReferrerFeedback.objects.create(
        item=closed_item,
        case=case,
        recipient=world.users["frontline_worker"],
        text="Politiet tager kontakt til borgeren (fiktivt).",
    )
    meeting = meeting_in(world, status=MeetingStatus.OPEN, starts_at=timezone.now())
    item = item_on(meeting, case=case)
    proposal = item_on(meeting, case=psp_case(world), status=AgendaItemStatus.PROPOSED, order=0)
    acknowledge(meeting, world.users["coordinator"])
    today = timezone.localdate()
    discharge = DischargeMeeting.objects.create(
        cooperation=world.cooperation,
        case=case,
        requested_by_party="psychiatry",
        timing="before",
        requested_at=timezone.now(),
        deadline=discharge_deadline(today),
        recorded_by=world.users["psychiatry_nurse"],
        recorded_by_organisation=world.region,
    )
    planned = meeting_in(world, starts_at=timezone.now() + timedelta(days=20))  # open for proposals
    assert planned.pk
    objects = RouteObjects(
        series_of(world), meeting, item, proposal, case, carried, closed, discharge, feedback
    )
    world._meeting_objects = objects
    return objects
