"""What the sharing app adds to the case page: its panel, and where the citizen step continues."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from samspil.cases.models import Case, CaseState, EntryVisibility
from samspil.cases.panels import register_case_panel, register_citizen_chosen, register_entry_extra
from samspil.citizens.models import Citizen

from .policies import acting_organisation_ids
from .selectors import (
    consents_on_case,
    disclosures_for_entries,
    disclosures_on_case,
    informing_on_case,
    legal_bases,
)


def case_sharing_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """The case's sharing at a glance: identification, disclosures, informing, consent. (Each journal
    entry carries its own "share" action or basis badge: ``entry_sharing_context``.)

    A fixed number of queries, whatever the number of entries or disclosures.
    """
    return {
        "can_identify": case.state == CaseState.ANONYMOUS,
        "disclosure_count": disclosures_on_case(request.user, case).count(),
        "informing": informing_on_case(case).first(),
        "consent_count": consents_on_case(case).filter(withdrawn_at__isnull=True).count(),
        "identification_basis": (
            legal_bases().filter(code=case.identification_legal_basis).first()
            if case.identification_legal_basis
            else None
        ),
    }


def entry_sharing_context(request: HttpRequest, case: Case, entries: list[Any]) -> dict[int, dict[str, Any]]:
    """Per journal entry on the case page, what ``sharing/entry_extra.html`` shows: the disclosure that
    shared it (basis and restrictions), or, for an own unshared entry, the "Del i samarbejdet" action.

    One query for any number of entries; registered with ``cases.panels.register_entry_extra``.
    """
    disclosures = disclosures_for_entries(entry.pk for entry in entries)
    own = acting_organisation_ids(request.user, case)
    is_open = case.state != CaseState.CLOSED
    return {
        entry.pk: {
            "case": case,
            "entry": entry,
            "disclosure": disclosures.get(entry.pk),
            "can_share": is_open
            and entry.visibility == EntryVisibility.OWN_ORGANISATION
            and entry.organisation_id in own,
        }
        for entry in entries
    }


def identify_url(request: HttpRequest, case: Case, citizen: Citizen) -> str:
    return reverse("sharing:case_identify", kwargs={"case_pk": case.pk, "citizen_pk": citizen.pk})


def register() -> None:
    register_case_panel(
        "sharing", template="sharing/panels/case_sharing.html", order=10, context=case_sharing_panel
    )
    register_citizen_chosen(identify_url)
    register_entry_extra("sharing", template="sharing/entry_extra.html", context=entry_sharing_context)
