"""Test data for the concern tests, built through the services. All people and places are fictitious."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from samspil.accounts.models import User
from samspil.concerns import services
from samspil.concerns.models import (
    Assessment,
    AssessmentTemplate,
    Concern,
    ConcernReview,
    ConcernStatus,
    Decision,
    LeadContact,
    Triage,
)
from samspil.core.scoping import unscoped
from samspil.organisations.models import Membership
from samspil.training.models import AttestationKind, TrainingAttestation

S = ConcernStatus
LEADS = ("police_officer", "social_worker")


def membership(user: User, cooperation: Any = None) -> Membership:
    with unscoped("test setup"):
        memberships = Membership.objects.filter(user=user, is_active=True)
        if cooperation is not None:
            memberships = memberships.filter(cooperation=cooperation)
        return memberships.select_related("cooperation", "organisation").get()


def trained(user: User, *, days: int = 365) -> TrainingAttestation:
    """A course registered as taken elsewhere: valid for the training gate for ``days`` days."""
    return TrainingAttestation.objects.create(
        member=user, kind=AttestationKind.COMPLETED_ELSEWHERE, reason="Kursus taget før Samspil (fiktivt)",
        valid_from=timezone.now() - timedelta(days=1), expires_at=timezone.now() + timedelta(days=days),
    )


def designate(world: Any, persona: str) -> LeadContact:
    return LeadContact.objects.create(cooperation=world.cooperation,
                                      membership=membership(world.users[persona]),
                                      designated_by=world.users["coordinator"])


def procedure_people(world: Any) -> None:
    """The police officer and the social worker are lead contacts; they and the psychiatry nurse are
    trained. Idempotent per world."""
    if getattr(world, "_concern_people", False):
        return
    for persona in LEADS:
        designate(world, persona)
    for persona in (*LEADS, "psychiatry_nurse"):
        trained(world.users[persona])
    world._concern_people = True


def raise_concern(
    world: Any, persona: str = "frontline_worker", *, cooperation: Any = None, **fields: Any
) -> Concern:
    values: dict[str, Any] = {
        "subject_kind": "identified",
        "subject": "Fiktiv Person, ca. 19 år",
        "observation": "Har flere gange talt om, at vold er den eneste vej, og deler billeder fra en "
                       "ekstrem gruppe (fiktivt).",
        "urgency": "soon",
        "source": "municipal",
        **fields,
    }
    user = world.users[persona]
    return services.concern_raise(
        actor=user, membership=membership(user, cooperation or world.cooperation), **values
    )


def describe(
    world: Any, concern: Concern, *, triage: str = Triage.AMBER, lead: str = "social_worker"
) -> Concern:
    actor = world.users[lead]
    concern.refresh_from_db()
    return services.concern_describe(
        actor=actor, concern=concern,
        interview={"what_happened": "Udtalelser i klassen og på sociale medier.",
                   "resources": "Støttende mor, går til fodbold."},
        triage=triage, triage_reason="Tydelige udtalelser, ingen tegn på planer.", version=concern.version,
    )


def template(code: str = "dialogtavle") -> AssessmentTemplate:
    return AssessmentTemplate.objects.filter(code=code).order_by("-version").first()  # type: ignore[return-value]


def assess(world: Any, concern: Concern, *, ratings: dict[str, tuple[int | None, str]] | None = None,
           summary: str = "Bekymringen er reel, men personen har gode ressourcer.",
           plan: str = "Bekymringssamtale og mentor.", lead: str = "social_worker",
           code: str = "dialogtavle") -> Assessment:
    ratings = ratings or {
        "violence-endorsed": (1, "Har udtalt sig positivt om vold."),
        "family-support": (2, "Moren er meget involveret."),
    }
    return services.assessment_record(actor=world.users[lead], concern=concern, template=template(code),
                                      ratings=ratings, summary=summary, management_plan=plan)


def at_status(world: Any, status: str, *, raiser: str = "frontline_worker",
              decision: str = Decision.INTERVENTION,
              **fields: Any) -> Concern:
    """A concern raised by ``raiser`` and taken through the procedure (as the social worker, lead
    contact) to ``status``; the psychiatry organisation (region) is involved in step 2."""
    procedure_people(world)
    lead = world.users["social_worker"]
    concern = raise_concern(world, raiser, **fields)
    if status == S.RECEIVED:
        return concern
    concern = describe(world, concern)
    services.concern_involve(
        actor=lead, concern=concern, organisation=world.region, reason="Kendt i psykiatrien"
    )
    if status == S.GATHERING:
        return concern
    concern = services.concern_advance(actor=lead, concern=concern, to_status=S.ASSESSMENT)
    assess(world, concern)
    if status == S.ASSESSMENT:
        return concern
    concern = services.concern_advance(actor=lead, concern=concern, to_status=S.DECISION)
    if status == S.DECISION:
        return concern
    if status == S.POLICE:
        decision = Decision.POLICE
    if status == S.CLOSED and decision == Decision.INTERVENTION:
        decision = Decision.UNFOUNDED
    concern = services.concern_decide(
        actor=lead, concern=concern, decision=decision, overall_assessment="Samlet: reel bekymring.",
        recommendation="Mentor i et halvt år.", reason="Personen vil gerne tale med en mentor.",
        intervention_kinds=["mentor"] if decision == Decision.INTERVENTION else [],
    )
    return concern


def with_ended_intervention(world: Any, concern: Concern, *, ended_on: date) -> list[ConcernReview]:
    lead = world.users["social_worker"]
    services.plan_save(
        actor=lead, concern=concern, started_on=ended_on - timedelta(days=120), planned_end_on=ended_on
    )
    services.goal_add(actor=lead, concern=concern, text="Møder mentor hver uge",
                      organisation=world.municipality,
                      person=lead)
    return services.intervention_end(
        actor=lead, concern=concern, ended_on=ended_on, note="Forløbet gik godt."
    )


@dataclass
class MatrixConcerns:
    received: Concern
    gathering: Concern
    assessment: Concern
    decision: Concern
    follow_up: Concern
    review: ConcernReview
    involvement_pk: int
    lead_pk: int


def matrix_concerns(world: Any) -> MatrixConcerns:
    """One concern per step for the authorization matrix, raised by the frontline worker. Built once
    per world."""
    cached = getattr(world, "_matrix_concerns", None)
    if cached is not None:
        return cached
    gathering = at_status(world, S.GATHERING)
    follow_up = at_status(world, S.FOLLOW_UP)
    review = with_ended_intervention(world, follow_up, ended_on=timezone.localdate() - timedelta(days=200))[0]
    with unscoped("test setup"):
        involvement_pk = gathering.involvements.get().pk
        lead_pk = LeadContact.objects.filter(cooperation=world.cooperation).first().pk  # type: ignore[union-attr]
    assessment = at_status(world, S.ASSESSMENT)
    assess(world, assessment, ratings={"violence-endorsed": (2, "Nu mere tydeligt.")})
    world._matrix_concerns = MatrixConcerns(
        received=at_status(world, S.RECEIVED),
        gathering=gathering,
        assessment=assessment,
        decision=at_status(world, S.DECISION),
        follow_up=follow_up,
        review=review,
        involvement_pk=involvement_pk,
        lead_pk=lead_pk,
    )
    return world._matrix_concerns
