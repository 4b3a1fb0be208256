"""The coordinator's configuration per cooperation: training gate, deadlines, lead contacts, signs."""

from __future__ import annotations

from django.urls import reverse

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.concerns.models import ConcernSettings, LeadContact, SignOfConcern
from samspil.core.scoping import unscoped

from .helpers import membership, raise_concern, trained

VALID = {
    "training_gate_enabled": "", "receive_working_days": "2", "red_hours": "12", "amber_working_days": "3",
    "green_working_days": "8", "gather_working_days": "4", "assess_working_days": "4",
    "decide_working_days": "1", "first_review_months": "6", "second_review_months": "12",
    "default_template_code": "tilknytning-hensigt-evne", "version": "1",
}


def _url(world, name: str = "concerns:settings_edit", **kwargs) -> str:
    return reverse(name, kwargs={"cooperation_pk": world.cooperation.pk, **kwargs})


def _events(action: str) -> list[AuditEvent]:
    with unscoped("test reads the log"):
        return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_coordinator__switches_the_gate_off_and_changes_deadlines(world, client_for) -> None:
    client = client_for("coordinator")
    page = client.get(_url(world)).content.decode()
    assert "Opsætning af bekymringer i PSP Testrup" in page
    assert len(_events(actions.CONCERN_SETTINGS_VIEWED)) == 1
    response = client.post(_url(world), VALID)
    assert response.status_code == 302
    settings = ConcernSettings.objects.get(cooperation=world.cooperation)
    assert settings.training_gate_enabled is False
    assert (settings.red_hours, settings.amber_working_days, settings.version) == (12, 3, 2)
    assert settings.default_template_code == "tilknytning-hensigt-evne"
    [event] = _events(actions.CONCERN_SETTINGS_CHANGED)
    assert "training_gate_enabled" in event.detail["fields"] and "red_hours" in event.detail["fields"]


def test_bad_settings__get_danish_messages_keep_the_input_and_save_nothing(world, client_for) -> None:
    response = client_for("coordinator").post(
        _url(world), {**VALID, "second_review_months": "6", "red_hours": "x"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Den anden opfølgning skal ligge efter den første." in page
    assert "Skriv et helt tal." in page
    assert 'value="x"' in page
    assert not ConcernSettings.objects.filter(cooperation=world.cooperation).exists()


def test_stale_settings__are_refused(world, client_for) -> None:
    client = client_for("coordinator")
    client.post(_url(world), VALID)
    response = client.post(_url(world), {**VALID, "red_hours": "6"})
    assert "Opsætningen er blevet ændret af en anden" in response.content.decode()
    assert ConcernSettings.objects.get(cooperation=world.cooperation).red_hours == 12


def test_key_member__may_not_change_the_settings_and_nothing_changes(world, client_for) -> None:
    response = client_for("police_officer").post(_url(world), VALID)
    assert response.status_code == 403
    assert not ConcernSettings.objects.filter(cooperation=world.cooperation).exists()


def test_lead_contacts__come_from_the_municipality_or_the_police_and_can_be_ended(world, client_for) -> None:
    client = client_for("coordinator")
    officer = membership(world.users["police_officer"])
    nurse = membership(world.users["psychiatry_nurse"])
    page = client.get(_url(world)).content.decode()
    assert world.users["police_officer"].full_name in page
    refused = client.post(_url(world, "concerns:lead_contact_add"), {"membership": str(nurse.pk)})
    assert "Vælg en person fra listen." in refused.content.decode()
    client.post(_url(world, "concerns:lead_contact_add"), {"membership": str(officer.pk)})
    with unscoped("test"):
        lead = LeadContact.objects.get(cooperation=world.cooperation)
    assert lead.membership == officer and lead.designated_by == world.users["coordinator"]
    assert len(_events(actions.CONCERN_LEAD_CONTACT_DESIGNATED)) == 1

    trained(world.users["police_officer"])
    concern = raise_concern(world)
    detail = reverse("concerns:concern_detail", kwargs={"pk": concern.pk})
    assert client_for("police_officer").get(detail).status_code == 200
    client.post(_url(world, "concerns:lead_contact_end", lead_pk=lead.pk))
    with unscoped("test"):
        assert LeadContact.objects.get(pk=lead.pk).ended_at is not None
    assert client_for("police_officer").get(detail).status_code == 404


def test_own_sign__is_added_to_the_cooperations_catalogue_and_offered_when_raising(world, client_for) -> None:
    client = client_for("coordinator")
    client.post(
        _url(world, "concerns:sign_add"), {"group": "social", "label": "Hænger ud ved den lokale moské-kiosk"}
    )
    sign = SignOfConcern.objects.get(cooperation=world.cooperation)
    assert (sign.group, sign.is_shipped) == ("social", False)
    raise_page = reverse("concerns:concern_raise")
    assert sign.label in client_for("frontline_worker").get(raise_page).content.decode()
    assert sign.label not in client_for("outsider").get(raise_page).content.decode()
    duplicate = client.post(_url(world, "concerns:sign_add"), {"group": "social", "label": sign.label})
    assert "Tegnet findes allerede i kataloget." in duplicate.content.decode()
    assert SignOfConcern.objects.filter(cooperation=world.cooperation).count() == 1
