"""Discharge-coordination meetings (psykiatriloven §§ 13 a-c): within 5 working days, Danish holidays not
counted; proposed dates, warnings as the deadline nears, agreement or coordination plan and participants."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from samspil.audit import actions as codes
from samspil.meetings.models import AgreementType, DischargeMeeting, DischargeStatus
from samspil.meetings.services import discharge_deadline, propose_discharge_dates
from samspil.meetings.workdays import add_working_days

from .helpers import events, meeting_in


def _discharges():
    return list(DischargeMeeting.objects.scoped().order_by("pk"))


def _discharge(world, case, *, requested_on: date | None = None) -> DischargeMeeting:
    requested_on = requested_on or timezone.localdate()
    return DischargeMeeting.objects.create(
        cooperation=world.cooperation,
        case=case,
        requested_by_party="psychiatry",
        timing="before",
        requested_at=timezone.make_aware(datetime.combine(requested_on, time(9, 0))),
        deadline=discharge_deadline(requested_on),
        recorded_by=world.users["psychiatry_nurse"],
        recorded_by_organisation=world.region,
    )


def test_request_before_easter__gets_a_deadline_that_skips_the_holidays(world, client_for, case) -> None:
    response = client_for("psychiatry_nurse").post(
        reverse("meetings:discharge_request", args=[case.pk]),
        {
            "requested_by_party": "citizen",
            "timing": "before",
            "requested_on": "16-04-2025",
        },
    )
    [discharge] = _discharges()
    assert response.status_code == 302 and response["Location"] == reverse(
        "meetings:discharge_detail", args=[discharge.pk]
    )
    assert discharge.deadline == date(2025, 4, 28)
    assert discharge.proposed_dates == ["2025-04-22", "2025-04-23", "2025-04-24"]
    assert (discharge.requested_by_party, discharge.recorded_by_organisation) == ("citizen", world.region)
    [event] = events(codes.DISCHARGE_REQUESTED)
    assert event.citizen_id == case.citizen_id and event.detail["deadline"] == "2025-04-28"


def test_proposed_dates__leave_out_days_the_cooperation_already_meets(world) -> None:
    requested = date(2025, 3, 3)  # Monday; deadline Monday 10 March
    meeting_in(world, starts_at=timezone.make_aware(datetime(2025, 3, 4, 10, 0)))
    assert propose_discharge_dates(world.cooperation.pk, requested, add_working_days(requested, 5)) == [
        date(2025, 3, 5),
        date(2025, 3, 6),
        date(2025, 3, 7),
    ]


def test_request_on_a_case_the_organisation_is_not_involved_in__is_not_possible(
    client_for, police_case
) -> None:
    response = client_for("social_worker").post(
        reverse("meetings:discharge_request", args=[police_case.pk]),
        {"requested_by_party": "psychiatry", "timing": "after"},
    )
    assert response.status_code == 404
    assert _discharges() == []


def test_request_without_choices__is_refused_with_danish_messages(client_for, case) -> None:
    response = client_for("psychiatry_nurse").post(
        reverse("meetings:discharge_request", args=[case.pk]), {"requested_on": "16-04-2025"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Vælg, hvem der har bedt om mødet." in page
        and "Vælg, om mødet er før eller efter udskrivning." in page
    )
    assert 'value="16-04-2025"' in page
    assert _discharges() == []


def test_scheduling_after_the_deadline__is_allowed_with_a_warning_and_recorded(
    world, client_for, case
) -> None:
    discharge = _discharge(world, case)
    late = discharge.deadline + timedelta(days=7)
    response = client_for("psychiatry_nurse").post(
        reverse("meetings:discharge_schedule", args=[discharge.pk]),
        {
            "date": late.strftime("%d-%m-%Y"),
            "start": "10:00",
            "place": "Psykiatrisk afsnit, mødelokale 1",
        },
        follow=True,
    )
    assert "ligger efter fristen" in response.content.decode()
    discharge.refresh_from_db()
    assert (
        discharge.status == DischargeStatus.SCHEDULED and timezone.localdate(discharge.scheduled_at) == late
    )
    assert events(codes.DISCHARGE_SCHEDULED)[0].detail == {"after_deadline": True}


def test_discharge_agreement_without_the_citizen__is_refused_keeping_the_input(
    world, client_for, case
) -> None:
    discharge = _discharge(world, case)
    response = client_for("psychiatry_nurse").post(
        reverse("meetings:discharge_record", args=[discharge.pk]),
        {
            "agreement_type": AgreementType.DISCHARGE_AGREEMENT,
            "organisations": [world.region.pk],
            "agreement_summary": "Bostøtte to gange om ugen (fiktivt).",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "En udskrivningsaftale indgås med borgeren." in page
        and "Bostøtte to gange om ugen (fiktivt)." in page
    )
    discharge.refresh_from_db()
    assert discharge.status == DischargeStatus.REQUESTED


def test_coordination_plan__records_the_outcome_and_who_took_part(world, client_for, case) -> None:
    discharge = _discharge(world, case)
    response = client_for("psychiatry_nurse").post(
        reverse("meetings:discharge_record", args=[discharge.pk]),
        {
            "agreement_type": AgreementType.COORDINATION_PLAN,
            "organisations": [world.region.pk, world.municipality.pk],
            "other_participants": "Pårørende (søster)",
            "agreement_summary": "Bostøtte to gange om ugen (fiktivt).",
        },
    )
    assert response.status_code == 302
    discharge.refresh_from_db()
    assert (discharge.status, discharge.agreement_type, discharge.citizen_participates) == (
        DischargeStatus.HELD,
        AgreementType.COORDINATION_PLAN,
        False,
    )
    assert set(discharge.participant_organisations.all()) == {world.region, world.municipality}
    assert events(codes.DISCHARGE_RECORDED)[0].detail["organisations"] == sorted(
        [world.region.pk, world.municipality.pk]
    )


def test_home_page__warns_when_a_discharge_deadline_is_two_working_days_away_or_less(
    world, client_for, case
) -> None:
    today = timezone.localdate()
    urgent = _discharge(world, case, requested_on=today - timedelta(days=10))
    DischargeMeeting.objects.scoped().filter(pk=urgent.pk).update(deadline=add_working_days(today, 1))
    relaxed = _discharge(world, case)
    page = client_for("police_officer").get(reverse("core:home")).content.decode()
    assert "Udskrivningsmøder med kort frist" in page
    assert reverse("meetings:discharge_detail", args=[urgent.pk]) in page
    assert reverse("meetings:discharge_detail", args=[relaxed.pk]) not in page
    assert (
        "Udskrivningsmøder med kort frist" not in client_for("dpo").get(reverse("core:home")).content.decode()
    )
