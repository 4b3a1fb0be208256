from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from samspil.core.roles import Capability, role_has_capability


def membership(request: HttpRequest) -> dict[str, Any]:
    memberships = getattr(request, "memberships", [])
    return {
        "memberships": memberships,
        "active_membership": getattr(request, "active_membership", None),
        "can_view_audit": any(role_has_capability(m.role, Capability.VIEW_AUDIT) for m in memberships),
        "can_report_access": any(role_has_capability(m.role, Capability.ACCESS_REPORT) for m in memberships),
    }
