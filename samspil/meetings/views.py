"""Meeting pages. Each view parses, asks a selector or service, renders; access is decided in policies.py.

A meeting the user may not know of answers 404; an action they may not take answers 403 (audited). A
refused save re-renders the form with a Danish message and everything typed (status 400).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from samspil.accounts.models import User
from samspil.audit import actions as codes
from samspil.audit.services import audit_record
from samspil.cases.models import CaseState
from samspil.cases.policies import case_access, raise_denied
from samspil.cases.selectors import case_visible, cases_visible_to
from samspil.core.roles import Capability
from samspil.organisations.models import Cooperation, Organisation
from samspil.organisations.policies import cooperation_for, deny, render_denials

from . import forms as meeting_forms
from . import selectors, services
from .confidentiality import confidentiality_terms
from .models import (
    AgendaItem,
    AgendaItemStatus,
    AgreementType,
    AttendanceStatus,
    DischargeMeeting,
    DischargeStatus,
    Meeting,
    MeetingStatus,
    ReviewOutcome,
)
from .policies import (
    acting_organisation_id,
    is_coordinator,
    may_manage,
    meeting_cooperation_ids,
    meeting_organisation_ids,
    require_manager,
    require_visible,
)
from .services import MeetingError
from .workdays import working_days_left

T = TypeVar("T")


# --- Helpers ------------------------------------------------------------------------------------------------


def _guarded(
    request: HttpRequest, call: Callable[[], T], *, target: Any, cooperation_id: int, what: str
) -> T:
    """Run a service; a refusal of the person (PermissionDenied) becomes an audited 403."""
    try:
        return call()
    except PermissionDenied as exc:
        raise deny(request, what=what, target=target, cooperation_id=cooperation_id) from exc


def _form_error(form: Any, exc: MeetingError) -> None:
    field = exc.field if exc.field in getattr(form, "fields", {}) else None
    form.add_error(field, str(exc))


def _meeting(request: HttpRequest, pk: int, *, manage: bool = False) -> Meeting:
    meeting = require_visible(request, selectors.meeting_visible(request.user, pk))
    if manage:
        require_manager(request, meeting)
    return meeting


def _item(request: HttpRequest, pk: int) -> AgendaItem:
    item = selectors.agenda_item(pk, request.user)
    if item is None:
        raise Http404
    return item


def _people_choices(cooperation_id: int, organisation_ids: set[int] | None = None) -> list[tuple[int, str]]:
    seen: dict[int, str] = {}
    for membership in selectors.case_workers_of(cooperation_id):
        if organisation_ids is not None and membership.organisation_id not in organisation_ids:
            continue
        seen.setdefault(membership.user_id, f"{membership.user.full_name} ({membership.organisation.name})")
    return sorted(seen.items(), key=lambda pair: pair[1])


def _user(pk: int | None) -> User | None:
    return User.objects.filter(pk=pk, is_active=True).first() if pk else None


def _organisation(pk: int | None) -> Organisation | None:
    return Organisation.objects.filter(pk=pk).first() if pk else None


def _context(request: HttpRequest, meeting: Meeting, **extra: Any) -> dict[str, Any]:
    """What every meeting page shows around its content."""
    own = selectors.own_attendance(request.user, meeting)
    return {
        "meeting": meeting,
        "starts": timezone.localtime(meeting.starts_at),
        "is_manager": may_manage(request.user, meeting),
        "acknowledged": own is not None and own.acknowledged_at is not None,
        "own_attendance": own,
        "statuses": MeetingStatus,
        **extra,
    }


def _needs_acknowledgement(context: dict[str, Any]) -> bool:
    return not context["acknowledged"] and context["meeting"].status != MeetingStatus.CLOSED


# --- Lists and series ---------------------------------------------------------------------------------------


@render_denials
@require_http_methods(["GET"])
def meeting_list(request: HttpRequest) -> HttpResponse:
    cooperation_ids = meeting_cooperation_ids(request.user)
    if not cooperation_ids:
        raise deny(request, what=Capability.OPEN_CASE)
    now = timezone.now()
    meetings = selectors.meetings_visible_to(request.user)
    upcoming = list(
        meetings.filter(starts_at__gte=now - timedelta(hours=12)).exclude(status=MeetingStatus.CLOSED)[:50]
    )
    recent = list(meetings.filter(status=MeetingStatus.CLOSED).order_by("-starts_at", "-pk")[:20])
    series = list(selectors.series_visible_to(request.user))
    creatable = [
        (cooperation, list(selectors.groups_without_series(cooperation.pk)))
        for cooperation in Cooperation.objects.filter(pk__in=sorted(cooperation_ids)).order_by("name")
        if is_coordinator(request.user, cooperation.pk)
    ]
    audit_record(
        action=codes.MEETINGS_LISTED,
        request=request,
        detail={"upcoming": len(upcoming), "recent": len(recent)},
    )
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "upcoming": upcoming,
            "recent": recent,
            "series": series,
            "creatable": [(cooperation, groups) for cooperation, groups in creatable if groups],
            "feedback_unread": selectors.feedback_for(request.user).filter(read_at__isnull=True).count(),
        },
    )


@render_denials
@require_http_methods(["GET", "POST"])
def series_create(request: HttpRequest, cooperation_pk: int) -> HttpResponse:
    cooperation = cooperation_for(request, cooperation_pk, Capability.CONFIGURE_COOPERATION)
    groups = list(selectors.groups_without_series(cooperation.pk))
    form = meeting_forms.SeriesForm(
        request.POST or None,
        initial={"default_start": time(9, 0)},
        choices={"group": [(g.pk, g.name) for g in groups]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        group = next(g for g in groups if g.pk == data["group"])
        try:
            series = services.series_create(
                actor=request.user,
                cooperation=cooperation,
                group=group,
                name=data["name"],
                default_place=data["default_place"],
                default_start=data["default_start"],
                default_duration_minutes=data["default_duration_minutes"],
                request=request,
            )
        except MeetingError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Mødeserien er oprettet."))
            return redirect("meetings:series_detail", pk=series.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "meetings/series_form.html", {"form": form, "cooperation": cooperation}, status=status
    )


@render_denials
@require_http_methods(["GET"])
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    series = selectors.series_visible(request.user, pk)
    if series is None:
        raise Http404
    meetings = list(
        selectors.meetings_visible_to(request.user).filter(series=series).order_by("-starts_at", "-pk")
    )
    return render(
        request,
        "meetings/series_detail.html",
        {
            "series": series,
            "meetings": meetings,
            "suggested": timezone.localtime(services.suggested_start(series)),
            "is_coordinator": is_coordinator(request.user, series.cooperation_id),
        },
    )


# --- Planning -----------------------------------------------------------------------------------------------


def _meeting_form(
    request: HttpRequest, cooperation_id: int, initial: dict[str, Any]
) -> meeting_forms.MeetingForm:
    people = _people_choices(cooperation_id)
    return meeting_forms.MeetingForm(
        request.POST or None, initial=initial, choices={"chair": people, "secretary": people}
    )


@render_denials
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    series = selectors.series_visible(request.user, pk)
    if series is None:
        raise Http404
    if not is_coordinator(request.user, series.cooperation_id):
        raise deny(request, what="meeting.plan", target=series, cooperation_id=series.cooperation_id)
    suggested = timezone.localtime(services.suggested_start(series))
    form = _meeting_form(
        request,
        series.cooperation_id,
        {
            "date": suggested.date(),
            "start": suggested.time(),
            "place": series.default_place,
            "chair": request.user.pk,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_plan(
                actor=request.user,
                series=series,
                starts_at=form.starts_at(),
                ends_at=form.ends_at(),
                place=data["place"],
                video_link=data["video_link"],
                chair=_user(data["chair"]),
                secretary=_user(data["secretary"]),
                request=request,
            )
        except MeetingError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Mødet er planlagt. Sæt sager på dagsordenen, og send indkaldelsen."))
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "series": series, "meeting": None},
        status=status,
    )


@render_denials
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    starts = timezone.localtime(meeting.starts_at)
    ends = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
    form = _meeting_form(
        request,
        meeting.cooperation_id,
        {
            "date": starts.date(),
            "start": starts.time(),
            "end": ends.time() if ends else None,
            "place": meeting.place,
            "video_link": meeting.video_link,
            "chair": meeting.chair_id,
            "secretary": meeting.secretary_id,
            "version": meeting.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_update(
                actor=request.user,
                meeting=meeting,
                version=data["version"] or 0,
                starts_at=form.starts_at(),
                ends_at=form.ends_at(),
                place=data["place"],
                video_link=data["video_link"],
                chair=_user(data["chair"]),
                secretary=_user(data["secretary"]),
                request=request,
            )
        except MeetingError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Mødet er ændret."))
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "series": meeting.series, "meeting": meeting},
        status=status,
    )


# --- The agenda ---------------------------------------------------------------------------------------------


def _agenda_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    context = _context(request, meeting)
    if _needs_acknowledgement(context):
        context["terms"] = confidentiality_terms()
        return context
    page = selectors.meeting_page(request.user, meeting)
    services.meeting_record_read(
        actor=request.user, meeting=meeting, page=page, minutes=False, request=request
    )
    context.update(
        page=page, may_edit_agenda=context["is_manager"] and meeting.status != MeetingStatus.CLOSED
    )
    return context


@render_denials
@require_http_methods(["GET"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return render(request, "meetings/meeting_detail.html", _agenda_context(request, meeting))


@render_denials
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    try:
        services.confidentiality_accept(
            actor=request.user,
            meeting=meeting,
            organisation_id=acting_organisation_id(request, meeting.cooperation_id),
            request=request,
        )
    except MeetingError as exc:
        messages.error(request, str(exc))
    target = "meetings:minutes" if request.POST.get("to") == "minutes" else "meetings:meeting_detail"
    return redirect(target, pk=meeting.pk)


@render_denials
@require_http_methods(["GET", "POST"])
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    on_agenda = set(
        AgendaItem.objects.filter(meeting=meeting, case__isnull=False)
        .exclude(status=AgendaItemStatus.DECLINED)
        .scoped()
        .values_list("case_id", flat=True)
    )
    cases = (
        []
        if meeting.series.is_steering
        else [
            (case.pk, f"{case.pseudonym} – {case.get_state_display()}")
            for case in cases_visible_to(request.user)
            .filter(cooperation_id=meeting.cooperation_id)
            .exclude(state=CaseState.CLOSED)
            .order_by("pseudonym")
            if case.pk not in on_agenda
        ]
    )
    form = meeting_forms.AgendaAddForm(request.POST or None, choices={"case": cases})
    if meeting.series.is_steering:
        del form.fields["case"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = (
            cases_visible_to(request.user).filter(pk=data["case"]).first() if data.get("case") else None
        )
        try:
            services.agenda_item_add(
                actor=request.user,
                meeting=meeting,
                case=case,
                theme=data["theme"],
                reason=data["reason"],
                request=request,
            )
        except MeetingError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Punktet er sat på dagsordenen."))
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/agenda_add.html", _context(request, meeting, form=form), status=status)


@render_denials
@require_POST
def item_decide(request: HttpRequest, item_pk: int) -> HttpResponse:
    item = _item(request, item_pk)
    meeting = item.meeting
    require_manager(request, meeting)
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        messages.error(request, _("Vælg at optage eller afvise punktet."))
        return redirect("meetings:meeting_detail", pk=meeting.pk)
    try:
        services.agenda_item_decide(
            actor=request.user, item=item, accept=decision == "accept", request=request
        )
    except MeetingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Punktet er optaget på dagsordenen.")
            if decision == "accept"
            else _("Punktet er ikke optaget."),
        )
    return redirect("meetings:meeting_detail", pk=meeting.pk)


@render_denials
@require_POST
def item_move(request: HttpRequest, item_pk: int) -> HttpResponse:
    item = _item(request, item_pk)
    meeting = item.meeting
    require_manager(request, meeting)
    try:
        services.agenda_item_move(
            actor=request.user, item=item, direction=request.POST.get("direction", ""), request=request
        )
    except MeetingError as exc:
        messages.error(request, str(exc))
    if getattr(request, "htmx", False):
        return render(request, "meetings/partials/agenda.html", _agenda_context(request, meeting))
    return redirect(reverse("meetings:meeting_detail", args=[meeting.pk]) + f"#punkt-{item.pk}")


@render_denials
@require_http_methods(["GET", "POST"])
def item_propose(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_visible(request.user, case_pk)
    if case is None:
        raise Http404
    if not case_access(request.user, case).has_details:
        raise_denied(request, case, what="meeting.propose")
    meetings = list(selectors.meetings_open_for_proposals(case))
    choices = [(m.pk, f"{m.series.name} {timezone.localtime(m.starts_at):%d-%m-%Y %H:%M}") for m in meetings]
    initial = {"meeting": meetings[0].pk} if meetings else {}
    form = meeting_forms.ProposeForm(request.POST or None, initial=initial, choices={"meeting": choices})
    if request.method == "POST" and form.is_valid():
        meeting = next(m for m in meetings if m.pk == form.cleaned_data["meeting"])
        try:
            item = services.agenda_item_propose(
                actor=request.user,
                meeting=meeting,
                case=case,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except MeetingError as exc:
            _form_error(form, exc)
        else:
            if item.status == AgendaItemStatus.ACCEPTED:
                messages.success(request, _("Sagen er sat på dagsordenen."))
            else:
                messages.success(request, _("Sagen er foreslået. Koordinatoren sætter dagsordenen."))
            return redirect("cases:case_detail", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "meetings/propose.html", {"form": form, "case": case, "meetings": meetings}, status=status
    )


# --- Invitations and attendance -----------------------------------------------------------------------------


@render_denials
@require_POST
def invitations_send(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    try:
        count = services.invitations_send(actor=request.user, meeting=meeting, request=request)
    except MeetingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Indkaldelsen er sendt til %(count)s personer.") % {"count": count})
    return redirect("meetings:meeting_detail", pk=meeting.pk)


@render_denials
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    organisations = list(
        Organisation.objects.filter(participations__cooperation_id=meeting.cooperation_id).order_by("name")
    )
    add_form = meeting_forms.AttendanceAddForm(
        request.POST if request.POST.get("form") == "add" else None,
        choices={
            "organisation": [(o.pk, o.name) for o in organisations],
            "person": _people_choices(meeting.cooperation_id),
        },
    )
    rows = list(selectors.attendances_of(meeting))
    errors: dict[int, str] = {}
    status = 200
    if request.method == "POST" and request.POST.get("form") == "add":
        if add_form.is_valid():
            data = add_form.cleaned_data
            organisation = next(o for o in organisations if o.pk == data["organisation"])
            try:
                services.attendance_add(
                    actor=request.user,
                    meeting=meeting,
                    organisation=organisation,
                    person=_user(data["person"]),
                    status=data["status"],
                    note=data["note"],
                    request=request,
                )
            except MeetingError as exc:
                _form_error(add_form, exc)
            else:
                messages.success(request, _("Fremmødet er registreret."))
                return redirect("meetings:attendance", pk=meeting.pk)
        status = 400
    elif request.method == "POST":
        for row in rows:
            wanted = request.POST.get(f"status-{row.pk}")
            note = request.POST.get(f"note-{row.pk}", row.note)
            if wanted is None or (wanted == row.status and note == row.note):
                continue
            try:
                services.attendance_set(
                    actor=request.user, attendance=row, status=wanted, note=note, request=request
                )
            except MeetingError as exc:
                errors[row.pk] = str(exc)
                row.status, row.note = wanted, note
        if not errors:
            messages.success(request, _("Fremmødet er gemt."))
            return redirect("meetings:attendance", pk=meeting.pk)
        status = 400
    return render(
        request,
        "meetings/attendance.html",
        _context(
            request,
            meeting,
            rows=rows,
            errors=errors,
            add_form=add_form,
            attendance_statuses=AttendanceStatus.choices,
        ),
        status=status,
    )


# --- Running and closing ------------------------------------------------------------------------------------


@render_denials
@require_POST
def meeting_open(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    try:
        services.meeting_open(actor=request.user, meeting=meeting, request=request)
    except MeetingError as exc:
        messages.error(request, str(exc))
        return redirect("meetings:meeting_detail", pk=meeting.pk)
    messages.success(request, _("Mødet er startet. Referatet skrives punkt for punkt."))
    return redirect("meetings:minutes", pk=meeting.pk)


@render_denials
@require_http_methods(["GET", "POST"])
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    form = meeting_forms.CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.meeting_close(
                actor=request.user,
                meeting=meeting,
                defer_reason=form.cleaned_data["defer_reason"],
                request=request,
            )
        except MeetingError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Mødet er afsluttet, og referatet er låst. %(feedback)s tilbagemelding(er) er sendt; "
                    "%(deferred)s handling(er) er udskudt til næste møde."
                )
                % {"feedback": result.feedback, "deferred": result.deferred},
            )
            return redirect("meetings:minutes", pk=meeting.pk)
    unreviewed = (
        [a for a in selectors.carried_over_actions(meeting) if not getattr(a, "reviews_here", [])]
        if meeting.status == MeetingStatus.OPEN
        else []
    )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "meetings/meeting_close.html",
        _context(request, meeting, form=form, unreviewed=len(unreviewed)),
        status=status,
    )


# --- Minutes ------------------------------------------------------------------------------------------------


@render_denials
@require_http_methods(["GET"])
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    context = _context(request, meeting)
    if _needs_acknowledgement(context):
        context["terms"] = confidentiality_terms()
        return render(request, "meetings/minutes.html", context)
    organisation_id = acting_organisation_id(request, meeting.cooperation_id)
    page = selectors.meeting_page(
        request.user, meeting, with_minutes=True, notes_organisation_id=organisation_id
    )
    services.meeting_record_read(
        actor=request.user, meeting=meeting, page=page, minutes=True, request=request
    )
    own_organisations = meeting_organisation_ids(request.user, meeting.cooperation_id)
    context.update(
        page=page,
        notes_organisation=_organisation(organisation_id),
        live=meeting.status == MeetingStatus.OPEN and context["acknowledged"],
        export_organisations=list(
            Organisation.objects.filter(pk__in=sorted(own_organisations)).order_by("name")
        ),
        terms=confidentiality_terms() if meeting.is_closed else None,
        review_outcomes=ReviewOutcome.choices,
    )
    return render(request, "meetings/minutes.html", context)


@render_denials
@require_POST
def minutes_save(request: HttpRequest, item_pk: int) -> HttpResponse:
    """Save an item's minutes (htmx while typing, or the form's button). The answer to htmx is the small
    status line (with the new version); a merged save also returns the merged text."""
    item = _item(request, item_pk)
    meeting = item.meeting
    part = request.POST.get("part", "shared")
    text = request.POST.get("text", "")
    try:
        base_version = int(request.POST.get("version", "0"))
    except ValueError:
        base_version = -1
    organisation_id = acting_organisation_id(request, meeting.cooperation_id) if part == "internal" else None
    error = ""
    result = None
    try:
        result = _guarded(
            request,
            lambda: services.minutes_save(
                actor=request.user,
                item=item,
                text=text,
                base_version=base_version,
                organisation_id=organisation_id,
                request=request,
            ),
            target=item,
            cooperation_id=meeting.cooperation_id,
            what="meeting.minutes",
        )
    except MeetingError as exc:
        error = str(exc)
    context = {
        "item": item,
        "part": part,
        "result": result,
        "error": error,
        "text": text,
        "version": result.entry.version if result else base_version,
        "meeting": meeting,
    }
    if getattr(request, "htmx", False):
        return render(request, "meetings/partials/minutes_status.html", context)
    if error:
        return render(request, "meetings/minutes_item_form.html", context, status=400)
    if result is not None and result.merged:
        messages.warning(
            request, _("En anden har skrevet i referatet samtidig. Teksterne er flettet; begge er bevaret.")
        )
    else:
        messages.success(request, _("Referatet er gemt."))
    return redirect(reverse("meetings:minutes", args=[meeting.pk]) + f"#punkt-{item.pk}")


def _writer_item(request: HttpRequest, item_pk: int) -> tuple[AgendaItem, selectors.ItemRow]:
    item = _item(request, item_pk)
    row = _guarded(
        request,
        lambda: services.require_item_writer(request.user, item),
        target=item,
        cooperation_id=item.meeting.cooperation_id,
        what="meeting.minutes",
    )
    return item, row


@render_denials
@require_http_methods(["GET", "POST"])
def decision_add(request: HttpRequest, item_pk: int) -> HttpResponse:
    item, row = _writer_item(request, item_pk)
    form = meeting_forms.DecisionForm(request.POST or None)
    if row.is_theme or item.case is None or item.case.referred_by_id is None:
        del form.fields["for_feedback"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decision_record(
                actor=request.user,
                item=item,
                text=data["text"],
                for_feedback=data.get("for_feedback", False),
                request=request,
            )
        except MeetingError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Beslutningen er registreret."))
            return redirect(reverse("meetings:minutes", args=[item.meeting_id]) + f"#punkt-{item.pk}")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "meetings/item_form.html",
        _context(
            request,
            item.meeting,
            form=form,
            row=row,
            heading=_("Registrér beslutning"),
            button=_("Gem beslutning"),
        ),
        status=status,
    )


@render_denials
@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, item_pk: int) -> HttpResponse:
    item, row = _writer_item(request, item_pk)
    meeting = item.meeting
    if row.is_theme:
        organisations = list(
            Organisation.objects.filter(participations__cooperation_id=meeting.cooperation_id).order_by(
                "name"
            )
        )
    else:
        organisations = row.organisations
    form = meeting_forms.ActionForm(
        request.POST or None,
        choices={
            "organisation": [(o.pk, o.name) for o in organisations],
            "owner": _people_choices(meeting.cooperation_id, {o.pk for o in organisations}),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = next(o for o in organisations if o.pk == data["organisation"])
        try:
            services.action_record(
                actor=request.user,
                item=item,
                organisation=organisation,
                what=data["what"],
                owner=_user(data["owner"]),
                due_date=data["due_date"],
                request=request,
            )
        except MeetingError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Handlingen er registreret og givet som opgave på sagen."))
            return redirect(reverse("meetings:minutes", args=[meeting.pk]) + f"#punkt-{item.pk}")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "meetings/item_form.html",
        _context(
            request,
            meeting,
            form=form,
            row=row,
            heading=_("Registrér handling"),
            button=_("Gem handling"),
        ),
        status=status,
    )


@render_denials
@require_http_methods(["GET", "POST"])
def action_review(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    action = selectors.action_for_review(meeting, action_pk)
    if action is None:
        raise Http404
    access = case_access(request.user, action.case) if action.case else None
    acknowledged = selectors.has_acknowledged(request.user, meeting)
    if not acknowledged or not (
        may_manage(request.user, meeting) or (access is not None and access.has_details)
    ):
        raise deny(request, what="meeting.review", target=action, cooperation_id=meeting.cooperation_id)
    reviews = getattr(action, "reviews_here", [])
    initial = {"outcome": reviews[0].outcome, "reason": reviews[0].reason} if reviews else {}
    form = meeting_forms.ReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_review(
                actor=request.user,
                meeting=meeting,
                action=action,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except MeetingError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Opfølgningen er registreret."))
            return redirect(reverse("meetings:minutes", args=[meeting.pk]) + "#opfoelgning")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "meetings/action_review.html",
        _context(
            request,
            meeting,
            form=form,
            action=action,
            restricted=access is not None and not access.has_details,
        ),
        status=status,
    )


@render_denials
@require_http_methods(["GET", "POST"])
def addendum_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    own = selectors.own_attendance(request.user, meeting)
    if not may_manage(request.user, meeting) and not (
        own is not None and own.status == AttendanceStatus.PRESENT
    ):
        raise deny(request, what="meeting.addendum", target=meeting, cooperation_id=meeting.cooperation_id)
    page = selectors.meeting_page(request.user, meeting)
    visible = [r for r in page.rows if not r.restricted]
    form = meeting_forms.AddendumForm(
        request.POST or None,
        choices={
            "item": [(r.item.pk, _("Punkt %(number)s") % {"number": r.number}) for r in visible],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = next((r.item for r in visible if r.item.pk == data["item"]), None)
        try:
            _guarded(
                request,
                lambda: services.addendum_add(
                    actor=request.user, meeting=meeting, text=data["text"], item=item, request=request
                ),
                target=meeting,
                cooperation_id=meeting.cooperation_id,
                what="meeting.addendum",
            )
        except MeetingError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Tilføjelsen er gemt med dit navn og tidspunktet."))
            return redirect(reverse("meetings:minutes", args=[meeting.pk]) + "#tilfoejelser")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "meetings/addendum_form.html", _context(request, meeting, form=form), status=status
    )


@render_denials
@require_http_methods(["GET"])
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    own = meeting_organisation_ids(request.user, meeting.cooperation_id)
    try:
        wanted = int(
            request.GET.get("organisation") or acting_organisation_id(request, meeting.cooperation_id) or 0
        )
    except ValueError:
        wanted = 0
    if wanted not in own:
        raise deny(request, what="meeting.export", target=meeting, cooperation_id=meeting.cooperation_id)
    organisation = Organisation.objects.get(pk=wanted)
    pdf = services.minutes_export(
        actor=request.user, meeting=meeting, organisation=organisation, request=request
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    day = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="referat-{day}-{organisation.pk}.pdf"'
    return response


# --- Feedback to the referrer -------------------------------------------------------------------------------


@render_denials
@require_http_methods(["GET"])
def feedback_list(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.feedback_for(request.user)[:100])
    audit_record(action=codes.MEETING_FEEDBACK_LISTED, request=request, detail={"count": len(rows)})
    return render(request, "meetings/feedback_list.html", {"rows": rows})


@render_denials
@require_http_methods(["GET"])
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_visible(request.user, pk)
    if feedback is None:
        raise Http404
    services.feedback_open(actor=request.user, feedback=feedback, request=request)
    return render(
        request,
        "meetings/feedback_detail.html",
        {
            "feedback": feedback,
            "meeting_date": timezone.localtime(feedback.item.meeting.starts_at),
        },
    )


# --- Calendar -----------------------------------------------------------------------------------------------


@render_denials
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    token = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(actor=request.user, request=request)
            messages.success(request, _("Kalenderlinket er tilbagekaldt og virker ikke længere."))
            return redirect("meetings:calendar_settings")
        token = services.calendar_feed_create(actor=request.user, request=request)
    feed = selectors.active_calendar_feed(request.user)
    url = request.build_absolute_uri(reverse("meetings_feed:calendar_feed", args=[token])) if token else ""
    return render(request, "meetings/calendar_settings.html", {"feed": feed, "url": url})


@require_http_methods(["GET"])
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret feed link: no session, the token is the authority (so no CSRF or login)."""
    ics = services.calendar_feed_read(token=token, request=request)
    if ics is None:
        raise Http404
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="samspil.ics"'
    return response


# --- Discharge coordination ---------------------------------------------------------------------------------


def _discharge(request: HttpRequest, pk: int) -> DischargeMeeting:
    discharge = selectors.discharge_visible(request.user, pk)
    if discharge is None:
        raise Http404
    return discharge


@render_denials
@require_http_methods(["GET"])
def discharge_list(request: HttpRequest) -> HttpResponse:
    if not meeting_cooperation_ids(request.user):
        raise deny(request, what=Capability.OPEN_CASE)
    rows = list(selectors.discharge_meetings_visible_to(request.user)[:200])
    today = timezone.localdate()
    pending = [(d, working_days_left(today, d.deadline)) for d in rows if d.status != DischargeStatus.HELD]
    held = [d for d in rows if d.status == DischargeStatus.HELD]
    audit_record(action=codes.DISCHARGE_LISTED, request=request, detail={"count": len(rows)})
    return render(request, "meetings/discharge_list.html", {"pending": pending, "held": held})


@render_denials
@require_http_methods(["GET", "POST"])
def discharge_request(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_visible(request.user, case_pk)
    if case is None:
        raise Http404
    if not case_access(request.user, case).has_details:
        raise_denied(request, case, what="discharge.request")
    form = meeting_forms.DischargeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        requested_at = None
        if data["requested_on"] and data["requested_on"] != timezone.localdate():
            requested_at = timezone.make_aware(datetime.combine(data["requested_on"], time(12, 0)))
        try:
            discharge = services.discharge_request(
                actor=request.user,
                case=case,
                requested_by_party=data["requested_by_party"],
                timing=data["timing"],
                requested_at=requested_at,
                request=request,
            )
        except MeetingError as exc:
            if exc.field == "requested_at":
                exc.field = "requested_on"
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Anmodningen er registreret. Mødet skal holdes senest %(date)s.")
                % {"date": discharge.deadline.strftime("%d-%m-%Y")},
            )
            return redirect("meetings:discharge_detail", pk=discharge.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/discharge_request.html", {"form": form, "case": case}, status=status)


def _discharge_context(discharge: DischargeMeeting, **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "discharge": discharge,
        "days_left": working_days_left(today, discharge.deadline),
        "proposed": [datetime.fromisoformat(d).date() for d in discharge.proposed_dates],
        "agreement_types": AgreementType,
        **extra,
    }


@render_denials
@require_http_methods(["GET"])
def discharge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    discharge = _discharge(request, pk)
    services.discharge_record_view(actor=request.user, discharge=discharge, request=request)
    return render(
        request,
        "meetings/discharge_detail.html",
        _discharge_context(
            discharge,
            organisations=list(discharge.participant_organisations.order_by("name")),
        ),
    )


@render_denials
@require_http_methods(["GET", "POST"])
def discharge_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    discharge = _discharge(request, pk)
    proposed = discharge.proposed_dates[0] if discharge.proposed_dates else None
    initial: dict[str, Any] = {
        "date": datetime.fromisoformat(proposed).date() if proposed else None,
        "start": time(10, 0),
    }
    if discharge.scheduled_at:
        local = timezone.localtime(discharge.scheduled_at)
        initial = {"date": local.date(), "start": local.time(), "place": discharge.place}
    form = meeting_forms.DischargeScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            late = services.discharge_schedule(
                actor=request.user,
                discharge=discharge,
                scheduled_at=timezone.make_aware(datetime.combine(data["date"], data["start"])),
                place=data["place"],
                request=request,
            )
        except MeetingError as exc:
            if exc.field == "scheduled_at":
                exc.field = "date"
            _form_error(form, exc)
        else:
            if late:
                messages.warning(request, _("Mødet er berammet, men ligger efter fristen på 5 arbejdsdage."))
            else:
                messages.success(request, _("Mødet er berammet inden for fristen."))
            return redirect("meetings:discharge_detail", pk=discharge.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "meetings/discharge_form.html",
        _discharge_context(
            discharge,
            form=form,
            heading=_("Beram udskrivningsmøde"),
            button=_("Beram mødet"),
        ),
        status=status,
    )


@render_denials
@require_http_methods(["GET", "POST"])
def discharge_record(request: HttpRequest, pk: int) -> HttpResponse:
    discharge = _discharge(request, pk)
    organisations = list(
        Organisation.objects.filter(participations__cooperation_id=discharge.cooperation_id).order_by("name")
    )
    form = meeting_forms.DischargeRecordForm(
        request.POST or None,
        choices={
            "organisations": [(o.pk, o.name) for o in organisations],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = [o for o in organisations if o.pk in set(data["organisations"])]
        try:
            services.discharge_record(
                actor=request.user,
                discharge=discharge,
                agreement_type=data["agreement_type"],
                agreement_summary=data["agreement_summary"],
                organisations=chosen,
                citizen_participates=data["citizen_participates"],
                other_participants=data["other_participants"],
                request=request,
            )
        except MeetingError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Udskrivningsmødet er registreret."))
            return redirect("meetings:discharge_detail", pk=discharge.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "meetings/discharge_form.html",
        _discharge_context(
            discharge,
            form=form,
            heading=_("Registrér udskrivningsaftale eller koordinationsplan"),
            button=_("Gem resultatet"),
        ),
        status=status,
    )
