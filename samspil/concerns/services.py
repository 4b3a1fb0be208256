"""Writes (and audited reads) of concerns. Each service checks, again, that the actor may act on the
concern (views check first to answer 404/403), runs in one transaction and records its audit event in
it. A refusal a person should read is a ``ConcernError`` (one message, optionally for a form field) or
a ``ConcernRefused`` (every reason, for sharing); the views show it and keep what was typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from samspil.audit import actions
from samspil.audit.models import Outcome
from samspil.audit.services import audit_record
from samspil.cases.models import Case
from samspil.cases.policies import case_access
from samspil.cases.selectors import cases_visible_to
from samspil.cases.services import CaseError, case_open_anonymous
from samspil.core.roles import Capability, role_has_capability
from samspil.organisations.models import (
    Cooperation,
    CooperationOrganisation,
    Membership,
    Organisation,
    Sector,
)
from samspil.organisations.policies import has_capability
from samspil.organisations.selectors import membership_list
from samspil.sharing.models import DataCategory, Purpose
from samspil.sharing.rules import check_basis

from . import selectors
from .assessments import definition_problems, factors_of, load_data, scale_values
from .deadlines import add_months, end_of_day, hours_after, working_days_after
from .models import (
    Assessment,
    AssessmentTemplate,
    Concern,
    ConcernDisclosure,
    ConcernInvolvement,
    ConcernReview,
    ConcernSettings,
    ConcernSource,
    ConcernStatus,
    ConcernTransition,
    Decision,
    InterventionGoal,
    InterventionKind,
    InterventionPlan,
    LeadContact,
    SignGroup,
    SignOfConcern,
    SubjectKind,
    Triage,
    Urgency,
)
from .policies import ConcernAccess, concern_access

S = ConcernStatus
OBSERVATION_MAX = 5000
TEXT_MAX = 5000
REASON_MAX = 2000
ANSWER_MAX = 3000
DISCLOSURE_MAX = 10000

# The steps a concern may take; decisions and closing have their own services below.
ALLOWED_STEPS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.GATHERING, S.POLICE, S.CLOSED}),
    S.GATHERING: frozenset({S.ASSESSMENT, S.POLICE, S.CLOSED}),
    S.ASSESSMENT: frozenset({S.DECISION, S.POLICE, S.CLOSED}),
    S.DECISION: frozenset({S.FOLLOW_UP, S.POLICE, S.CLOSED}),
    S.FOLLOW_UP: frozenset({S.POLICE, S.CLOSED}),
    S.POLICE: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}
SHARING_STATUSES = (S.GATHERING, S.ASSESSMENT, S.DECISION, S.FOLLOW_UP, S.POLICE)
INVOLVING_STATUSES = (S.GATHERING, S.ASSESSMENT, S.DECISION, S.FOLLOW_UP)
ASSESSING_STATUSES = (S.ASSESSMENT, S.DECISION, S.FOLLOW_UP, S.POLICE)
DESCRIBING_STATUSES = (S.RECEIVED, S.GATHERING, S.ASSESSMENT, S.DECISION)


class ConcernError(ValueError):
    """A refused change, with a Danish message; ``field`` names the form field, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class StaleConcernError(ConcernError):
    """Someone saved the concern while the actor was writing; nothing was saved."""


class ConcernRefused(Exception):
    """Sharing was refused; ``reasons`` says why, one Danish sentence each."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = list(reasons)
        super().__init__(" ".join(self.reasons))


def stale_message() -> str:
    return _(
        "Bekymringen er blevet ændret af en anden, siden du åbnede den. Intet er gemt; din tekst står "
        "herunder, så du kan sammenholde den med den nye version og gemme igen."
    )


# --- Shared checks ------------------------------------------------------------------------------


def _text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ConcernError(_("Feltet skal udfyldes."), field=field)
    if len(value) > limit:
        raise ConcernError(
            _("Teksten er for lang: %(length)s tegn, højst %(limit)s. Intet er gemt; din tekst står "
              "herunder.")
            % {"length": len(value), "limit": limit},
            field=field,
        )
    return value


def _access(actor: Any, concern: Concern) -> ConcernAccess:
    """The actor's access by the concern's current status (the caller's copy may be older)."""
    concern.refresh_from_db(fields=["status"])
    return concern_access(actor, concern)


def _require_details(actor: Any, concern: Concern) -> ConcernAccess:
    access = _access(actor, concern)
    if not access.has_details:
        raise PermissionDenied(_("Du kan ikke se detaljerne i denne bekymring."))
    return access


def _require_lead(actor: Any, concern: Concern) -> ConcernAccess:
    access = _access(actor, concern)
    if not access.may_lead:
        raise PermissionDenied(_("Kun bekymringens tovholdere kan tage dette skridt."))
    return access


def _require_status(concern: Concern, allowed: Iterable[str], message: str) -> None:
    if concern.status not in set(allowed):
        raise ConcernError(message)


def _locked(concern: Concern) -> Concern:
    return Concern.objects.select_for_update().filter(pk=concern.pk).scoped().get()


def _audit(action: str, *, actor: Any, concern: Concern, request: HttpRequest | None, detail: dict[str, Any],
           outcome: str = Outcome.ALLOWED, organisation_id: int | None = None) -> None:
    audit_record(
        action=action,
        actor=actor,
        request=request,
        target=concern,
        citizen_id=concern.case.citizen_id if concern.case_id and concern.case else None,
        cooperation_id=concern.cooperation_id,
        organisation_id=organisation_id,
        outcome=outcome,
        detail={"reference": concern.reference, **detail},
    )


def _is_participant(cooperation_id: int, organisation_id: int) -> bool:
    return CooperationOrganisation.objects.filter(
        cooperation_id=cooperation_id, organisation_id=organisation_id
    ).exists()


# --- Deadlines ----------------------------------------------------------------------------------


def response_due(triage: str, settings: ConcernSettings, at: datetime) -> datetime:
    """The response deadline a triage sets: red in clock hours, amber and green in working days."""
    if triage == Triage.RED:
        return hours_after(at, settings.red_hours)
    days = settings.amber_working_days if triage == Triage.AMBER else settings.green_working_days
    return working_days_after(at, days)


def step_due(concern: Concern, settings: ConcernSettings, now: datetime) -> datetime | None:
    """The deadline of the concern's current step (None when it has none: handed over or closed).

    Step 1 must be done within the configured working days of raising (within the red deadline's hours
    when the raiser said it is acute). Steps 2-4 each get their configured working days from when the
    step began, never later than the triage's response deadline. In step 5 the next review due (or the
    planned end of the intervention) is the deadline.
    """
    status = concern.status
    if status == S.RECEIVED:
        if concern.urgency == Urgency.ACUTE:
            return hours_after(concern.raised_at, settings.red_hours)
        return working_days_after(concern.raised_at, settings.receive_working_days)
    step_days: dict[str, int] = {
        S.GATHERING: settings.gather_working_days,
        S.ASSESSMENT: settings.assess_working_days,
        S.DECISION: settings.decide_working_days,
    }
    days = step_days.get(status)
    if days is not None:
        due = working_days_after(now, days)
        return min(due, concern.response_due_at) if concern.response_due_at else due
    if status == S.FOLLOW_UP:
        review = (
            ConcernReview.objects.filter(concern=concern, completed_at__isnull=True)
            .order_by("due_on")
            .scoped()
            .first()
        )
        if review is not None:
            return end_of_day(review.due_on)
        plan = selectors.plan_of(concern)
        if plan is not None and plan.ended_on is None and plan.planned_end_on is not None:
            return end_of_day(plan.planned_end_on)
    return None


def _move(concern: Concern, to_status: str, *, actor: Any, request: HttpRequest | None, note: str = "",
          now: datetime | None = None) -> None:
    """Change the (locked) concern's status, record the transition and its audit event."""
    now = now or timezone.now()
    from_status = concern.status
    if to_status not in ALLOWED_STEPS[from_status]:
        raise ConcernError(
            _("Bekymringen kan ikke gå fra »%(from)s« til »%(to)s«.")
            % {"from": S(from_status).label, "to": S(to_status).label}
        )
    concern.status = to_status
    concern.status_changed_at = now
    concern.step_due_at = step_due(concern, selectors.settings_for(concern.cooperation_id), now)
    concern.save(update_fields=["status", "status_changed_at", "step_due_at"])
    ConcernTransition.objects.create(concern=concern, from_status=from_status, to_status=to_status, note=note,
                                     actor=actor, at=now)
    _audit(actions.CONCERN_STEP_CHANGED, actor=actor, concern=concern, request=request,
           detail={"from": from_status, "to": to_status})


def _refresh_due(concern: Concern) -> None:
    concern.step_due_at = step_due(concern, selectors.settings_for(concern.cooperation_id), timezone.now())
    Concern.objects.filter(pk=concern.pk).scoped().update(step_due_at=concern.step_due_at)


# --- Raising ------------------------------------------------------------------------------------


def raising_memberships(actor: Any) -> list[Membership]:
    """The actor's memberships through which they may raise a concern (one per cooperation is enough)."""
    return [
        m for m in membership_list(actor)
        if m.cooperation_id is not None and role_has_capability(m.role, Capability.RAISE_CONCERN)
    ]


def _next_reference(cooperation: Cooperation, at: datetime) -> str:
    """B-<year>-<running number> per cooperation; the cooperation row is locked while numbering."""
    Cooperation.objects.select_for_update().filter(pk=cooperation.pk).first()
    prefix = f"B-{timezone.localdate(at).year}-"
    references = Concern.objects.filter(cooperation=cooperation, reference__startswith=prefix).values_list(
        "reference", flat=True
    ).scoped()
    numbers = [int(r.rsplit("-", 1)[1]) for r in references if r.rsplit("-", 1)[1].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


@transaction.atomic
def concern_raise(
    *,
    actor: Any,
    membership: Membership,
    subject_kind: str,
    observation: str,
    urgency: str,
    source: str,
    subject: str = "",
    signs: Iterable[SignOfConcern] = (),
    case: Case | None = None,
    request: HttpRequest | None = None,
) -> Concern:
    """Register a concern. Anyone whose role may raise concerns (frontline workers too) may, through
    one of their own memberships; the lead contacts of the cooperation take it from there."""
    if (
        membership.user_id != getattr(actor, "pk", None)
        or not membership.is_active
        or membership.cooperation is None
        or not role_has_capability(membership.role, Capability.RAISE_CONCERN)
    ):
        raise PermissionDenied(_("Du kan ikke rejse en bekymring i dette samarbejde."))
    cooperation = membership.cooperation
    if subject_kind not in SubjectKind.values:
        raise ConcernError(_("Vælg hvem bekymringen drejer sig om."), field="subject_kind")
    if urgency not in Urgency.values:
        raise ConcernError(_("Vælg hvor meget det haster."), field="urgency")
    if source not in ConcernSource.values:
        raise ConcernError(_("Vælg hvem bekymringen kommer fra."), field="source")
    observation = _text(observation, field="observation", limit=OBSERVATION_MAX)
    subject = _text(subject, field="subject", limit=300, required=False)
    if subject_kind == SubjectKind.IDENTIFIED and not subject:
        raise ConcernError(_("Skriv hvem personen er, fx navn og alder."), field="subject")
    if case is not None and (
        subject_kind != SubjectKind.CASE or case.cooperation_id != cooperation.pk
        or not cases_visible_to(actor).filter(pk=case.pk).exists()
    ):
        raise ConcernError(_("Vælg en sag, du kender, i samarbejdet."), field="case")
    if subject_kind == SubjectKind.CASE and case is None and not subject:
        raise ConcernError(_("Vælg sagen, eller skriv sagens pseudonym."), field="subject")
    signs = list(signs)
    shown = set(selectors.signs_shown(cooperation.pk).values_list("pk", flat=True))
    if any(sign.pk not in shown for sign in signs):
        raise ConcernError(_("Vælg kun blandt de viste tegn."), field="signs")
    now = timezone.now()
    concern = Concern.objects.create(
        cooperation=cooperation,
        reference=_next_reference(cooperation, now),
        subject_kind=subject_kind,
        subject=subject,
        observation=observation,
        urgency=urgency,
        source=source,
        raised_by=actor,
        raised_by_organisation_id=membership.organisation_id,
        raised_at=now,
        status_changed_at=now,
        case=case,
    )
    concern.signs.set(signs)
    concern.step_due_at = step_due(concern, selectors.settings_for(cooperation), now)
    concern.save(update_fields=["step_due_at"])
    ConcernTransition.objects.create(
        concern=concern, from_status="", to_status=S.RECEIVED, actor=actor, at=now
    )
    _audit(
        actions.CONCERN_RAISED, actor=actor, concern=concern, request=request,
        organisation_id=membership.organisation_id,
        detail={"urgency": urgency, "source": source, "subject_kind": subject_kind, "signs": len(signs),
                "case": case.pk if case else None},
    )
    return concern


# --- Audited reads ------------------------------------------------------------------------------


@transaction.atomic
def concern_record_view(
    *, actor: Any, concern: Concern, access: ConcernAccess, request: HttpRequest | None = None
) -> None:
    action = actions.CONCERN_VIEWED if access.has_details else actions.CONCERN_STATUS_VIEWED
    _audit(action, actor=actor, concern=concern, request=request, detail={"status": concern.status})


@transaction.atomic
def concern_record_list(
    *, actor: Any, worked_on: int, raised: int, request: HttpRequest | None = None
) -> None:
    audit_record(action=actions.CONCERN_LISTED, actor=actor, request=request,
                 detail={"worked_on": worked_on, "raised": raised})


@transaction.atomic
def assessment_record_view(*, actor: Any, assessment: Assessment, request: HttpRequest | None = None) -> None:
    _audit(actions.CONCERN_ASSESSMENT_VIEWED, actor=actor, concern=assessment.concern, request=request,
           detail={"assessment": assessment.number})


@transaction.atomic
def assessments_record_comparison(
    *, actor: Any, before: Assessment, after: Assessment, request: HttpRequest | None = None
) -> None:
    _audit(actions.CONCERN_ASSESSMENTS_COMPARED, actor=actor, concern=after.concern, request=request,
           detail={"before": before.number, "after": after.number})


# --- Step 1: received, described, triaged -------------------------------------------------------


@transaction.atomic
def concern_receive(*, actor: Any, concern: Concern, request: HttpRequest | None = None) -> Concern:
    """A lead contact takes the concern: they are now its tovholder."""
    _require_lead(actor, concern)
    locked = _locked(concern)
    _require_status(locked, [S.RECEIVED], _("Bekymringen er allerede modtaget og beskrevet."))
    if locked.lead_contact_id == actor.pk:
        raise ConcernError(_("Du har allerede modtaget bekymringen."))
    previous = locked.lead_contact_id
    locked.lead_contact = actor
    locked.received_at = timezone.now()
    locked.save(update_fields=["lead_contact", "received_at"])
    _audit(actions.CONCERN_RECEIVED, actor=actor, concern=locked, request=request,
           detail={"taken_over_from": previous})
    return locked


def interview_questions() -> list[dict[str, Any]]:
    return list(load_data("interview_guide.json")["questions"])


@transaction.atomic
def concern_describe(
    *,
    actor: Any,
    concern: Concern,
    interview: Mapping[str, str],
    triage: str,
    triage_reason: str,
    version: int,
    request: HttpRequest | None = None,
) -> Concern:
    """Complete the description with the interview guide and triage the concern.

    From step 1 this moves the concern to information gathering; later (until the decision) it
    updates the description, and a changed triage sets a new response deadline from now.
    """
    _require_lead(actor, concern)
    locked = _locked(concern)
    _require_status(
        locked, DESCRIBING_STATUSES, _("Beskrivelsen kan ikke ændres, når der er truffet beslutning.")
    )
    answers: dict[str, str] = {}
    for question in interview_questions():
        code = question["code"]
        answers[code] = _text(interview.get(code, ""), field=f"q_{code}", limit=ANSWER_MAX,
                              required=bool(question.get("required")))
    if triage not in Triage.values:
        raise ConcernError(_("Vælg rød, gul eller grøn."), field="triage")
    triage_reason = _text(triage_reason, field="triage_reason", limit=REASON_MAX)
    now = timezone.now()
    settings = selectors.settings_for(locked.cooperation_id)
    triage_changed = triage != locked.triage
    values: dict[str, Any] = {"interview": {k: v for k, v in answers.items() if v}, "triage": triage,
                              "triage_reason": triage_reason, "version": F("version") + 1}
    if triage_changed:
        values.update(triaged_at=now, response_due_at=response_due(triage, settings, now))
    if locked.lead_contact_id is None:
        values.update(lead_contact=actor, received_at=now)
    if Concern.objects.filter(pk=locked.pk, version=version).scoped().update(**values) != 1:
        raise StaleConcernError(stale_message())
    locked.refresh_from_db()
    _audit(actions.CONCERN_DESCRIBED, actor=actor, concern=locked, request=request,
           detail={"answered": sorted(k for k, v in answers.items() if v)})
    if triage_changed:
        _audit(actions.CONCERN_TRIAGED, actor=actor, concern=locked, request=request,
               detail={"triage": triage, "response_due": locked.response_due_at.isoformat()
                       if locked.response_due_at else None})
    if locked.status == S.RECEIVED:
        _move(locked, S.GATHERING, actor=actor, request=request, now=now)
    elif triage_changed:
        _refresh_due(locked)
    return locked


# --- Step 2: information gathering --------------------------------------------------------------


@transaction.atomic
def concern_involve(
    *,
    actor: Any,
    concern: Concern,
    organisation: Organisation,
    reason: str = "",
    request: HttpRequest | None = None,
) -> ConcernInvolvement:
    """Invite one of the cooperation's organisations into the information gathering."""
    _require_lead(actor, concern)
    _require_status(
        concern,
        INVOLVING_STATUSES,
        _("Organisationer kan inddrages fra informationsindsamlingen, indtil bekymringen er overdraget "
          "eller lukket."),
    )
    if not _is_participant(concern.cooperation_id, organisation.pk):
        raise ConcernError(
            _("Kun organisationer, der er med i samarbejdet, kan inddrages."), field="organisation"
        )
    if selectors.involvements_of(concern).filter(organisation=organisation).exists():
        raise ConcernError(_("Organisationen er allerede inddraget."), field="organisation")
    reason = _text(reason, field="reason", limit=300, required=False)
    involvement = ConcernInvolvement.objects.create(concern=concern, organisation=organisation, reason=reason,
                                                    added_by=actor)
    _audit(actions.CONCERN_ORGANISATION_INVOLVED, actor=actor, concern=concern, request=request,
           detail={"organisation": organisation.pk})
    return involvement


@transaction.atomic
def concern_release(
    *, actor: Any, concern: Concern, involvement: ConcernInvolvement, request: HttpRequest | None = None
) -> None:
    """End an organisation's involvement: from now on it no longer sees the concern."""
    _require_lead(actor, concern)
    if involvement.concern_id != concern.pk or involvement.ended_at is not None:
        raise ConcernError(_("Organisationen er ikke inddraget i bekymringen."))
    involvement.ended_at = timezone.now()
    involvement.save(update_fields=["ended_at"])
    _audit(actions.CONCERN_ORGANISATION_RELEASED, actor=actor, concern=concern, request=request,
           detail={"organisation": involvement.organisation_id})


def sharing_organisation_ids(actor: Any, concern: Concern, access: ConcernAccess) -> set[int]:
    """Organisations the actor may share for: their involved ones and, as lead contact, their own."""
    ids = set(access.organisation_ids)
    if access.is_lead_contact:
        ids |= {
            m.organisation_id
            for m in membership_list(actor)
            if m.cooperation_id == concern.cooperation_id
            and role_has_capability(m.role, Capability.OPEN_CASE)
        }
    return ids


def disclosure_recipients(concern: Concern, source_organisation_id: int) -> list[Organisation]:
    """Everyone who sees the concern's details by organisation: the involved organisations (only the
    police ones after a hand-over) and the lead contacts' organisations; not the source itself."""
    involved = {i.organisation_id for i in selectors.involvements_of(concern)}
    if concern.status == S.POLICE:
        involved = set(CooperationOrganisation.objects.filter(
            cooperation_id=concern.cooperation_id, organisation_id__in=sorted(involved), sector=Sector.POLICE
        ).values_list("organisation_id", flat=True))
    ids = involved | selectors.lead_contact_organisation_ids(concern.cooperation_id)
    ids.discard(source_organisation_id)
    return list(Organisation.objects.filter(pk__in=sorted(ids)).order_by("name"))


def concern_disclose(
    *,
    actor: Any,
    concern: Concern,
    organisation: Organisation,
    text: str,
    basis_code: str,
    justification: str,
    categories: Sequence[str],
    purpose: str = Purpose.COORDINATION,
    request: HttpRequest | None = None,
) -> ConcernDisclosure:
    """Share information in the concern. It is a disclosure from ``organisation`` to everyone else who
    sees the concern, on a legal basis the sharing app's engine allows here; refused (and audited,
    nothing saved) with every reason otherwise."""
    access = _require_details(actor, concern)
    reasons: list[str] = []
    if concern.status not in SHARING_STATUSES:
        reasons.append(_("Oplysninger deles fra informationsindsamlingen, indtil bekymringen er lukket."))
    if organisation.pk not in sharing_organisation_ids(actor, concern, access):
        reasons.append(_("Du kan kun dele oplysninger for en organisation, du arbejder for i bekymringen."))
    text = (text or "").strip()
    if not text:
        reasons.append(_("Skriv de oplysninger, du deler."))
    elif len(text) > DISCLOSURE_MAX:
        reasons.append(_("Oplysningerne må højst fylde %(max)d tegn.") % {"max": DISCLOSURE_MAX})
    justification = (justification or "").strip()
    if not justification:
        reasons.append(
            _("Skriv hvorfor det er nødvendigt at dele oplysningerne (begrundelse for nødvendighed).")
        )
    elif len(justification) > REASON_MAX:
        reasons.append(_("Begrundelsen må højst være %(max)d tegn.") % {"max": REASON_MAX})
    categories = list(dict.fromkeys(categories))
    if not categories:
        reasons.append(
            _("Vælg mindst én type oplysninger: helbred, strafbare forhold, sociale forhold, andet.")
        )
    elif any(c not in DataCategory.values for c in categories):
        reasons.append(_("Vælg kun typer af oplysninger fra listen."))
    if purpose not in Purpose.values:
        reasons.append(_("Vælg et formål fra listen."))
    recipients = disclosure_recipients(concern, organisation.pk)
    if not recipients:
        reasons.append(_("Ingen andre organisationer ser bekymringen endnu, så der er ingen at dele med."))
    decision = check_basis(
        basis_code=basis_code,
        cooperation=concern.cooperation,
        from_organisation=organisation,
        to_organisations=recipients,
        citizen=concern.case.citizen if concern.case_id and concern.case else None,
        purpose=purpose,
        categories=categories,
    )
    reasons += decision.reasons
    if reasons:
        _audit(actions.CONCERN_DISCLOSED, actor=actor, concern=concern, request=request,
               outcome=Outcome.DENIED,
               organisation_id=organisation.pk, detail={"basis": basis_code, "reasons": reasons})
        raise ConcernRefused(reasons)
    assert decision.rule is not None
    with transaction.atomic():
        disclosure = ConcernDisclosure.objects.create(
            concern=concern,
            source_organisation=organisation,
            text=text,
            legal_basis_code=decision.rule.code,
            legal_basis_name=decision.rule.name,
            legal_basis_citation=decision.rule.citation,
            purpose=purpose,
            justification=justification,
            categories=categories,
            restrictions=list(decision.restrictions),
            shared_by=actor,
        )
        disclosure.recipients.set(recipients)
        _audit(actions.CONCERN_DISCLOSED, actor=actor, concern=concern, request=request,
               organisation_id=organisation.pk,
               detail={"disclosure": disclosure.pk, "basis": decision.rule.code, "categories": categories,
                       "recipients": [o.pk for o in recipients], "restrictions": disclosure.restrictions})
    return disclosure


@transaction.atomic
def concern_advance(*, actor: Any, concern: Concern, to_status: str, note: str = "",
                    request: HttpRequest | None = None) -> Concern:
    """Information gathering -> assessment, or assessment -> overall assessment and decision."""
    _require_lead(actor, concern)
    locked = _locked(concern)
    if (locked.status, to_status) not in ((S.GATHERING, S.ASSESSMENT), (S.ASSESSMENT, S.DECISION)):
        raise ConcernError(_("Bekymringen kan ikke gå videre til dette trin nu."))
    if to_status == S.DECISION and not selectors.assessments_of(locked).exists():
        raise ConcernError(_("Registrér mindst én vurdering, før I går videre til den samlede vurdering."))
    _move(locked, to_status, actor=actor, request=request, note=_text(note, field="note", limit=REASON_MAX,
                                                                         required=False))
    return locked


# --- Step 3: assessment -------------------------------------------------------------------------


@transaction.atomic
def assessment_record(
    *,
    actor: Any,
    concern: Concern,
    template: AssessmentTemplate,
    ratings: Mapping[str, tuple[int | None, str]],
    summary: str,
    management_plan: str,
    request: HttpRequest | None = None,
) -> Assessment:
    """Record an assessment with the given template version. Every rated factor needs a written
    reason; at least one factor must be rated. Earlier assessments stay as they were."""
    access = _require_details(actor, concern)
    locked = _locked(concern)
    _require_status(locked, ASSESSING_STATUSES,
                    _("Vurderinger registreres fra vurderingstrinnet, indtil bekymringen er lukket."))
    if selectors.template_for_concern(locked, template.pk) is None:
        raise ConcernError(_("Skabelonen er ikke i brug i samarbejdet. Vælg en anden."), field="template")
    allowed = set(scale_values(template))
    cleaned: dict[str, dict[str, Any]] = {}
    for factor in factors_of(template):
        rating, reason = ratings.get(factor.code, (None, ""))
        reason = (reason or "").strip()
        if rating is not None and rating not in allowed:
            raise ConcernError(_("Vælg en vurdering fra skalaen."), field=f"rating__{factor.code}")
        if len(reason) > REASON_MAX:
            raise ConcernError(_("Begrundelsen må højst være %(max)d tegn.") % {"max": REASON_MAX},
                               field=f"reason__{factor.code}")
        if rating is not None and not reason:
            raise ConcernError(
                _("Skriv en begrundelse for vurderingen af »%(factor)s«.") % {"factor": factor.label},
                field=f"reason__{factor.code}",
            )
        if rating is not None or reason:
            cleaned[factor.code] = {"rating": rating, "reason": reason}
    if not any(entry["rating"] is not None for entry in cleaned.values()):
        raise ConcernError(_("Vurdér mindst én faktor."))
    summary = _text(summary, field="summary", limit=TEXT_MAX)
    management_plan = _text(management_plan, field="management_plan", limit=TEXT_MAX)
    number = (Assessment.objects.filter(concern=locked).scoped().aggregate(n=Max("number"))["n"] or 0) + 1
    organisations = sharing_organisation_ids(actor, locked, access)
    assessment = Assessment.objects.create(
        concern=locked,
        number=number,
        template=template,
        ratings=cleaned,
        summary=summary,
        management_plan=management_plan,
        created_by=actor,
        created_by_organisation_id=min(organisations) if organisations else None,
    )
    _audit(actions.CONCERN_ASSESSED, actor=actor, concern=locked, request=request,
           detail={"assessment": number, "template": template.code, "version": template.version,
                   "rated": sum(1 for e in cleaned.values() if e["rating"] is not None)})
    return assessment


# --- Step 4: overall assessment, recommendation and decision -----------------------------------


@transaction.atomic
def concern_decide(
    *,
    actor: Any,
    concern: Concern,
    decision: str,
    overall_assessment: str,
    recommendation: str,
    reason: str,
    intervention_kinds: Sequence[str] = (),
    request: HttpRequest | None = None,
) -> Concern:
    """Record the overall assessment, the recommendation and the decision.

    Unfounded closes the concern; an intervention moves it to follow-up; handing it to the police
    restricts its details to the police and the lead contacts (the cooperation's police organisations
    are involved so that they see it). The most serious concerns may be handed to the police from any
    open step; the other decisions are taken in step 4.
    """
    _require_lead(actor, concern)
    locked = _locked(concern)
    if decision not in Decision.values:
        raise ConcernError(_("Vælg en beslutning."), field="decision")
    if decision == Decision.POLICE:
        _require_status(locked, [S.RECEIVED, S.GATHERING, S.ASSESSMENT, S.DECISION, S.FOLLOW_UP],
                        _("Bekymringen er allerede overdraget eller lukket."))
    else:
        _require_status(
            locked, [S.DECISION], _("Gå videre til den samlede vurdering, før I træffer beslutning.")
        )
    overall_assessment = _text(overall_assessment, field="overall_assessment", limit=TEXT_MAX)
    recommendation = _text(recommendation, field="recommendation", limit=TEXT_MAX)
    reason = _text(reason, field="reason", limit=REASON_MAX)
    kinds = list(dict.fromkeys(intervention_kinds))
    if decision == Decision.INTERVENTION:
        if not kinds:
            raise ConcernError(_("Vælg mindst én indsats."), field="intervention_kinds")
        if any(k not in InterventionKind.values for k in kinds):
            raise ConcernError(_("Vælg kun indsatser fra listen."), field="intervention_kinds")
    else:
        kinds = []
    now = timezone.now()
    locked.overall_assessment, locked.recommendation = overall_assessment, recommendation
    locked.decision, locked.decision_reason, locked.intervention_kinds = decision, reason, kinds
    locked.decided_at, locked.decided_by = now, actor
    fields = ["overall_assessment", "recommendation", "decision", "decision_reason", "intervention_kinds",
              "decided_at", "decided_by"]
    if decision == Decision.UNFOUNDED:
        locked.closing_reason, locked.closed_at = reason, now
        fields += ["closing_reason", "closed_at"]
    if decision == Decision.POLICE:
        locked.handed_to_police_at = now
        fields.append("handed_to_police_at")
    locked.save(update_fields=fields)
    _audit(actions.CONCERN_DECIDED, actor=actor, concern=locked, request=request,
           detail={"decision": decision, "interventions": kinds})
    if decision == Decision.POLICE:
        involved = {i.organisation_id for i in selectors.involvements_of(locked)}
        police = CooperationOrganisation.objects.filter(
            cooperation_id=locked.cooperation_id, sector=Sector.POLICE
        )
        for organisation_id in police.values_list("organisation_id", flat=True):
            if organisation_id not in involved:
                ConcernInvolvement.objects.create(concern=locked, organisation_id=organisation_id,
                                                  added_by=actor,
                                                  reason=_("Overdraget til politiet"))
        _audit(actions.CONCERN_HANDED_TO_POLICE, actor=actor, concern=locked, request=request, detail={})
    targets: dict[str, str] = {Decision.UNFOUNDED: S.CLOSED, Decision.INTERVENTION: S.FOLLOW_UP,
                               Decision.POLICE: S.POLICE}
    target = targets[decision]
    _move(locked, target, actor=actor, request=request, note=reason, now=now)
    return locked


# --- Step 5: intervention plan, reviews, closing ----------------------------------------------


def _require_follow_up(concern: Concern) -> None:
    _require_status(
        concern, [S.FOLLOW_UP], _("Planen for indsatsen hører til trinnet »Indsats og opfølgning«.")
    )


@transaction.atomic
def plan_save(*, actor: Any, concern: Concern, started_on: date, planned_end_on: date | None,
              request: HttpRequest | None = None) -> InterventionPlan:
    _require_lead(actor, concern)
    locked = _locked(concern)
    _require_follow_up(locked)
    if planned_end_on is not None and planned_end_on < started_on:
        raise ConcernError(
            _("Den forventede afslutning kan ikke ligge før begyndelsen."), field="planned_end_on"
        )
    plan = selectors.plan_of(locked)
    if plan is not None and plan.ended_on is not None:
        raise ConcernError(_("Indsatsen er afsluttet; planen kan ikke længere ændres."))
    if plan is None:
        plan = InterventionPlan.objects.create(concern=locked, started_on=started_on,
                                               planned_end_on=planned_end_on,
                                               created_by=actor)
    else:
        plan.started_on, plan.planned_end_on, plan.updated_at = started_on, planned_end_on, timezone.now()
        plan.save(update_fields=["started_on", "planned_end_on", "updated_at"])
    _refresh_due(locked)
    _audit(actions.CONCERN_PLAN_SAVED, actor=actor, concern=locked, request=request,
           detail={"started_on": started_on.isoformat(),
                   "planned_end_on": planned_end_on.isoformat() if planned_end_on else None})
    return plan


@transaction.atomic
def goal_add(*, actor: Any, concern: Concern, text: str, organisation: Organisation, person: Any = None,
             request: HttpRequest | None = None) -> InterventionGoal:
    """A goal of the intervention and who is responsible for it (an organisation, and a person in it)."""
    _require_lead(actor, concern)
    _require_follow_up(concern)
    plan = selectors.plan_of(concern)
    if plan is None:
        raise ConcernError(_("Gem planen for indsatsen, før du tilføjer mål."))
    text = _text(text, field="text", limit=500)
    if not _is_participant(concern.cooperation_id, organisation.pk):
        raise ConcernError(_("Vælg en organisation i samarbejdet."), field="responsible_organisation")
    members = selectors.cooperation_members(concern.cooperation_id)
    if person is not None and not members.filter(user=person).exists():
        raise ConcernError(_("Vælg en person, der er medlem af samarbejdet."), field="responsible_person")
    goal = InterventionGoal.objects.create(plan=plan, text=text, responsible_organisation=organisation,
                                           responsible_person=person)
    _audit(actions.CONCERN_GOAL_ADDED, actor=actor, concern=concern, request=request,
           detail={"goal": goal.pk, "organisation": organisation.pk})
    return goal


@transaction.atomic
def intervention_end(*, actor: Any, concern: Concern, ended_on: date, note: str = "",
                     request: HttpRequest | None = None) -> list[ConcernReview]:
    """The intervention has ended: the reviews fall due the configured months later (6 and 12)."""
    _require_lead(actor, concern)
    locked = _locked(concern)
    _require_follow_up(locked)
    plan = selectors.plan_of(locked)
    if plan is None:
        raise ConcernError(_("Der er ingen plan for indsatsen endnu."))
    if plan.ended_on is not None:
        raise ConcernError(_("Indsatsen er allerede afsluttet."))
    if ended_on < plan.started_on:
        raise ConcernError(_("Indsatsen kan ikke slutte, før den begyndte."), field="ended_on")
    if ended_on > timezone.localdate():
        raise ConcernError(_("Datoen kan ikke ligge i fremtiden."), field="ended_on")
    plan.ended_on, plan.end_note = ended_on, _text(note, field="note", limit=REASON_MAX, required=False)
    plan.updated_at = timezone.now()
    plan.save(update_fields=["ended_on", "end_note", "updated_at"])
    settings = selectors.settings_for(locked.cooperation_id)
    reviews = [
        ConcernReview.objects.create(concern=locked, months=months, due_on=add_months(ended_on, months))
        for months in (settings.first_review_months, settings.second_review_months)
    ]
    _refresh_due(locked)
    _audit(actions.CONCERN_INTERVENTION_ENDED, actor=actor, concern=locked, request=request,
           detail={"ended_on": ended_on.isoformat(), "reviews": [r.due_on.isoformat() for r in reviews]})
    return reviews


@transaction.atomic
def review_record(*, actor: Any, concern: Concern, review: ConcernReview, note: str, concern_persists: bool,
                  request: HttpRequest | None = None) -> ConcernReview:
    _require_lead(actor, concern)
    _require_follow_up(concern)
    if review.concern_id != concern.pk:
        raise ConcernError(_("Opfølgningen hører ikke til bekymringen."))
    if review.completed_at is not None:
        raise ConcernError(_("Opfølgningen er allerede registreret."))
    review.note = _text(note, field="note", limit=TEXT_MAX)
    review.concern_persists = bool(concern_persists)
    review.completed_at, review.completed_by = timezone.now(), actor
    review.save(update_fields=["note", "concern_persists", "completed_at", "completed_by"])
    _refresh_due(concern)
    _audit(actions.CONCERN_REVIEWED, actor=actor, concern=concern, request=request,
           detail={"months": review.months, "concern_persists": review.concern_persists})
    return review


@transaction.atomic
def concern_close(
    *, actor: Any, concern: Concern, reason: str, request: HttpRequest | None = None
) -> Concern:
    """Close the concern with the reason (from any open step: after follow-up, after the police's
    handling, or as a duplicate or withdrawn)."""
    _require_lead(actor, concern)
    locked = _locked(concern)
    if locked.status == S.CLOSED:
        raise ConcernError(_("Bekymringen er allerede lukket."))
    reason = _text(reason, field="reason", limit=REASON_MAX)
    now = timezone.now()
    locked.closing_reason, locked.closed_at = reason, now
    locked.save(update_fields=["closing_reason", "closed_at"])
    _move(locked, S.CLOSED, actor=actor, request=request, note=reason, now=now)
    _audit(actions.CONCERN_CLOSED, actor=actor, concern=locked, request=request, detail={})
    return locked


# --- The PSP case ------------------------------------------------------------------------------


@transaction.atomic
def concern_link_case(
    *, actor: Any, concern: Concern, case: Case, request: HttpRequest | None = None
) -> Concern:
    """Link the concern to a PSP case the actor works on (so it can be put on a meeting agenda)."""
    _require_lead(actor, concern)
    if case.cooperation_id != concern.cooperation_id or not case_access(actor, case).has_details:
        raise ConcernError(
            _("Vælg en sag i samarbejdet, som din organisation er involveret i."), field="case"
        )
    if concern.case_id == case.pk:
        raise ConcernError(_("Bekymringen er allerede knyttet til sagen."), field="case")
    Concern.objects.filter(pk=concern.pk).scoped().update(case=case)
    concern.case = case
    _audit(actions.CONCERN_CASE_LINKED, actor=actor, concern=concern, request=request,
           detail={"case": case.pk, "opened": False})
    return concern


@transaction.atomic
def concern_open_case(
    *,
    actor: Any,
    concern: Concern,
    age_band: str,
    description: str,
    lead_organisation: Organisation,
    request: HttpRequest | None = None,
) -> Case:
    """Open a PSP case (an anonymous discussion, through the cases app) from the concern and link it."""
    _require_lead(actor, concern)
    if concern.case_id is not None:
        raise ConcernError(_("Bekymringen er allerede knyttet til en sag."))
    try:
        case = case_open_anonymous(
            actor=actor,
            cooperation=concern.cooperation,
            age_band=age_band,
            description=description,
            lead_organisation=lead_organisation,
            request=request,
        )
    except CaseError as exc:
        raise ConcernError(str(exc), field=exc.field) from exc
    Concern.objects.filter(pk=concern.pk).scoped().update(case=case)
    concern.case = case
    _audit(actions.CONCERN_CASE_LINKED, actor=actor, concern=concern, request=request,
           detail={"case": case.pk, "opened": True})
    return case


# --- Configuration (coordinators) --------------------------------------------------------------


def _require_configure(actor: Any, cooperation: Cooperation) -> None:
    if not has_capability(actor, Capability.CONFIGURE_COOPERATION, cooperation):
        raise PermissionDenied(_("Kun samarbejdets koordinator kan ændre opsætningen."))


SETTINGS_FIELDS = (
    "training_gate_enabled", "receive_working_days", "red_hours", "amber_working_days", "green_working_days",
    "gather_working_days", "assess_working_days", "decide_working_days", "first_review_months",
    "second_review_months", "default_template_code", "hidden_signs",
)


@transaction.atomic
def concern_settings_update(
    *, actor: Any, cooperation: Cooperation, values: Mapping[
        str, Any
    ], version: int, request: HttpRequest | None = None
) -> ConcernSettings:
    """Save the cooperation's procedure settings if nobody saved since ``version`` was read."""
    _require_configure(actor, cooperation)
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}")
    if values.get("second_review_months", 12) <= values.get("first_review_months", 6):
        raise ConcernError(
            _("Den anden opfølgning skal ligge efter den første."), field="second_review_months"
        )
    settings, _created = ConcernSettings.objects.get_or_create(cooperation=cooperation)
    if settings.version != version:
        raise StaleConcernError(
            _("Opsætningen er blevet ændret af en anden, siden du åbnede den. Intet er gemt; dine valg står "
              "herunder.")
        )
    changed = sorted(name for name, value in values.items() if getattr(settings, name) != value)
    for name, value in values.items():
        setattr(settings, name, value)
    settings.version += 1
    settings.updated_at, settings.updated_by = timezone.now(), actor
    settings.save()
    audit_record(action=actions.CONCERN_SETTINGS_CHANGED, actor=actor, request=request, target=settings,
                 cooperation_id=cooperation.pk, detail={"fields": changed})
    return settings


@transaction.atomic
def concern_settings_record_view(
    *, actor: Any, cooperation: Cooperation, request: HttpRequest | None = None
) -> None:
    audit_record(action=actions.CONCERN_SETTINGS_VIEWED, actor=actor, request=request, target=cooperation,
                 cooperation_id=cooperation.pk)


@transaction.atomic
def lead_contact_designate(*, actor: Any, cooperation: Cooperation, membership: Membership,
                           request: HttpRequest | None = None) -> LeadContact:
    """Designate a key member or coordinator of the municipality or the police as lead contact."""
    _require_configure(actor, cooperation)
    if not selectors.lead_contact_candidates(cooperation).filter(pk=membership.pk).exists():
        raise ConcernError(
            _("Vælg en nøgleperson eller koordinator fra kommunen eller politiet i samarbejdet, som ikke "
              "allerede er tovholder."),
            field="membership",
        )
    lead = LeadContact.objects.create(cooperation=cooperation, membership=membership, designated_by=actor)
    audit_record(action=actions.CONCERN_LEAD_CONTACT_DESIGNATED, actor=actor, request=request, target=lead,
                 cooperation_id=cooperation.pk, detail={"member": membership.user_id})
    return lead


@transaction.atomic
def lead_contact_end(*, actor: Any, cooperation: Cooperation, lead_contact: LeadContact,
                     request: HttpRequest | None = None) -> None:
    _require_configure(actor, cooperation)
    if lead_contact.cooperation_id != cooperation.pk or lead_contact.ended_at is not None:
        raise ConcernError(_("Personen er ikke tovholder i samarbejdet."))
    lead_contact.ended_at, lead_contact.ended_by = timezone.now(), actor
    lead_contact.save(update_fields=["ended_at", "ended_by"])
    audit_record(action=actions.CONCERN_LEAD_CONTACT_ENDED, actor=actor, request=request, target=lead_contact,
                 cooperation_id=cooperation.pk, detail={"member": lead_contact.membership.user_id})


@transaction.atomic
def sign_add(*, actor: Any, cooperation: Cooperation, group: str, label: str,
             request: HttpRequest | None = None) -> SignOfConcern:
    """Add a sign of concern to the cooperation's own catalogue."""
    _require_configure(actor, cooperation)
    if group not in SignGroup.values:
        raise ConcernError(_("Vælg en gruppe."), field="group")
    label = _text(label, field="label", limit=200)
    if selectors.signs_available(cooperation.pk).filter(label__iexact=label).exists():
        raise ConcernError(_("Tegnet findes allerede i kataloget."), field="label")
    base = slugify(label)[:50] or "tegn"
    code, n = base, 1
    while selectors.signs_available(cooperation.pk).filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    sign = SignOfConcern.objects.create(
        code=code, group=group, label=label, cooperation=cooperation, sort_order=500
    )
    audit_record(action=actions.CONCERN_SIGN_ADDED, actor=actor, request=request, target=sign,
                 cooperation_id=cooperation.pk, detail={"code": code})
    return sign


@transaction.atomic
def template_create(
    *,
    actor: Any,
    cooperation: Cooperation | None,
    code: str,
    name: str,
    description: str,
    definition: Any,
    request: HttpRequest | None = None,
) -> AssessmentTemplate:
    """A new template, or a new version of one: the operator (system administrators) for everyone,
    a coordinator for their cooperation. Shipped templates and other cooperations' templates get new
    versions only from the operator; a coordinator picks a new code instead."""
    is_operator = has_capability(actor, Capability.ADMINISTER_SYSTEM)
    if cooperation is None and not is_operator:
        raise PermissionDenied(_("Kun systemadministratorer kan lave skabeloner til alle samarbejder."))
    if cooperation is not None:
        _require_configure(actor, cooperation)
    problems = definition_problems(definition)
    if problems:
        raise ConcernError(" ".join(problems), field="definition")
    code = (code or "").strip()
    name = _text(name, field="name", limit=150)
    description = _text(description, field="description", limit=2000, required=False)
    existing = AssessmentTemplate.objects.filter(code=code).order_by("-version").first()
    if existing is not None and existing.cooperation_id != (
        cooperation.pk if cooperation else None
    ) and not is_operator:
        raise ConcernError(_("Koden bruges allerede af en anden skabelon. Vælg en anden kode."), field="code")
    template = AssessmentTemplate.objects.create(
        code=code,
        version=(existing.version + 1) if existing else 1,
        name=name,
        description=description,
        definition=definition,
        cooperation=cooperation,
        created_by=actor,
    )
    audit_record(action=actions.CONCERN_TEMPLATE_CREATED, actor=actor, request=request, target=template,
                 cooperation_id=cooperation.pk if cooperation else None,
                 detail={"code": code, "version": template.version})
    return template


@transaction.atomic
def templates_record_view(
    *, actor: Any, request: HttpRequest | None = None, template: AssessmentTemplate | None = None
) -> None:
    audit_record(action=actions.CONCERN_TEMPLATES_VIEWED, actor=actor, request=request, target=template)


@transaction.atomic
def network_record_view(
    *, actor: Any, districts: Sequence[Organisation], request: HttpRequest | None = None
) -> None:
    audit_record(action=actions.CONCERN_NETWORK_VIEWED, actor=actor, request=request,
                 detail={"districts": [d.pk for d in districts]})
