"""Meetings in a real browser: at the next meeting the coordinator follows up on the action carried over
from the last one; a key member whose organisation is not involved in a case on the agenda sees
"Begrænset" for that item, never the case's pseudonym.

The meetings are built with the models (the planning pages are covered by tests/meetings/test_flow.py);
every page visited is checked with axe-core (and for CSP violations).
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from samspil.cases.models import TaskStatus
from samspil.core.scoping import unscoped
from samspil.meetings.models import Action, ActionStatus, MeetingStatus
from tests.meetings.helpers import action_on, item_on, meeting_in, psp_case, series_of

from .conftest import Checked, log_in

ACTION = "Kommunen bevilger bostøtte (fiktivt)."
REASON = "Bostøtten blev bevilget i sidste uge (fiktivt)."


def test_next_meeting__the_carried_over_action_is_followed_up_and_an_uninvolved_member_sees_begraenset(
    checked, world, browser
) -> None:
    series = series_of(world)
    shared_case = psp_case(world, involved=("police", "municipality", "region"), pseudonym="Sag Ahorn")
    police_case = psp_case(world, involved=("police", "municipality"), pseudonym="Sag Birk")
    last = meeting_in(
        world, series=series, status=MeetingStatus.CLOSED, starts_at=timezone.now() - timedelta(days=30)
    )
    action = action_on(
        item_on(last, case=shared_case), world.municipality, owner=world.users["social_worker"],
        due_date=timezone.localdate() - timedelta(days=3), what=ACTION,
    )
    following = meeting_in(world, series=series, status=MeetingStatus.OPEN, starts_at=timezone.now())
    item_on(following, case=shared_case)
    item_on(following, case=police_case)

    # The coordinator opens the next meeting, accepts the confidentiality statement and follows up.
    page = log_in(checked, world.users["coordinator"].email)
    checked.assert_accessible()
    page = checked.goto(f"/moeder/{following.pk}/")
    checked.assert_accessible()
    accept = page.get_by_role("button", name="Jeg accepterer fortrolighedserklæringen")
    if accept.count():
        with page.expect_navigation():
            accept.click()
        checked.assert_accessible()
    page = checked.goto(f"/moeder/{following.pk}/referat/")
    checked.assert_accessible()
    follow_up = page.locator("section, table").filter(has_text="Opfølgning på handlinger").last
    assert follow_up.get_by_text(ACTION).count() >= 1
    follow_up.get_by_role("link", name=re.compile(r"^Følg op")).first.click()
    page.wait_for_url(f"**/moeder/{following.pk}/opfoelgning/{action.pk}/")
    checked.assert_accessible()
    # The native radio renders 0×0 px on this page (see the report); the person clicks its label.
    page.locator("label[for=id_outcome_0]").click()
    assert page.locator(f"input[name=outcome][value={ActionStatus.DONE}]").is_checked()
    page.get_by_label(re.compile(r"^Begrundelse")).fill(REASON)
    with page.expect_navigation():
        page.get_by_role("button", name="Gem opfølgning").click()
    checked.assert_accessible()
    with unscoped("test reads the action"):
        action = Action.objects.select_related("task").get(pk=action.pk)
    assert action.status == ActionStatus.DONE
    assert action.task is not None and action.task.status == TaskStatus.DONE

    # The psychiatry nurse (region): not involved in "Sag Birk", so that item is "Begrænset".
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    try:
        nurse = Checked(context.new_page(), checked.base_url)
        nurse.page.set_default_timeout(15_000)
        npage = log_in(nurse, world.users["psychiatry_nurse"].email, accessible=False)
        npage = nurse.goto(f"/moeder/{following.pk}/")
        nurse.assert_accessible()
        accept = npage.get_by_role("button", name="Jeg accepterer fortrolighedserklæringen")
        if accept.count():
            with npage.expect_navigation():
                accept.click()
            nurse.assert_accessible()
        npage = nurse.goto(f"/moeder/{following.pk}/referat/")
        nurse.assert_accessible()
        content = npage.content()
        assert "Sag Ahorn" in content
        assert "Sag Birk" not in content
        assert npage.get_by_text(re.compile(r"\bBegrænset\b")).count() >= 1
    finally:
        context.close()
