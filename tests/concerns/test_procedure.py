"""The procedure step by step: each step's service, its refusals, its transition and its audit event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from samspil.audit import actions
from samspil.audit.models import AuditEvent, Outcome
from samspil.cases.models import Case
from samspil.concerns import services
from samspil.concerns.models import (
    Concern,
    ConcernDisclosure,
    ConcernInvolvement,
    ConcernReview,
    ConcernStatus,
    Decision,
    Triage,
)
from samspil.concerns.services import ConcernError, ConcernRefused, StaleConcernError
from samspil.core.scoping import unscoped

from ..factories import OrganisationFactory
from .helpers import assess, at_status, describe, raise_concern, with_ended_intervention

S = ConcernStatus


def _events(action: str, concern: Concern | None = None) -> list[AuditEvent]:
    with unscoped("test reads the log"):
        events = AuditEvent.objects.filter(action=action)
        if concern is not None:
            events = events.filter(object_id=str(concern.pk), object_type="concerns.concern")
        return list(events.order_by("pk"))


def _reload(concern: Concern) -> Concern:
    with unscoped("test reloads"):
        return Concern.objects.get(pk=concern.pk)


def _history(concern: Concern) -> list[tuple[str, str]]:
    with unscoped("test reads the history"):
        return list(concern.transitions.order_by("pk").values_list("from_status", "to_status"))


# --- Step 1 ---------------------------------------------------------------------------------------


def test_lead_contact__receives_the_concern_and_becomes_its_tovholder(people) -> None:
    concern = raise_concern(people)
    services.concern_receive(actor=people.users["police_officer"], concern=concern)
    concern = _reload(concern)
    assert concern.lead_contact == people.users["police_officer"]
    assert concern.received_at is not None
    assert concern.status == S.RECEIVED
    assert [e.detail for e in _events(actions.CONCERN_RECEIVED, concern)] == [
        {"reference": concern.reference, "taken_over_from": None}
    ]


def test_member_who_is_not_lead_contact__cannot_receive_and_nothing_changes(people) -> None:
    concern = raise_concern(people)
    with pytest.raises(PermissionDenied):
        services.concern_receive(actor=people.users["psychiatry_nurse"], concern=concern)
    assert _reload(concern).lead_contact is None
    assert _events(actions.CONCERN_RECEIVED) == []


def test_describing_and_triaging__moves_the_concern_to_information_gathering(people) -> None:
    concern = raise_concern(people)
    concern = describe(people, concern, triage=Triage.RED)
    assert concern.status == S.GATHERING
    assert concern.triage == Triage.RED
    assert concern.lead_contact == people.users["social_worker"]
    assert concern.interview == {"what_happened": "Udtalelser i klassen og på sociale medier.",
                                 "resources": "Støttende mor, går til fodbold."}
    assert concern.response_due_at is not None
    assert concern.response_due_at - concern.triaged_at == timedelta(hours=24)
    assert concern.step_due_at == concern.response_due_at  # the red deadline comes before 5 working days
    assert _history(concern) == [("", S.RECEIVED), (S.RECEIVED, S.GATHERING)]
    assert [e.detail["triage"] for e in _events(actions.CONCERN_TRIAGED, concern)] == [Triage.RED]
    assert [e.detail for e in _events(actions.CONCERN_STEP_CHANGED, concern)] == [
        {"reference": concern.reference, "from": S.RECEIVED, "to": S.GATHERING}
    ]


def test_describing_without_the_first_question__is_refused_and_nothing_changes(people) -> None:
    concern = raise_concern(people)
    with pytest.raises(ConcernError) as refused:
        services.concern_describe(actor=people.users["social_worker"], concern=concern, interview={},
                                  triage=Triage.GREEN, triage_reason="Lav risiko.", version=concern.version)
    assert str(refused.value) == "Feltet skal udfyldes."
    assert refused.value.field == "q_what_happened"
    assert _reload(concern).status == S.RECEIVED


def test_describing_a_stale_version__is_refused_and_the_newer_description_stays(people) -> None:
    concern = raise_concern(people)
    version = concern.version
    describe(people, concern)
    with pytest.raises(StaleConcernError):
        services.concern_describe(actor=people.users["police_officer"], concern=concern,
                                  interview={"what_happened": "Min ældre udgave"}, triage=Triage.GREEN,
                                  triage_reason="Lav risiko.", version=version)
    concern = _reload(concern)
    assert concern.interview["what_happened"] == "Udtalelser i klassen og på sociale medier."
    assert concern.triage == Triage.AMBER


# --- Step 2 ---------------------------------------------------------------------------------------


def test_involving__adds_an_organisation_of_the_cooperation_once(people) -> None:
    concern = describe(people, raise_concern(people))
    lead = people.users["social_worker"]
    services.concern_involve(
        actor=lead, concern=concern, organisation=people.region, reason="Kendt i psykiatrien"
    )
    with pytest.raises(ConcernError, match="allerede inddraget"):
        services.concern_involve(actor=lead, concern=concern, organisation=people.region)
    stranger = OrganisationFactory(name="Fremmed Skole (fiktiv)")
    with pytest.raises(ConcernError, match="Kun organisationer, der er med i samarbejdet"):
        services.concern_involve(actor=lead, concern=concern, organisation=stranger)
    with unscoped("test"):
        involved = ConcernInvolvement.objects.filter(concern=concern).values_list("organisation_id",
                                                                                   flat=True)
        assert list(involved) == [people.region.pk]
    assert len(_events(actions.CONCERN_ORGANISATION_INVOLVED, concern)) == 1


def test_sharing__is_a_disclosure_on_a_basis_the_engine_allows_to_everyone_who_sees_the_concern(
    people
) -> None:
    concern = at_status(people, S.GATHERING)
    disclosure = services.concern_disclose(
        actor=people.users["psychiatry_nurse"], concern=concern, organisation=people.region,
        text="Har været indlagt kortvarigt i foråret (fiktivt).", basis_code="rpl-115-2",
        justification="Nødvendigt for at vurdere sårbarheden.", categories=["health"],
    )
    assert disclosure.source_organisation == people.region
    assert sorted(o.name for o in disclosure.recipients.all()) == sorted(
        [people.police.name, people.municipality.name]
    )
    assert disclosure.legal_basis_code == "rpl-115-2"
    assert disclosure.legal_basis_citation == "Retsplejeloven § 115, stk. 2"
    assert disclosure.restrictions == ["no_onward_disclosure", "no_criminal_investigation"]
    [event] = _events(actions.CONCERN_DISCLOSED, concern)
    assert event.outcome == Outcome.ALLOWED
    assert event.detail["basis"] == "rpl-115-2"
    assert "indlagt" not in str(event.detail)


def test_sharing_on_a_basis_that_does_not_apply__is_refused_with_reasons_and_nothing_is_saved(people) -> None:
    concern = at_status(people, S.GATHERING)
    with pytest.raises(ConcernRefused) as refused:
        services.concern_disclose(
            actor=people.users["psychiatry_nurse"], concern=concern, organisation=people.region,
            text="Oplysning (fiktiv).", basis_code="rpl-115-1-1", justification="", categories=[],
        )
    assert refused.value.reasons[:2] == [
        "Skriv hvorfor det er nødvendigt at dele oplysningerne (begrundelse for nødvendighed).",
        "Vælg mindst én type oplysninger: helbred, strafbare forhold, sociale forhold, andet.",
    ]
    assert any("gælder ikke i PSP-samarbejder" in reason for reason in refused.value.reasons)
    with unscoped("test"):
        assert ConcernDisclosure.objects.count() == 0
    [denial] = _events(actions.CONCERN_DISCLOSED, concern)
    assert denial.outcome == Outcome.DENIED


def test_sharing_for_an_organisation_one_does_not_work_for__is_refused(people) -> None:
    concern = at_status(people, S.GATHERING)
    with pytest.raises(ConcernRefused) as refused:
        services.concern_disclose(
            actor=people.users["psychiatry_nurse"], concern=concern, organisation=people.police, text="X",
            basis_code="rpl-115-1-2", justification="Nødvendigt.", categories=["other"],
        )
    message = "Du kan kun dele oplysninger for en organisation, du arbejder for i bekymringen."
    assert message in refused.value.reasons


def test_gathering__moves_on_to_assessment_and_assessment_needs_an_assessment_before_the_decision(
    people
) -> None:
    concern = at_status(people, S.GATHERING)
    lead = people.users["social_worker"]
    concern = services.concern_advance(actor=lead, concern=concern, to_status=S.ASSESSMENT)
    assert concern.status == S.ASSESSMENT
    with pytest.raises(ConcernError, match="Registrér mindst én vurdering"):
        services.concern_advance(actor=lead, concern=concern, to_status=S.DECISION)
    assert _reload(concern).status == S.ASSESSMENT
    with pytest.raises(ConcernError, match="kan ikke gå videre til dette trin"):
        services.concern_advance(actor=lead, concern=concern, to_status=S.FOLLOW_UP)


# --- Step 3 ---------------------------------------------------------------------------------------


def test_assessment__keeps_the_template_version_and_every_rated_factor_needs_a_reason(people) -> None:
    concern = at_status(people, S.GATHERING)
    concern = services.concern_advance(
        actor=people.users["social_worker"], concern=concern, to_status=S.ASSESSMENT
    )
    with pytest.raises(ConcernError) as refused:
        assess(people, concern, ratings={"isolation": (2, "")})
    assert str(
        refused.value
    ) == "Skriv en begrundelse for vurderingen af »Isolation fra familie, venner, skole eller arbejde«."
    with pytest.raises(ConcernError, match="Vurdér mindst én faktor"):
        assess(people, concern, ratings={"isolation": (None, "")})
    first = assess(people, concern, lead="psychiatry_nurse")
    second = assess(
        people, concern, code="tilknytning-hensigt-evne", ratings={"i-willing": (0, "Ingen tegn.")}
    )
    assert (first.number, second.number) == (1, 2)
    assert (first.template.code, first.template.version) == ("dialogtavle", 1)
    assert first.ratings == {"violence-endorsed": {"rating": 1, "reason": "Har udtalt sig positivt om vold."},
                             "family-support": {"rating": 2, "reason": "Moren er meget involveret."}}
    assert first.created_by_organisation == people.region
    assert [e.detail["assessment"] for e in _events(actions.CONCERN_ASSESSED, concern)] == [1, 2]


# --- Step 4 ---------------------------------------------------------------------------------------


def test_decision_unfounded__closes_the_concern_with_the_reason(people) -> None:
    concern = at_status(people, S.CLOSED, decision=Decision.UNFOUNDED)
    assert concern.status == S.CLOSED
    assert concern.decision == Decision.UNFOUNDED
    assert concern.closing_reason == "Personen vil gerne tale med en mentor."
    assert concern.step_due_at is None
    assert _history(concern)[-1] == (S.DECISION, S.CLOSED)


def test_decision_mentor__moves_the_concern_to_follow_up(people) -> None:
    concern = at_status(people, S.FOLLOW_UP)
    assert (concern.status, concern.decision, concern.intervention_kinds) == (S.FOLLOW_UP,
                                                                              Decision.INTERVENTION,
                                                                             ["mentor"])
    assert [e.detail["decision"] for e in _events(actions.CONCERN_DECIDED, concern)] == [
        Decision.INTERVENTION
    ]


def test_intervention_without_a_kind__is_refused(people) -> None:
    concern = at_status(people, S.DECISION)
    with pytest.raises(ConcernError, match="Vælg mindst én indsats"):
        services.concern_decide(actor=people.users["social_worker"], concern=concern,
                                decision=Decision.INTERVENTION,
                                overall_assessment="A", recommendation="B", reason="C")
    assert _reload(concern).status == S.DECISION


def test_intervention_before_step_4__is_refused_but_a_hand_over_to_the_police_is_not(people) -> None:
    concern = at_status(people, S.GATHERING)
    lead = people.users["police_officer"]
    with pytest.raises(ConcernError, match="Gå videre til den samlede vurdering"):
        services.concern_decide(actor=lead, concern=concern, decision=Decision.UNFOUNDED,
                                overall_assessment="A",
                                recommendation="B", reason="C")
    concern = services.concern_decide(actor=lead, concern=concern, decision=Decision.POLICE,
                                      overall_assessment="Alvorlig.", recommendation="Politiet alene.",
                                      reason="Konkrete planer.")
    assert concern.status == S.POLICE
    assert concern.handed_to_police_at is not None
    with unscoped("test"):
        involved = set(ConcernInvolvement.objects.filter(concern=concern, ended_at__isnull=True)
                       .values_list("organisation_id", flat=True))
    assert involved == {people.region.pk, people.police.pk}
    assert len(_events(actions.CONCERN_HANDED_TO_POLICE, concern)) == 1


# --- Step 5 ---------------------------------------------------------------------------------------


def test_ending_the_intervention__plans_reviews_6_and_12_months_after_its_end(people) -> None:
    concern = at_status(people, S.FOLLOW_UP)
    ended = timezone.localdate() - timedelta(days=10)
    reviews = with_ended_intervention(people, concern, ended_on=ended)
    from samspil.concerns.deadlines import add_months, end_of_day

    assert [(r.months, r.due_on) for r in reviews] == [(6, add_months(ended, 6)), (12, add_months(ended, 12))]
    assert _reload(concern).step_due_at == end_of_day(add_months(ended, 6))
    with pytest.raises(ConcernError, match="allerede afsluttet"):
        services.intervention_end(actor=people.users["social_worker"], concern=concern, ended_on=ended)


def test_ending_the_intervention_in_the_future__is_refused(people) -> None:
    concern = at_status(people, S.FOLLOW_UP)
    lead = people.users["social_worker"]
    services.plan_save(actor=lead, concern=concern, started_on=timezone.localdate(), planned_end_on=None)
    with pytest.raises(ConcernError, match="Datoen kan ikke ligge i fremtiden"):
        services.intervention_end(
            actor=lead, concern=concern, ended_on=timezone.localdate() + timedelta(days=1)
        )
    with unscoped("test"):
        assert ConcernReview.objects.count() == 0


def test_recording_the_reviews__moves_the_deadline_on_and_closing_needs_a_reason(people) -> None:
    concern = at_status(people, S.FOLLOW_UP)
    first, second = with_ended_intervention(
        people, concern, ended_on=timezone.localdate() - timedelta(days=200)
    )
    lead = people.users["social_worker"]
    services.review_record(
        actor=lead, concern=concern, review=first, note="Går i skole igen.", concern_persists=False
    )
    from samspil.concerns.deadlines import end_of_day

    assert _reload(concern).step_due_at == end_of_day(second.due_on)
    with pytest.raises(ConcernError, match="allerede registreret"):
        services.review_record(
            actor=lead, concern=concern, review=first, note="Igen.", concern_persists=False
        )
    with pytest.raises(ConcernError, match="Feltet skal udfyldes"):
        services.concern_close(actor=lead, concern=concern, reason=" ")
    concern = services.concern_close(actor=lead, concern=concern, reason="Bekymringen består ikke længere.")
    assert (concern.status, concern.closing_reason) == (S.CLOSED, "Bekymringen består ikke længere.")
    assert concern.step_due_at is None
    assert len(_events(actions.CONCERN_CLOSED, concern)) == 1


def test_goal__needs_a_plan_and_a_member_of_the_cooperation(people) -> None:
    concern = at_status(people, S.FOLLOW_UP)
    lead = people.users["social_worker"]
    with pytest.raises(ConcernError, match="Gem planen for indsatsen"):
        services.goal_add(actor=lead, concern=concern, text="Mål", organisation=people.municipality)
    services.plan_save(actor=lead, concern=concern, started_on=timezone.localdate(), planned_end_on=None)
    with pytest.raises(ConcernError, match="medlem af samarbejdet"):
        services.goal_add(actor=lead, concern=concern, text="Mål", organisation=people.municipality,
                          person=people.users["outsider"])
    goal = services.goal_add(actor=lead, concern=concern, text="Ugentlige møder med mentor",
                             organisation=people.municipality, person=people.users["police_officer"])
    assert (goal.text, goal.responsible_organisation, goal.responsible_person) == (
        "Ugentlige møder med mentor", people.municipality, people.users["police_officer"])


# --- The PSP case ---------------------------------------------------------------------------------


def test_concern__opens_a_psp_case_that_can_go_on_an_agenda_and_stays_linked(people) -> None:
    concern = at_status(people, S.FOLLOW_UP)
    case = services.concern_open_case(actor=people.users["social_worker"], concern=concern, age_band="18-24",
                                      description="Bekymring for radikalisering, drøftes anonymt.",
                                      lead_organisation=people.municipality)
    assert _reload(concern).case == case
    with unscoped("test"):
        assert Case.objects.get(pk=case.pk).state == "anonymous"
    assert [e.detail["opened"] for e in _events(actions.CONCERN_CASE_LINKED, concern)] == [True]
    with pytest.raises(ConcernError, match="allerede knyttet"):
        services.concern_open_case(actor=people.users["social_worker"], concern=concern, age_band="18-24",
                                   description="Igen.", lead_organisation=people.municipality)


def test_linking_a_case_one_does_not_work_on__is_refused(people) -> None:
    from ..factories import CaseFactory

    concern = at_status(people, S.GATHERING)
    foreign = CaseFactory(cooperation=people.cooperation, lead_organisation=people.region)
    with pytest.raises(ConcernError, match="din organisation er involveret"):
        services.concern_link_case(actor=people.users["social_worker"], concern=concern, case=foreign)
    assert _reload(concern).case is None
    own = CaseFactory(cooperation=people.cooperation, lead_organisation=people.municipality)
    services.concern_link_case(actor=people.users["social_worker"], concern=concern, case=own)
    assert _reload(concern).case == own
