"""The home-page panel ("Bekymringer") and the section on a PSP case page that names its concerns."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from samspil.cases.models import Case
from samspil.cases.panels import register_case_panel
from samspil.core.home import register_panel

from .feedback import raiser_outcome, raiser_status
from .models import ConcernStatus
from .selectors import (
    concerns_raised_by,
    concerns_visible_to,
    concerns_worked_on,
    overdue_concerns,
    reviews_due,
)
from .services import raising_memberships

PANEL_LIMIT = 8


def concerns_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Raise a concern; the concerns one raised with their status; for those who handle concerns the
    new ones, the overdue steps and the reviews that have fallen due. Left out for people who neither
    raise nor handle concerns."""
    user = request.user
    can_raise = bool(raising_memberships(user))
    handled = concerns_worked_on(user)
    new = list(handled.filter(status=ConcernStatus.RECEIVED, lead_contact__isnull=True)[:PANEL_LIMIT])
    overdue = list(overdue_concerns(user)[:PANEL_LIMIT])
    due = list(reviews_due(user)[:PANEL_LIMIT])
    raised = list(concerns_raised_by(user)[:5])
    if not can_raise and not new and not overdue and not due and not handled.exists():
        return None
    for concern in raised:
        concern.raiser_status = raiser_status(concern)  # type: ignore[attr-defined]
        concern.raiser_outcome = raiser_outcome(concern)  # type: ignore[attr-defined]
    return {"can_raise": can_raise, "new": new, "overdue": overdue, "reviews_due": due, "raised": raised,
            "now": timezone.now()}


def case_concerns_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """On a case page: the concerns linked to the case that the user may see (others stay unmentioned)."""
    linked = concerns_visible_to(request.user).filter(case=case).order_by("-raised_at")
    concerns = [concern for concern in linked if concern.by_role]  # type: ignore[attr-defined]
    return {"concerns": concerns} if concerns else None


def register() -> None:
    register_panel("concerns", template="concerns/panels/home.html", order=12, context=concerns_panel)
    register_case_panel(
        "concerns", template="concerns/panels/case.html", order=40, context=case_concerns_panel
    )
