"""Concern pages. Each view parses, asks a selector or service, renders; access is decided in policies.py.

A concern the user may not know of answers 404. One they know of but may not open answers 403 with a
page that says why (audited): the training gate, or "you see its status only". A refused save re-renders
the form with a Danish message and everything typed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import get_resolver, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samspil.accounts.models import User
from samspil.cases.selectors import cases_with_details_for
from samspil.core.roles import Capability
from samspil.organisations.models import Cooperation, Organisation
from samspil.organisations.policies import cooperation_for, deny, has_capability
from samspil.organisations.selectors import cooperation_ids_with
from samspil.sharing.models import DataCategory, Purpose, RestrictionCode
from samspil.sharing.rules import applicable_bases

from . import forms as concern_forms
from . import selectors, services
from .assessments import compare, factors_of
from .deadlines import hours_after, working_days_after
from .feedback import raiser_outcome, raiser_status
from .models import STEP_NUMBERS, Concern, ConcernStatus, Decision, Triage, Urgency
from .policies import (
    ConcernAccess,
    GateClosed,
    NotAllowed,
    concern_access,
    require_details,
    require_lead,
    require_visible,
)
from .services import ConcernError, ConcernRefused, StaleConcernError
from .stats import network_figures

S = ConcernStatus
ViewFunc = Callable[..., HttpResponse]


def _pages(view: ViewFunc) -> ViewFunc:
    """Return (not raise) the 403 pages, so the request's transaction commits with the audited denial."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except GateClosed:
            return render(request, "concerns/training_required.html", {}, status=403)
        except NotAllowed as exc:
            return render(request, "concerns/not_allowed.html", {"message": str(exc)}, status=403)
        except PermissionDenied as exc:
            handler = get_resolver().resolve_error_handler(403)
            return handler(request, exc)  # type: ignore[call-arg,no-any-return]

    return wrapped


def _concern(request: HttpRequest, pk: int) -> tuple[Concern, ConcernAccess]:
    concern = selectors.concern_visible(request.user, pk)
    if concern is None:
        raise Http404
    return concern, concern_access(request.user, concern)


def _detail(pk: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("concerns:concern_detail", kwargs={"pk": pk}) + (f"#{anchor}" if anchor else ""))


def _form_error(form: Any, exc: ConcernError) -> None:
    field = exc.field if exc.field in getattr(form, "fields", {}) else None
    form.add_error(field, str(exc))


def _wrong_step(request: HttpRequest, concern: Concern, message: str) -> HttpResponse:
    messages.warning(request, message)
    return _detail(concern.pk)


# --- List and raising ---------------------------------------------------------------------------


@_pages
@require_GET
def concern_list(request: HttpRequest) -> HttpResponse:
    show_closed = request.GET.get("vis") == "alle"
    worked_on = list(selectors.concerns_worked_on(request.user, include_closed=show_closed)[:200])
    raised = list(selectors.concerns_raised_by(request.user)[:50])
    for concern in raised:
        concern.raiser_status = raiser_status(concern)  # type: ignore[attr-defined]
        concern.raiser_outcome = raiser_outcome(concern)  # type: ignore[attr-defined]
    services.concern_record_list(
        actor=request.user, worked_on=len(worked_on), raised=len(raised), request=request
    )
    configurable = sorted(cooperation_ids_with(request.user, Capability.CONFIGURE_COOPERATION))
    return render(request, "concerns/concern_list.html", {
        "worked_on": worked_on,
        "raised": raised,
        "show_closed": show_closed,
        "can_raise": bool(services.raising_memberships(request.user)),
        "configurable": list(Cooperation.objects.filter(pk__in=configurable).order_by("name")),
        "can_see_network": bool(cooperation_ids_with(request.user, Capability.VIEW_COOPERATION)),
        "now": timezone.now(),
    })


@_pages
@require_http_methods(["GET", "POST"])
def concern_raise(request: HttpRequest) -> HttpResponse:
    memberships = services.raising_memberships(request.user)
    if not memberships:
        raise deny(request, what=Capability.RAISE_CONCERN)
    active = getattr(request, "active_membership", None)
    chosen = next((m for m in memberships if active is not None and m.pk == active.pk), memberships[0])
    posted = request.POST.get("membership", "")
    if posted.isdigit():
        chosen = next((m for m in memberships if m.pk == int(posted)), chosen)
    assert chosen.cooperation_id is not None
    signs = list(selectors.signs_shown(chosen.cooperation_id))
    cases = list(selectors.cases_for_raising(request.user, chosen.cooperation_id))
    form = concern_forms.RaiseForm(
        request.POST or None, memberships=memberships, signs=signs, cases=cases,
        initial={"membership": chosen.pk},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_pk = {str(s.pk): s for s in signs}
        case = next((c for c in cases if c.pk == data.get("case")), None)
        try:
            concern = services.concern_raise(
                actor=request.user,
                membership=chosen,
                subject_kind=data["subject_kind"],
                subject=data["subject"],
                observation=data["observation"],
                urgency=data["urgency"],
                source=data["source"],
                signs=[by_pk[pk] for pk in data["signs"] if pk in by_pk],
                case=case,
                request=request,
            )
        except ConcernError as exc:
            _form_error(form, exc)
        else:
            messages.success(request,
                             _("Tak. Bekymringen er registreret som %(reference)s, og tovholderne har fået "
                                        "den.") % {"reference": concern.reference})
            return _detail(concern.pk)
    return render(request, "concerns/concern_raise.html", {"form": form, "not_acute": not form.is_acute})


# --- The concern page ----------------------------------------------------------------------------


STEP_TITLES = {
    1: (_("Modtagelse og beskrivelse"), _("Tovholder i kommunen eller politiet")),
    2: (_("Informationsindsamling"), _("Tovholderne med de inddragne organisationer")),
    3: (_("Vurdering"), _("Tovholderne og de inddragne organisationer")),
    4: (_("Samlet vurdering og beslutning"), _("Tovholderne")),
    5: (_("Indsats og opfølgning"), _("De ansvarlige for indsatsen; tovholderne følger op")),
}


@dataclass(frozen=True)
class StepRow:
    number: int
    title: str
    responsible: str
    state: str  # done, current, pending, skipped
    due: datetime | None
    overdue: bool


def _steps(concern: Concern, now: datetime) -> list[StepRow]:
    current = STEP_NUMBERS.get(concern.status)
    rows = []
    for number, (title, responsible) in STEP_TITLES.items():
        if current is not None:
            state = "done" if number < current else "current" if number == current else "pending"
        elif concern.decision == Decision.INTERVENTION:
            state = "done"
        elif concern.decision in (Decision.UNFOUNDED, Decision.POLICE):
            state = "done" if number <= 4 else "skipped"
        else:
            state = "skipped" if number > 1 else "done"
        is_current = state == "current"
        rows.append(StepRow(number, str(title), str(responsible), state,
                            concern.step_due_at if is_current else None,
                            is_current and concern.is_overdue(now)))
    return rows


def _triage_labels(concern: Concern, now: datetime) -> dict[str, str]:
    settings = selectors.settings_for(concern.cooperation_id)
    due: dict[str, datetime] = {
        Triage.RED: hours_after(now, settings.red_hours),
        Triage.AMBER: working_days_after(now, settings.amber_working_days),
        Triage.GREEN: working_days_after(now, settings.green_working_days),
    }
    spans: dict[str, str] = {
        Triage.RED: _("svar inden %(n)d timer") % {"n": settings.red_hours},
        Triage.AMBER: _("svar inden %(n)d arbejdsdage") % {"n": settings.amber_working_days},
        Triage.GREEN: _("svar inden %(n)d arbejdsdage") % {"n": settings.green_working_days},
    }
    return {
        value: f"{label} – {spans[value]} ({timezone.localtime(due[value]):%d-%m-%Y %H:%M})"
        for value, label in Triage.choices
    }


@_pages
@require_GET
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    concern, access = _concern(request, pk)
    require_visible(access)
    if not access.has_details and access.is_raiser:
        services.concern_record_view(actor=request.user, concern=concern, access=access, request=request)
        return render(request, "concerns/concern_status.html", {
            "concern": concern, "status_text": raiser_status(concern), "outcome": raiser_outcome(concern),
            "acute": concern.urgency == Urgency.ACUTE and concern.status == S.RECEIVED,
        })
    require_details(request, concern, access, what="concern.details")
    services.concern_record_view(actor=request.user, concern=concern, access=access, request=request)
    now = timezone.now()
    questions = services.interview_questions()
    plan = selectors.plan_of(concern)
    disclosures = list(selectors.disclosures_visible(request.user, concern, access))
    for disclosure in disclosures:
        disclosure.withheld = (  # type: ignore[attr-defined]
            RestrictionCode.NO_CRIMINAL_INVESTIGATION in disclosure.restrictions
            and not access.reads_investigation_restricted
        )
    assessments = list(selectors.assessments_of(concern))
    return render(request, "concerns/concern_detail.html", {
        "concern": concern,
        "access": access,
        "steps": _steps(concern, now),
        "overdue": concern.is_overdue(now),
        "signs": list(concern.signs.all()),
        "interview": [(q, concern.interview.get(q["code"], "")) for q in questions
                      if concern.interview.get(q["code"])],
        "involvements": list(selectors.involvements_of(concern)),
        "disclosures": disclosures,
        "assessments": assessments,
        "plan": plan,
        "goals": list(selectors.goals_of(plan)) if plan else [],
        "reviews": list(selectors.reviews_of(concern)),
        "transitions": list(selectors.transitions_of(concern)),
        "today": timezone.localdate(),
        "may_share": concern.status in services.SHARING_STATUSES,
        "may_assess": concern.status in services.ASSESSING_STATUSES,
        "may_involve": access.may_lead and concern.status in services.INVOLVING_STATUSES,
        "may_describe": access.may_lead and concern.status in services.DESCRIBING_STATUSES,
        "may_hand_over": access.may_lead and concern.status in (
            S.RECEIVED, S.GATHERING, S.ASSESSMENT, S.FOLLOW_UP
        ),
        "raiser_outcome": raiser_outcome(concern),
    })


# --- Step 1 --------------------------------------------------------------------------------------


@_pages
@require_POST
def concern_receive(request: HttpRequest, pk: int) -> HttpResponse:
    concern, access = _concern(request, pk)
    require_lead(request, concern, access, what="concern.receive")
    try:
        services.concern_receive(actor=request.user, concern=concern, request=request)
    except ConcernError as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, _("Du er nu tovholder på bekymringen."))
    return _detail(concern.pk)


@_pages
@require_http_methods(["GET", "POST"])
def concern_describe(request: HttpRequest, pk: int) -> HttpResponse:
    concern, access = _concern(request, pk)
    require_lead(request, concern, access, what="concern.describe")
    if concern.status not in services.DESCRIBING_STATUSES:
        return _wrong_step(
            request, concern, _("Beskrivelsen kan ikke ændres, når der er truffet beslutning.")
        )
    questions = services.interview_questions()
    initial = {f"q_{code}": answer for code, answer in concern.interview.items()}
    initial.update(triage=concern.triage, triage_reason=concern.triage_reason, version=concern.version)
    if not concern.interview.get("what_happened"):
        initial["q_what_happened"] = concern.observation
    options = {"questions": questions, "triage_labels": _triage_labels(concern, timezone.now())}
    form = concern_forms.DescribeForm(request.POST or None, initial=initial, **options)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.concern_describe(
                actor=request.user, concern=concern, interview=form.interview(), triage=data["triage"],
                triage_reason=data["triage_reason"], version=data["version"], request=request,
            )
        except StaleConcernError as exc:
            current = selectors.concern_visible(request.user, pk)
            posted = request.POST.copy()
            posted["version"] = str(current.version if current else concern.version)
            form = concern_forms.DescribeForm(posted, **options)
            form.is_valid()
            form.add_error(None, str(exc))
        except ConcernError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Bekymringen er beskrevet og triageret."))
            return _detail(concern.pk)
    return render(request, "concerns/concern_describe.html", {"concern": concern, "form": form})


# --- Step 2 --------------------------------------------------------------------------------------


@_pages
@require_http_methods(["GET", "POST"])
def concern_involve(request: HttpRequest, pk: int) -> HttpResponse:
    concern, access = _concern(request, pk)
    require_lead(request, concern, access, what="concern.involve")
    if concern.status not in services.INVOLVING_STATUSES:
        return _wrong_step(request, concern, _("Organisationer inddrages i informationsindsamlingen."))
    involvements = list(selectors.involvements_of(concern))
    involved = {i.organisation_id for i in involvements}
    candidates = [
        o for o in selectors.participating_organisations(concern.cooperation_id) if o.pk not in involved
    ]
    form = concern_forms.InvolveForm(request.POST or None, organisations=candidates)
    if request.method == "POST" and form.is_valid():
        organisation = next(o for o in candidates if o.pk == form.cleaned_data["organisation"])
        try:
            services.concern_involve(actor=request.user, concern=concern, organisation=organisation,
                                     reason=form.cleaned_data["reason"], request=request)
        except ConcernError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("%(organisation)s er inddraget i bekymringen.") % {"organisation": organisation.name},
            )
            return redirect("concerns:concern_involve", pk=concern.pk)
    return render(request, "concerns/concern_involve.html", {
        "concern": concern, "form": form, "involvements": involvements,
    })


@_pages
@require_POST
def concern_involvement_end(request: HttpRequest, pk: int, involvement_pk: int) -> HttpResponse:
    concern, access = _concern(request, pk)
    require_lead(request, concern, access, what="concern.involve")
    involvement = selectors.involvement_of(concern, involvement_pk)
    if involvement is None:
        raise Http404
    services.concern_release(actor=request.user, concern=concern, involvement=involvement, request=request)
    messages.success(
        request,
        _("%(organisation)s er ikke længere inddraget.") % {"organisation": involvement.organisation.name},
    )
    return redirect("concerns:concern_involve", pk=concern.pk)


@_pages
@require_http_methods(["GET", "POST"])
def concern_share(request: HttpRequest, pk: int) -> HttpResponse:
    concern, access = _concern(request, pk)
    require_details(request, concern, access, what="concern.share")
    if concern.status not in services.SHARING_STATUSES:
        return _wrong_step(request, concern,
                           _("Oplysninger deles fra informationsindsamlingen, indtil bekymringen er "
                                               "lukket."))
    organisations = list(Organisation.objects.filter(
        pk__in=sorted(services.sharing_organisation_ids(request.user, concern, access))).order_by("name"))
    bases = applicable_bases(concern.cooperation)
    active = getattr(request, "active_membership", None)
    default = next((o.pk for o in organisations if active is not None and o.pk == active.organisation_id),
                   organisations[0].pk if organisations else None)
    form = concern_forms.DiscloseForm(request.POST or None, organisations=organisations, bases=bases,
                                      initial={"organisation": default, "purpose": Purpose.CRIME_PREVENTION})
    reasons: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = next(o for o in organisations if o.pk == data["organisation"])
        try:
            services.concern_disclose(
                actor=request.user, concern=concern, organisation=organisation, text=data["text"],
                basis_code=data["basis"], justification=data["justification"], categories=data["categories"],
                purpose=data["purpose"], request=request,
            )
        except ConcernRefused as exc:
            reasons = exc.reasons
        else:
            messages.success(request, _("Oplysningerne er delt."))
            return _detail(concern.pk, "oplysninger")
    source = form.data.get("organisation") if form.is_bound else default
    source_id = int(str(source)) if str(source or "").isdigit() else default
    recipients = services.disclosure_recipients(concern, source_id) if source_id else []
    return render(request, "concerns/concern_share.html", {
        "concern": concern, "form": form, "bases": bases, "reasons": reasons, "recipients": recipients,
        "categories": DataCategory.choices,
    })


ADVANCE_TARGETS = {"vurdering": S.ASSESSMENT, "beslutning": S.DECISION}


@_pages
@require_POST
def concern_advance(request: HttpRequest, pk: int) -> HttpResponse:
    concern, access = _concern(request, pk)
    require_lead(request, concern, access, what="concern.advance")
    target = ADVANCE_TARGETS.get(request.POST.get("til", ""))
    if target is None:
        return _wrong_step(request, concern, _("Vælg hvilket trin bekymringen skal videre til."))
    try:
        services.concern_advance(actor=request.user, concern=concern, to_status=target,
                                 note=request.POST.get("note", ""), request=request)
    except ConcernError as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, _("Bekymringen er gået videre til »%(step)s«.") % {"step": S(target).label})
    return _detail(concern.pk)


# --- Step 3 --------------------------------------------------------------------------------------


def _previous_with(concern: Concern, code: str) -> Any:
    return selectors.assessments_of(concern).filter(template__code=code).order_by("-number").first()


@_pages
@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    concern, access = _concern(request, pk)
    require_details(request, concern, access, what="concern.assess")
    if concern.status not in services.ASSESSING_STATUSES:
        return _wrong_step(request, concern, _("Vurderinger registreres fra vurderingstrinnet."))
    templates = selectors.templates_in_use(concern.cooperation_id)
    wanted = request.POST.get("skabelon") or request.GET.get("skabelon") or ""
    template = selectors.template_for_concern(concern, int(wanted)) if wanted.isdigit() else None
    template = template or selectors.default_template(concern)
    if template is None:
        return _wrong_step(request, concern, _("Der er ingen vurderingsskabeloner i brug i samarbejdet."))
    previous = _previous_with(concern, template.code)
    initial: dict[str, Any] = {}
    if previous is not None:
        initial.update(summary=previous.summary, management_plan=previous.management_plan)
        for code, entry in previous.ratings.items():
            rating = entry.get("rating")
            initial[f"rating__{code}"] = "" if rating is None else str(rating)
            initial[f"reason__{code}"] = entry.get("reason", "")
    form = concern_forms.AssessmentForm(request.POST or None, template=template, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_record(
                actor=request.user, concern=concern, template=template, ratings=form.ratings(),
                summary=form.cleaned_data["summary"], management_plan=form.cleaned_data["management_plan"],
                request=request,
            )
        except ConcernError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(assessment)s er gemt.") % {"assessment": str(assessment)})
            return redirect("concerns:assessment_detail", pk=concern.pk, assessment_pk=assessment.pk)
    return render(request, "concerns/assessment_form.html", {
        "concern": concern, "form": form, "template": template, "previous": previous,
        "choose": concern_forms.TemplateChoiceForm(initial={"skabelon": template.pk}, templates=templates),
    })


@_pages
@require_GET
def assessment_detail(request: HttpRequest, pk: int, assessment_pk: int) -> HttpResponse:
    concern, access = _concern(request, pk)
    require_details(request, concern, access, what="concern.assessment")
    assessment = selectors.assessment_of(concern, assessment_pk)
    if assessment is None:
        raise Http404
    services.assessment_record_view(actor=request.user, assessment=assessment, request=request)
    rows = []
    for factor in factors_of(assessment.template):
        entry = assessment.ratings.get(factor.code, {})
        rows.append((factor, assessment.template.scale_label(entry.get("rating")), entry.get("reason", "")))
    sections: dict[str, tuple[str, list[Any]]] = {}
    for factor, rating, reason in rows:
        sections.setdefault(factor.section_code, (factor.section_title, []))[1].append(
            (factor, rating, reason)
        )
    return render(request, "concerns/assessment_detail.html", {
        "concern": concern, "assessment": assessment, "sections": list(sections.values()),
        "others": [a for a in selectors.assessments_of(concern) if a.pk != assessment.pk],
    })


@_pages
@require_GET
def assessment_compare(request: HttpRequest, pk: int) -> HttpResponse:
    concern, access = _concern(request, pk)
    require_details(request, concern, access, what="concern.assessment")
    assessments = list(selectors.assessments_of(concern))
    if len(assessments) < 2:
        return render(request, "concerns/assessment_compare.html", {"concern": concern, "comparison": None})
    defaults = {"fra": assessments[-2].pk, "til": assessments[-1].pk}
    form = concern_forms.CompareForm(
        request.GET if "fra" in request.GET else defaults, assessments=assessments
    )
    comparison = None
    if form.is_valid():
        by_pk = {a.pk: a for a in assessments}
        before, after = by_pk[form.cleaned_data["fra"]], by_pk[form.cleaned_data["til"]]
        if before.number > after.number:
            before, after = after, before
        comparison = compare(before, after)
        services.assessments_record_comparison(
            actor=request.user, before=before, after=after, request=request
        )
    return render(request, "concerns/assessment_compare.html", {
        "concern": concern, "form": form, "comparison": comparison,
        "only_changes": request.GET.get("kun") == "aendringer",
    })


# --- Step 4 --------------------------------------------------------------------------------------


@_pages
@require_http_methods(["GET", "POST"])
def concern_decide(request: HttpRequest, pk: int) -> HttpResponse:
    concern, access = _concern(request, pk)
    require_lead(request, concern, access, what="concern.decide")
    if concern.status in (S.POLICE, S.CLOSED):
        return _wrong_step(request, concern, _("Bekymringen er allerede overdraget eller lukket."))
    police_only = concern.status != S.DECISION
    latest = selectors.assessments_of(concern).order_by("-number").first()
    initial = {"overall_assessment": concern.overall_assessment or (latest.summary if latest else ""),
               "recommendation": concern.recommendation or (latest.management_plan if latest else "")}
    if police_only:
        initial["decision"] = Decision.POLICE
    form = concern_forms.DecideForm(request.POST or None, police_only=police_only, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.concern_decide(
                actor=request.user, concern=concern, decision=data["decision"],
                overall_assessment=data["overall_assessment"], recommendation=data["recommendation"],
                reason=data["reason"], intervention_kinds=data.get("intervention_kinds", []), request=request,
            )
        except ConcernError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Beslutningen er registreret."))
            return _detail(concern.pk)
    return render(request, "concerns/concern_decide.html", {
        "concern": concern, "form": form, "police_only": police_only, "latest": latest,
    })


# --- Step 5 --------------------------------------------------------------------------------------


def _goal_form(concern: Concern, data: Any = None) -> concern_forms.GoalForm:
    return concern_forms.GoalForm(
        data,
        organisations=list(selectors.participating_organisations(concern.cooperation_id)),
        members=list(selectors.cooperation_members(concern.cooperation_id)),
    )


@_pages
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    concern, access = _concern(request, pk)
    require_lead(request, concern, access, what="concern.plan")
    if concern.status != S.FOLLOW_UP:
        return _wrong_step(request, concern, _("Planen hører til trinnet »Indsats og opfølgning«."))
    plan = selectors.plan_of(concern)
    action = request.POST.get("handling", "plan")
    plan_initial = {"started_on": plan.started_on, "planned_end_on": plan.planned_end_on} if plan else \
        {"started_on": timezone.localdate()}
    posted = request.POST if request.method == "POST" else None
    plan_form = concern_forms.PlanForm(posted if action == "plan" else None, initial=plan_initial)
    goal_form = _goal_form(concern, posted if action == "maal" else None)
    if request.method == "POST" and action == "plan" and plan_form.is_valid():
        try:
            services.plan_save(actor=request.user, concern=concern,
                               started_on=plan_form.cleaned_data["started_on"],
                               planned_end_on=plan_form.cleaned_data["planned_end_on"], request=request)
        except ConcernError as exc:
            _form_error(plan_form, exc)
        else:
            messages.success(request, _("Planen er gemt."))
            return redirect("concerns:plan_edit", pk=concern.pk)
    if request.method == "POST" and action == "maal" and goal_form.is_valid():
        data = goal_form.cleaned_data
        organisation = Organisation.objects.filter(pk=data["responsible_organisation"]).first()
        person_pk = data["responsible_person"]
        person = User.objects.filter(pk=person_pk).first() if person_pk else None
        try:
            if organisation is None:
                raise ConcernError(_("Vælg en organisation fra listen."), field="responsible_organisation")
            services.goal_add(actor=request.user, concern=concern, text=data["text"],
                              organisation=organisation,
                              person=person, request=request)
        except ConcernError as exc:
            _form_error(goal_form, exc)
        else:
            messages.success(request, _("Målet er tilføjet."))
            return redirect("concerns:plan_edit", pk=concern.pk)
    return render(request, "concerns/plan_edit.html", {
        "concern": concern, "plan": plan, "goals": list(selectors.goals_of(plan)) if plan else [],
        "plan_form": plan_form, "goal_form": goal_form,
    })


@_pages
@require_http_methods(["GET", "POST"])
def plan_end(request: HttpRequest, pk: int) -> HttpResponse:
    concern, access = _concern(request, pk)
    require_lead(request, concern, access, what="concern.plan")
    plan = selectors.plan_of(concern)
    if concern.status != S.FOLLOW_UP or plan is None or plan.ended_on is not None:
        return _wrong_step(request, concern, _("Der er ingen igangværende indsats at afslutte."))
    settings = selectors.settings_for(concern.cooperation_id)
    form = concern_forms.InterventionEndForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.intervention_end(actor=request.user, concern=concern,
                                      ended_on=form.cleaned_data["ended_on"],
                                      note=form.cleaned_data["note"], request=request)
        except ConcernError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Indsatsen er afsluttet. Opfølgningerne er planlagt."))
            return _detail(concern.pk, "opfoelgning")
    return render(request, "concerns/plan_end.html", {"concern": concern, "form": form, "settings": settings,
                                                      "plan": plan})


@_pages
@require_http_methods(["GET", "POST"])
def review_record(request: HttpRequest, pk: int, review_pk: int) -> HttpResponse:
    concern, access = _concern(request, pk)
    require_lead(request, concern, access, what="concern.review")
    review = selectors.review_of(concern, review_pk)
    if review is None:
        raise Http404
    if review.is_done or concern.status != S.FOLLOW_UP:
        return _wrong_step(
            request, concern, _("Opfølgningen er allerede registreret, eller bekymringen er lukket.")
        )
    form = concern_forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_record(actor=request.user, concern=concern, review=review,
                                   note=form.cleaned_data["note"],
                                   concern_persists=form.cleaned_data["concern_persists"], request=request)
        except ConcernError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Opfølgningen er registreret."))
            return _detail(concern.pk, "opfoelgning")
    return render(request, "concerns/review_form.html", {"concern": concern, "review": review, "form": form})


@_pages
@require_http_methods(["GET", "POST"])
def concern_close(request: HttpRequest, pk: int) -> HttpResponse:
    concern, access = _concern(request, pk)
    require_lead(request, concern, access, what="concern.close")
    if concern.status == S.CLOSED:
        return _wrong_step(request, concern, _("Bekymringen er allerede lukket."))
    form = concern_forms.CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_close(actor=request.user, concern=concern, reason=form.cleaned_data["reason"],
                                   request=request)
        except ConcernError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Bekymringen er lukket."))
            return _detail(concern.pk)
    return render(request, "concerns/concern_close.html", {"concern": concern, "form": form})


@_pages
@require_http_methods(["GET", "POST"])
def concern_case(request: HttpRequest, pk: int) -> HttpResponse:
    concern, access = _concern(request, pk)
    require_lead(request, concern, access, what="concern.case")
    cases = [c for c in cases_with_details_for(request.user).filter(cooperation_id=concern.cooperation_id)
             .order_by("pseudonym")[:200] if c.pk != concern.case_id]
    organisations = list(selectors.participating_organisations(concern.cooperation_id))
    action = request.POST.get("handling", "")
    link_form = concern_forms.CaseLinkForm(request.POST if action == "knyt" else None, cases=cases)
    active = getattr(request, "active_membership", None)
    open_form = concern_forms.CaseOpenForm(
        request.POST if action == "opret" else None, organisations=organisations,
        initial={"lead_organisation": active.organisation_id if active else None,
                 "description": _("Bekymring for radikalisering, som drøftes i samarbejdet.")},
    )
    if action == "knyt" and link_form.is_valid():
        case = next(c for c in cases if c.pk == link_form.cleaned_data["case"])
        try:
            services.concern_link_case(actor=request.user, concern=concern, case=case, request=request)
        except ConcernError as exc:
            _form_error(link_form, exc)
        else:
            messages.success(
                request, _("Bekymringen er knyttet til sagen %(case)s.") % {"case": case.pseudonym}
            )
            return _detail(concern.pk, "sag")
    if action == "opret" and open_form.is_valid():
        data = open_form.cleaned_data
        lead = next(o for o in organisations if o.pk == data["lead_organisation"])
        try:
            case = services.concern_open_case(
                actor=request.user, concern=concern,
                age_band="" if data["age_band"] == "unknown" else data["age_band"],
                description=data["description"], lead_organisation=lead, request=request,
            )
        except (ConcernError, PermissionDenied) as exc:
            if isinstance(exc, ConcernError):
                _form_error(open_form, exc)
            else:
                open_form.add_error(None, _("Du kan ikke oprette sager i samarbejdet."))
        else:
            messages.success(
                request,
                _("Sagen %(case)s er oprettet og knyttet til bekymringen.") % {"case": case.pseudonym},
            )
            return _detail(concern.pk, "sag")
    return render(request, "concerns/concern_case.html", {
        "concern": concern, "link_form": link_form, "open_form": open_form, "has_cases": bool(cases),
    })


# --- Configuration -------------------------------------------------------------------------------


def _settings_page(
    request: HttpRequest, cooperation: Cooperation, *, status: int = 200, **forms: Any
) -> HttpResponse:
    settings = selectors.settings_for(cooperation)
    templates = selectors.templates_in_use(cooperation.pk)
    signs = list(selectors.signs_available(cooperation.pk))
    settings_form = forms.get("settings_form") or concern_forms.SettingsForm(
        instance=settings, templates=templates, signs=signs, initial={"version": settings.version},
    )
    return render(request, "concerns/settings.html", {
        "cooperation": cooperation,
        "settings_form": settings_form,
        "lead_contacts": list(selectors.lead_contacts_of(cooperation)),
        "lead_form": forms.get("lead_form") or concern_forms.LeadContactForm(
            candidates=list(selectors.lead_contact_candidates(cooperation))),
        "sign_form": forms.get("sign_form") or concern_forms.SignForm(),
        "signs": signs,
    }, status=status)


@_pages
@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest, cooperation_pk: int) -> HttpResponse:
    cooperation = cooperation_for(request, cooperation_pk, Capability.CONFIGURE_COOPERATION)
    if request.method == "GET":
        services.concern_settings_record_view(actor=request.user, cooperation=cooperation, request=request)
        return _settings_page(request, cooperation)
    settings = selectors.settings_for(cooperation)
    form = concern_forms.SettingsForm(
        request.POST, instance=settings, templates=selectors.templates_in_use(cooperation.pk),
        signs=list(selectors.signs_available(cooperation.pk)),
    )
    if form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.SETTINGS_FIELDS}
        try:
            services.concern_settings_update(actor=request.user, cooperation=cooperation, values=values,
                                             version=form.cleaned_data["version"], request=request)
        except ConcernError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Opsætningen er gemt."))
            return redirect("concerns:settings_edit", cooperation_pk=cooperation.pk)
    return _settings_page(request, cooperation, settings_form=form)


@_pages
@require_POST
def lead_contact_add(request: HttpRequest, cooperation_pk: int) -> HttpResponse:
    cooperation = cooperation_for(request, cooperation_pk, Capability.CONFIGURE_COOPERATION)
    candidates = list(selectors.lead_contact_candidates(cooperation))
    form = concern_forms.LeadContactForm(request.POST, candidates=candidates)
    if form.is_valid():
        membership = next(m for m in candidates if m.pk == form.cleaned_data["membership"])
        try:
            services.lead_contact_designate(actor=request.user, cooperation=cooperation,
                                            membership=membership,
                                            request=request)
        except ConcernError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, _("%(name)s er nu tovholder for bekymringer.") % {"name": membership.user.full_name}
            )
            return redirect("concerns:settings_edit", cooperation_pk=cooperation.pk)
    return _settings_page(request, cooperation, lead_form=form)


@_pages
@require_POST
def lead_contact_end(request: HttpRequest, cooperation_pk: int, lead_pk: int) -> HttpResponse:
    cooperation = cooperation_for(request, cooperation_pk, Capability.CONFIGURE_COOPERATION)
    lead = selectors.lead_contact_of(cooperation, lead_pk)
    if lead is None:
        raise Http404
    services.lead_contact_end(actor=request.user, cooperation=cooperation, lead_contact=lead, request=request)
    messages.success(
        request, _("%(name)s er ikke længere tovholder.") % {"name": lead.membership.user.full_name}
    )
    return redirect("concerns:settings_edit", cooperation_pk=cooperation.pk)


@_pages
@require_POST
def sign_add(request: HttpRequest, cooperation_pk: int) -> HttpResponse:
    cooperation = cooperation_for(request, cooperation_pk, Capability.CONFIGURE_COOPERATION)
    form = concern_forms.SignForm(request.POST)
    if form.is_valid():
        try:
            services.sign_add(actor=request.user, cooperation=cooperation, group=form.cleaned_data["group"],
                              label=form.cleaned_data["label"], request=request)
        except ConcernError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Tegnet er tilføjet kataloget."))
            return redirect("concerns:settings_edit", cooperation_pk=cooperation.pk)
    return _settings_page(request, cooperation, sign_form=form)


def _may_view_templates(user: Any) -> bool:
    return bool(cooperation_ids_with(user, Capability.VIEW_COOPERATION)) or has_capability(
        user, Capability.ADMINISTER_SYSTEM
    )


@_pages
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    if not _may_view_templates(request.user):
        raise deny(request, what="concern.templates")
    services.templates_record_view(actor=request.user, request=request)
    return render(request, "concerns/template_list.html", {
        "templates": list(selectors.templates_visible_to(request.user)),
        "may_create": bool(_template_scopes(request.user)),
    })


@_pages
@require_GET
def template_detail(request: HttpRequest, template_pk: int) -> HttpResponse:
    if not _may_view_templates(request.user):
        raise deny(request, what="concern.templates")
    template = selectors.templates_visible_to(request.user).filter(pk=template_pk).first()
    if template is None:
        raise Http404
    services.templates_record_view(actor=request.user, template=template, request=request)
    sections: dict[str, tuple[str, str, list[Any]]] = {}
    for factor in factors_of(template):
        sections.setdefault(factor.section_code, (factor.section_title, factor.kind, []))[2].append(factor)
    return render(request, "concerns/template_detail.html", {
        "template": template, "sections": list(sections.values()),
        "definition": json.dumps(template.definition, ensure_ascii=False, indent=2),
    })


def _template_scopes(user: Any) -> list[tuple[int | None, str]]:
    scopes: list[tuple[int | None, str]] = []
    if has_capability(user, Capability.ADMINISTER_SYSTEM):
        scopes.append((None, _("Alle samarbejder")))
    ids = sorted(cooperation_ids_with(user, Capability.CONFIGURE_COOPERATION))
    scopes += [(c.pk, c.name) for c in Cooperation.objects.filter(pk__in=ids).order_by("name")]
    return scopes


@_pages
@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    scopes = _template_scopes(request.user)
    if not scopes:
        raise deny(request, what="concern.template_create")
    copy_of = request.GET.get("kopi", "")
    initial: dict[str, Any] = {"scope": scopes[0][0]}
    if copy_of.isdigit():
        source = selectors.templates_visible_to(request.user).filter(pk=int(copy_of)).first()
        if source is not None:
            initial.update(code=source.code, name=source.name, description=source.description,
                           definition=json.dumps(source.definition, ensure_ascii=False, indent=2))
    form = concern_forms.TemplateForm(request.POST or None, scopes=scopes, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cooperation = Cooperation.objects.filter(pk=data["scope"]).first() if data["scope"] else None
        if data["scope"] is not None and cooperation is None:
            form.add_error("scope", _("Vælg fra listen."))
        else:
            try:
                template = services.template_create(
                    actor=request.user, cooperation=cooperation, code=data["code"], name=data["name"],
                    description=data["description"], definition=data["definition"], request=request,
                )
            except ConcernError as exc:
                _form_error(form, exc)
            except PermissionDenied:
                form.add_error(
                    "scope", _("Du kan kun lave skabeloner til de samarbejder, du er koordinator for.")
                )
            else:
                messages.success(
                    request, _("Skabelonen er gemt som version %(version)d.") % {"version": template.version}
                )
                return redirect("concerns:template_detail", template_pk=template.pk)
    return render(request, "concerns/template_form.html", {"form": form})


# --- Infohus Netværk -----------------------------------------------------------------------------


@_pages
@require_GET
def network(request: HttpRequest) -> HttpResponse:
    if not cooperation_ids_with(request.user, Capability.VIEW_COOPERATION):
        raise deny(request, what="concern.network")
    districts = selectors.network_districts_for(request.user)
    figures = [network_figures(district) for district in districts]
    services.network_record_view(actor=request.user, districts=districts, request=request)
    return render(request, "concerns/network.html", {"figures": figures})

