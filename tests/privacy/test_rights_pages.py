"""The DPO's "Borgerens rettigheder" pages (search, citizen, legal holds, rules, receipts) and the
police's exemption of their own entries: who may do what, with nothing changed on a denial."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samspil.audit import actions
from samspil.audit.models import AuditEvent, Outcome
from samspil.core.scoping import unscoped
from samspil.privacy.models import (
    AccessExemption,
    DeletionReceipt,
    LegalHold,
    RetentionCategory,
    RetentionRule,
)

from ..conftest import verified_client
from ..factories import CitizenFactory
from ..sharing.helpers import entry_of
from .helpers import assert_accessible_markup, rights_objects

RIGHTS = reverse("privacy:rights")


def _events(action: str) -> list[AuditEvent]:
    with unscoped("test reads the audit log"):
        return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def _holds() -> list[LegalHold]:
    with unscoped("test reads the holds"):
        return list(LegalHold.objects.order_by("pk"))


def _exemptions() -> list[AccessExemption]:
    with unscoped("test reads the exemptions"):
        return list(AccessExemption.objects.order_by("pk"))


def test_rights_page__is_accessible_and_lists_holds_and_the_default_rules(world, client_for):
    objects = rights_objects(world)

    response = client_for("dpo").get(RIGHTS)

    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_markup(html)
    assert "<h1>Borgerens rettigheder</h1>" in html
    assert "Borgeren Fiktiv Borger Rettighed" in html and "Klagesag (fiktiv)." in html
    [group] = response.context["rule_groups"]
    assert group.cooperation == world.cooperation
    assert [(row.rule.category, row.rule.period, row.rule.unit) for row in group.rows] == [
        ("anonymous_discussion", 30, "days"), ("closed_case", 5, "years"), ("consent", 5, "years"),
        ("unlinked_citizen", 30, "days"), ("audit_event", 10, "years")]
    assert objects.hold.is_active


def test_search_by_name__finds_citizens_of_the_dpo_s_cooperation_only_and_is_audited(world, client_for):
    mine = CitizenFactory(cooperation=world.cooperation, full_name="Søren Fiktivsen")
    CitizenFactory(cooperation=world.other_cooperation, full_name="Søren Fiktivsen")

    response = client_for("dpo").post(RIGHTS, {"name": "SØREN fiktiv"})

    assert response.status_code == 200
    assert response.context["results"] == [mine]
    assert reverse("privacy:citizen_rights", kwargs={"pk": mine.pk}) in response.content.decode()
    [event] = _events(actions.PRIVACY_CITIZEN_SEARCHED)
    assert event.detail == {"criterion": "name", "matches": 1}


def test_search_by_cpr__is_exact_and_never_logs_the_number(world, client_for):
    target = CitizenFactory(cooperation=world.cooperation, cpr="0102851234")
    CitizenFactory(cooperation=world.cooperation, cpr="0102851235")

    response = client_for("dpo").post(RIGHTS, {"cpr": "010285-1234"})

    assert response.context["results"] == [target]
    html = response.content.decode()
    assert "010285-XXXX" in html and "0102851234" not in html
    [event] = _events(actions.PRIVACY_CITIZEN_SEARCHED)
    assert event.detail == {"criterion": "cpr", "matches": 1}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"cpr": "12"}, "Et CPR-nummer har 10 cifre"),
        ({"name": "", "cpr": ""}, "Skriv et navn eller et CPR-nummer."),
    ],
)
def test_search__bad_input_says_why_and_searches_nothing(world, client_for, data, message):
    response = client_for("dpo").post(RIGHTS, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["results"] is None
    assert _events(actions.PRIVACY_CITIZEN_SEARCHED) == []


@pytest.mark.parametrize("persona", ["coordinator", "police_officer", "frontline_worker", "outsider"])
def test_rights_page__others_get_403_only_the_denial_is_recorded(world, persona):
    response = verified_client(world.users[persona]).post(RIGHTS, {"name": "Fiktiv"})

    assert response.status_code == 403
    assert _events(actions.PRIVACY_CITIZEN_SEARCHED) == []
    [denied] = _events(actions.ACCESS_DENIED)
    assert (denied.actor_id, denied.outcome, denied.detail["needed"]) == (
        world.users[persona].pk, Outcome.DENIED, "privacy.access_report")


def test_citizen_page__shows_report_links_and_is_audited(world, client_for):
    objects = rights_objects(world)
    url = reverse("privacy:citizen_rights", kwargs={"pk": objects.citizen.pk})

    response = client_for("dpo").get(url)

    html = response.content.decode()
    assert_accessible_markup(html)
    assert reverse("privacy:access_report", kwargs={"pk": objects.citizen.pk, "fmt": "pdf"}) in html
    assert reverse("privacy:access_report", kwargs={"pk": objects.citizen.pk, "fmt": "json"}) in html
    assert reverse("privacy:rectify", kwargs={"pk": objects.citizen.pk}) in html
    [event] = _events(actions.PRIVACY_CITIZEN_VIEWED)
    assert event.citizen_id == objects.citizen.pk


def test_hold__placed_on_one_case_from_the_page_and_audited(world, client_for):
    objects = rights_objects(world)
    url = reverse("privacy:hold_place", kwargs={"pk": objects.citizen.pk})
    client = client_for("dpo")
    assert_accessible_markup(client.get(url).content.decode())

    response = client.post(url, {"subject": f"case-{objects.case.pk}", "reason": "Retssag (fiktiv)."})

    assert response.status_code == 302
    new = _holds()[-1]
    assert (new.case, new.citizen, new.reason, new.placed_by, new.placed_by_organisation) == (
        objects.case, None, "Retssag (fiktiv).", world.users["dpo"], world.municipality)
    [event] = _events(actions.LEGAL_HOLD_PLACED)
    assert (event.citizen_id, event.detail) == (objects.citizen.pk, {"case": objects.case.pk})


def test_hold__without_a_reason_or_twice_is_refused_and_nothing_is_created(world, client_for):
    objects = rights_objects(world)
    url = reverse("privacy:hold_place", kwargs={"pk": objects.citizen.pk})
    client = client_for("dpo")

    empty = client.post(url, {"subject": "citizen", "reason": "  "})
    twice = client.post(url, {"subject": "citizen", "reason": "Igen (fiktiv)."})

    assert empty.status_code == 200 and "Skriv hvorfor sletningen skal udsættes." in empty.content.decode()
    assert twice.status_code == 200 and "Der er allerede et retligt hold på dette." in twice.content.decode()
    assert "Igen (fiktiv)." in twice.content.decode()
    assert _holds() == [objects.hold]


def test_hold__lifted_by_the_dpo(world, client_for):
    objects = rights_objects(world)

    response = client_for("dpo").post(reverse("privacy:hold_lift", kwargs={"pk": objects.hold.pk}))

    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:citizen_rights", kwargs={"pk": objects.citizen.pk})
    assert _holds()[0].lifted_at is not None and _holds()[0].lifted_by == world.users["dpo"]
    assert len(_events(actions.LEGAL_HOLD_LIFTED)) == 1


@pytest.mark.parametrize("persona", ["coordinator", "social_worker", "outsider"])
def test_hold__others_cannot_place_or_lift_and_nothing_changes(world, persona):
    objects = rights_objects(world)
    client = verified_client(world.users[persona])

    placed = client.post(reverse("privacy:hold_place", kwargs={"pk": objects.citizen.pk}),
                         {"subject": "citizen", "reason": "Fiktiv."})
    lifted = client.post(reverse("privacy:hold_lift", kwargs={"pk": objects.hold.pk}))

    assert (placed.status_code, lifted.status_code) == (404, 404)
    assert _holds() == [objects.hold] and _holds()[0].lifted_at is None


def test_rule__the_dpo_changes_their_own_rule_not_one_that_follows_the_cooperation(world, client_for):
    objects = rights_objects(world)
    client = client_for("dpo")
    url = reverse("privacy:rule_edit", kwargs={"pk": objects.consent_rule.pk})
    assert_accessible_markup(client.get(url).content.decode())

    response = client.post(url, {"period": "3", "note": "Kommunens praksis (fiktiv)."})

    assert response.status_code == 302
    objects.consent_rule.refresh_from_db()
    assert (objects.consent_rule.period, objects.consent_rule.note) == (3, "Kommunens praksis (fiktiv).")
    [event] = _events(actions.RETENTION_RULE_CHANGED)
    assert event.detail == {"category": "consent", "legal_basis": "", "from": 5, "to": 3, "unit": "years"}
    follows = RetentionRule.objects.get(cooperation=world.cooperation, category=RetentionCategory.CLOSED_CASE)
    refused = client.post(reverse("privacy:rule_edit", kwargs={"pk": follows.pk}), {"period": "1"})
    assert refused.status_code == 200
    follows.refresh_from_db()
    assert follows.period == 5


@pytest.mark.parametrize(("persona", "status"), [("coordinator", 403), ("outsider", 404)])
def test_rule__a_member_who_is_not_the_dpo_gets_403_an_outsider_404_and_nothing_changes(world, persona, status):
    objects = rights_objects(world)

    response = verified_client(world.users[persona]).post(
        reverse("privacy:rule_edit", kwargs={"pk": objects.consent_rule.pk}), {"period": "1"})

    assert response.status_code == status
    objects.consent_rule.refresh_from_db()
    assert objects.consent_rule.period == 5


def test_receipts__the_dpo_sees_their_cooperation_s_receipts_only(world, client_for):
    fields = {"kind": "case", "category": "closed_case", "period": 5, "unit": "years"}
    mine = DeletionReceipt.objects.create(
        count=7, rows={"cases.Case": 1}, cooperation_id=world.cooperation.pk, **fields)
    DeletionReceipt.objects.create(count=3, rows={}, cooperation_id=world.other_cooperation.pk, **fields)

    response = client_for("dpo").get(reverse("privacy:receipts"))

    assert response.status_code == 200
    assert [receipt for receipt, _name in response.context["rows"]] == [mine]
    html = response.content.decode()
    assert mine.receipt_id in html and "PSP Testrup" in html
    assert_accessible_markup(html)
    assert _events(actions.DELETION_RECEIPTS_VIEWED)[0].detail == {"rows": 1}


def test_exemption__the_police_withhold_their_own_entry_from_the_page(world, client_for):
    objects = rights_objects(world)
    url = reverse("privacy:exemption", kwargs={"entry_pk": objects.police_entry.pk})
    client = client_for("police_officer")
    assert_accessible_markup(client.get(url).content.decode())

    response = client.post(
        url, {"legal_reference": "Databeskyttelsesloven § 22", "reason": "Efterforskning (fiktiv)."})

    assert response.status_code == 302
    [exemption] = _exemptions()
    assert (exemption.subject_id, exemption.case, exemption.organisation, exemption.recorded_by) == (
        str(objects.police_entry.pk), objects.case, world.police, world.users["police_officer"])
    [event] = _events(actions.ACCESS_EXEMPTION_RECORDED)
    assert "Efterforskning" not in repr(event.detail)
    assert event.detail["legal_reference"] == "Databeskyttelsesloven § 22"

    lifted = client.post(reverse("privacy:exemption_end", kwargs={"entry_pk": objects.police_entry.pk}))

    assert lifted.status_code == 302
    assert _exemptions()[0].lifted_at is not None


def test_exemption__without_a_reason_is_refused_and_keeps_what_was_typed(world, client_for):
    objects = rights_objects(world)
    url = reverse("privacy:exemption", kwargs={"entry_pk": objects.police_entry.pk})

    response = client_for("police_officer").post(url, {"legal_reference": "Min henvisning", "reason": ""})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Skriv hvorfor indsigt i notatet vil skade en politimæssig sag." in html
    assert "Min henvisning" in html
    assert _exemptions() == []


@pytest.mark.parametrize("persona", ["social_worker", "psychiatry_nurse", "coordinator", "dpo", "outsider"])
def test_exemption__another_organisation_s_entry_is_404_and_nothing_is_recorded(world, persona):
    objects = rights_objects(world)

    response = verified_client(world.users[persona]).post(
        reverse("privacy:exemption", kwargs={"entry_pk": objects.police_entry.pk}),
        {"legal_reference": "Databeskyttelsesloven § 22", "reason": "Fiktiv."},
    )

    assert response.status_code == 404
    assert _exemptions() == []


def test_exemption__an_own_entry_of_a_non_police_organisation_is_403_and_audited(world, client_for):
    objects = rights_objects(world)
    own = entry_of(objects.case, world.municipality)

    response = client_for("social_worker").post(
        reverse("privacy:exemption", kwargs={"entry_pk": own.pk}),
        {"legal_reference": "Databeskyttelsesloven § 22", "reason": "Fiktiv."},
    )

    assert response.status_code == 403
    assert _exemptions() == []
    [denied] = _events(actions.ACCESS_DENIED)
    assert denied.detail["needed"] == "privacy.exemption"


def test_case_page__the_police_see_their_entries_with_the_exemption_action_others_do_not(world, client_for):
    objects = rights_objects(world)
    url = reverse("cases:case_detail", kwargs={"pk": objects.case.pk})
    exemption_url = reverse("privacy:exemption", kwargs={"entry_pk": objects.police_entry.pk})

    police = client_for("police_officer").get(url).content.decode()
    social = client_for("social_worker").get(url).content.decode()

    assert exemption_url in police and "Undtag fra borgerens indsigt" in police
    assert exemption_url not in social
    assert reverse("privacy:rectify", kwargs={"pk": objects.citizen.pk}) in social


def test_home__the_dpo_finds_the_rights_page(world, client_for):
    rights_objects(world)

    dpo = client_for("dpo").get(reverse("core:home")).content.decode()
    coordinator = client_for("coordinator").get(reverse("core:home")).content.decode()

    assert f'href="{RIGHTS}"' in dpo and "1 retligt hold er sat." in dpo
    assert f'href="{RIGHTS}"' not in coordinator
