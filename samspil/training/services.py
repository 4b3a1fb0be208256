"""Writes for the training course. Each service runs in one transaction and records its audit event
in it. A refused change raises ``TrainingError`` with a message for the person.

Seats are decided under a row lock on the offering (``select_for_update``; PostgreSQL serialises the
competing transactions, SQLite serialises all writers anyway), so two people can never both get the
last seat and the waitlist is promoted in order exactly once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from samspil.audit import actions
from samspil.audit.services import audit_record
from samspil.core.roles import Capability
from samspil.core.scoping import unscoped
from samspil.organisations.models import Membership, Sector
from samspil.organisations.policies import has_capability

from .models import (
    Answer,
    Attendance,
    AttestationKind,
    Completion,
    Course,
    Enrolment,
    EnrolmentStatus,
    Item,
    ItemKind,
    ItemOption,
    Material,
    Module,
    ModuleGoal,
    Offering,
    OfferingDay,
    OfferingStatus,
    Presenter,
    ProgrammeDay,
    Questionnaire,
    QuestionnaireItem,
    QuestionnaireKind,
    Response,
    Session,
    SessionAttendance,
    TrainingAttestation,
    add_years,
)
from .selectors import is_course_administrator, offering_seats, waitlist_rank


class TrainingError(Exception):
    """A rule refused the change. ``message`` is a sentence for the person who tried."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


# --- courses and programme ---------------------------------------------------------------------------------

COURSE_FIELDS = ("title", "description", "organisers", "counts_for_concerns", "valid_years")


def course_save(
    *, actor: Any, request: HttpRequest | None = None, course: Course | None, data: Mapping[str, Any]
) -> Course:
    with transaction.atomic():
        created = course is None
        course = course or Course()
        for name in COURSE_FIELDS:
            if name in data:
                setattr(course, name, data[name])
        course.save()
        audit_record(
            action=actions.COURSE_CREATED if created else actions.COURSE_CHANGED,
            actor=actor,
            request=request,
            target=course,
        )
    return course


def _programme_changed(
    actor: Any, request: HttpRequest | None, course: Course, what: str, pk: Any, change: str
) -> None:
    audit_record(
        action=actions.COURSE_PROGRAMME_CHANGED,
        actor=actor,
        request=request,
        target=course,
        detail={"what": what, "id": pk, "change": change},
    )


def programme_day_save(
    *,
    actor: Any,
    request: HttpRequest | None = None,
    course: Course,
    day: ProgrammeDay | None,
    data: Mapping[str, Any],
) -> ProgrammeDay:
    with transaction.atomic():
        duplicate = course.days.filter(number=data["number"])
        if day is not None:
            duplicate = duplicate.exclude(pk=day.pk)
        if duplicate.exists():
            raise TrainingError(_("Kurset har allerede en dag nr. %(number)s.") % {"number": data["number"]})
        change = "changed" if day else "created"
        day = day or ProgrammeDay(course=course)
        day.number = data["number"]
        day.title = data["title"]
        day.save()
        _programme_changed(actor, request, course, "day", day.pk, change)
    return day


def programme_day_delete(*, actor: Any, request: HttpRequest | None = None, day: ProgrammeDay) -> None:
    with transaction.atomic():
        if day.offering_days.exists():
            raise TrainingError(_("Dagen indgår i et hold og kan ikke slettes. Ret den i stedet."))
        course, pk = day.course, day.pk
        day.delete()
        _programme_changed(actor, request, course, "day", pk, "deleted")


def session_save(
    *,
    actor: Any,
    request: HttpRequest | None = None,
    day: ProgrammeDay,
    session: Session | None,
    data: Mapping[str, Any],
) -> Session:
    if data["ends_at"] <= data["starts_at"]:
        raise TrainingError(_("Sessionen skal slutte efter den starter."))
    with transaction.atomic():
        change = "changed" if session else "created"
        session = session or Session(day=day)
        session.title = data["title"]
        session.starts_at = data["starts_at"]
        session.ends_at = data["ends_at"]
        session.save()
        _programme_changed(actor, request, day.course, "session", session.pk, change)
    return session


def session_delete(*, actor: Any, request: HttpRequest | None = None, session: Session) -> None:
    with transaction.atomic():
        course, pk = session.day.course, session.pk
        session.delete()
        _programme_changed(actor, request, course, "session", pk, "deleted")


def module_save(
    *,
    actor: Any,
    request: HttpRequest | None = None,
    session: Session,
    module: Module | None,
    data: Mapping[str, Any],
) -> Module:
    """Create or change a module; ``data['goals']`` lists the goals it serves (at least one)."""
    goals = list(data.get("goals") or [])
    if not goals:
        raise TrainingError(_("Vælg mindst ét læringsmål, modulet arbejder hen imod."))
    with transaction.atomic():
        change = "changed" if module else "created"
        module = module or Module(session=session)
        module.title = data["title"]
        module.learning_objectives = data["learning_objectives"]
        module.order = data.get("order") or 1
        module.save()
        module.goals.exclude(goal__in=goals).delete()
        for goal in goals:
            ModuleGoal.objects.get_or_create(module=module, goal=goal)
        module.presenters.set(list(data.get("presenters") or []))
        _programme_changed(actor, request, session.day.course, "module", module.pk, change)
    return module


def module_delete(*, actor: Any, request: HttpRequest | None = None, module: Module) -> None:
    with transaction.atomic():
        course, pk = module.session.day.course, module.pk
        module.delete()
        _programme_changed(actor, request, course, "module", pk, "deleted")


def presenter_save(
    *, actor: Any, request: HttpRequest | None = None, presenter: Presenter | None, data: Mapping[str, Any]
) -> Presenter:
    with transaction.atomic():
        presenter = presenter or Presenter()
        presenter.name = data["name"]
        presenter.organisation = data["organisation"]
        presenter.job_title = data.get("job_title", "")
        presenter.save()
        audit_record(
            action=actions.COURSE_PROGRAMME_CHANGED,
            actor=actor,
            request=request,
            target=presenter,
            detail={"what": "presenter", "id": presenter.pk},
        )
    return presenter


# --- offerings ---------------------------------------------------------------------------------------------

OFFERING_FIELDS = (
    "title",
    "venue",
    "venue_address",
    "capacity",
    "registration_deadline",
    "max_sector_share",
    "track_sessions",
    "reminder_days_before",
    "status",
)


def offering_save(
    *,
    actor: Any,
    request: HttpRequest | None = None,
    course: Course,
    offering: Offering | None,
    data: Mapping[str, Any],
    day_dates: Mapping[int, date],
) -> Offering:
    """Create or change an offering and its dates (one per programme day, in the days' order).

    More seats or a looser sector limit promote people from the waitlist at once.
    """
    programme_days = list(course.days.order_by("number"))
    if not programme_days:
        raise TrainingError(_("Kurset har endnu ingen programdage. Opret programmet først."))
    dates = [day_dates.get(day.pk) for day in programme_days]
    if any(d is None for d in dates):
        raise TrainingError(_("Angiv en dato for hver kursusdag."))
    if any(later <= earlier for earlier, later in pairwise(dates)):  # type: ignore[operator]
        raise TrainingError(_("Kursusdagene skal ligge i rækkefølge på hver sin dato."))
    deadline = data.get("registration_deadline") or (offering.registration_deadline if offering else None)
    if deadline is None:
        raise TrainingError(_("Angiv en tilmeldingsfrist."))
    if timezone.localdate(deadline) > dates[-1]:  # type: ignore[operator]
        raise TrainingError(_("Tilmeldingsfristen skal ligge senest på sidste kursusdag."))
    with transaction.atomic():
        created = offering is None
        if offering is None:
            offering = Offering(course=course)
        else:
            offering = Offering.objects.select_for_update().get(pk=offering.pk)
        for name in OFFERING_FIELDS:
            if name in data:
                setattr(offering, name, data[name])
        offering.save()
        for programme_day, day_date in zip(programme_days, dates, strict=True):
            OfferingDay.objects.update_or_create(
                offering=offering, programme_day=programme_day, defaults={"date": day_date}
            )
        audit_record(
            action=actions.COURSE_OFFERING_CREATED if created else actions.COURSE_OFFERING_CHANGED,
            actor=actor,
            request=request,
            target=offering,
        )
        if not created:
            _promote_waitlisted(offering, actor=actor, request=request)
    return offering


def offering_end(offering: Offering) -> datetime:
    """When the last day's last session ends (16:00 if the programme has no sessions that day)."""
    days = list(offering.days.select_related("programme_day").order_by("date"))
    if not days:
        return timezone.now()
    last = days[-1]
    ends = [s.ends_at for s in last.programme_day.sessions.all()]
    return _local(last.date, max(ends) if ends else time(16, 0))


def _first_date(offering: Offering) -> date | None:
    first = offering.days.order_by("date").first()
    return first.date if first else None


def _before_first_day_ends(offering: Offering, now: datetime) -> bool:
    first = _first_date(offering)
    return first is None or timezone.localdate(now) <= first


# --- enrolment ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrolmentOutcome:
    enrolment: Enrolment
    message: str


def _sector_name(sector: str) -> str:
    return str(Sector(sector).label) if sector in Sector.values else sector


def enrolment_self_enrol(
    *, actor: Any, request: HttpRequest | None = None, offering_id: int, membership: Membership
) -> EnrolmentOutcome:
    """A member enrols on behalf of one of their own memberships in a cooperation."""
    if membership.user_id != actor.pk or membership.cooperation_id is None or not membership.is_active:
        raise TrainingError(_("Du kan kun tilmelde dig for et af dine egne medlemskaber af et samarbejde."))
    return _enrol(
        actor=actor, request=request, offering_id=offering_id, membership=membership, nominated=False
    )


def enrolment_nominate(
    *, actor: Any, request: HttpRequest | None = None, offering_id: int, membership: Membership
) -> EnrolmentOutcome:
    """A coordinator enrols a member of the cooperation they coordinate."""
    cooperation = membership.cooperation
    if (
        cooperation is None
        or not membership.is_active
        or not has_capability(actor, Capability.NOMINATE_FOR_COURSES, cooperation)
    ):
        raise TrainingError(_("Du kan kun indstille medlemmer af et samarbejde, du er koordinator for."))
    return _enrol(
        actor=actor, request=request, offering_id=offering_id, membership=membership, nominated=True
    )


def _enrol(
    *, actor: Any, request: HttpRequest | None, offering_id: int, membership: Membership, nominated: bool
) -> EnrolmentOutcome:
    from .tasks import send_enrolment_email

    now = timezone.now()
    with transaction.atomic():
        offering = Offering.objects.select_for_update().select_related("course").get(pk=offering_id)
        if offering.status != OfferingStatus.OPEN:
            raise TrainingError(_("Holdet er ikke åbent for tilmelding."))
        if now > offering.registration_deadline:
            raise TrainingError(_("Tilmeldingsfristen er overskredet."))
        member = membership.user
        with unscoped("the enrolment rules need the member's existing place on this offering"):
            enrolment = Enrolment.objects.filter(offering=offering, member_id=member.pk).first()
        if enrolment is not None and enrolment.status == EnrolmentStatus.ENROLLED:
            raise TrainingError(_("%(name)s er allerede tilmeldt holdet.") % {"name": member.full_name})
        if enrolment is not None and enrolment.status == EnrolmentStatus.WAITLISTED:
            raise TrainingError(_("%(name)s står allerede på ventelisten.") % {"name": member.full_name})
        sector = membership.organisation.sector
        seats = offering_seats(offering)
        limit = offering.sector_seat_limit()
        sector_full = limit is not None and seats.by_sector.get(sector, 0) >= limit
        if seats.free > 0 and not sector_full:
            status, position = EnrolmentStatus.ENROLLED, None
        else:
            status, position = EnrolmentStatus.WAITLISTED, _next_position(offering)
        enrolment = enrolment or Enrolment(offering=offering, member=member)
        enrolment.organisation = membership.organisation
        enrolment.cooperation = membership.cooperation
        enrolment.sector = sector
        enrolment.status = status
        enrolment.position = position
        enrolment.nominated_by = actor if nominated else None
        enrolment.enrolled_at = now
        enrolment.status_changed_at = now
        enrolment.reminder_sent_at = None
        enrolment.save()
        audit_record(
            action=actions.COURSE_ENROLLED
            if status == EnrolmentStatus.ENROLLED
            else actions.COURSE_WAITLISTED,
            actor=actor,
            request=request,
            target=enrolment,
            detail={"offering": offering.pk, "nominated": nominated, "member": member.pk},
        )
        send_enrolment_email.enqueue(
            enrolment.pk, "enrolled" if status == EnrolmentStatus.ENROLLED else "waitlisted"
        )
    who = _("Du") if not nominated else member.full_name
    if status == EnrolmentStatus.ENROLLED:
        message = _("%(who)s har fået plads på %(offering)s. En bekræftelse er sendt på e-mail.") % {
            "who": who,
            "offering": offering.title,
        }
    elif sector_full and seats.free > 0:
        message = _(
            "Pladserne til deltagere fra %(sector)s er optaget: højst %(limit)s af %(capacity)s pladser pr. "
            "sektor, så holdet får en blanding af politi, socialforvaltning og psykiatri. %(who)s står som "
            "nr. %(rank)s på ventelisten og får besked, hvis der bliver en plads."
        ) % {
            "sector": _sector_name(sector).lower(),
            "limit": limit,
            "capacity": offering.capacity,
            "who": who,
            "rank": waitlist_rank(enrolment),
        }
    else:
        message = _(
            "Holdet er fuldt. %(who)s står som nr. %(rank)s på ventelisten og får besked, "
            "hvis der bliver en plads."
        ) % {"who": who, "rank": waitlist_rank(enrolment)}
    return EnrolmentOutcome(enrolment, message)


def _next_position(offering: Offering) -> int:
    with unscoped("the next waitlist number is a count, not anyone's data"):
        highest = Enrolment.objects.filter(offering=offering).aggregate(m=Max("position"))["m"]
    return (highest or 0) + 1


def enrolment_cancel(*, actor: Any, request: HttpRequest | None = None, enrolment: Enrolment) -> Enrolment:
    """Cancel a place or waitlist place; a freed seat goes to the first on the waitlist who fits the
    sector balance. Only until the first course day (course administrators: until completion)."""
    from .tasks import send_enrolment_email

    now = timezone.now()
    with transaction.atomic():
        offering = Offering.objects.select_for_update().get(pk=enrolment.offering_id)
        with unscoped("re-read under the offering's lock the enrolment the caller was allowed to cancel"):
            enrolment = Enrolment.objects.select_related("member").get(pk=enrolment.pk)
        if enrolment.status == EnrolmentStatus.CANCELLED:
            raise TrainingError(_("Tilmeldingen er allerede afmeldt."))
        if Completion.objects.filter(enrolment=enrolment).scoped().exists():
            raise TrainingError(_("Kurset er registreret som gennemført og kan ikke afmeldes."))
        if not _before_first_day_ends(offering, now) and not is_course_administrator(actor):
            raise TrainingError(_("Holdet er gået i gang. Kontakt kursusadministratoren for at melde fra."))
        was_enrolled = enrolment.status == EnrolmentStatus.ENROLLED
        enrolment.status = EnrolmentStatus.CANCELLED
        enrolment.position = None
        enrolment.status_changed_at = now
        enrolment.save(update_fields=["status", "position", "status_changed_at"])
        audit_record(
            action=actions.COURSE_ENROLMENT_CANCELLED,
            actor=actor,
            request=request,
            target=enrolment,
            detail={"offering": offering.pk, "member": enrolment.member_id},
        )
        send_enrolment_email.enqueue(enrolment.pk, "cancelled")
        if was_enrolled:
            _promote_waitlisted(offering, actor=actor, request=request)
    return enrolment


def _promote_waitlisted(offering: Offering, *, actor: Any, request: HttpRequest | None) -> list[Enrolment]:
    """Give free seats to the waitlist in order, skipping people whose sector is at its limit.

    The caller holds the offering's row lock. Nothing moves once the first course day has passed or
    the offering is held or cancelled.
    """
    from .tasks import send_enrolment_email

    if offering.status not in (OfferingStatus.OPEN, OfferingStatus.CLOSED):
        return []
    if not _before_first_day_ends(offering, timezone.now()):
        return []
    seats = offering_seats(offering)
    free = seats.free
    by_sector = dict(seats.by_sector)
    limit = offering.sector_seat_limit()
    promoted: list[Enrolment] = []
    with unscoped("promoting the waitlist in order under the offering's lock"):
        waitlist = list(
            Enrolment.objects.filter(offering=offering, status=EnrolmentStatus.WAITLISTED).order_by(
                "position", "pk"
            )
        )
    for enrolment in waitlist:
        if free <= 0:
            break
        if limit is not None and by_sector.get(enrolment.sector, 0) >= limit:
            continue
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.position = None
        enrolment.status_changed_at = timezone.now()
        enrolment.save(update_fields=["status", "position", "status_changed_at"])
        free -= 1
        by_sector[enrolment.sector] = by_sector.get(enrolment.sector, 0) + 1
        audit_record(
            action=actions.COURSE_PROMOTED,
            actor=actor,
            request=request,
            target=enrolment,
            detail={"offering": offering.pk, "member": enrolment.member_id, "automatic": True},
        )
        send_enrolment_email.enqueue(enrolment.pk, "promoted")
        promoted.append(enrolment)
    return promoted


# --- attendance and completion -----------------------------------------------------------------------------


def attendance_set(
    *, actor: Any, request: HttpRequest | None = None, enrolment: Enrolment, day: OfferingDay, present: bool
) -> Attendance:
    if day.offering_id != enrolment.offering_id or enrolment.status != EnrolmentStatus.ENROLLED:
        raise TrainingError(_("Fremmøde kan kun registreres for deltagere med plads på holdet."))
    with transaction.atomic():
        attendance, _created = enrolment.attendances.update_or_create(
            day=day,
            defaults={"present": present, "recorded_by": actor, "recorded_at": timezone.now()},
        )
        audit_record(
            action=actions.COURSE_ATTENDANCE_RECORDED,
            actor=actor,
            request=request,
            target=enrolment,
            detail={"day": day.pk, "present": present, "member": enrolment.member_id},
        )
    return attendance


def session_attendance_set(
    *, actor: Any, request: HttpRequest | None = None, enrolment: Enrolment, session: Session, present: bool
) -> SessionAttendance:
    offering = enrolment.offering
    if (
        enrolment.status != EnrolmentStatus.ENROLLED
        or not offering.days.filter(programme_day=session.day).exists()
    ):
        raise TrainingError(_("Fremmøde kan kun registreres for deltagere med plads på holdet."))
    with transaction.atomic():
        attendance, _created = enrolment.session_attendances.update_or_create(
            session=session,
            defaults={"present": present, "recorded_by": actor, "recorded_at": timezone.now()},
        )
        audit_record(
            action=actions.COURSE_ATTENDANCE_RECORDED,
            actor=actor,
            request=request,
            target=enrolment,
            detail={"session": session.pk, "present": present, "member": enrolment.member_id},
        )
    return attendance


def completion_rule_met(enrolment: Enrolment, days: Sequence[OfferingDay]) -> bool:
    """Completion needs presence on every course day."""
    present = {a.day_id for a in enrolment.attendances.all() if a.present}
    return bool(days) and all(day.pk in present for day in days)


def _check_course_over(offering: Offering, now: datetime) -> datetime:
    days = list(offering.days.order_by("date"))
    if not days or timezone.localdate(now) < days[-1].date:
        raise TrainingError(_("Kurset er ikke slut endnu. Gennemførelse registreres fra sidste kursusdag."))
    return min(now, offering_end(offering))


def completions_record(
    *, actor: Any, request: HttpRequest | None = None, offering: Offering
) -> list[Completion]:
    """Register as completed everyone with a seat who was present on every day and has no completion."""
    now = timezone.now()
    with transaction.atomic():
        completed_at = _check_course_over(offering, now)
        days = list(offering.days.order_by("date"))
        with unscoped("the organiser applies the completion rule to every participant of their offering"):
            enrolments = list(
                Enrolment.objects.filter(
                    offering=offering, status=EnrolmentStatus.ENROLLED, completion__isnull=True
                )
                .select_related("member")
                .prefetch_related("attendances")
            )
        created = []
        for enrolment in enrolments:
            if completion_rule_met(enrolment, days):
                created.append(_complete(actor, request, enrolment, offering, completed_at, ""))
    return created


def completion_record_exception(
    *, actor: Any, request: HttpRequest | None = None, enrolment: Enrolment, reason: str
) -> Completion:
    """Register a completion although a day was missed, with the organiser's reason."""
    reason = reason.strip()
    if len(reason) < 10:
        raise TrainingError(_("Skriv en begrundelse for undtagelsen (mindst 10 tegn)."))
    now = timezone.now()
    with transaction.atomic():
        offering = enrolment.offering
        completed_at = _check_course_over(offering, now)
        if enrolment.status != EnrolmentStatus.ENROLLED:
            raise TrainingError(_("Kun deltagere med plads på holdet kan gennemføre det."))
        if Completion.objects.filter(enrolment=enrolment).scoped().exists():
            raise TrainingError(_("Deltageren er allerede registreret som gennemført."))
        return _complete(actor, request, enrolment, offering, completed_at, reason)


def _complete(
    actor: Any,
    request: HttpRequest | None,
    enrolment: Enrolment,
    offering: Offering,
    completed_at: datetime,
    reason: str,
) -> Completion:
    try:
        with transaction.atomic():
            completion = Completion.objects.create(
                member=enrolment.member,
                course=offering.course,
                offering=offering,
                enrolment=enrolment,
                completed_at=completed_at,
                exception_reason=reason,
                recorded_by=actor,
            )
    except IntegrityError as error:
        raise TrainingError(_("Deltageren er allerede registreret som gennemført.")) from error
    audit_record(
        action=actions.COURSE_COMPLETED,
        actor=actor,
        request=request,
        target=completion,
        detail={"offering": offering.pk, "member": enrolment.member_id, "exception": bool(reason)},
    )
    return completion


def completion_revoke(
    *, actor: Any, request: HttpRequest | None = None, completion: Completion, reason: str
) -> Completion:
    reason = reason.strip()
    if len(reason) < 10:
        raise TrainingError(_("Skriv hvorfor beviset tilbagekaldes (mindst 10 tegn)."))
    if completion.revoked_at is not None:
        raise TrainingError(_("Beviset er allerede tilbagekaldt."))
    with transaction.atomic():
        completion.revoked_at = timezone.now()
        completion.revoked_by = actor
        completion.revoked_reason = reason
        completion.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
        audit_record(
            action=actions.COURSE_COMPLETION_REVOKED,
            actor=actor,
            request=request,
            target=completion,
            detail={"member": completion.member_id},
        )
    return completion


def certificate_downloaded(*, actor: Any, request: HttpRequest | None = None, completion: Completion) -> None:
    audit_record(
        action=actions.COURSE_CERTIFICATE_DOWNLOADED,
        actor=actor,
        request=request,
        target=completion,
        detail={"member": completion.member_id},
    )


def certificate_looked_up(*, request: HttpRequest | None, completion: Completion | None) -> None:
    """The public verification page: record the look-up (no code or name for unknown codes)."""
    if completion is None:
        audit_record(action=actions.COURSE_CERTIFICATE_NOT_FOUND, request=request)
        return
    audit_record(
        action=actions.COURSE_CERTIFICATE_VERIFIED,
        request=request,
        target=completion,
        detail={"member": completion.member_id},
    )


# --- the training gate: waivers and courses taken elsewhere ------------------------------------------------

MAX_WAIVER_DAYS = 366


def attestation_grant_waiver(
    *, actor: Any, request: HttpRequest | None = None, membership: Membership, reason: str, expires_on: date
) -> TrainingAttestation:
    """A coordinator lets a member of their cooperation handle concerns for a limited time without the
    course (for example until the next offering), with a reason."""
    cooperation = membership.cooperation
    if cooperation is None or not has_capability(actor, Capability.WAIVE_TRAINING, cooperation):
        raise TrainingError(
            _("Du kan kun give fritagelse til medlemmer af et samarbejde, du er koordinator for.")
        )
    reason = reason.strip()
    if len(reason) < 10:
        raise TrainingError(_("Skriv en begrundelse for fritagelsen (mindst 10 tegn)."))
    today = timezone.localdate()
    if expires_on <= today:
        raise TrainingError(_("Fritagelsen skal udløbe efter i dag."))
    if expires_on > today + timedelta(days=MAX_WAIVER_DAYS):
        raise TrainingError(_("En fritagelse kan højst gælde et år. Tilmeld i stedet medlemmet et kursus."))
    with transaction.atomic():
        attestation = TrainingAttestation.objects.create(
            member=membership.user,
            kind=AttestationKind.WAIVER,
            reason=reason,
            cooperation=cooperation,
            granted_by=actor,
            valid_from=timezone.now(),
            expires_at=_local(expires_on, time.min),
        )
        audit_record(
            action=actions.COURSE_ATTESTATION_GRANTED,
            actor=actor,
            request=request,
            target=attestation,
            cooperation_id=cooperation.pk,
            detail={"member": membership.user_id, "kind": AttestationKind.WAIVER},
        )
    return attestation


def attestation_record_external(
    *, actor: Any, request: HttpRequest | None = None, member: Any, completed_on: date, reason: str
) -> TrainingAttestation:
    """A course administrator registers a course the member took before or outside Samspil; it counts
    for the same period as a course in Samspil."""
    if not is_course_administrator(actor):
        raise TrainingError(_("Kun kursusadministratorer kan registrere kurser taget uden for Samspil."))
    reason = reason.strip()
    if len(reason) < 10:
        raise TrainingError(_("Skriv hvilket kursus og hvor (mindst 10 tegn)."))
    if completed_on > timezone.localdate():
        raise TrainingError(_("Datoen for kurset kan ikke ligge i fremtiden."))
    start = _local(completed_on, time(12, 0))
    expires = add_years(start, settings.SAMSPIL_TRAINING_VALID_YEARS)
    if expires <= timezone.now():
        raise TrainingError(_("Kurset er så gammelt, at det ikke længere gælder."))
    with transaction.atomic():
        attestation = TrainingAttestation.objects.create(
            member=member,
            kind=AttestationKind.COMPLETED_ELSEWHERE,
            reason=reason,
            granted_by=actor,
            valid_from=start,
            expires_at=expires,
        )
        audit_record(
            action=actions.COURSE_ATTESTATION_GRANTED,
            actor=actor,
            request=request,
            target=attestation,
            detail={"member": member.pk, "kind": AttestationKind.COMPLETED_ELSEWHERE},
        )
    return attestation


def attestation_revoke(
    *, actor: Any, request: HttpRequest | None = None, attestation: TrainingAttestation
) -> None:
    if attestation.revoked_at is not None:
        raise TrainingError(_("Fritagelsen er allerede tilbagekaldt."))
    with transaction.atomic():
        attestation.revoked_at = timezone.now()
        attestation.revoked_by = actor
        attestation.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            action=actions.COURSE_ATTESTATION_REVOKED,
            actor=actor,
            request=request,
            target=attestation,
            cooperation_id=attestation.cooperation_id,
            detail={"member": attestation.member_id},
        )


# --- item bank, questionnaires and responses ---------------------------------------------------------------


def item_save(
    *,
    actor: Any,
    request: HttpRequest | None = None,
    item: Item | None,
    text: str,
    kind: str,
    goal: str,
    is_active: bool,
    options: Sequence[str] = (),
    key: int | None = None,
) -> Item:
    """Create or change an item. Multiple choice needs 2-6 options and exactly one key (``key`` is the
    index into ``options``). An answered item keeps its wording: only retiring it is allowed."""
    from .selectors import item_is_answered

    options = [o.strip() for o in options if o and o.strip()]
    if kind == ItemKind.MULTIPLE_CHOICE:
        if not 2 <= len(options) <= 6:
            raise TrainingError(_("Et flervalgsspørgsmål skal have mellem 2 og 6 svarmuligheder."))
        if key is None or not 0 <= key < len(options):
            raise TrainingError(_("Vælg hvilken svarmulighed der er den rigtige."))
    with transaction.atomic():
        if item is not None and item_is_answered(item):
            current = [o.text for o in item.options.order_by("order", "pk")]
            current_key = next(
                (i for i, o in enumerate(item.options.order_by("order", "pk")) if o.is_correct), None
            )
            if (item.text, item.kind, item.goal, current, current_key) != (text, kind, goal, options, key):
                raise TrainingError(
                    _(
                        "Spørgsmålet er besvaret og kan ikke ændres. "
                        "Tag det ud af brug og opret et nyt i stedet."
                    )
                )
        created = item is None
        item = item or Item()
        item.text, item.kind, item.goal, item.is_active = text, kind, goal, is_active
        item.save()
        if created or not item_is_answered(item):
            item.options.all().delete()
            if kind == ItemKind.MULTIPLE_CHOICE:
                for index, option in enumerate(options):
                    ItemOption.objects.create(
                        item=item, text=option, is_correct=index == key, order=index + 1
                    )
        audit_record(
            action=actions.COURSE_ITEM_CHANGED,
            actor=actor,
            request=request,
            target=item,
            detail={"change": "created" if created else "changed"},
        )
    return item


def questionnaire_save(
    *,
    actor: Any,
    request: HttpRequest | None = None,
    offering: Offering,
    kind: str,
    opens_at: datetime,
    deadline: datetime,
    items: Sequence[Item],
) -> Questionnaire:
    from .selectors import questionnaire_has_responses

    if deadline <= opens_at:
        raise TrainingError(_("Fristen skal ligge efter, at spørgeskemaet åbner."))
    if not items:
        raise TrainingError(_("Vælg mindst ét spørgsmål."))
    if kind in (QuestionnaireKind.PRE, QuestionnaireKind.POST) and any(not item.goal for item in items):
        raise TrainingError(
            _("Før- og eftermålingen må kun have spørgsmål, der er knyttet til et læringsmål.")
        )
    with transaction.atomic():
        questionnaire = Questionnaire.objects.filter(offering=offering, kind=kind).first()
        wanted = [item.pk for item in items]
        if questionnaire is not None and questionnaire_has_responses(questionnaire):
            current = list(questionnaire.entries.order_by("order", "pk").values_list("item_id", flat=True))
            if current != wanted:
                raise TrainingError(_("Spørgeskemaet er besvaret; spørgsmålene kan ikke længere ændres."))
        questionnaire = questionnaire or Questionnaire(offering=offering, kind=kind)
        questionnaire.opens_at, questionnaire.deadline = opens_at, deadline
        questionnaire.save()
        if not questionnaire_has_responses(questionnaire):
            questionnaire.entries.all().delete()
            for order, item in enumerate(items, start=1):
                QuestionnaireItem.objects.create(questionnaire=questionnaire, item=item, order=order)
        audit_record(
            action=actions.COURSE_QUESTIONNAIRE_CHANGED,
            actor=actor,
            request=request,
            target=questionnaire,
            detail={"offering": offering.pk, "kind": kind},
        )
    return questionnaire


def response_submit(
    *,
    actor: Any,
    request: HttpRequest | None = None,
    questionnaire: Questionnaire,
    enrolment: Enrolment,
    answers: Mapping[int, int],
    comment: str = "",
) -> Response:
    """Submit a participant's answers once, before the deadline. ``answers`` maps item id to the
    chosen option id (multiple choice) or to 1..5 (Likert); every item must be answered."""
    from .selectors import questionnaire_entries

    now = timezone.now()
    if enrolment.member_id != actor.pk or enrolment.offering_id != questionnaire.offering_id:
        raise TrainingError(_("Du kan kun besvare spørgeskemaer for dine egne hold."))
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise TrainingError(_("Kun deltagere med plads på holdet kan besvare spørgeskemaet."))
    if now < questionnaire.opens_at:
        raise TrainingError(_("Spørgeskemaet er ikke åbnet endnu."))
    if now >= questionnaire.deadline:
        raise TrainingError(_("Fristen for at besvare spørgeskemaet er overskredet."))
    entries = questionnaire_entries(questionnaire)
    rows: list[tuple[Item, ItemOption | None, int | None]] = []
    for entry in entries:
        item = entry.item
        value = answers.get(item.pk)
        if value is None:
            raise TrainingError(_("Besvar alle spørgsmål."))
        if item.kind == ItemKind.MULTIPLE_CHOICE:
            option = next((o for o in item.options.all() if o.pk == value), None)
            if option is None:
                raise TrainingError(_("Vælg en af svarmulighederne."))
            rows.append((item, option, None))
        else:
            if not 1 <= value <= 5:
                raise TrainingError(_("Vælg et svar fra 1 til 5."))
            rows.append((item, None, value))
    try:
        with transaction.atomic():
            response = Response.objects.create(
                questionnaire=questionnaire,
                participant=actor,
                enrolment=enrolment,
                submitted_at=now,
                comment=comment.strip() if questionnaire.kind == QuestionnaireKind.SATISFACTION else "",
            )
            Answer.objects.bulk_create(
                [
                    Answer(response=response, item=item, option=option, likert_value=value)
                    for item, option, value in rows
                ]
            )
            audit_record(
                action=actions.COURSE_RESPONSE_SUBMITTED,
                actor=actor,
                request=request,
                target=response,
                detail={"questionnaire": questionnaire.pk},
            )
    except IntegrityError as error:
        raise TrainingError(_("Du har allerede besvaret dette spørgeskema.")) from error
    return response


# --- materials ---------------------------------------------------------------------------------------------

ALLOWED_MATERIAL_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "png": "image/png",
    "jpg": "image/jpeg",
}
EXTENSION_ALIASES = {"jpeg": "jpg"}


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """The upload's type, (extension, content type), decided by its content; the name's extension
    must agree. Raises TrainingError with a message for the person otherwise."""
    limit_mb = settings.SAMSPIL_TRAINING_MAX_UPLOAD_MB
    if upload.size is None or upload.size > limit_mb * 1024 * 1024:
        raise TrainingError(_("Filen er for stor. Den må højst fylde %(limit)s MB.") % {"limit": limit_mb})
    if upload.size == 0:
        raise TrainingError(_("Filen er tom."))
    name = upload.name or ""
    claimed = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claimed = EXTENSION_ALIASES.get(claimed, claimed)
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    detected = EXTENSION_ALIASES.get(kind.extension, kind.extension) if kind else ""
    allowed = ", ".join(sorted({"PDF", "PowerPoint (PPTX)", "Word (DOCX)", "PNG", "JPEG"}))
    if detected not in ALLOWED_MATERIAL_TYPES:
        raise TrainingError(_("Filtypen kan ikke lægges op. Tilladt er: %(allowed)s.") % {"allowed": allowed})
    if claimed != detected:
        raise TrainingError(
            _("Filens indhold passer ikke til navnet: den hedder .%(claimed)s men er en %(detected)s-fil.")
            % {"claimed": claimed or "?", "detected": detected.upper()}
        )
    return detected, ALLOWED_MATERIAL_TYPES[detected]


def material_upload(
    *, actor: Any, request: HttpRequest | None = None, course: Course, title: str, upload: UploadedFile
) -> Material:
    extension, content_type = check_upload(upload)
    base = (upload.name or "materiale").rsplit(".", 1)[0]
    safe_base = (
        "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in base).strip()[:150] or "materiale"
    )
    with transaction.atomic():
        material = Material(
            course=course,
            title=title,
            original_name=f"{safe_base}.{extension}",
            content_type=content_type,
            size=upload.size or 0,
            uploaded_by=actor,
        )
        material.file.save("upload", upload, save=False)
        material.save()
        audit_record(action=actions.COURSE_MATERIAL_UPLOADED, actor=actor, request=request, target=material)
    return material


def material_downloaded(*, actor: Any, request: HttpRequest | None = None, material: Material) -> None:
    audit_record(action=actions.COURSE_MATERIAL_DOWNLOADED, actor=actor, request=request, target=material)


def material_delete(*, actor: Any, request: HttpRequest | None = None, material: Material) -> None:
    with transaction.atomic():
        storage, name = material.file.storage, material.file.name
        audit_record(action=actions.COURSE_MATERIAL_DELETED, actor=actor, request=request, target=material)
        material.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))


# --- reminders ---------------------------------------------------------------------------------------------


def reminders_send(*, now: datetime | None = None) -> int:
    """Queue a reminder (with the calendar file) to everyone with a seat on an offering that starts
    within its reminder period; each participant gets one reminder per offering."""
    from .tasks import send_enrolment_email

    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    with transaction.atomic():
        offerings = Offering.objects.filter(
            status__in=[OfferingStatus.OPEN, OfferingStatus.CLOSED], days__date__gte=today
        ).distinct()
        for offering in offerings:
            first = _first_date(offering)
            if first is None or not today <= first <= today + timedelta(days=offering.reminder_days_before):
                continue
            with unscoped("the reminder job writes to every participant with a seat"):
                due = list(
                    Enrolment.objects.select_for_update().filter(
                        offering=offering, status=EnrolmentStatus.ENROLLED, reminder_sent_at__isnull=True
                    )
                )
            for enrolment in due:
                enrolment.reminder_sent_at = now
                enrolment.save(update_fields=["reminder_sent_at"])
                send_enrolment_email.enqueue(enrolment.pk, "reminder")
                sent += 1
    return sent


def refresher_notices_send(*, now: datetime | None = None) -> int:
    """Tell members in advance (SAMSPIL_TRAINING_REFRESHER_NOTICE_DAYS) that their certificate runs
    out and a refresher course is due; once per completion, and not when a newer one exists."""
    from .tasks import send_refresher_notice

    now = now or timezone.now()
    notice = timedelta(days=settings.SAMSPIL_TRAINING_REFRESHER_NOTICE_DAYS)
    sent = 0
    with (
        transaction.atomic(),
        unscoped("the refresher job looks at every certificate that counts for the gate"),
    ):
        completions = list(
            Completion.objects.select_for_update()
            .filter(
                revoked_at__isnull=True,
                refresher_notice_sent_at__isnull=True,
                course__counts_for_concerns=True,
            )
            .select_related("course")
        )
        latest: dict[int, datetime] = {}
        for completion in Completion.objects.filter(revoked_at__isnull=True).select_related("course"):
            latest[completion.member_id] = max(
                latest.get(completion.member_id, completion.valid_until), completion.valid_until
            )
        for completion in completions:
            ends = completion.valid_until
            if not now < ends <= now + notice or latest.get(completion.member_id, ends) > ends:
                continue
            completion.refresher_notice_sent_at = now
            completion.save(update_fields=["refresher_notice_sent_at"])
            send_refresher_notice.enqueue(completion.pk)
            sent += 1
    return sent


def read_recorded(
    *,
    actor: Any,
    request: HttpRequest | None,
    action: str,
    target: Any = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record that someone read other people's personal data (a list, an answer sheet, an export)."""
    audit_record(action=action, actor=actor, request=request, target=target, detail=detail)
