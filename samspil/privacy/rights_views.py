"""The citizen's-rights pages.

For the data protection officer: "Borgerens rettigheder" (find a citizen by name or CPR number, the legal
holds in force, the retention rules), one citizen's page (access report as PDF or JSON, legal holds,
rectification), the deletion receipts, and adding or removing a retention rule for one legal basis. For
case workers: rectification of a citizen they see; for the police: withholding their own entries from the
access report.

A page without an object answers 403 to anyone who is not a DPO (audited); an object (citizen, hold,
rule, entry) the user may not reach answers 404. Adding or removing a rule for one legal basis is about a
cooperation: its other members get 403 (audited), everyone else 404. Producing an access report needs
sudo mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samspil.accounts.sudo import sudo_required
from samspil.citizens.models import Citizen
from samspil.citizens.services import citizen_record_view
from samspil.core.roles import Capability
from samspil.organisations.models import Cooperation
from samspil.organisations.policies import deny, render_denials

from . import selectors
from .access_report import access_report_produce
from .forms import (
    BasisRuleForm,
    CitizenSearchForm,
    ExemptionForm,
    LegalHoldForm,
    RectificationForm,
    RetentionRuleForm,
)
from .models import RectifiableField, RetentionCategory, RetentionRule
from .policies import dpo_membership, is_police
from .retention import retention_rules_for
from .services import (
    RightsRefused,
    citizen_rectify,
    citizen_rights_view_record,
    citizen_search_record,
    deletion_receipts_view_record,
    exemption_lift,
    exemption_record,
    legal_hold_lift,
    legal_hold_place,
    retention_rule_add,
    retention_rule_change,
    retention_rule_remove,
)
from .views import _capability_required

RECEIPTS_PAGE_SIZE = 50


def _rights_citizen(request: HttpRequest, pk: int) -> Citizen:
    citizen = selectors.rights_citizen(request.user, pk)
    if citizen is None:
        raise Http404
    return citizen


@dataclass(frozen=True)
class RuleRow:
    rule: RetentionRule
    basis_name: str  # the rule set's name of the rule's legal basis; "" for a category's default rule
    has_exceptions: bool = False  # a default rule whose category has rules for some legal bases

    @property
    def removable(self) -> bool:
        """A rule for one legal basis; a category's default rule is only changed (see the service)."""
        return bool(self.rule.pk and self.rule.legal_basis and not self.rule.follows_cooperation)


@dataclass(frozen=True)
class RuleGroup:
    cooperation: Cooperation
    rows: list[RuleRow]
    may_add: bool  # the cooperation has a legal basis a rule may name


def _rules_by_cooperation(user: Any) -> list[RuleGroup]:
    """The DPO's cooperations with their retention rules, each rule for a legal basis right after its
    category's default (missing default rules are created here, so that they can be changed before the
    first retention run)."""
    found = [
        (cooperation, retention_rules_for(cooperation, persist=True))
        for cooperation in selectors.rights_cooperations(user)
    ]
    names = selectors.legal_basis_names(rule.legal_basis for _cooperation, rules in found for rule in rules)
    identifying = selectors.identifying_basis_codes()
    groups = []
    for cooperation, rules in found:
        with_bases = {rule.category for rule in rules if rule.legal_basis}
        groups.append(
            RuleGroup(
                cooperation=cooperation,
                rows=[
                    RuleRow(rule, names.get(rule.legal_basis, ""), rule.category in with_bases)
                    for rule in rules
                ],
                may_add=selectors.may_add_basis_rule(cooperation, identifying),
            )
        )
    return groups


@require_http_methods(["GET", "POST"])
@_capability_required(Capability.ACCESS_REPORT)
def rights(request: HttpRequest) -> HttpResponse:
    form = CitizenSearchForm(request.POST if request.method == "POST" else None)
    results = None
    if request.method == "POST" and form.is_valid():
        results = list(
            selectors.rights_citizens_search(
                request.user, name=form.cleaned_data["name"], cpr_digits=form.cleaned_data["cpr"]
            )
        )
        citizen_search_record(
            actor=request.user, criterion=form.criterion, matches=len(results), request=request
        )
    return render(
        request,
        "privacy/rights.html",
        {
            "form": form,
            "results": results,
            "holds": list(selectors.legal_holds_visible_to(request.user)),
            "rule_groups": _rules_by_cooperation(request.user),
        },
    )


@require_GET
def citizen_rights(request: HttpRequest, pk: int) -> HttpResponse:
    citizen = _rights_citizen(request, pk)
    citizen_rights_view_record(actor=request.user, citizen=citizen, request=request)
    return render(
        request,
        "privacy/citizen_rights.html",
        {
            "citizen": citizen,
            "cases": list(selectors.citizen_cases(citizen)),
            "holds": list(selectors.legal_holds_of_citizen(citizen)),
            "rectifications": list(selectors.rectifications_of(citizen)),
            "withheld": selectors.exemptions_of_citizen(citizen).count(),
            "concerns_with_police": selectors.citizen_concerns_with_police(citizen),
        },
    )


@require_GET
def access_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """404 for anyone but the citizen's DPO (before sudo is asked for, so nothing is revealed)."""
    citizen = _rights_citizen(request, pk)
    if fmt not in ("pdf", "json"):
        raise Http404
    return _access_report_download(request, citizen, fmt)


@sudo_required
def _access_report_download(request: HttpRequest, citizen: Citizen, fmt: str) -> HttpResponse:
    membership = dpo_membership(request.user, citizen.cooperation_id)
    organisation = membership.organisation if membership is not None else None
    _report, content = access_report_produce(
        actor=request.user,
        citizen=citizen,
        report_format=fmt,
        produced_by_organisation=organisation,
        request=request,
    )
    content_type = "application/pdf" if fmt == "pdf" else "application/json; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="indsigt-{citizen.pk}-{stamp}.{fmt}"'
    return response


@require_http_methods(["GET", "POST"])
def hold_place(request: HttpRequest, pk: int) -> HttpResponse:
    citizen = _rights_citizen(request, pk)
    cases = list(selectors.citizen_cases(citizen))
    form = LegalHoldForm(request.POST or None, cases=cases)
    if request.method == "POST" and form.is_valid():
        case_id = form.case_id()
        case = next((c for c in cases if c.pk == case_id), None) if case_id is not None else None
        try:
            legal_hold_place(
                actor=request.user,
                citizen=citizen,
                case=case,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except RightsRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(
                request, _("Det retlige hold er sat. Intet om borgeren slettes, før det ophæves.")
            )
            return redirect("privacy:citizen_rights", pk=citizen.pk)
    return render(request, "privacy/hold_form.html", {"citizen": citizen, "form": form})


@require_POST
def hold_lift(request: HttpRequest, pk: int) -> HttpResponse:
    hold = selectors.legal_hold_visible(request.user, pk)
    if hold is None:
        raise Http404
    try:
        legal_hold_lift(actor=request.user, hold=hold, request=request)
    except RightsRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Det retlige hold er ophævet. Næste sletning følger slettefristerne igen.")
        )
    citizen_id = hold.citizen_id or (hold.case.citizen_id if hold.case else None)
    if citizen_id is not None and selectors.rights_citizen(request.user, citizen_id) is not None:
        return redirect("privacy:citizen_rights", pk=citizen_id)
    return redirect("privacy:rights")


@require_GET
@_capability_required(Capability.ACCESS_REPORT)
def receipts(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.deletion_receipts_visible_to(request.user), RECEIPTS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    deletion_receipts_view_record(actor=request.user, count=paginator.count, request=request)
    names = {c.pk: c.name for c in selectors.rights_cooperations(request.user)}
    rows = [(receipt, names.get(receipt.cooperation_id, "")) for receipt in page.object_list]
    return render(request, "privacy/receipts.html", {"page": page, "rows": rows})


@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.retention_rule_of_member(request.user, pk)
    if rule is None:
        raise Http404
    _rules_cooperation(request, rule.cooperation_id)
    form = RetentionRuleForm(request.POST or None, initial={"period": rule.period, "note": rule.note})
    if request.method == "POST" and form.is_valid():
        try:
            retention_rule_change(
                actor=request.user,
                rule=rule,
                period=form.cleaned_data["period"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except RightsRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Slettefristen er ændret. Den gælder fra næste sletning."))
            return redirect("privacy:rights")
    basis_name = selectors.legal_basis_names([rule.legal_basis]).get(rule.legal_basis, "")
    return render(request, "privacy/rule_form.html", {"rule": rule, "form": form, "basis_name": basis_name})


def _rules_cooperation(request: HttpRequest, pk: int) -> Cooperation:
    """The cooperation whose schedule the DPO changes: 404 unless the user belongs to it, 403 (audited)
    unless they are its DPO."""
    cooperation = selectors.member_cooperation(request.user, pk)
    if cooperation is None:
        raise Http404
    if dpo_membership(request.user, cooperation.pk) is None:
        raise deny(request, what=Capability.ACCESS_REPORT, target=cooperation, cooperation_id=cooperation.pk)
    return cooperation


def _default_rule(cooperation: Cooperation, category: str) -> RetentionRule:
    """The category's rule without a legal basis (read only: not saved here if it is still missing)."""
    return next(
        rule
        for rule in retention_rules_for(cooperation, persist=False)
        if rule.category == category and not rule.legal_basis
    )


def _in_category(category: str, basis_name: str) -> str:
    return _("%(category)s identificeret på hjemlen %(basis)s") % {
        "category": str(RetentionCategory(category).label).lower(),
        "basis": basis_name,
    }


@render_denials
@require_http_methods(["GET", "POST"])
def rule_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a retention rule for one legal basis (closed cases only: see ``PER_BASIS_CATEGORIES``)."""
    cooperation = _rules_cooperation(request, pk)
    category = RetentionCategory.CLOSED_CASE  # the one category in PER_BASIS_CATEGORIES
    bases = selectors.retention_rule_bases(cooperation)
    rules = retention_rules_for(cooperation, persist=False)
    taken = {rule.legal_basis for rule in rules if rule.category == category and rule.legal_basis}
    form = BasisRuleForm(request.POST or None, bases=bases, taken=taken)
    if request.method == "POST" and form.is_valid():
        try:
            rule = retention_rule_add(
                actor=request.user,
                cooperation=cooperation,
                category=category,
                legal_basis=form.cleaned_data["legal_basis"],
                period=form.cleaned_data["period"],
                unit=form.cleaned_data["unit"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except RightsRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            name = next(basis.name for basis in bases if basis.code == rule.legal_basis)
            messages.success(
                request,
                _("Fristen for %(records)s er tilføjet. Den gælder fra næste sletning.")
                % {"records": _in_category(category, name)},
            )
            return redirect("privacy:rights")
    return render(
        request,
        "privacy/rule_add.html",
        {
            "cooperation": cooperation,
            "category_label": RetentionCategory(category).label,
            "default": _default_rule(cooperation, category),
            "has_bases": bool(bases),
            "form": form,
        },
    )


@render_denials
@require_http_methods(["GET", "POST"])
def rule_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then (POST) remove a rule for one legal basis: the category's default rule applies again."""
    rule = selectors.retention_rule_of_member(request.user, pk)
    if rule is None:
        raise Http404
    _rules_cooperation(request, rule.cooperation_id)
    basis_name = selectors.legal_basis_names([rule.legal_basis]).get(rule.legal_basis, "")
    default = _default_rule(rule.cooperation, rule.category)
    refusal = ""
    if request.method == "POST":
        try:
            retention_rule_remove(actor=request.user, rule=rule, request=request)
        except RightsRefused as exc:
            refusal = str(exc)
        else:
            messages.success(
                request,
                _("Fristen er fjernet. Standardfristen på %(period)s gælder nu også for %(records)s.")
                % {"period": default.period_text, "records": _in_category(rule.category, basis_name)},
            )
            return redirect("privacy:rights")
    return render(
        request,
        "privacy/rule_remove.html",
        {
            "rule": rule,
            "basis_name": basis_name,
            "records": _in_category(rule.category, basis_name) if basis_name else "",
            "default": default,
            "removable": RuleRow(rule, basis_name).removable,
            "refusal": refusal,
        },
    )


def _field_value(citizen: Citizen, field: str) -> str:
    if field == RectifiableField.CPR:
        return citizen.cpr_masked if citizen.has_cpr else ""
    if field == RectifiableField.BIRTH_DATE:
        return f"{citizen.birth_date:%d-%m-%Y}" if citizen.birth_date else ""
    if field == RectifiableField.SEX:
        return citizen.get_sex_display() if citizen.sex else ""
    return str(getattr(citizen, field) or "")


def _initial(citizen: Citizen, field: str) -> Any:
    if field == RectifiableField.CPR:
        return ""  # a CPR number is never put into a page unasked
    return getattr(citizen, field)


@require_http_methods(["GET", "POST"])
def rectify(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.rectifiable_citizen(request.user, pk)
    if found is None:
        raise Http404
    citizen, _organisation_id = found
    field = request.POST.get("field") if request.method == "POST" else request.GET.get("felt")
    if field and field not in RectifiableField.values:
        field = None
    form = None
    if field:
        data = request.POST if request.method == "POST" else None
        form = RectificationForm(
            data, field=field, initial={"new_value": _initial(citizen, field), "version": citizen.version}
        )
        if request.method == "POST" and form.is_valid():
            try:
                citizen_rectify(
                    actor=request.user,
                    citizen=citizen,
                    field=field,
                    new_value=form.cleaned_data["new_value"],
                    reason=form.cleaned_data["reason"],
                    version=form.cleaned_data["version"],
                    request=request,
                )
            except RightsRefused as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "Oplysningen er rettet. Organisationer, der har modtaget borgerens oplysninger, "
                        "har fået besked."
                    ),
                )
                return redirect("privacy:rectify", pk=citizen.pk)
    elif request.method == "POST":
        raise Http404
    if request.method == "GET":
        citizen_record_view(actor=request.user, citizen=citizen, request=request)
    return render(
        request,
        "privacy/rectify.html",
        {
            "citizen": citizen,
            "field": field,
            "field_label": dict(RectifiableField.choices).get(field, "") if field else "",
            "form": form,
            "rows": [(code, label, _field_value(citizen, code)) for code, label in RectifiableField.choices],
            "rectifications": list(selectors.rectifications_of(citizen)),
            "is_dpo": dpo_membership(request.user, citizen.cooperation_id) is not None,
        },
    )


def _exemptable(request: HttpRequest, entry_pk: int) -> Any:
    entry = selectors.exemptable_entry(request.user, entry_pk)
    if entry is None:
        raise Http404
    if not is_police(entry):
        raise deny(request, what="privacy.exemption", target=entry, cooperation_id=entry.case.cooperation_id)
    return entry


@render_denials
@require_http_methods(["GET", "POST"])
def exemption(request: HttpRequest, entry_pk: int) -> HttpResponse:
    entry = _exemptable(request, entry_pk)
    current = selectors.active_exemption_of(entry)
    form = ExemptionForm(request.POST or None)
    if request.method == "POST" and current is None and form.is_valid():
        try:
            exemption_record(
                actor=request.user,
                entry=entry,
                reason=form.cleaned_data["reason"],
                legal_reference=form.cleaned_data["legal_reference"],
                request=request,
            )
        except RightsRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Notatet er undtaget fra borgerens indsigt."))
            return redirect(reverse("cases:case_detail", args=[entry.case_id]))
    return render(
        request,
        "privacy/exemption_form.html",
        {"entry": entry, "case": entry.case, "current": current, "form": form},
    )


@render_denials
@require_POST
def exemption_end(request: HttpRequest, entry_pk: int) -> HttpResponse:
    entry = _exemptable(request, entry_pk)
    try:
        exemption_lift(actor=request.user, entry=entry, request=request)
    except RightsRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Undtagelsen er ophævet. Notatet kommer med i borgerens næste indsigtsrapport.")
        )
    return redirect(reverse("cases:case_detail", args=[entry.case_id]))

