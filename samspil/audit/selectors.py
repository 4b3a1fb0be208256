"""Reads of the audit log, limited to what the asking user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import AuditEvent


def events_by_actor(user: Any, limit: int = 10) -> QuerySet[AuditEvent]:
    """The user's own most recent events (a person may always see what they themselves did)."""
    if not getattr(user, "is_authenticated", False):
        return AuditEvent.objects.none().scoped()
    return AuditEvent.objects.filter(actor_id=user.pk).order_by("-id").scoped()[:limit]
