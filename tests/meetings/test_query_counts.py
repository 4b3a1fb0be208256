"""The agenda and minutes pages cost the same number of queries for 3 and for 30 items (with as many
carried-over actions, decisions, actions, minutes and restricted items)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samspil.meetings.models import Decision, MeetingStatus, MinutesEntry

from .helpers import acknowledge, action_on, item_on, meeting_in, psp_case

# session, user, OTP device, memberships, the page's own reads (meeting, attendance, items, involvements,
# carried actions and their reviews; for the minutes also entries, decisions, actions, addenda) and the
# two audit inserts (the read's event, and one INSERT for the events of every citizen shown)
PAGE_QUERIES = {"meetings:meeting_detail": 16, "meetings:minutes": 22}


def _grow(world, meeting, earlier, n: int) -> None:
    for i in range(n):
        restricted = i % 3 == 0
        case = psp_case(
            world,
            involved=("police", "region") if restricted else ("police", "municipality", "region"),
            lead="police" if restricted else "municipality",
            identified=i % 2 == 0,
        )
        item = item_on(meeting, case=case)
        MinutesEntry.objects.create(item=item, text=f"Referat {i} (fiktivt).", version=1)
        MinutesEntry.objects.create(item=item, organisation=world.municipality, text=f"Note {i} (fiktivt).")
        Decision.objects.create(item=item, text=f"Beslutning {i} (fiktivt).", for_feedback=i % 2 == 1)
        action_on(item, world.police, owner=world.users["police_officer"], due_date=timezone.localdate())
        action_on(
            item_on(earlier, case=case),
            world.police,
            owner=world.users["police_officer"],
            due_date=timezone.localdate() + timedelta(days=i),
        )
        action_on(item_on(earlier, theme=f"Tema {meeting.pk}-{i}"), world.municipality)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("persona", ["coordinator", "social_worker"])
@pytest.mark.parametrize("page", ["meetings:meeting_detail", "meetings:minutes"])
def test_page__query_count_is_the_same_for_3_and_30_items(world, client_for, persona, page) -> None:
    earlier = meeting_in(world, status=MeetingStatus.CLOSED, starts_at=timezone.now() - timedelta(days=30))
    meeting = meeting_in(world, status=MeetingStatus.OPEN, starts_at=timezone.now())
    acknowledge(meeting, world.users[persona])
    client = client_for(persona)
    url = reverse(page, args=[meeting.pk])
    client.get(reverse("core:healthz"))
    client.get(url)  # the first request of a session records the session's start
    _grow(world, meeting, earlier, 3)
    small = _queries(client, url)
    _grow(world, meeting, earlier, 27)
    assert _queries(client, url) == small
    assert small <= PAGE_QUERIES[page]
