from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import User
from .services import (
    ACTIVITY_RESOLUTION_SECONDS,
    AUTHENTICATED_AT,
    LAST_ACTIVITY,
    is_verified,
    session_expired,
    session_touch,
)

# Paths reachable without a verified second factor. Everything else needs one.
OPEN_PATH_PREFIXES = (
    "/static/", "/i18n/", "/invitation/", "/konto/login/", "/konto/mfa/", "/konto/logout/",
    # Public by design: certificate verification shows only name, course, date and validity; the
    # calendar feed is authorised by its own secret, revocable token and carries no personal data.
    "/bevis/", "/kalender/",
)
OPEN_PATHS = {"/healthz", "/favicon.ico"}

EXPIRED_IDLE = "idle"
EXPIRED_LIFETIME = "lifetime"


class SessionLifetimeMiddleware:
    """End sessions that were idle too long or are older than the absolute lifetime, on the server.

    The idle clock is the last recorded activity, which is stored at most once a minute (so a busy
    session is not written on every request); the effective idle limit is therefore between one minute
    less than ``SAMSPIL_SESSION_IDLE_TIMEOUT`` and that timeout. The absolute lifetime counts from the
    moment the password was accepted. An expired session is deleted from the store, audited, and the
    person is sent to the login page, which says why.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now()
            started = _parse(request.session.get(AUTHENTICATED_AT))
            last = _parse(request.session.get(LAST_ACTIVITY))
            reason = None
            if started is not None and now - started > settings.SAMSPIL_SESSION_ABSOLUTE_LIFETIME:
                reason = EXPIRED_LIFETIME
            elif last is not None and now - last > settings.SAMSPIL_SESSION_IDLE_TIMEOUT:
                reason = EXPIRED_IDLE
            if reason is not None:
                assert isinstance(user, User)
                next_path = request.get_full_path() if request.method == "GET" else ""
                session_expired(request=request, user=user, reason=reason)
                return _to_login(request, next_path, expired=reason)
            if started is None:
                request.session[AUTHENTICATED_AT] = now.isoformat()
            if last is None or now - last >= timedelta(seconds=ACTIVITY_RESOLUTION_SECONDS):
                request.session[LAST_ACTIVITY] = now.isoformat()
                if is_verified(user):
                    assert isinstance(user, User)
                    session_touch(request=request, user=user, now=now)
        return self.get_response(request)


class MfaRequiredMiddleware:
    """No page beyond login is reachable without a verified second factor (not a per-view decorator).

    A signed-in user who has not passed the second factor is sent to the code page (which sends
    people without an authenticator app to enrolment). Anonymous visitors are sent to login. The API
    answers 401 with JSON instead of redirecting: anonymous API requests are left to the API's own
    authentication, and a session that has only passed the password step is refused outright.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith(OPEN_PATH_PREFIXES) or path in OPEN_PATHS:
            return self.get_response(request)
        user = request.user
        is_api = path.startswith("/api/")
        if not user.is_authenticated:
            if is_api:
                return self.get_response(request)
            return _to_login(request, request.get_full_path() if request.method == "GET" else "")
        if not is_verified(user):
            if is_api:
                detail = _("Anden faktor mangler. Log ind i browseren først.")
                return JsonResponse({"detail": detail}, status=401)
            next_path = request.get_full_path() if request.method == "GET" else ""
            query = f"?{urlencode({'next': next_path})}" if next_path else ""
            return _redirect(request, reverse("accounts:mfa_verify") + query)
        return self.get_response(request)


def _to_login(request: HttpRequest, next_path: str, *, expired: str = "") -> HttpResponse:
    """Send to the login page (401 JSON for the API), keeping where the person was going."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Log ind for at fortsætte.")}, status=401)
    params = {}
    if expired:
        params["expired"] = expired
    if next_path and next_path != "/":
        params["next"] = next_path
    url = reverse("accounts:login") + (f"?{urlencode(params)}" if params else "")
    return _redirect(request, url)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect; htmx gets ``HX-Redirect`` so the whole page changes rather than a fragment."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
