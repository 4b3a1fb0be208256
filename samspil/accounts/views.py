"""Signing in (password, then a second factor), enrolment, sudo mode, the profile and signing out.

The login never tells whether an e-mail address has an account: an unknown address and a wrong
password get the same page, and cost the same time (Django's ModelBackend runs the password hasher
once for unknown addresses too). django-axes counts failures per e-mail address and client address
through ``authenticate`` and, after too many, answers with ``lockout_response``.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth import logout as auth_logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import selectors, services
from .forms import LoginForm, MfaForm, PasswordChangeForm, ProfileForm, SudoForm, TotpConfirmForm
from .lockout import lockout_username
from .middleware import EXPIRED_IDLE, EXPIRED_LIFETIME
from .models import User
from .sudo import has_sudo, sudo_confirm, sudo_required

GET_POST = require_http_methods(["GET", "POST"])


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "the middleware lets only signed-in users through"
    return user


def _is_verified(request: HttpRequest) -> bool:
    return services.is_verified(request.user)


def _safe_next(request: HttpRequest, default: str = "") -> str:
    """The ``next`` parameter if it points to this site, else ``default`` (no open redirects)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _set_language(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


# --- lockout -------------------------------------------------------------------------------------


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """What django-axes answers once an e-mail address and client address are locked out (429)."""
    username = lockout_username(request, credentials or getattr(request, "axes_credentials", None))
    user = User.objects.filter(email__iexact=username).first() if username else None
    services.login_locked_out(request=request, user=user)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


# --- sign in -------------------------------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@GET_POST
def login_view(request: HttpRequest) -> HttpResponse:
    """Step 1: e-mail and password."""
    next_url = _safe_next(request)
    if request.method == "GET" and _is_verified(request):
        return redirect(next_url or "core:home")
    form = LoginForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        email = form.cleaned_data["username"]
        user = authenticate(request=request, username=email, password=form.cleaned_data["password"])
        # Looked up whether or not the password was right, so both outcomes cost the same.
        named = User.objects.filter(email__iexact=email).first()
        if isinstance(user, User):
            login(request, user)
            services.login_password_accepted(request=request, user=user)
            response = redirect(_with_next(reverse("accounts:mfa_verify"), next_url))
            _set_language(response, user.preferred_language)
            return response
        if not getattr(request, "axes_locked_out", False):  # a lockout is recorded by lockout_response
            services.login_failed(request=request, user=named)
        form.add_error(None, _("Forkert e-mail eller adgangskode."))
    expired = request.GET.get("expired")
    notice = {
        EXPIRED_IDLE: _("Du er blevet logget af, fordi du ikke har været aktiv i %(minutes)d minutter. "
                        "Log ind igen for at fortsætte.")
        % {"minutes": settings.SAMSPIL_SESSION_IDLE_TIMEOUT.total_seconds() // 60},
        EXPIRED_LIFETIME: _("Du er blevet logget af, fordi du har været logget ind i mere end %(hours)d "
                            "timer. Log ind igen for at fortsætte.")
        % {"hours": settings.SAMSPIL_SESSION_ABSOLUTE_LIFETIME.total_seconds() // 3600},
    }.get(expired or "")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "next": next_url, "notice": notice}
    return render(request, "accounts/login.html", context, status=status)


@sensitive_post_parameters("code")
@never_cache
@GET_POST
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """Step 2: a code from the authenticator app, or a backup code."""
    next_url = _safe_next(request)
    if not request.user.is_authenticated:
        return redirect(_with_next(reverse("accounts:login"), next_url))
    if _is_verified(request):
        return redirect(next_url or "core:home")
    user = _user(request)
    if not selectors.has_confirmed_totp_device(user):
        return redirect(_with_next(reverse("accounts:mfa_enroll"), next_url))
    form = MfaForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        result = services.mfa_verify(request=request, user=user, code=form.cleaned_data["code"])
        if result.device is not None:
            return redirect(next_url or "core:home")
        if result.throttled:
            form.add_error(None, _("Koden blev ikke godkendt. Der har været for mange forkerte forsøg; "
                                   "vent lidt, før du prøver igen. Ventetiden fordobles for hvert forsøg."))
        else:
            form.add_error("code", _("Koden er forkert eller allerede brugt. Prøv den næste kode fra appen."))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": next_url}, status=status)


def _qr_svg(device: TOTPDevice) -> str:
    qr = segno.make(device.config_url, error="m")
    return mark_safe(
        qr.svg_inline(scale=5, border=4, dark="#000", light="#fff", svgclass="samspil-qr-code",
                      title=_("QR-kode til godkenderappen"))
    )


def _grouped_secret(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@sensitive_post_parameters("code")
@never_cache
@GET_POST
def mfa_enroll(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code, confirm with a code, get backup codes once.

    The first app is set up right after the password step. A further app needs a verified session in
    sudo mode, so a stolen password alone can never add an app to an account that has one.
    """
    next_url = _safe_next(request)
    if not request.user.is_authenticated:
        return redirect(_with_next(reverse("accounts:login"), next_url))
    user = _user(request)
    first = not selectors.has_confirmed_totp_device(user)
    if not first:
        if not _is_verified(request):
            return redirect(_with_next(reverse("accounts:mfa_verify"), next_url))
        if not has_sudo(request):
            return redirect(_with_next(reverse("accounts:sudo"), request.get_full_path()))
    device = services.totp_device_pending(user=user)
    form = TotpConfirmForm(request.POST if request.method == "POST" else None,
                           initial={"name": services.TOTP_DEVICE_NAME if first else ""})
    if form.is_valid():
        codes = services.totp_device_confirm(
            actor=user, device=device, code=form.cleaned_data["code"], name=form.cleaned_data["name"],
            request=request,
        )
        if codes is None:
            form.add_error("code", _("Koden passer ikke. Kontrollér, at du har skannet den viste QR-kode, og "
                                     "skriv den kode, appen viser nu."))
        elif codes:
            return render(request, "accounts/backup_codes.html",
                          {"codes": codes, "next": next_url or reverse("core:home"), "first": True})
        else:
            messages.success(request, _("Godkenderappen er tilføjet."))
            return redirect(next_url or "accounts:profile")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/mfa_enroll.html",
        {"form": form, "qr_svg": _qr_svg(device), "secret": _grouped_secret(device), "first": first,
         "next": next_url},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out (POST with CSRF only): the session is deleted on the server at once."""
    services.session_logout(request=request)
    messages.info(request, _("Du er logget af."))
    return redirect("accounts:login")


# --- sudo mode -----------------------------------------------------------------------------------


@sensitive_post_parameters("password", "code")
@never_cache
@GET_POST
def sudo(request: HttpRequest) -> HttpResponse:
    """Confirm identity (password and a fresh code) before a sensitive action, then go back to it."""
    user = _user(request)
    next_url = _safe_next(request, reverse("accounts:profile"))
    if request.method == "GET" and has_sudo(request):
        return redirect(next_url)
    form = SudoForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if sudo_confirm(request=request, user=user, password=form.cleaned_data["password"],
                        code=form.cleaned_data["code"]):
            return redirect(next_url)
        form.add_error(None, _("Adgangskoden eller koden er forkert."))
    minutes = int(settings.SAMSPIL_SUDO_LIFETIME.total_seconds() // 60)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "next": next_url, "minutes": minutes}
    return render(request, "accounts/sudo.html", context, status=status)


# --- profile -------------------------------------------------------------------------------------


def _profile_context(request: HttpRequest, user: User) -> dict[str, Any]:
    return {
        "sessions": selectors.session_rows_of(user, request.session.session_key),
        "devices": list(selectors.totp_devices_of(user)),
        "backup_codes_left": selectors.backup_codes_left(user),
    }


@never_cache
@GET_POST
def profile(request: HttpRequest) -> HttpResponse:
    """One's own account: name, language, password, authenticator apps, backup codes and sessions.

    Looking at one's own profile is not audited (it is no access to someone else's data); every
    change is.
    """
    user = _user(request)
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        initial={"full_name": user.full_name, "preferred_language": user.preferred_language},
    )
    if form.is_valid():
        changed = services.user_profile_update(
            actor=user, full_name=form.cleaned_data["full_name"],
            preferred_language=form.cleaned_data["preferred_language"], request=request,
        )
        translation.activate(user.preferred_language)
        messages.success(request, _("Dine oplysninger er gemt.") if changed else _("Intet at gemme."))
        response = redirect("accounts:profile")
        _set_language(response, user.preferred_language)
        return response
    status = 400 if request.method == "POST" else 200
    context = {"form": form, **_profile_context(request, user)}
    return render(request, "accounts/profile.html", context, status=status)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@GET_POST
def password_change(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PasswordChangeForm(user, request.POST if request.method == "POST" else None, request=request)
    if form.is_valid():
        ended = services.user_password_change(actor=user, new_password=form.cleaned_data["new_password1"],
                                              request=request)
        if ended:
            messages.success(request, _("Din adgangskode er ændret, og du er logget ud alle andre steder."))
        else:
            messages.success(request, _("Din adgangskode er ændret."))
        return redirect("accounts:profile")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


@never_cache
@GET_POST
@sudo_required
def mfa_device_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove one of one's authenticator apps (GET asks, POST removes; needs sudo)."""
    user = _user(request)
    device = selectors.totp_device_of(user, pk)
    if device is None:
        raise Http404
    devices = list(selectors.totp_devices_of(user))
    is_last = len(devices) < 2
    if request.method == "POST":
        if is_last:
            messages.error(request, _("Du kan ikke fjerne din eneste godkenderapp. Tilføj en anden først."))
            return redirect("accounts:profile")
        services.totp_device_remove(actor=user, device=device, request=request)
        messages.success(request, _("Godkenderappen “%(name)s” er fjernet.") % {"name": device.name})
        return redirect("accounts:profile")
    return render(request, "accounts/mfa_device_remove.html", {"device": device, "is_last": is_last})


@never_cache
@GET_POST
@sudo_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    """Make new backup codes (GET asks, POST makes them and shows them once; needs sudo)."""
    user = _user(request)
    if request.method == "POST":
        codes = services.backup_codes_regenerate(actor=user, request=request)
        return render(request, "accounts/backup_codes.html",
                      {"codes": codes, "next": reverse("accounts:profile"), "first": False})
    return render(request, "accounts/backup_codes_confirm.html",
                  {"backup_codes_left": selectors.backup_codes_left(user)})


@require_POST
def logout_others(request: HttpRequest) -> HttpResponse:
    """End every other session of the user; this one stays."""
    user = _user(request)
    ended = services.sessions_end_all(actor=user, user=user, request=request,
                                      keep_session_key=request.session.session_key)
    messages.success(request, _("Du er logget ud på %(count)d andre enheder.") % {"count": ended})
    return redirect("accounts:profile")


@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of the user, this one included."""
    user = _user(request)
    services.sessions_end_all(actor=user, user=user, request=request)
    auth_logout(request)
    messages.info(request, _("Du er logget ud på alle enheder."))
    return HttpResponseRedirect(reverse("accounts:login"))
