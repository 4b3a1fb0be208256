"""Test data for the sharing tests: cases in the world's PSP cooperation, built with the models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from samspil.cases.models import Case, CaseState, EntryVisibility, JournalEntry
from samspil.citizens.models import Citizen
from samspil.organisations.models import Organisation
from samspil.sharing.models import (
    Consent,
    ConsentForm,
    DataCategory,
    Disclosure,
    DisclosureKind,
    Purpose,
    SubjectType,
)

from ..factories import CaseFactory, CitizenFactory, JournalEntryFactory

PSP_115_RESTRICTIONS = ["no_onward_disclosure", "no_criminal_investigation"]


def organisations_of(world: Any) -> dict[str, Organisation]:
    return {"police": world.police, "municipality": world.municipality, "region": world.region}


def psp_case(
    world: Any,
    *,
    involved: tuple[str, ...] = ("police", "municipality", "region"),
    lead: str = "municipality",
    citizen: Citizen | None = None,
) -> Case:
    """A case in the world's PSP cooperation with the named organisations involved; identified when a
    citizen is given, else an anonymous discussion."""
    orgs = organisations_of(world)
    return CaseFactory(
        cooperation=world.cooperation,
        lead_organisation=orgs[lead],
        involve=[orgs[name] for name in involved],
        citizen=citizen,
        state=CaseState.IDENTIFIED if citizen else CaseState.ANONYMOUS,
    )


def citizen_in(world: Any, **fields: Any) -> Citizen:
    return CitizenFactory(cooperation=world.cooperation, **fields)


def entry_of(case: Case, organisation: Organisation, **fields: Any) -> JournalEntry:
    return JournalEntryFactory(case=case, organisation=organisation, **fields)


def shared_disclosure(
    case: Case, entry: JournalEntry, recipients: list[Organisation], *, restrictions: list[str] | None = None,
    basis_code: str = "rpl-115-1-2", by: Any = None,
) -> Disclosure:
    """A disclosure made directly with the model (for pages that show one)."""
    JournalEntry.objects.filter(pk=entry.pk).scoped().update(visibility=EntryVisibility.SHARED)
    disclosure = Disclosure.objects.create(
        kind=DisclosureKind.SHARE,
        cooperation=case.cooperation,
        case=case,
        citizen_id=case.citizen_id,
        subject_type=SubjectType.JOURNAL_ENTRY,
        subject_id=str(entry.pk),
        journal_entry=entry,
        source_organisation=entry.organisation,
        disclosed_by=by,
        legal_basis_code=basis_code,
        legal_basis_name="§ 115, stk. 1, nr. 2 (PSP)",
        legal_basis_citation="Retsplejeloven § 115, stk. 1, nr. 2",
        purpose=Purpose.COORDINATION,
        justification="Politiet har set borgeren i en forvirret tilstand tre gange på en uge (fiktivt).",
        categories=[DataCategory.HEALTH],
        restrictions=PSP_115_RESTRICTIONS if restrictions is None else restrictions,
    )
    disclosure.recipients.set(recipients)
    return disclosure


def consent_for(case: Case, organisation: Organisation, **fields: Any) -> Consent:
    values: dict[str, Any] = {
        "citizen": case.citizen,
        "cooperation": case.cooperation,
        "purposes": [Purpose.COORDINATION, Purpose.IDENTIFICATION],
        "sectors": ["police", "social", "psychiatry"],
        "categories": [c.value for c in DataCategory],
        "form": ConsentForm.WRITTEN,
        "given_at": timezone.now() - timedelta(days=1),
        "recorded_by_organisation": organisation,
    }
    values.update(fields)
    return Consent.objects.create(**values)


@dataclass
class RouteObjects:
    """One of everything the sharing pages need, for the authorization matrix."""

    case: Case
    anonymous_case: Case
    police_entry: JournalEntry
    disclosure: Disclosure
    consent: Consent


def sharing_objects(world: Any) -> RouteObjects:
    """Built once per world: an identified case with all three organisations involved, an unshared
    police entry, a police entry shared with the other two, a consent, and an anonymous case."""
    cached = getattr(world, "_sharing_objects", None)
    if cached is not None:
        return cached
    citizen = citizen_in(world)
    case = psp_case(world, citizen=citizen)
    police_entry = entry_of(case, world.police)
    shared = entry_of(case, world.police)
    disclosure = shared_disclosure(case, shared, [world.municipality, world.region])
    consent = consent_for(case, world.municipality)
    objects = RouteObjects(case, psp_case(world), police_entry, disclosure, consent)
    world._sharing_objects = objects
    return objects
