"""A whole key-person meeting in a real browser, clicked through by the coordinator: a meeting series and a
meeting are planned, a case is proposed from its case page and put on the agenda, attendance is recorded,
the meeting is held (shared minutes saved as you type, a decision, an action) and closed.

Every page visited is checked with axe-core (and for CSP violations); the database is checked after
each major step.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from samspil.cases.models import Task
from samspil.core.scoping import unscoped
from samspil.meetings.models import (
    Action,
    AgendaItem,
    AgendaItemStatus,
    Decision,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MinutesEntry,
)
from tests.meetings.helpers import key_group, psp_case

from .conftest import Checked, log_in

PLACE = "Rådhuset, mødelokale 4 (fiktivt)"
REASON = "Borgeren har mistet sin bolig; kommunen og politiet bør koordinere (fiktivt)."
MINUTES = "Kommunen og politiet gennemgik situationen (fiktivt)."
DECISION = "Kommunen tilbyder en midlertidig bolig (fiktivt)."
ACTION = "Kommunen kontakter borgeren inden fredag (fiktivt)."


def _select_containing(page, label: str, text: str) -> None:
    """Choose the first option of the select labelled ``label`` whose text contains ``text``."""
    select = page.get_by_label(re.compile(rf"^{re.escape(label)}( \(frivilligt\))?$"))
    options = select.locator("option").all_inner_texts()
    match = next(option for option in options if text in option)
    select.select_option(label=match)


def _submit(checked: Checked, name: str) -> None:
    with checked.page.expect_navigation():
        checked.page.get_by_role("button", name=name, exact=True).click()
    checked.assert_accessible()


def test_whole_meeting__the_coordinator_plans_holds_and_closes_a_meeting_in_the_browser(
    checked, world, browser
) -> None:
    group = key_group(world)
    coordinator = world.users["coordinator"]
    case = psp_case(world, involved=("police", "municipality"), pseudonym="Sag Egern")
    today = timezone.localdate()

    # Plan a meeting series for the key-person group.
    page = log_in(checked, coordinator.email)
    checked.assert_accessible()
    page = checked.goto("/moeder/")
    checked.assert_accessible()
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^Opret mødeserie")).first.click()
    checked.assert_accessible()
    _select_containing(page, "Gruppe", group.name)
    _submit(checked, "Opret mødeserie")
    series = MeetingSeries.objects.get(group=group)

    # Plan a meeting today.
    with page.expect_navigation():
        page.get_by_role("link", name="Planlæg møde", exact=True).click()
    checked.assert_accessible()
    page.get_by_label("Dato", exact=True).fill(today.strftime("%d-%m-%Y"))
    page.get_by_label("Starttidspunkt", exact=True).fill("10:00")
    page.get_by_label("Sted (frivilligt)", exact=True).fill(PLACE)
    _select_containing(page, "Mødeleder", coordinator.full_name)
    _select_containing(page, "Referent", coordinator.full_name)
    _submit(checked, "Planlæg mødet")
    with unscoped("test reads the meeting"):
        meeting = Meeting.objects.get(series=series)
    assert meeting.status == MeetingStatus.PLANNED
    assert meeting.place == PLACE
    assert meeting.chair == coordinator and meeting.secretary == coordinator
    assert timezone.localtime(meeting.starts_at).date() == today

    # The municipality's social worker proposes the case from its case page (a coordinator's own proposal
    # would go straight onto the agenda).
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    try:
        worker = Checked(context.new_page(), checked.base_url)
        worker.page.set_default_timeout(15_000)
        wpage = log_in(worker, world.users["social_worker"].email, accessible=False)
        wpage = worker.goto(f"/sager/{case.pk}/")
        worker.assert_accessible()
        assert wpage.get_by_role("heading", name="Møder", exact=True).count() == 1
        with wpage.expect_navigation():
            wpage.get_by_role("link", name="Foreslå sagen til et møde").click()
        worker.assert_accessible()
        meeting_select = wpage.get_by_label("Møde", exact=True)
        options = meeting_select.locator("option").evaluate_all("els => els.map(e => e.value)")
        assert str(meeting.pk) in options
        meeting_select.select_option(value=str(meeting.pk))
        wpage.get_by_label("Kort begrundelse").fill(REASON)
        _submit(worker, "Foreslå sagen")
    finally:
        context.close()
    with unscoped("test reads the agenda"):
        item = AgendaItem.objects.get(meeting=meeting, case=case)
    assert item.status == AgendaItemStatus.PROPOSED

    # Accept the confidentiality statement and put the case on the agenda.
    page = checked.goto(f"/moeder/{meeting.pk}/")
    checked.assert_accessible()
    accept = page.get_by_role("button", name="Jeg accepterer fortrolighedserklæringen")
    if accept.count():
        _submit(checked, "Jeg accepterer fortrolighedserklæringen")
    _submit(checked, "Optag på dagsordenen")
    with unscoped("test reads the agenda"):
        item.refresh_from_db()
    assert item.status == AgendaItemStatus.ACCEPTED

    # Attendance: everyone present.
    page = checked.goto(f"/moeder/{meeting.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Fremmøde", exact=True).click()
    checked.assert_accessible()
    selects = page.locator("select[id^=status-]")
    assert selects.count() >= 1
    for index in range(selects.count()):
        selects.nth(index).select_option(label="Til stede")
    _submit(checked, "Gem fremmøde")
    with unscoped("test reads the attendance"):
        statuses = set(meeting.attendances.values_list("status", flat=True))
    assert statuses == {"present"}

    # Start the meeting and write the shared minutes; they are saved as you type.
    page = checked.goto(f"/moeder/{meeting.pk}/")
    _submit(checked, "Start mødet")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.OPEN
    page = checked.goto(f"/moeder/{meeting.pk}/referat/")
    checked.assert_accessible()
    shared = page.locator(f"#text-shared-{item.pk}")
    shared.click()
    shared.press_sequentially(MINUTES, delay=5)
    page.locator(f"#status-shared-{item.pk}").get_by_text(re.compile(r"Gemt kl\.")).wait_for()
    checked.assert_accessible()
    with unscoped("test reads the minutes"):
        entry = MinutesEntry.objects.get(item=item, organisation__isnull=True)
    assert entry.text == MINUTES

    # A decision on item 1.
    page.get_by_label("Ny beslutning (punkt 1)").fill(DECISION)
    _submit(checked, "Gem beslutning")
    with unscoped("test reads the decisions"):
        assert list(Decision.objects.filter(item=item).values_list("text", flat=True)) == [DECISION]

    # An action for the municipality, which becomes a task on the case.
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^Tilføj handling")).first.click()
    checked.assert_accessible()
    _select_containing(page, "Ansvarlig organisation", world.municipality.name)
    page.get_by_label("Handling", exact=True).fill(ACTION)
    due = today + timedelta(days=7)
    page.get_by_label(re.compile(r"^Frist( \(frivilligt\))?$")).fill(due.strftime("%d-%m-%Y"))
    _submit(checked, "Gem handling")
    with unscoped("test reads the action"):
        action = Action.objects.select_related("task").get(item=item)
        assert action.what == ACTION
        assert action.organisation == world.municipality
        assert action.case == case
        assert action.due_date == due
        assert isinstance(action.task, Task) and action.task.case_id == case.pk

    # Close the meeting; the minutes are locked.
    page = checked.goto(f"/moeder/{meeting.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Afslut mødet", exact=True).click()
    checked.assert_accessible()
    defer = page.get_by_label(re.compile(r"^Begrundelse for at udskyde"))
    if defer.count():
        defer.fill("Handlingerne udskydes til næste møde (fiktivt).")
    _submit(checked, "Afslut mødet og lås referatet")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED
    assert meeting.closed_at is not None
