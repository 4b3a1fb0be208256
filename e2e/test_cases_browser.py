"""The case pages in a real browser: axe-core clean, no CSP violations, the main flows work.

Uses the browser fixtures of e2e/conftest.py (Debian's chromium through Playwright).
"""

from __future__ import annotations

import pytest

from e2e.conftest import Checked, log_in
from samspil.cases.models import Case, CaseState
from samspil.core.scoping import unscoped
from tests.factories import CaseFactory, CitizenFactory, FlagFactory, JournalEntryFactory, TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_case_pages__open_a_discussion_and_work_on_it_accessibly(request, world) -> None:
    page_checker: Checked = request.getfixturevalue("checked")
    user = world.users["social_worker"]
    page = log_in(page_checker, user.email, accessible=False)
    page = page_checker.goto("/sager/")
    page_checker.assert_accessible()
    page.get_by_role("link", name="Opret anonym drøftelse").click()
    page.wait_for_url("**/sager/ny/")
    page_checker.assert_accessible()
    page.get_by_label("Beskrivelse").fill("Borgeren har ringet 010190-1234 flere gange.")
    page.get_by_label("Aldersgruppe").select_option("35-49")
    page.get_by_role("button", name="Opret").click()
    assert "ser ud til at indeholde et CPR-nummer" in page.content()
    page_checker.assert_accessible()
    page.get_by_label("Beskrivelse").fill("Mand råber ad naboerne om natten (fiktivt).")
    page.get_by_role("button", name="Opret").click()
    page.wait_for_url("**/sager/*/")
    with unscoped("test"):
        case = Case.objects.get()
    assert case.state == CaseState.ANONYMOUS
    page_checker.assert_accessible()

    page.get_by_text("Skriv notat").click()
    page.get_by_label("Notat").fill("Naboerne er bekymrede (fiktivt).")
    page.get_by_role("button", name="Gem notat").click()
    assert "Notatet er gemt" in page.content()
    page_checker.assert_accessible()

    page_checker.goto(f"/sager/{case.pk}/borger/")
    page_checker.assert_accessible()


def test_case_pages__identified_case_with_flags_tasks_and_citizen_are_accessible(request, world) -> None:
    page_checker: Checked = request.getfixturevalue("checked")
    citizen = CitizenFactory(cooperation=world.cooperation, full_name="Fiktiv Borger 3")
    case = CaseFactory(cooperation=world.cooperation, involve=[world.police], citizen=citizen,
                       state=CaseState.ACTIVE, action_plan="Kommunen tager kontakt (fiktivt).")
    FlagFactory(case=case)
    TaskFactory(case=case, owner=world.users["social_worker"])
    JournalEntryFactory(case=case, organisation=world.municipality)
    page = log_in(page_checker, world.users["social_worker"].email, accessible=False)
    for path in (f"/sager/{case.pk}/", f"/sager/{case.pk}/rediger/", f"/sager/{case.pk}/status/luk/",
                 f"/sager/{case.pk}/involvering/", f"/borgere/{citizen.pk}/", "/"):
        page_checker.goto(path)
        page_checker.assert_accessible()
    page_checker.goto(f"/borgere/{citizen.pk}/")
    page.get_by_role("button", name="Vis").click()
    page.wait_for_selector(".samspil-cpr >> text=/\\d{6}-\\d{4}/")
    page_checker.assert_accessible()
