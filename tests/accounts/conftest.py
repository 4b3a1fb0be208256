"""Helpers for the sign-in tests: real TOTP codes, a full login through the pages, audit look-ups."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from samspil.accounts.models import BackupCode, User
from samspil.audit.models import AuditEvent
from samspil.core.scoping import unscoped
from tests.conftest import verified_client
from tests.factories import PASSWORD, UserFactory

LOGIN = "/konto/login/"
MFA = "/konto/mfa/"
ENROL = "/konto/mfa/opsaet/"
SUDO = "/konto/bekraeft/"
PROFILE = "/konto/profil/"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def totp_code(device: TOTPDevice) -> str:
    """A code the device accepts now, as the person's app would show it.

    The device refuses codes at or before the last accepted time step, so a second sign-in within the
    same 30 seconds uses the next step's code (inside the one-step tolerance), like a person waiting
    for the app's next code.
    """
    device.refresh_from_db()
    current = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    step = max(current, device.last_t + 1)
    assert step <= current + device.tolerance, "no code left in this time window"
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"


def unused_backup_codes(user: User, codes: list[str]) -> list[str]:
    """Which of ``codes`` (as handed out) the user can still use, sorted.

    Only salted hashes are stored, so the test keeps the codes it was given and checks them against
    the stored rows; nothing is used up by looking.
    """
    stored = list(BackupCode.objects.filter(device__user=user, device__confirmed=True))
    return sorted(code for code in codes if any(row.matches(code) for row in stored))


def stored_backup_code_count(user: User) -> int:
    return BackupCode.objects.filter(device__user=user).count()


def device_of(user: User) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=True)


def password_login(client: Client, email: str, password: str = PASSWORD, **extra: str):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def full_login(user: User, client: Client | None = None, **extra: str) -> Client:
    """Sign in through both steps of the real pages."""
    client = client or Client(HTTP_USER_AGENT=BROWSER)
    response = password_login(client, user.email, **extra)
    assert response.status_code == 302 and response["Location"] == MFA, response
    response = client.post(MFA, {"code": totp_code(device_of(user))}, **extra)
    assert response.status_code == 302 and response["Location"] == "/", response
    return client


def password_only_client(user: User) -> Client:
    """Signed in with the password but not (yet) the second factor."""
    client = Client()
    client.force_login(user)
    return client


def signed_in(user: User) -> Client:
    """A verified session, registered among the user's sessions as a real sign-in would be."""
    client = verified_client(user)
    assert client.get(PROFILE).status_code == 200
    return client


def grant_sudo(client: Client, at: datetime | None = None) -> None:
    session = client.session
    session["samspil_sudo_at"] = (at or timezone.now()).isoformat()
    session.save()


def age_session(client: Client, key: str, by: timedelta) -> None:
    session = client.session
    session[key] = (timezone.now() - by).isoformat()
    session.save()


def events(action: str, **filters: object) -> list[AuditEvent]:
    with unscoped("tests read the audit log"):
        return list(AuditEvent.objects.filter(action=action, **filters).order_by("id"))


def is_signed_in(client: Client) -> bool:
    response = client.get(PROFILE)
    return response.status_code == 200


@pytest.fixture
def user(db: None) -> User:
    return UserFactory(email="anne@eksempel.invalid", full_name="Anne Andersen")

