"""What the meetings app adds to other pages: home page panels and a section on the case page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from samspil.cases.models import Case, CaseState
from samspil.cases.panels import register_case_panel
from samspil.core.home import register_panel

from . import selectors
from .models import DischargeStatus
from .policies import meeting_cooperation_ids
from .workdays import working_days_left

PANEL_LIMIT = 5
DISCHARGE_WARNING_DAYS = 2


def upcoming_panel(request: HttpRequest) -> dict[str, Any] | None:
    """The next meetings of the person's cooperations, and their own meeting actions due soonest."""
    if not meeting_cooperation_ids(request.user):
        return None
    today = timezone.localdate()
    actions = list(selectors.my_open_actions(request.user)[:PANEL_LIMIT])
    return {
        "meetings": selectors.upcoming_meetings(request.user, limit=PANEL_LIMIT),
        "actions": actions,
        "today": today,
    }


def feedback_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Feedback to the person who raised cases: shown while any is unread."""
    unread = list(selectors.feedback_for(request.user).filter(read_at__isnull=True)[:PANEL_LIMIT])
    return {"feedback": unread} if unread else None


def discharge_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Discharge meetings not yet held whose deadline is two working days away or less (or passed)."""
    if not meeting_cooperation_ids(request.user):
        return None
    today = timezone.localdate()
    rows = [
        (d, working_days_left(today, d.deadline))
        for d in selectors.discharge_pending(request.user).exclude(status=DischargeStatus.HELD)[:50]
    ]
    urgent = [(d, left) for d, left in rows if left <= DISCHARGE_WARNING_DAYS]
    return {"rows": urgent} if urgent else None


def case_meetings_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """On the case page (the person sees the case in full): its meetings, open meeting actions, discharge
    meetings, and the ways to propose it for a meeting or ask for a discharge meeting."""
    return {
        "history": list(selectors.case_meeting_history(case)[:10]),
        "actions": list(selectors.case_open_actions(case)),
        "discharges": list(selectors.discharge_meetings_of(case)[:5]),
        "can_propose": case.state != CaseState.CLOSED
        and selectors.meetings_open_for_proposals(case).exists(),
        "can_request_discharge": case.state != CaseState.CLOSED,
        "today": timezone.localdate(),
    }


def register() -> None:
    register_panel(
        "meetings_discharge", template="meetings/panels/discharge.html", order=15, context=discharge_panel
    )
    register_panel(
        "meetings_upcoming", template="meetings/panels/upcoming.html", order=25, context=upcoming_panel
    )
    register_panel(
        "meetings_feedback", template="meetings/panels/feedback.html", order=26, context=feedback_panel
    )
    register_case_panel(
        "meetings", template="meetings/panels/case_meetings.html", order=20, context=case_meetings_panel
    )
