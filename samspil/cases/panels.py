"""Registries through which higher apps add to the case page without editing the cases views.

- ``register_case_panel``: a section on the case detail page (e.g. the sharing app's disclosures and
  "identify on a legal basis" action), rendered in ``order`` after the case's own sections. The context
  function gets the request and the case (which the user sees in full; the page has checked) and returns
  the template context, or None to leave the panel out. The template gets ``case``, ``panel`` and ``ctx``.
- ``register_citizen_chosen``: where the "register or find citizen" step of a case sends the user once
  a citizen is chosen or registered. The sharing app points it at its identification form (legal basis
  and necessity); without a handler the user returns to the case page.

Both are filled in ``AppConfig.ready()`` of the registering app, like ``samspil.core.home``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:
    from samspil.citizens.models import Citizen

    from .models import Case


@dataclass(frozen=True)
class CasePanel:
    key: str
    template: str
    order: int
    context: Callable[[HttpRequest, Case], dict[str, Any] | None]


PANELS: dict[str, CasePanel] = {}


def register_case_panel(
    key: str, *, template: str, order: int, context: Callable[[HttpRequest, Case], dict[str, Any] | None]
) -> None:
    PANELS[key] = CasePanel(key, template, order, context)


def case_panels_for(request: HttpRequest, case: Case) -> list[tuple[CasePanel, dict[str, Any]]]:
    """Registered panels in order, each with its context; a panel whose context is None is left out."""
    shown = []
    for panel in sorted(PANELS.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(request, case)
        if context is not None:
            shown.append((panel, context))
    return shown


@dataclass(frozen=True)
class EntryExtra:
    key: str
    template: str
    context: Callable[[HttpRequest, Case, list[Any]], dict[int, dict[str, Any]]]


ENTRY_EXTRAS: dict[str, EntryExtra] = {}


def register_entry_extra(
    key: str, *, template: str, context: Callable[[HttpRequest, Case, list[Any]], dict[int, dict[str, Any]]]
) -> None:
    """Something a higher app shows under each journal entry (e.g. the sharing app's basis badge or
    its "share in the cooperation" action). ``context`` gets all entries on the page at once, so it
    can fetch what it needs in one query, and returns the template context per entry id."""
    ENTRY_EXTRAS[key] = EntryExtra(key, template, context)


def attach_entry_extras(request: HttpRequest, case: Case, entries: list[Any]) -> None:
    """Set ``entry.extras`` to a list of (template, context) for each entry on the page."""
    for entry in entries:
        entry.extras = []
    for extra in sorted(ENTRY_EXTRAS.values(), key=lambda e: e.key):
        per_entry = extra.context(request, case, entries)
        for entry in entries:
            if entry.pk in per_entry:
                entry.extras.append((extra.template, per_entry[entry.pk]))


CitizenChosenHandler = Callable[[HttpRequest, "Case", "Citizen"], str]
_citizen_chosen: list[CitizenChosenHandler] = []


def register_citizen_chosen(handler: CitizenChosenHandler) -> None:
    """Set the one handler that returns the URL to continue to after a citizen was chosen for a case."""
    _citizen_chosen[:] = [handler]


def citizen_chosen_url(request: HttpRequest, case: Case, citizen: Citizen) -> str | None:
    """The registered handler's URL, or None (the caller then returns to the case page)."""
    return _citizen_chosen[0](request, case, citizen) if _citizen_chosen else None
