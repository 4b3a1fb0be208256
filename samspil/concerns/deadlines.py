"""Deadlines of the procedure in Danish working days.

A working day is a weekday that is neither a Danish public holiday (from the ``holidays`` package,
which knows that Store Bededag stopped being one in 2024) nor one of the days public employees in
Denmark generally have off by agreement: Grundlovsdag (5 June), juleaftensdag (24 December) and
nytårsaftensdag (31 December). A deadline of N working days from a moment ends at the close of the
N-th working day after the day of that moment, local time.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

DAYS_OFF_BY_AGREEMENT = ((6, 5), (12, 24), (12, 31))
END_OF_DAY = time(23, 59, 59)


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DK", years=year))


def is_working_day(day: date) -> bool:
    if day.weekday() >= 5:
        return False
    if (day.month, day.day) in DAYS_OFF_BY_AGREEMENT:
        return False
    return day not in _public_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself is never counted)."""
    if days < 1:
        raise ValueError("Count at least one working day.")
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, END_OF_DAY))


def working_days_after(moment: datetime, days: int) -> datetime:
    """The close of the ``days``-th working day after the local day of ``moment``."""
    return end_of_day(add_working_days(timezone.localdate(moment), days))


def hours_after(moment: datetime, hours: int) -> datetime:
    return moment + timedelta(hours=hours)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day when that month is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
