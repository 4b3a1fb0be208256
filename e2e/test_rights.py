"""The citizen's rights in a real browser: the DPO finds a citizen by name, downloads the access report
after confirming identity (password and a fresh code), and places a legal hold. The police officer
looked at the citizen's case first, so the report's access log has a line: with the organisation, never
the employee's name. The DPO also adds a retention period for closed cases identified on consent and
removes it again.

Every page visited is checked with axe-core (and for CSP violations).
"""

from __future__ import annotations

import io
import re
import time

from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.core.scoping import unscoped
from samspil.privacy.models import LegalHold, RetentionRule
from samspil.sharing.models import LegalBasis, Restriction
from samspil.sharing.ruleset import install_rule_set
from tests.factories import CitizenFactory
from tests.sharing.helpers import psp_case

from .conftest import Checked, current_totp, log_in

CITIZEN_NAME = "Fiktiv Borger Indsigtsen"
HOLD_REASON = "Borgeren har klaget til Folketingets Ombudsmand (fiktivt)."


def _fresh_code(email: str) -> str:
    """A code from a 30-second window after the one used at login (a code is accepted once)."""
    device = TOTPDevice.objects.get(user__email=email, confirmed=True)
    while device.last_t >= int(time.time()) // 30:
        time.sleep(1)
    return current_totp(email)


def _text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def test_dpo__finds_the_citizen_downloads_the_access_report_after_sudo_and_places_a_legal_hold(
    checked, world, browser, tmp_path
) -> None:
    install_rule_set(LegalBasis, Restriction)
    dpo = world.users["dpo"]
    officer = world.users["police_officer"]
    citizen = CitizenFactory(cooperation=world.cooperation, full_name=CITIZEN_NAME)
    case = psp_case(world, citizen=citizen)

    # The police officer opens the case in a browser of their own: a line in the access log.
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    try:
        police = Checked(context.new_page(), checked.base_url)
        police.page.set_default_timeout(15_000)
        log_in(police, officer.email, accessible=False)
        ppage = police.goto(f"/sager/{case.pk}/")
        assert ppage.get_by_role("heading", level=1).inner_text().endswith(CITIZEN_NAME)
    finally:
        context.close()
    with unscoped("test checks the access log"):
        assert AuditEvent.objects.filter(
            actor_id=officer.pk, object_id=str(case.pk), organisation_id=world.police.pk
        ).exists()

    # The DPO: "Borgerens rettigheder", search by name.
    page = log_in(checked, dpo.email)
    checked.assert_accessible()
    page = checked.goto("/revision/rettigheder/")
    checked.assert_accessible()
    assert page.get_by_role("heading", level=1).inner_text() == "Borgerens rettigheder"
    page.get_by_label(re.compile(r"^Navn")).fill("Indsigtsen")
    page.get_by_role("button", name="Søg").click()
    page.wait_for_load_state()
    results = page.locator("table").filter(has_text="CPR-nummer")
    assert results.locator("tbody tr").count() == 1
    checked.assert_accessible()
    results.get_by_role("link", name=CITIZEN_NAME).click()
    page.wait_for_url(f"**/revision/rettigheder/borger/{citizen.pk}/")
    checked.assert_accessible()
    assert page.get_by_role("heading", level=1).inner_text().startswith(CITIZEN_NAME)

    # The access report: first the identity check, then the download.
    page.get_by_role("link", name="Hent indsigtsrapport (PDF)").click()
    page.wait_for_url("**/konto/bekraeft/**")
    checked.assert_accessible()
    reports = AuditEvent.objects.filter(action=actions.ACCESS_REPORT_PRODUCED, actor_id=dpo.pk)
    with unscoped("test counts reports"):
        assert reports.count() == 0
    page.get_by_label("Adgangskode", exact=True).fill("Korrekt-Hest-Batteri-Haefteklamme-42")
    page.get_by_label("Kode fra godkenderappen").fill(_fresh_code(dpo.email))
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Bekræft").click()
    download = download_info.value
    assert re.fullmatch(rf"indsigt-{citizen.pk}-\d{{8}}\.pdf", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    content = saved.read_bytes()
    assert content.startswith(b"%PDF-")
    text = _text(content)
    assert CITIZEN_NAME in text
    assert world.police.name in text  # the organisation that looked, in the access log
    assert officer.full_name not in text and officer.email not in text
    assert dpo.full_name not in text
    with unscoped("test counts reports"):
        assert reports.count() == 1

    # A legal hold on the citizen.
    page = checked.goto(f"/revision/rettigheder/borger/{citizen.pk}/")
    checked.assert_accessible()
    assert page.get_by_text("Der er intet retligt hold.", exact=False).count() == 1
    page.get_by_role("link", name="Sæt retligt hold").click()
    page.wait_for_url(f"**/revision/rettigheder/borger/{citizen.pk}/hold/")
    checked.assert_accessible()
    page.get_by_label("Begrundelse").fill(HOLD_REASON)
    page.get_by_label("Hvad skal holdes").select_option(value="citizen")
    page.get_by_role("button", name="Sæt retligt hold").click()
    page.wait_for_url(f"**/revision/rettigheder/borger/{citizen.pk}/")
    checked.assert_accessible()
    assert page.get_by_text(HOLD_REASON).count() == 1
    with unscoped("test reads the hold"):
        hold = LegalHold.objects.get(citizen=citizen)
        assert (hold.reason, hold.case_id, hold.placed_by_organisation_id) == (
            HOLD_REASON, None, world.municipality.pk
        )
        assert AuditEvent.objects.filter(actor_id=dpo.pk, action=actions.LEGAL_HOLD_PLACED).count() == 1


def test_dpo__adds_a_retention_period_for_consent_and_removes_it_again(checked, world) -> None:
    install_rule_set(LegalBasis, Restriction)
    dpo = world.users["dpo"]

    page = log_in(checked, dpo.email)
    page = checked.goto("/revision/rettigheder/")
    checked.assert_accessible()
    page.get_by_role("link", name=re.compile(r"^Tilføj frist for en hjemmel")).click()
    page.wait_for_url(f"**/revision/rettigheder/samarbejde/{world.cooperation.pk}/frister/ny/")
    checked.assert_accessible()

    # A period out of range: said on the page, what was typed kept.
    page.get_by_label("Hjemmel", exact=True).select_option(value="consent")
    page.get_by_label("Slettes efter").fill("101")
    page.get_by_label("Enhed").select_option(value="years")
    page.get_by_role("button", name="Tilføj frist").click()
    page.wait_for_load_state()
    checked.assert_accessible()
    assert page.get_by_text("Fristen skal være mellem 1 og 100 år.").count() == 1
    assert page.get_by_label("Hjemmel", exact=True).input_value() == "consent"
    assert not RetentionRule.objects.filter(legal_basis="consent").exists()

    page.get_by_label("Slettes efter").fill("2")
    page.get_by_role("button", name="Tilføj frist").click()
    page.wait_for_url("**/revision/rettigheder/")
    checked.assert_accessible()
    rule = RetentionRule.objects.get(cooperation=world.cooperation, legal_basis="consent")
    assert (rule.category, rule.period, rule.unit) == ("closed_case", 2, "years")
    row = page.locator("tr").filter(has=page.get_by_role("cell", name="Samtykke", exact=True))
    assert row.locator("td").nth(2).inner_text() == "2 år"

    row.get_by_role("link", name=re.compile(r"^Fjern")).click()
    page.wait_for_url(f"**/revision/rettigheder/frister/{rule.pk}/fjern/")
    checked.assert_accessible()
    page.get_by_role("button", name="Fjern fristen").click()
    page.wait_for_url("**/revision/rettigheder/")
    checked.assert_accessible()
    assert not RetentionRule.objects.filter(pk=rule.pk).exists()
    assert page.locator("tr").filter(has=page.get_by_role("cell", name="Samtykke", exact=True)).count() == 0
    with unscoped("test reads the audit log"):
        assert list(
            AuditEvent.objects.filter(actor_id=dpo.pk, action__startswith="privacy.retention_rule_")
            .order_by("pk")
            .values_list("action", flat=True)
        ) == [actions.RETENTION_RULE_ADDED, actions.RETENTION_RULE_REMOVED]
