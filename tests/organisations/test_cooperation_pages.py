"""The cooperation list and overview: who sees what, and that reading is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samspil.audit import actions
from samspil.core import home

from .helpers import events


def _detail(world) -> str:
    return reverse("organisations:cooperation_detail", kwargs={"pk": world.cooperation.pk})


def test_cooperation_list__shows_the_users_cooperations_only(world, client_for) -> None:
    response = client_for("social_worker").get(reverse("organisations:cooperation_list"))
    assert response.status_code == 200
    assert list(response.context["cooperations"]) == [world.cooperation]
    assert _detail(world) in response.content.decode()


def test_cooperation_list__frontline_worker__sees_no_overview_links(world, client_for) -> None:
    response = client_for("frontline_worker").get(reverse("organisations:cooperation_list"))
    assert response.status_code == 200
    assert list(response.context["cooperations"]) == []
    assert _detail(world) not in response.content.decode()


def test_cooperation_detail__shows_type_municipality_organisations_by_sector_groups_and_configuration(
    world, client_for, groups
) -> None:
    response = client_for("police_officer").get(_detail(world))
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview.sectors == [
        ("Politi", [world.police]),
        ("Kommunale sociale myndigheder", [world.municipality]),
        ("Psykiatri", [world.region]),
    ]
    assert [g.name for g in overview.groups] == ["Styregruppen", "Nøglepersongruppen"]
    assert [b.code for b in overview.legal_bases] == ["rpl-115-1-2", "rpl-115-2", "psyk-13c", "consent"]
    assert overview.member_count == 7 - 1  # the outsider belongs to another cooperation
    html = response.content.decode()
    members_link = reverse("organisations:member_list", kwargs={"pk": world.cooperation.pk})
    for text in ("PSP Testrup", "Testrup Kommune (fiktiv)", "Styregruppen",
                 "Retsplejeloven § 115, stk. 1, nr. 2 (PSP)", members_link):
        assert text in html
    assert reverse("organisations:cooperation_configure", kwargs={"pk": world.cooperation.pk}) not in html


def test_cooperation_detail__coordinator__gets_the_configuration_link(world, client_for) -> None:
    html = client_for("coordinator").get(_detail(world)).content.decode()
    assert reverse("organisations:cooperation_configure", kwargs={"pk": world.cooperation.pk}) in html


def test_cooperation_detail__reading_is_audited(world, client_for) -> None:
    client_for("dpo").get(_detail(world))
    [event] = events(actions.COOPERATION_VIEWED)
    assert (event.actor_id, event.cooperation_id, event.object_id) == (
        world.user("dpo").pk, world.cooperation.pk, str(world.cooperation.pk)
    )


def test_cooperation_detail__outsider__gets_404_and_learns_nothing(world, client_for) -> None:
    response = client_for("outsider").get(_detail(world))
    assert response.status_code == 404
    assert "PSP Testrup" not in response.content.decode()
    assert events(actions.COOPERATION_VIEWED) == []


def test_cooperation_detail__frontline_worker__gets_403_and_the_denial_is_kept_in_the_log(
    world, client_for
) -> None:
    response = client_for("frontline_worker").get(_detail(world))
    assert response.status_code == 403
    [denied] = events(actions.ACCESS_DENIED)
    frontline = world.user("frontline_worker")
    assert (denied.actor_id, denied.cooperation_id) == (frontline.pk, world.cooperation.pk)
    assert events(actions.COOPERATION_VIEWED) == []


@pytest.fixture
def only_organisation_panels(monkeypatch) -> None:
    """The home page with this app's panels only, so these tests do not depend on other apps' panels."""
    mine = {"my_cooperations", "recent_activity"}
    monkeypatch.setattr(home, "PANELS", {key: panel for key, panel in home.PANELS.items() if key in mine})


@pytest.mark.usefixtures("only_organisation_panels")
def test_home__lists_my_cooperations_with_role_and_links_only_where_allowed(world, client_for) -> None:
    response = client_for("frontline_worker").get(reverse("core:home"))
    html = response.content.decode()
    assert "Mine samarbejder" in html
    assert "PSP Testrup" in html and "Frontmedarbejder" in html
    assert _detail(world) not in html
    assert _detail(world) in client_for("social_worker").get(reverse("core:home")).content.decode()


@pytest.mark.usefixtures("only_organisation_panels")
def test_home__recent_activity_shows_my_own_last_ten_events_with_labels(world, client_for) -> None:
    client = client_for("dpo")
    for _ in range(11):
        client.get(reverse("organisations:member_list", kwargs={"pk": world.cooperation.pk}))
    client.get(_detail(world))
    client_for("coordinator").get(_detail(world))  # someone else's event is not shown
    response = client.get(reverse("core:home"))
    panel = next(ctx for panel, ctx in response.context["panels"] if panel.key == "recent_activity")
    assert [e["label"] for e in panel["events"]] == ["Samarbejde set"] + ["Medlemsliste set"] * 9
    assert "Seneste aktivitet" in response.content.decode()


@pytest.mark.usefixtures("only_organisation_panels")
def test_home__user_without_cooperation__is_told_how_to_join(db) -> None:
    from ..conftest import verified_client
    from ..factories import UserFactory

    html = verified_client(UserFactory()).get(reverse("core:home")).content.decode()
    assert "Du er endnu ikke medlem af et samarbejde. Din koordinator kan invitere dig." in html


@pytest.mark.usefixtures("only_organisation_panels")
def test_home__administrator_without_cooperation__is_told_their_role_is_not_tied_to_one(world) -> None:
    from ..conftest import verified_client
    from ..factories import MembershipFactory

    admin = MembershipFactory(organisation=world.municipality, cooperation=None, role="sysadmin").user
    html = verified_client(admin).get(reverse("core:home")).content.decode()
    assert "Din rolle er ikke knyttet til et bestemt samarbejde." in html
    assert "Du er endnu ikke medlem af et samarbejde." not in html
