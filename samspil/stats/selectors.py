"""What the cooperation's evaluation figures count. Each function returns one tuple of categories per
counted thing, with the index of the quarter it falls in; no name, id or text leaves here, and the
figures are protected (small numbers suppressed) before anyone sees them (``figures.py``).

The counts cover the whole cooperation, including cases the viewer cannot open: a member sees how the
cooperation works, never which citizen a figure is about.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone

from samspil.cases.models import Case
from samspil.concerns.selectors import Period
from samspil.core.scoping import unscoped
from samspil.meetings.models import Action, ReferrerFeedback
from samspil.organisations.models import Cooperation

REASON = "evaluation figures: counts per quarter of the cooperation's own work, no personal data leaves"


def period_index(moment: datetime | date | None, periods: Sequence[Period]) -> int | None:
    """The index of the period that holds ``moment`` (a date counts from its local midnight)."""
    if moment is None:
        return None
    for index, period in enumerate(periods):
        if isinstance(moment, datetime):
            if period.starts <= moment < period.ends:
                return index
        elif period.starts.date() <= moment < period.ends.date():
            return index
    return None


def opened_cases(cooperation: Cooperation, periods: Sequence[Period]) -> list[tuple[str, bool, bool, int]]:
    """(lead organisation's sector, raised by a referrer, the referrer has had feedback from a meeting,
    quarter) for each case opened in the periods."""
    if not periods:
        return []
    feedback = ReferrerFeedback.objects.filter(case=OuterRef("pk"), recipient=OuterRef("referred_by"))
    with unscoped(REASON):
        rows = (
            Case.objects.filter(
                cooperation=cooperation, opened_at__gte=periods[0].starts, opened_at__lt=periods[-1].ends
            )
            .annotate(feedback_given=Exists(feedback))
            .values_list("lead_organisation__sector", "referred_by_id", "feedback_given", "opened_at")
            .order_by()
        )
        counted = []
        for sector, referrer, feedback_given, opened_at in rows:
            index = period_index(opened_at, periods)
            if index is not None:
                counted.append((sector, referrer is not None, bool(feedback_given), index))
    return counted


def closed_cases(cooperation: Cooperation, periods: Sequence[Period]) -> list[tuple[bool, int]]:
    """(the citizen was identified on a recorded basis, quarter) for each case closed in the periods."""
    if not periods:
        return []
    with unscoped(REASON):
        rows = (
            Case.objects.filter(
                cooperation=cooperation, closed_at__gte=periods[0].starts, closed_at__lt=periods[-1].ends
            )
            .values_list("identified_at", "closed_at")
            .order_by()
        )
        counted = []
        for identified_at, closed_at in rows:
            index = period_index(closed_at, periods)
            if index is not None:
                counted.append((identified_at is not None, index))
    return counted


def actions_closed(cooperation: Cooperation, periods: Sequence[Period]) -> list[tuple[str, bool, int]]:
    """(outcome, closed by its due date, quarter it was closed in) for each meeting action a meeting
    closed in the periods. Counted when closed, so a complete quarter never changes afterwards."""
    if not periods:
        return []
    with unscoped(REASON):
        rows = (
            Action.objects.filter(
                meeting__cooperation=cooperation, closed_at__gte=periods[0].starts, closed_at__lt=periods[-1].ends
            )
            .values_list("status", "due_date", "closed_at")
            .order_by()
        )
        counted = []
        for status, due_date, closed_at in rows:
            index = period_index(closed_at, periods)
            if index is not None:
                in_time = due_date is None or timezone.localdate(closed_at) <= due_date
                counted.append((status, in_time, index))
    return counted
