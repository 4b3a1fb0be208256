"""Danish working days: Monday to Friday except public holidays (from the ``holidays`` package).

Psykiatriloven § 13 a-c: a network meeting about discharge is held within five working days of the
request. The day of the request does not count; the deadline is the fifth working day after it.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _danish_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DK", years=[year]).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _danish_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself is not counted)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    current, counted = start, 0
    while counted < days:
        current += timedelta(days=1)
        if is_working_day(current):
            counted += 1
    return current


def working_days_between(start: date, end: date) -> list[date]:
    """The working days after ``start`` up to and including ``end``."""
    found = []
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            found.append(current)
    return found


def working_days_left(today: date, deadline: date) -> int:
    """Working days from tomorrow up to and including the deadline; negative days late when past it."""
    if today > deadline:
        return -len(working_days_between(deadline, today))
    return len(working_days_between(today, deadline))
