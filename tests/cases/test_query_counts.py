"""Pages stay fast as data grows: the number of queries per page does not depend on the number of rows."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samspil.cases.models import CaseState, EntryVisibility

from ..factories import CaseFactory, CitizenFactory, FlagFactory, JournalEntryFactory, TaskFactory

# The pinned budgets: 4 for session, user, OTP device and memberships; the page's own queries; the audit
# insert; the savepoints of the request's transaction.
LIST_QUERIES = 12  # + organisations for the filter, count, page (with everything a row shows)
DETAIL_QUERIES = 18  # + case, involvement check, involvements, journal, tasks, history, members, flags, ...
HOME_QUERIES = 8  # + my tasks, overdue tasks


def _warm(client):
    """The first request of a session records the session's start (extra writes): not the page's cost."""
    client.get(reverse("core:healthz"))
    client.get(reverse("cases:case_list"))
    return client


def _queries(client, url: str, data: dict | None = None, method: str = "get") -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200
    return len(captured)


def _make_cases(world, n: int) -> None:
    for i in range(n):
        citizen = CitizenFactory(cooperation=world.cooperation) if i % 2 else None
        state = CaseState.IDENTIFIED if citizen else CaseState.ANONYMOUS
        case = CaseFactory(cooperation=world.cooperation, involve=[world.police], citizen=citizen,
                           state=state)
        if i % 3 == 0:
            FlagFactory(case=case)
            TaskFactory(case=case, due_date=timezone.localdate() - timedelta(days=2))


def test_case_list__query_count_is_the_same_for_10_and_100_cases(world, client_for) -> None:
    client = _warm(client_for("social_worker"))
    url = reverse("cases:case_list")
    _make_cases(world, 10)
    small = _queries(client, url)
    filters = {"q": "Borger", "overdue": "on", "flagged": "on", "state": "identified"}
    small_filtered = _queries(client, url, filters)
    _make_cases(world, 90)
    assert _queries(client, url) == small
    assert _queries(client, url, filters) == small_filtered
    assert small <= LIST_QUERIES


def test_case_list__coordinator_view_query_count_does_not_grow(world, client_for) -> None:
    client = _warm(client_for("coordinator"))
    url = reverse("cases:case_list")
    for _ in range(10):
        CaseFactory(cooperation=world.cooperation, lead_organisation=world.police)
    small = _queries(client, url)
    for _ in range(90):
        CaseFactory(cooperation=world.cooperation, lead_organisation=world.police)
    assert _queries(client, url) == small


def test_case_detail__query_count_is_the_same_for_10_and_100_entries_tasks_and_flags(
    world, client_for
) -> None:
    citizen = CitizenFactory(cooperation=world.cooperation)
    case = CaseFactory(cooperation=world.cooperation, involve=[world.police], citizen=citizen,
                       state=CaseState.ACTIVE)
    client = _warm(client_for("police_officer"))
    url = reverse("cases:case_detail", kwargs={"pk": case.pk})

    def grow(n: int) -> None:
        for i in range(n):
            visibility = EntryVisibility.SHARED if i % 3 else EntryVisibility.OWN_ORGANISATION
            JournalEntryFactory(case=case, organisation=world.municipality if i % 2 else world.police,
                                visibility=visibility)
            TaskFactory(case=case, owner=world.users["police_officer"], owner_organisation=world.police)
            FlagFactory(case=case, text=f"Advarsel {i}")

    grow(10)
    small = _queries(client, url)
    grow(90)
    assert _queries(client, url) == small
    assert small <= DETAIL_QUERIES


def test_home__task_panels_query_count_does_not_grow(world, client_for) -> None:
    client = _warm(client_for("police_officer"))
    case = CaseFactory(cooperation=world.cooperation, lead_organisation=world.police)
    officer = world.users["police_officer"]
    for i in range(10):
        TaskFactory(case=case, owner=officer, due_date=timezone.localdate() - timedelta(days=i))
    small = _queries(client, reverse("core:home"))
    for i in range(90):
        TaskFactory(case=case, owner=officer, due_date=timezone.localdate() - timedelta(days=i))
    assert _queries(client, reverse("core:home")) == small
    assert small <= HOME_QUERIES
