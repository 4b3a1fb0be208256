"""The profile: own details, language, password, authenticator apps, backup codes, sessions."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import check_password
from django_otp.plugins.otp_totp.models import TOTPDevice

from samspil.accounts.models import User, UserSession
from samspil.accounts.selectors import describe_user_agent
from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.core.scoping import unscoped
from tests.factories import PASSWORD, UserFactory, backup_codes

from .conftest import (
    PROFILE,
    device_of,
    events,
    full_login,
    grant_sudo,
    is_signed_in,
    signed_in,
    stored_backup_code_count,
    unused_backup_codes,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Blaa-Hvaler-Synger-Om-Natten-77"


def _event_count() -> int:
    with unscoped("tests count audit events"):
        return AuditEvent.objects.count()


def test_profile__viewing_it__writes_no_audit_event(user) -> None:
    client = signed_in(user)
    before = _event_count()
    response = client.get(PROFILE)
    assert response.status_code == 200
    assert user.email in response.content.decode()
    assert _event_count() == before


def test_profile__change_name_and_language__saves_sets_the_cookie_and_is_audited(user) -> None:
    client = signed_in(user)
    response = client.post(PROFILE, {"full_name": "Anne B. Andersen", "preferred_language": "en"})

    assert (response.status_code, response["Location"]) == (302, PROFILE)
    assert response.cookies["django_language"].value == "en"
    user.refresh_from_db()
    assert (user.full_name, user.preferred_language) == ("Anne B. Andersen", "en")
    assert [e.detail for e in events(actions.PROFILE_UPDATED)] == [
        {"fields": ["full_name", "preferred_language"]}]


def test_profile__email_cannot_be_changed(user) -> None:
    data = {"full_name": "Anne", "preferred_language": "da", "email": "ny@eksempel.invalid"}
    signed_in(user).post(PROFILE, data)
    assert User.objects.get(pk=user.pk).email == "anne@eksempel.invalid"


def test_profile__bad_input__keeps_what_was_typed_and_changes_nothing(user) -> None:
    response = signed_in(user).post(PROFILE, {"full_name": "   ", "preferred_language": "xx"})
    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).full_name == "Anne Andersen"
    assert events(actions.PROFILE_UPDATED) == []


def test_profile__lists_the_sessions_and_marks_this_one(user) -> None:
    full_login(user)
    client = signed_in(user)
    page = client.get(PROFILE).content.decode()
    assert page.count("(denne enhed)") == 1
    assert "Firefox på Linux" in page
    assert page.count("127.0.0.1") == 2


def test_describe_user_agent__names_browser_and_system() -> None:
    android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"
    iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Safari/604.1"
    edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0"
    assert [describe_user_agent(ua) for ua in (android, iphone, edge, "")] == [
        "Chrome på Android", "Safari på iPhone", "Edge på Windows", "Ukendt browser"]


# --- password -------------------------------------------------------------------------------------


def test_password_change__keeps_this_session_and_ends_the_others(user) -> None:
    other = full_login(user)
    client = signed_in(user)
    key_before = client.session.session_key

    response = client.post("/konto/profil/adgangskode/", {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert (response.status_code, response["Location"]) == (302, PROFILE)
    assert check_password(NEW_PASSWORD, User.objects.get(pk=user.pk).password)
    assert is_signed_in(client)
    assert not is_signed_in(other)
    assert client.session.session_key != key_before
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [
        client.session.session_key]
    assert [e.detail for e in events(actions.PASSWORD_CHANGED)] == [{"other_sessions_ended": 1}]


def test_password_change__wrong_current_password__is_refused_and_counted_for_lockout(user) -> None:
    client = signed_in(user)
    response = client.post("/konto/profil/adgangskode/", {
        "old_password": "Forkert-Adgangskode-123", "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD})
    assert response.status_code == 400
    assert "Den nuværende adgangskode er forkert." in response.content.decode()
    assert check_password(PASSWORD, User.objects.get(pk=user.pk).password)
    assert AccessAttempt.objects.get(username=user.email).failures_since_start == 1


@pytest.mark.parametrize("new_password", ["password1234", "kort-kode", "x" * 257])
def test_password_change__weak_or_too_long__is_refused(user, new_password) -> None:
    response = signed_in(user).post("/konto/profil/adgangskode/", {
        "old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 400
    assert check_password(PASSWORD, User.objects.get(pk=user.pk).password)
    assert events(actions.PASSWORD_CHANGED) == []


# --- authenticator apps --------------------------------------------------------------------------


def _remove_url(device: TOTPDevice) -> str:
    return f"/konto/profil/godkenderapp/{device.pk}/fjern/"


def test_device_remove__needs_sudo(user) -> None:
    second = TOTPDevice.objects.create(user=user, name="Reservetelefon", confirmed=True)
    response = signed_in(user).post(_remove_url(second))
    assert response["Location"].startswith("/konto/bekraeft/")
    assert TOTPDevice.objects.filter(pk=second.pk).exists()


def test_device_remove__with_sudo__removes_it_and_keeps_the_session_verified(user) -> None:
    current = device_of(user)
    TOTPDevice.objects.create(user=user, name="Reservetelefon", confirmed=True)
    client = signed_in(user)  # verified with ``current``
    grant_sudo(client)
    assert client.get(_remove_url(current)).status_code == 200

    response = client.post(_remove_url(current))

    assert (response.status_code, response["Location"]) == (302, PROFILE)
    assert list(TOTPDevice.objects.filter(user=user).values_list("name", flat=True)) == ["Reservetelefon"]
    assert is_signed_in(client)
    assert [e.object_id for e in events(actions.MFA_DEVICE_REMOVED)] == [str(current.pk)]


def test_device_remove__the_last_app__is_refused(user) -> None:
    client = signed_in(user)
    grant_sudo(client)
    device = device_of(user)
    assert "kan ikke fjernes" in client.get(_remove_url(device)).content.decode()
    client.post(_remove_url(device))
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert events(actions.MFA_DEVICE_REMOVED) == []


def test_device_remove__someone_elses_app__is_404_and_changes_nothing(user) -> None:
    colleague = UserFactory()
    TOTPDevice.objects.create(user=colleague, name="Reservetelefon", confirmed=True)
    client = signed_in(user)
    grant_sudo(client)
    target = TOTPDevice.objects.filter(user=colleague).first()
    assert client.post(_remove_url(target)).status_code == 404
    assert TOTPDevice.objects.filter(user=colleague).count() == 2


# --- backup codes --------------------------------------------------------------------------------


def test_backup_codes__regenerate__shows_new_codes_once_and_the_old_ones_stop_working(user) -> None:
    backup_codes(user, ["abcdefghjk", "mnpqrstuvw"])
    client = signed_in(user)
    grant_sudo(client)
    assert "Du har 2 ubrugte reservekoder." in client.get("/konto/profil/reservekoder/").content.decode()

    response = client.post("/konto/profil/reservekoder/")

    assert response.status_code == 200
    shown = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    assert len(shown) == len(set(shown)) == 10
    assert unused_backup_codes(user, [*shown, "abcdefghjk", "mnpqrstuvw"]) == sorted(shown)
    assert stored_backup_code_count(user) == 10
    assert "Du har 10 ubrugte reservekoder." in client.get(PROFILE).content.decode()
    assert "<code>" not in client.get(PROFILE).content.decode()  # never shown again
    assert [e.detail for e in events(actions.BACKUP_CODES_GENERATED)] == [{"count": 10}]
