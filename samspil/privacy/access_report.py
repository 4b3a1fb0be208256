"""The citizen's access report (GDPR Art. 15), produced by the data protection officer as PDF or JSON.

What it holds: the citizen's data (the CPR number in full: the report goes to the citizen), the cases
(states, dates, involved organisations), the journal entries that were shared in the cooperation, the
disclosures with their legal basis, purpose, data categories and restrictions, consents, the records of
whether the citizen was informed, corrections made, and the access log: every audit event about the
citizen by date, organisation and purpose. Never the names or ids of the employees who looked (CJEU
C-579/21 and Datatilsynet's 2024 decision: the citizen is owed the dates and purposes of look-ups, not the
identity of the staff).

The concerns of radicalisation about the citizen (linked to one of their cases) are listed with when
they were raised and by which organisation, their steps with dates, the organisations involved, the dates
of the assessments, the decision and the kinds of intervention, the plan's dates, the reviews, the
closing reason, and what was shared in them on which legal basis (like the case disclosures). What was
seen or heard, the interview, the assessments' content and the notes are the lead contacts' working
texts, which may name the people who raised the concern: the report says the citizen may ask the
organisations for them, as for the entries only their author sees.

Entries that the police have withheld (``AccessExemption``) are left out with their disclosures and the
log lines about them; the report says only "N notater tilbageholdt efter <reference>". A concern handed
to the police is withheld the same way, whole and without needing an exemption: from the hand-over it is
the police's (the SOP's "the most serious concerns are handled by the police alone"), and telling the
citizen that a concern of radicalisation about them went to the police, when, or who shared what in it
could harm the police's prevention or investigation (databeskyttelsesloven § 22; for the police's own
data retshåndhævelsesloven). It stays out after closing, because Samspil cannot know when the police's
interest ends: the citizen asks the police, who decide on their own records. Its disclosures and the log
lines about it go with it, and the report says only "oplysninger om N forløb tilbageholdt efter
<reference>", a wording that does not say it was a concern; nor does the report ever say that no
concern exists. Free texts written only for internal use (an exemption's reason, a hold's reason, a
concern's notes) never appear.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samspil.audit import actions
from samspil.audit.actions import label_for
from samspil.audit.models import Outcome
from samspil.audit.services import audit_record
from samspil.cases.models import CaseState, EntryVisibility, JournalEntry
from samspil.citizens.cpr import cpr_format
from samspil.citizens.models import Citizen
from samspil.citizens.services import citizen_cpr
from samspil.concerns.models import Concern, ConcernDisclosure, ConcernStatus
from samspil.organisations.models import Organisation
from samspil.sharing.models import (
    CitizenInforming,
    Consent,
    DataCategory,
    Disclosure,
    LegalBasis,
    Purpose,
    RestrictionCode,
)

from .models import DEFAULT_EXEMPTION_REFERENCE, CitizenRectification, ExemptionSubject, RectifiableField
from .selectors import (
    citizen_access_events,
    citizen_cases,
    citizen_concerns,
    exemptions_of_citizen,
    organisation_names,
)

# The reference a concern handed to the police is withheld under (see the module docstring).
CONCERN_WITHHELD_REFERENCE = DEFAULT_EXEMPTION_REFERENCE


@dataclass(frozen=True)
class ReportInvolvement:
    organisation: str
    is_lead: bool
    added_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class ReportStateChange:
    changed_at: datetime
    from_state: str
    to_state: str


@dataclass(frozen=True)
class ReportCase:
    pseudonym: str
    state: str
    opened_at: datetime
    identified_at: datetime | None
    identification_basis: str
    closed_at: datetime | None
    lead_organisation: str
    organisations: list[ReportInvolvement]
    state_changes: list[ReportStateChange]


@dataclass(frozen=True)
class ReportEntry:
    case: str
    written_at: datetime
    organisation: str
    text: str
    shared_with: list[str]


@dataclass(frozen=True)
class ReportDisclosure:
    disclosed_at: datetime
    case: str
    kind: str
    subject: str
    source_organisation: str
    recipients: list[str]
    legal_basis: str
    legal_basis_citation: str
    purpose: str
    justification: str
    categories: list[str]
    restrictions: list[str]


@dataclass(frozen=True)
class ReportConsent:
    given_at: datetime
    form: str
    purposes: list[str]
    purpose_text: str
    sectors: list[str]
    organisations: list[str]
    categories: list[str]
    expires_at: datetime | None
    withdrawn_at: datetime | None
    recorded_by_organisation: str


@dataclass(frozen=True)
class ReportInforming:
    case: str
    recorded_at: datetime
    is_informed: bool
    informed_on: date | None
    reason: str
    reevaluate_on: date | None
    organisation: str


@dataclass(frozen=True)
class ReportRectification:
    rectified_at: datetime
    field: str
    organisation: str


@dataclass(frozen=True)
class ReportAccessLine:
    """One use of the citizen's data: when, which organisation, what and with which outcome. No person."""

    occurred_at: datetime
    organisation: str
    action: str
    purpose: str
    outcome: str


@dataclass(frozen=True)
class ReportConcernInvolvement:
    organisation: str
    added_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class ReportConcernAssessment:
    """That an assessment was made, when and by which organisation; its content is not in the report."""

    assessed_at: datetime
    organisation: str


@dataclass(frozen=True)
class ReportConcernReview:
    months: int
    due_on: date
    completed_at: datetime | None


@dataclass(frozen=True)
class ReportConcern:
    reference: str
    case: str
    raised_at: datetime
    raised_by_organisation: str
    status: str
    steps: list[ReportStateChange]
    organisations: list[ReportConcernInvolvement]
    assessments: list[ReportConcernAssessment]
    decision: str
    decided_at: datetime | None
    interventions: list[str]
    intervention_started_on: date | None
    intervention_planned_end_on: date | None
    intervention_ended_on: date | None
    reviews: list[ReportConcernReview]
    closed_at: datetime | None
    closing_reason: str


@dataclass(frozen=True)
class ReportConcernDisclosure:
    disclosed_at: datetime
    concern: str
    source_organisation: str
    recipients: list[str]
    legal_basis: str
    legal_basis_citation: str
    purpose: str
    justification: str
    categories: list[str]
    restrictions: list[str]


@dataclass(frozen=True)
class ReportWithheld:
    """What is withheld under one legal reference: the police's journal entries and, in words that do not
    say what they are, the other records (concerns handed to the police)."""

    legal_reference: str
    entries: int
    other_records: int = 0


@dataclass(frozen=True)
class ReportCitizen:
    full_name: str
    cpr: str
    birth_date: date | None
    sex: str
    address: str
    phone: str
    pseudonym: str
    registered_at: datetime
    registered_by_organisation: str


@dataclass
class AccessReport:
    produced_at: datetime
    cooperation: str
    produced_by_organisation: str
    citizen: ReportCitizen
    cases: list[ReportCase] = field(default_factory=list)
    shared_entries: list[ReportEntry] = field(default_factory=list)
    unshared_entries: list[tuple[str, int]] = field(default_factory=list)
    disclosures: list[ReportDisclosure] = field(default_factory=list)
    concerns: list[ReportConcern] = field(default_factory=list)
    concern_disclosures: list[ReportConcernDisclosure] = field(default_factory=list)
    consents: list[ReportConsent] = field(default_factory=list)
    informing: list[ReportInforming] = field(default_factory=list)
    rectifications: list[ReportRectification] = field(default_factory=list)
    access_log: list[ReportAccessLine] = field(default_factory=list)
    withheld: list[ReportWithheld] = field(default_factory=list)

    @property
    def withheld_entries(self) -> int:
        return sum(w.entries for w in self.withheld)

    @property
    def withheld_other_records(self) -> int:
        return sum(w.other_records for w in self.withheld)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["unshared_entries"] = [{"organisation": o, "entries": n} for o, n in self.unshared_entries]
        return data


def _labels(choices: Any, codes: Any) -> list[str]:
    labels = dict(choices)
    return [str(labels.get(code, code)) for code in codes or []]


def access_report_build(*, citizen: Citizen, produced_by_organisation: Organisation | None) -> AccessReport:
    """Collect everything the report shows about ``citizen`` (the caller has checked the DPO's access).

    The citizen is the scope of every query here (marked ``.scoped()``). A fixed number of queries,
    whatever the number of cases, entries, disclosures or events.
    """
    cases = list(
        citizen_cases(citizen).prefetch_related("involvements__organisation", "state_changes")
    )
    case_ids = [case.pk for case in cases]
    pseudonyms = {case.pk: case.pseudonym for case in cases}
    exemptions = list(exemptions_of_citizen(citizen))
    withheld_entry_ids = {
        int(e.subject_id) for e in exemptions if e.subject_type == ExemptionSubject.JOURNAL_ENTRY
    }
    by_reference = Counter(e.legal_reference for e in exemptions)
    states = dict(CaseState.choices)
    concerns = list(citizen_concerns(citizen))
    withheld_concerns = [c for c in concerns if c.is_with_police]  # type: ignore[attr-defined]
    concerns = [c for c in concerns if not c.is_with_police]  # type: ignore[attr-defined]
    other_by_reference: Counter[str] = Counter()
    if withheld_concerns:
        other_by_reference[CONCERN_WITHHELD_REFERENCE] = len(withheld_concerns)

    disclosures = [
        d
        for d in Disclosure.objects.filter(case_id__in=case_ids)
        .select_related("source_organisation")
        .prefetch_related("recipients")
        .order_by("disclosed_at", "pk")
        .scoped()
        if not _is_withheld(d, withheld_entry_ids)
    ]
    withheld_disclosure_ids = set(
        Disclosure.objects.filter(case_id__in=case_ids).values_list("pk", flat=True).scoped()
    ) - {d.pk for d in disclosures}
    shared_with: dict[int, list[str]] = {}
    for disclosure in disclosures:
        if disclosure.journal_entry_id is not None:
            names = shared_with.setdefault(disclosure.journal_entry_id, [])
            names.extend(o.name for o in disclosure.recipients.all() if o.name not in names)

    entries = (
        JournalEntry.objects.filter(case_id__in=case_ids)
        .select_related("organisation")
        .order_by("created_at", "pk")
        .scoped()
    )
    shared_entries: list[ReportEntry] = []
    unshared: Counter[str] = Counter()
    for entry in entries:
        if entry.pk in withheld_entry_ids:
            continue
        if entry.visibility == EntryVisibility.SHARED or entry.pk in shared_with:
            shared_entries.append(
                ReportEntry(
                    case=pseudonyms[entry.case_id],
                    written_at=entry.created_at,
                    organisation=entry.organisation.name,
                    text=entry.text,
                    shared_with=sorted(shared_with.get(entry.pk, [])),
                )
            )
        else:
            unshared[entry.organisation.name] += 1

    events = list(citizen_access_events(citizen))
    hidden_objects = (
        {("cases.journalentry", str(pk)) for pk in withheld_entry_ids}
        | {("sharing.disclosure", str(pk)) for pk in withheld_disclosure_ids}
        | {(Concern._meta.label_lower, str(c.pk)) for c in withheld_concerns}
    )
    events = [e for e in events if (e.object_type, e.object_id) not in hidden_objects]
    organisations = organisation_names(e.organisation_id for e in events)
    outcomes = dict(Outcome.choices)
    # Identification bases, and the codes some events record as their purpose, named as the law does.
    basis_codes = {case.identification_legal_basis for case in cases} | {e.purpose for e in events if e.purpose}
    bases = {b.code: b for b in LegalBasis.objects.filter(code__in=sorted(basis_codes))}

    return AccessReport(
        produced_at=timezone.now(),
        cooperation=citizen.cooperation.name,
        produced_by_organisation=produced_by_organisation.name if produced_by_organisation else "",
        citizen=ReportCitizen(
            full_name=citizen.full_name,
            cpr=cpr_format(digits) if (digits := citizen_cpr(citizen)) else "",
            birth_date=citizen.birth_date,
            sex=citizen.get_sex_display() if citizen.sex else "",
            address=citizen.address,
            phone=citizen.phone,
            pseudonym=citizen.pseudonym,
            registered_at=citizen.created_at,
            registered_by_organisation=(
                citizen.registered_by_organisation.name if citizen.registered_by_organisation else ""
            ),
        ),
        cases=[
            ReportCase(
                pseudonym=case.pseudonym,
                state=str(states.get(case.state, case.state)),
                opened_at=case.opened_at,
                identified_at=case.identified_at,
                identification_basis=_basis_text(bases.get(case.identification_legal_basis), case),
                closed_at=case.closed_at,
                lead_organisation=case.lead_organisation.name,
                organisations=[
                    ReportInvolvement(i.organisation.name, i.is_lead, i.added_at, i.ended_at)
                    for i in sorted(case.involvements.all(), key=lambda i: (i.added_at, i.pk))
                ],
                state_changes=[
                    ReportStateChange(
                        s.changed_at,
                        str(states.get(s.from_state, s.from_state)),
                        str(states.get(s.to_state, s.to_state)),
                    )
                    for s in case.state_changes.all()
                ],
            )
            for case in cases
        ],
        shared_entries=shared_entries,
        unshared_entries=sorted(unshared.items()),
        disclosures=[
            ReportDisclosure(
                disclosed_at=d.disclosed_at,
                case=pseudonyms.get(d.case_id, ""),
                kind=d.get_kind_display(),
                subject=d.get_subject_type_display(),
                source_organisation=d.source_organisation.name,
                recipients=sorted(o.name for o in d.recipients.all()),
                legal_basis=d.legal_basis_name,
                legal_basis_citation=d.legal_basis_citation,
                purpose=d.get_purpose_display(),
                justification=d.justification,
                categories=d.category_labels,
                restrictions=d.restriction_labels,
            )
            for d in disclosures
        ],
        concerns=[_report_concern(c) for c in concerns],
        concern_disclosures=[
            _report_concern_disclosure(d, concern=c) for c in concerns for d in c.disclosures.all()
        ],
        consents=[
            ReportConsent(
                given_at=c.given_at,
                form=c.get_form_display(),
                purposes=c.purpose_labels,
                purpose_text=c.purpose_text,
                sectors=c.sector_labels,
                organisations=sorted(o.name for o in c.organisations.all()),
                categories=c.category_labels,
                expires_at=c.expires_at,
                withdrawn_at=c.withdrawn_at,
                recorded_by_organisation=c.recorded_by_organisation.name,
            )
            for c in Consent.objects.filter(citizen=citizen)
            .select_related("recorded_by_organisation")
            .prefetch_related("organisations")
            .order_by("given_at", "pk")
            .scoped()
        ],
        informing=[
            ReportInforming(
                case=pseudonyms.get(r.case_id, ""),
                recorded_at=r.recorded_at,
                is_informed=r.is_informed,
                informed_on=r.informed_on,
                reason=r.get_reason_display() if r.reason else "",
                reevaluate_on=r.reevaluate_on,
                organisation=r.recorded_by_organisation.name,
            )
            for r in CitizenInforming.objects.filter(case_id__in=case_ids)
            .select_related("recorded_by_organisation")
            .order_by("recorded_at", "pk")
            .scoped()
        ],
        rectifications=[
            ReportRectification(
                r.rectified_at,
                str(dict(RectifiableField.choices).get(r.field, r.field)),
                r.rectified_by_organisation.name,
            )
            for r in CitizenRectification.objects.filter(citizen=citizen)
            .select_related("rectified_by_organisation")
            .order_by("rectified_at", "pk")
            .scoped()
        ],
        access_log=[
            ReportAccessLine(
                occurred_at=e.occurred_at,
                organisation=(
                    organisations.get(e.organisation_id, "") if e.organisation_id else _("Samspil (system)")
                ),
                action=label_for(e.action),
                purpose=_purpose_text(e.purpose, bases),
                outcome=str(outcomes.get(e.outcome, e.outcome)),
            )
            for e in events
        ],
        withheld=[
            ReportWithheld(reference, by_reference[reference], other_by_reference[reference])
            for reference in sorted(set(by_reference) | set(other_by_reference))
        ],
    )


def _report_concern(concern: Concern) -> ReportConcern:
    """What the citizen is owed of one concern: dates, organisations, steps, the decision and the kinds of
    intervention, and the closing reason. Never the people, nor the working texts (observation,
    interview, triage, assessments, recommendation, notes)."""
    statuses = dict(ConcernStatus.choices)
    plan = getattr(concern, "plan", None)
    return ReportConcern(
        reference=concern.reference,
        case=concern.case.pseudonym if concern.case else "",
        raised_at=concern.raised_at,
        raised_by_organisation=concern.raised_by_organisation.name,
        status=str(statuses.get(concern.status, concern.status)),
        steps=[
            ReportStateChange(
                t.at,
                str(statuses.get(t.from_status, t.from_status)) if t.from_status else "",
                str(statuses.get(t.to_status, t.to_status)),
            )
            for t in concern.transitions.all()
        ],
        organisations=[
            ReportConcernInvolvement(i.organisation.name, i.added_at, i.ended_at)
            for i in concern.involvements.all()
        ],
        assessments=[
            ReportConcernAssessment(
                a.created_at, a.created_by_organisation.name if a.created_by_organisation else ""
            )
            for a in concern.assessments.all()
        ],
        decision=concern.get_decision_display() if concern.decision else "",
        decided_at=concern.decided_at,
        interventions=concern.intervention_labels,
        intervention_started_on=plan.started_on if plan else None,
        intervention_planned_end_on=plan.planned_end_on if plan else None,
        intervention_ended_on=plan.ended_on if plan else None,
        reviews=[ReportConcernReview(r.months, r.due_on, r.completed_at) for r in concern.reviews.all()],
        closed_at=concern.closed_at,
        closing_reason=concern.closing_reason if concern.status == ConcernStatus.CLOSED else "",
    )


def _report_concern_disclosure(disclosure: ConcernDisclosure, *, concern: Concern) -> ReportConcernDisclosure:
    """A disclosure in a concern, as the case disclosures are shown: metadata, not the text shared."""
    return ReportConcernDisclosure(
        disclosed_at=disclosure.shared_at,
        concern=concern.reference,
        source_organisation=disclosure.source_organisation.name,
        recipients=[o.name for o in disclosure.recipients.all()],
        legal_basis=disclosure.legal_basis_name,
        legal_basis_citation=disclosure.legal_basis_citation,
        purpose=str(dict(Purpose.choices).get(disclosure.purpose, disclosure.purpose)),
        justification=disclosure.justification,
        categories=_labels(DataCategory.choices, disclosure.categories),
        restrictions=_labels(RestrictionCode.choices, disclosure.restrictions),
    )


def _purpose_text(purpose: str, bases: dict[str, LegalBasis]) -> str:
    """An event's purpose as the citizen reads it: the sharing purposes and legal-basis codes that
    sharing events record are named; retention is said in words; other purposes are already text."""
    purposes = dict(Purpose.choices)
    if purpose in purposes:
        return str(purposes[purpose])
    if purpose in bases:
        return _basis_text(bases[purpose], None)
    if purpose == "retention":
        return _("Sletning efter slettefristen")
    return purpose


def _is_withheld(disclosure: Disclosure, withheld_entry_ids: set[int]) -> bool:
    if disclosure.journal_entry_id in withheld_entry_ids:
        return True
    return disclosure.subject_type == "journal_entry" and disclosure.subject_id.isdigit() and int(
        disclosure.subject_id
    ) in withheld_entry_ids


def _basis_text(basis: LegalBasis | None, case: Any) -> str:
    if basis is not None:
        return f"{basis.name} ({basis.citation})" if basis.citation else basis.name
    return str(case.identification_legal_basis or "")


def access_report_json(report: AccessReport) -> bytes:
    return json.dumps(report.as_dict(), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def access_report_pdf(report: AccessReport) -> bytes:
    from weasyprint import HTML  # imported here: loading WeasyPrint is slow and only the report needs it

    html = render_to_string("privacy/access_report_pdf.html", {"report": report})
    return bytes(HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf())


REPORT_FORMATS = ("pdf", "json")


def access_report_produce(
    *,
    actor: Any,
    citizen: Citizen,
    report_format: str,
    produced_by_organisation: Organisation | None,
    request: HttpRequest | None = None,
) -> tuple[AccessReport, bytes]:
    """Build the report, render it as ``report_format`` (pdf or json) and record that it was produced
    (ACCESS_REPORT_PRODUCED with the citizen's id and counts only), in one transaction."""
    if report_format not in REPORT_FORMATS:
        raise ValueError(f"Unknown report format {report_format!r}")
    with transaction.atomic():
        report = access_report_build(citizen=citizen, produced_by_organisation=produced_by_organisation)
        content = access_report_pdf(report) if report_format == "pdf" else access_report_json(report)
        audit_record(
            action=actions.ACCESS_REPORT_PRODUCED,
            actor=actor,
            request=request,
            target=citizen,
            citizen_id=citizen.pk,
            cooperation_id=citizen.cooperation_id,
            organisation_id=produced_by_organisation.pk if produced_by_organisation else None,
            purpose=gettext_lazy("Indsigt efter databeskyttelsesforordningens artikel 15"),
            detail={
                "format": report_format,
                "cases": len(report.cases),
                "disclosures": len(report.disclosures),
                "access_log_lines": len(report.access_log),
                "withheld_entries": report.withheld_entries,
                "concerns": len(report.concerns),
                "withheld_other_records": report.withheld_other_records,
            },
        )
    return report, content
