"""Who may see, configure and manage a cooperation: one row per persona of the test world."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from samspil.audit import actions
from samspil.organisations import policies

from .helpers import events

#                     view   configure invite
EXPECTED = {
    "police_officer": (True, False, False),
    "social_worker": (True, False, False),
    "psychiatry_nurse": (True, False, False),
    "coordinator": (True, True, True),
    "frontline_worker": (False, False, False),
    "dpo": (True, False, False),
    "outsider": (False, False, False),
}


@pytest.mark.parametrize("persona", EXPECTED)
def test_policy__answers_each_persona_for_their_cooperation(world, persona) -> None:
    user = world.user(persona)
    assert (
        policies.can_view_cooperation(user, world.cooperation),
        policies.can_configure_cooperation(user, world.cooperation),
        policies.can_invite_members(user, world.cooperation),
    ) == EXPECTED[persona]


def test_policy__outsider_coordinator_manages_only_their_own_cooperation(world) -> None:
    outsider = world.user("outsider")
    assert policies.can_configure_cooperation(outsider, world.other_cooperation)
    assert not policies.is_member_of_cooperation(outsider, world.cooperation)


def _request(user):
    request = RequestFactory().get("/samarbejder/x/")
    request.user = user
    return request


def test_cooperation_for__outsider__is_404_and_not_audited(world) -> None:
    with pytest.raises(Http404):
        policies.cooperation_for(_request(world.user("outsider")), world.cooperation.pk, "cooperation.view")
    assert events(actions.ACCESS_DENIED) == []


def test_cooperation_for__unknown_id__is_404(world) -> None:
    with pytest.raises(Http404):
        policies.cooperation_for(_request(world.user("coordinator")), 987654, "cooperation.view")


def test_cooperation_for__frontline_worker__is_403_and_the_denial_is_audited(world) -> None:
    frontline = world.user("frontline_worker")
    with pytest.raises(PermissionDenied):
        policies.cooperation_for(_request(frontline), world.cooperation.pk, "cooperation.view")
    [event] = events(actions.ACCESS_DENIED)
    assert (event.actor_id, event.cooperation_id) == (frontline.pk, world.cooperation.pk)
    assert event.outcome == "denied"
    assert event.detail["needed"] == "cooperation.view"


def test_cooperation_for__member_with_the_capability__gets_the_cooperation(world) -> None:
    request = _request(world.user("dpo"))
    assert policies.cooperation_for(request, world.cooperation.pk, "cooperation.view") == world.cooperation
