"""The agenda: proposing cases, curating, the confidentiality gate and need-to-know per item."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samspil.audit import actions
from samspil.audit.models import Outcome
from samspil.meetings.models import AgendaItem, AgendaItemStatus, Attendance, AttendanceStatus, MeetingStatus
from samspil.meetings.selectors import meetings_open_for_proposals
from samspil.meetings.services import MeetingError, agenda_item_add
from samspil.organisations.models import GroupKind

from .helpers import acknowledge, events, item_on, meeting_in, psp_case, series_of


def _items(meeting):
    return list(AgendaItem.objects.filter(meeting=meeting).scoped().order_by("order", "pk"))


def _propose(client, case, meeting, reason="Borgeren har truet naboer to gange i denne måned (fiktivt)."):
    return client.post(
        reverse("meetings:item_propose", kwargs={"case_pk": case.pk}),
        {"meeting": meeting.pk, "reason": reason},
    )


# --- Proposing ----------------------------------------------------------------------------------------------


def test_meetings_open_for_proposals__include_a_planned_meeting_earlier_today_but_not_yesterdays(
    world, series, case
) -> None:
    start_of_today = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    earlier_today = meeting_in(world, series=series, starts_at=start_of_today + timedelta(minutes=1))
    yesterday = meeting_in(world, series=series, starts_at=start_of_today - timedelta(minutes=1))
    held_today = meeting_in(
        world, series=series, starts_at=start_of_today + timedelta(minutes=2), status=MeetingStatus.OPEN
    )
    open_ids = set(meetings_open_for_proposals(case).values_list("pk", flat=True))
    assert earlier_today.pk in open_ids
    assert yesterday.pk not in open_ids and held_today.pk not in open_ids


def test_member_of_an_involved_organisation__proposes_a_case_for_the_coordinator_to_curate(
    world, client_for, meeting, case
) -> None:
    response = _propose(client_for("social_worker"), case, meeting)
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:case_detail", args=[case.pk]
    )
    [item] = _items(meeting)
    assert (item.case_id, item.status, item.proposed_by, item.proposed_by_organisation) == (
        case.pk,
        AgendaItemStatus.PROPOSED,
        world.users["social_worker"],
        world.municipality,
    )
    assert item.reason == "Borgeren har truet naboer to gange i denne måned (fiktivt)."
    [event] = events(actions.MEETING_ITEM_PROPOSED)
    assert (event.citizen_id, event.detail["case"], event.detail["accepted"]) == (
        case.citizen_id,
        case.pk,
        False,
    )


def test_coordinator_proposing__puts_the_case_straight_on_the_agenda(
    world, client_for, meeting, case
) -> None:
    assert _propose(client_for("coordinator"), case, meeting).status_code == 302
    [item] = _items(meeting)
    assert (item.status, item.order) == (AgendaItemStatus.ACCEPTED, 1)


def test_member_whose_organisation_is_not_involved__does_not_see_the_case_and_nothing_is_proposed(
    client_for, meeting, police_case
) -> None:
    assert _propose(client_for("social_worker"), police_case, meeting).status_code == 404
    assert _items(meeting) == []


def test_coordinator_not_involved__is_refused_with_403_audited_and_nothing_is_proposed(
    world, client_for, meeting, police_case
) -> None:
    response = _propose(client_for("coordinator"), police_case, meeting)
    assert response.status_code == 403
    assert _items(meeting) == []
    [denial] = events(actions.ACCESS_DENIED, actor_id=world.users["coordinator"].pk)
    assert denial.outcome == Outcome.DENIED and denial.detail["needed"] == "meeting.propose"


def test_proposal_without_reason__is_refused_and_keeps_the_chosen_meeting(client_for, meeting, case) -> None:
    response = _propose(client_for("police_officer"), case, meeting, reason="  ")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Feltet skal udfyldes." in page
    assert f'<option value="{meeting.pk}" selected>' in page
    assert _items(meeting) == []


def test_proposal_of_an_anonymous_discussion_with_a_phone_number__is_refused_keeping_the_text(
    world, client_for, meeting
) -> None:
    anonymous = psp_case(world)
    reason = "Ring til søsteren på 12 34 56 78 (fiktivt)."
    response = _propose(client_for("police_officer"), anonymous, meeting, reason=reason)
    assert response.status_code == 400
    page = response.content.decode()
    assert "telefonnummer" in page and reason in page
    assert _items(meeting) == []


def test_steering_group_meeting__takes_themes_not_cases(world, case) -> None:
    steering = meeting_in(world, series=series_of(world, kind=GroupKind.STEERING))
    coordinator = world.users["coordinator"]
    with pytest.raises(MeetingError, match="temaer uden borgere"):
        agenda_item_add(actor=coordinator, meeting=steering, case=case)
    item = agenda_item_add(actor=coordinator, meeting=steering, theme="Statistik for første halvår")
    assert (item.case_id, item.theme, item.status) == (
        None,
        "Statistik for første halvår",
        AgendaItemStatus.ACCEPTED,
    )


# --- Curating -----------------------------------------------------------------------------------------------


def test_coordinator_accepts_a_proposal__it_goes_last_on_the_agenda(client_for, meeting, case, world) -> None:
    first = item_on(meeting, case=psp_case(world))
    proposal = item_on(meeting, case=case, status=AgendaItemStatus.PROPOSED, order=0)
    response = client_for("coordinator").post(
        reverse("meetings:item_decide", args=[proposal.pk]), {"decision": "accept"}
    )
    assert response.status_code == 302
    assert [(i.pk, i.status, i.order) for i in _items(meeting)] == [
        (first.pk, AgendaItemStatus.ACCEPTED, 1),
        (proposal.pk, AgendaItemStatus.ACCEPTED, 2),
    ]
    assert len(events(actions.MEETING_ITEM_ACCEPTED)) == 1


def test_key_member__cannot_curate_and_nothing_changes(world, client_for, meeting, case) -> None:
    proposal = item_on(meeting, case=case, status=AgendaItemStatus.PROPOSED, order=0)
    response = client_for("police_officer").post(
        reverse("meetings:item_decide", args=[proposal.pk]), {"decision": "accept"}
    )
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == AgendaItemStatus.PROPOSED
    assert events(actions.MEETING_ITEM_ACCEPTED) == []
    assert len(events(actions.ACCESS_DENIED, actor_id=world.users["police_officer"].pk)) == 1


def test_moving_an_item_down__swaps_it_with_the_next(world, client_for, meeting) -> None:
    a, b, c = (item_on(meeting, case=psp_case(world)) for _ in range(3))
    response = client_for("coordinator").post(
        reverse("meetings:item_move", args=[a.pk]), {"direction": "down"}
    )
    assert response.status_code == 302
    assert [i.pk for i in _items(meeting)] == [b.pk, a.pk, c.pk]
    assert [i.order for i in _items(meeting)] == [1, 2, 3]


def test_moving_with_htmx__answers_the_agenda_in_its_new_order(world, client_for, meeting) -> None:
    client = client_for("coordinator")
    acknowledge(meeting, world.users["coordinator"], status=AttendanceStatus.INVITED)
    a = item_on(meeting, case=psp_case(world, pseudonym="Borger A-1"))
    item_on(meeting, case=psp_case(world, pseudonym="Borger B-2"))
    response = client.post(
        reverse("meetings:item_move", args=[a.pk]), {"direction": "down"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200 and page.startswith('<div id="agenda"')
    assert page.index("Borger B-2") < page.index("Borger A-1")


# --- Confidentiality and need-to-know -----------------------------------------------------------------------


def test_agenda__opens_only_after_the_confidentiality_statement_is_accepted(
    world, client_for, meeting, case
) -> None:
    item_on(meeting, case=case)
    client = client_for("police_officer")
    url = reverse("meetings:meeting_detail", args=[meeting.pk])
    closed_page = client.get(url).content.decode()
    assert "Jeg accepterer fortrolighedserklæringen" in closed_page
    assert "må ikke videregives" in closed_page  # the § 115 terms from the sharing rule set
    assert "Borger M-1001" not in closed_page
    assert events(actions.MEETING_AGENDA_VIEWED) == []

    response = client.post(reverse("meetings:acknowledge", args=[meeting.pk]))
    assert response.status_code == 302 and response["Location"] == url
    attendance = Attendance.objects.scoped().get(meeting=meeting, user=world.users["police_officer"])
    assert attendance.acknowledged_at is not None and len(attendance.acknowledged_terms_digest) == 64
    assert (attendance.organisation, attendance.status) == (world.police, AttendanceStatus.INVITED)
    assert "Borger M-1001" in client.get(url).content.decode()
    [read] = events(actions.MEETING_AGENDA_VIEWED)
    assert read.detail["cases"] == [case.pk] and read.detail["citizens"] == [case.citizen_id]
    assert read.citizen_id is None  # the meeting's one event for the DPO; the citizen's own follows
    [shown] = events(actions.MEETING_CASE_AGENDA_VIEWED)
    assert (shown.citizen_id, shown.object_type, shown.object_id) == (case.citizen_id, "cases.case", str(case.pk))
    assert (shown.actor_id, shown.organisation_id, shown.cooperation_id, shown.occurred_at) == (
        read.actor_id, world.police.pk, world.cooperation.pk, read.occurred_at)
    date = timezone.localtime(meeting.starts_at).strftime("%d-%m-%Y")
    assert shown.purpose == f"Dagsordenen til PSP-mødet {date} (Nøglepersongruppen)"
    assert shown.detail == {"meeting": meeting.pk, "read_event": read.pk}


def test_accepting_at_a_meeting_in_progress__records_the_person_as_present(world, client_for, case) -> None:
    meeting = meeting_in(world, status=MeetingStatus.OPEN)
    client_for("psychiatry_nurse").post(reverse("meetings:acknowledge", args=[meeting.pk]))
    attendance = Attendance.objects.scoped().get(meeting=meeting, user=world.users["psychiatry_nurse"])
    assert attendance.status == AttendanceStatus.PRESENT
    assert len(events(actions.MEETING_CONFIDENTIALITY_ACCEPTED)) == 1


def test_item_about_a_case_the_attendees_organisation_is_not_involved_in__shows_as_restricted(
    world, client_for, meeting, case, police_case
) -> None:
    item_on(meeting, case=case, reason="Fælles bekymring (fiktivt).")
    item_on(meeting, case=police_case, reason="Politiets bekymring om våben (fiktivt).")
    acknowledge(meeting, world.users["social_worker"], status=AttendanceStatus.INVITED)
    page = (
        client_for("social_worker")
        .get(reverse("meetings:meeting_detail", args=[meeting.pk]))
        .content.decode()
    )
    assert "Borger M-1001" in page and "Fælles bekymring (fiktivt)." in page
    assert "Borger M-2002" not in page and "våben" not in page
    assert "Begrænset" in page
    assert "Testrup Politi (fiktiv), Region Test (fiktiv)" in page  # which organisations are involved
    [read] = events(actions.MEETING_AGENDA_VIEWED)
    assert read.detail["cases"] == [case.pk] and read.detail["restricted"] == 1
    # Only the citizen whose item was shown has the look in their access log; the restricted one not.
    shown = events(actions.MEETING_CASE_AGENDA_VIEWED)
    assert [(e.citizen_id, e.object_id) for e in shown] == [(case.citizen_id, str(case.pk))]
    assert events(actions.MEETING_CASE_AGENDA_VIEWED, citizen_id=police_case.citizen_id) == []


def test_police_officer__sees_both_items(world, client_for, meeting, case, police_case) -> None:
    item_on(meeting, case=case)
    item_on(meeting, case=police_case)
    acknowledge(meeting, world.users["police_officer"], status=AttendanceStatus.INVITED)
    page = (
        client_for("police_officer")
        .get(reverse("meetings:meeting_detail", args=[meeting.pk]))
        .content.decode()
    )
    assert "Borger M-1001" in page and "Borger M-2002" in page and "Begrænset" not in page


def test_anonymous_discussion_item__shows_only_its_pseudonym(world, client_for, meeting) -> None:
    anonymous = psp_case(world, pseudonym="Borger A-7")
    item_on(meeting, case=anonymous)
    acknowledge(meeting, world.users["social_worker"], status=AttendanceStatus.INVITED)
    page = (
        client_for("social_worker")
        .get(reverse("meetings:meeting_detail", args=[meeting.pk]))
        .content.decode()
    )
    assert "Borger A-7" in page and "Anonym drøftelse" in page
    assert anonymous.description not in page
    [read] = events(actions.MEETING_AGENDA_VIEWED)
    assert read.detail["cases"] == [anonymous.pk] and read.detail["citizens"] == []
    assert events(actions.MEETING_CASE_AGENDA_VIEWED) == []  # an anonymous discussion has no citizen


@pytest.mark.parametrize("persona", ["frontline_worker", "dpo", "outsider"])
def test_people_who_do_not_work_on_cases_in_the_cooperation__do_not_see_the_meeting(
    client_for, meeting, persona
) -> None:
    assert client_for(persona).get(reverse("meetings:meeting_detail", args=[meeting.pk])).status_code == 404
