"""Reads of a user's own sign-in data: sessions, authenticator apps, backup codes.

These are only ever shown to the user themselves, so each selector takes that user and returns
nothing of anyone else's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import BackupCode, User, UserSession


def sessions_of(user: User) -> QuerySet[UserSession]:
    """The user's signed-in sessions, most recently used first."""
    return UserSession.objects.filter(user=user).order_by("-last_seen_at", "-pk")


def totp_devices_of(user: User) -> QuerySet[TOTPDevice]:
    """The user's confirmed authenticator apps."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk")


def totp_device_of(user: User, pk: int) -> TOTPDevice | None:
    return totp_devices_of(user).filter(pk=pk).first()


def has_confirmed_totp_device(user: User) -> bool:
    return totp_devices_of(user).exists()


def backup_codes_left(user: User) -> int:
    return BackupCode.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class SessionRow:
    """One line of the session list on the profile page."""

    session: UserSession
    browser: str
    is_current: bool

    @property
    def created_at(self) -> datetime:
        return self.session.created_at

    @property
    def last_seen_at(self) -> datetime:
        return self.session.last_seen_at

    @property
    def ip_address(self) -> str | None:
        return self.session.ip_address


def session_rows_of(user: User, current_session_key: str | None) -> list[SessionRow]:
    return [
        SessionRow(session=s, browser=describe_user_agent(s.user_agent),
                   is_current=s.session_key == current_session_key)
        for s in sessions_of(user)
    ]


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def describe_user_agent(user_agent: str) -> str:
    """A short description such as "Firefox på Linux", good enough to recognise one's own devices."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    if browser and system:
        return _("%(browser)s på %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Ukendt browser")
