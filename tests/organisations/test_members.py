"""The member list and what a coordinator may change about members (role, groups, ending, deactivating)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samspil.audit import actions
from samspil.core.roles import Role
from samspil.organisations.models import Membership

from ..factories import MembershipFactory
from .helpers import events, sudo_client


def _list_url(world) -> str:
    return reverse("organisations:member_list", kwargs={"pk": world.cooperation.pk})


def _membership(world, persona: str) -> Membership:
    return world.user(persona).memberships.get()


def _url(name: str, world, membership: Membership) -> str:
    kwargs = {"pk": world.cooperation.pk, "membership_pk": membership.pk}
    return reverse(f"organisations:{name}", kwargs=kwargs)


def _join_other_cooperation(world, user) -> None:
    MembershipFactory(user=user, organisation=world.other_municipality, cooperation=world.other_cooperation)


def _state(membership: Membership) -> tuple:
    membership.refresh_from_db()
    membership.user.refresh_from_db()
    return (membership.role, membership.is_active, membership.ended_at, membership.user.is_active,
            sorted(membership.groups.values_list("name", flat=True)))


def test_member_list__shows_name_organisation_unit_role_groups_and_since(world, client_for, groups) -> None:
    nurse = _membership(world, "psychiatry_nurse")
    nurse.groups.set([groups["key_persons"]])
    response = client_for("police_officer").get(_list_url(world))
    assert response.status_code == 200
    assert [(m.user.full_name, m.get_role_display()) for m in response.context["members"]] == [
        ("Pia Sygeplejerske", "Nøgleperson"),
        ("Dorte Databeskyttelse", "Databeskyttelsesrådgiver"),
        ("Frede Frontmedarbejder", "Frontmedarbejder"),
        ("Karin Koordinator", "Koordinator"),
        ("Sofie Socialrådgiver", "Nøgleperson"),
        ("Per Betjent", "Nøgleperson"),
    ]
    html = response.content.decode()
    for heading in ("Navn", "Organisation", "Enhed", "Rolle", "Grupper", "Medlem siden"):
        assert f'<th scope="col">{heading}</th>' in html
    assert "Nøglepersongruppen" in html
    assert "Administrér" not in html  # a key member cannot manage members


def test_member_list__excludes_ended_memberships_and_other_cooperations(world, client_for) -> None:
    ended = _membership(world, "social_worker")
    ended.is_active = False
    ended.save()
    names = [m.user.full_name for m in client_for("dpo").get(_list_url(world)).context["members"]]
    assert "Sofie Socialrådgiver" not in names
    assert "Otto Udefra" not in names


def test_member_list__reading_is_audited(world, client_for) -> None:
    client_for("dpo").get(_list_url(world))
    [event] = events(actions.MEMBERS_LISTED)
    assert (event.actor_id, event.cooperation_id) == (world.user("dpo").pk, world.cooperation.pk)
    assert event.detail == {"count": 6}


def test_member_list__outsider_404_frontline_403_and_nothing_listed(world, client_for) -> None:
    assert client_for("outsider").get(_list_url(world)).status_code == 404
    assert client_for("frontline_worker").get(_list_url(world)).status_code == 403
    assert events(actions.MEMBERS_LISTED) == []


def _add_members(world, groups, count: int) -> None:
    for _ in range(count):
        membership = MembershipFactory(cooperation=world.cooperation, organisation=world.municipality)
        membership.groups.set([groups["steering"], groups["key_persons"]])


def _queries_for_list(world, client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(_list_url(world))
    assert response.status_code == 200
    return len(captured)


# session, user, TOTP device, own memberships, savepoint, cooperation, members, their groups, audit, release
MEMBER_LIST_QUERIES = 10


@pytest.mark.parametrize("extra_members", [5, 50])
def test_member_list__query_count_is_pinned_and_does_not_grow_with_members(
    world, client_for, groups, django_assert_num_queries, extra_members
) -> None:
    _add_members(world, groups, extra_members)
    client = client_for("coordinator")
    client.get(_list_url(world))  # settle the session bookkeeping of the first request
    with django_assert_num_queries(MEMBER_LIST_QUERIES):
        response = client.get(_list_url(world))
    assert len(response.context["members"]) == 6 + extra_members


def test_member_change__without_sudo__asks_for_confirmation_and_changes_nothing(world, client_for) -> None:
    membership = _membership(world, "social_worker")
    before = _state(membership)
    url = _url("member_change", world, membership)
    response = client_for("coordinator").post(url, {"role": Role.COORDINATOR})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sudo"))
    assert _state(membership) == before


def test_member_change__in_sudo__changes_role_and_groups_and_audits(world, groups) -> None:
    membership = _membership(world, "social_worker")
    client = sudo_client(world.user("coordinator"))
    assert client.get(_url("member_change", world, membership)).status_code == 200
    response = client.post(_url("member_change", world, membership),
                           {"role": Role.FRONTLINE_WORKER, "groups": [groups["steering"].pk]})
    assert response.status_code == 302
    assert _state(membership) == ("frontline_worker", True, None, True, ["Styregruppen"])
    [event] = events(actions.MEMBERSHIP_CHANGED)
    assert event.detail == {"fields": ["role", "groups"], "role_from": "key_member",
                            "role_to": "frontline_worker"}
    assert (event.actor_id, event.object_id) == (world.user("coordinator").pk, str(membership.pk))


def test_member_change__a_role_outside_cooperations__is_refused_with_input_kept(world) -> None:
    membership = _membership(world, "social_worker")
    before = _state(membership)
    response = sudo_client(world.user("coordinator")).post(_url("member_change", world, membership),
                                                           {"role": Role.SYSTEM_ADMINISTRATOR})
    assert response.status_code == 400
    assert _state(membership) == before
    assert response.context["form"]["role"].value() == "sysadmin"


def test_member_change__group_of_another_cooperation__is_refused(world) -> None:
    from ..factories import CooperationGroupFactory

    foreign = CooperationGroupFactory(cooperation=world.other_cooperation)
    membership = _membership(world, "social_worker")
    before = _state(membership)
    response = sudo_client(world.user("coordinator")).post(
        _url("member_change", world, membership), {"role": Role.KEY_MEMBER, "groups": [foreign.pk]})
    assert response.status_code == 400
    assert _state(membership) == before


def test_member_change__coordinator_cannot_demote_their_own_last_coordinator_membership(world) -> None:
    membership = _membership(world, "coordinator")
    before = _state(membership)
    response = sudo_client(world.user("coordinator")).post(_url("member_change", world, membership),
                                                           {"role": Role.KEY_MEMBER})
    assert response.status_code == 400
    assert "Du kan ikke fratage dig selv rollen som koordinator" in response.content.decode()
    assert _state(membership) == before


@pytest.mark.parametrize("persona", ["police_officer", "dpo"])
def test_member_change__member_without_the_capability__gets_403_even_in_sudo(world, persona) -> None:
    membership = _membership(world, "social_worker")
    before = _state(membership)
    response = sudo_client(world.user(persona)).post(_url("member_change", world, membership),
                                                     {"role": Role.COORDINATOR})
    assert response.status_code == 403
    assert _state(membership) == before


def test_member_change__membership_of_another_cooperation__is_404(world) -> None:
    foreign = _membership(world, "outsider")
    response = sudo_client(world.user("coordinator")).get(_url("member_change", world, foreign))
    assert response.status_code == 404


def test_member_end__in_sudo__ends_the_membership_and_audits(world) -> None:
    membership = _membership(world, "police_officer")
    response = sudo_client(world.user("coordinator")).post(_url("member_end", world, membership))
    assert response.status_code == 302
    role, active, ended_at, user_active, _groups = _state(membership)
    assert (role, active, ended_at is not None, user_active) == ("key_member", False, True, True)
    [event] = events(actions.MEMBERSHIP_ENDED)
    assert (event.object_id, event.detail) == (str(membership.pk), {"role": "key_member"})


def test_member_end__without_sudo__changes_nothing(world, client_for) -> None:
    membership = _membership(world, "police_officer")
    before = _state(membership)
    response = client_for("coordinator").post(_url("member_end", world, membership))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sudo"))
    assert _state(membership) == before


def test_member_end__get_after_sudo__shows_the_members_page_rather_than_405(world) -> None:
    membership = _membership(world, "police_officer")
    response = sudo_client(world.user("coordinator")).get(_url("member_end", world, membership))
    assert response.status_code == 302
    assert response["Location"] == _url("member_change", world, membership)


def test_member_end__own_last_coordinator_membership__is_refused_with_a_clear_message(world) -> None:
    membership = _membership(world, "coordinator")
    before = _state(membership)
    client = sudo_client(world.user("coordinator"))
    response = client.post(_url("member_end", world, membership), follow=True)
    message = "Du kan ikke afslutte dit eget sidste koordinatormedlemskab i samarbejdet."
    assert message in response.content.decode()
    assert _state(membership) == before
    assert events(actions.MEMBERSHIP_ENDED) == []


def test_member_end__own_coordinator_membership_when_holding_another__is_allowed(world) -> None:
    coordinator = world.user("coordinator")
    second = MembershipFactory(user=coordinator, organisation=world.police, cooperation=world.cooperation,
                               role=Role.COORDINATOR)
    first = coordinator.memberships.get(organisation=world.municipality)
    response = sudo_client(coordinator).post(_url("member_end", world, first))
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_active, second.is_active) == (False, True)


def test_member_deactivate__account_only_in_this_cooperation__is_deactivated_and_memberships_end(
    world
) -> None:
    membership = _membership(world, "frontline_worker")
    response = sudo_client(world.user("coordinator")).post(_url("member_deactivate", world, membership))
    assert response.status_code == 302
    _role, active, ended_at, user_active, _groups = _state(membership)
    assert (active, ended_at is not None, user_active) == (False, True, False)
    assert [e.object_id for e in events(actions.MEMBERSHIP_ENDED)] == [str(membership.pk)]
    [deactivated] = events(actions.ACCOUNT_DEACTIVATED)
    assert (deactivated.actor_id, deactivated.object_id) == (world.user("coordinator").pk,
                                                             str(world.user("frontline_worker").pk))


def test_member_deactivate__account_with_memberships_elsewhere__is_refused(world) -> None:
    frontline = world.user("frontline_worker")
    _join_other_cooperation(world, frontline)
    membership = frontline.memberships.get(cooperation=world.cooperation)
    before = _state(membership)
    client = sudo_client(world.user("coordinator"))
    response = client.post(_url("member_deactivate", world, membership), follow=True)
    assert "Personen er også medlem andre steder." in response.content.decode()
    assert _state(membership) == before
    assert events(actions.ACCOUNT_DEACTIVATED) == []


def test_member_deactivate__own_account__is_refused(world) -> None:
    membership = _membership(world, "coordinator")
    before = _state(membership)
    client = sudo_client(world.user("coordinator"))
    response = client.post(_url("member_deactivate", world, membership), follow=True)
    assert "Du kan ikke deaktivere din egen konto." in response.content.decode()
    assert _state(membership) == before


def test_member_page__offers_deactivation_only_where_allowed(world) -> None:
    frontline = world.user("frontline_worker")
    client = sudo_client(world.user("coordinator"))
    own = _membership(world, "frontline_worker")
    deactivate = _url("member_deactivate", world, own)
    assert deactivate in client.get(_url("member_change", world, own)).content.decode()
    _join_other_cooperation(world, frontline)
    membership = frontline.memberships.get(cooperation=world.cooperation)
    assert deactivate not in client.get(_url("member_change", world, membership)).content.decode()
