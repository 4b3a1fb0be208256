"""The home page panels of this app: my cooperations, my tasks, my recent activity."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from samspil.audit.actions import label_for
from samspil.audit.models import Outcome
from samspil.audit.selectors import events_by_actor
from samspil.core.home import register_panel
from samspil.core.roles import Capability, role_has_capability

RECENT_ACTIVITY_LIMIT = 10


def my_cooperations(request: HttpRequest) -> dict[str, Any] | None:
    """Every cooperation the user belongs to, with their role; a link only where they may view it."""
    rows = [
        {
            "membership": m,
            "cooperation": m.cooperation,
            "can_view": role_has_capability(m.role, Capability.VIEW_COOPERATION),
        }
        for m in getattr(request, "memberships", [])
        if m.cooperation is not None
    ]
    return {"rows": rows, "has_memberships": bool(getattr(request, "memberships", []))}


def recent_activity(request: HttpRequest) -> dict[str, Any] | None:
    events = [
        {
            "label": label_for(event.action),
            "occurred_at": event.occurred_at,
            "outcome": event.outcome,
            "outcome_label": Outcome(event.outcome).label,
        }
        for event in events_by_actor(request.user, RECENT_ACTIVITY_LIMIT)
    ]
    return {"events": events}


def register() -> None:
    register_panel(
        "my_cooperations", template="core/panels/my_cooperations.html", order=10, context=my_cooperations
    )
    register_panel(
        "recent_activity", template="core/panels/recent_activity.html", order=30, context=recent_activity
    )
