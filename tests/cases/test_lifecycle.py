"""The case lifecycle services: every transition allowed or refused with a reason, each audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.cases import services
from samspil.cases.models import Case, CaseState, StateChange
from samspil.cases.services import CaseError, CaseTransitionError
from samspil.cases.states import ALLOWED_TRANSITIONS, is_allowed, refusal_reason
from samspil.core.scoping import unscoped

from ..factories import CaseFactory, CitizenFactory

S = CaseState


def _events(action: str) -> list[AuditEvent]:
    with unscoped("test reads the audit log"):
        return list(AuditEvent.objects.filter(action=action).order_by("id"))


def _changes(case: Case) -> list[tuple[str, str, str]]:
    with unscoped("test"):
        return list(StateChange.objects.filter(case=case).values_list("from_state", "to_state", "reason"))


def _case(world, state: str, *, with_citizen: bool = True) -> Case:
    citizen = CitizenFactory(cooperation=world.cooperation) if with_citizen and state != S.ANONYMOUS else None
    return CaseFactory(
        cooperation=world.cooperation, lead_organisation=world.municipality, state=state, citizen=citizen
    )


def _shared_case(world) -> Case:
    return CaseFactory(cooperation=world.cooperation, involve=[world.police])


ALL_PAIRS = [(a, b) for a in S.values for b in S.values if a != b]


def test_transition_table__is_the_documented_lifecycle() -> None:
    assert {k: set(v) for k, v in ALLOWED_TRANSITIONS.items()} == {
        S.ANONYMOUS: {S.IDENTIFIED, S.CLOSED},
        S.IDENTIFIED: {S.ACTIVE, S.CLOSED},
        S.ACTIVE: {S.FOLLOW_UP, S.CLOSED},
        S.FOLLOW_UP: {S.ACTIVE, S.CLOSED},
        S.CLOSED: {S.ANONYMOUS, S.IDENTIFIED},
    }


@pytest.mark.parametrize(("from_state", "to_state"), ALL_PAIRS)
def test_refusal_reason__every_refused_pair_has_a_danish_reason(from_state: str, to_state: str) -> None:
    reason = refusal_reason(from_state, to_state, has_citizen=True)
    expected_allowed = is_allowed(from_state, to_state) and not (
        from_state == S.CLOSED and to_state == S.ANONYMOUS
    )
    assert (reason is None) == expected_allowed
    if reason is not None:
        assert reason.endswith(".") and len(reason) > 15


@pytest.mark.parametrize(
    ("state", "service", "kwargs", "to_state", "action"),
    [
        (S.IDENTIFIED, services.case_activate, {"action_plan": "Plan"}, S.ACTIVE, actions.CASE_ACTIVATED),
        (S.FOLLOW_UP, services.case_activate, {"action_plan": "Ny plan"}, S.ACTIVE, actions.CASE_ACTIVATED),
        (S.ACTIVE, services.case_follow_up, {"note": "Senere"}, S.FOLLOW_UP, actions.CASE_FOLLOW_UP_STARTED),
        (S.ANONYMOUS, services.case_close, {"reason": "Ingen grund"}, S.CLOSED, actions.CASE_CLOSED),
        (S.IDENTIFIED, services.case_close, {"reason": "Afsluttet"}, S.CLOSED, actions.CASE_CLOSED),
        (S.ACTIVE, services.case_close, {"reason": "Afsluttet"}, S.CLOSED, actions.CASE_CLOSED),
        (S.FOLLOW_UP, services.case_close, {"reason": "Afsluttet"}, S.CLOSED, actions.CASE_CLOSED),
        (S.CLOSED, services.case_reopen, {"reason": "Ny henvendelse"}, S.IDENTIFIED, actions.CASE_REOPENED),
    ],
)
def test_transition__allowed_steps_change_state_record_history_and_audit(
    world, state, service, kwargs, to_state, action
) -> None:
    case = _case(world, state)
    actor = world.users["social_worker"]
    service(actor=actor, case=case, **kwargs)
    case.refresh_from_db()
    assert case.state == to_state
    [(from_state, new_state, _reason)] = _changes(case)
    assert (from_state, new_state) == (state, to_state)
    [event] = _events(action)
    assert (event.object_id, event.citizen_id, event.actor_id) == (str(case.pk), case.citizen_id, actor.pk)
    assert event.detail == {"from": state, "to": to_state}


def test_case_reopen__an_anonymous_discussion_reopens_anonymous(world) -> None:
    case = _case(world, S.CLOSED, with_citizen=False)
    services.case_reopen(actor=world.users["social_worker"], case=case, reason="Ny bekymring")
    case.refresh_from_db()
    assert (case.state, case.closed_at) == (S.ANONYMOUS, None)


@pytest.mark.parametrize(
    ("state", "service", "kwargs", "message"),
    [
        (S.ANONYMOUS, services.case_activate, {"action_plan": "Plan"}, "skal først identificeres"),
        (S.ANONYMOUS, services.case_follow_up, {}, "skal først identificeres"),
        (S.IDENTIFIED, services.case_follow_up, {}, "forudsætter en aktiv sag"),
        (S.ACTIVE, services.case_activate, {"action_plan": "Plan"}, "har allerede status"),
        (S.CLOSED, services.case_activate, {"action_plan": "Plan"}, "Genåbn den først"),
        (S.CLOSED, services.case_close, {"reason": "Igen"}, "har allerede status"),
        (S.ACTIVE, services.case_reopen, {"reason": "Hvorfor"}, "Kun en lukket sag kan genåbnes"),
    ],
)
def test_transition__illegal_steps_are_refused_with_a_reason_and_nothing_changes(
    world, state, service, kwargs, message
) -> None:
    case = _case(world, state)
    with pytest.raises(CaseTransitionError) as refused:
        service(actor=world.users["social_worker"], case=case, **kwargs)
    assert message in str(refused.value)
    case.refresh_from_db()
    assert case.state == state
    assert _changes(case) == []
    with unscoped("test"):
        assert not AuditEvent.objects.filter(action__startswith="case.").exists()


def test_case_transition__identification_needs_a_citizen(world) -> None:
    case = _case(world, S.ANONYMOUS)
    with pytest.raises(CaseTransitionError) as refused:
        services.case_transition(actor=world.users["social_worker"], case=case, to_state=S.IDENTIFIED)
    assert "borgeren er registreret" in str(refused.value)


def test_case_transition__identification_through_the_helper_sets_citizen_and_basis(world) -> None:
    case = _case(world, S.ANONYMOUS)
    citizen = CitizenFactory(cooperation=world.cooperation)
    services.case_transition(
        actor=world.users["social_worker"],
        case=case,
        to_state=S.IDENTIFIED,
        changes={"citizen": citizen, "identification_legal_basis": "rpl-115-1-2"},
        detail={"basis": "rpl-115-1-2"},
    )
    assert (case.state, case.citizen_id) == (S.IDENTIFIED, citizen.pk)  # the caller's object is updated
    case.refresh_from_db()
    assert (case.state, case.citizen_id) == (S.IDENTIFIED, citizen.pk)
    assert case.identification_legal_basis == "rpl-115-1-2"
    [event] = _events(actions.CASE_STATE_CHANGED)
    assert event.citizen_id == citizen.pk
    assert event.detail == {"from": "anonymous", "to": "identified", "basis": "rpl-115-1-2"}


def test_case_transition__refuses_fields_that_do_not_belong_to_a_step(world) -> None:
    case = _case(world, S.IDENTIFIED)
    with pytest.raises(ValueError):
        services.case_transition(actor=world.users["social_worker"], case=case, to_state=S.ACTIVE,
                                 changes={"cooperation": world.other_cooperation})


@pytest.mark.parametrize(
    "persona", ["coordinator", "frontline_worker", "dpo", "outsider", "psychiatry_nurse"]
)
def test_transition__refused_for_anyone_not_working_on_the_case(world, persona) -> None:
    case = CaseFactory(cooperation=world.cooperation, lead_organisation=world.police, state=S.IDENTIFIED,
                       citizen=CitizenFactory(cooperation=world.cooperation))
    with pytest.raises(PermissionDenied):
        services.case_close(actor=world.users[persona], case=case, reason="Nej")
    case.refresh_from_db()
    assert case.state == S.IDENTIFIED


def test_case_close__needs_a_reason(world) -> None:
    case = _case(world, S.ACTIVE)
    with pytest.raises(CaseError) as refused:
        services.case_close(actor=world.users["social_worker"], case=case, reason="  ")
    assert refused.value.field == "reason"
    case.refresh_from_db()
    assert case.state == S.ACTIVE


def test_case_open_anonymous__involves_lead_and_opener_and_refuses_identifiers(world) -> None:
    actor = world.users["psychiatry_nurse"]
    case = services.case_open_anonymous(
        actor=actor, cooperation=world.cooperation, age_band="18-24", description="Ung mand på gaden.",
        lead_organisation=world.municipality, referred_by=world.users["frontline_worker"],
    )
    with unscoped("test"):
        involved = set(case.involvements.values_list("organisation_id", "is_lead"))
    assert involved == {(world.municipality.pk, True), (world.region.pk, False)}
    for text in ("Kontakt ham på 12 34 56 78", "Skriv til per@eksempel.invalid", "CPR 0101901234"):
        with pytest.raises(CaseError) as refused:
            services.case_open_anonymous(actor=actor, cooperation=world.cooperation, age_band="",
                                         description=text, lead_organisation=world.municipality)
        assert refused.value.field == "description"


def test_case_open_anonymous__refuses_a_lead_outside_the_cooperation_and_foreign_cooperations(world) -> None:
    actor = world.users["social_worker"]
    with pytest.raises(CaseError):
        services.case_open_anonymous(actor=actor, cooperation=world.cooperation, age_band="", description="x",
                                     lead_organisation=world.other_municipality)
    with pytest.raises(PermissionDenied):
        services.case_open_anonymous(actor=actor, cooperation=world.other_cooperation, age_band="",
                                     description="x", lead_organisation=world.other_municipality)
    with unscoped("test"):
        assert Case.objects.count() == 0


def test_closed_case__refuses_journal_flags_tasks_and_involvement(world) -> None:
    case = _case(world, S.CLOSED)
    actor = world.users["social_worker"]
    for call in (
        lambda: services.journal_entry_add(actor=actor, case=case, text="x"),
        lambda: services.flag_add(actor=actor, case=case, text="x"),
        lambda: services.task_add(actor=actor, case=case, title="x", owner_organisation=world.municipality),
        lambda: services.involvement_add(actor=actor, case=case, organisation=world.police),
    ):
        with pytest.raises(CaseError) as refused:
            call()
        assert "Sagen er lukket" in str(refused.value)


def test_involvement_end__the_lead_cannot_be_removed(world) -> None:
    case = _shared_case(world)
    with pytest.raises(CaseError) as refused:
        services.involvement_end(
            actor=world.users["social_worker"], case=case, organisation=world.municipality
        )
    assert "ledende organisation kan ikke fjernes" in str(refused.value)


def test_task_add__owner_must_work_for_the_owner_organisation(world) -> None:
    case = _shared_case(world)
    with pytest.raises(CaseError) as refused:
        services.task_add(actor=world.users["social_worker"], case=case, title="Ring",
                          owner_organisation=world.police, owner=world.users["social_worker"])
    assert refused.value.field == "owner"
