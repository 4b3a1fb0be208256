"""The DPO's audit view: search the log of their cooperations, page through it, export it as CSV."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any, cast

from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import get_resolver, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from samspil.accounts.sudo import sudo_required
from samspil.audit.models import AuditEvent
from samspil.core.roles import Capability
from samspil.core.spreadsheets import defuse_formula
from samspil.organisations.policies import deny, has_capability

from .forms import AuditFilterForm
from .selectors import EventRow, audit_chain_status, audit_events_search, present_events
from .services import audit_log_export, audit_log_search

PAGE_SIZE = 50
EXPORT_CHUNK = 1000
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).


View = Callable[..., HttpResponse]


def _capability_required(capability: str) -> Callable[[View], View]:
    """403 unless a membership grants ``capability``.

    The 403 is returned rather than raised: with ATOMIC_REQUESTS a raised PermissionDenied rolls the
    request's transaction back, and with it the audit event that records the denial.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_capability(request.user, capability):
                exception = deny(request, what=capability)
                handler = cast(View, get_resolver().resolve_error_handler(403))
                return handler(request, exception)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@require_GET
@_capability_required(Capability.VIEW_AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET, user=request.user)
    context: dict[str, Any] = {
        "form": form,
        "chain": audit_chain_status(),
        "can_export": has_capability(request.user, Capability.EXPORT_AUDIT),
    }
    if form.is_valid():
        criteria = form.criteria()
        paginator = Paginator(audit_events_search(request.user, criteria), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        context.update(searched=True, page=page, rows=present_events(page.object_list))
        audit_log_search(
            actor=request.user,
            request=request,
            criteria=criteria,
            page=page.number,
            result_count=paginator.count,
            channel="web",
        )
    return render(request, "privacy/audit_log.html", context)


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_safe(value: Any) -> str:
    """The cell as text, with a leading apostrophe where a spreadsheet would run it as a formula."""
    return defuse_formula("" if value is None else str(value))


def _csv_row(row: EventRow) -> list[str]:
    event = row.event
    return [
        csv_safe(value)
        for value in (
            timezone.localtime(event.occurred_at).isoformat(timespec="seconds"),
            row.person,
            row.organisation,
            row.role,
            event.action,
            row.action,
            event.object_type,
            event.object_id,
            event.citizen_id,
            event.purpose,
            row.outcome,
            event.request_id,
        )
    ]


def _csv_header() -> list[str]:
    return [
        _("Tidspunkt"),
        _("Person"),
        _("Organisation"),
        _("Rolle"),
        _("Handlingskode"),
        _("Handling"),
        _("Objekttype"),
        _("Objekt-id"),
        _("Borger-id"),
        _("Formål"),
        _("Udfald"),
        _("Request-id"),
    ]


def _stream_csv(events: Any, last_id: int) -> Iterator[str]:
    """The export in chunks, newest first, by keyset on id (constant memory, no growing OFFSET)."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff"  # byte order mark: spreadsheets then read the UTF-8 (æ, ø, å) correctly
    yield writer.writerow(_csv_header())
    below = last_id + 1
    while True:
        chunk: list[AuditEvent] = list(events.filter(id__lt=below).order_by("-id")[:EXPORT_CHUNK])
        if not chunk:
            return
        for row in present_events(chunk):
            yield writer.writerow(_csv_row(row))
        below = chunk[-1].id


@require_GET
@_capability_required(Capability.EXPORT_AUDIT)
@sudo_required
def audit_export(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return redirect(f"{reverse('privacy:audit_log')}?{request.GET.urlencode()}")
    criteria = form.criteria()
    events = audit_events_search(request.user, criteria)
    # Events are append-only: fixing the newest id makes the count recorded below the rows exported.
    snapshot = events.aggregate(rows=Count("id"), last_id=Max("id"))
    audit_log_export(actor=request.user, request=request, criteria=criteria, row_count=snapshot["rows"])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(
        _stream_csv(events, snapshot["last_id"] or 0), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="revisionslog-{stamp}.csv"'
    return response  # type: ignore[return-value]  # streamed; the view decorators are typed for HttpResponse
