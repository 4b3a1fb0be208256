"""Helpers for the cooperation tests: sudo-mode clients and the configuration form's POST data."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from samspil.accounts.services import SUDO_AT
from samspil.audit.models import AuditEvent
from samspil.core.scoping import unscoped
from samspil.organisations.models import Cooperation, CooperationOrganisation
from samspil.organisations.selectors import cooperation_groups

from ..conftest import verified_client


def sudo_client(user: Any) -> Client:
    """A verified client that confirmed password and code a moment ago (sudo mode)."""
    client = verified_client(user)
    session = client.session
    session[SUDO_AT] = timezone.now().isoformat()
    session.save()
    return client


def configuration_data(cooperation: Cooperation, **overrides: Any) -> dict[str, Any]:
    """What the configuration page posts when the coordinator saves it unchanged (then ``overrides``)."""
    cooperation.refresh_from_db()
    groups = list(cooperation_groups(cooperation))
    kept = [
        p.organisation_id
        for p in CooperationOrganisation.objects.filter(cooperation=cooperation)
        if p.organisation_id != cooperation.municipality_id
    ]
    data: dict[str, Any] = {
        "version": cooperation.version,
        "meetings_per_year": cooperation.meetings_per_year,
        "enabled_legal_bases": list(cooperation.enabled_legal_bases),
        "anonymous_discussion_retention_days": cooperation.anonymous_discussion_retention_days,
        "closed_case_retention_years": cooperation.closed_case_retention_years,
        "shown_optional_fields": list(cooperation.shown_optional_fields),
        "kept_organisations": kept,
        "add_organisation": "",
        "groups-TOTAL_FORMS": len(groups) + 1,
        "groups-INITIAL_FORMS": len(groups),
        "groups-MIN_NUM_FORMS": 0,
        "groups-MAX_NUM_FORMS": 1000,
    }
    for index, group in enumerate(groups):
        data.update({
            f"groups-{index}-group_id": group.pk,
            f"groups-{index}-kind": group.kind,
            f"groups-{index}-name": group.name,
            f"groups-{index}-meetings_per_year": group.meetings_per_year,
        })
    extra = len(groups)
    data.update({
        f"groups-{extra}-group_id": "",
        f"groups-{extra}-kind": "other",
        f"groups-{extra}-name": "",
        f"groups-{extra}-meetings_per_year": 10,
    })
    data.update(overrides)
    return data


def events(action: str, **filters: Any) -> list[AuditEvent]:
    with unscoped("tests read the audit log"):
        return list(AuditEvent.objects.filter(action=action, **filters).order_by("id"))
