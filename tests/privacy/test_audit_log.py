"""The DPO's audit view at /revision/: scope, filters, paging, its own audit trail, chain status."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samspil.audit import actions
from samspil.audit.models import AuditChainLink, AuditSeal, Outcome
from samspil.privacy.selectors import audit_events_visible_to

from .events import all_events, events_after, last_event_id, local, make_event

URL = "/revision/"


def _row_ids(response) -> list[int]:
    return [row.event.pk for row in response.context["rows"]]


def test_audit_log__dpo_sees_own_cooperation_and_members_logins_not_other_cooperation(world, client_for):
    users = world.users
    in_cooperation = make_event(actor=users["coordinator"], action=actions.MEMBERS_LISTED)
    outside = {"cooperation_id": None, "organisation_id": None, "role": ""}  # as before the second factor
    member_login = make_event(actor=users["social_worker"], action=actions.MFA_VERIFIED, **outside)
    failed_login_by_member = make_event(actor=users["police_officer"], action=actions.LOGIN_FAILED,
                                        outcome=Outcome.FAILED, **outside)
    make_event(actor=users["outsider"])  # PSP Andeby
    make_event(actor=users["outsider"], action=actions.MFA_VERIFIED, **outside)
    # A member of ours acting in the other cooperation belongs to that cooperation's DPO.
    make_event(actor=users["social_worker"], cooperation_id=world.other_cooperation.pk)
    make_event(action=actions.AUDIT_SEALED, cooperation_id=None)  # system work, no actor

    visible = set(audit_events_visible_to(world.user("dpo")).values_list("pk", flat=True))
    response = client_for("dpo").get(URL)

    assert visible == {failed_login_by_member.pk, member_login.pk, in_cooperation.pk}
    assert response.status_code == 200
    assert _row_ids(response) == [failed_login_by_member.pk, member_login.pk, in_cooperation.pk]


def test_audit_log__selector_gives_non_dpo_nothing(world):
    make_event(actor=world.user("coordinator"))
    for persona in ("coordinator", "police_officer", "frontline_worker", "outsider"):
        assert list(audit_events_visible_to(world.user(persona))) == []


@pytest.fixture
def sample(world):
    """Three events in PSP Testrup with different people, organisations, actions, outcomes and days."""
    users = world.users
    first = make_event(actor=users["police_officer"], occurred_at=local(2025, 3, 5, 10), citizen_id=1042,
                       object_type="cases.case", object_id="17", purpose="Forberedelse af møde")
    # 23:30 in Copenhagen on 6 March is 22:30 UTC the same day.
    second = make_event(actor=users["social_worker"], occurred_at=local(2025, 3, 6, 23, 30),
                        action=actions.ACCESS_DENIED, outcome=Outcome.DENIED)
    # 00:30 in Copenhagen on 7 March is still 6 March in UTC: the local day decides.
    third = make_event(actor=users["coordinator"], occurred_at=local(2025, 3, 7, 0, 30),
                       action=actions.MEMBERSHIP_CHANGED, citizen_id=7,
                       object_type="organisations.membership", object_id="42")
    return {"first": first, "second": second, "third": third}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (lambda w: {"person": w.user("police_officer").pk}, ["first"]),
        (lambda w: {"citizen": 1042}, ["first"]),
        (lambda w: {"organisation": w.police.pk}, ["first"]),
        (lambda w: {"organisation": w.municipality.pk, "date_to": "31-03-2025"}, ["third", "second"]),
        (lambda w: {"action": actions.ACCESS_DENIED}, ["second"]),
        (lambda w: {"outcome": Outcome.DENIED}, ["second"]),
        (lambda w: {"date_from": "07-03-2025", "date_to": "31-12-2025"}, ["third"]),
        (lambda w: {"date_to": "06-03-2025"}, ["second", "first"]),
        (lambda w: {"date_from": "2025-03-06", "date_to": "06.03.2025"}, ["second"]),
        (lambda w: {"object_id": "42"}, ["third"]),
        (lambda w: {"object_id": "4"}, []),
        (lambda w: {"person": w.user("coordinator").pk, "action": actions.ACCESS_DENIED}, []),
    ],
    ids=["person", "citizen", "organisation", "organisation+to", "action", "outcome", "from", "to", "one-day",
         "object", "object-exact", "combined"],
)
def test_audit_log__each_filter_narrows_the_result(world, client_for, sample, query, expected):
    response = client_for("dpo").get(URL, query(world))

    assert response.status_code == 200
    assert response.context["form"].errors == {}
    assert _row_ids(response) == [sample[name].pk for name in expected]


def test_audit_log__bad_date_keeps_the_input_and_says_how_to_write_it(world, client_for):
    make_event(actor=world.user("coordinator"))
    before = last_event_id()

    response = client_for("dpo").get(URL, {"date_from": "31-02-2025", "object_id": "17"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Skriv datoen som dd-mm-åååå, fx 05-03-2025." in html
    assert 'value="31-02-2025"' in html
    assert 'value="17"' in html
    assert 'aria-invalid="true"' in html
    assert "rows" not in response.context
    assert events_after(before) == []  # nothing was searched, so nothing is recorded


def test_audit_log__period_the_wrong_way_round_is_refused(client_for):
    response = client_for("dpo").get(URL, {"date_from": "10-03-2025", "date_to": "01-03-2025"})

    assert response.context["form"].errors == {"date_to": ["Til-datoen ligger før fra-datoen."]}
    assert 'value="10-03-2025"' in response.content.decode()


def test_audit_log__person_outside_the_dpos_cooperations_cannot_be_chosen(world, client_for):
    make_event(actor=world.user("outsider"))

    response = client_for("dpo").get(URL, {"person": world.user("outsider").pk})

    assert response.context["form"].errors == {"person": ["Vælg en person fra listen."]}
    assert "rows" not in response.context


def test_audit_log__person_choices_are_the_members_by_name(world, client_for):
    response = client_for("dpo").get(URL)

    choices = list(response.context["form"].fields["person"].choices)
    names = [label for _value, label in choices[1:]]
    assert names == [
        "Dorte Databeskyttelse (Testrup Kommune (fiktiv))",
        "Frede Frontmedarbejder (Testrup Kommune (fiktiv))",
        "Karin Koordinator (Testrup Kommune (fiktiv))",
        "Per Betjent (Testrup Politi (fiktiv))",
        "Pia Sygeplejerske (Region Test (fiktiv))",
        "Sofie Socialrådgiver (Testrup Kommune (fiktiv))",
    ]


def test_audit_log__action_choices_have_labels_grouped_by_area(client_for):
    response = client_for("dpo").get(URL)

    groups = dict(response.context["form"].fields["action"].choices[1:])
    assert (actions.LOGIN_FAILED, "Mislykket login") in groups["Log ind og sessioner"]
    assert (actions.AUDIT_EXPORTED, "Revisionslog eksporteret") in groups["Revisionsloggen"]
    assert '<optgroup label="Log ind og sessioner">' in response.content.decode()


@pytest.mark.parametrize("persona", ["police_officer", "social_worker", "psychiatry_nurse", "coordinator",
                                     "frontline_worker", "outsider"])
def test_audit_log__other_personas_get_403_and_only_the_denial_is_recorded(world, client_for, persona):
    make_event(actor=world.user("coordinator"))
    before = last_event_id()

    response = client_for(persona).get(URL, {"action": actions.LOGIN_FAILED})

    assert response.status_code == 403
    new = events_after(before)
    assert [(e.action, e.outcome, e.actor_id) for e in new] == [
        (actions.ACCESS_DENIED, Outcome.DENIED, world.user(persona).pk)
    ]
    assert new[0].detail == {"path": URL, "needed": "audit.view"}


def test_audit_log__anonymous_is_sent_to_login_and_nothing_is_recorded(client_for):
    before = last_event_id()

    response = client_for("anonymous").get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert events_after(before) == []


def test_audit_log__every_search_is_audited_with_its_criteria(world, client_for, sample):
    dpo = world.user("dpo")
    before = last_event_id()

    client_for("dpo").get(URL, {"person": world.user("police_officer").pk, "citizen": "1042",
                                "organisation": world.police.pk, "action": actions.MEMBERS_LISTED,
                                "outcome": "allowed", "date_from": "01-03-2025", "date_to": "31-03-2025",
                                "object_id": "17"})

    [searched] = events_after(before)
    assert searched.action == actions.AUDIT_SEARCHED
    assert searched.actor_id == dpo.pk
    assert searched.cooperation_id == world.cooperation.pk
    assert searched.role == "dpo"
    assert searched.detail == {
        "criteria": {
            "person": world.user("police_officer").pk,
            "citizen": 1042,
            "organisation": world.police.pk,
            "action": actions.MEMBERS_LISTED,
            "outcome": "allowed",
            "date_from": "2025-03-01",
            "date_to": "2025-03-31",
            "object_id": "17",
        },
        "page": 1,
        "results": 0,
        "channel": "web",
    }


def test_audit_log__columns_show_names_labels_and_local_time(world, client_for):
    make_event(actor=world.user("police_officer"), occurred_at=datetime(2025, 7, 1, 10, 0, tzinfo=UTC),
               citizen_id=1042, object_type="cases.case", object_id="17", purpose="Forberedelse af møde",
               request_id="req-abc-123456")

    response = client_for("dpo").get(URL)

    [row] = response.context["rows"]
    assert (row.person, row.organisation, row.role, row.action, row.outcome) == (
        "Per Betjent", "Testrup Politi (fiktiv)", "Nøgleperson", "Samarbejde set", "Tilladt"
    )
    html = response.content.decode()
    assert "01-07-2025 12:00:00" in html  # 10:00 UTC is 12:00 summer time in Copenhagen
    for text in ("Per Betjent", "Testrup Politi (fiktiv)", "Nøgleperson", "Samarbejde set", "cases.case 17",
                 "1042", "Forberedelse af møde", "Tilladt", "req-abc-123456"):
        assert text in html


def test_audit_log__pages_hold_fifty_events_newest_first(world, client_for):
    police = world.user("police_officer")
    events = [make_event(actor=police, object_id=str(n)) for n in range(60)]
    client = client_for("dpo")

    first = client.get(URL, {"person": police.pk})
    second = client.get(URL, {"person": police.pk, "page": 2})

    assert _row_ids(first) == [e.pk for e in reversed(events[10:])]
    assert _row_ids(second) == [e.pk for e in reversed(events[:10])]
    assert "Side 1 af 2" in first.content.decode()
    assert f'href="?person={police.pk}&amp;page=2"' in first.content.decode()


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries)


# session, user, OTP device, memberships, request savepoint, person choices, organisation choices, last
# seal, chain links, unsealed count, events count, events page, names, organisations, audit insert
# (in its savepoint), release of both savepoints
PAGE_QUERIES = 18


def test_audit_log__query_count_per_page_does_not_grow_with_the_events(world, client_for):
    client = client_for("dpo")
    client.get(URL)  # the first request of a session also records the session itself
    people = [world.user(p) for p in ("police_officer", "social_worker", "coordinator", "psychiatry_nurse")]
    for n in range(10):
        make_event(actor=people[n % 4])
    few = _page_queries(client)
    for n in range(490):
        make_event(actor=people[n % 4], citizen_id=n)
    many = _page_queries(client)

    assert few == many == PAGE_QUERIES


def test_audit_log__shows_the_chain_status(world, client_for):
    events = [make_event(actor=world.user("coordinator")) for _ in range(5)]
    for seq, event in enumerate(events[:3], start=1):
        AuditChainLink.objects.create(seq=seq, event_id=event.pk, chain_hash=f"{seq:064x}")
    AuditSeal.objects.create(sealed_at=local(2025, 3, 5, 14, 15), first_seq=1, last_seq=3,
                             head_hash=f"{3:064x}")

    response = client_for("dpo").get(URL)

    status = response.context["chain"]
    assert (status.sealed, status.unsealed) == (3, 2)
    html = response.content.decode()
    assert "05-03-2025 14:15:00" in html
    assert "Forseglede hændelser: <strong>3</strong>" in html
    assert "Hændelser der venter på forsegling: <strong>2</strong>" in html


def test_audit_log__chain_status_before_any_sealing(world, client_for):
    make_event(actor=world.user("coordinator"))

    response = client_for("dpo").get(URL)

    assert (response.context["chain"].sealed, response.context["chain"].unsealed) == (0, 1)
    assert "endnu ikke forseglet" in response.content.decode()


def test_audit_log__export_link_keeps_the_filter(world, client_for):
    make_event(actor=world.user("coordinator"))

    response = client_for("dpo").get(URL, {"outcome": "allowed", "page": 1})

    assert f'href="{reverse("privacy:audit_export")}?outcome=allowed"' in response.content.decode()
    assert len(all_events()) == 2
