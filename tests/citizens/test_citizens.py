"""Citizens: registration with the duplicate check, visibility through cases, pages, and no CPR in logs."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.cases import panels
from samspil.cases.models import CaseState
from samspil.citizens.cpr import cpr_decrypt, cpr_lookup_hash
from samspil.citizens.models import Citizen
from samspil.citizens.names import fold_name, names_are_similar
from samspil.citizens.selectors import citizen_duplicates, citizens_visible_to
from samspil.citizens.services import CitizenError, citizen_register
from samspil.core.scoping import unscoped

from ..conftest import PERSONAS
from ..factories import CaseFactory, CitizenFactory

CPR = "1203849123"
CPR_SHOWN = "120384-9123"


def _events(action: str) -> list[AuditEvent]:
    with unscoped("test reads the audit log"):
        return list(AuditEvent.objects.filter(action=action).order_by("id"))


def _citizens() -> list[Citizen]:
    with unscoped("test"):
        return list(Citizen.objects.order_by("pk"))


def _register(world, persona: str = "social_worker", **kwargs) -> object:
    defaults = {"full_name": "Fiktiv Borger 12", "cpr": CPR_SHOWN}
    return citizen_register(actor=world.users[persona], cooperation=world.cooperation,
                            organisation=world.municipality if persona != "police_officer" else world.police,
                            **{**defaults, **kwargs})


@pytest.fixture
def linked_citizen(world) -> Citizen:
    """A citizen in a case led by the municipality with the police involved."""
    citizen = CitizenFactory(cooperation=world.cooperation, full_name="Fiktiv Borger 12", cpr=CPR)
    CaseFactory(cooperation=world.cooperation, lead_organisation=world.municipality, involve=[world.police],
                citizen=citizen, state=CaseState.IDENTIFIED)
    return citizen


# --- Names ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "folded"),
    [("Søren Ærø", "soeren aeroe"), ("  ÅSE  hansen-Bø ", "aase hansen boe"), ("José Müller", "jose muller")],
)
def test_fold_name__lowercases_spells_out_danish_letters_and_drops_accents(name: str, folded: str) -> None:
    assert fold_name(name) == folded


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        ("Mette Hansen", "Mete Hansen", True),
        ("Søren Ærø", "SOEREN AEROE", True),
        ("Anna Jensen", "Anna Marie Jensen", True),
        ("Mohammed Ali", "Muhammad Ali", True),
        ("Ole Olsen", "Karen Madsen", False),
        ("Fiktiv Borger 12", "Helt Anden Person", False),
    ],
)
def test_names_are_similar__case_and_accent_insensitive(a: str, b: str, similar: bool) -> None:
    assert names_are_similar(a, b) is similar


# --- Registration ------------------------------------------------------------------------------------------


def test_citizen_register__stores_the_cpr_encrypted_with_a_lookup_hash_and_derives_the_birth_date(
    world
) -> None:
    registration = _register(world, address="Fiktivvej 12, 9999 Demoby")
    citizen = registration.citizen
    assert citizen is not None
    assert citizen.birth_date == date(1984, 3, 12)
    assert cpr_decrypt(citizen.cpr_encrypted) == CPR
    assert citizen.cpr_lookup == cpr_lookup_hash(CPR)
    assert CPR.encode() not in bytes(citizen.cpr_encrypted)
    assert citizen.pseudonym.startswith("Borger ")
    assert citizen.search_name == "fiktiv borger 12"
    assert citizen.registered_by_organisation == world.municipality
    [event] = _events(actions.CITIZEN_REGISTERED)
    assert (event.citizen_id, event.detail) == (citizen.pk, {"has_cpr": True, "confirmed_distinct": False})


def test_citizen_register__without_cpr_keeps_the_typed_birth_date(world) -> None:
    citizen = _register(world, cpr="", birth_date=date(1990, 5, 17)).citizen
    assert (citizen.birth_date, citizen.cpr_encrypted, citizen.cpr_lookup) == (date(1990, 5, 17), None, "")


def test_citizen_register__a_birth_date_that_contradicts_the_cpr_is_refused(world) -> None:
    with pytest.raises(CitizenError) as refused:
        _register(world, birth_date=date(1984, 3, 13))
    assert refused.value.field == "birth_date"
    assert str(refused.value) == "Fødselsdatoen passer ikke med CPR-nummeret."
    assert _citizens() == []


def test_citizen_register__an_invalid_cpr_is_refused(world) -> None:
    with pytest.raises(CitizenError) as refused:
        _register(world, cpr="320184-9123")
    assert refused.value.field == "cpr"
    assert _citizens() == []


def test_citizen_register__same_cpr_offers_the_existing_citizen_and_creates_nothing(
    world, linked_citizen
) -> None:
    registration = _register(world, full_name="Et helt andet navn", confirmed_distinct=True)
    assert registration.citizen is None
    assert [(d.citizen.pk, d.same_cpr) for d in registration.duplicates] == [(linked_citizen.pk, True)]
    assert _citizens() == [linked_citizen]
    [check] = _events(actions.CITIZEN_DUPLICATES_CHECKED)
    assert check.detail == {"criteria": ["cpr", "name_birth_date"], "matches": 1}


def test_citizen_register__similar_name_and_birth_date_asks_then_accepts_a_confirmed_other_person(
    world, linked_citizen
) -> None:
    first = _register(world, full_name="Fiktiv Borgerr 12", cpr="", birth_date=date(1984, 3, 12))
    assert first.citizen is None
    assert [(d.citizen.pk, d.same_cpr) for d in first.duplicates] == [(linked_citizen.pk, False)]
    second = _register(world, full_name="Fiktiv Borgerr 12", cpr="", birth_date=date(1984, 3, 12),
                       confirmed_distinct=True)
    assert second.citizen is not None
    assert len(_citizens()) == 2


def test_citizen_duplicates__only_among_citizens_the_user_may_see(world) -> None:
    hidden = CitizenFactory(cooperation=world.cooperation, full_name="Fiktiv Borger 12", cpr=CPR)
    CaseFactory(cooperation=world.cooperation, lead_organisation=world.region, citizen=hidden,
                state=CaseState.IDENTIFIED)
    found = citizen_duplicates(world.users["social_worker"], world.cooperation.pk,
                               full_name="Fiktiv Borger 12", cpr_digits=CPR, birth_date=date(1984, 3, 12))
    assert found == []


def test_citizen_register__a_cpr_held_by_a_citizen_the_user_cannot_see_is_refused(world) -> None:
    hidden = CitizenFactory(cooperation=world.cooperation, full_name="Skjult Borger", cpr=CPR)
    CaseFactory(cooperation=world.cooperation, lead_organisation=world.region, citizen=hidden,
                state=CaseState.IDENTIFIED)
    with pytest.raises(CitizenError) as refused:
        _register(world)
    assert "Kontakt samarbejdets koordinator" in str(refused.value)
    assert _citizens() == [hidden]


def test_citizen_register__the_same_cpr_in_another_cooperation_is_another_record(world) -> None:
    CitizenFactory(cooperation=world.other_cooperation, cpr=CPR)
    assert _register(world).citizen is not None


@pytest.mark.parametrize("persona", ["frontline_worker", "dpo", "outsider"])
def test_citizen_register__refused_for_people_who_do_not_work_on_cases(world, persona) -> None:
    with pytest.raises(PermissionDenied):
        citizen_register(actor=world.users[persona], cooperation=world.cooperation,
                         organisation=world.municipality, full_name="Fiktiv Borger 1")
    assert _citizens() == []


# --- Visibility ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS[:-1])
def test_citizens_visible_to__only_through_involved_cases(world, linked_citizen, persona) -> None:
    visible = {c.pk for c in citizens_visible_to(world.users[persona])}
    expected = persona in {"social_worker", "police_officer", "coordinator"}
    assert (linked_citizen.pk in visible) == expected


def test_citizens_visible_to__an_unlinked_registration_is_visible_to_the_registering_organisation(
    world
) -> None:
    citizen = _register(world).citizen
    assert citizen.pk in {c.pk for c in citizens_visible_to(world.users["coordinator"])}
    assert citizen.pk not in {c.pk for c in citizens_visible_to(world.users["police_officer"])}


# --- Pages -------------------------------------------------------------------------------------------------


def test_citizen_detail__shows_the_citizen_masked_and_audits_the_view(
    world, client_for, linked_citizen
) -> None:
    url = reverse("citizens:citizen_detail", kwargs={"pk": linked_citizen.pk})
    response = client_for("police_officer").get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Fiktiv Borger 12" in content and "120384-XXXX" in content
    assert CPR_SHOWN not in content and CPR not in content
    [event] = _events(actions.CITIZEN_VIEWED)
    assert (event.citizen_id, event.object_id) == (linked_citizen.pk, str(linked_citizen.pk))


@pytest.mark.parametrize("persona", ["psychiatry_nurse", "frontline_worker", "dpo", "outsider"])
def test_citizen_detail__not_visible_is_404_and_not_audited_as_a_view(
    world, client_for, linked_citizen, persona
) -> None:
    response = client_for(persona).get(reverse("citizens:citizen_detail", kwargs={"pk": linked_citizen.pk}))
    assert response.status_code == 404
    assert _events(actions.CITIZEN_VIEWED) == []


def test_citizen_cpr__reveal_is_a_post_and_is_audited(world, client_for, linked_citizen) -> None:
    client = client_for("social_worker")
    url = reverse("citizens:citizen_cpr", kwargs={"pk": linked_citizen.pk})
    assert client.get(url).status_code == 405
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert CPR_SHOWN in response.content.decode()
    assert "<html" not in response.content.decode()  # the htmx fragment only
    [event] = _events(actions.CITIZEN_CPR_REVEALED)
    assert event.citizen_id == linked_citizen.pk
    assert client.post(url).content.decode().count(CPR_SHOWN) == 1  # without htmx: the whole page


def test_citizen_cpr__not_visible_is_404_and_nothing_is_revealed(world, client_for, linked_citizen) -> None:
    url = reverse("citizens:citizen_cpr", kwargs={"pk": linked_citizen.pk})
    response = client_for("psychiatry_nurse").post(url)
    assert response.status_code == 404
    assert _events(actions.CITIZEN_CPR_REVEALED) == []


def test_case_citizen_page__registers_a_new_citizen_for_an_anonymous_case(
    world, client_for, case, monkeypatch
) -> None:
    monkeypatch.setattr(panels, "_citizen_chosen", [])  # no identification step registered
    url = reverse("cases:case_citizen", kwargs={"pk": case.pk})
    response = client_for("social_worker").post(url, {"full_name": "Fiktiv Borger 44", "cpr": "020285-9876",
                                                      "address": "Fiktivvej 44, 9999 Demoby"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", kwargs={"pk": case.pk})
    [citizen] = _citizens()
    assert (citizen.full_name, citizen.birth_date) == ("Fiktiv Borger 44", date(1985, 2, 2))
    case.refresh_from_db()
    assert (case.state, case.citizen_id) == (CaseState.ANONYMOUS, None)  # identification is a separate step


def test_case_citizen_page__hands_the_chosen_citizen_to_the_registered_identification_step(
    world, client_for, case, monkeypatch
) -> None:
    monkeypatch.setattr(panels, "_citizen_chosen", [])
    panels.register_citizen_chosen(lambda request, case, citizen: f"/identificer/{case.pk}/{citizen.pk}/")
    response = client_for("social_worker").post(reverse("cases:case_citizen", kwargs={"pk": case.pk}),
                                                {"full_name": "Fiktiv Borger 46"})
    [citizen] = _citizens()
    assert response["Location"] == f"/identificer/{case.pk}/{citizen.pk}/"


def test_case_citizen_page__shows_duplicates_and_lets_the_user_pick_one(
    world, client_for, case, linked_citizen
) -> None:
    url = reverse("cases:case_citizen", kwargs={"pk": case.pk})
    client = client_for("social_worker")
    response = client.post(url, {"full_name": "Fiktiv Borger 12", "birth_date": "12-03-1984"})
    content = response.content.decode()
    assert "Borgeren er måske allerede registreret" in content
    assert f'name="choose" value="{linked_citizen.pk}"' in content
    assert 'name="confirmed_distinct" id="id_confirmed_distinct"' in content
    assert len(_citizens()) == 1
    chosen = client.post(url, {"choose": linked_citizen.pk})
    assert chosen.status_code == 302
    assert len(_citizens()) == 1


def test_case_citizen_page__the_same_cpr_cannot_be_confirmed_as_another_person(
    world, client_for, case, linked_citizen
) -> None:
    response = client_for("social_worker").post(
        reverse("cases:case_citizen", kwargs={"pk": case.pk}),
        {"full_name": "Helt Andet Navn", "cpr": CPR_SHOWN, "confirmed_distinct": "on"},
    )
    content = response.content.decode()
    assert "samme CPR-nummer" in content
    assert 'id="id_confirmed_distinct"' not in content
    assert len(_citizens()) == 1


def test_case_citizen_page__invalid_cpr_is_explained_and_everything_typed_is_kept(
    world, client_for, case
) -> None:
    response = client_for("social_worker").post(
        reverse("cases:case_citizen", kwargs={"pk": case.pk}),
        {"full_name": "Fiktiv Borger 45", "cpr": "311384-1234", "address": "Fiktivvej 45, 9999 Demoby"},
    )
    content = response.content.decode()
    assert "Datodelen af CPR-nummeret" in content
    assert 'value="Fiktiv Borger 45"' in content and 'value="311384-1234"' in content
    assert 'value="Fiktivvej 45, 9999 Demoby"' in content
    assert _citizens() == []


# --- The CPR number never reaches the audit log or a URL ---------------------------------------------------


def test_cpr__never_in_audit_rows_or_urls_after_register_search_view_and_reveal(
    world, client_for, case
) -> None:
    client = client_for("social_worker")
    register = client.post(reverse("cases:case_citizen", kwargs={"pk": case.pk}),
                           {"full_name": "Fiktiv Borger 12", "cpr": CPR_SHOWN})
    [citizen] = _citizens()
    identified = CaseFactory(cooperation=world.cooperation, citizen=citizen, state=CaseState.IDENTIFIED)
    search = client.post(reverse("cases:case_list"), {"cpr": CPR_SHOWN})
    assert identified.pseudonym in search.content.decode()
    client.post(reverse("cases:case_list"), {"cpr": CPR})
    client.get(reverse("cases:case_detail", kwargs={"pk": identified.pk}))
    client.get(reverse("citizens:citizen_detail", kwargs={"pk": citizen.pk}))
    client.post(reverse("citizens:citizen_cpr", kwargs={"pk": citizen.pk}))
    client.post(reverse("cases:case_citizen", kwargs={"pk": case.pk}), {"full_name": "X", "cpr": CPR_SHOWN})

    with unscoped("test reads the whole audit log"):
        events = list(AuditEvent.objects.all())
    assert {e.action for e in events} >= {
        actions.CITIZEN_REGISTERED, actions.CASE_SEARCHED, actions.CASE_VIEWED, actions.CITIZEN_VIEWED,
        actions.CITIZEN_CPR_REVEALED, actions.CITIZEN_DUPLICATES_CHECKED,
    }
    for event in events:
        stored = " ".join(
            [json.dumps(event.detail), event.object_id, event.purpose, event.object_type, event.request_id]
        )
        for form in (CPR, CPR_SHOWN, CPR[:6] + " " + CPR[6:]):
            assert form not in stored, event.action
    searches = [e.detail for e in events if e.action == actions.CASE_SEARCHED]
    assert searches == [{"criterion": "cpr", "filters": [], "matches": 1}] * 2
    assert CPR not in register.get("Location", "") and CPR_SHOWN not in register.get("Location", "")
    assert all(CPR not in e.detail.get("path", "") for e in events)
