"""How django-axes identifies a login attempt: the username as typed (normalised) and the client's IP.

Lockout counts failures per username *and* address together (``AXES_LOCKOUT_PARAMETERS``), so both
parts must be hard to vary: the username is compared case-insensitively, like the login itself, and
the address is the one the trusted proxies saw, not whatever the client claims.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The e-mail address as the login compares it (trimmed, lower case), so that "Karin@..." and
    "karin@..." count toward the same lockout."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = (credentials or {}).get(field)
    if raw is None:
        raw = request.POST.get(field, "") if request.method == "POST" else ""
    return str(raw).strip().lower()


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client, honouring ``AXES_IPWARE_PROXY_COUNT`` trusted reverse proxies.

    Behind N trusted proxies each one appends the address it received the request from to
    X-Forwarded-For, so the client is the N-th entry from the right; entries further left were
    written by the client and cannot be trusted. Without proxies (the default) only REMOTE_ADDR counts,
    so a forged header cannot dodge the per-address lockout. A malformed header falls back to
    REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    if proxies <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote
    return candidate
