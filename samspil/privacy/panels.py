"""What the privacy app adds to other pages: the DPO's home panel, and on the case page the rights panel
(rectify the citizen's data; for the police, withhold their own entries from the access report)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from samspil.cases.models import Case, JournalEntry
from samspil.cases.panels import register_case_panel
from samspil.cases.policies import case_access
from samspil.core.home import register_panel
from samspil.core.roles import Capability
from samspil.organisations.models import Organisation, Sector
from samspil.organisations.policies import has_capability

from .selectors import active_exemptions_on_case, legal_holds_visible_to


def home_rights_panel(request: HttpRequest) -> dict[str, Any] | None:
    """For the data protection officer: the way to the citizen's rights, with the holds in force."""
    if not has_capability(request.user, Capability.ACCESS_REPORT):
        return None
    return {"hold_count": legal_holds_visible_to(request.user).count()}


def case_rights_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """Rectification of the case's citizen, and the police's own entries with their exemption from the
    access report. A fixed number of queries; None (no panel) when there is nothing to offer."""
    access = case_access(request.user, case)
    if not access.has_details:
        return None
    police = list(
        Organisation.objects.filter(pk__in=sorted(access.organisation_ids), sector=Sector.POLICE).values_list(
            "pk", flat=True
        )
    )
    entries: list[JournalEntry] = []
    if police and case.citizen_id is not None:
        entries = list(
            JournalEntry.objects.filter(case=case, organisation_id__in=police)
            .order_by("-created_at", "-pk")
            .scoped()
        )
    if case.citizen_id is None and not entries:
        return None
    exemptions = active_exemptions_on_case(case) if entries else {}
    return {
        "can_rectify": case.citizen_id is not None,
        "police_entries": [(entry, exemptions.get(entry.pk)) for entry in entries],
    }


def register() -> None:
    register_panel(
        "privacy_rights", template="privacy/panels/home_rights.html", order=60, context=home_rights_panel
    )
    register_case_panel(
        "privacy", template="privacy/panels/case_rights.html", order=90, context=case_rights_panel
    )
