"""The platform's pages in a real browser, each checked with axe-core: cooperation pages,
configuration, members, an invitation accepted by a new person who enrols MFA, the profile with
sudo, and the DPO's audit log."""

from __future__ import annotations

import base64
import re
import time

from django.core import mail
from django_otp.oath import totp

from samspil.organisations.models import Cooperation

from .conftest import log_in


def _code_from_secret(secret: str) -> str:
    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key, step=30, t0=0, digits=6, drift=0):06d}"


def test_coordinator__configures_the_cooperation_and_invites_a_member_who_enrols_mfa(checked, world, browser) -> None:
    coordinator = world.users["coordinator"]
    cooperation = world.cooperation
    page = log_in(checked, coordinator.email)
    checked.assert_accessible()

    page = checked.goto("/samarbejder/")
    checked.assert_accessible()
    page.get_by_role("link", name=cooperation.name).first.click()
    page.wait_for_url(f"**/samarbejder/{cooperation.pk}/")
    checked.assert_accessible()

    page = checked.goto(f"/samarbejder/{cooperation.pk}/opsaetning/")
    checked.assert_accessible()
    page.get_by_label("Møder om året i samarbejdet").fill("12")
    page.get_by_role("button", name="Gem opsætningen").click()
    page.wait_for_load_state()
    checked.assert_accessible()
    assert Cooperation.objects.get(pk=cooperation.pk).meetings_per_year == 12

    page = checked.goto(f"/samarbejder/{cooperation.pk}/medlemmer/")
    checked.assert_accessible()
    assert page.get_by_text(world.users["police_officer"].full_name).count() >= 1

    page = checked.goto(f"/samarbejder/{cooperation.pk}/invitationer/")
    checked.assert_accessible()
    page.get_by_label("Navn").fill("Ny Nøgleperson (fiktiv)")
    page.get_by_label("E-mail").fill("ny.noegleperson@eksempel.invalid")
    page.get_by_label("Organisation").select_option(label=world.municipality.name)
    page.get_by_role("button", name="Send invitationen").click()
    page.wait_for_load_state()
    checked.assert_accessible()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/invitation/\S+?/", mail.outbox[0].body)
    assert link is not None
    path = "/invitation/" + link.group(0).split("/invitation/")[1]

    # The invitee, in a browser of their own.
    context = browser.new_context(locale="da-DK")
    invitee_page = context.new_page()
    from .conftest import Checked

    invitee = Checked(invitee_page, checked.base_url)
    page = invitee.goto(path)
    invitee.assert_accessible()
    page.get_by_label("Vælg en adgangskode").fill("En-Lang-Og-Sjov-Adgangssaetning-2026")
    page.get_by_label("Gentag adgangskoden").fill("En-Lang-Og-Sjov-Adgangssaetning-2026")
    page.get_by_role("button", name="Tag imod invitationen").click()
    page.wait_for_url("**/konto/mfa/opsaet/**")
    invitee.assert_accessible()
    secret = page.locator("code.samspil-secret").inner_text()
    page.get_by_label("Kode fra godkenderappen").fill(_code_from_secret(secret))
    page.get_by_role("button", name="Bekræft").click()
    page.wait_for_load_state()
    invitee.assert_accessible()
    assert page.get_by_role("heading", level=1).count() == 1
    context.close()


def test_member__manages_profile_and_confirms_identity_before_new_backup_codes(checked, world) -> None:
    user = world.users["social_worker"]
    page = log_in(checked, user.email)
    page = checked.goto("/konto/profil/")
    checked.assert_accessible()
    page.get_by_role("link", name="Dan nye reservekoder").click()
    page.wait_for_url("**/konto/bekraeft/**")
    checked.assert_accessible()
    page.get_by_label("Adgangskode", exact=True).fill("Korrekt-Hest-Batteri-Haefteklamme-42")
    time.sleep(0)  # the code below must differ from the one used at login: wait for the next window
    from .conftest import current_totp

    code = current_totp(user.email)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user)
    while device.last_t >= int(time.time()) // 30:
        time.sleep(1)
        code = current_totp(user.email)
    page.get_by_label("Kode fra godkenderappen").fill(code)
    page.get_by_role("button", name="Bekræft").click()
    page.wait_for_url("**/konto/profil/reservekoder/**")
    checked.assert_accessible()


def test_dpo__searches_the_audit_log(checked, world) -> None:
    dpo = world.users["dpo"]
    page = log_in(checked, dpo.email)
    page = checked.goto("/revision/")
    checked.assert_accessible()
    page.get_by_role("button", name="Søg").click()
    page.wait_for_load_state()
    checked.assert_accessible()
    assert page.locator("table").count() >= 1


def test_frontline_worker__is_refused_the_audit_log_with_an_accessible_page(checked, world) -> None:
    page = log_in(checked, world.users["frontline_worker"].email)
    response = page.goto(checked.base_url + "/revision/")
    assert response is not None and response.status == 403
    checked.assert_accessible()


def test_on_a_phone__the_menu_and_log_off_stay_on_the_page(checked, world, browser, live_server) -> None:
    """Below the design system's desktop breakpoint its header hides the menu; Samspil keeps it, so a
    frontline worker on a phone can reach concerns and courses and log off."""
    from .conftest import Checked

    context = browser.new_context(locale="da-DK", viewport={"width": 390, "height": 844})
    try:
        phone = Checked(context.new_page(), live_server.url)
        phone.page.set_default_timeout(15_000)
        page = log_in(phone, world.users["frontline_worker"].email, accessible=False)
        phone.assert_accessible()
        menu = page.get_by_role("navigation", name="Hovedmenu")
        for name in ("Forside", "Bekymringer", "Kurser", "Min profil"):
            assert menu.get_by_role("link", name=name, exact=True).is_visible(), name
        log_off = menu.get_by_role("button", name="Log af")
        assert log_off.is_visible()
        box = log_off.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390  # inside the screen, no sideways scroll
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        with page.expect_navigation():
            menu.get_by_role("link", name="Bekymringer", exact=True).click()
        phone.assert_accessible()
        assert page.url.endswith("/bekymringer/")
    finally:
        context.close()
