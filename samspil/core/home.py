"""The personal home page is assembled from panels that domain apps register at start-up.

Core knows no domain models; each app (organisations now, cases and meetings later) registers a
panel with a template and a function that builds its context from the request, through that app's
own selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    order: int
    context: Callable[[HttpRequest], dict[str, Any] | None]


PANELS: dict[str, HomePanel] = {}


def register_panel(
    key: str, *, template: str, order: int, context: Callable[[HttpRequest], dict[str, Any] | None]
) -> None:
    PANELS[key] = HomePanel(key, template, order, context)


def panels_for(request: HttpRequest) -> list[tuple[HomePanel, dict[str, Any]]]:
    """Panels with their context; a panel whose context function returns None is left out."""
    shown = []
    for panel in sorted(PANELS.values(), key=lambda p: p.order):
        context = panel.context(request)
        if context is not None:
            shown.append((panel, context))
    return shown
