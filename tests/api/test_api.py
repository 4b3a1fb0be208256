"""The REST API at /api/v1/: verified sessions only, typed answers, scoped reads, audited DPO search."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, RequestFactory
from ninja.errors import HttpError

from samspil.api.auth import VerifiedSessionAuth
from samspil.audit import actions
from samspil.audit.models import Outcome
from tests.privacy.events import events_after, last_event_id, local, make_event

ME = "/api/v1/me"
COOPERATIONS = "/api/v1/cooperations"
EVENTS = "/api/v1/audit/events"


def test_api__anonymous_gets_401_json(client_for):
    response = client_for("anonymous").get(ME)

    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert response["Cache-Control"] == "no-store, max-age=0"


def test_api__signed_in_without_second_factor_gets_401(world):
    client = Client()
    client.force_login(world.user("coordinator"))

    for path in (ME, COOPERATIONS, EVENTS, "/api/v1/openapi.json"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert set(response.json()) == {"detail"}
        assert "full_name" not in response.content.decode()


def test_api__unsafe_methods_need_the_csrf_token(world):
    user = world.user("coordinator")
    factory = RequestFactory()
    request = factory.post(ME, data={}, content_type="application/json")
    request.user = user
    request.COOKIES["sessionid"] = "x"
    request._dont_enforce_csrf_checks = False

    with pytest.raises(HttpError) as refused:
        VerifiedSessionAuth()(request)
    assert refused.value.status_code == 403


def test_api__safe_methods_pass_without_a_csrf_token(world):
    request = RequestFactory().get(ME)
    request.user = world.user("coordinator")
    request.user.is_verified = lambda: True

    assert VerifiedSessionAuth()(request) == world.user("coordinator")


def test_me__returns_own_name_email_and_memberships(world, client_for):
    coordinator = world.user("coordinator")
    membership = coordinator.memberships.get()

    response = client_for("coordinator").get(ME)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, max-age=0"
    assert response.json() == {
        "id": coordinator.pk,
        "full_name": "Karin Koordinator",
        "email": "karin@eksempel.invalid",
        "memberships": [
            {
                "id": membership.pk,
                "role": "coordinator",
                "role_label": "Koordinator",
                "organisation": {"id": world.municipality.pk, "name": "Testrup Kommune (fiktiv)",
                                 "kind": "municipality", "sector": "social"},
                "cooperation": {"id": world.cooperation.pk, "name": "PSP Testrup", "type": "psp"},
            }
        ],
    }


@pytest.mark.parametrize(
    ("persona", "names"),
    [("coordinator", ["PSP Testrup"]), ("dpo", ["PSP Testrup"]), ("outsider", ["PSP Andeby"]),
     ("frontline_worker", [])],
)
def test_cooperations__lists_only_the_users_visible_cooperations(client_for, persona, names):
    response = client_for(persona).get(COOPERATIONS)

    assert response.status_code == 200
    assert [c["name"] for c in response.json()] == names


def test_cooperation_detail__shows_the_cooperation_with_its_organisations_and_is_audited(world, client_for):
    before = last_event_id()

    response = client_for("police_officer").get(f"{COOPERATIONS}/{world.cooperation.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["name"], body["type"], body["type_label"]) == (
        world.cooperation.pk, "PSP Testrup", "psp", "PSP (politi, socialforvaltning, psykiatri)"
    )
    assert body["municipality"]["name"] == "Testrup Kommune (fiktiv)"
    assert [(o["organisation"]["name"], o["sector"]) for o in body["organisations"]] == [
        ("Region Test (fiktiv)", "psychiatry"), ("Testrup Kommune (fiktiv)", "social"),
        ("Testrup Politi (fiktiv)", "police"),
    ]
    [viewed] = events_after(before)
    assert (viewed.action, viewed.actor_id, viewed.cooperation_id, viewed.object_id) == (
        actions.COOPERATION_VIEWED,
        world.user("police_officer").pk,
        world.cooperation.pk,
        str(world.cooperation.pk),
    )


@pytest.mark.parametrize("persona", ["outsider", "frontline_worker"])
def test_cooperation_detail__outside_the_users_cooperations_is_404_and_unrecorded(world, client_for, persona):
    before = last_event_id()

    response = client_for(persona).get(f"{COOPERATIONS}/{world.cooperation.pk}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    assert events_after(before) == []


def test_cooperation_detail__unknown_id_is_404(client_for):
    assert client_for("coordinator").get(f"{COOPERATIONS}/999999").status_code == 404


def test_audit_events__dpo_gets_own_scope_newest_first_with_names(world, client_for):
    mine = make_event(actor=world.user("police_officer"), occurred_at=local(2025, 3, 5, 10), citizen_id=1042)
    make_event(actor=world.user("outsider"))

    response = client_for("dpo").get(EVENTS)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["page"], body["pages"], body["page_size"]) == (1, 1, 1, 50)
    [item] = body["items"]
    assert item == {
        "id": mine.pk,
        "occurred_at": "2025-03-05T09:00:00Z",
        "actor_id": world.user("police_officer").pk,
        "actor_name": "Per Betjent",
        "organisation_id": world.police.pk,
        "organisation_name": "Testrup Politi (fiktiv)",
        "cooperation_id": world.cooperation.pk,
        "role": "key_member",
        "role_label": "Nøgleperson",
        "action": "cooperation.viewed",
        "action_label": "Samarbejde set",
        "object_type": "",
        "object_id": "",
        "citizen_id": 1042,
        "purpose": "",
        "outcome": "allowed",
        "outcome_label": "Tilladt",
        "request_id": "req-test-0001",
    }


def test_audit_events__filters_are_query_parameters_and_the_search_is_audited(world, client_for):
    police = world.user("police_officer")
    denied = {"outcome": Outcome.DENIED, "action": actions.ACCESS_DENIED}
    wanted = make_event(actor=police, occurred_at=local(2025, 3, 5, 10), **denied)
    make_event(actor=police, occurred_at=local(2025, 3, 9, 10), **denied)
    make_event(actor=police, occurred_at=local(2025, 3, 5, 11))
    before = last_event_id()

    criteria = {"person": police.pk, "outcome": "denied", "date_from": "2025-03-01", "date_to": "2025-03-06"}
    response = client_for("dpo").get(EVENTS, criteria)

    assert [item["id"] for item in response.json()["items"]] == [wanted.pk]
    [searched] = events_after(before)
    assert searched.action == actions.AUDIT_SEARCHED
    assert searched.detail == {
        "criteria": criteria,
        "page": 1,
        "results": 1,
        "channel": "api",
    }


def test_audit_events__pages_hold_fifty(world, client_for):
    police = world.user("police_officer")
    events = [make_event(actor=police) for _ in range(55)]

    response = client_for("dpo").get(EVENTS, {"person": police.pk, "page": 2})

    body = response.json()
    assert (body["count"], body["page"], body["pages"]) == (55, 2, 2)
    assert [item["id"] for item in body["items"]] == [e.pk for e in reversed(events[:5])]


def test_audit_events__criteria_outside_the_dpos_reach_are_422_and_not_searched(world, client_for):
    before = last_event_id()

    response = client_for("dpo").get(EVENTS, {"person": world.user("outsider").pk, "action": "nope.nothing"})

    assert response.status_code == 422
    assert response.json() == {
        "detail": "Invalid search criteria",
        "errors": {"person": ["Vælg en person fra listen."], "action": ["Vælg en handling fra listen."]},
    }
    assert events_after(before) == []


def test_audit_events__malformed_date_is_422(client_for):
    assert client_for("dpo").get(EVENTS, {"date_from": "31-02-2025"}).status_code == 422


@pytest.mark.parametrize("persona", ["police_officer", "social_worker", "psychiatry_nurse", "coordinator",
                                     "frontline_worker", "outsider"])
def test_audit_events__other_personas_get_403_and_the_denial_is_recorded(world, client_for, persona):
    make_event(actor=world.user("police_officer"))
    before = last_event_id()

    response = client_for(persona).get(EVENTS)

    assert response.status_code == 403
    assert response.json() == {"detail": "Forbidden"}
    needed = {"path": EVENTS, "needed": "audit.view"}
    denial = (actions.ACCESS_DENIED, Outcome.DENIED, world.user(persona).pk, needed)
    assert [(e.action, e.outcome, e.actor_id, e.detail) for e in events_after(before)] == [denial]


def test_openapi_schema__lists_the_operations_for_verified_users(client_for):
    response = client_for("frontline_worker").get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert set(response.json()["paths"]) == {ME, COOPERATIONS, "/api/v1/cooperations/{id}", EVENTS}


def test_docs_page__for_verified_users_with_a_nonce_on_every_script(client_for):
    response = client_for("coordinator").get("/api/v1/docs")

    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert len(scripts) == 3
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)


def test_docs_page__sends_anonymous_visitors_to_login(client_for):
    response = client_for("anonymous").get("/api/v1/docs")

    assert response.status_code == 302
    assert response["Location"] == "/konto/login/?next=/api/v1/docs"


@pytest.mark.parametrize("path", ["ninja/swagger-ui.css", "ninja/swagger-ui-bundle.js",
                                  "ninja/swagger-ui-init.js"])
def test_docs_page__assets_are_served_by_us_not_a_cdn(client_for, path):
    assert finders.find(path) is not None
    assert f"/static/{path}" in client_for("coordinator").get("/api/v1/docs").content.decode()
