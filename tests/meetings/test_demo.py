"""Demo meetings: past meetings with minutes, open and closed actions; idempotent."""

from __future__ import annotations

import pytest

from samspil.accounts.models import User
from samspil.demo.personas import COOPERATIONS, PERSONAS
from samspil.demo.seed import seed_demo
from samspil.meetings.demo import seed_meetings
from samspil.meetings.models import (
    Action,
    ActionStatus,
    AgendaItem,
    Meeting,
    MeetingStatus,
    MinutesEntry,
    ReferrerFeedback,
)
from samspil.meetings.selectors import carried_over_actions
from samspil.organisations.models import Cooperation


@pytest.fixture
def demo(db):
    seed_demo()
    cooperation = Cooperation.objects.get(name=COOPERATIONS[0].name)
    personas = {p.key: User.objects.get(email=p.email) for p in PERSONAS}
    return cooperation, personas


def test_seed_meetings__creates_past_meetings_with_minutes_and_open_and_closed_actions(demo) -> None:
    cooperation, personas = demo  # seed_demo has seeded the meetings: a second seeding adds nothing
    assert seed_meetings(cooperation, personas) == []
    key = Meeting.objects.filter(cooperation=cooperation, series__group__kind="key_persons").order_by(
        "starts_at"
    )
    assert [m.status for m in key] == [MeetingStatus.CLOSED, MeetingStatus.CLOSED, MeetingStatus.PLANNED]
    actions = Action.objects.scoped().filter(meeting__cooperation=cooperation)
    assert actions.filter(status=ActionStatus.DONE).count() == 1
    assert actions.filter(status=ActionStatus.OPEN).count() == 3
    assert all(a.task is not None and a.task.source == "meeting" for a in actions)
    assert MinutesEntry.objects.scoped().filter(item__meeting__cooperation=cooperation).count() == 5
    assert len(carried_over_actions(key.last())) == 3
    assert ReferrerFeedback.objects.scoped().filter(recipient=personas["frontline_worker"]).count() == 2
    steering = Meeting.objects.get(cooperation=cooperation, series__group__kind="steering")
    assert list(AgendaItem.objects.scoped().filter(meeting=steering).values_list("case", flat=True)) == [
        None,
        None,
    ]


def test_seed_meetings__a_second_run_changes_nothing(demo) -> None:
    cooperation, personas = demo
    seed_meetings(cooperation, personas)
    counts = (Meeting.objects.count(), Action.objects.scoped().count(), AgendaItem.objects.scoped().count())
    assert seed_meetings(cooperation, personas) == []
    assert (
        Meeting.objects.count(),
        Action.objects.scoped().count(),
        AgendaItem.objects.scoped().count(),
    ) == counts
