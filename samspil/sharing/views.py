"""Sharing pages. Each view parses, asks a selector or service, renders.

Case pages extend the case layout (header and flags on every view of the case). A case the user may
not know of answers 404; one whose details are not theirs answers 403 (audited), as on the case page.
A refused action re-renders the form with every reason and everything typed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from samspil.cases.models import Case, CaseState, EntryVisibility
from samspil.cases.policies import CaseAccess, NotInvolved, acting_organisation_id, case_access, raise_denied
from samspil.cases.selectors import case_visible, cooperation_organisations, flags_of, involvements_of
from samspil.citizens.selectors import citizen_visible
from samspil.organisations.models import Organisation

from . import forms as sharing_forms
from . import selectors, services
from .models import DisclosureKind, RestrictionCode
from .policies import investigative_block_applies
from .rules import applicable_bases
from .services import InvestigativeAccessRefused, SharingRefused

ViewFunc = Callable[..., HttpResponse]


def _not_involved_page(view: ViewFunc) -> ViewFunc:
    """Render the case app's 403 page for a case that exists for the user but is not theirs."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotInvolved as exc:
            return render(request, "cases/not_involved.html", {"message": str(exc)}, status=403)

    return wrapped


def _case(request: HttpRequest, pk: int) -> tuple[Case, CaseAccess]:
    case = case_visible(request.user, pk)
    if case is None:
        raise Http404
    access = case_access(request.user, case)
    if not access.has_details:
        raise_denied(request, case, what="sharing")
    return case, access


def _acting_organisation(request: HttpRequest, access: CaseAccess) -> Organisation:
    organisation_id = acting_organisation_id(request, access)
    assert organisation_id is not None  # has_details means at least one organisation
    return Organisation.objects.get(pk=organisation_id)


def _case_context(case: Case, access: CaseAccess, **extra: Any) -> dict[str, Any]:
    return {"case": case, "access": access, "flags": list(flags_of(case)), **extra}


# The rule set ---------------------------------------------------------------------------------


@require_GET
def legal_basis_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sharing/legal_basis_list.html",
        {
            "bases": list(selectors.legal_bases()),
            "restrictions": list(selectors.restrictions_by_code().values()),
        },
    )


# Disclosures ----------------------------------------------------------------------------------


@_not_involved_page
@require_GET
def case_disclosures(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Who shared what on the case, when, on which basis, with which restrictions; and what to share."""
    case, access = _case(request, case_pk)
    disclosures = list(selectors.disclosures_on_case(request.user, case))
    services.disclosures_list_record(actor=request.user, case=case, count=len(disclosures), request=request)
    rows = [{"disclosure": d, "blocked": investigative_block_applies(access, d)} for d in disclosures]
    return render(
        request,
        "sharing/case_disclosures.html",
        _case_context(
            case,
            access,
            rows=rows,
            own_entries=list(selectors.own_entries_on_case(request.user, case)),
            informing=selectors.informing_on_case(case).first(),
            consents=list(selectors.consents_on_case(case)),
        ),
    )


@_not_involved_page
@require_http_methods(["GET", "POST"])
def entry_share(request: HttpRequest, case_pk: int, entry_pk: int) -> HttpResponse:
    """'Del i samarbejdet': share one of the own organisation's journal entries on a legal basis."""
    case, access = _case(request, case_pk)
    entry = selectors.entry_for_sharing(request.user, entry_pk)
    if entry is None or entry.case_id != case.pk:
        raise Http404
    bases = applicable_bases(case.cooperation)
    form = sharing_forms.ShareForm(request.POST or None, bases=bases)
    reasons: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.disclosure_create(
                actor=request.user,
                journal_entry=entry,
                basis_code=data["basis"],
                justification=data["justification"],
                categories=data["categories"],
                purpose=data["purpose"],
                restrictions=data["extra_restrictions"],
                request=request,
            )
        except SharingRefused as exc:
            reasons = exc.reasons
        else:
            messages.success(request, _("Notatet er delt i samarbejdet, og videregivelsen er registreret."))
            return redirect("cases:case_detail", pk=case.pk)
    recipients = [i.organisation for i in involvements_of(case) if i.organisation_id != entry.organisation_id]
    return render(
        request,
        "sharing/entry_share.html",
        _case_context(
            case,
            access,
            entry=entry,
            form=form,
            reasons=reasons,
            bases=bases,
            recipients=recipients,
            already_shared=entry.visibility == EntryVisibility.SHARED,
        ),
    )


def _investigation() -> Any:
    return selectors.restrictions_by_code().get(RestrictionCode.NO_CRIMINAL_INVESTIGATION)


@require_GET
def disclosure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a disclosure: what was shared, by whom, on which basis, and its restrictions."""
    disclosure = selectors.disclosure_visible(request.user, pk)
    if disclosure is None:
        raise Http404
    case = disclosure.case
    access = case_access(request.user, case)
    try:
        services.disclosure_open(actor=request.user, disclosure=disclosure, request=request)
    except InvestigativeAccessRefused as exc:
        context = _case_context(
            case, access, disclosure=disclosure, reasons=exc.reasons, restriction=_investigation()
        )
        return render(request, "sharing/disclosure_blocked.html", context, status=403)
    markings = selectors.restrictions_by_code()
    return render(
        request,
        "sharing/disclosure_detail.html",
        _case_context(
            case,
            access,
            disclosure=disclosure,
            markings=[markings[c] for c in disclosure.restrictions if c in markings],
            received=bool(access.organisation_ids & {o.pk for o in disclosure.recipients.all()}),
        ),
    )


@require_http_methods(["GET", "POST"])
def disclosure_forward(request: HttpRequest, pk: int) -> HttpResponse:
    """Pass received information on. Refused, with the reason, for information received under § 115."""
    disclosure = selectors.disclosure_visible(request.user, pk)
    if disclosure is None:
        raise Http404
    case = disclosure.case
    access = case_access(request.user, case)
    if investigative_block_applies(access, disclosure):
        try:
            services.disclosure_open(actor=request.user, disclosure=disclosure, request=request)
        except InvestigativeAccessRefused as exc:
            context = _case_context(
                case, access, disclosure=disclosure, reasons=exc.reasons, restriction=_investigation()
            )
            return render(request, "sharing/disclosure_blocked.html", context, status=403)
    form = sharing_forms.ForwardForm(request.POST or None, bases=applicable_bases(case.cooperation))
    reasons: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.disclosure_forward(
                actor=request.user,
                disclosure=disclosure,
                recipient=data["recipient"],
                basis_code=data["basis"],
                justification=data["justification"],
                request=request,
            )
        except SharingRefused as exc:
            reasons = exc.reasons
        else:
            messages.success(request, _("Oplysningerne er videregivet, og videregivelsen er registreret."))
            return redirect("sharing:disclosure_detail", pk=disclosure.pk)
    return render(
        request,
        "sharing/disclosure_forward.html",
        _case_context(
            case,
            access,
            disclosure=disclosure,
            form=form,
            reasons=reasons,
            ban=selectors.restrictions_by_code().get(RestrictionCode.NO_ONWARD_DISCLOSURE)
            if disclosure.has_restriction(RestrictionCode.NO_ONWARD_DISCLOSURE)
            else None,
        ),
    )


def _printable(request: HttpRequest, case: Case) -> list[Any]:
    return [
        d
        for d in selectors.disclosures_on_case(request.user, case)
        if d.kind in (DisclosureKind.SHARE, DisclosureKind.FORWARD) and d.journal_entry is not None
    ]


@_not_involved_page
@require_GET
def case_print(request: HttpRequest, case_pk: int) -> HttpResponse:
    """A print view of the case's shared entries, carrying the confidentiality marking (audited)."""
    case, access = _case(request, case_pk)
    printout = services.case_shared_printout(
        actor=request.user, case=case, disclosures=_printable(request, case), request=request
    )
    return render(request, "sharing/case_print.html", _case_context(case, access, printout=printout))


@_not_involved_page
@require_GET
def case_export(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The same as the print view as a text file, with the marking at the top and the bottom (audited)."""
    case, _access = _case(request, case_pk)
    printout = services.case_shared_printout(
        actor=request.user, case=case, disclosures=_printable(request, case), export=True, request=request
    )
    text = render_to_string("sharing/case_export.txt", {"case": case, "printout": printout}, request=request)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="samspil-sag-{case.pk}-delte-notater.txt"'
    return response


# Identification -------------------------------------------------------------------------------


@_not_involved_page
@require_http_methods(["GET", "POST"])
def case_identify(request: HttpRequest, case_pk: int, citizen_pk: int) -> HttpResponse:
    """Identify an anonymous discussion as the chosen citizen, on a legal basis with a justification."""
    case, access = _case(request, case_pk)
    if case.state != CaseState.ANONYMOUS:
        messages.info(request, _("Sagen er allerede identificeret."))
        return redirect("cases:case_detail", pk=case.pk)
    citizen = citizen_visible(request.user, citizen_pk)
    if citizen is None or citizen.cooperation_id != case.cooperation_id:
        raise Http404
    bases = [b for b in applicable_bases(case.cooperation) if b.can_identify]
    form = sharing_forms.IdentifyForm(request.POST or None, bases=bases)
    reasons: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_identify(
                actor=request.user,
                case=case,
                citizen=citizen,
                basis_code=data["basis"],
                justification=data["justification"],
                organisation=_acting_organisation(request, access),
                categories=data["categories"],
                request=request,
            )
        except SharingRefused as exc:
            reasons = exc.reasons
        else:
            messages.success(request, _("Sagen er identificeret, og hjemmelsgrundlaget er registreret."))
            return redirect("cases:case_detail", pk=case.pk)
    acting = acting_organisation_id(request, access)
    recipients = [i.organisation for i in involvements_of(case) if i.organisation_id != acting]
    return render(
        request,
        "sharing/case_identify.html",
        _case_context(case, access, citizen=citizen, form=form, reasons=reasons, recipients=recipients),
    )


# Consent --------------------------------------------------------------------------------------


@_not_involved_page
@require_http_methods(["GET", "POST"])
def consent_record(request: HttpRequest, case_pk: int) -> HttpResponse:
    case, access = _case(request, case_pk)
    organisations = cooperation_organisations(case)
    form = sharing_forms.ConsentRecordForm(request.POST or None, organisations=organisations)
    reasons: list[str] = []
    if request.method == "POST" and case.citizen is not None and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                actor=request.user,
                case=case,
                organisation=_acting_organisation(request, access),
                purposes=data["purposes"],
                sectors=data["sectors"],
                categories=data["categories"],
                form=data["form"],
                given_at=form.given_at(),
                expires_at=form.expires_at(),
                organisations=data["organisations"],
                purpose_text=data["purpose_text"],
                note=data["note"],
                request=request,
            )
        except SharingRefused as exc:
            reasons = exc.reasons
        else:
            messages.success(request, _("Borgerens samtykke er registreret."))
            return redirect("sharing:case_disclosures", case_pk=case.pk)
    context = _case_context(case, access, form=form, reasons=reasons)
    return render(request, "sharing/consent_form.html", context)


@_not_involved_page
@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, case_pk: int, consent_pk: int) -> HttpResponse:
    case, access = _case(request, case_pk)
    consent = selectors.consent_on_case(case, consent_pk)
    if consent is None:
        raise Http404
    form = sharing_forms.ConsentWithdrawForm(request.POST or None)
    reasons: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                actor=request.user,
                case=case,
                consent=consent,
                note=form.cleaned_data["note"],
                request=request,
            )
        except SharingRefused as exc:
            reasons = exc.reasons
        else:
            messages.success(request, _("Samtykket er trukket tilbage. Det gælder fra nu."))
            return redirect("sharing:case_disclosures", case_pk=case.pk)
    return render(
        request,
        "sharing/consent_withdraw.html",
        _case_context(case, access, consent=consent, form=form, reasons=reasons),
    )


# Informing the citizen ------------------------------------------------------------------------


@_not_involved_page
@require_http_methods(["GET", "POST"])
def informing_record(request: HttpRequest, case_pk: int) -> HttpResponse:
    case, access = _case(request, case_pk)
    form = sharing_forms.InformingForm(request.POST or None)
    reasons: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.informing_record(
                actor=request.user,
                case=case,
                organisation=_acting_organisation(request, access),
                is_informed=data["is_informed"],
                informed_on=data["informed_on"],
                reason=data["reason"],
                reason_text=data["reason_text"],
                reevaluate_on=data["reevaluate_on"],
                request=request,
            )
        except SharingRefused as exc:
            reasons = exc.reasons
        else:
            messages.success(request, _("Det er registreret, om borgeren er orienteret."))
            return redirect("sharing:case_disclosures", case_pk=case.pk)
    return render(
        request,
        "sharing/informing_form.html",
        _case_context(
            case, access, form=form, reasons=reasons, history=list(selectors.informing_on_case(case))
        ),
    )
