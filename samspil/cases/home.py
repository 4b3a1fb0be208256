"""The home page panels of this app: "Mine opgaver" and "Overskredne opgaver"."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from samspil.citizens.selectors import case_worker_organisations
from samspil.core.home import register_panel

from .selectors import my_open_tasks, overdue_tasks

PANEL_LIMIT = 10


def _rows(tasks: Any) -> dict[str, Any]:
    """At most PANEL_LIMIT tasks and whether there are more, in one query."""
    rows = list(tasks[: PANEL_LIMIT + 1])
    return {"tasks": rows[:PANEL_LIMIT], "has_more": len(rows) > PANEL_LIMIT, "today": timezone.localdate()}


def my_tasks_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Open tasks the person owns. Left out for people who do not work on cases."""
    if not case_worker_organisations(request.user):
        return None
    return _rows(my_open_tasks(request.user))


def overdue_tasks_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Open tasks past their deadline for the person's organisations."""
    if not case_worker_organisations(request.user):
        return None
    return _rows(overdue_tasks(request.user))


def register() -> None:
    register_panel("cases_tasks", template="cases/panels/my_tasks.html", order=20, context=my_tasks_panel)
    register_panel(
        "cases_overdue", template="cases/panels/overdue_tasks.html", order=21, context=overdue_tasks_panel
    )
