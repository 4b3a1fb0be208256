"""The citizen's access report (GDPR Art. 15): contents, withheld entries, no employee identities, sudo,
audit, and who may produce it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from samspil.audit import actions
from samspil.audit.actions import label_for
from samspil.audit.models import AuditEvent
from samspil.cases.models import CaseState
from samspil.concerns.models import ConcernStatus
from samspil.concerns.services import concern_disclose
from samspil.core.scoping import unscoped
from samspil.privacy.access_report import access_report_build
from samspil.privacy.models import AccessExemption, ExemptionSubject
from samspil.sharing.models import CitizenInforming, InformingReason

from ..concerns.helpers import at_status, with_ended_intervention
from ..conftest import verified_client
from ..factories import CitizenFactory
from ..sharing.helpers import consent_for, entry_of, psp_case, shared_disclosure
from .events import make_event
from .helpers import pdf_text, with_sudo

CPR = "1203849123"
SECRET = "Hemmelig observation ved Fiktivvej (fiktivt)"


@pytest.fixture
def report_world(world) -> dict[str, Any]:
    """An identified case of "Fiktiv Borger Indsigt": a police entry shared on § 115, a second police
    entry shared too but withheld under databeskyttelsesloven § 22, a consent, an informing record,
    and look-ups by the police officer and the social worker."""
    citizen = CitizenFactory(cooperation=world.cooperation, full_name="Fiktiv Borger Indsigt", cpr=CPR,
                             address="Fiktivvej 12, 9999 Demoby")
    case = psp_case(world, citizen=citizen)
    shared = entry_of(case, world.police, text="Borgeren blev fundet forvirret ved stationen (fiktivt).")
    disclosure = shared_disclosure(case, shared, [world.municipality, world.region])
    secret = entry_of(case, world.police, text=SECRET)
    secret_disclosure = shared_disclosure(case, secret, [world.municipality])
    AccessExemption.objects.create(
        subject_type=ExemptionSubject.JOURNAL_ENTRY, subject_id=str(secret.pk), case=case,
        organisation=world.police, reason="Verserende efterforskning (fiktiv).",
        legal_reference="Databeskyttelsesloven § 22", recorded_by=world.users["police_officer"],
    )
    entry_of(case, world.municipality, text="Internt notat i kommunen (fiktivt).")
    consent_for(case, world.municipality, purpose_text="Koordinering af hjælp (fiktivt).")
    CitizenInforming.objects.create(
        case=case, is_informed=False, reason=InformingReason.NOT_REACHED,
        reevaluate_on="2099-01-01", recorded_by_organisation=world.municipality,
    )
    make_event(actor=world.users["police_officer"], action=actions.CASE_VIEWED, citizen_id=citizen.pk,
               object_type="cases.case", object_id=str(case.pk), purpose="Forberedelse af møde")
    make_event(actor=world.users["social_worker"], action=actions.CITIZEN_VIEWED, citizen_id=citizen.pk,
               object_type="citizens.citizen", object_id=str(citizen.pk))
    make_event(actor=world.users["police_officer"], action=actions.DISCLOSURE_CREATED, citizen_id=citizen.pk,
               object_type="sharing.disclosure", object_id=str(secret_disclosure.pk))
    make_event(actor=world.users["police_officer"], action=actions.CASE_JOURNAL_ENTRY_ADDED,
               citizen_id=citizen.pk, object_type="cases.journalentry", object_id=str(secret.pk))
    return {"citizen": citizen, "case": case, "disclosure": disclosure, "secret": secret}


def _url(citizen, fmt: str) -> str:
    return reverse("privacy:access_report", kwargs={"pk": citizen.pk, "fmt": fmt})


def _produced() -> list[AuditEvent]:
    with unscoped("test reads the audit log"):
        return list(AuditEvent.objects.filter(action=actions.ACCESS_REPORT_PRODUCED).order_by("pk"))


EMPLOYEES = ("Per Betjent", "Sofie Socialrådgiver", "Pia Sygeplejerske", "Karin Koordinator",
             "Dorte Databeskyttelse", "Betjent", "Socialrådgiver")


def test_pdf__holds_the_citizen_the_basis_and_the_access_log_by_organisation_without_employee_names(
    world, report_world, client_for
):
    response = with_sudo(client_for("dpo")).get(_url(report_world["citizen"], "pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    filename = f'attachment; filename="indsigt-{report_world["citizen"].pk}-'
    assert response["Content-Disposition"].startswith(filename)
    text = pdf_text(response.content)
    assert "Fiktiv Borger Indsigt" in text
    assert "120384-9123" in text  # in full: the report goes to the citizen
    assert "Retsplejeloven § 115, stk. 1, nr. 2" in text
    assert "Borgeren blev fundet forvirret ved stationen (fiktivt)." in text
    assert "Testrup Politi (fiktiv)" in text
    assert "Sag set" in text and "Forberedelse af møde" in text
    for name in EMPLOYEES:
        assert name not in text
    assert "Hemmelig" not in text and "Verserende efterforskning" not in text
    assert "1 notat tilbageholdt efter Databeskyttelsesloven § 22." in text


def test_json__lists_data_disclosures_consents_informing_and_log_lines_without_people(
    world, report_world, client_for
):
    response = with_sudo(client_for("dpo")).get(_url(report_world["citizen"], "json"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    report = json.loads(response.content)
    assert report["citizen"]["full_name"] == "Fiktiv Borger Indsigt"
    assert report["citizen"]["cpr"] == "120384-9123"
    assert report["citizen"]["address"] == "Fiktivvej 12, 9999 Demoby"
    assert [c["pseudonym"] for c in report["cases"]] == [report_world["case"].pseudonym]
    assert sorted(o["organisation"] for o in report["cases"][0]["organisations"]) == [
        "Region Test (fiktiv)", "Testrup Kommune (fiktiv)", "Testrup Politi (fiktiv)"]
    assert [e["text"] for e in report["shared_entries"]] == [
        "Borgeren blev fundet forvirret ved stationen (fiktivt)."]
    assert report["unshared_entries"] == [{"organisation": "Testrup Kommune (fiktiv)", "entries": 1}]
    [disclosure] = report["disclosures"]
    assert disclosure["legal_basis"] == "§ 115, stk. 1, nr. 2 (PSP)"
    assert disclosure["legal_basis_citation"] == "Retsplejeloven § 115, stk. 1, nr. 2"
    assert disclosure["categories"] == ["Helbredsoplysninger"]
    assert disclosure["restrictions"] == ["Må ikke videregives", "Må ikke bruges til efterforskning"]
    assert disclosure["recipients"] == ["Region Test (fiktiv)", "Testrup Kommune (fiktiv)"]
    assert [c["purpose_text"] for c in report["consents"]] == ["Koordinering af hjælp (fiktivt)."]
    assert [(i["is_informed"], i["reason"]) for i in report["informing"]] == [
        (False, "Borgeren har ikke kunnet træffes")]
    assert report["withheld"] == [
        {"legal_reference": "Databeskyttelsesloven § 22", "entries": 1, "other_records": 0}]
    # The log: two look-ups; the lines about the withheld entry and its disclosure are left out.
    assert [(line["organisation"], line["action"]) for line in report["access_log"]] == [
        ("Testrup Politi (fiktiv)", "Sag set"), ("Testrup Kommune (fiktiv)", "Borger set")]
    assert all(set(line) == {"occurred_at", "organisation", "action", "purpose", "outcome"}
               for line in report["access_log"])
    text = response.content.decode("utf-8")
    for name in EMPLOYEES:
        assert name not in text
    assert "Hemmelig" not in text


def test_report__is_audited_with_the_citizen_id_and_counts_only(world, report_world, client_for):
    citizen = report_world["citizen"]

    with_sudo(client_for("dpo")).get(_url(citizen, "json"))

    [event] = _produced()
    assert (event.actor_id, event.citizen_id, event.cooperation_id, event.organisation_id) == (
        world.users["dpo"].pk, citizen.pk, world.cooperation.pk, world.municipality.pk)
    assert event.detail == {"format": "json", "cases": 1, "disclosures": 1, "access_log_lines": 2,
                            "withheld_entries": 1, "concerns": 0, "withheld_other_records": 0}
    assert "Fiktiv Borger Indsigt" not in json.dumps(event.detail)


def test_report__a_second_report_lists_the_first_one_in_the_access_log(world, report_world, client_for):
    client = with_sudo(client_for("dpo"))
    client.get(_url(report_world["citizen"], "json"))

    report = json.loads(client.get(_url(report_world["citizen"], "json")).content)

    assert report["access_log"][-1]["action"] == "Indsigtsrapport udarbejdet til borgeren"
    assert report["access_log"][-1]["organisation"] == "Testrup Kommune (fiktiv)"


def test_report__needs_sudo_and_produces_nothing_without_it(world, report_world, client_for):
    url = _url(report_world["citizen"], "pdf")

    response = client_for("dpo").get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sudo"))
    assert _produced() == []


@pytest.mark.parametrize(
    "persona", ["police_officer", "social_worker", "coordinator", "frontline_worker", "outsider"]
)
def test_report__other_personas_get_404_even_in_sudo_and_nothing_is_produced(world, report_world, persona):
    response = with_sudo(verified_client(world.user(persona))).get(_url(report_world["citizen"], "pdf"))

    assert response.status_code == 404
    assert _produced() == []


def test_report__a_citizen_of_another_cooperation_is_404_for_the_dpo(world, client_for):
    stranger = CitizenFactory(cooperation=world.other_cooperation, full_name="Fiktiv Fremmed")

    response = with_sudo(client_for("dpo")).get(_url(stranger, "json"))

    assert response.status_code == 404
    assert _produced() == []


def test_report__unknown_format_is_404(world, report_world, client_for):
    response = with_sudo(client_for("dpo")).get(_url(report_world["citizen"], "xml"))

    assert response.status_code == 404


def test_report__lifted_exemption_puts_the_entry_back(world, report_world):
    AccessExemption.objects.filter(subject_id=str(report_world["secret"].pk)).scoped().update(
        lifted_at="2025-01-01T00:00:00+00:00")

    report = access_report_build(citizen=report_world["citizen"], produced_by_organisation=world.municipality)

    assert SECRET in [e.text for e in report.shared_entries]
    assert report.withheld == []
    assert len(report.disclosures) == 2


def test_build__query_count_does_not_grow_with_cases_entries_disclosures_and_concerns(world):
    def citizen_with(n: int):
        citizen = CitizenFactory(cooperation=world.cooperation)
        for _ in range(n):
            case = psp_case(world, citizen=citizen)
            if n > 1:
                case.state = CaseState.CLOSED
            for _ in range(n):
                shared_disclosure(case, entry_of(case, world.police), [world.municipality])
            concern = at_status(world, ConcernStatus.FOLLOW_UP, raiser="social_worker", subject_kind="case",
                                case=case)
            with_ended_intervention(world, concern, ended_on=timezone.localdate() - timedelta(days=10))
            concern_disclose(actor=world.users["psychiatry_nurse"], concern=concern, organisation=world.region,
                             text="Oplysning (fiktiv).", basis_code="rpl-115-2", justification="Nødvendigt.",
                             categories=["health"])
        return citizen

    small, large = citizen_with(1), citizen_with(3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        small_report = access_report_build(citizen=small, produced_by_organisation=None)
    with CaptureQueriesContext(connection) as three:
        large_report = access_report_build(citizen=large, produced_by_organisation=None)
    assert len(three) == len(one)
    assert (len(small_report.concerns), len(large_report.concerns)) == (1, 3)
    assert len(large_report.concern_disclosures) == 3
    assert all(c.reviews and c.intervention_ended_on for c in large_report.concerns)


def test_access_log__names_the_purposes_that_sharing_events_record_as_codes(world, report_world):
    citizen = report_world["citizen"]
    for purpose in ("coordination", "rpl-115-1-2", "Forberedelse af møde (fiktivt)"):
        make_event(actor=world.users["social_worker"], action=actions.DISCLOSURE_VIEWED, citizen_id=citizen.pk,
                   object_type="sharing.disclosure", object_id=str(report_world["disclosure"].pk), purpose=purpose)

    report = access_report_build(citizen=citizen, produced_by_organisation=world.municipality)

    purposes = [line.purpose for line in report.access_log if line.action == label_for(actions.DISCLOSURE_VIEWED)]
    assert purposes[0] == "Koordinering af indsatsen over for borgeren i samarbejdet"
    assert "Retsplejeloven § 115, stk. 1, nr. 2" in purposes[1] and "rpl-" not in purposes[1]
    assert purposes[2] == "Forberedelse af møde (fiktivt)"
