"""Pages of the training course. Views parse, call one selector or service, and render.

Not visible -> 404 (another person's answers, certificate or enrolment); visible but not allowed ->
403, audited (a member on the course administrator's pages).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samspil.accounts.models import User
from samspil.audit import actions
from samspil.core.roles import Capability
from samspil.core.scoping import unscoped
from samspil.organisations.policies import deny, has_capability, require_capability

from . import charts, reports, selectors, services
from .exports import download, table_download
from .forms import (
    AnswerForm,
    CourseForm,
    EnrolForm,
    ExternalCourseForm,
    ItemForm,
    MaterialForm,
    ModuleForm,
    NominateForm,
    OfferingForm,
    PresenterForm,
    ProgrammeDayForm,
    QuestionnaireForm,
    ReasonForm,
    SessionForm,
    WaiverForm,
)
from .models import (
    GOAL_SHORT_LABELS,
    Course,
    Enrolment,
    EnrolmentStatus,
    Goal,
    Offering,
    OfferingStatus,
    QuestionnaireKind,
)
from .policies import (
    attestation_for,
    course_for,
    day_for,
    module_for,
    offering_for,
    presenter_for,
    session_for,
)
from .services import TrainingError

administrator_only = require_capability(Capability.ADMINISTER_COURSES)


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    submit: str,
    back: str,
    status: int = 200,
    intro: str = "",
    multipart: bool = False,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "submit_label": submit,
        "back_url": back,
        "intro": intro,
        "multipart": multipart,
        **(extra or {}),
    }
    return render(request, "training/form.html", context, status=status)


def _refused(request: HttpRequest, form: Any, error: TrainingError) -> None:
    form.add_error(None, error.message)


# --- courses and programme ---------------------------------------------------------------------------------


@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    offerings = selectors.offerings_visible_to(request.user).exclude(status=OfferingStatus.HELD)
    return render(
        request,
        "training/course_list.html",
        {
            "courses": selectors.courses(),
            "offerings": offerings,
            "is_admin": selectors.is_course_administrator(request.user),
            "can_view_results": selectors.can_view_course_results(request.user),
            "can_waive": has_capability(request.user, Capability.WAIVE_TRAINING),
        },
    )


@require_GET
def my_training(request: HttpRequest) -> HttpResponse:
    enrolments = list(selectors.enrolments_of(request.user).exclude(status=EnrolmentStatus.CANCELLED))
    for enrolment in enrolments:
        enrolment.rank = selectors.waitlist_rank(enrolment)  # type: ignore[attr-defined]
    return render(
        request,
        "training/my_training.html",
        {
            "enrolments": enrolments,
            "completions": selectors.completions_of(request.user),
            "status": selectors.training_status(request.user),
            "tasks": selectors.questionnaire_tasks(request.user),
            "now": timezone.now(),
        },
    )


@administrator_only
@require_http_methods(["GET", "POST"])
def course_create(request: HttpRequest) -> HttpResponse:
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        course = services.course_save(
            actor=request.user, request=request, course=None, data=form.cleaned_data
        )
        messages.success(request, _("Kurset er oprettet. Byg nu programmet op."))
        return redirect("training:course_detail", pk=course.pk)
    return _form_page(
        request,
        form,
        title=_("Nyt kursus"),
        submit=_("Opret kursus"),
        back=reverse("training:course_list"),
        status=400 if form.errors else 200,
    )


@require_GET
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = course_for(pk)
    is_admin = selectors.is_course_administrator(request.user)
    return render(
        request,
        "training/course_detail.html",
        {
            "course": course,
            "days": selectors.programme(course),
            "coverage": [(Goal(g), modules) for g, modules in selectors.goal_coverage(course).items()],
            "uncovered": selectors.uncovered_goals(course),
            "offerings": selectors.offerings_visible_to(request.user, course),
            "is_admin": is_admin,
            "can_see_materials": selectors.can_see_materials(request.user, course),
            "can_view_results": selectors.can_view_course_results(request.user),
            "hours": selectors.course_hours(course),
        },
    )


@administrator_only
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    course = course_for(pk)
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        services.course_save(actor=request.user, request=request, course=course, data=form.cleaned_data)
        messages.success(request, _("Kurset er gemt."))
        return redirect("training:course_detail", pk=course.pk)
    return _form_page(
        request,
        form,
        title=_("Ret kursus"),
        submit=_("Gem kursus"),
        back=reverse("training:course_detail", args=[course.pk]),
        status=400 if form.errors else 200,
    )


def _programme_form(
    request: HttpRequest, form: Any, course: Course, save: Any, *, title: str, submit: str, done: str
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except TrainingError as error:
            _refused(request, form, error)
        else:
            messages.success(request, done)
            return redirect("training:course_detail", pk=course.pk)
    return _form_page(
        request,
        form,
        title=title,
        submit=submit,
        back=reverse("training:course_detail", args=[course.pk]),
        status=400 if form.errors else 200,
        extra={"course": course},
    )


@administrator_only
@require_http_methods(["GET", "POST"])
def day_create(request: HttpRequest, pk: int) -> HttpResponse:
    course = course_for(pk)
    form = ProgrammeDayForm(request.POST or None, initial={"number": course.days.count() + 1})
    return _programme_form(
        request,
        form,
        course,
        lambda data: services.programme_day_save(
            actor=request.user, request=request, course=course, day=None, data=data
        ),
        title=_("Ny kursusdag"),
        submit=_("Opret dag"),
        done=_("Dagen er oprettet."),
    )


@administrator_only
@require_http_methods(["GET", "POST"])
def day_edit(request: HttpRequest, pk: int) -> HttpResponse:
    day = day_for(pk)
    form = ProgrammeDayForm(request.POST or None, initial={"number": day.number, "title": day.title})
    return _programme_form(
        request,
        form,
        day.course,
        lambda data: services.programme_day_save(
            actor=request.user, request=request, course=day.course, day=day, data=data
        ),
        title=_("Ret kursusdag"),
        submit=_("Gem dag"),
        done=_("Dagen er gemt."),
    )


def _delete(request: HttpRequest, course: Course, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except TrainingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("training:course_detail", pk=course.pk)


@administrator_only
@require_POST
def day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    day = day_for(pk)
    return _delete(
        request,
        day.course,
        lambda: services.programme_day_delete(actor=request.user, request=request, day=day),
        _("Dagen er slettet."),
    )


@administrator_only
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    day = day_for(pk)
    form = SessionForm(request.POST or None)
    return _programme_form(
        request,
        form,
        day.course,
        lambda data: services.session_save(
            actor=request.user, request=request, day=day, session=None, data=data
        ),
        title=_("Ny session på dag %(number)s") % {"number": day.number},
        submit=_("Opret session"),
        done=_("Sessionen er oprettet."),
    )


@administrator_only
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_for(pk)
    form = SessionForm(
        request.POST or None,
        initial={"title": session.title, "starts_at": session.starts_at, "ends_at": session.ends_at},
    )
    return _programme_form(
        request,
        form,
        session.day.course,
        lambda data: services.session_save(
            actor=request.user, request=request, day=session.day, session=session, data=data
        ),
        title=_("Ret session"),
        submit=_("Gem session"),
        done=_("Sessionen er gemt."),
    )


@administrator_only
@require_POST
def session_delete(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_for(pk)
    return _delete(
        request,
        session.day.course,
        lambda: services.session_delete(actor=request.user, request=request, session=session),
        _("Sessionen er slettet."),
    )


@administrator_only
@require_http_methods(["GET", "POST"])
def module_create(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_for(pk)
    form = ModuleForm(request.POST or None, initial={"order": session.modules.count() + 1})
    return _programme_form(
        request,
        form,
        session.day.course,
        lambda data: services.module_save(
            actor=request.user, request=request, session=session, module=None, data=data
        ),
        title=_("Nyt modul i %(session)s") % {"session": session.title},
        submit=_("Opret modul"),
        done=_("Modulet er oprettet."),
    )


@administrator_only
@require_http_methods(["GET", "POST"])
def module_edit(request: HttpRequest, pk: int) -> HttpResponse:
    module = module_for(pk)
    initial = {
        "title": module.title,
        "learning_objectives": module.learning_objectives,
        "goals": module.goal_list,
        "presenters": list(module.presenters.all()),
        "order": module.order,
    }
    form = ModuleForm(request.POST or None, initial=initial)
    return _programme_form(
        request,
        form,
        module.session.day.course,
        lambda data: services.module_save(
            actor=request.user, request=request, session=module.session, module=module, data=data
        ),
        title=_("Ret modul"),
        submit=_("Gem modul"),
        done=_("Modulet er gemt."),
    )


@administrator_only
@require_POST
def module_delete(request: HttpRequest, pk: int) -> HttpResponse:
    module = module_for(pk)
    return _delete(
        request,
        module.session.day.course,
        lambda: services.module_delete(actor=request.user, request=request, module=module),
        _("Modulet er slettet."),
    )


@administrator_only
@require_GET
def presenter_list(request: HttpRequest) -> HttpResponse:
    return render(request, "training/presenter_list.html", {"presenters": selectors.presenters()})


@administrator_only
@require_http_methods(["GET", "POST"])
def presenter_create(request: HttpRequest) -> HttpResponse:
    return _presenter_form(request, None)


@administrator_only
@require_http_methods(["GET", "POST"])
def presenter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _presenter_form(request, presenter_for(pk))


def _presenter_form(request: HttpRequest, presenter: Any) -> HttpResponse:
    form = PresenterForm(request.POST or None, instance=presenter)
    if request.method == "POST" and form.is_valid():
        services.presenter_save(
            actor=request.user, request=request, presenter=presenter, data=form.cleaned_data
        )
        messages.success(request, _("Oplægsholderen er gemt."))
        return redirect("training:presenter_list")
    return _form_page(
        request,
        form,
        title=_("Ret oplægsholder") if presenter else _("Ny oplægsholder"),
        submit=_("Gem oplægsholder"),
        back=reverse("training:presenter_list"),
        status=400 if form.errors else 200,
    )


# --- offerings and enrolment -------------------------------------------------------------------------------


@administrator_only
@require_http_methods(["GET", "POST"])
def offering_create(request: HttpRequest, pk: int) -> HttpResponse:
    course = course_for(pk)
    return _offering_form(request, course, None)


@administrator_only
@require_http_methods(["GET", "POST"])
def offering_edit(request: HttpRequest, pk: int) -> HttpResponse:
    offering = offering_for(request, pk)
    return _offering_form(request, offering.course, offering)


def _offering_form(request: HttpRequest, course: Course, offering: Offering | None) -> HttpResponse:
    days = list(course.days.order_by("number"))
    form = OfferingForm(request.POST or None, instance=offering, programme_days=days)
    if not days:
        messages.warning(
            request, _("Kurset har endnu ingen programdage. Opret programmet, før du opretter hold.")
        )
        return redirect("training:course_detail", pk=course.pk)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.offering_save(
                actor=request.user,
                request=request,
                course=course,
                offering=offering,
                data=form.cleaned_data,
                day_dates=form.day_dates(),
            )
        except TrainingError as error:
            _refused(request, form, error)
        else:
            messages.success(request, _("Holdet er gemt."))
            return redirect("training:offering_detail", pk=saved.pk)
    back = (
        reverse("training:offering_detail", args=[offering.pk])
        if offering
        else reverse("training:course_detail", args=[course.pk])
    )
    return _form_page(
        request,
        form,
        title=_("Ret hold") if offering else _("Nyt hold: %(course)s") % {"course": course.title},
        submit=_("Gem hold"),
        back=back,
        status=400 if form.errors else 200,
    )


@require_GET
def offering_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offering = offering_for(request, pk)
    enrolment = selectors.enrolment_of(request.user, offering)
    memberships = selectors.enrolment_memberships(request.user)
    is_admin = selectors.is_course_administrator(request.user)
    questionnaires = {q.kind: q for q in offering.questionnaires.all()}
    return render(
        request,
        "training/offering_detail.html",
        {
            "offering": offering,
            "course": offering.course,
            "days": selectors.offering_days(offering),
            "seats": selectors.offering_seats(offering),
            "enrolment": enrolment,
            "rank": selectors.waitlist_rank(enrolment) if enrolment else None,
            "enrol_form": EnrolForm(
                memberships=memberships, initial={"membership": _default_membership(request, memberships)}
            )
            if len(memberships) > 1
            else None,
            "can_enrol": bool(memberships)
            and offering.status == OfferingStatus.OPEN
            and timezone.now() <= offering.registration_deadline,
            "is_admin": is_admin,
            "can_nominate": has_capability(request.user, Capability.NOMINATE_FOR_COURSES)
            and offering.status == OfferingStatus.OPEN,
            "can_view_results": selectors.can_view_course_results(request.user),
            "questionnaire_kinds": [
                (kind, label, questionnaires.get(kind)) for kind, label in QuestionnaireKind.choices
            ],
            "tasks": [
                t
                for t in selectors.questionnaire_tasks(request.user)
                if t.questionnaire.offering_id == offering.pk
            ],
            "completion": getattr(enrolment, "completion", None) if enrolment else None,
        },
    )


def _default_membership(request: HttpRequest, memberships: list[Any]) -> int | None:
    active = getattr(request, "active_membership", None)
    if active is not None and any(m.pk == active.pk for m in memberships):
        return active.pk
    return memberships[0].pk if memberships else None


@require_POST
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    offering = offering_for(request, pk)
    memberships = selectors.enrolment_memberships(request.user)
    if not memberships:
        raise deny(request, what="course.enrol", target=offering)
    form = EnrolForm(
        request.POST
        if "membership" in request.POST
        else {"membership": _default_membership(request, memberships)},
        memberships=memberships,
    )
    if not form.is_valid():
        messages.error(request, _("Vælg hvilken organisation du deltager for."))
        return redirect("training:offering_detail", pk=offering.pk)
    try:
        outcome = services.enrolment_self_enrol(
            actor=request.user, request=request, offering_id=offering.pk, membership=form.chosen()
        )
    except TrainingError as error:
        messages.error(request, error.message)
    else:
        level = messages.SUCCESS if outcome.enrolment.status == EnrolmentStatus.ENROLLED else messages.WARNING
        messages.add_message(request, level, outcome.message)
    return redirect("training:offering_detail", pk=offering.pk)


@require_capability(Capability.NOMINATE_FOR_COURSES)
@require_http_methods(["GET", "POST"])
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    offering = offering_for(request, pk)
    memberships = selectors.nominable_memberships(request.user)
    form = NominateForm(request.POST or None, memberships=memberships)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.enrolment_nominate(
                actor=request.user, request=request, offering_id=offering.pk, membership=form.chosen()
            )
        except TrainingError as error:
            _refused(request, form, error)
        else:
            level = (
                messages.SUCCESS if outcome.enrolment.status == EnrolmentStatus.ENROLLED else messages.WARNING
            )
            messages.add_message(request, level, outcome.message)
            return redirect("training:nominate", pk=offering.pk)
    enrolments = list(selectors.cooperation_enrolments(request.user, offering))
    services.read_recorded(
        actor=request.user,
        request=request,
        action=actions.COURSE_NOMINATION_LIST_VIEWED,
        target=offering,
        detail={"count": len(enrolments)},
    )
    return render(
        request,
        "training/nominate.html",
        {
            "offering": offering,
            "form": form,
            "enrolments": enrolments,
            "seats": selectors.offering_seats(offering),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def enrolment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = selectors.enrolment_cancellable_by(request.user, pk)
    if enrolment is None:
        raise Http404
    try:
        services.enrolment_cancel(actor=request.user, request=request, enrolment=enrolment)
    except TrainingError as error:
        messages.error(request, error.message)
    else:
        if enrolment.member_id == request.user.pk:
            messages.success(request, _("Du er meldt fra holdet."))
        else:
            messages.success(
                request, _("%(name)s er meldt fra holdet.") % {"name": enrolment.member.full_name}
            )
    target = request.POST.get("next", "")
    if target in {"participants", "nominate"}:
        return redirect(f"training:{target}", pk=enrolment.offering_id)
    return redirect("training:offering_detail", pk=enrolment.offering_id)


@administrator_only
@require_GET
def participants(request: HttpRequest, pk: int) -> HttpResponse:
    offering = offering_for(request, pk)
    enrolments = list(selectors.offering_enrolments(request.user, offering))
    services.read_recorded(
        actor=request.user,
        request=request,
        action=actions.COURSE_PARTICIPANTS_VIEWED,
        target=offering,
        detail={"count": len(enrolments)},
    )
    return render(
        request,
        "training/participants.html",
        {
            "offering": offering,
            "enrolled": [e for e in enrolments if e.status == EnrolmentStatus.ENROLLED],
            "waitlisted": [e for e in enrolments if e.status == EnrolmentStatus.WAITLISTED],
            "cancelled": [e for e in enrolments if e.status == EnrolmentStatus.CANCELLED],
            "seats": selectors.offering_seats(offering),
        },
    )


# --- attendance and completion -----------------------------------------------------------------------------


@administrator_only
@require_GET
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    offering = offering_for(request, pk)
    days = selectors.offering_days(offering)
    sheet = list(selectors.attendance_sheet(request.user, offering))
    sessions = (
        {day.pk: list(day.programme_day.sessions.all()) for day in days} if offering.track_sessions else {}
    )
    rows = []
    for enrolment in sheet:
        present = {a.day_id: a.present for a in enrolment.attendances.all()}
        session_present = {a.session_id: a.present for a in enrolment.session_attendances.all()}
        rows.append(
            {
                "enrolment": enrolment,
                "cells": [
                    (
                        day,
                        present.get(day.pk),
                        [(s, session_present.get(s.pk)) for s in sessions.get(day.pk, [])],
                    )
                    for day in days
                ],
                "completion": getattr(enrolment, "completion", None),
                "rule_met": services.completion_rule_met(enrolment, days),
            }
        )
    services.read_recorded(
        actor=request.user,
        request=request,
        action=actions.COURSE_ATTENDANCE_VIEWED,
        target=offering,
        detail={"count": len(rows)},
    )
    return render(request, "training/attendance.html", {"offering": offering, "days": days, "rows": rows})


def _attendance_target(request: HttpRequest, enrolment_pk: int) -> Enrolment:
    enrolment = selectors.enrolment_for_administrator(request.user, enrolment_pk)
    if enrolment is None:
        raise Http404
    return enrolment


@administrator_only
@require_POST
def attendance_day(request: HttpRequest, enrolment: int, day: int) -> HttpResponse:
    target = _attendance_target(request, enrolment)
    offering_day = next((d for d in selectors.offering_days(target.offering) if d.pk == day), None)
    if offering_day is None:
        raise Http404
    present = request.POST.get("present") == "1"
    try:
        services.attendance_set(
            actor=request.user, request=request, enrolment=target, day=offering_day, present=present
        )
    except TrainingError as error:
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(error.message, status=409)
        messages.error(request, error.message)
        return redirect("training:attendance", pk=target.offering_id)
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "training/partials/attendance_toggle.html",
            {
                "url": reverse("training:attendance_day", args=[target.pk, offering_day.pk]),
                "present": present,
                # the same words as on the full page, so the button keeps its name after a toggle
                "label": _("dag %(number)s") % {"number": offering_day.programme_day.number},
                "person": target.member.full_name,
            },
        )
    return redirect("training:attendance", pk=target.offering_id)


@administrator_only
@require_POST
def attendance_session(request: HttpRequest, enrolment: int, session: int) -> HttpResponse:
    target = _attendance_target(request, enrolment)
    days = selectors.offering_days(target.offering)
    chosen = next((s for d in days for s in d.programme_day.sessions.all() if s.pk == session), None)
    if chosen is None:
        raise Http404
    present = request.POST.get("present") == "1"
    try:
        services.session_attendance_set(
            actor=request.user, request=request, enrolment=target, session=chosen, present=present
        )
    except TrainingError as error:
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(error.message, status=409)
        messages.error(request, error.message)
        return redirect("training:attendance", pk=target.offering_id)
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "training/partials/attendance_toggle.html",
            {
                "url": reverse("training:attendance_session", args=[target.pk, chosen.pk]),
                "present": present,
                "label": chosen.title,
                "person": target.member.full_name,
                "small": True,
            },
        )
    return redirect("training:attendance", pk=target.offering_id)


@administrator_only
@require_POST
def completions_record(request: HttpRequest, pk: int) -> HttpResponse:
    offering = offering_for(request, pk)
    try:
        created = services.completions_record(actor=request.user, request=request, offering=offering)
    except TrainingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(count)s deltagere er registreret som gennemført.") % {"count": len(created)}
        )
    return redirect("training:attendance", pk=offering.pk)


@administrator_only
@require_http_methods(["GET", "POST"])
def completion_exception(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _attendance_target(request, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.completion_record_exception(
                actor=request.user, request=request, enrolment=enrolment, reason=form.cleaned_data["reason"]
            )
        except TrainingError as error:
            _refused(request, form, error)
        else:
            messages.success(
                request,
                _("%(name)s er registreret som gennemført med undtagelse.")
                % {"name": enrolment.member.full_name},
            )
            return redirect("training:attendance", pk=enrolment.offering_id)
    services.read_recorded(
        actor=request.user,
        request=request,
        action=actions.COURSE_ATTENDANCE_VIEWED,
        target=enrolment,
        detail={"member": enrolment.member_id},
    )
    return _form_page(
        request,
        form,
        title=_("Gennemført med undtagelse: %(name)s") % {"name": enrolment.member.full_name},
        submit=_("Registrér som gennemført"),
        back=reverse("training:attendance", args=[enrolment.offering_id]),
        intro=_(
            "Deltageren har ikke været til stede alle dage. Skriv hvorfor kurset alligevel kan regnes for "
            "gennemført, fx at det manglende indhold er taget igen på et andet hold."
        ),
        status=400 if form.errors else 200,
    )


@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    from .certificates import certificate_pdf

    completion = selectors.completion_for_certificate(request.user, pk)
    if completion is None:
        raise Http404
    services.certificate_downloaded(actor=request.user, request=request, completion=completion)
    return download(
        certificate_pdf(completion),
        filename=f"kursusbevis-{completion.verification_code}.pdf",
        content_type="application/pdf",
    )


@administrator_only
@require_http_methods(["GET", "POST"])
def completion_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    completion = selectors.completion_for_certificate(request.user, pk)
    if completion is None:
        raise Http404
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.completion_revoke(
                actor=request.user, request=request, completion=completion, reason=form.cleaned_data["reason"]
            )
        except TrainingError as error:
            _refused(request, form, error)
        else:
            messages.success(request, _("Beviset er tilbagekaldt."))
            return redirect("training:attendance", pk=completion.offering_id)
    return _form_page(
        request,
        form,
        title=_("Tilbagekald kursusbevis: %(name)s") % {"name": completion.member.full_name},
        submit=_("Tilbagekald beviset"),
        back=reverse("training:attendance", args=[completion.offering_id]),
        status=400 if form.errors else 200,
    )


# --- waivers and courses taken elsewhere -------------------------------------------------------------------


@require_GET
def attestation_list(request: HttpRequest) -> HttpResponse:
    is_admin = selectors.is_course_administrator(request.user)
    if not (is_admin or has_capability(request.user, Capability.WAIVE_TRAINING)):
        raise deny(request, what=Capability.WAIVE_TRAINING)
    attestations = list(selectors.attestations_visible_to(request.user))
    now = timezone.now()
    for attestation in attestations:
        attestation.currently_valid = attestation.is_valid_at(now)  # type: ignore[attr-defined]
    services.read_recorded(
        actor=request.user,
        request=request,
        action=actions.COURSE_ATTESTATIONS_VIEWED,
        detail={"count": len(attestations)},
    )
    return render(
        request,
        "training/attestation_list.html",
        {
            "attestations": attestations,
            "is_admin": is_admin,
            "can_waive": has_capability(request.user, Capability.WAIVE_TRAINING),
        },
    )


@require_capability(Capability.WAIVE_TRAINING)
@require_http_methods(["GET", "POST"])
def waiver_create(request: HttpRequest) -> HttpResponse:
    form = WaiverForm(request.POST or None, memberships=selectors.waivable_memberships(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.attestation_grant_waiver(
                actor=request.user,
                request=request,
                membership=form.chosen(),
                reason=form.cleaned_data["reason"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except TrainingError as error:
            _refused(request, form, error)
        else:
            messages.success(request, _("Fritagelsen er registreret."))
            return redirect("training:attestation_list")
    return _form_page(
        request,
        form,
        title=_("Ny fritagelse for uddannelseskravet"),
        submit=_("Giv fritagelse"),
        back=reverse("training:attestation_list"),
        status=400 if form.errors else 200,
        intro=_(
            "En fritagelse lader et medlem behandle bekymringer om radikalisering i en begrænset "
            "periode uden kurset, fx indtil næste hold. Den kan højst gælde et år."
        ),
    )


@administrator_only
@require_http_methods(["GET", "POST"])
def external_create(request: HttpRequest) -> HttpResponse:
    form = ExternalCourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with unscoped("the course administrator finds a member by the exact e-mail address"):
            member = User.objects.filter(email__iexact=form.cleaned_data["email"], is_active=True).first()
        if member is None:
            form.add_error("email", _("Der er ingen aktiv bruger med den e-mailadresse."))
        else:
            try:
                services.attestation_record_external(
                    actor=request.user,
                    request=request,
                    member=member,
                    completed_on=form.cleaned_data["completed_on"],
                    reason=form.cleaned_data["reason"],
                )
            except TrainingError as error:
                _refused(request, form, error)
            else:
                messages.success(
                    request, _("Kurset er registreret for %(name)s.") % {"name": member.full_name}
                )
                return redirect("training:attestation_list")
    return _form_page(
        request,
        form,
        title=_("Registrér kursus taget uden for Samspil"),
        submit=_("Registrér kursus"),
        back=reverse("training:attestation_list"),
        status=400 if form.errors else 200,
    )


@require_POST
def attestation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    attestation = attestation_for(request, pk)
    try:
        services.attestation_revoke(actor=request.user, request=request, attestation=attestation)
    except TrainingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Fritagelsen er tilbagekaldt."))
    return redirect("training:attestation_list")


# --- item bank and questionnaires --------------------------------------------------------------------------


@administrator_only
@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "training/item_list.html", {"items": selectors.items().order_by("-is_active", "goal", "pk")}
    )


@administrator_only
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest) -> HttpResponse:
    return _item_form(request, None)


@administrator_only
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(pk)
    if item is None:
        raise Http404
    return _item_form(request, item)


def _item_form(request: HttpRequest, item: Any) -> HttpResponse:
    initial = ItemForm.initial_for(item) if item else {"is_active": True}
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        options, key = form.compact()
        data = form.cleaned_data
        try:
            services.item_save(
                actor=request.user,
                request=request,
                item=item,
                text=data["text"],
                kind=data["kind"],
                goal=data["goal"],
                is_active=data["is_active"],
                options=options,
                key=key,
            )
        except TrainingError as error:
            _refused(request, form, error)
        else:
            messages.success(request, _("Spørgsmålet er gemt."))
            return redirect("training:item_list")
    return _form_page(
        request,
        form,
        title=_("Ret spørgsmål") if item else _("Nyt spørgsmål"),
        submit=_("Gem spørgsmål"),
        back=reverse("training:item_list"),
        status=400 if form.errors else 200,
        intro=_(
            "Flervalg: udfyld mindst to svarmuligheder og vælg det rigtige svar. "
            "Enig/uenig-spørgsmål besvares på en skala fra 1 til 5."
        ),
    )


@administrator_only
@require_http_methods(["GET", "POST"])
def questionnaire_edit(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    offering = offering_for(request, pk)
    if kind not in QuestionnaireKind.values:
        raise Http404
    questionnaire = selectors.questionnaire_get(offering, kind)
    bank = list(selectors.items().filter(is_active=True))
    if questionnaire is not None:
        chosen = [e.item for e in selectors.questionnaire_entries(questionnaire)]
        bank += [i for i in chosen if i not in bank]
    if kind != QuestionnaireKind.SATISFACTION:
        bank = [i for i in bank if i.goal]
    initial: dict[str, Any] = {}
    if questionnaire is not None:
        initial = {
            "opens_at": timezone.localtime(questionnaire.opens_at),
            "deadline": timezone.localtime(questionnaire.deadline),
            "items": [str(i.pk) for i in chosen],
        }
    form = QuestionnaireForm(request.POST or None, items=bank, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_save(
                actor=request.user,
                request=request,
                offering=offering,
                kind=kind,
                opens_at=form.cleaned_data["opens_at"],
                deadline=form.cleaned_data["deadline"],
                items=form.chosen_items(),
            )
        except TrainingError as error:
            _refused(request, form, error)
        else:
            messages.success(request, _("Spørgeskemaet er gemt."))
            return redirect("training:offering_detail", pk=offering.pk)
    return _form_page(
        request,
        form,
        title=_("Spørgeskema: %(kind)s") % {"kind": QuestionnaireKind(kind).label},
        submit=_("Gem spørgeskema"),
        back=reverse("training:offering_detail", args=[offering.pk]),
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def questionnaire_answer(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.questionnaire_for_participant(request.user, pk)
    if found is None:
        raise Http404
    questionnaire, enrolment = found
    existing = selectors.response_of(request.user, questionnaire)
    if existing is not None:
        messages.info(request, _("Du har allerede besvaret spørgeskemaet. Her er dine svar."))
        return redirect("training:response_detail", pk=existing.pk)
    now = timezone.now()
    if not questionnaire.is_open_at(now):
        return render(
            request,
            "training/questionnaire_closed.html",
            {"questionnaire": questionnaire, "not_yet": now < questionnaire.opens_at},
            status=409,
        )
    form = AnswerForm(
        request.POST or None,
        entries=selectors.questionnaire_entries(questionnaire),
        with_comment=questionnaire.kind == QuestionnaireKind.SATISFACTION,
    )
    if request.method == "POST" and form.is_valid():
        try:
            response = services.response_submit(
                actor=request.user,
                request=request,
                questionnaire=questionnaire,
                enrolment=enrolment,
                answers=form.answers(),
                comment=form.cleaned_data.get("comment", ""),
            )
        except TrainingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Tak for dine svar."))
            return redirect("training:response_detail", pk=response.pk)
    return render(
        request,
        "training/questionnaire_answer.html",
        {"questionnaire": questionnaire, "form": form},
        status=400 if form.errors else 200,
    )


@require_GET
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    response = selectors.response_visible_to(request.user, pk)
    if response is None:
        raise Http404
    own = response.participant_id == request.user.pk
    if not own:
        services.read_recorded(
            actor=request.user,
            request=request,
            action=actions.COURSE_RESPONSE_VIEWED,
            target=response,
            detail={"member": response.participant_id},
        )
    answers = selectors.response_answers(response)
    show_key = not own or timezone.now() >= response.questionnaire.deadline
    return render(
        request,
        "training/response_detail.html",
        {"response": response, "answers": answers, "own": own, "show_key": show_key},
    )


# --- results -----------------------------------------------------------------------------------------------


def _results_viewer(request: HttpRequest) -> bool:
    """True for a course administrator (full view); False for aggregate-only viewers; 403 otherwise."""
    if selectors.is_course_administrator(request.user):
        return True
    if selectors.can_view_course_results(request.user):
        return False
    raise deny(request, what=Capability.VIEW_COURSE_RESULTS)


def _offering_report(request: HttpRequest, offering: Offering, *, full: bool) -> dict[str, Any]:
    answers = list(
        selectors.offering_answers(request.user, offering)
        if full
        else selectors.answers_for_aggregation([offering])
    )
    people = reports.participant_results(answers)
    overall, sectors = reports.by_sector(people, suppress=not full)
    return {
        "people": people if full else [],
        "overall": overall,
        "sectors": sectors,
        "satisfaction": reports.satisfaction_summary(answers, suppress=not full),
        "comments": _comments(answers) if full else [],
    }


def _comments(answers: list[Any]) -> list[str]:
    seen: dict[int, str] = {}
    for answer in answers:
        response = answer.response
        if response.comment and response.questionnaire.kind == QuestionnaireKind.SATISFACTION:
            seen[response.pk] = response.comment
    return [seen[k] for k in sorted(seen)]


@require_GET
def offering_results(request: HttpRequest, pk: int) -> HttpResponse:
    full = _results_viewer(request)
    offering = offering_for(request, pk)
    report = _offering_report(request, offering, full=full)
    services.read_recorded(
        actor=request.user,
        request=request,
        action=actions.COURSE_RESULTS_VIEWED,
        target=offering,
        detail={"individuals": full},
    )
    return render(
        request,
        "training/offering_results.html",
        {
            "offering": offering,
            "full": full,
            "goals": [(g, GOAL_SHORT_LABELS[Goal(g)]) for g in Goal.values],
            "questionnaires": offering.questionnaires.all(),
            "overall_list": [report["overall"]],
            **report,
        },
    )


CHARTS = {"foer-efter", "sektorer"}


@require_GET
def offering_chart(request: HttpRequest, pk: int, chart: str, fmt: str) -> HttpResponse:
    full = _results_viewer(request)
    offering = offering_for(request, pk)
    if chart not in CHARTS or fmt not in charts.FORMATS:
        raise Http404
    report = _offering_report(request, offering, full=full)
    content = (
        charts.pre_post_chart(report["overall"], fmt)
        if chart == "foer-efter"
        else charts.gain_by_sector_chart(report["sectors"], fmt)
    )
    return _chart_response(request, content, fmt, f"hold-{offering.pk}-{chart}")


def _chart_response(request: HttpRequest, content: bytes, fmt: str, basename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=charts.FORMATS[fmt])
    if request.GET.get("hent") == "1":
        response["Content-Disposition"] = f'attachment; filename="{basename}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _group_rows(groups: list[reports.GroupResult]) -> list[list[Any]]:
    rows = []
    for group in groups:
        for goal in Goal.values:
            summary = group.goals[goal]
            rows.append(
                [
                    group.label,
                    str(GOAL_SHORT_LABELS[Goal(goal)]),
                    group.n_display,
                    None if group.hidden else summary.pre,
                    None if group.hidden else summary.post,
                    None if group.hidden else summary.gain,
                    None if group.hidden else summary.normalised,
                ]
            )
    return rows


GROUP_HEADER = (
    gettext_lazy("Gruppe"),
    gettext_lazy("Læringsmål"),
    gettext_lazy("Antal"),
    gettext_lazy("Før"),
    gettext_lazy("Efter"),
    gettext_lazy("Gevinst"),
    gettext_lazy("Normaliseret gevinst"),
)


@require_GET
def offering_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    full = _results_viewer(request)
    offering = offering_for(request, pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    report = _offering_report(request, offering, full=full)
    rows = _group_rows([report["overall"], *report["sectors"]])
    header: tuple[str, ...] = tuple(str(h) for h in GROUP_HEADER)
    if full:
        header = (_("Deltager"), _("Organisation"), *header)
        rows = [["", "", *row] for row in rows]
        for person in report["people"]:
            for goal in Goal.values:
                rows.append(
                    [
                        person.name,
                        person.organisation,
                        person.sector_label,
                        str(GOAL_SHORT_LABELS[Goal(goal)]),
                        1,
                        person.pre.get(goal),
                        person.post.get(goal),
                        person.gain(goal),
                        person.normalised(goal),
                    ]
                )
    services.read_recorded(
        actor=request.user,
        request=request,
        action=actions.COURSE_RESULTS_EXPORTED,
        target=offering,
        detail={"format": fmt, "individuals": full},
    )
    return table_download(
        fmt,
        header=header,
        rows=rows,
        basename=f"kursusresultater-hold-{offering.pk}",
        sheet_title=_("Resultater"),
    )


@administrator_only
@require_GET
def item_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    offering = offering_for(request, pk)
    answers = list(selectors.offering_answers(request.user, offering))
    analyses = [
        (q, reports.item_analysis(q, answers))
        for q in offering.questionnaires.exclude(kind=QuestionnaireKind.SATISFACTION).order_by("kind")
    ]
    services.read_recorded(
        actor=request.user, request=request, action=actions.COURSE_ITEM_ANALYSIS_VIEWED, target=offering
    )
    return render(request, "training/item_analysis.html", {"offering": offering, "analyses": analyses})


def _course_report(request: HttpRequest, course: Course, *, full: bool) -> dict[str, Any]:
    offerings = list(selectors.offerings_visible_to(request.user, course).filter(status=OfferingStatus.HELD))
    answers = list(selectors.answers_for_aggregation(offerings))
    people = reports.participant_results(answers)
    overall, sectors = reports.by_sector(people, suppress=not full)
    return {
        "trend": reports.course_trend(offerings, answers, suppress=not full),
        "overall": overall,
        "sectors": sectors,
    }


@require_GET
def course_results(request: HttpRequest, pk: int) -> HttpResponse:
    full = _results_viewer(request)
    course = course_for(pk)
    report = _course_report(request, course, full=full)
    services.read_recorded(
        actor=request.user,
        request=request,
        action=actions.COURSE_RESULTS_VIEWED,
        target=course,
        detail={"individuals": False},
    )
    return render(
        request,
        "training/course_results.html",
        {
            "course": course,
            "full": full,
            "trend_groups": [p.group for p in report["trend"]],
            "sector_groups": [report["overall"], *report["sectors"]],
            **report,
        },
    )


@require_GET
def course_chart(request: HttpRequest, pk: int, chart: str, fmt: str) -> HttpResponse:
    full = _results_viewer(request)
    course = course_for(pk)
    if chart not in {"udvikling", "sektorer"} or fmt not in charts.FORMATS:
        raise Http404
    report = _course_report(request, course, full=full)
    content = (
        charts.trend_chart(report["trend"], fmt)
        if chart == "udvikling"
        else charts.gain_by_sector_chart(report["sectors"], fmt)
    )
    return _chart_response(request, content, fmt, f"kursus-{course.pk}-{chart}")


@require_GET
def course_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    full = _results_viewer(request)
    course = course_for(pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    report = _course_report(request, course, full=full)
    groups = [p.group for p in report["trend"]] + [report["overall"], *report["sectors"]]
    services.read_recorded(
        actor=request.user,
        request=request,
        action=actions.COURSE_RESULTS_EXPORTED,
        target=course,
        detail={"format": fmt, "individuals": False},
    )
    return table_download(
        fmt,
        header=[str(h) for h in GROUP_HEADER],
        rows=_group_rows(groups),
        basename=f"kursusresultater-kursus-{course.pk}",
        sheet_title=_("Resultater"),
    )


def _staff_time_offerings(request: HttpRequest) -> tuple[list[Offering], Offering | None]:
    wanted = request.GET.get("hold", "")
    offerings = list(selectors.offerings_visible_to(request.user).exclude(status=OfferingStatus.CANCELLED))
    chosen = next((o for o in offerings if str(o.pk) == wanted), None)
    return ([chosen] if chosen else offerings), chosen


@administrator_only
@require_GET
def staff_time(request: HttpRequest) -> HttpResponse:
    offerings, chosen = _staff_time_offerings(request)
    rows = reports.staff_time(offerings)
    services.read_recorded(
        actor=request.user,
        request=request,
        action=actions.COURSE_STAFF_TIME_VIEWED,
        detail={"offering": chosen.pk if chosen else None},
    )
    return render(
        request,
        "training/staff_time.html",
        {
            "rows": rows,
            "chosen": chosen,
            "offerings": selectors.offerings_visible_to(request.user),
            "total_planned": sum(r.planned_hours for r in rows),
            "total_attended": sum(r.attended_hours for r in rows),
            "total_participants": sum(r.participants for r in rows),
        },
    )


@administrator_only
@require_GET
def staff_time_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    offerings, chosen = _staff_time_offerings(request)
    rows = [
        [r.organisation, r.sector_label, r.participants, r.planned_hours, r.attended_hours]
        for r in reports.staff_time(offerings)
    ]
    services.read_recorded(
        actor=request.user,
        request=request,
        action=actions.COURSE_STAFF_TIME_EXPORTED,
        detail={"format": fmt, "offering": chosen.pk if chosen else None},
    )
    header = [_("Organisation"), _("Sektor"), _("Deltagere"), _("Planlagte timer"), _("Fremmødte timer")]
    return table_download(fmt, header=header, rows=rows, basename="tidsforbrug", sheet_title=_("Tidsforbrug"))


# --- materials ---------------------------------------------------------------------------------------------


@require_GET
def material_list(request: HttpRequest, pk: int) -> HttpResponse:
    course = course_for(pk)
    if not selectors.can_see_materials(request.user, course):
        raise deny(request, what="course.materials", target=course)
    return render(
        request,
        "training/material_list.html",
        {
            "course": course,
            "materials": selectors.materials_of(course),
            "is_admin": selectors.is_course_administrator(request.user),
        },
    )


@administrator_only
@require_http_methods(["GET", "POST"])
def material_upload(request: HttpRequest, pk: int) -> HttpResponse:
    course = course_for(pk)
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.material_upload(
                actor=request.user,
                request=request,
                course=course,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except TrainingError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, _("Materialet er lagt op."))
            return redirect("training:material_list", pk=course.pk)
    return _form_page(
        request,
        form,
        title=_("Læg materiale op: %(course)s") % {"course": course.title},
        submit=_("Læg op"),
        back=reverse("training:material_list", args=[course.pk]),
        multipart=True,
        status=400 if form.errors else 200,
    )


@require_GET
def material_download(request: HttpRequest, pk: int) -> FileResponse:
    material = selectors.material_get(pk)
    if material is None:
        raise Http404
    if not selectors.can_see_materials(request.user, material.course):
        raise deny(request, what="course.materials", target=material)
    services.material_downloaded(actor=request.user, request=request, material=material)
    response = FileResponse(
        material.file.open("rb"),
        as_attachment=True,
        filename=material.original_name,
        content_type=material.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@administrator_only
@require_POST
def material_delete(request: HttpRequest, pk: int) -> HttpResponse:
    material = selectors.material_get(pk)
    if material is None:
        raise Http404
    course_pk = material.course_id
    services.material_delete(actor=request.user, request=request, material=material)
    messages.success(request, _("Materialet er slettet."))
    return redirect("training:material_list", pk=course_pk)
