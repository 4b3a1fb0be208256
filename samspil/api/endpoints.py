"""API operations: parse, call one selector (and audit where a person's data is read), return."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from samspil.audit import actions
from samspil.audit.services import audit_record
from samspil.core.roles import Capability
from samspil.organisations.models import Cooperation, Membership, Organisation
from samspil.organisations.policies import deny, has_capability
from samspil.organisations.selectors import cooperations_visible_to, memberships_of
from samspil.privacy.forms import AuditFilterForm
from samspil.privacy.selectors import EventRow, audit_events_search, present_events
from samspil.privacy.services import audit_log_search

from .schemas import (
    AuditEventFilters,
    AuditEventPage,
    CooperationDetailOut,
    CooperationOut,
    ErrorOut,
    FieldErrorsOut,
    MeOut,
)

router = Router()
AUDIT_PAGE_SIZE = 50


def _organisation(organisation: Organisation) -> dict[str, Any]:
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "kind": organisation.kind,
        "sector": organisation.sector,
    }


def _membership(membership: Membership) -> dict[str, Any]:
    cooperation = membership.cooperation
    return {
        "id": membership.pk,
        "role": membership.role,
        "role_label": membership.get_role_display(),
        "organisation": _organisation(membership.organisation),
        "cooperation": (
            {"id": cooperation.pk, "name": cooperation.name, "type": cooperation.type}
            if cooperation is not None
            else None
        ),
    }


def _cooperation(cooperation: Cooperation) -> dict[str, Any]:
    return {
        "id": cooperation.pk,
        "name": cooperation.name,
        "type": cooperation.type,
        "type_label": cooperation.get_type_display(),
        "municipality": _organisation(cooperation.municipality),
        "meetings_per_year": cooperation.meetings_per_year,
    }


@router.get("/me", response=MeOut, summary="Your own name, e-mail and memberships")
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    return {
        "id": user.pk,
        "full_name": user.full_name,
        "email": user.email,
        "memberships": [_membership(m) for m in memberships_of(user)],
    }


@router.get("/cooperations", response=list[CooperationOut], summary="The cooperations you may view")
def cooperation_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_cooperation(c) for c in cooperations_visible_to(request.auth).order_by("name")]  # type: ignore[attr-defined]


@router.get(
    "/cooperations/{id}",
    response={200: CooperationDetailOut, 404: ErrorOut},
    summary="One cooperation you may view, with its participating organisations",
)
def cooperation_detail(request: HttpRequest, id: int) -> dict[str, Any]:
    cooperation = (
        cooperations_visible_to(request.auth)  # type: ignore[attr-defined]
        .filter(pk=id)
        .prefetch_related("participations__organisation")
        .first()
    )
    if cooperation is None:
        raise Http404
    audit_record(
        action=actions.COOPERATION_VIEWED, request=request, target=cooperation, cooperation_id=cooperation.pk
    )
    return {
        **_cooperation(cooperation),
        "organisations": [
            {"organisation": _organisation(p.organisation), "sector": p.sector}
            for p in sorted(cooperation.participations.all(), key=lambda p: p.organisation.name)
        ],
    }


def _event(row: EventRow) -> dict[str, Any]:
    event = row.event
    return {
        "id": event.pk,
        "occurred_at": event.occurred_at,
        "actor_id": event.actor_id,
        "actor_name": row.person,
        "organisation_id": event.organisation_id,
        "organisation_name": row.organisation,
        "cooperation_id": event.cooperation_id,
        "role": event.role,
        "role_label": row.role,
        "action": event.action,
        "action_label": row.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "citizen_id": event.citizen_id,
        "purpose": event.purpose,
        "outcome": event.outcome,
        "outcome_label": row.outcome,
        "request_id": event.request_id,
    }


@router.get(
    "/audit/events",
    response={200: AuditEventPage, 403: ErrorOut, 422: FieldErrorsOut},
    summary="Search the audit log of the cooperations you are data protection officer of (50 per page)",
)
def audit_events(request: HttpRequest, filters: Query[AuditEventFilters]) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not has_capability(user, Capability.VIEW_AUDIT):
        raise deny(request, what=Capability.VIEW_AUDIT)
    form = AuditFilterForm(filters.as_form_data(), user=user)
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return Status(422, {"detail": "Invalid search criteria", "errors": errors})
    criteria = form.criteria()
    paginator = Paginator(audit_events_search(user, criteria), AUDIT_PAGE_SIZE)
    page = paginator.get_page(filters.page)
    items = [_event(row) for row in present_events(page.object_list)]
    audit_log_search(
        actor=user,
        request=request,
        criteria=criteria,
        page=page.number,
        result_count=paginator.count,
        channel="api",
    )
    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "page_size": AUDIT_PAGE_SIZE,
        "items": items,
    }
