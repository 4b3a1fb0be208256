"""Sign-in, second factor, sessions and changes to one's own account.

Every change runs in one transaction and writes its audit event in that transaction. The services
take the request where the audit event needs its context (request id, address) or where the change is
to the current session itself (signing in, signing out).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from samspil.audit import actions
from samspil.audit.models import Outcome
from samspil.audit.services import audit_record

from .lockout import client_ip
from .models import BackupCode, BackupCodeDevice, User, UserSession

# Session keys kept by the accounts app.
AUTHENTICATED_AT = "samspil_authenticated_at"  # when the password was accepted (absolute lifetime)
LAST_ACTIVITY = "samspil_last_activity"  # last request, stored at most once a minute (idle timeout)
SUDO_AT = "samspil_sudo_at"  # when password and code were last re-entered (sudo mode)

# Recording activity at most this often keeps a busy session from writing on every request.
ACTIVITY_RESOLUTION_SECONDS = 60

BACKUP_CODE_COUNT = 10
BACKUP_CODE_LENGTH = 10
# No 0/o, 1/i/l: codes are read from paper and typed by hand.
BACKUP_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
BACKUP_DEVICE_NAME = "Reservekoder"
TOTP_DEVICE_NAME = "Godkenderapp"


class LastDeviceError(Exception):
    """The last authenticator app cannot be removed: the account would have no second factor."""


def is_verified(user: object) -> bool:
    """Signed in and past the second factor (django-otp's middleware adds ``is_verified`` to the user)."""
    check = getattr(user, "is_verified", None)
    return bool(getattr(user, "is_authenticated", False) and check is not None and check())


# --- sign-in -------------------------------------------------------------------------------------


def login_password_accepted(*, request: HttpRequest, user: User) -> None:
    """Record the first step of signing in (``django.contrib.auth.login`` has just run).

    The session gets its start time for the absolute lifetime; any earlier sudo grant is dropped.
    """
    now = timezone.now()
    request.session[AUTHENTICATED_AT] = now.isoformat()
    request.session[LAST_ACTIVITY] = now.isoformat()
    request.session.pop(SUDO_AT, None)
    audit_record(action=actions.LOGIN_PASSWORD_OK, request=request, actor=user, target=user)


def login_failed(*, request: HttpRequest, user: User | None) -> None:
    """A wrong e-mail or password. ``user`` is the account the e-mail names, if any (for the log only)."""
    audit_record(
        action=actions.LOGIN_FAILED, request=request, actor=user, outcome=Outcome.FAILED,
        detail={"step": "password"},
    )


def login_locked_out(*, request: HttpRequest, user: User | None) -> None:
    audit_record(
        action=actions.LOGIN_LOCKED_OUT, request=request, actor=user, outcome=Outcome.DENIED,
        detail={"path": request.path[:200]},
    )


def normalise_code(raw: str) -> str:
    """Codes are typed with spaces or dashes now and then; backup codes are lower case."""
    return "".join(raw.split()).replace("-", "").lower()


def is_totp_code(code: str) -> bool:
    return len(code) in (6, 8) and code.isdigit()


def _totp_matches(device: TOTPDevice, token: int) -> bool:
    """Would ``device`` accept ``token`` now? Side-effect free, so a user with two apps does not get
    the other app throttled by every successful sign-in."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return bool(totp.verify(token, device.tolerance, device.last_t + 1))


def totp_verify(*, user: User, code: str) -> TOTPDevice | None:
    """The user's confirmed TOTP device that accepts ``code``, or None.

    django-otp does the checking: a code is accepted once (the device keeps the time step of the last
    accepted code, ``last_t``), and every failure doubles the wait before that device may be tried
    again (1, 2, 4, 8 ... seconds). The devices are locked for the check so two requests cannot
    use the same code at once.
    """
    if not is_totp_code(code):
        return None
    with transaction.atomic():
        devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True).select_for_update())
        token = int(code)
        match = next((d for d in devices if d.verify_is_allowed()[0] and _totp_matches(d, token)), None)
        if match is not None and match.verify_token(code):
            return match
        for device in devices:
            if device is not match:
                device.verify_token(code)  # counts the failure toward the device's throttling
    return None


def backup_code_verify(*, user: User, code: str) -> BackupCodeDevice | None:
    """The user's backup-code device if ``code`` is one of its unused codes; the code is used up.

    The device is locked for the check, so a code cannot be used twice by two requests at once; a
    wrong code counts toward the device's throttling.
    """
    with transaction.atomic():
        for device in BackupCodeDevice.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(code):
                return device
    return None


def mfa_throttled(user: User, *, method: str = "totp") -> bool:
    """True when every device of the kind (``totp`` or ``backup_code``) must wait after failed codes."""
    model: type[Device] = TOTPDevice if method == "totp" else BackupCodeDevice
    devices: list[Device] = list(model.objects.devices_for_user(user, confirmed=True))
    return bool(devices) and all(not d.verify_is_allowed()[0] for d in devices)


@dataclass(frozen=True)
class MfaResult:
    device: Device | None
    throttled: bool  # refused because of earlier failures, whatever the code was


def mfa_verify(*, request: HttpRequest, user: User, code: str) -> MfaResult:
    """Check a code from the authenticator app or a backup code; on success finish signing in.

    A six-digit code is tried against the TOTP devices, anything else against the backup codes.
    Failures are audited with the kind of code tried (never the code).
    """
    normalised = normalise_code(code)
    method = "totp" if is_totp_code(normalised) else "backup_code"
    throttled = mfa_throttled(user, method=method)
    device: Device | None
    if method == "totp":
        device = totp_verify(user=user, code=normalised)
    else:
        device = backup_code_verify(user=user, code=normalised)
    if device is None:
        audit_record(
            action=actions.MFA_FAILED, request=request, actor=user, outcome=Outcome.FAILED,
            detail={"method": method, "throttled": throttled},
        )
        return MfaResult(None, throttled)
    if method == "backup_code":
        remaining = BackupCode.objects.filter(device=device).count()
        audit_record(
            action=actions.BACKUP_CODE_USED, request=request, actor=user, detail={"remaining": remaining}
        )
    session_verified(request=request, user=user, device=device)
    return MfaResult(device, throttled=False)


@transaction.atomic
def session_verified(*, request: HttpRequest, user: User, device: Device) -> UserSession:
    """The second factor passed: mark the session verified and list it among the user's sessions."""
    otp_login(request, device)
    if request.session.session_key is None:
        request.session.save()
    session = session_register(request=request, user=user)
    audit_record(
        action=actions.MFA_VERIFIED, request=request, actor=user, target=session,
        detail={"device": device.persistent_id},
    )
    return session


def session_register(*, request: HttpRequest, user: User) -> UserSession:
    """Create (or refresh) the UserSession row for the current session key."""
    key = request.session.session_key
    assert key, "the session has been saved"
    now = timezone.now()
    values = {
        "user": user,
        "ip_address": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        "last_seen_at": now,
    }
    try:
        with transaction.atomic():
            session, _created = UserSession.objects.update_or_create(
                session_key=key, defaults=values, create_defaults={**values, "created_at": now}
            )
    except IntegrityError:  # the same key registered by a concurrent request
        session = UserSession.objects.get(session_key=key)
    return session


# --- sessions ------------------------------------------------------------------------------------


def session_touch(*, request: HttpRequest, user: User, now: datetime) -> None:
    """Record activity of a verified session (called at most once a minute per session)."""
    key = request.session.session_key
    if not key:
        return
    updated = UserSession.objects.filter(session_key=key, user=user).update(last_seen_at=now)
    if not updated:
        session_register(request=request, user=user)


def _delete_stored_sessions(keys: list[str]) -> None:
    """Remove sessions from the session store, whatever the engine, so their cookies stop working."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()


@transaction.atomic
def session_logout(*, request: HttpRequest) -> None:
    """Sign out now: the session is deleted on the server, not just forgotten by the browser."""
    user = request.user if request.user.is_authenticated else None
    key = request.session.session_key
    if user is not None:
        audit_record(action=actions.LOGOUT, request=request, actor=user)
    if key:
        UserSession.objects.filter(session_key=key).delete()
    auth_logout(request)


@transaction.atomic
def sessions_end_all(
    *,
    actor: User | None,
    user: User,
    request: HttpRequest | None = None,
    keep_session_key: str | None = None,
    audit: bool = True,
) -> int:
    """End every session of ``user`` (except ``keep_session_key``) in the session store at once.

    Returns how many sessions ended. The caller signs the current request out itself when the current
    session is among them (``session_logout`` or ``django.contrib.auth.logout``).
    """
    rows = UserSession.objects.filter(user=user).select_for_update()
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    _delete_stored_sessions(keys)
    UserSession.objects.filter(user=user, session_key__in=keys).delete()
    if audit:
        action = actions.LOGOUT_OTHER_SESSIONS if keep_session_key else actions.LOGOUT_EVERYWHERE
        audit_record(action=action, request=request, actor=actor, target=user, detail={"sessions": len(keys)})
    return len(keys)


def session_expired(*, request: HttpRequest, user: User, reason: str) -> None:
    """The session passed its idle timeout or absolute lifetime: end it on the server."""
    with transaction.atomic():
        audit_record(action=actions.SESSION_EXPIRED, request=request, actor=user, detail={"reason": reason})
        key = request.session.session_key
        if key:
            UserSession.objects.filter(session_key=key).delete()
    auth_logout(request)


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User, request: HttpRequest | None = None) -> User:
    """Deactivate an account: it can no longer sign in, and every session it has ends at once.

    The caller decides whether ``actor`` may do this (the organisations' policies); the account and
    its history stay for the audit trail. Deactivating an inactive account ends any sessions left and
    keeps the original deactivation time.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active or locked.deactivated_at is None:
        locked.is_active = False
        locked.deactivated_at = locked.deactivated_at or timezone.now()
        locked.save(update_fields=["is_active", "deactivated_at"])
    ended = sessions_end_all(actor=actor, user=locked, request=request, audit=False)
    audit_record(
        action=actions.ACCOUNT_DEACTIVATED, request=request, actor=actor, target=locked,
        detail={"sessions_ended": ended},
    )
    user.is_active, user.deactivated_at = locked.is_active, locked.deactivated_at
    return locked


# --- own account -------------------------------------------------------------------------------


@transaction.atomic
def user_profile_update(
    *, actor: User, full_name: str, preferred_language: str, request: HttpRequest | None = None
) -> list[str]:
    """Change one's own name and language. Returns the names of the fields that changed."""
    changed = []
    if actor.full_name != full_name:
        actor.full_name = full_name
        changed.append("full_name")
    if actor.preferred_language != preferred_language:
        actor.preferred_language = preferred_language
        changed.append("preferred_language")
    if changed:
        actor.save(update_fields=changed)
        audit_record(action=actions.PROFILE_UPDATED, request=request, actor=actor, target=actor,
                     detail={"fields": changed})
    return changed


@transaction.atomic
def user_password_change(*, actor: User, new_password: str, request: HttpRequest) -> int:
    """Set a new password, keep the current session (with a new key) and end all the others.

    Returns how many other sessions ended. The current UserSession row follows the new key.
    """
    old_key = request.session.session_key
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    update_session_auth_hash(request, actor)  # cycles the session key
    new_key = request.session.session_key
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key, user=actor).update(session_key=new_key)
    ended = sessions_end_all(actor=actor, user=actor, request=request, keep_session_key=new_key, audit=False)
    audit_record(action=actions.PASSWORD_CHANGED, request=request, actor=actor, target=actor,
                 detail={"other_sessions_ended": ended})
    return ended


# --- second factor devices -----------------------------------------------------------------------


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device being set up (reused on reload, so the QR code stays the same)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(
    *, actor: User, device: TOTPDevice, code: str, name: str, request: HttpRequest
) -> list[str] | None:
    """Confirm a new authenticator app with a code from it.

    Returns None when the code is wrong. On success the device counts as a second factor; the
    session is verified with it if it was not already; and a first device also gets backup codes,
    returned here so they can be shown once (an empty list when the user already had codes).
    """
    locked = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=actor, confirmed=False)
    normalised = normalise_code(code)
    if not is_totp_code(normalised) or not locked.verify_token(normalised):
        audit_record(action=actions.MFA_FAILED, request=request, actor=actor, outcome=Outcome.FAILED,
                     detail={"method": "totp", "step": "enrolment"})
        return None
    locked.confirmed = True
    locked.name = name or TOTP_DEVICE_NAME
    locked.save(update_fields=["confirmed", "name"])
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    audit_record(action=actions.MFA_ENROLLED, request=request, actor=actor, target=locked)
    if not is_verified(request.user):
        session_verified(request=request, user=actor, device=locked)
    if BackupCode.objects.filter(device__user=actor).exists():
        return []
    return backup_codes_regenerate(actor=actor, request=request)


@transaction.atomic
def totp_device_remove(*, actor: User, device: TOTPDevice, request: HttpRequest) -> None:
    """Remove one of one's authenticator apps; the last one cannot be removed.

    If the current session was verified with the removed app, it stays verified through another one
    (the removal itself required the password and a fresh code).
    """
    devices = list(TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True))
    if device.pk not in {d.pk for d in devices}:
        raise ValueError("Not one of the user's confirmed devices.")
    if len(devices) < 2:
        raise LastDeviceError
    was_current = request.session.get("otp_device_id") == device.persistent_id
    remaining = next(d for d in devices if d.pk != device.pk)
    audit_record(action=actions.MFA_DEVICE_REMOVED, request=request, actor=actor, target=device,
                 detail={"name": device.name[:64]})
    device.delete()
    if was_current:
        otp_login(request, remaining)


def _backup_code() -> str:
    return "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))


@transaction.atomic
def backup_codes_regenerate(*, actor: User, request: HttpRequest | None = None) -> list[str]:
    """Make ten new single-use backup codes; the old ones stop working. Returns the new codes.

    Only a salted hash of each code is stored (``BackupCode``), so this is the one time the codes
    can be shown. The device is kept (only its codes change), so a session verified with a backup
    code stays verified.
    """
    device = BackupCodeDevice.objects.select_for_update().filter(user=actor).order_by("pk").first()
    if device is None:
        device = BackupCodeDevice.objects.create(user=actor, name=BACKUP_DEVICE_NAME, confirmed=True)
    elif not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    BackupCode.objects.filter(device__user=actor).delete()
    codes: list[str] = []
    while len(codes) < BACKUP_CODE_COUNT:
        code = _backup_code()
        if code not in codes:
            codes.append(code)
    BackupCode.objects.bulk_create([BackupCode.for_code(device, code) for code in codes])
    audit_record(action=actions.BACKUP_CODES_GENERATED, request=request, actor=actor, target=device,
                 detail={"count": len(codes)})
    return codes

