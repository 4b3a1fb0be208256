"""The PSP sharing journey in a real browser: a key member of the municipality opens an anonymous
discussion, involves the police, identifies the citizen on a legal basis, writes a journal entry and
shares it; the police officer sees it with its basis and restrictions and is refused passing it on.

Every page visited is checked with axe-core (and for CSP violations).
"""

from __future__ import annotations

import random
import re
from datetime import date

from samspil.audit import actions
from samspil.audit.models import AuditEvent, Outcome
from samspil.cases.models import Case, CaseState, EntryVisibility, JournalEntry
from samspil.citizens.cpr import fictitious_cpr
from samspil.core.scoping import unscoped
from samspil.sharing.models import Disclosure, DisclosureKind, LegalBasis, Restriction
from samspil.sharing.ruleset import install_rule_set

from .conftest import Checked, log_in

DESCRIPTION = "Naboer hører råb og uro i opgangen om natten; personen virker forvirret (fiktivt)."
CITIZEN_NAME = "Fiktiv Borger Rejsesen"
ENTRY_TEXT = "Borgeren har fået varsel om udsættelse og har ikke betalt husleje i tre måneder (fiktivt)."
SHARE_WHY = "Politiet skal kende til udsættelsen for at kunne planlægge et fælles hjemmebesøg (fiktivt)."
FORWARD_WHY = "Vi vil gerne give oplysningen videre til en anden kommune (fiktivt)."
PSP_115_2 = "§ 115, stk. 2"


def _rule_set() -> None:
    """The shipped legal bases come from a data migration; a transactional test before this one may
    have flushed them, so install them again (idempotent)."""
    install_rule_set(LegalBasis, Restriction)


def _assert_styled(page) -> None:
    """The live server serves the collected static files: the design system's CSS and ours apply."""
    styles = page.evaluate(
        """() => [getComputedStyle(document.querySelector('.button-primary')).display,
                  getComputedStyle(document.querySelector('.samspil-case-summary')).display]"""
    )
    assert styles[0] in ("flex", "inline-flex") and styles[1] == "flex"  # unstyled: inline(-block)


def _submit(page, button) -> None:
    """Click a submit button and wait for the page that answers (it may have the same address)."""
    with page.expect_navigation():
        button.click()


def _case_id(url: str) -> int:
    match = re.search(r"/sager/(\d+)/", url)
    assert match is not None, url
    return int(match.group(1))


def test_anonymous_discussion__identified_shared_seen_by_the_police_and_onward_disclosure_refused(
    checked, world, browser
) -> None:
    _rule_set()
    worker = world.users["social_worker"]
    officer = world.users["police_officer"]
    base = checked.base_url

    # The key member of the municipality opens an anonymous discussion: few required fields.
    log_in(checked, worker.email)
    checked.assert_accessible()
    page = checked.goto("/sager/ny/")
    checked.assert_accessible()
    page.get_by_label("Beskrivelse").fill(DESCRIPTION)
    page.get_by_label("Aldersgruppe").select_option(label="25-34 år")
    page.get_by_role("button", name="Opret", exact=True).click()
    page.wait_for_url(re.compile(r".*/sager/\d+/$"))
    checked.assert_accessible()
    case_id = _case_id(page.url)
    _assert_styled(page)
    summary = page.locator(".samspil-case-summary")
    assert summary.locator(".badge").first.inner_text() == "Anonym drøftelse"
    assert page.get_by_text(DESCRIPTION).count() == 1
    with unscoped("test checks the new case"):
        case = Case.objects.get(pk=case_id)
    assert (case.state, case.citizen_id, case.lead_organisation_id) == (
        CaseState.ANONYMOUS, None, world.municipality.pk
    )

    # The police sit at the table: the lead involves them on the involvement page.
    page.get_by_role("link", name="Involverede organisationer").click()
    page.wait_for_url(f"**/sager/{case_id}/involvering/")
    checked.assert_accessible()
    page.get_by_label("Organisation", exact=True).select_option(label=world.police.name)
    _submit(page, page.get_by_role("button", name="Involvér"))
    assert page.url == f"{base}/sager/{case_id}/involvering/"
    checked.assert_accessible()
    assert page.get_by_text("Organisationen er nu involveret i sagen.").count() == 1
    assert page.get_by_role("cell", name=world.police.name, exact=True).count() == 1

    # Register the citizen. Bad input first: an impossible CPR number is refused in Danish, and what
    # was typed stays in the form.
    page = checked.goto(f"/sager/{case_id}/")
    page.get_by_role("link", name="Registrér eller find borger").click()
    page.wait_for_url(f"**/sager/{case_id}/borger/")
    checked.assert_accessible()
    page.get_by_label("Navn").fill(CITIZEN_NAME)
    page.get_by_label("CPR-nummer").fill("321399-9123")
    page.get_by_label("Adresse").fill("Fiktivvej 7, 9999 Testrup")
    _submit(page, page.get_by_role("button", name="Registrér borger"))
    assert page.url == f"{base}/sager/{case_id}/borger/"
    assert " ".join((page.locator("#id_cpr_error").text_content() or "").split()) == (
        "Fejl: Datodelen af CPR-nummeret (de første 6 cifre) er ikke en gyldig dato."
    )
    assert page.get_by_label("CPR-nummer").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Navn").input_value() == CITIZEN_NAME
    assert page.get_by_label("Adresse").input_value() == "Fiktivvej 7, 9999 Testrup"
    checked.assert_accessible()

    cpr = fictitious_cpr(date(1991, 5, 17), random.Random(7))
    page.get_by_label("CPR-nummer").fill(f"{cpr[:6]}-{cpr[6:]}")
    page.get_by_role("button", name="Registrér borger").click()
    page.wait_for_url(re.compile(rf".*/deling/sag/{case_id}/identificer/\d+/$"))
    checked.assert_accessible()
    assert cpr not in page.url and cpr not in page.content()
    assert page.locator("main ul").first.get_by_text(world.police.name).count() == 1

    # Identify on a legal basis, with the necessity justification. The choices are visible controls: the
    # design system hides the input and draws the circle on the label that follows it.
    basis = page.get_by_role("radio", name=re.compile(rf"^{re.escape(PSP_115_2)} –"))
    circle = page.locator(f"input#{basis.get_attribute('id')} + label")
    assert circle.evaluate("e => getComputedStyle(e, '::before').borderTopStyle") == "solid"
    assert circle.evaluate("e => getComputedStyle(e, '::before').width") != "0px"
    basis.check()
    page.get_by_label("Hvorfor er det nødvendigt at identificere borgeren?").fill(
        "Politiet og kommunen skal koordinere et hjemmebesøg hos borgeren (fiktivt)."
    )
    page.get_by_role("button", name="Identificér sagen").click()
    page.wait_for_url(f"{base}/sager/{case_id}/")
    checked.assert_accessible()
    assert summary.locator(".badge").first.inner_text() == "Identificeret"
    assert page.get_by_role("heading", level=1).inner_text().endswith(CITIZEN_NAME)
    with unscoped("test checks the identified case"):
        case.refresh_from_db()
        assert case.state == CaseState.IDENTIFIED
        assert case.citizen is not None and case.citizen.full_name == CITIZEN_NAME

    # A journal entry, visible to the own organisation only until it is shared.
    page.locator("#journal summary").click()
    page.get_by_label("Notat", exact=True).fill(ENTRY_TEXT)
    page.get_by_role("button", name="Gem notat").click()
    page.wait_for_url(f"{base}/sager/{case_id}/#journal")
    checked.assert_accessible()
    with unscoped("test reads the entry"):
        entry = JournalEntry.objects.get(case_id=case_id)
    assert entry.visibility == EntryVisibility.OWN_ORGANISATION
    entry_article = page.locator("article.samspil-journal-entry").filter(has_text=ENTRY_TEXT)
    assert entry_article.get_by_text("Kun egen organisation").count() == 1

    # "Del i samarbejdet" under the entry. Sharing without a basis is refused and keeps the text.
    entry_article.get_by_role("link", name=re.compile("^Del i samarbejdet")).click()
    page.wait_for_url(f"**/deling/sag/{case_id}/notat/{entry.pk}/del/")
    checked.assert_accessible()
    assert page.get_by_text(world.police.name).count() >= 1
    justification = page.get_by_label("Hvorfor er det nødvendigt at dele notatet?")
    justification.fill(SHARE_WHY)
    page.get_by_label("Sociale forhold").check()
    _submit(page, page.get_by_role("button", name="Del i samarbejdet"))
    assert page.url == f"{base}/deling/sag/{case_id}/notat/{entry.pk}/del/"
    assert page.get_by_text("Vælg den hjemmel, oplysningerne deles efter.").count() == 1
    assert justification.input_value() == SHARE_WHY
    assert page.get_by_label("Sociale forhold").is_checked()
    checked.assert_accessible()
    with unscoped("test checks that nothing was shared"):
        assert Disclosure.objects.filter(journal_entry_id=entry.pk).count() == 0

    page.get_by_role("radio", name=re.compile(rf"^{re.escape(PSP_115_2)} –")).check()
    page.get_by_role("button", name="Del i samarbejdet").click()
    page.wait_for_url(f"{base}/sager/{case_id}/")
    checked.assert_accessible()
    with unscoped("test reads the disclosure"):
        share = Disclosure.objects.get(journal_entry_id=entry.pk)
        assert share.kind == DisclosureKind.SHARE
        assert share.legal_basis_code == "rpl-115-2"
        assert share.categories == ["social"]
        assert sorted(share.restrictions) == ["no_criminal_investigation", "no_onward_disclosure"]
        assert [o.pk for o in share.recipients.all()] == [world.police.pk]

    # The police officer, in a browser of their own, sees the shared entry with basis and restrictions.
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    try:
        police = Checked(context.new_page(), base)
        police.page.set_default_timeout(15_000)
        ppage = log_in(police, officer.email)
        police.assert_accessible()
        ppage = police.goto(f"/sager/{case_id}/")
        police.assert_accessible()
        shared = ppage.locator("article.samspil-journal-entry").filter(has_text=ENTRY_TEXT)
        assert shared.count() == 1
        badge = shared.locator(".samspil-disclosure-badge")
        assert badge.get_by_text("Delt i samarbejdet").count() == 1
        assert badge.get_by_text(f"efter {PSP_115_2}").count() == 1
        assert sorted(badge.locator(".badge-warning").all_inner_texts()) == [
            "Må ikke bruges til efterforskning",
            "Må ikke videregives",
        ]
        assert shared.get_by_role("link", name=re.compile("^Del i samarbejdet")).count() == 0

        # The disclosure page, then the attempt to pass it on.
        badge.get_by_role("link", name=re.compile("^Se videregivelsen")).click()
        ppage.wait_for_url(f"**/deling/videregivelse/{share.pk}/")
        police.assert_accessible()
        assert ppage.get_by_text(ENTRY_TEXT).count() == 1
        ppage.get_by_role("link", name="Videregiv til andre").click()
        ppage.wait_for_url(f"**/deling/videregivelse/{share.pk}/videregiv/")
        police.assert_accessible()
        assert ppage.locator(".alert-warning .alert-heading").inner_text() == "Må ikke videregives"

        with unscoped("test counts audit events"):
            denied_before = AuditEvent.objects.filter(
                action=actions.DISCLOSURE_FORWARDED, outcome=Outcome.DENIED
            ).count()
        ppage.get_by_label("Modtager").select_option(label=world.other_municipality.name)
        ppage.get_by_role("radio", name=re.compile("^Samtykke –")).check()
        forward_why = ppage.get_by_label("Hvorfor er det nødvendigt at videregive oplysningerne?")
        forward_why.fill(FORWARD_WHY)
        _submit(ppage, ppage.get_by_role("button", name="Videregiv", exact=True))
        assert ppage.url == f"{base}/deling/videregivelse/{share.pk}/videregiv/"
        refusal = ppage.locator(".samspil-reasons")
        assert refusal.get_by_text("Det kan ikke lade sig gøre, og intet er ændret").count() == 1
        assert refusal.get_by_text(
            re.compile(rf"delt efter »{re.escape(PSP_115_2)}« og må ikke videregives uden for samarbejdet")
        ).count() == 1
        assert forward_why.input_value() == FORWARD_WHY
        police.assert_accessible()
    finally:
        context.close()

    # Nothing changed: no onward disclosure, and the refusal is in the audit log.
    with unscoped("test checks the refusal"):
        assert Disclosure.objects.filter(kind=DisclosureKind.FORWARD).count() == 0
        assert Disclosure.objects.filter(case_id=case_id).count() == 2  # the identity and the entry
        denied = AuditEvent.objects.filter(action=actions.DISCLOSURE_FORWARDED, outcome=Outcome.DENIED)
        assert denied.count() == denied_before + 1
        event = denied.order_by("-pk").first()
        assert event is not None
        assert (event.actor_id, event.object_id) == (officer.pk, str(share.pk))
        assert not AuditEvent.objects.filter(
            action=actions.DISCLOSURE_FORWARDED, outcome=Outcome.ALLOWED
        ).exists()
