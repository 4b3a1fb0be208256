"""Rectification (GDPR Art. 16 and 19): the old value's provenance is kept, the organisations that
received the citizen's data get a task and their coordinators an email, and a refusal changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.cases.models import Task
from samspil.citizens.cpr import cpr_decrypt, cpr_lookup_hash
from samspil.citizens.models import Citizen
from samspil.core.scoping import unscoped
from samspil.privacy.models import CitizenRectification
from samspil.privacy.services import RightsRefused, citizen_rectify

from ..conftest import verified_client
from ..factories import CitizenFactory
from ..sharing.helpers import entry_of, psp_case, shared_disclosure
from .helpers import assert_accessible_markup

CPR = "1203849123"


@pytest.fixture
def shared(world) -> dict[str, Any]:
    """The police shared an entry about the citizen with the municipality and the region."""
    citizen = CitizenFactory(cooperation=world.cooperation, full_name="Fiktiv Borger Ret", cpr=CPR,
                             address="Forkertvej 1, 9999 Demoby")
    case = psp_case(world, citizen=citizen)
    shared_disclosure(case, entry_of(case, world.police), [world.municipality, world.region])
    return {"citizen": citizen, "case": case}


def _citizen(pk: int) -> Citizen:
    with unscoped("test reads the citizen back"):
        return Citizen.objects.get(pk=pk)


def _rows() -> list[CitizenRectification]:
    with unscoped("test reads the history"):
        return list(CitizenRectification.objects.order_by("pk"))


def _events(action: str) -> list[AuditEvent]:
    with unscoped("test reads the audit log"):
        return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def _tasks() -> list[Task]:
    with unscoped("test reads the tasks"):
        return list(Task.objects.filter(source="rectification").order_by("owner_organisation__name"))


def test_address__keeps_the_old_value_and_notifies_each_recipient_by_task_and_email(
    world, shared, django_capture_on_commit_callbacks
):
    citizen = shared["citizen"]

    with django_capture_on_commit_callbacks(execute=True):
        row = citizen_rectify(actor=world.users["social_worker"], citizen=citizen, field="address",
                              new_value="Rigtigvej 2, 9999 Demoby", reason="Borgeren viste sit sundhedskort.")

    assert _citizen(citizen.pk).address == "Rigtigvej 2, 9999 Demoby"
    assert _citizen(citizen.pk).version == 2
    assert (row.field, row.old_value, row.new_value) == (
        "address", "Forkertvej 1, 9999 Demoby", "Rigtigvej 2, 9999 Demoby")
    assert (row.reason, row.rectified_by, row.rectified_by_organisation) == (
        "Borgeren viste sit sundhedskort.", world.users["social_worker"], world.municipality)
    assert sorted(o.name for o in row.notified_organisations.all()) == ["Region Test (fiktiv)",
                                                                       "Testrup Kommune (fiktiv)"]
    title = "Borgerens oplysninger er berigtiget (Adresse): ret jeres egne kopier"
    assert [(t.owner_organisation, t.case_id, t.title) for t in _tasks()] == [
        (world.region, shared["case"].pk, title), (world.municipality, shared["case"].pk, title)]
    # The municipality's coordinator; the region has no coordinator here, so its key member.
    assert sorted(m.to[0] for m in mail.outbox) == ["karin@eksempel.invalid", "pia@eksempel.invalid"]
    for message in mail.outbox:
        assert message.subject == "Berigtigelse af oplysninger i PSP Testrup"
        assert f"/sager/{shared['case'].pk}/" in message.body
        for secret in ("Fiktiv Borger Ret", "Forkertvej", "Rigtigvej", "120384"):
            assert secret not in message.body and secret not in message.subject
    [event] = _events(actions.CITIZEN_RECTIFIED)
    assert (event.citizen_id, event.organisation_id) == (citizen.pk, world.municipality.pk)
    assert event.detail == {"field": "address", "rectification": row.pk,
                            "notified_organisations": sorted([world.municipality.pk, world.region.pk]),
                            "tasks": sorted(t.pk for t in _tasks())}
    [notified] = _events(actions.RECTIFICATION_NOTIFIED)
    assert notified.detail["emails"] == 2


def test_emails__are_sent_only_when_the_change_commits(world, shared):
    citizen_rectify(actor=world.users["social_worker"], citizen=shared["citizen"], field="phone",
                    new_value="12345678", reason="Nyt nummer (fiktivt).")

    assert mail.outbox == []  # the test's transaction never commits


def test_cpr__old_and_new_number_kept_only_encrypted_and_the_birth_date_follows(world, shared):
    citizen = shared["citizen"]

    citizen_rectify(actor=world.users["dpo"], citizen=citizen, field="cpr", new_value="130384-9124",
                    reason="Tastefejl ved registreringen (fiktivt).")

    updated = _citizen(citizen.pk)
    assert updated.cpr_lookup == cpr_lookup_hash("1303849124")
    assert str(updated.birth_date) == "1984-03-13"
    cpr_row, birth_row = _rows()
    assert (cpr_row.field, cpr_row.old_value, cpr_row.new_value) == ("cpr", "", "")
    assert cpr_decrypt(cpr_row.old_value_encrypted) == CPR
    assert cpr_decrypt(cpr_row.new_value_encrypted) == "1303849124"
    assert (birth_row.field, birth_row.old_value, birth_row.new_value) == (
        "birth_date", "12-03-1984", "13-03-1984")
    assert cpr_row.rectified_by_organisation == world.municipality  # the DPO's organisation
    text = repr([e.detail for e in _events(actions.CITIZEN_RECTIFIED)])
    assert "1203849123" not in text and "130384" not in text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cpr", "320184-1234", "Datodelen af CPR-nummeret (de første 6 cifre) er ikke en gyldig dato."),
        ("birth_date", None, "Fødselsdatoen følger CPR-nummeret. Ret CPR-nummeret i stedet."),
        ("address", "Forkertvej 1, 9999 Demoby", "Den nye værdi er den samme som den nuværende."),
        ("full_name", "   ", "Skriv borgerens navn."),
        ("sex", "robot", "Vælg et køn fra listen."),
    ],
)
def test_invalid_values__are_refused_and_nothing_changes(world, shared, field, value, message):
    citizen = shared["citizen"]

    with pytest.raises(RightsRefused) as refused:
        citizen_rectify(actor=world.users["social_worker"], citizen=citizen, field=field, new_value=value,
                        reason="Fiktiv.")

    assert str(refused.value) == message
    assert _rows() == [] and _tasks() == [] and _events(actions.CITIZEN_RECTIFIED) == []
    assert _citizen(citizen.pk).version == 1


def test_cpr_of_another_citizen_in_the_cooperation__is_refused(world, shared):
    CitizenFactory(cooperation=world.cooperation, cpr="1303849124")

    with pytest.raises(RightsRefused, match="En anden borger i samarbejdet har dette CPR-nummer"):
        citizen_rectify(actor=world.users["social_worker"], citizen=shared["citizen"], field="cpr",
                        new_value="1303849124", reason="Fiktiv.")

    assert _citizen(shared["citizen"].pk).cpr_lookup == cpr_lookup_hash(CPR)


def test_stale_version__is_refused_and_nothing_changes(world, shared):
    citizen = shared["citizen"]
    citizen_rectify(actor=world.users["social_worker"], citizen=citizen, field="phone", new_value="11111111",
                    reason="Første rettelse (fiktiv).")

    with pytest.raises(RightsRefused, match="ændret af en anden"):
        citizen_rectify(actor=world.users["police_officer"], citizen=shared["citizen"], field="phone",
                        new_value="22222222", reason="Anden rettelse (fiktiv).", version=1)

    assert _citizen(citizen.pk).phone == "11111111"
    assert len(_rows()) == 1


@pytest.mark.parametrize("persona", ["frontline_worker", "outsider"])
def test_people_who_do_not_see_the_citizen__cannot_rectify(world, shared, persona):
    with pytest.raises(PermissionDenied):
        citizen_rectify(actor=world.users[persona], citizen=shared["citizen"], field="phone", new_value="1",
                        reason="Fiktiv.")

    assert _rows() == []


def _url(citizen) -> str:
    return reverse("privacy:rectify", kwargs={"pk": citizen.pk})


def test_page__lists_current_values_and_opens_the_form_for_one_field(world, shared, client_for):
    client = client_for("psychiatry_nurse")

    overview = client.get(_url(shared["citizen"]))
    form = client.get(_url(shared["citizen"]) + "?felt=address")

    assert overview.status_code == 200 and form.status_code == 200
    html = overview.content.decode()
    assert "Forkertvej 1, 9999 Demoby" in html and "120384-XXXX" in html and "1203849123" not in html
    assert_accessible_markup(html)
    form_html = form.content.decode()
    assert 'name="new_value"' in form_html and 'value="Forkertvej 1, 9999 Demoby"' in form_html
    assert_accessible_markup(form_html)
    cpr_form = client.get(_url(shared["citizen"]) + "?felt=cpr").content.decode()
    assert "120384" not in cpr_form.split('name="new_value"')[1].split(">")[0]


def test_page__saves_and_returns_with_a_message(world, shared, client_for):
    response = client_for("police_officer").post(
        _url(shared["citizen"]),
        {"field": "full_name", "new_value": "Fiktiv Borger Rettet", "reason": "Stavefejl (fiktiv).",
         "version": "1"},
    )

    assert response.status_code == 302 and response["Location"] == _url(shared["citizen"])
    assert _citizen(shared["citizen"].pk).full_name == "Fiktiv Borger Rettet"
    assert _citizen(shared["citizen"].pk).search_name == "fiktiv borger rettet"
    assert _rows()[0].rectified_by_organisation == world.police


def test_page__bad_input_re_renders_with_the_message_and_keeps_what_was_typed(world, shared, client_for):
    response = client_for("social_worker").post(
        _url(shared["citizen"]),
        {"field": "cpr", "new_value": "12345", "reason": "Min begrundelse (fiktiv).", "version": "1"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Et CPR-nummer har 10 cifre" in html
    assert "Min begrundelse (fiktiv)." in html
    assert _rows() == []


@pytest.mark.parametrize("persona", ["frontline_worker", "outsider"])
def test_page__others_get_404_and_nothing_changes(world, shared, persona):
    client = verified_client(world.users[persona])

    response = client.post(_url(shared["citizen"]),
                           {"field": "phone", "new_value": "99999999", "reason": "Fiktiv.", "version": "1"})

    assert response.status_code == 404
    assert _citizen(shared["citizen"].pk).phone == "" and _rows() == []


def test_case_page__offers_rectification_of_the_case_s_citizen(world, shared, client_for):
    response = client_for("social_worker").get(reverse("cases:case_detail", kwargs={"pk": shared["case"].pk}))

    assert response.status_code == 200
    assert f'href="{_url(shared["citizen"])}"' in response.content.decode()
