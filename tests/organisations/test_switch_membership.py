"""The membership switcher in the header: POST only, and only one's own active memberships."""

from __future__ import annotations

from django.urls import reverse

from samspil.core.roles import Role
from samspil.organisations.middleware import SESSION_KEY

from ..factories import MembershipFactory

URL = reverse("organisations:switch_membership")


def test_switch__to_an_own_membership__becomes_the_active_one(world, client_for) -> None:
    coordinator = world.user("coordinator")
    second = MembershipFactory(user=coordinator, organisation=world.police, cooperation=world.cooperation,
                               role=Role.KEY_MEMBER)
    client = client_for("coordinator")
    response = client.post(URL, {"membership": second.pk})
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert client.session[SESSION_KEY] == second.pk
    page = client.get(reverse("organisations:cooperation_list"))
    assert page.context["active_membership"] == second


def test_switch__to_someone_elses_membership__is_refused_and_nothing_changes(world, client_for) -> None:
    client = client_for("coordinator")
    foreign = world.user("dpo").memberships.get()
    response = client.post(URL, {"membership": foreign.pk, "next": "/samarbejder/"}, follow=True)
    assert SESSION_KEY not in client.session
    assert "Det valgte medlemskab findes ikke eller er ikke længere aktivt." in response.content.decode()


def test_switch__to_an_ended_membership__is_refused(world, client_for) -> None:
    coordinator = world.user("coordinator")
    ended = MembershipFactory(user=coordinator, organisation=world.police, cooperation=world.cooperation,
                              role=Role.KEY_MEMBER, is_active=False)
    client = client_for("coordinator")
    client.post(URL, {"membership": ended.pk})
    assert SESSION_KEY not in client.session


def test_switch__get__is_not_allowed(client_for) -> None:
    assert client_for("coordinator").get(URL).status_code == 405


def test_switch__returns_to_a_local_next_page_but_never_to_another_site(world, client_for) -> None:
    client = client_for("coordinator")
    own = world.user("coordinator").memberships.get()
    local = client.post(URL, {"membership": own.pk, "next": "/samarbejder/"})
    assert local["Location"] == "/samarbejder/"
    foreign = client.post(URL, {"membership": own.pk, "next": "https://angriber.invalid/"})
    assert foreign["Location"] == reverse("core:home")
