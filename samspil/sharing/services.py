"""Writes for sharing: disclosures, forwarding, identification, consent, informing the citizen.

Each service checks everything first and, when the answer is no, records the denied attempt and raises
``SharingRefused`` with every reason in plain Danish; nothing else changes. When the answer is yes, the
change and its audit event are written in one transaction. The denial's audit event is written before
and outside that transaction (``audit_record`` defers denials in a request until the view has finished),
so it is kept although the action was not taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from samspil.audit import actions
from samspil.audit.models import Outcome
from samspil.audit.services import audit_record
from samspil.cases.models import Case, CaseState, EntryVisibility, JournalEntry, TaskStatus
from samspil.cases.policies import case_access, involved_organisation_ids
from samspil.cases.services import CaseError, case_transition, task_add, task_set_status
from samspil.citizens.models import Citizen
from samspil.citizens.selectors import Duplicate, case_worker_organisations
from samspil.citizens.services import CitizenError, citizen_register
from samspil.organisations.models import Cooperation, CooperationOrganisation, Organisation, Sector

from .models import (
    CitizenInforming,
    Consent,
    ConsentForm,
    DataCategory,
    Disclosure,
    DisclosureKind,
    InformingReason,
    Purpose,
    Restriction,
    RestrictionCode,
    SubjectType,
)
from .policies import investigative_block_applies
from .rules import ANY_SECTOR, check_basis

JUSTIFICATION_MAX = 2000
INFORMING_TASK_SOURCE = "informing"


class SharingRefused(Exception):
    """The action was refused; ``reasons`` says why, in Danish, one sentence each."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = list(reasons)
        super().__init__(" ".join(self.reasons))


class InvestigativeAccessRefused(SharingRefused):
    """An investigative membership asked to open information it may never see (403)."""


class DuplicatesFound(Exception):
    """The new citizen may already be registered: choose one of ``duplicates`` or confirm a new person."""

    def __init__(self, duplicates: list[Duplicate]) -> None:
        self.duplicates = duplicates
        super().__init__(f"{len(duplicates)} possible duplicates")


@dataclass(frozen=True)
class NewCitizen:
    """Data to register the citizen with when identifying (through ``citizens.services``)."""

    full_name: str
    cpr: str = ""
    birth_date: date | None = None
    sex: str = ""
    address: str = ""
    phone: str = ""
    confirmed_distinct: bool = False


# Shared checks ---------------------------------------------------------------------------------


def _justification_reasons(justification: str) -> list[str]:
    text = (justification or "").strip()
    if not text:
        return [_("Skriv hvorfor det er nødvendigt at dele oplysningerne (begrundelse for nødvendighed).")]
    if len(text) > JUSTIFICATION_MAX:
        return [_("Begrundelsen må højst være %(max)d tegn.") % {"max": JUSTIFICATION_MAX}]
    return []


def _category_reasons(categories: Sequence[str]) -> list[str]:
    if not categories:
        return [_("Vælg mindst én type oplysninger: helbred, strafbare forhold, sociale forhold, andet.")]
    unknown = [c for c in categories if c not in DataCategory.values]
    return [_("Ukendt type oplysninger: %(codes)s.") % {"codes": ", ".join(unknown)}] if unknown else []


def _purpose_reasons(purpose: str) -> list[str]:
    return [] if purpose in Purpose.values else [_("Vælg et formål fra listen.")]


def _final_restrictions(defaults: Iterable[str], extra: Iterable[str]) -> tuple[list[str], list[str]]:
    """The rule's default restrictions plus the extra ones chosen (restrictions can only be tightened)."""
    known = set(RestrictionCode.values) | set(Restriction.objects.values_list("code", flat=True))
    extra = list(extra)
    unknown = [code for code in extra if code not in known]
    reasons = [_("Ukendt begrænsning: %(codes)s.") % {"codes": ", ".join(unknown)}] if unknown else []
    merged = list(dict.fromkeys([*defaults, *(c for c in extra if c in known)]))
    return merged, reasons


def _organisations(ids: Iterable[int]) -> list[Organisation]:
    return list(Organisation.objects.filter(pk__in=sorted(set(ids))).order_by("name"))


def _deny(
    *,
    action: str,
    actor: Any,
    request: HttpRequest | None,
    target: Any,
    case: Case,
    reasons: list[str],
    basis_code: str = "",
    organisation_id: int | None = None,
) -> SharingRefused:
    audit_record(
        action=action,
        actor=actor,
        request=request,
        target=target,
        citizen_id=case.citizen_id,
        cooperation_id=case.cooperation_id,
        organisation_id=organisation_id,
        purpose=basis_code,
        outcome=Outcome.DENIED,
        detail={"case": case.pk, "reasons": reasons},
    )
    return SharingRefused(reasons)


def _audit_disclosure(
    disclosure: Disclosure, *, actor: Any, request: HttpRequest | None, detail: dict[str, Any]
) -> None:
    audit_record(
        action=actions.DISCLOSURE_CREATED,
        actor=actor,
        request=request,
        target=disclosure,
        citizen_id=disclosure.citizen_id,
        cooperation_id=disclosure.cooperation_id,
        organisation_id=disclosure.source_organisation_id,
        purpose=disclosure.legal_basis_code,
        detail={
            "kind": disclosure.kind,
            "recipients": sorted(o.pk for o in disclosure.recipients.all()),
            "categories": disclosure.categories,
            "restrictions": disclosure.restrictions,
            **detail,
        },
    )


# Disclosures -----------------------------------------------------------------------------------


def disclosure_create(
    *,
    actor: Any,
    journal_entry: JournalEntry,
    basis_code: str,
    justification: str,
    categories: Sequence[str],
    purpose: str = Purpose.COORDINATION,
    restrictions: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> Disclosure:
    """Share a journal entry in the cooperation: the entry becomes visible to the case's other involved
    organisations, and a disclosure records what, by whom, on which basis, why, and with which
    restrictions.

    Refused (nothing changes) unless the actor works on the case for the entry's organisation, the entry
    is not shared yet, a necessity justification and data categories are given, the case has other
    involved organisations, and the basis applies from the entry organisation's sector to every
    recipient's sector (``rules.check_basis``).
    """
    case = journal_entry.case
    categories = list(dict.fromkeys(categories))
    access = case_access(actor, case)
    reasons: list[str] = []
    if journal_entry.organisation_id not in access.organisation_ids:
        reasons.append(
            _("Du kan kun dele notater, som din egen organisation har skrevet i en sag, den er involveret i.")
        )
    if journal_entry.visibility == EntryVisibility.SHARED:
        reasons.append(_("Notatet er allerede delt i samarbejdet."))
    reasons += _justification_reasons(justification)
    reasons += _category_reasons(categories) + _purpose_reasons(purpose)
    recipients = _organisations(involved_organisation_ids(case) - {journal_entry.organisation_id})
    if not recipients:
        reasons.append(_("Ingen andre organisationer er involveret i sagen, så der er ingen at dele med."))
    decision = check_basis(
        basis_code=basis_code,
        cooperation=case.cooperation,
        from_organisation=journal_entry.organisation,
        to_organisations=recipients,
        citizen=case.citizen,
        purpose=purpose,
        categories=categories,
    )
    reasons += decision.reasons
    final_restrictions, restriction_reasons = _final_restrictions(decision.restrictions, restrictions)
    reasons += restriction_reasons
    if reasons:
        raise _deny(
            action=actions.DISCLOSURE_CREATED, actor=actor, request=request, target=journal_entry, case=case,
            reasons=reasons, basis_code=basis_code, organisation_id=journal_entry.organisation_id,
        )
    assert decision.rule is not None
    with transaction.atomic():
        flipped = (
            JournalEntry.objects.filter(pk=journal_entry.pk, visibility=EntryVisibility.OWN_ORGANISATION)
            .scoped()
            .update(visibility=EntryVisibility.SHARED)
        )
        if flipped != 1:
            raise SharingRefused([_("Notatet er allerede delt i samarbejdet.")])
        disclosure = Disclosure.objects.create(
            kind=DisclosureKind.SHARE,
            cooperation=case.cooperation,
            case=case,
            citizen_id=case.citizen_id,
            subject_type=SubjectType.JOURNAL_ENTRY,
            subject_id=str(journal_entry.pk),
            journal_entry=journal_entry,
            source_organisation=journal_entry.organisation,
            disclosed_by=actor,
            legal_basis_code=decision.rule.code,
            legal_basis_name=decision.rule.name,
            legal_basis_citation=decision.rule.citation,
            purpose=purpose,
            justification=justification.strip(),
            categories=categories,
            restrictions=final_restrictions,
        )
        disclosure.recipients.set(recipients)
        detail = {"case": case.pk, "journal_entry": journal_entry.pk}
        _audit_disclosure(disclosure, actor=actor, request=request, detail=detail)
    journal_entry.visibility = EntryVisibility.SHARED
    return disclosure


def disclosure_open(*, actor: Any, disclosure: Disclosure, request: HttpRequest | None = None) -> None:
    """Record that ``actor`` opened a disclosure they may see; refuse (audited) an investigative
    membership information received with the "never for criminal investigation" restriction."""
    case = disclosure.case
    access = case_access(actor, case)
    if investigative_block_applies(access, disclosure):
        reason = _(
            "Oplysningerne er delt med begrænsningen »Må ikke bruges til efterforskning« og kan ikke åbnes "
            "af en medarbejder, der bruges i efterforskning."
        )
        raise InvestigativeAccessRefused(
            _deny(
                action=actions.DISCLOSURE_VIEWED, actor=actor, request=request, target=disclosure, case=case,
                reasons=[reason], basis_code=disclosure.legal_basis_code,
            ).reasons
        )
    with transaction.atomic():
        audit_record(
            action=actions.DISCLOSURE_VIEWED,
            actor=actor,
            request=request,
            target=disclosure,
            citizen_id=case.citizen_id,
            cooperation_id=case.cooperation_id,
            purpose=disclosure.legal_basis_code,
            detail={"case": case.pk},
        )


def disclosures_list_record(
    *, actor: Any, case: Case, count: int, request: HttpRequest | None = None
) -> None:
    """Audit that ``actor`` looked at the list of disclosures on a case."""
    with transaction.atomic():
        audit_record(
            action=actions.DISCLOSURES_LISTED,
            actor=actor,
            request=request,
            target=case,
            citizen_id=case.citizen_id,
            cooperation_id=case.cooperation_id,
            detail={"count": count},
        )


def disclosure_forward(
    *,
    actor: Any,
    disclosure: Disclosure,
    recipient: Organisation,
    basis_code: str,
    justification: str,
    request: HttpRequest | None = None,
) -> Disclosure:
    """Pass information one's organisation received on to another organisation.

    Information carrying the onward-disclosure ban (every § 115 basis) is never passed on: the request is
    refused with the ban's citation, audited as denied, and nothing changes. Otherwise the onward
    disclosure needs its own basis that covers the new recipient (typically the citizen's consent) and a
    justification, and it keeps every restriction the information came with.
    """
    case = disclosure.case
    access = case_access(actor, case)
    received_by = sorted(access.organisation_ids & {o.pk for o in disclosure.recipients.all()})
    reasons: list[str] = []
    if not received_by:
        reasons.append(_("Kun en organisation, der har modtaget oplysningerne, kan videregive dem."))
    if disclosure.has_restriction(RestrictionCode.NO_ONWARD_DISCLOSURE):
        ban = Restriction.objects.filter(code=RestrictionCode.NO_ONWARD_DISCLOSURE).first()
        reasons.append(
            _("Oplysningerne er delt efter »%(basis)s« og må ikke videregives uden for samarbejdet"
              "%(citation)s.")
            % {
                "basis": disclosure.legal_basis_name,
                "citation": f" ({ban.citation})" if ban is not None and ban.citation else "",
            }
        )
    reasons += _justification_reasons(justification)
    decision = None
    if not reasons:
        decision = check_basis(
            basis_code=basis_code,
            cooperation=case.cooperation,
            from_organisation=Organisation.objects.get(pk=received_by[0]),
            to_organisations=[recipient],
            citizen=case.citizen,
            purpose=disclosure.purpose,
            categories=disclosure.categories,
        )
        reasons += decision.reasons
    if reasons or decision is None or decision.rule is None:
        raise _deny(
            action=actions.DISCLOSURE_FORWARDED, actor=actor, request=request, target=disclosure, case=case,
            reasons=reasons, basis_code=basis_code,
        )
    with transaction.atomic():
        onward = Disclosure.objects.create(
            kind=DisclosureKind.FORWARD,
            cooperation=case.cooperation,
            case=case,
            citizen_id=case.citizen_id,
            subject_type=disclosure.subject_type,
            subject_id=disclosure.subject_id,
            journal_entry=disclosure.journal_entry,
            forwarded_from=disclosure,
            source_organisation_id=received_by[0],
            disclosed_by=actor,
            legal_basis_code=decision.rule.code,
            legal_basis_name=decision.rule.name,
            legal_basis_citation=decision.rule.citation,
            purpose=disclosure.purpose,
            justification=justification.strip(),
            categories=disclosure.categories,
            restrictions=list(dict.fromkeys([*disclosure.restrictions, *decision.rule.restrictions])),
        )
        onward.recipients.set([recipient])
        audit_record(
            action=actions.DISCLOSURE_FORWARDED,
            actor=actor,
            request=request,
            target=onward,
            citizen_id=case.citizen_id,
            cooperation_id=case.cooperation_id,
            organisation_id=received_by[0],
            purpose=decision.rule.code,
            detail={"case": case.pk, "forwarded_from": disclosure.pk, "recipient": recipient.pk},
        )
    return onward


# Identification --------------------------------------------------------------------------------


def case_identify(
    *,
    actor: Any,
    case: Case,
    citizen: Citizen | NewCitizen,
    basis_code: str,
    justification: str,
    organisation: Organisation | None = None,
    categories: Sequence[str] = (DataCategory.OTHER,),
    request: HttpRequest | None = None,
) -> Case:
    """Identify an anonymous discussion: link the citizen (an existing one, or a new one registered
    through ``citizens.services``) on a recorded legal basis with a necessity justification.

    Only a person working on the case for an involved organisation may do it, only with a basis that
    may identify and applies from that organisation to the other involved organisations, and only with
    a justification. The identity is recorded as a disclosure to the other involved organisations.
    Raises ``SharingRefused`` (nothing changes) or ``DuplicatesFound`` (only the duplicate search is
    recorded) for a new citizen who may already be registered.
    """
    access = case_access(actor, case)
    reasons: list[str] = []
    if organisation is None and access.organisation_ids:
        organisation = Organisation.objects.get(pk=min(access.organisation_ids))
    if organisation is None or organisation.pk not in access.organisation_ids:
        reasons.append(
            _("Kun en nøgleperson fra en organisation, der er involveret i sagen, kan identificere borgeren.")
        )
    if case.state != CaseState.ANONYMOUS:
        reasons.append(_("Sagen er allerede identificeret."))
    reasons += _justification_reasons(justification)
    if isinstance(citizen, Citizen) and citizen.cooperation_id != case.cooperation_id:
        reasons.append(_("Borgeren er registreret i et andet samarbejde."))
    if isinstance(citizen, NewCitizen) and not " ".join(citizen.full_name.split()):
        reasons.append(_("Skriv borgerens navn."))
    recipients = _organisations(involved_organisation_ids(case) - {organisation.pk if organisation else 0})
    decision = None
    if organisation is not None:
        decision = check_basis(
            basis_code=basis_code,
            cooperation=case.cooperation,
            from_organisation=organisation,
            to_organisations=recipients,
            citizen=citizen if isinstance(citizen, Citizen) else None,
            purpose=Purpose.IDENTIFICATION,
            categories=categories,
            for_identification=True,
        )
        reasons += decision.reasons
    if reasons or decision is None or decision.rule is None or organisation is None:
        raise _deny(
            action=actions.CASE_IDENTIFIED, actor=actor, request=request, target=case, case=case,
            reasons=reasons, basis_code=basis_code,
        )
    rule = decision.rule
    duplicates: list[Duplicate] = []
    with transaction.atomic():
        linked = citizen if isinstance(citizen, Citizen) else None
        if isinstance(citizen, NewCitizen):
            try:
                registration = citizen_register(
                    actor=actor,
                    cooperation=case.cooperation,
                    organisation=organisation,
                    full_name=citizen.full_name,
                    cpr=citizen.cpr,
                    birth_date=citizen.birth_date,
                    sex=citizen.sex,
                    address=citizen.address,
                    phone=citizen.phone,
                    confirmed_distinct=citizen.confirmed_distinct,
                    request=request,
                )
            except CitizenError as exc:
                raise SharingRefused([str(exc)]) from exc
            linked, duplicates = registration.citizen, registration.duplicates
        if linked is not None:
            identity = None
            if recipients:
                identity = Disclosure.objects.create(
                    kind=DisclosureKind.IDENTITY,
                    cooperation=case.cooperation,
                    case=case,
                    citizen_id=linked.pk,
                    subject_type=SubjectType.IDENTITY,
                    subject_id=str(linked.pk),
                    source_organisation=organisation,
                    disclosed_by=actor,
                    legal_basis_code=rule.code,
                    legal_basis_name=rule.name,
                    legal_basis_citation=rule.citation,
                    purpose=Purpose.IDENTIFICATION,
                    justification=justification.strip(),
                    categories=list(categories),
                    restrictions=list(rule.restrictions),
                )
                identity.recipients.set(recipients)
                _audit_disclosure(identity, actor=actor, request=request, detail={"case": case.pk})
            try:
                case_transition(
                    actor=actor,
                    case=case,
                    to_state=CaseState.IDENTIFIED,
                    action=actions.CASE_IDENTIFIED,
                    changes={
                        "citizen": linked,
                        "identification_legal_basis": rule.code,
                        "identification_justification": justification.strip(),
                        "identified_by": actor,
                        "identified_at": timezone.now(),
                    },
                    detail={"basis": rule.code, "disclosure": identity.pk if identity else None},
                    request=request,
                )
            except (CaseError, PermissionDenied) as exc:
                raise SharingRefused([str(exc)]) from exc
    if duplicates:
        raise DuplicatesFound(duplicates)
    return case


# Consent ---------------------------------------------------------------------------------------


def consent_record(
    *,
    actor: Any,
    case: Case,
    organisation: Organisation,
    purposes: Sequence[str],
    sectors: Sequence[str],
    categories: Sequence[str],
    form: str,
    given_at: datetime,
    expires_at: datetime | None = None,
    organisations: Iterable[Organisation] = (),
    purpose_text: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> Consent:
    """Record the consent of the case's citizen to sharing in the case's cooperation, within a scope."""
    access = case_access(actor, case)
    cooperation: Cooperation = case.cooperation
    organisations = list(organisations)
    reasons: list[str] = []
    if organisation.pk not in access.organisation_ids:
        reasons.append(
            _("Kun en nøgleperson fra en organisation, der er involveret i sagen, kan registrere samtykke.")
        )
    if case.citizen_id is None:
        reasons.append(_("Sagen er ikke identificeret; et samtykke knyttes til en registreret borger."))
    if not purposes or any(p not in Purpose.values for p in purposes):
        reasons.append(_("Vælg mindst ét formål fra listen."))
    if not sectors or any(s not in Sector.values and s != ANY_SECTOR for s in sectors):
        reasons.append(_("Vælg mindst én sektor, samtykket omfatter."))
    reasons += _category_reasons(list(categories))
    if form not in ConsentForm.values:
        reasons.append(_("Angiv om samtykket er givet skriftligt eller mundtligt."))
    now = timezone.now()
    if given_at > now:
        reasons.append(_("Samtykket kan ikke være givet i fremtiden."))
    if expires_at is not None and expires_at <= given_at:
        reasons.append(_("Udløbsdatoen skal ligge efter datoen, samtykket blev givet."))
    participations = CooperationOrganisation.objects.filter(cooperation=cooperation)
    participating = set(participations.values_list("organisation_id", flat=True))
    outside = [o.name for o in organisations if o.pk not in participating]
    if outside:
        reasons.append(_("Deltager ikke i samarbejdet: %(names)s.") % {"names": ", ".join(outside)})
    if reasons:
        raise _deny(
            action=actions.CITIZEN_CONSENT_RECORDED, actor=actor, request=request, target=case, case=case,
            reasons=reasons, organisation_id=organisation.pk,
        )
    with transaction.atomic():
        consent = Consent.objects.create(
            citizen_id=case.citizen_id,
            cooperation=cooperation,
            purposes=list(dict.fromkeys(purposes)),
            purpose_text=purpose_text.strip(),
            sectors=list(dict.fromkeys(sectors)),
            categories=list(dict.fromkeys(categories)),
            form=form,
            note=note.strip(),
            given_at=given_at,
            expires_at=expires_at,
            recorded_by=actor,
            recorded_by_organisation=organisation,
            recorded_at=now,
        )
        consent.organisations.set(organisations)
        audit_record(
            action=actions.CITIZEN_CONSENT_RECORDED,
            actor=actor,
            request=request,
            target=consent,
            citizen_id=case.citizen_id,
            cooperation_id=cooperation.pk,
            organisation_id=organisation.pk,
            detail={"case": case.pk, "purposes": consent.purposes, "sectors": consent.sectors},
        )
    return consent


def consent_withdraw(
    *, actor: Any, case: Case, consent: Consent, note: str = "", request: HttpRequest | None = None
) -> Consent:
    """Withdraw a consent now. The engine reads consent on every check, so the next request already
    finds it withdrawn."""
    access = case_access(actor, case)
    reasons: list[str] = []
    if not access.organisation_ids:
        reasons.append(
            _("Kun en nøgleperson fra en organisation, der er involveret i sagen, kan tilbagekalde samtykke.")
        )
    if consent.citizen_id != case.citizen_id or consent.cooperation_id != case.cooperation_id:
        reasons.append(_("Samtykket hører ikke til sagens borger."))
    if consent.withdrawn_at is not None:
        reasons.append(_("Samtykket er allerede trukket tilbage."))
    if reasons:
        raise _deny(
            action=actions.CITIZEN_CONSENT_WITHDRAWN, actor=actor, request=request, target=consent, case=case,
            reasons=reasons,
        )
    now = timezone.now()
    with transaction.atomic():
        updated = (
            Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True)
            .scoped()
            .update(withdrawn_at=now, withdrawn_by=actor, withdrawal_note=note.strip())
        )
        if updated != 1:
            raise SharingRefused([_("Samtykket er allerede trukket tilbage.")])
        audit_record(
            action=actions.CITIZEN_CONSENT_WITHDRAWN,
            actor=actor,
            request=request,
            target=consent,
            citizen_id=consent.citizen_id,
            cooperation_id=consent.cooperation_id,
            detail={"case": case.pk},
        )
    consent.withdrawn_at, consent.withdrawn_by, consent.withdrawal_note = now, actor, note.strip()
    return consent


# Informing the citizen -------------------------------------------------------------------------


def informing_record(
    *,
    actor: Any,
    case: Case,
    organisation: Organisation,
    is_informed: bool,
    informed_on: date | None = None,
    reason: str = "",
    reason_text: str = "",
    reevaluate_on: date | None = None,
    request: HttpRequest | None = None,
) -> CitizenInforming:
    """Record whether the citizen has been told that they are discussed in the cooperation.

    If not, a reason and a re-evaluation date are required, and the date becomes an open task on the
    case (source "informing") for the lead organisation, owned by the person recording it when they work
    for the lead organisation. A new record closes the previous record's task.
    """
    access = case_access(actor, case)
    today = timezone.localdate()
    reasons: list[str] = []
    if organisation.pk not in access.organisation_ids:
        reasons.append(
            _("Kun en nøgleperson fra en organisation, der er involveret i sagen, kan registrere dette.")
        )
    if case.state == CaseState.CLOSED:
        reasons.append(_("Sagen er lukket. Genåbn den for at ændre i den."))
    if is_informed:
        if informed_on is not None and informed_on > today:
            reasons.append(_("Datoen for orienteringen kan ikke ligge i fremtiden."))
    else:
        if reason not in InformingReason.values:
            reasons.append(_("Vælg hvorfor borgeren ikke er orienteret."))
        elif reason == InformingReason.OTHER and not reason_text.strip():
            reasons.append(_("Uddyb grunden, når du vælger »Anden grund«."))
        if reevaluate_on is None:
            reasons.append(_("Angiv hvornår det skal vurderes igen, om borgeren kan orienteres."))
        elif reevaluate_on <= today:
            reasons.append(_("Datoen for genvurdering skal ligge efter i dag."))
    if reasons:
        raise _deny(
            action=actions.CASE_INFORMING_RECORDED, actor=actor, request=request, target=case, case=case,
            reasons=reasons, organisation_id=organisation.pk,
        )
    now = timezone.now()
    with transaction.atomic():
        try:
            previous = list(case.tasks.filter(source=INFORMING_TASK_SOURCE, status=TaskStatus.OPEN))
            for open_task in previous:
                task_set_status(actor=actor, task=open_task, status=TaskStatus.DONE, request=request)
            task = None
            if not is_informed:
                lead = case.lead_organisation
                task = task_add(
                    actor=actor,
                    case=case,
                    title=_("Vurdér igen, om borgeren kan orienteres om, at sagen drøftes i samarbejdet"),
                    owner_organisation=lead,
                    # The person who decided owns the re-evaluation when they work for the lead
                    # organisation; otherwise it is on the lead organisation's list to take.
                    owner=actor
                    if lead is not None
                    and lead.pk in case_worker_organisations(actor).get(case.cooperation_id, set())
                    else None,
                    due_date=reevaluate_on,
                    source=INFORMING_TASK_SOURCE,
                    request=request,
                )
        except (CaseError, PermissionDenied) as exc:
            raise SharingRefused([str(exc)]) from exc
        record = CitizenInforming.objects.create(
            case=case,
            is_informed=is_informed,
            informed_on=informed_on if is_informed else None,
            reason="" if is_informed else reason,
            reason_text="" if is_informed else reason_text.strip(),
            reevaluate_on=None if is_informed else reevaluate_on,
            task=task,
            recorded_by=actor,
            recorded_by_organisation=organisation,
            recorded_at=now,
        )
        audit_record(
            action=actions.CASE_INFORMING_RECORDED,
            actor=actor,
            request=request,
            target=record,
            citizen_id=case.citizen_id,
            cooperation_id=case.cooperation_id,
            organisation_id=organisation.pk,
            detail={
                "case": case.pk,
                "is_informed": is_informed,
                "reason": record.reason,
                "task": task.pk if task else None,
                "closed_tasks": [t.pk for t in previous],
            },
        )
    return record


# Print and export ------------------------------------------------------------------------------


@dataclass
class SharedPrintout:
    """What a print or export of a case's shared entries shows: the entries the person may open, how
    many were withheld from them, and the confidentiality marking of every restriction involved."""

    case: Case
    disclosures: list[Disclosure]
    withheld: int
    markings: list[Restriction] = field(default_factory=list)


def case_shared_printout(
    *, actor: Any, case: Case, disclosures: Iterable[Disclosure], export: bool = False,
    request: HttpRequest | None = None,
) -> SharedPrintout:
    """Prepare (and audit) a print or export of the case's shared entries: entries the person may not
    open are withheld, and the page carries the marking of every restriction on what is shown."""
    access = case_access(actor, case)
    shown, withheld = [], 0
    for disclosure in disclosures:
        if investigative_block_applies(access, disclosure):
            withheld += 1
        else:
            shown.append(disclosure)
    codes = sorted({code for d in shown for code in d.restrictions})
    markings = list(Restriction.objects.filter(code__in=codes).order_by("code"))
    with transaction.atomic():
        audit_record(
            action=actions.CASE_SHARED_EXPORTED if export else actions.CASE_PRINTED,
            actor=actor,
            request=request,
            target=case,
            citizen_id=case.citizen_id,
            cooperation_id=case.cooperation_id,
            detail={"disclosures": [d.pk for d in shown], "withheld": withheld, "restrictions": codes},
        )
    return SharedPrintout(case=case, disclosures=shown, withheld=withheld, markings=markings)
