"""Reads for sharing, limited to what the asking user may see (see policies for the rule).

A disclosure is visible to a person who acts on its case (``policies.acting_organisation_ids``) for
its source organisation or for one of its recipients; an organisation involved later does not see
what was shared before it joined. Cases themselves are read through ``cases.selectors``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from samspil.cases.models import Case, JournalEntry
from samspil.organisations.models import Organisation
from samspil.organisations.selectors import cooperation_ids_of

from .models import CitizenInforming, Consent, Disclosure, DisclosureKind, LegalBasis, Restriction
from .policies import acting_organisation_ids


def _acting_organisation_ids(user: Any, case: Case) -> list[int]:
    return sorted(acting_organisation_ids(user, case))


def _with_details(queryset: QuerySet[Disclosure]) -> QuerySet[Disclosure]:
    return queryset.select_related("source_organisation", "disclosed_by", "journal_entry").prefetch_related(
        Prefetch("recipients", queryset=Organisation.objects.order_by("name"))
    )


def disclosures_on_case(user: Any, case: Case) -> QuerySet[Disclosure]:
    """Disclosures on the case made or received by an organisation the user acts for, newest first."""
    organisations = _acting_organisation_ids(user, case)
    if not organisations:
        return Disclosure.objects.none().scoped()
    ids = Disclosure.objects.filter(
        Q(source_organisation_id__in=organisations) | Q(recipients__in=organisations), case=case
    ).values("pk")
    return _with_details(Disclosure.objects.filter(pk__in=ids).scoped())


def disclosure_visible(user: Any, pk: int) -> Disclosure | None:
    """One disclosure the user may see (made or received by an organisation they act for)."""
    mine = Disclosure.objects.filter(pk=pk, cooperation_id__in=sorted(cooperation_ids_of(user))).scoped()
    disclosure = (
        _with_details(mine)
        .select_related("case", "case__cooperation", "case__citizen", "case__lead_organisation")
        .first()
    )
    if disclosure is None:
        return None
    organisations = set(_acting_organisation_ids(user, disclosure.case))
    parties = {disclosure.source_organisation_id, *(o.pk for o in disclosure.recipients.all())}
    return disclosure if organisations & parties else None


def disclosures_for_entries(entry_ids: Iterable[int]) -> dict[int, Disclosure]:
    """The disclosure that shared each journal entry, by entry id, in one query.

    For the case page's journal, to show each shared entry's basis and restrictions with
    ``sharing/disclosure_badge.html``. Callers pass the ids of entries they already read through a
    scoped selector, which is the scope here; entries never shared are absent from the result.
    """
    ids = sorted({int(i) for i in entry_ids})
    if not ids:
        return {}
    found: dict[int, Disclosure] = {}
    rows = Disclosure.objects.filter(journal_entry_id__in=ids, kind=DisclosureKind.SHARE)
    for disclosure in rows.order_by("disclosed_at", "pk").scoped():
        assert disclosure.journal_entry_id is not None
        found[disclosure.journal_entry_id] = disclosure
    return found


def own_entries_on_case(user: Any, case: Case) -> QuerySet[JournalEntry]:
    """Journal entries written by an organisation the user acts for on the case, newest first."""
    return (
        case.journal_entries.filter(organisation_id__in=_acting_organisation_ids(user, case))
        .select_related("organisation", "author")
        .order_by("-created_at", "-pk")
    )


def entry_for_sharing(user: Any, pk: int) -> JournalEntry | None:
    """A journal entry the user may share: written by an organisation they act for on its case."""
    entry = (
        JournalEntry.objects.filter(pk=pk, case__cooperation_id__in=sorted(cooperation_ids_of(user)))
        .select_related("case", "case__cooperation", "case__citizen", "organisation")
        .scoped()
        .first()
    )
    if entry is None or entry.organisation_id not in _acting_organisation_ids(user, entry.case):
        return None
    return entry


def consents_on_case(case: Case) -> QuerySet[Consent]:
    """The consents of the case's citizen in the case's cooperation (none for an anonymous case)."""
    if case.citizen is None:
        return Consent.objects.none().scoped()
    return (
        case.citizen.consents.filter(cooperation_id=case.cooperation_id)
        .select_related("recorded_by", "recorded_by_organisation", "withdrawn_by")
        .prefetch_related(Prefetch("organisations", queryset=Organisation.objects.order_by("name")))
    )


def consent_on_case(case: Case, pk: int) -> Consent | None:
    return consents_on_case(case).filter(pk=pk).first()


def informing_on_case(case: Case) -> QuerySet[CitizenInforming]:
    """The case's informing records, newest (the current one) first."""
    return case.informing_records.select_related("recorded_by", "recorded_by_organisation", "task")


def legal_bases() -> QuerySet[LegalBasis]:
    """The whole rule set (configuration, not personal data)."""
    return LegalBasis.objects.all()


def restrictions_by_code() -> dict[str, Restriction]:
    return {r.code: r for r in Restriction.objects.all()}
