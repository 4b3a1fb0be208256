"""Number formats for course results: shares as percent, gains as signed points, g with two decimals."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()
DASH = "–"


@register.filter
def percent(value: float | None) -> str:
    """0.625 -> "63 %"; None -> "–"."""
    if value is None:
        return DASH
    return f"{floatformat(value * 100, 0)} %"


@register.filter
def points(value: float | None) -> str:
    """A gain in percentage points with its sign: 0.12 -> "+12"; None -> "–"."""
    if value is None:
        return DASH
    rounded = floatformat(value * 100, 0)
    return rounded if str(rounded).startswith("-") else f"+{rounded}"


@register.filter
def decimal(value: float | None, digits: int = 2) -> str:
    if value is None:
        return DASH
    return str(floatformat(value, digits))


@register.filter
def hours(value: float | None) -> str:
    if value is None:
        return DASH
    return str(floatformat(value, -1))


@register.filter
def get(mapping: dict, key: object) -> object:
    return mapping.get(key) if mapping else None


@register.filter
def normalised(person: object, goal: str) -> float | None:
    """A participant's normalised gain on one goal (see reports.ParticipantResult)."""
    method = getattr(person, "normalised", None)
    return method(goal) if callable(method) else None


@register.simple_tag(takes_context=True)
def training_roles(context: template.Context) -> dict[str, bool]:
    """What the course navigation offers the signed-in user."""
    from samspil.core.roles import Capability
    from samspil.organisations.policies import has_capability

    from ..selectors import is_course_administrator

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_admin": False, "can_waive": False}
    return {
        "is_admin": is_course_administrator(user),
        "can_waive": has_capability(user, Capability.WAIVE_TRAINING),
    }
