"""The concern procedure in a real browser: a frontline worker raises a concern (timed), the police
officer as lead contact receives and triages it, involves the region, assesses, decides on a mentor,
plans and ends the intervention, and the 6-month review falls due. The frontline worker sees only the
status and the outcome.

Every page visited is checked with axe-core (and for CSP violations).
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from samspil.concerns.models import AssessmentTemplate, Concern, ConcernStatus, Decision, SignOfConcern, Triage
from samspil.concerns.shipped import install_shipped
from samspil.core.scoping import unscoped
from samspil.sharing.models import LegalBasis, Restriction
from samspil.sharing.ruleset import install_rule_set
from tests.concerns.helpers import designate, trained

from .conftest import Checked, log_in

SUBJECT = "Fiktiv Elev, 17 år, fra Testrup Skole"
OBSERVATION = "Har trukket sig fra fodboldholdet og taler om at straffe de vantro (fiktivt)."


def _date(days_ago: int) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).strftime("%d-%m-%Y")


def _submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def test_concern__raised_in_few_fields_taken_through_the_procedure_and_the_6_month_review_falls_due(
    checked, world, browser
) -> None:
    install_rule_set(LegalBasis, Restriction)  # a transactional test before may have flushed them
    install_shipped(SignOfConcern, AssessmentTemplate)
    designate(world, "police_officer")
    trained(world.users["police_officer"])
    frontline = world.users["frontline_worker"]
    officer = world.users["police_officer"]

    # The frontline worker raises the concern from the home page: timed, and few required fields.
    page = log_in(checked, frontline.email)
    checked.assert_accessible()
    started = time.monotonic()
    page.get_by_role("link", name="Rejs en bekymring").first.click()
    page.wait_for_url("**/bekymringer/ny/")
    required_names = page.evaluate(
        "() => [...new Set([...document.querySelectorAll('main form [required]')].map(e => e.name))]"
    )
    page.get_by_role("radio", name="En bestemt person, jeg kan navngive").check()
    page.get_by_role("textbox", name=re.compile(r"^Personen")).fill(SUBJECT)
    page.get_by_label("Hvad har du set eller hørt?").fill(OBSERVATION)
    page.get_by_role("radio", name="Haster: bør ses på inden for få dage").check()
    page.get_by_label("Hvor kommer bekymringen fra?").select_option(label="Kommunal medarbejder")
    page.get_by_role("button", name="Send bekymringen").click()
    page.wait_for_url(re.compile(r".*/bekymringer/\d+/$"))
    seconds = time.monotonic() - started
    print(f"\nRaising the concern took {seconds:.1f} s in the browser (required fields: {required_names})")
    assert sorted(required_names) == ["observation", "source", "subject_kind", "urgency"]  # at most 5
    checked.assert_accessible()
    with unscoped("test reads the concern"):
        concern = Concern.objects.get()
    assert (concern.status, concern.subject, concern.observation) == (
        ConcernStatus.RECEIVED, SUBJECT, OBSERVATION
    )
    detail = f"/bekymringer/{concern.pk}/"

    # The police officer, lead contact, in a browser of their own.
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    try:
        lead = Checked(context.new_page(), checked.base_url)
        lead.page.set_default_timeout(15_000)
        lpage = log_in(lead, officer.email, accessible=False)
        lead.assert_accessible()
        assert lpage.get_by_text(concern.reference).count() >= 1  # on the home page
        lpage = lead.goto(detail)
        lead.assert_accessible()
        _submit(lpage, lpage.get_by_role("button", name="Modtag bekymringen"))
        lead.assert_accessible()

        # Step 1: describe and triage (amber).
        lpage.get_by_role("link", name="Beskriv og triagér").click()
        lpage.wait_for_url(f"**{detail}beskriv/")
        lead.assert_accessible()
        lpage.get_by_label(re.compile(r"^Hvad er der set, sagt eller gjort, og hvornår\?")).fill(
            "Udtalelser i klassen og på sociale medier (fiktivt)."
        )
        lpage.get_by_role("radio", name="Gul").check()
        lpage.get_by_label("Begrundelse for triage").fill("Tydelige udtalelser, ingen tegn på planer.")
        lpage.get_by_role("button", name="Gem beskrivelse og triage").click()
        lpage.wait_for_url(f"**{detail}")
        lead.assert_accessible()
        with unscoped("test reads the concern"):
            concern.refresh_from_db()
        assert (concern.status, concern.triage, concern.lead_contact_id) == (
            ConcernStatus.GATHERING, Triage.AMBER, officer.pk
        )

        # Step 2: gather information; the region is involved.
        lpage.get_by_role("link", name="Inddrag organisationer").click()
        lpage.wait_for_url(f"**{detail}organisationer/")
        lead.assert_accessible()
        lpage.get_by_label("Organisation", exact=True).select_option(value=str(world.region.pk))
        lpage.get_by_label(re.compile(r"^Hvorfor inddrages den\?")).fill("Kendt i psykiatrien (fiktivt).")
        _submit(lpage, lpage.get_by_role("button", name="Inddrag"))
        lead.assert_accessible()
        with unscoped("test reads the involvement"):
            assert [i.organisation_id for i in concern.involvements.all()] == [world.region.pk]
        lpage = lead.goto(detail)
        _submit(lpage, lpage.get_by_role("button", name="Afslut informationsindsamling"))
        lead.assert_accessible()

        # Step 3: the assessment: one factor with its reason, a summary and a management plan.
        lpage.get_by_role("link", name="Registrér vurdering").click()
        lpage.wait_for_url(f"**{detail}vurderinger/ny/**")
        lead.assert_accessible()
        factor = lpage.locator("fieldset.samspil-factor").first
        factor.get_by_label(re.compile(r"^Vurdering")).select_option(index=2)
        factor.get_by_label(re.compile(r"^Begrundelse")).fill("Har forladt fodboldholdet (fiktivt).")
        lpage.get_by_label("Sammenfatning").fill("Reel bekymring; personen har gode ressourcer.")
        lpage.get_by_label("Plan for håndtering").fill("Bekymringssamtale og mentor.")
        lpage.get_by_role("button", name="Gem vurderingen").click()
        lpage.wait_for_url(re.compile(r".*/bekymringer/\d+/(vurderinger/\d+/)?$"))
        lead.assert_accessible()
        with unscoped("test reads the assessment"):
            assert concern.assessments.count() == 1
        lpage = lead.goto(detail)
        _submit(lpage, lpage.get_by_role("button", name="Gå videre til samlet vurdering"))
        lead.assert_accessible()

        # Step 4: the decision: a municipal or PSP intervention with a mentor.
        lpage.get_by_role("link", name="Træf beslutning").click()
        lpage.wait_for_url(f"**{detail}beslutning/")
        lead.assert_accessible()
        lpage.get_by_label("Samlet vurdering").fill("Reel bekymring, gode ressourcer.")
        lpage.get_by_label("Anbefaling").fill("Mentor i et halvt år.")
        lpage.get_by_role("radio", name="Kommunal eller PSP-indsats").check()
        lpage.get_by_role("checkbox", name="Mentor").check()
        lpage.get_by_label("Begrundelse for beslutningen").fill("Eleven vil gerne have en mentor.")
        lpage.get_by_role("button", name="Registrér beslutningen").click()
        lpage.wait_for_url(f"**{detail}")
        lead.assert_accessible()
        with unscoped("test reads the concern"):
            concern.refresh_from_db()
        assert (concern.status, concern.decision) == (ConcernStatus.FOLLOW_UP, Decision.INTERVENTION)

        # Step 5: the plan, then the intervention ends more than 6 months ago.
        lpage.get_by_role("link", name="Plan for indsatsen").click()
        lpage.wait_for_url(f"**{detail}plan/")
        lead.assert_accessible()
        lpage.get_by_label(re.compile(r"^Indsatsen begyndte")).fill(_date(330))
        lpage.get_by_label(re.compile(r"^Forventet afslutning")).fill(_date(200))
        _submit(lpage, lpage.get_by_role("button", name="Gem planen"))
        lead.assert_accessible()
        lpage = lead.goto(detail)
        lpage.get_by_role("link", name="Afslut indsatsen").click()
        lpage.wait_for_url(f"**{detail}plan/afslut/")
        lead.assert_accessible()
        lpage.get_by_label(re.compile(r"^Indsatsen sluttede")).fill(_date(200))
        lpage.get_by_label(re.compile(r"^Status ved afslutningen")).fill("Godt forløb (fiktivt).")
        _submit(lpage, lpage.get_by_role("button", name="Afslut indsatsen"))
        lpage = lead.goto(detail)
        lead.assert_accessible()
        review = lpage.locator("ul.samspil-share-list > li").filter(has_text="Opfølgning efter 6 måneder")
        expect(review.locator(".badge-warning")).to_have_text("Forfalden")
        with unscoped("test reads the reviews"):
            due = sorted(r.due_on for r in concern.reviews.all())
        assert due[0] <= timezone.localdate()
    finally:
        context.close()

    # The frontline worker's own view: status and outcome, never the observation.
    page = checked.goto(detail)
    checked.assert_accessible()
    assert page.get_by_role("heading", level=1).inner_text() == f"Bekymring {concern.reference}"
    facts = page.locator("dl.samspil-facts").inner_text()
    assert "Status" in facts and "Der er sat en indsats i gang for personen." in facts
    assert page.get_by_text(OBSERVATION).count() == 0
    assert OBSERVATION not in page.content() and SUBJECT not in page.content()
