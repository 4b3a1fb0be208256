"""Citizen pages. A citizen exists for a user only through a case their organisation is involved in
(selectors.citizens_visible_to); anyone else gets 404. Every look is audited; showing the full CPR
number is a separate, audited action (POST, so the number is never in a URL)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from .selectors import citizen_cases_visible_to, citizen_visible
from .services import citizen_cpr_reveal, citizen_record_view


@require_GET
def citizen_detail(request: HttpRequest, pk: int) -> HttpResponse:
    citizen = citizen_visible(request.user, pk)
    if citizen is None:
        raise Http404
    citizen_record_view(actor=request.user, citizen=citizen, request=request)
    return render(
        request,
        "citizens/citizen_detail.html",
        {"citizen": citizen, "cases": list(citizen_cases_visible_to(request.user, citizen)), "cpr": ""},
    )


@require_POST
def citizen_cpr(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full CPR number (audited). htmx swaps in the fragment; without htmx the page is re-shown."""
    citizen = citizen_visible(request.user, pk)
    if citizen is None:
        raise Http404
    cpr = citizen_cpr_reveal(actor=request.user, citizen=citizen, request=request)
    if getattr(request, "htmx", False):
        return render(request, "citizens/_cpr.html", {"citizen": citizen, "cpr": cpr})
    return render(
        request,
        "citizens/citizen_detail.html",
        {"citizen": citizen, "cases": list(citizen_cases_visible_to(request.user, citizen)), "cpr": cpr},
    )
