"""Deadlines in Danish working days, per cooperation, and the overdue warning on the home page."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samspil.concerns.deadlines import (
    add_months,
    add_working_days,
    end_of_day,
    is_working_day,
    working_days_after,
)
from samspil.concerns.models import Concern, ConcernSettings, ConcernStatus, Triage
from samspil.concerns.services import response_due, step_due

from .helpers import at_status, describe, raise_concern

S = ConcernStatus


def _local(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 4, 16), True),  # Wednesday before Easter
        (date(2025, 4, 17), False),  # Maundy Thursday
        (date(2025, 4, 18), False),  # Good Friday
        (date(2025, 4, 21), False),  # Easter Monday
        (date(2025, 4, 19), False),  # Saturday
        (date(2023, 5, 5), False),  # Store Bededag, still a holiday in 2023
        (date(2024, 4, 26), True),  # Store Bededag's Friday, a working day since 2024
        (date(2025, 6, 5), False),  # Grundlovsdag
        (date(2025, 12, 24), False),  # juleaftensdag
        (date(2025, 12, 31), False),  # nytårsaftensdag
        (date(2026, 1, 2), True),
    ],
)
def test_working_day__follows_the_danish_calendar(day, working) -> None:
    assert is_working_day(day) is working


def test_amber_triage_before_easter__is_due_after_five_working_days_not_counting_the_holidays() -> None:
    assert add_working_days(date(2025, 4, 16), 5) == date(2025, 4, 28)
    assert working_days_after(_local(2025, 4, 16, 14, 0), 5) == end_of_day(date(2025, 4, 28))


def test_green_triage_before_christmas__is_due_after_ten_working_days_into_january() -> None:
    assert add_working_days(date(2025, 12, 19), 10) == date(2026, 1, 9)


def test_red_triage__is_due_24_clock_hours_later_even_over_a_weekend(db) -> None:
    settings = ConcernSettings()
    friday_evening = _local(2025, 4, 18, 20, 0)
    assert response_due(Triage.RED, settings, friday_evening) == friday_evening + timedelta(hours=24)
    assert response_due(Triage.AMBER, settings, friday_evening) == end_of_day(date(2025, 4, 28))
    assert response_due(Triage.GREEN, settings, friday_evening) == end_of_day(date(2025, 5, 5))


def test_triage_deadlines__follow_the_cooperations_settings(people) -> None:
    ConcernSettings.objects.create(
        cooperation=people.cooperation, amber_working_days=2, gather_working_days=9
    )
    concern = describe(people, raise_concern(people), triage=Triage.AMBER)
    expected = working_days_after(concern.triaged_at, 2)
    assert concern.response_due_at == expected
    assert concern.step_due_at == expected  # the 9 working days for gathering end later than the response


def test_step_1__must_be_done_within_a_working_day_or_within_the_red_hours_when_acute(people) -> None:
    normal = raise_concern(people)
    acute = raise_concern(people, urgency="acute")
    assert normal.step_due_at == working_days_after(normal.raised_at, 1)
    assert acute.step_due_at == acute.raised_at + timedelta(hours=24)


def test_step_deadline__is_recomputed_in_each_step(people) -> None:
    concern = at_status(people, S.DECISION)
    settings = ConcernSettings(cooperation=people.cooperation, decide_working_days=3)
    now = _local(2025, 4, 16, 9, 0)
    concern.response_due_at = None
    assert step_due(concern, settings, now) == end_of_day(date(2025, 4, 24))  # past Easter


@pytest.mark.parametrize(
    ("ended", "months", "due"),
    [
        (date(2025, 3, 15), 6, date(2025, 9, 15)),
        (date(2025, 3, 15), 12, date(2026, 3, 15)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
    ],
)
def test_review_dates__fall_the_given_months_after_the_intervention_ended(ended, months, due) -> None:
    assert add_months(ended, months) == due


def test_overdue_step__is_warned_about_on_the_home_page_and_the_concern_page(people, client_for) -> None:
    concern = at_status(people, S.GATHERING)
    Concern.objects.filter(pk=concern.pk).scoped().update(step_due_at=timezone.now() - timedelta(hours=2))
    home = client_for("police_officer").get(reverse("core:home")).content.decode()
    assert "Overskredne frister" in home and concern.reference in home
    page = client_for("police_officer").get(reverse("concerns:concern_detail", kwargs={"pk": concern.pk}))
    assert "Fristen for dette trin er overskredet" in page.content.decode()
    frontline_home = client_for("frontline_worker").get(reverse("core:home")).content.decode()
    assert "Overskredne frister" not in frontline_home


def test_step_in_time__is_not_warned_about(people, client_for) -> None:
    at_status(people, S.GATHERING)
    home = client_for("police_officer").get(reverse("core:home")).content.decode()
    assert "Overskredne frister" not in home
