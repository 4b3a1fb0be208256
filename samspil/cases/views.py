"""Case pages. Each view parses, asks a selector or service, renders; access is decided in policies.py.

A case the user may not know of answers 404; one they know exists but whose details are not theirs
(a coordinator's organisation not involved) answers 403 with "Din organisation er ikke involveret i
sagen" (audited). A refused save re-renders the form with a Danish message and everything typed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import get_resolver, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from samspil.accounts.models import User
from samspil.citizens.forms import CitizenForm
from samspil.citizens.selectors import case_worker_organisations, citizen_visible
from samspil.citizens.services import CitizenError, citizen_register
from samspil.core.roles import Capability
from samspil.organisations.models import Cooperation, Organisation
from samspil.organisations.policies import deny
from samspil.organisations.selectors import cooperation_get

from . import forms as case_forms
from . import selectors, services
from .models import Case, CaseState, TaskStatus
from .panels import attach_entry_extras, case_panels_for, citizen_chosen_url
from .policies import CaseAccess, NotInvolved, acting_organisation_id, case_access, raise_denied
from .selectors import CaseCriteria
from .services import CaseError, StaleEditError
from .states import ALLOWED_TRANSITIONS, reopen_state

PAGE_SIZE = 25

ViewFunc = Callable[..., HttpResponse]


def _denials_rendered(view: ViewFunc) -> ViewFunc:
    """Return (not raise) the 403 page, so the request's transaction commits with the audited denial;
    a case that exists for the user but is not theirs gets its own page with the reason."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotInvolved as exc:
            return render(request, "cases/not_involved.html", {"message": str(exc)}, status=403)
        except PermissionDenied as exc:
            handler = get_resolver().resolve_error_handler(403)
            return handler(request, exc)  # type: ignore[call-arg,no-any-return]

    return wrapped


def _case(request: HttpRequest, pk: int, *, what: str = "case.details") -> tuple[Case, CaseAccess]:
    """The case for a page that needs its details: 404 if unknown to the user, 403 if not theirs."""
    case = selectors.case_visible(request.user, pk)
    if case is None:
        raise Http404
    access = case_access(request.user, case)
    if not access.has_details:
        raise_denied(request, case, what=what)
    return case, access


def _acting_organisation(request: HttpRequest, access: CaseAccess) -> Organisation:
    organisation_id = acting_organisation_id(request, access)
    assert organisation_id is not None  # has_details means at least one organisation
    return Organisation.objects.get(pk=organisation_id)


def _case_context(case: Case, access: CaseAccess, **extra: Any) -> dict[str, Any]:
    """What every case page shows around its content: the header and the flags banner."""
    return {"case": case, "access": access, "flags": list(selectors.flags_of(case)), **extra}


def _with_version(request: HttpRequest, version: int) -> Any:
    """The submitted text with the version now saved: after a refused stale save the person sees the
    current version beside their own text, and saving again (deliberately) replaces it."""
    data = request.POST.copy()
    data["version"] = str(version)
    return data


def _form_error(form: Any, exc: CaseError | CitizenError) -> None:
    field = exc.field if exc.field in getattr(form, "fields", {}) else None
    form.add_error(field, str(exc))


# --- List and search ----------------------------------------------------------------------------------


@_denials_rendered
@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the user may know of. Filters and name search by GET; exact CPR search by POST."""
    organisations = _filter_organisations(request.user)
    filters = case_forms.CaseFilterForm(request.GET or None, organisations=organisations)
    cpr_form = case_forms.CprSearchForm(request.POST or None)
    criteria = CaseCriteria()
    searched_cpr = False
    if request.method == "POST":
        searched_cpr = True
        if not cpr_form.is_valid():
            return render(
                request,
                "cases/case_list.html",
                {"filters": case_forms.CaseFilterForm(organisations=organisations), "cpr_form": cpr_form,
                 "page": None, "searched_cpr": True, "can_open": _can_open(request)},
            )
        criteria = CaseCriteria(cpr=cpr_form.cleaned_data["cpr"])
        cpr_form = case_forms.CprSearchForm()  # the number is not echoed back into the page
    elif filters.is_valid():
        data = filters.cleaned_data
        criteria = CaseCriteria(
            state=data["state"],
            organisation=data["organisation"],
            mine=data["mine"],
            overdue=data["overdue"],
            flagged=data["flagged"],
            name=data["q"].strip(),
        )
    cases = selectors.cases_search(request.user, criteria)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("side"))
    page.object_list = selectors.case_list_rows(request.user, cast(QuerySet[Case], page.object_list))
    services.case_record_search(
        actor=request.user, criteria=criteria, matches=page.paginator.count, request=request
    )
    return render(
        request,
        "cases/case_list.html",
        {"filters": filters, "cpr_form": cpr_form, "page": page, "searched_cpr": searched_cpr,
         "can_open": _can_open(request)},
    )


def _filter_organisations(user: Any) -> list[tuple[int, str]]:
    """The organisations of the cooperations the user works on cases in."""
    cooperation_ids = sorted(case_worker_organisations(user))
    if not cooperation_ids:
        return []
    return list(
        Organisation.objects.filter(participations__cooperation_id__in=cooperation_ids)
        .distinct()
        .order_by("name")
        .values_list("pk", "name")
    )


def _can_open(request: HttpRequest) -> bool:
    return bool(case_worker_organisations(request.user))


# --- Opening --------------------------------------------------------------------------------------------


def _opening_cooperation(request: HttpRequest) -> tuple[Cooperation, int]:
    """The cooperation and organisation the user opens a case for: the active membership's when it may
    open cases there, else their first such membership; 403 (audited) when they may open none."""
    pairs = case_worker_organisations(request.user)
    active = getattr(request, "active_membership", None)
    if active is not None and active.organisation_id in pairs.get(active.cooperation_id, set()):
        cooperation_id, organisation_id = active.cooperation_id, active.organisation_id
    elif pairs:
        cooperation_id = min(pairs)
        organisation_id = min(pairs[cooperation_id])
    else:
        raise deny(request, what=Capability.OPEN_CASE)
    cooperation = cooperation_get(cooperation_id)
    assert cooperation is not None
    return cooperation, organisation_id


@_denials_rendered
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest) -> HttpResponse:
    cooperation, organisation_id = _opening_cooperation(request)
    choices = {
        "organisations": Organisation.objects.filter(participations__cooperation=cooperation)
        .order_by("name"),
        "frontline": _frontline_users(cooperation),
    }
    form = case_forms.CaseOpenForm(
        request.POST or None, initial={"lead_organisation": organisation_id}, **choices
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open_anonymous(
                actor=request.user,
                cooperation=cooperation,
                age_band=data["age_band"],
                sex=data["sex"],
                description=data["description"],
                lead_organisation=data["lead_organisation"],
                pseudonym=data["pseudonym"],
                referred_by=data["referred_by"],
                organisation=Organisation.objects.get(pk=organisation_id),
                request=request,
            )
        except CaseError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Den anonyme drøftelse er oprettet som %(pseudonym)s.") % {"pseudonym": case.pseudonym},
            )
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/case_open.html", {"form": form, "cooperation": cooperation})


def _frontline_users(cooperation: Cooperation) -> Any:
    user_ids = selectors.frontline_members(cooperation.pk).values("user_id")
    return User.objects.filter(pk__in=user_ids, is_active=True).order_by("full_name")


# --- The case page ---------------------------------------------------------------------------------------


@_denials_rendered
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_visible(request.user, pk)
    if case is None:
        raise Http404
    access = case_access(request.user, case)
    if not access.has_details:
        if access.is_referrer:
            services.case_record_view(actor=request.user, case=case, access=access, request=request)
            return render(request, "cases/case_referral.html", {"case": case})
        raise_denied(request, case, what="case.details")
    services.case_record_view(actor=request.user, case=case, access=access, request=request)
    involvements = list(selectors.involvements_of(case))
    involved_ids = [i.organisation_id for i in involvements]
    entries = list(selectors.journal_entries_visible_to(request.user, case, access))
    attach_entry_extras(request, case, entries)
    context = _case_context(
        case,
        access,
        involvements=involvements,
        entries=entries,
        tasks=list(selectors.tasks_of(case)),
        history=list(selectors.state_changes_of(case)),
        steps=_steps(case),
        is_open=case.state != CaseState.CLOSED,
        journal_form=case_forms.JournalEntryForm(),
        flag_form=case_forms.FlagForm(),
        task_form=_task_form(case, involved_ids),
        panels=case_panels_for(request, case),
        acting_organisation_id=acting_organisation_id(request, access),
        today=timezone.localdate(),
    )
    return render(request, "cases/case_detail.html", context)


STEP_SLUGS = {
    "aktiver": CaseState.ACTIVE,
    "opfoelgning": CaseState.FOLLOW_UP,
    "luk": CaseState.CLOSED,
    "genaabn": "reopen",
}
STEP_LABELS = {
    "aktiver": gettext_lazy("Aktivér med handleplan"),
    "opfoelgning": gettext_lazy("Sæt til opfølgning"),
    "luk": gettext_lazy("Luk sagen"),
    "genaabn": gettext_lazy("Genåbn sagen"),
}


def _steps(case: Case) -> list[tuple[str, str]]:
    """The state actions the case page offers now (identification is the sharing app's panel)."""
    allowed = ALLOWED_TRANSITIONS[case.state]
    steps = []
    for slug, target in STEP_SLUGS.items():
        if target == "reopen":
            if case.state == CaseState.CLOSED:
                steps.append((slug, str(STEP_LABELS[slug])))
        elif target in allowed:
            steps.append((slug, str(STEP_LABELS[slug])))
    return steps


def _task_form(case: Case, involved_ids: list[int], data: Any = None) -> case_forms.TaskForm:
    members = [
        m for m in selectors.case_worker_members(case.cooperation_id) if m.organisation_id in involved_ids
    ]
    return case_forms.TaskForm(
        data,
        organisations=Organisation.objects.filter(pk__in=involved_ids).order_by("name"),
        members=members,
    )


@_denials_rendered
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the description (and action plan) with optimistic locking on the case's version."""
    case, access = _case(request, pk)
    if case.state == CaseState.CLOSED:
        messages.error(request, _("Sagen er lukket. Genåbn den for at ændre i den."))
        return redirect("cases:case_detail", pk=case.pk)
    form = case_forms.CaseTextForm(
        request.POST or None,
        case=case,
        initial={"description": case.description, "action_plan": case.action_plan, "version": case.version},
    )
    stale = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_update_text(
                actor=request.user,
                case=case,
                description=data["description"],
                action_plan=data.get("action_plan") if "action_plan" in form.fields else None,
                version=data["version"],
                request=request,
            )
        except StaleEditError as exc:
            stale = True
            case.refresh_from_db()
            form = case_forms.CaseTextForm(_with_version(request, case.version), case=case)
            form.is_valid()
            form.add_error(None, str(exc))
        except CaseError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Ændringen er gemt."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/case_edit.html", _case_context(case, access, form=form, stale=stale))


@_denials_rendered
@require_http_methods(["GET", "POST"])
def case_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Activate, follow up, close or reopen: a small form with the plan, note or reason."""
    if step not in STEP_SLUGS:
        raise Http404
    case, access = _case(request, pk)
    form_class = {
        "aktiver": case_forms.ActivateForm,
        "opfoelgning": case_forms.FollowUpForm,
        "luk": case_forms.ReasonForm,
        "genaabn": case_forms.ReasonForm,
    }[step]
    initial = {"action_plan": case.action_plan} if step == "aktiver" else None
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if step == "aktiver":
                services.case_activate(
                    actor=request.user, case=case, action_plan=data["action_plan"], request=request
                )
            elif step == "opfoelgning":
                services.case_follow_up(actor=request.user, case=case, note=data["note"], request=request)
            elif step == "luk":
                services.case_close(actor=request.user, case=case, reason=data["reason"], request=request)
            else:
                services.case_reopen(actor=request.user, case=case, reason=data["reason"], request=request)
        except CaseError as exc:
            _form_error(form, exc)
        else:
            state = case.get_state_display()
            messages.success(request, _("Sagen har nu status »%(state)s«.") % {"state": state})
            return redirect("cases:case_detail", pk=case.pk)
    target = reopen_state(case.citizen_id is not None) if step == "genaabn" else STEP_SLUGS[step]
    return render(
        request,
        "cases/case_step.html",
        _case_context(case, access, form=form, step=step, step_label=STEP_LABELS[step],
                      target_label=CaseState(target).label),
    )


# --- Involvement ------------------------------------------------------------------------------------------


@_denials_rendered
@require_http_methods(["GET", "POST"])
def case_involvement(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an organisation (POST action=add), end one (action=end) or make one the lead (action=lead)."""
    case, access = _case(request, pk)
    involvements = list(selectors.involvements_of(case))
    involved_ids = [i.organisation_id for i in involvements]
    addable = selectors.cooperation_organisations(case).exclude(pk__in=involved_ids)
    add_form = case_forms.InvolvementForm(organisations=addable)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "add":
        add_form = case_forms.InvolvementForm(request.POST, organisations=addable)
        if add_form.is_valid():
            try:
                organisation = add_form.cleaned_data["organisation"]
                services.involvement_add(
                    actor=request.user, case=case, organisation=organisation, request=request
                )
            except CaseError as exc:
                _form_error(add_form, exc)
            else:
                messages.success(request, _("Organisationen er nu involveret i sagen."))
                return redirect("cases:case_involvement", pk=case.pk)
    elif action in ("end", "lead"):
        wanted = request.POST.get("organisation")
        chosen = next((i.organisation for i in involvements if str(i.organisation_id) == wanted), None)
        if chosen is None:
            messages.error(request, _("Vælg en organisation, der er involveret i sagen."))
        else:
            try:
                _change_involvement(request, case, chosen, action)
            except CaseError as exc:
                messages.error(request, str(exc))
            else:
                if not case_access(request.user, case).has_details:  # the user ended their own involvement
                    return redirect("cases:case_list")
                return redirect("cases:case_involvement", pk=case.pk)
    elif action:
        messages.error(request, _("Ukendt handling."))
    context = _case_context(
        case, access, involvements=involvements, add_form=add_form, is_open=case.state != CaseState.CLOSED
    )
    return render(request, "cases/case_involvement.html", context)


def _change_involvement(request: HttpRequest, case: Case, organisation: Organisation, action: str) -> None:
    name = {"name": organisation.name}
    if action == "end":
        services.involvement_end(actor=request.user, case=case, organisation=organisation, request=request)
        messages.success(request, _("%(name)s er ikke længere involveret i sagen.") % name)
    else:
        services.involvement_set_lead(
            actor=request.user, case=case, organisation=organisation, request=request
        )
        messages.success(request, _("%(name)s er nu ledende organisation.") % name)


# --- Journal ----------------------------------------------------------------------------------------------


@_denials_rendered
@require_http_methods(["GET", "POST"])
def journal_add(request: HttpRequest, pk: int) -> HttpResponse:
    case, access = _case(request, pk)
    form = case_forms.JournalEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.journal_entry_add(
                actor=request.user,
                case=case,
                text=form.cleaned_data["text"],
                organisation=_acting_organisation(request, access),
                request=request,
            )
        except CaseError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Notatet er gemt. Det kan kun ses af din egen organisation."))
            return redirect(reverse("cases:case_detail", kwargs={"pk": case.pk}) + "#journal")
    return render(request, "cases/journal_form.html", _case_context(case, access, form=form, entry=None))


@_denials_rendered
@require_http_methods(["GET", "POST"])
def journal_edit(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """Edit one of the own organisation's unshared entries, with optimistic locking on its version."""
    case, access = _case(request, pk)
    entry = selectors.journal_entry_editable_by(request.user, case, access, entry_pk)
    if entry is None:
        raise Http404
    initial = {"text": entry.text, "version": entry.version}
    form = case_forms.JournalEntryEditForm(request.POST or None, initial=initial)
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            services.journal_entry_edit(
                actor=request.user,
                entry=entry,
                text=form.cleaned_data["text"],
                version=form.cleaned_data["version"],
                request=request,
            )
        except StaleEditError as exc:
            stale = True
            entry.refresh_from_db()
            form = case_forms.JournalEntryEditForm(_with_version(request, entry.version))
            form.is_valid()
            form.add_error(None, str(exc))
        except CaseError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Notatet er ændret."))
            return redirect(reverse("cases:case_detail", kwargs={"pk": case.pk}) + "#journal")
    context = _case_context(case, access, form=form, entry=entry, stale=stale)
    return render(request, "cases/journal_form.html", context)


# --- Flags and tasks --------------------------------------------------------------------------------------


@_denials_rendered
@require_http_methods(["GET", "POST"])
def flag_add(request: HttpRequest, pk: int) -> HttpResponse:
    case, access = _case(request, pk)
    form = case_forms.FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_add(
                actor=request.user, case=case, text=form.cleaned_data["text"],
                organisation=_acting_organisation(request, access), request=request,
            )
        except CaseError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Advarslen er sat på sagen."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/flag_form.html", _case_context(case, access, form=form))


@_denials_rendered
@require_POST
def flag_remove(request: HttpRequest, pk: int, flag_pk: int) -> HttpResponse:
    case, _access = _case(request, pk)
    flag = selectors.flag_of(case, flag_pk)
    if flag is None:
        raise Http404
    try:
        services.flag_remove(actor=request.user, flag=flag, request=request)
    except CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Advarslen er fjernet."))
    return redirect("cases:case_detail", pk=case.pk)


@_denials_rendered
@require_http_methods(["GET", "POST"])
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    case, access = _case(request, pk)
    involved_ids = [i.organisation_id for i in selectors.involvements_of(case)]
    form = _task_form(case, involved_ids, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = None
        if data["owner"] is not None:
            members = selectors.case_worker_members(case.cooperation_id)
            owner = next((m.user for m in members if m.user_id == data["owner"]), None)
        try:
            services.task_add(
                actor=request.user,
                case=case,
                title=data["title"],
                owner_organisation=data["owner_organisation"],
                owner=owner,
                due_date=data["due_date"],
                request=request,
            )
        except CaseError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Opgaven er oprettet."))
            return redirect(reverse("cases:case_detail", kwargs={"pk": case.pk}) + "#opgaver")
    return render(request, "cases/task_form.html", _case_context(case, access, form=form))


@_denials_rendered
@require_http_methods(["GET", "POST"])
def task_status(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    case, access = _case(request, pk)
    task = selectors.task_of(case, task_pk)
    if task is None:
        raise Http404
    initial_status = TaskStatus.DONE if task.status == TaskStatus.OPEN else TaskStatus.OPEN
    form = case_forms.TaskStatusForm(request.POST or None, initial={"status": initial_status})
    if request.method == "POST" and form.is_valid():
        try:
            services.task_set_status(
                actor=request.user,
                task=task,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except CaseError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Opgavens status er ændret."))
            return redirect(reverse("cases:case_detail", kwargs={"pk": case.pk}) + "#opgaver")
    return render(request, "cases/task_status.html", _case_context(case, access, form=form, task=task))


# --- Register or find the citizen (before identification) -------------------------------------------------


@_denials_rendered
@require_http_methods(["GET", "POST"])
def case_citizen(request: HttpRequest, pk: int) -> HttpResponse:
    """Register the citizen a discussion is about, or pick an existing one, after a duplicate check.

    The citizen is then handed to identification (the sharing app's legal-basis step, through
    ``panels.register_citizen_chosen``); until then the case stays anonymous.
    """
    case, access = _case(request, pk)
    if case.state != CaseState.ANONYMOUS:
        messages.info(request, _("Sagen er allerede identificeret."))
        return redirect("cases:case_detail", pk=case.pk)
    form = CitizenForm(request.POST or None)
    duplicates: list[Any] = []
    if request.method == "POST" and request.POST.get("choose"):
        chosen = request.POST["choose"]
        citizen = citizen_visible(request.user, int(chosen)) if chosen.isdigit() else None
        if citizen is None or citizen.cooperation_id != case.cooperation_id:
            raise Http404
        return _citizen_chosen(request, case, citizen, created=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = citizen_register(
                actor=request.user,
                cooperation=case.cooperation,
                organisation=_acting_organisation(request, access),
                full_name=data["full_name"],
                cpr=data["cpr"],
                birth_date=data["birth_date"],
                sex=data["sex"],
                address=data["address"],
                phone=data["phone"],
                pseudonym=data["pseudonym"],
                confirmed_distinct=data["confirmed_distinct"],
                request=request,
            )
        except CitizenError as exc:
            _form_error(form, exc)
        else:
            if registration.citizen is not None:
                return _citizen_chosen(request, case, registration.citizen, created=True)
            duplicates = registration.duplicates
            if not registration.same_cpr_found:
                form.show_confirmation()
    return render(
        request,
        "cases/case_citizen.html",
        _case_context(case, access, form=form, duplicates=duplicates),
    )


def _citizen_chosen(request: HttpRequest, case: Case, citizen: Any, *, created: bool) -> HttpResponse:
    url = citizen_chosen_url(request, case, citizen)
    if url:
        return redirect(url)
    if created:
        messages.success(
            request,
            _(
                "Borgeren er registreret som %(pseudonym)s. Sagen identificeres, når hjemmelsgrundlaget er "
                "registreret."
            )
            % {"pseudonym": citizen.pseudonym},
        )
    else:
        messages.info(
            request, _("Borgeren er valgt. Sagen identificeres, når hjemmelsgrundlaget er registreret.")
        )
    return redirect("cases:case_detail", pk=case.pk)
