"""Signing in as a person would: password, then the code from the authenticator app."""

from __future__ import annotations

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.core.scoping import unscoped

from .conftest import log_in


def test_login_with_password_and_totp__reaches_the_home_page(checked, world) -> None:
    user = world.users["coordinator"]
    page = log_in(checked, user.email)
    page.wait_for_url(checked.base_url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Goddag, {user.full_name}"
    checked.assert_accessible()
    with unscoped("test reads the log"):
        assert AuditEvent.objects.filter(actor_id=user.pk, action=actions.MFA_VERIFIED).count() == 1


def test_wrong_code__is_refused_and_keeps_the_user_on_the_code_page(checked, world) -> None:
    user = world.users["social_worker"]
    page = checked.goto("/konto/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Adgangskode", exact=True).fill("Korrekt-Hest-Batteri-Haefteklamme-42")
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/konto/mfa/**")
    page.get_by_label("Kode", exact=True).fill("000000")
    page.get_by_role("button", name="Fortsæt").click()
    assert "/konto/mfa/" in page.url
    assert page.locator(".form-error-message").count() >= 1
    checked.assert_accessible()


def test_five_wrong_passwords__lock_the_login_with_a_clear_message(checked, world) -> None:
    user = world.users["police_officer"]
    page = checked.goto("/konto/login/")
    for _attempt in range(5):
        page.get_by_label("E-mail").fill(user.email)
        page.get_by_label("Adgangskode", exact=True).fill("forkert-adgangskode")
        page.get_by_role("button", name="Log ind").click()
        page.wait_for_load_state()
    assert "spærret" in page.content().lower() or "for mange" in page.content().lower()
    checked.assert_accessible()
    with unscoped("test reads the log"):
        assert AuditEvent.objects.filter(action=actions.LOGIN_LOCKED_OUT).exists()
    # Even the right password is refused now.
    page = checked.goto("/konto/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Adgangskode", exact=True).fill("Korrekt-Hest-Batteri-Haefteklamme-42")
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_load_state()
    assert "/konto/mfa/" not in page.url
