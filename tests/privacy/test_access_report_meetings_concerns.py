"""The access report is complete: looks at a PSP meeting's agenda, minutes or minutes PDF are in the
access log of each citizen whose case was shown (by organisation and purpose, never by person; a
restricted item is no look), and the concerns of radicalisation about the citizen are listed with their
disclosures, except a concern handed to the police, which is withheld whole."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from samspil.audit import actions as codes
from samspil.audit.models import AuditEvent
from samspil.concerns import services as concern_services
from samspil.concerns.models import ConcernStatus, Decision
from samspil.core.scoping import unscoped
from samspil.meetings.models import AttendanceStatus, MeetingStatus
from samspil.privacy.access_report import access_report_build

from ..concerns.helpers import assess, at_status
from ..factories import CitizenFactory
from ..meetings.helpers import acknowledge, item_on, meeting_in
from ..sharing.helpers import psp_case
from .helpers import pdf_text, with_sudo

S = ConcernStatus
EMPLOYEES = ("Per Betjent", "Sofie Socialrådgiver", "Pia Sygeplejerske", "Karin Koordinator",
             "Dorte Databeskyttelse", "Frede Frontmedarbejder")
AGENDA_LINE = "Sag set på dagsordenen til et PSP-møde"


def _report(client: Any, citizen: Any, fmt: str = "json") -> Any:
    response = client.get(reverse("privacy:access_report", kwargs={"pk": citizen.pk, "fmt": fmt}))
    assert response.status_code == 200
    return json.loads(response.content) if fmt == "json" else response.content


# --- Meetings -------------------------------------------------------------------------------------------


@pytest.fixture
def meeting_world(world) -> dict[str, Any]:
    """A meeting of the key-person group with two identified cases: one all three sectors work on, one
    only the police and psychiatry work on (restricted for the municipality), and an anonymous one."""
    shared = CitizenFactory(cooperation=world.cooperation, full_name="Fiktiv Borger Møde")
    police_only = CitizenFactory(cooperation=world.cooperation, full_name="Fiktiv Borger Begrænset")
    shared_case = psp_case(world, citizen=shared)
    police_case = psp_case(world, citizen=police_only, involved=("police", "region"), lead="police")
    meeting = meeting_in(world, starts_at=timezone.now() + timedelta(days=3))
    item_on(meeting, case=shared_case)
    item_on(meeting, case=police_case)
    item_on(meeting, case=psp_case(world))
    return {"meeting": meeting, "shared": shared, "police_only": police_only}


def _view_agenda(world, client_for, meeting, persona: str) -> None:
    acknowledge(meeting, world.users[persona], status=AttendanceStatus.INVITED)
    response = client_for(persona).get(reverse("meetings:meeting_detail", args=[meeting.pk]))
    assert response.status_code == 200


def test_agenda_viewed_by_a_police_officer__is_in_the_access_log_with_organisation_and_purpose(
    world, client_for, meeting_world
):
    meeting = meeting_world["meeting"]
    _view_agenda(world, client_for, meeting, "police_officer")
    dpo = with_sudo(client_for("dpo"))

    report = _report(dpo, meeting_world["shared"])

    date = timezone.localtime(meeting.starts_at).strftime("%d-%m-%Y")
    meeting_lines = [line for line in report["access_log"] if line["action"] == AGENDA_LINE]
    assert [(line["organisation"], line["purpose"], line["outcome"]) for line in meeting_lines] == [
        ("Testrup Politi (fiktiv)", f"Dagsordenen til PSP-mødet {date} (Nøglepersongruppen)", "Tilladt")]
    text = pdf_text(_report(dpo, meeting_world["shared"], "pdf"))
    assert "Testrup Politi (fiktiv)" in text and "Nøglepersongruppen" in text and date in text
    assert "dagsordenen til et PSP-møde" in text
    for name in EMPLOYEES:
        assert name not in text
    assert "Per Betjent" not in json.dumps(report, ensure_ascii=False)


def test_agenda_viewed_in_english__is_recorded_in_danish_for_the_citizens_report(
    world, client_for, meeting_world
):
    meeting = meeting_world["meeting"]
    officer = client_for("police_officer")
    officer.post("/i18n/setlang/", {"language": "en", "next": "/"})
    acknowledge(meeting, world.users["police_officer"], status=AttendanceStatus.INVITED)
    page = officer.get(reverse("meetings:meeting_detail", args=[meeting.pk]))
    assert page.status_code == 200 and 'lang="en"' in page.content.decode()

    date = timezone.localtime(meeting.starts_at).strftime("%d-%m-%Y")
    with unscoped("test reads the audit log"):
        purposes = set(
            AuditEvent.objects.filter(action=codes.MEETING_CASE_AGENDA_VIEWED).values_list("purpose", flat=True)
        )
    assert purposes == {f"Dagsordenen til PSP-mødet {date} (Nøglepersongruppen)"}


def test_agenda_item_restricted_for_the_viewer__is_not_in_that_citizens_access_log(
    world, client_for, meeting_world
):
    meeting = meeting_world["meeting"]
    _view_agenda(world, client_for, meeting, "social_worker")  # the police's case is restricted for them
    _view_agenda(world, client_for, meeting, "police_officer")
    dpo = with_sudo(client_for("dpo"))

    shared = _report(dpo, meeting_world["shared"])
    police_only = _report(dpo, meeting_world["police_only"])

    def lines(report: dict[str, Any]) -> list[str]:
        return [line["organisation"] for line in report["access_log"] if line["action"] == AGENDA_LINE]

    assert lines(shared) == ["Testrup Kommune (fiktiv)", "Testrup Politi (fiktiv)"]
    assert lines(police_only) == ["Testrup Politi (fiktiv)"]


def test_minutes_pdf_export__is_in_the_access_log_of_the_citizens_in_it(world, client_for, meeting_world):
    meeting = meeting_world["meeting"]
    meeting.status, meeting.closed_at = MeetingStatus.CLOSED, timezone.now()
    meeting.save(update_fields=["status", "closed_at"])
    acknowledge(meeting, world.users["social_worker"])
    response = client_for("social_worker").get(
        reverse("meetings:minutes_pdf", args=[meeting.pk]), {"organisation": world.municipality.pk}
    )
    assert response.status_code == 200
    dpo = with_sudo(client_for("dpo"))

    shared = _report(dpo, meeting_world["shared"])
    police_only = _report(dpo, meeting_world["police_only"])

    exported = "Sag med i referatet af et PSP-møde, hentet som PDF"
    [line] = [line for line in shared["access_log"] if line["action"] == exported]
    assert line["organisation"] == "Testrup Kommune (fiktiv)"
    assert line["purpose"].startswith("Referatet af PSP-mødet ") and line["purpose"].endswith("hentet som PDF")
    assert [line for line in police_only["access_log"] if line["action"] == exported] == []


# --- Concerns -------------------------------------------------------------------------------------------

OBSERVATION = "vold er den eneste vej"
WORKING_TEXTS = (OBSERVATION, "Udtalelser i klassen", "Tydelige udtalelser", "Bekymringen er reel",
                 "Samlet: reel bekymring", "Mentor i et halvt år", "Personen vil gerne tale med en mentor",
                 "Har været indlagt kortvarigt", "Kendt i psykiatrien", "Fiktiv Person, ca. 19 år")


def _disclose_from_psychiatry(world, concern, text: str = "Har været indlagt kortvarigt i foråret (fiktivt).") -> Any:
    return concern_services.concern_disclose(
        actor=world.users["psychiatry_nurse"], concern=concern, organisation=world.region, text=text,
        basis_code="rpl-115-2", justification="Nødvendigt for at vurdere sårbarheden (fiktivt).",
        categories=["health"],
    )


def _hand_to_police(world, concern) -> Any:
    return concern_services.concern_decide(
        actor=world.users["social_worker"], concern=concern, decision=Decision.POLICE,
        overall_assessment="Alvorlig (fiktivt).", recommendation="Politiet alene (fiktivt).",
        reason="Konkrete planer (fiktivt).",
    )


@pytest.fixture
def concern_world(world) -> dict[str, Any]:
    """A citizen's case with two concerns raised on it by the social worker: one taken through the
    procedure to an intervention and closed, with a disclosure from psychiatry; one with its own
    disclosure and then handed to the police."""
    citizen = CitizenFactory(cooperation=world.cooperation, full_name="Fiktiv Borger Bekymring")
    case = psp_case(world, citizen=citizen)
    lead = world.users["social_worker"]
    concern = at_status(world, S.GATHERING, raiser="social_worker", subject_kind="case", case=case)
    disclosure = _disclose_from_psychiatry(world, concern)
    concern = concern_services.concern_advance(actor=lead, concern=concern, to_status=S.ASSESSMENT)
    assess(world, concern)
    concern = concern_services.concern_advance(actor=lead, concern=concern, to_status=S.DECISION)
    concern = concern_services.concern_decide(
        actor=lead, concern=concern, decision=Decision.INTERVENTION, overall_assessment="Samlet: reel bekymring.",
        recommendation="Mentor i et halvt år.", reason="Personen vil gerne tale med en mentor.",
        intervention_kinds=["mentor", "conversation"],
    )
    started = timezone.localdate() - timedelta(days=30)
    concern_services.plan_save(actor=lead, concern=concern, started_on=started,
                               planned_end_on=started + timedelta(days=180))
    concern = concern_services.concern_close(actor=lead, concern=concern,
                                             reason="Indsatsen er i gang og følges i sagen (fiktivt).")
    with_police = at_status(world, S.GATHERING, raiser="social_worker", subject_kind="case", case=case)
    _disclose_from_psychiatry(world, with_police, text="Truede personalet med våben (fiktivt).")
    with_police = _hand_to_police(world, with_police)
    return {"citizen": citizen, "case": case, "concern": concern, "disclosure": disclosure,
            "with_police": with_police}


def test_json__lists_the_concern_its_steps_organisations_decision_and_disclosure_without_working_texts(
    world, client_for, concern_world
):
    concern = concern_world["concern"]

    report = _report(with_sudo(client_for("dpo")), concern_world["citizen"])

    [listed] = report["concerns"]
    assert listed["reference"] == concern.reference and listed["case"] == concern_world["case"].pseudonym
    assert listed["raised_by_organisation"] == "Testrup Kommune (fiktiv)"
    assert listed["status"] == "Lukket"
    assert [(s["from_state"], s["to_state"]) for s in listed["steps"]] == [
        ("", "Modtaget"), ("Modtaget", "Informationsindsamling"), ("Informationsindsamling", "Vurdering"),
        ("Vurdering", "Samlet vurdering og beslutning"), ("Samlet vurdering og beslutning", "Indsats og opfølgning"),
        ("Indsats og opfølgning", "Lukket")]
    assert [o["organisation"] for o in listed["organisations"]] == ["Region Test (fiktiv)"]
    assert [a["organisation"] for a in listed["assessments"]] == ["Testrup Kommune (fiktiv)"]
    assert listed["decision"] == "Kommunal eller PSP-indsats"
    assert listed["interventions"] == ["Mentor", "Bekymringssamtale"]
    assert listed["intervention_started_on"] == (timezone.localdate() - timedelta(days=30)).isoformat()
    assert listed["closing_reason"] == "Indsatsen er i gang og følges i sagen (fiktivt)."
    [disclosure] = report["concern_disclosures"]
    assert disclosure == {
        "disclosed_at": disclosure["disclosed_at"],
        "concern": concern.reference,
        "source_organisation": "Region Test (fiktiv)",
        "recipients": ["Testrup Kommune (fiktiv)", "Testrup Politi (fiktiv)"],
        "legal_basis": concern_world["disclosure"].legal_basis_name,
        "legal_basis_citation": "Retsplejeloven § 115, stk. 2",
        "purpose": "Koordinering af indsatsen over for borgeren i samarbejdet",
        "justification": "Nødvendigt for at vurdere sårbarheden (fiktivt).",
        "categories": ["Helbredsoplysninger"],
        "restrictions": ["Må ikke videregives", "Må ikke bruges til efterforskning"],
    }
    actions = [line["action"] for line in report["access_log"]]
    assert "Bekymring for radikalisering rejst" in actions
    assert "Oplysninger delt i en bekymring på et hjemmelsgrundlag" in actions
    text = json.dumps(report, ensure_ascii=False)
    for working_text in WORKING_TEXTS:
        assert working_text not in text
    for name in EMPLOYEES:
        assert name not in text


def test_concern_handed_to_the_police__is_withheld_whole_with_its_disclosure_and_log_lines(
    world, client_for, concern_world
):
    with_police = concern_world["with_police"]
    dpo = with_sudo(client_for("dpo"))

    report = _report(dpo, concern_world["citizen"])
    text = pdf_text(_report(dpo, concern_world["citizen"], "pdf"))

    assert [c["reference"] for c in report["concerns"]] == [concern_world["concern"].reference]
    assert [d["concern"] for d in report["concern_disclosures"]] == [concern_world["concern"].reference]
    assert report["withheld"] == [
        {"legal_reference": "Databeskyttelsesloven § 22", "entries": 0, "other_records": 1}]
    # Not one line of the access log comes from the withheld concern: the open one's lines only.
    raised = [line for line in report["access_log"] if line["action"] == "Bekymring for radikalisering rejst"]
    assert len(raised) == 1
    assert "Bekymring overdraget til politiet" not in [line["action"] for line in report["access_log"]]
    for rendered in (json.dumps(report, ensure_ascii=False), text):
        assert with_police.reference not in rendered
        assert "våben" not in rendered and "Konkrete planer" not in rendered
        assert "Overdraget til politiet" not in rendered and "Overdrages til politiet" not in rendered
    assert "Oplysninger om 1 forløb tilbageholdt efter Databeskyttelsesloven § 22." in text
    assert "notat tilbageholdt" not in text  # no police entry was withheld
    assert "Bekymringer for radikalisering" in text and concern_world["concern"].reference in text
    assert "Retsplejeloven § 115, stk. 2" in text and "Region Test (fiktiv)" in text


def test_concern_handed_to_the_police__stays_withheld_after_it_is_closed(world, concern_world):
    concern_services.concern_close(actor=world.users["police_officer"], concern=concern_world["with_police"],
                                   reason="Politiet har afsluttet sin håndtering (fiktivt).")

    report = access_report_build(citizen=concern_world["citizen"], produced_by_organisation=world.municipality)

    assert [c.reference for c in report.concerns] == [concern_world["concern"].reference]
    assert report.withheld_other_records == 1
    assert "Politiet har afsluttet" not in json.dumps(report.as_dict(), default=str, ensure_ascii=False)


def test_concern_without_a_case_of_the_citizen__is_not_in_their_report(world, concern_world):
    at_status(world, S.RECEIVED, raiser="social_worker")  # about a person not linked to a case
    other = CitizenFactory(cooperation=world.cooperation)
    at_status(world, S.RECEIVED, raiser="social_worker", subject_kind="case",
              case=psp_case(world, citizen=other))

    report = access_report_build(citizen=concern_world["citizen"], produced_by_organisation=None)

    assert [c.reference for c in report.concerns] == [concern_world["concern"].reference]


def test_report_event__counts_the_concerns_and_the_withheld_records(world, client_for, concern_world):
    from samspil.audit import actions
    from samspil.audit.models import AuditEvent
    from samspil.core.scoping import unscoped

    _report(with_sudo(client_for("dpo")), concern_world["citizen"])

    with unscoped("test reads the audit log"):
        [event] = AuditEvent.objects.filter(action=actions.ACCESS_REPORT_PRODUCED)
    assert (event.detail["concerns"], event.detail["withheld_other_records"]) == (1, 1)
    assert event.detail["withheld_entries"] == 0


def test_citizen_rights_page__tells_the_dpo_that_a_concern_with_the_police_is_withheld(
    world, client_for, concern_world
):
    url = reverse("privacy:citizen_rights", kwargs={"pk": concern_world["citizen"].pk})

    html = " ".join(client_for("dpo").get(url).content.decode().split())

    assert "1 bekymring er overdraget til politiet og kommer ikke med." in html
    assert "oplysninger om 1 forløb er tilbageholdt" in html
    assert concern_world["with_police"].reference not in html


def test_citizen_rights_page__says_nothing_of_concerns_when_none_is_with_the_police(world, client_for):
    citizen = CitizenFactory(cooperation=world.cooperation)
    at_status(world, S.RECEIVED, raiser="social_worker", subject_kind="case", case=psp_case(world, citizen=citizen))
    url = reverse("privacy:citizen_rights", kwargs={"pk": citizen.pk})

    html = client_for("dpo").get(url).content.decode()

    assert "overdraget til politiet" not in html
