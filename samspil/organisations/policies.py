"""May this user do X (to this object)? Built on the role -> capability table in core.roles.

Not visible -> 404 (the object's existence is not revealed); visible but not allowed -> 403.
Every denial writes an audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import get_resolver

from samspil.audit import actions
from samspil.audit.models import Outcome
from samspil.audit.services import audit_record
from samspil.core.roles import Capability, role_has_capability

from .models import Cooperation
from .selectors import cooperation_get, cooperation_ids_of, membership_list


def has_capability(user: Any, capability: str, cooperation: Cooperation | None = None) -> bool:
    """True when one of the user's active memberships (in ``cooperation``, if given) grants it."""
    return any(
        role_has_capability(m.role, capability)
        for m in membership_list(user)
        if cooperation is None or m.cooperation_id == cooperation.pk
    )


def is_member_of_cooperation(user: Any, cooperation: Cooperation) -> bool:
    """Any active membership in the cooperation makes it visible (exists) to the user."""
    return cooperation.pk in cooperation_ids_of(user)


def can_view_cooperation(user: Any, cooperation: Cooperation) -> bool:
    return has_capability(user, Capability.VIEW_COOPERATION, cooperation)


def can_configure_cooperation(user: Any, cooperation: Cooperation) -> bool:
    return has_capability(user, Capability.CONFIGURE_COOPERATION, cooperation)


def can_invite_members(user: Any, cooperation: Cooperation) -> bool:
    """Inviting people and managing the members (role, groups, ending) go together."""
    return has_capability(user, Capability.INVITE_MEMBERS, cooperation)


def cooperation_for(request: HttpRequest, pk: int, capability: str) -> Cooperation:
    """The cooperation ``pk`` for a view that needs ``capability`` in it.

    A cooperation the user has no membership in does not exist for them (404), so an outsider learns
    nothing; a member whose role lacks the capability (a frontline worker on the configuration page)
    knows the cooperation exists and gets 403, audited.
    """
    if pk not in cooperation_ids_of(request.user):
        raise Http404
    cooperation = cooperation_get(pk)
    if cooperation is None:
        raise Http404
    if not has_capability(request.user, capability, cooperation):
        raise deny(request, what=capability, target=cooperation, cooperation_id=cooperation.pk)
    return cooperation


def deny(
    request: HttpRequest, *, what: str, target: Any = None, cooperation_id: int | None = None
) -> PermissionDenied:
    """Record the denied attempt and return the exception to raise (403)."""
    audit_record(
        action=actions.ACCESS_DENIED,
        request=request,
        target=target,
        outcome=Outcome.DENIED,
        cooperation_id=cooperation_id,
        detail={"path": request.path[:200], "needed": what},
    )
    return PermissionDenied(what)


def render_denials(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """View decorator: a ``PermissionDenied`` raised inside the view is *returned* as the 403 page.

    The denial's audit event is kept either way (denied events are deferred and written by
    ``samspil.audit.middleware.DeferredAuditMiddleware``); returning the page rather than raising also
    keeps what the view legitimately recorded before the check, e.g. the read of a parent object.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exception:
            handler = get_resolver().resolve_error_handler(403)
            return handler(request, exception)  # type: ignore[call-arg,no-any-return]

    return wrapped


def require_capability(
    capability: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: 403 (audited) unless one of the user's memberships grants ``capability``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        @render_denials
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_capability(request.user, capability):
                raise deny(request, what=capability)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
