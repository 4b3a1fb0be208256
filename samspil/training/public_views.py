"""Anyone holding a certificate's code can check it: the page shows only the name, the course, the
date and whether it is valid, expired or revoked. An unknown code gets the same neutral page with
status 404; codes are 80 random bits, so guessing one is hopeless."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import selectors, services
from .forms import VerifyForm


def _page(request: HttpRequest, form: VerifyForm, code: str | None) -> HttpResponse:
    completion = selectors.completion_by_code(code) if code else None
    if code:
        services.certificate_looked_up(request=request, completion=completion)
    status = 404 if code and completion is None else 200
    response = render(
        request,
        "training/verify.html",
        {"form": form, "searched": bool(code), "completion": completion, "now": timezone.now()},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    code = form.cleaned_data["kode"] if form.is_bound and form.is_valid() else None
    return _page(request, form, code)


@require_GET
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    return _page(request, VerifyForm(initial={"kode": code}), code[:40])
