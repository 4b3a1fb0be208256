"""Who sees which case, at which level, per persona; and that refused actions change nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from samspil.cases.models import Case, CaseState, EntryVisibility, Flag, JournalEntry, Task
from samspil.cases.policies import case_access
from samspil.cases.selectors import cases_visible_to, journal_entries_visible_to
from samspil.core.scoping import unscoped
from samspil.organisations.models import Membership

from ..conftest import PERSONAS
from ..factories import CaseFactory, JournalEntryFactory, TaskFactory

# (full details, knows it exists) per persona for a case led by the police with psychiatry involved,
# referred by the frontline worker: the municipality (social worker, coordinator) is not involved.
EXPECTED = {
    "police_officer": (True, True),
    "psychiatry_nurse": (True, True),
    "social_worker": (False, False),
    "coordinator": (False, True),
    "frontline_worker": (False, True),
    "dpo": (False, False),
    "outsider": (False, False),
    "anonymous": (False, False),
}


@pytest.fixture
def referred_police_case(world) -> Case:
    return CaseFactory(cooperation=world.cooperation, lead_organisation=world.police, involve=[world.region],
                       referred_by=world.users["frontline_worker"])


@pytest.mark.parametrize("persona", PERSONAS)
def test_cases_visible_to__each_persona_sees_what_the_policy_says(
    world, referred_police_case, persona
) -> None:
    user = world.user(persona) or AnonymousUser()
    details, exists = EXPECTED[persona]
    rows = {c.pk: c.has_details for c in cases_visible_to(user)}
    assert (referred_police_case.pk in rows) == exists
    if exists:
        assert rows[referred_police_case.pk] == details
    access = case_access(user, referred_police_case)
    assert (access.has_details, access.is_visible) == (details, exists)


@pytest.mark.parametrize("persona", PERSONAS)
def test_case_detail__answers_each_persona_by_the_policy(
    world, client_for, referred_police_case, persona
) -> None:
    response = client_for(persona).get(reverse("cases:case_detail", kwargs={"pk": referred_police_case.pk}))
    details, exists = EXPECTED[persona]
    if persona == "anonymous":
        expected = 302
    elif details or persona == "frontline_worker":
        expected = 200
    else:
        expected = 403 if exists else 404
    assert response.status_code == expected


def test_cases_visible_to__ended_involvement_ends_access(world, referred_police_case) -> None:
    from django.utils import timezone

    with unscoped("test"):
        referred_police_case.involvements.filter(organisation=world.region).update(ended_at=timezone.now())
    assert referred_police_case.pk not in {c.pk for c in cases_visible_to(world.users["psychiatry_nurse"])}


def test_cases_visible_to__a_frontline_worker_of_another_cooperation_sees_nothing(world) -> None:
    from ..factories import MembershipFactory, UserFactory

    stranger = UserFactory()
    MembershipFactory(user=stranger, organisation=world.other_municipality,
                      cooperation=world.other_cooperation, role="frontline_worker")
    case = CaseFactory(cooperation=world.cooperation, referred_by=stranger)
    assert case.pk not in {c.pk for c in cases_visible_to(stranger)}


def test_journal__selector_gives_own_entries_and_shared_ones(world) -> None:
    case = CaseFactory(cooperation=world.cooperation, involve=[world.police])
    own = JournalEntryFactory(case=case, organisation=world.police)
    hidden = JournalEntryFactory(case=case, organisation=world.municipality)
    shared = JournalEntryFactory(case=case, organisation=world.municipality,
                                 visibility=EntryVisibility.SHARED)
    user = world.users["police_officer"]
    seen = {e.pk for e in journal_entries_visible_to(user, case, case_access(user, case))}
    assert seen == {own.pk, shared.pk}
    assert hidden.pk not in seen


def test_journal__investigative_member_gets_own_organisation_entries_only(world) -> None:
    case = CaseFactory(cooperation=world.cooperation, involve=[world.police])
    own = JournalEntryFactory(case=case, organisation=world.police)
    JournalEntryFactory(case=case, organisation=world.municipality, visibility=EntryVisibility.SHARED)
    user = world.users["police_officer"]
    with unscoped("test"):
        Membership.objects.filter(user=user).update(is_investigative=True)
    user = type(user).objects.get(pk=user.pk)  # fresh object: memberships are cached per user object
    assert [e.pk for e in journal_entries_visible_to(user, case, case_access(user, case))] == [own.pk]


POST_ACTIONS = [
    ("cases:journal_add", lambda case: {"pk": case.pk}, {"text": "Forsøg"}),
    ("cases:flag_add", lambda case: {"pk": case.pk}, {"text": "Forsøg"}),
    ("cases:task_add", lambda case: {"pk": case.pk}, {"title": "Forsøg"}),
    ("cases:case_edit", lambda case: {"pk": case.pk}, {"description": "Forsøg", "version": 1}),
    ("cases:case_step", lambda case: {"pk": case.pk, "step": "luk"}, {"reason": "Forsøg"}),
    ("cases:case_involvement", lambda case: {"pk": case.pk}, {"action": "add", "organisation": 0}),
]


@pytest.mark.parametrize(("route", "kwargs", "data"), POST_ACTIONS, ids=[r[0] for r in POST_ACTIONS])
@pytest.mark.parametrize(
    ("persona", "status"),
    [("coordinator", 403), ("frontline_worker", 403), ("social_worker", 404), ("outsider", 404),
     ("dpo", 404)],
)
def test_actions__refused_with_404_or_403_and_nothing_changes(
    world, client_for, referred_police_case, route, kwargs, data, persona, status
) -> None:
    TaskFactory(case=referred_police_case)
    if route == "cases:case_involvement":
        data = {**data, "organisation": world.municipality.pk}
    before = _snapshot(referred_police_case)
    response = client_for(persona).post(reverse(route, kwargs=kwargs(referred_police_case)), data)
    assert response.status_code == status
    assert _snapshot(referred_police_case) == before


def _snapshot(case: Case) -> tuple:
    with unscoped("test compares before and after"):
        fresh = Case.objects.get(pk=case.pk)
        return (
            fresh.state, fresh.description, fresh.version, fresh.lead_organisation_id,
            JournalEntry.objects.count(), Flag.objects.count(), Task.objects.count(),
            sorted(
                fresh.involvements.filter(ended_at__isnull=True).values_list("organisation_id", flat=True)
            ),
        )


def test_case_states__all_visible_through_the_list_for_an_involved_member(world) -> None:
    for state in CaseState.values:
        CaseFactory(cooperation=world.cooperation, lead_organisation=world.municipality, state=state)
    assert {c.state for c in cases_visible_to(world.users["social_worker"])} == set(CaseState.values)
