"""Danish working days for the discharge-meeting deadline (5 working days, public holidays not counted)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from samspil.meetings.workdays import (
    add_working_days,
    is_working_day,
    working_days_between,
    working_days_left,
)


def test_five_working_days_from_a_monday__is_the_next_monday() -> None:
    assert add_working_days(date(2025, 3, 3), 5) == date(2025, 3, 10)


def test_a_request_on_a_saturday__counts_from_monday() -> None:
    assert add_working_days(date(2025, 3, 8), 5) == date(2025, 3, 14)


def test_easter__maundy_thursday_good_friday_and_easter_monday_are_not_counted() -> None:
    # Wednesday 16 April 2025; Thursday 17, Friday 18 and Monday 21 April are public holidays.
    assert add_working_days(date(2025, 4, 16), 5) == date(2025, 4, 28)


def test_christmas__the_25th_and_26th_are_not_counted() -> None:
    # Tuesday 23 December 2025: 24 (Wed), 29, 30, 31 December and 2 January are working days;
    # 1 January is not.
    assert add_working_days(date(2025, 12, 23), 5) == date(2026, 1, 2)


def test_ascension_day_and_whit_monday__are_not_working_days() -> None:
    assert not is_working_day(date(2026, 5, 14))
    assert not is_working_day(date(2026, 5, 25))
    assert is_working_day(date(2026, 5, 15))


def test_working_days_left__counts_to_the_deadline_and_below_zero_after_it() -> None:
    deadline = date(2025, 3, 10)
    assert working_days_left(date(2025, 3, 3), deadline) == 5
    assert working_days_left(date(2025, 3, 10), deadline) == 0
    assert working_days_left(date(2025, 3, 12), deadline) == -2


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
def test_deadline__is_a_working_day_with_exactly_five_working_days_after_the_request(start: date) -> None:
    deadline = add_working_days(start, 5)
    assert is_working_day(deadline)
    assert len(working_days_between(start, deadline)) == 5
    assert deadline - start <= timedelta(days=14)
