"""What the cooperation's evaluation figures count. Each function returns one tuple of categories per
counted thing, with the index of the quarter it falls in; no name, id or text leaves here, and the
figures are protected (small numbers suppressed) before anyone sees them (``figures.py``).

The counts cover the whole cooperation, including cases the viewer cannot open: a member sees how the
cooperation works, never which citizen a figure is about.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from samspil.cases.models import Case
from samspil.concerns.selectors import Period
from samspil.core.scoping import unscoped
from samspil.meetings.models import Action, ReferrerFeedback
from samspil.organisations.models import Cooperation

REASON = "evaluation figures: counts per quarter of the cooperation's own work, no personal data leaves"


def period_index(moment: datetime | None, periods: Sequence[Period]) -> int | None:
    """The index of the period that holds ``moment``, or None."""
    if moment is not None:
        for index, period in enumerate(periods):
            if period.starts <= moment < period.ends:
                return index
    return None


def _in_periods(
    rows: QuerySet[Any], moment: str, periods: Sequence[Period], *columns: str
) -> Iterator[tuple[Any, ...]]:
    """``columns`` of the rows whose ``moment`` falls in the periods, each followed by its period index."""
    if not periods:
        return
    with unscoped(REASON):
        found = (
            rows.filter(**{f"{moment}__gte": periods[0].starts, f"{moment}__lt": periods[-1].ends})
            .values_list(moment, *columns)
            .order_by()
        )
        for when, *values in found:
            index = period_index(when, periods)
            if index is not None:
                yield (*values, index)


def opened_cases(cooperation: Cooperation, periods: Sequence[Period]) -> list[tuple[str, bool, bool, int]]:
    """(lead organisation's sector, raised by a referrer, the referrer has had feedback from a meeting,
    quarter) for each case opened in the periods."""
    feedback = ReferrerFeedback.objects.filter(case=OuterRef("pk"), recipient=OuterRef("referred_by"))
    cases = Case.objects.filter(cooperation=cooperation).annotate(feedback_given=Exists(feedback))
    return [
        (sector, referrer is not None, bool(given), index)
        for sector, referrer, given, index in _in_periods(
            cases, "opened_at", periods, "lead_organisation__sector", "referred_by_id", "feedback_given"
        )
    ]


def closed_cases(cooperation: Cooperation, periods: Sequence[Period]) -> list[tuple[bool, int]]:
    """(the citizen was identified on a recorded basis, quarter) for each case closed in the periods."""
    cases = Case.objects.filter(cooperation=cooperation)
    return [(identified_at is not None, index) for identified_at, index in _in_periods(
        cases, "closed_at", periods, "identified_at"
    )]


def actions_closed(cooperation: Cooperation, periods: Sequence[Period]) -> list[tuple[str, bool, int]]:
    """(outcome, closed by its due date, quarter it was closed in) for each meeting action a meeting
    closed in the periods. Counted when closed, so a complete quarter never changes afterwards."""
    actions = Action.objects.filter(meeting__cooperation=cooperation)
    return [
        (status, due_date is None or timezone.localdate(closed_at) <= due_date, index)
        for status, due_date, closed_at, index in _in_periods(
            actions, "closed_at", periods, "status", "due_date", "closed_at"
        )
    ]
