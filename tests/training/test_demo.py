"""The demo course: the two-day programme, two held offerings with answers and one with a waitlist."""

from __future__ import annotations

from typing import Any

from samspil.core.scoping import unscoped
from samspil.training.demo import COURSE_TITLE, seed_training
from samspil.training.models import Course, Enrolment, EnrolmentStatus, OfferingStatus, Response
from samspil.training.reports import by_sector, participant_results
from samspil.training.selectors import (
    answers_for_aggregation,
    has_valid_radicalisation_training,
    uncovered_goals,
)

from ..conftest import World


def _seed(world: World, admin: Any) -> Course:
    return seed_training(
        administrator=admin,
        cooperations=[world.cooperation, world.other_cooperation],
        completed=[world.users["police_officer"]],
        enrolled=[world.users["social_worker"]],
        waitlisted=[world.users["frontline_worker"]],
    )


def _counts() -> tuple[int, ...]:
    with unscoped("test: count what the seeder made"):
        return (Course.objects.count(), Enrolment.objects.count(), Response.objects.count())


def test_seed_training__builds_the_demo_course(world: World, admin: Any) -> None:
    course = _seed(world, admin)
    assert course.title == COURSE_TITLE
    assert [day.number for day in course.days.all()] == [1, 2]
    assert uncovered_goals(course) == []
    offerings = list(course.offerings.order_by("registration_deadline"))
    assert [o.status for o in offerings] == [OfferingStatus.HELD, OfferingStatus.HELD, OfferingStatus.OPEN]
    for held in offerings[:2]:
        people = participant_results(answers_for_aggregation([held]))
        overall, sectors = by_sector(people, suppress=True)
        assert overall.n >= 18
        assert all(not group.hidden for group in sectors)
        assert all((overall.goals[goal].normalised or 0) > 0 for goal in ("g1", "g2", "g3"))
    with unscoped("test: read the upcoming offering's places"):
        upcoming = {
            e.member.email: (e.status, e.position) for e in offerings[2].enrolments.select_related("member")
        }
    assert sum(1 for status, _p in upcoming.values() if status == EnrolmentStatus.ENROLLED) == 12
    assert sum(1 for status, _p in upcoming.values() if status == EnrolmentStatus.WAITLISTED) >= 3
    assert upcoming["sofie@eksempel.invalid"] == (EnrolmentStatus.ENROLLED, None)
    assert upcoming["frede@eksempel.invalid"][0] == EnrolmentStatus.WAITLISTED
    assert has_valid_radicalisation_training(world.users["police_officer"]) is True
    assert has_valid_radicalisation_training(world.users["social_worker"]) is False


def test_seed_training__is_idempotent(world: World, admin: Any) -> None:
    first = _seed(world, admin)
    before = _counts()
    assert _seed(world, admin).pk == first.pk
    assert _counts() == before
