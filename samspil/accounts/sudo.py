"""Sudo mode: a sensitive action needs the password and a fresh code, not just a signed-in session.

Use it on views that change roles, export data, delete things, or change how one signs in::

    from samspil.accounts.sudo import sudo_required

    @sudo_required
    def member_role_change(request, pk): ...

A session that confirmed within ``settings.SAMSPIL_SUDO_LIFETIME`` (10 minutes by default) passes
straight through; otherwise the person is sent to /konto/bekraeft/ and back afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from samspil.audit import actions
from samspil.audit.models import Outcome
from samspil.audit.services import audit_record

from .models import User
from .services import SUDO_AT, is_verified, totp_verify

View = Callable[..., HttpResponse]


def has_sudo(request: HttpRequest) -> bool:
    """True when the signed-in, verified user re-entered password and code within the sudo lifetime."""
    if not is_verified(getattr(request, "user", None)):
        return False
    granted = _parse(request.session.get(SUDO_AT))
    if granted is None:
        return False
    now = timezone.now()
    return granted <= now and now - granted <= settings.SAMSPIL_SUDO_LIFETIME


def sudo_required(view: View) -> View:
    """View decorator: run the view only in sudo mode (see ``has_sudo``); otherwise ask for it.

    Without sudo the request is redirected to the confirmation page with ``next`` set to this URL.
    After confirming, the person comes back with a GET of the same URL, never a replayed POST: a
    POST that arrived without sudo is dropped, and the page it came from (served by the same URL
    on GET) is shown again so the action can be repeated deliberately. Views that take POST should
    therefore answer GET with their form or confirmation page. An htmx request gets an
    ``HX-Redirect`` header instead of a redirect, so the whole page changes, not a fragment.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if has_sudo(request):
            return view(request, *args, **kwargs)
        target = f"{reverse('accounts:sudo')}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)

    return wrapped


def sudo_confirm(*, request: HttpRequest, user: User, password: str, code: str) -> bool:
    """Check the password (through ``authenticate``, so failures count toward the lockout) and then a
    code from the authenticator app; on success remember the time in the session. Audited."""
    authenticated = authenticate(request=request, username=user.get_username(), password=password)
    password_ok = authenticated is not None and authenticated.pk == user.pk
    device = totp_verify(user=user, code=code) if password_ok else None
    with transaction.atomic():
        if device is None:
            audit_record(
                action=actions.SUDO_FAILED, request=request, actor=user, outcome=Outcome.FAILED,
                detail={"password_ok": password_ok},
            )
            return False
        request.session[SUDO_AT] = timezone.now().isoformat()
        audit_record(
            action=actions.SUDO_GRANTED, request=request, actor=user, detail={"device": device.persistent_id}
        )
    return True


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
