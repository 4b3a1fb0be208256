from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from .models import AuditEvent
from .services import DEFERRED_ATTR, audit_write_deferred


class DeferredAuditMiddleware:
    """Write the request's denied and failed audit events after the view, whatever it raised.

    With ATOMIC_REQUESTS an exception in the view rolls back everything it wrote, including the
    audit event that records the denial. Middleware runs outside that transaction, so the events
    collected during the view are written here, in their own transaction. If that write fails the
    request fails.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pending: list[AuditEvent] = []
        setattr(request, DEFERRED_ATTR, pending)
        response = self.get_response(request)
        if pending:
            with transaction.atomic():
                audit_write_deferred(pending)
        return response
