from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .selectors import membership_list

SESSION_KEY = "samspil_active_membership"


class ActiveMembershipMiddleware:
    """Attach the signed-in user's memberships and the one they act in now (chosen in the header).

    The active membership gives audit events their organisation, cooperation and role.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.memberships = []  # type: ignore[attr-defined]
        request.active_membership = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_verified():
            memberships = membership_list(user)
            request.memberships = memberships  # type: ignore[attr-defined]
            chosen = request.session.get(SESSION_KEY)
            active = next((m for m in memberships if m.pk == chosen), None)
            request.active_membership = active or (memberships[0] if memberships else None)  # type: ignore[attr-defined]
        return self.get_response(request)
