"""The DPO adds a retention rule for one legal basis (closed cases identified on it) and removes it again, so
that the category's default applies: who may, what is refused, what is audited, and what the retention run
then deletes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from samspil.audit import actions
from samspil.audit.models import AuditEvent, Outcome
from samspil.cases.models import Case
from samspil.core.scoping import unscoped
from samspil.privacy.models import DeletionReceipt, PeriodUnit, RetentionCategory, RetentionRule
from samspil.privacy.retention import retention_rules_for, retention_run
from samspil.privacy.services import RightsRefused, retention_rule_add, retention_rule_remove

from ..conftest import verified_client
from ..factories import CitizenFactory
from .helpers import assert_accessible_markup, basis_rule, closed, identified_case

YEAR = timedelta(days=365)
ADD_DATA = {"legal_basis": "consent", "period": "2", "unit": "years", "note": "Samtykkesager (fiktiv)."}


def _add_url(world: Any) -> str:
    return reverse("privacy:rule_add", kwargs={"pk": world.cooperation.pk})


def _remove_url(rule: RetentionRule) -> str:
    return reverse("privacy:rule_remove", kwargs={"pk": rule.pk})


def _rules(world: Any) -> list[tuple[str, str, int, str, str]]:
    return list(
        RetentionRule.objects.filter(cooperation=world.cooperation)
        .order_by("category", "legal_basis")
        .values_list("category", "legal_basis", "period", "unit", "note")
    )


def _events(*codes: str) -> list[AuditEvent]:
    with unscoped("test reads the audit log"):
        return list(AuditEvent.objects.filter(action__in=codes).order_by("pk"))


def _closed_case(world: Any, *, basis: str, closed_ago: timedelta) -> Case:
    """A case identified on ``basis`` and closed ``closed_ago``."""
    moment = timezone.now() - closed_ago
    return identified_case(
        world,
        CitizenFactory(cooperation=world.cooperation),
        **closed(closed_at=moment, opened_at=moment - 30 * timedelta(days=1),
                 identified_at=moment - 29 * timedelta(days=1), identification_legal_basis=basis),
    )


def _exists(case: Case) -> bool:
    with unscoped("test checks what is left"):
        return Case.objects.filter(pk=case.pk).exists()


def test_dpo_adds_a_rule_for_consent__the_run_deletes_closed_consent_cases_after_two_years_not_five(
    world, client_for
):
    retention_rules_for(world.cooperation)
    client = client_for("dpo")
    page = client.get(_add_url(world))
    assert page.status_code == 200
    html = page.content.decode()
    assert_accessible_markup(html)
    assert "Lukkede sager slettes som standard 5 år efter" in html
    assert '<option value="consent">Samtykke – Borgerens samtykke</option>' in html
    assert 'value="rpl-115-3"' not in html and 'value="rpl-115-1-1"' not in html  # cannot identify; not enabled

    response = client.post(_add_url(world), ADD_DATA)

    assert response.status_code == 302 and response["Location"] == reverse("privacy:rights")
    rule = RetentionRule.objects.get(cooperation=world.cooperation, legal_basis="consent")
    assert (rule.category, rule.period, rule.unit, rule.note, rule.follows_cooperation) == (
        "closed_case", 2, "years", "Samtykkesager (fiktiv).", False)
    [event] = _events(actions.RETENTION_RULE_ADDED)
    assert (event.actor_id, event.object_type, event.object_id, event.cooperation_id, event.outcome) == (
        world.users["dpo"].pk, "privacy.retentionrule", str(rule.pk), world.cooperation.pk, Outcome.ALLOWED)
    assert event.detail == {"category": "closed_case", "legal_basis": "consent", "period": 2, "unit": "years"}

    on_consent = _closed_case(world, basis="consent", closed_ago=3 * YEAR)
    on_115 = _closed_case(world, basis="rpl-115-1-2", closed_ago=3 * YEAR)
    recent_consent = _closed_case(world, basis="consent", closed_ago=YEAR)

    plan = retention_run(dry_run=True).plan
    [consent_plan] = [p for p in plan.rules if p.rule.pk == rule.pk]
    assert consent_plan.ids == [on_consent.pk]
    [default_plan] = [p for p in plan.rules if p.rule.cooperation_id == world.cooperation.pk
                      and p.rule.category == "closed_case" and not p.rule.legal_basis]
    assert default_plan.ids == []
    assert _exists(on_consent)

    retention_run()

    assert not _exists(on_consent)
    assert _exists(on_115) and _exists(recent_consent)
    receipts = list(DeletionReceipt.objects.filter(kind="case"))
    assert [(r.rule_id, r.category, r.period, r.unit) for r in receipts] == [(rule.pk, "closed_case", 2, "years")]


def test_rights_page__lists_the_rule_for_a_basis_after_its_category_s_default_with_change_and_remove(
    world, client_for
):
    rule = basis_rule(world)

    response = client_for("dpo").get(reverse("privacy:rights"))

    html = response.content.decode()
    assert_accessible_markup(html)
    [group] = response.context["rule_groups"]
    assert [(row.rule.category, row.basis_name, row.removable) for row in group.rows] == [
        ("anonymous_discussion", "", False), ("closed_case", "", False), ("closed_case", "Samtykke", True),
        ("consent", "", False), ("unlinked_citizen", "", False), ("audit_event", "", False)]
    assert f'href="{_remove_url(rule)}"' in html
    assert html.count('/fjern/"') == 1  # only the rule for a basis can be removed
    assert f'href="{_add_url(world)}"' in html and "Tilføj frist for en hjemmel" in html
    assert "Alle andre" in html  # the closed-case default now applies to the other bases only


def test_duplicate__is_refused_with_a_clear_message_keeps_what_was_typed_and_changes_nothing(world, client_for):
    basis_rule(world)
    before = _rules(world)

    response = client_for("dpo").post(_add_url(world), {**ADD_DATA, "period": "3", "note": "Igen (fiktiv)."})

    assert response.status_code == 200
    html = response.content.decode()
    assert ("Der er allerede en frist for lukkede sager identificeret på hjemlen Samtykke. "
            "Ændr den frist i stedet.") in html
    assert 'value="3"' in html and 'value="Igen (fiktiv)."' in html
    assert '<option value="consent" selected>Samtykke – Borgerens samtykke (har allerede en frist)</option>' in html
    assert _rules(world) == before
    assert _events(actions.RETENTION_RULE_ADDED) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": "0"}, "Fristen skal være mindst 1."),
        ({"period": "to"}, "Angiv fristen som et helt tal."),
        ({"period": "101"}, "Fristen skal være mellem 1 og 100 år."),
        ({"period": "3651", "unit": "days"}, "Fristen skal være mellem 1 og 3650 dage."),
        ({"unit": "uger"}, "Vælg om fristen er i dage eller år."),
        ({"legal_basis": ""}, "Vælg hjemlen, fristen skal gælde for."),
        ({"legal_basis": "rpl-115-1-1"}, "Vælg en af samarbejdets hjemler, som en borger kan identificeres på."),
        ({"legal_basis": "rpl-115-3"}, "Vælg en af samarbejdets hjemler, som en borger kan identificeres på."),
        ({"note": "x" * 301}, "Noten kan højst være 300 tegn."),
    ],
)
def test_bad_input__says_why_keeps_what_was_typed_and_adds_nothing(world, client_for, data, message):
    retention_rules_for(world.cooperation)
    before = _rules(world)
    posted = {**ADD_DATA, **data}

    response = client_for("dpo").post(_add_url(world), posted)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    if posted["period"]:
        assert f'value="{posted["period"]}"' in html
    assert _rules(world) == before
    assert _events(actions.RETENTION_RULE_ADDED) == []


@pytest.mark.parametrize("persona", ["coordinator", "police_officer"])
def test_others_in_the_cooperation__get_403_nothing_changes_and_the_denial_is_audited(world, persona):
    rule = basis_rule(world)
    before = _rules(world)
    client = verified_client(world.users[persona])

    shown = client.get(_add_url(world))
    added = client.post(_add_url(world), {**ADD_DATA, "legal_basis": "psyk-13c"})
    removed = client.post(_remove_url(rule))

    assert (shown.status_code, added.status_code, removed.status_code) == (403, 403, 403)
    assert _rules(world) == before
    assert _events(actions.RETENTION_RULE_ADDED, actions.RETENTION_RULE_REMOVED) == []
    with unscoped("test reads the denials"):
        denials = list(AuditEvent.objects.filter(actor_id=world.users[persona].pk, action=actions.ACCESS_DENIED)
                       .order_by("pk"))
    assert [(d.outcome, d.object_type, d.object_id, d.cooperation_id, d.detail) for d in denials] == [
        (Outcome.DENIED, "organisations.cooperation", str(world.cooperation.pk), world.cooperation.pk,
         {"path": _add_url(world), "needed": "privacy.access_report"}),
        (Outcome.DENIED, "organisations.cooperation", str(world.cooperation.pk), world.cooperation.pk,
         {"path": _add_url(world), "needed": "privacy.access_report"}),
        (Outcome.DENIED, "organisations.cooperation", str(world.cooperation.pk), world.cooperation.pk,
         {"path": _remove_url(rule), "needed": "privacy.access_report"}),
    ]


def test_outsider__gets_404_for_another_cooperation_s_rules_and_nothing_changes(world, client_for):
    rule = basis_rule(world)
    before = _rules(world)
    client = client_for("outsider")

    added = client.post(_add_url(world), {**ADD_DATA, "legal_basis": "psyk-13c"})
    removed = client.post(_remove_url(rule))

    assert (added.status_code, removed.status_code) == (404, 404)
    assert _rules(world) == before


@pytest.mark.parametrize("category", [RetentionCategory.CLOSED_CASE, RetentionCategory.CONSENT])
def test_removing_a_category_s_default__is_refused_and_nothing_changes(world, client_for, category):
    retention_rules_for(world.cooperation)
    default = RetentionRule.objects.get(cooperation=world.cooperation, category=category, legal_basis="")
    before = _rules(world)
    client = client_for("dpo")

    page = client.get(_remove_url(default))
    response = client.post(_remove_url(default))

    assert page.status_code == 200
    assert "Fjern fristen" not in page.content.decode()  # no button to press
    assert response.status_code == 200
    assert "Standardfristen for en type oplysninger kan ikke fjernes, kun ændres." in response.content.decode()
    assert _rules(world) == before
    assert _events(actions.RETENTION_RULE_REMOVED) == []


def test_removing_a_rule_for_a_basis__is_audited_and_the_default_applies_again(world, client_for):
    rule = basis_rule(world)
    on_consent = _closed_case(world, basis="consent", closed_ago=3 * YEAR)
    old_on_consent = _closed_case(world, basis="consent", closed_ago=6 * YEAR)
    client = client_for("dpo")
    page = client.get(_remove_url(rule))
    html = page.content.decode()
    assert_accessible_markup(html)
    assert ("Fristen på 2 år gælder i dag for lukkede sager identificeret på hjemlen Samtykke. Fjerner du den, "
            "gælder standardfristen på 5 år for dem fra næste sletning.") in html

    response = client.post(_remove_url(rule))

    assert response.status_code == 302 and response["Location"] == reverse("privacy:rights")
    assert not RetentionRule.objects.filter(pk=rule.pk).exists()
    assert [(category, basis) for category, basis, *_rest in _rules(world)] == [
        ("anonymous_discussion", ""), ("audit_event", ""), ("closed_case", ""), ("consent", ""),
        ("unlinked_citizen", "")]
    [event] = _events(actions.RETENTION_RULE_REMOVED)
    assert (event.actor_id, event.object_type, event.object_id, event.cooperation_id) == (
        world.users["dpo"].pk, "privacy.retentionrule", str(rule.pk), world.cooperation.pk)
    assert event.detail == {"category": "closed_case", "legal_basis": "consent", "period": 2, "unit": "years"}
    followed = client.get(reverse("privacy:rights")).content.decode()
    assert ("Fristen er fjernet. Standardfristen på 5 år gælder nu også for lukkede sager identificeret på "
            "hjemlen Samtykke.") in followed

    retention_run()

    assert _exists(on_consent)  # three years: within the default's five
    assert not _exists(old_on_consent)
    [receipt] = DeletionReceipt.objects.filter(kind="case")
    assert (receipt.category, receipt.period, receipt.rule.legal_basis) == ("closed_case", 5, "")


def test_receipts_under_a_removed_rule__keep_their_category_and_period(world, client_for):
    rule = basis_rule(world)
    _closed_case(world, basis="consent", closed_ago=3 * YEAR)
    retention_run()
    [receipt] = DeletionReceipt.objects.filter(kind="case")

    client_for("dpo").post(_remove_url(rule))

    receipt.refresh_from_db()
    assert (receipt.rule_id, receipt.category, receipt.period, receipt.unit) == (None, "closed_case", 2, "years")


def test_service__refuses_a_basis_for_other_categories_and_a_non_dpo(world):
    retention_rules_for(world.cooperation)
    before = _rules(world)

    with pytest.raises(RightsRefused, match="kan kun gælde lukkede sager"):
        retention_rule_add(actor=world.users["dpo"], cooperation=world.cooperation,
                           category=RetentionCategory.CONSENT, legal_basis="consent", period=2,
                           unit=PeriodUnit.YEARS, note="")
    with pytest.raises(PermissionDenied):
        retention_rule_add(actor=world.users["coordinator"], cooperation=world.cooperation,
                           category=RetentionCategory.CLOSED_CASE, legal_basis="consent", period=2,
                           unit=PeriodUnit.YEARS, note="")
    with pytest.raises(PermissionDenied):
        retention_rule_add(actor=world.users["dpo"], cooperation=world.other_cooperation,
                           category=RetentionCategory.CLOSED_CASE, legal_basis="consent", period=2,
                           unit=PeriodUnit.YEARS, note="")
    rule = basis_rule(world)
    with pytest.raises(PermissionDenied):
        retention_rule_remove(actor=world.users["social_worker"], rule=rule)

    assert _rules(world) == [*before[:3], ("closed_case", "consent", 2, "years", "Samtykkesager (fiktiv)."),
                             *before[3:]]
    assert _events(actions.RETENTION_RULE_ADDED, actions.RETENTION_RULE_REMOVED) == []


def test_pages__read_in_english(world, client_for):
    rule = basis_rule(world)
    client = client_for("dpo")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    added = client.get(_add_url(world)).content.decode()
    removing = client.get(_remove_url(rule)).content.decode()
    rights = client.get(reverse("privacy:rights")).content.decode()

    assert "<h1>Add a period for a legal basis" in added
    assert "By default, closed cases are deleted 5 years after the case was closed." in added
    assert ("The period of 2 years applies today to closed cases identified on the legal basis Samtykke. If you "
            "remove it, the default period of 5 years applies to them from the next deletion.") in removing
    assert "All others" in rights and "Add a period for a legal basis" in rights
