"""A whole meeting through the pages, as the coordinator and the members click through it; and the
planning pages' handling of bad input."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from samspil.audit import actions as codes
from samspil.cases.models import TaskStatus
from samspil.meetings.models import (
    Action,
    ActionStatus,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    ReferrerFeedback,
)

from .helpers import events, key_group, series_of


def _follow(client, response):
    assert response.status_code == 302, response.status_code
    return client.get(response["Location"])


def test_a_whole_meeting__from_planning_to_the_next_meeting_following_up(world, client_for, case) -> None:
    coordinator, social = client_for("coordinator"), client_for("social_worker")
    group = key_group(world)

    # Plan: a series for the key-person group, then a meeting on the date the cadence suggests.
    page = coordinator.get(reverse("meetings:meeting_list")).content.decode()
    assert "Opret mødeserie" in page
    response = coordinator.post(
        reverse("meetings:series_create", args=[world.cooperation.pk]),
        {
            "group": group.pk,
            "name": "",
            "default_place": "Rådhuset, mødelokale 2",
            "default_start": "09:00",
            "default_duration_minutes": "120",
        },
    )
    series = MeetingSeries.objects.get()
    assert series.name == "Nøglepersongruppen" and series.meetings_per_year == 10
    page = _follow(coordinator, response).content.decode()
    assert "Planlæg møde" in page
    day = timezone.localdate() + timedelta(days=7)
    response = coordinator.post(
        reverse("meetings:meeting_create", args=[series.pk]),
        {
            "date": day.strftime("%d-%m-%Y"),
            "start": "09:00",
            "end": "11:00",
            "place": "Rådhuset, mødelokale 2",
            "video_link": "",
            "chair": world.users["coordinator"].pk,
            "secretary": world.users["social_worker"].pk,
        },
    )
    meeting = Meeting.objects.get()
    assert (meeting.chair, meeting.secretary, meeting.status) == (
        world.users["coordinator"],
        world.users["social_worker"],
        MeetingStatus.PLANNED,
    )

    # Agenda: the social worker proposes the case from the case page; the coordinator accepts it.
    case_page = social.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert reverse("meetings:item_propose", args=[case.pk]) in case_page
    social.post(
        reverse("meetings:item_propose", args=[case.pk]),
        {"meeting": meeting.pk, "reason": "Uro i opgangen igen (fiktivt)."},
    )
    item = AgendaItem.objects.scoped().get()
    coordinator.post(reverse("meetings:item_decide", args=[item.pk]), {"decision": "accept"})
    coordinator.post(reverse("meetings:invitations_send", args=[meeting.pk]))
    assert len(mail.outbox) == 4

    # At the meeting: attendance, the confidentiality statement, minutes, a decision and an action.
    police_attendance = Attendance.objects.scoped().get(meeting=meeting, user=world.users["police_officer"])
    coordinator.post(
        reverse("meetings:attendance", args=[meeting.pk]),
        {
            "form": "table",
            f"status-{police_attendance.pk}": AttendanceStatus.APOLOGIES,
            f"note-{police_attendance.pk}": "Sender oplysninger skriftligt",
        },
    )
    police_attendance.refresh_from_db()
    assert police_attendance.status == AttendanceStatus.APOLOGIES
    coordinator.post(reverse("meetings:meeting_open", args=[meeting.pk]))
    for client in (coordinator, social):
        client.post(reverse("meetings:acknowledge", args=[meeting.pk]), {"to": "minutes"})
    response = social.post(
        reverse("meetings:minutes_save", args=[item.pk]),
        {"part": "shared", "text": "Kommunen har talt med viceværten (fiktivt).", "version": "0"},
    )
    assert response.status_code == 302
    coordinator.post(
        reverse("meetings:decision_add", args=[item.pk]),
        {"text": "Kommunen tilbyder bostøtte (fiktivt).", "for_feedback": "on"},
    )
    coordinator.post(
        reverse("meetings:action_add", args=[item.pk]),
        {
            "organisation": world.municipality.pk,
            "owner": world.users["social_worker"].pk,
            "what": "Bostøtte bevilges (fiktivt).",
            "due_date": (day + timedelta(days=14)).strftime("%d-%m-%Y"),
        },
    )
    action = Action.objects.scoped().get()
    minutes = social.get(reverse("meetings:minutes", args=[meeting.pk])).content.decode()
    for text in ("Kommunen har talt med viceværten", "Kommunen tilbyder bostøtte", "Bostøtte bevilges"):
        assert text in minutes
    response = coordinator.post(reverse("meetings:meeting_close", args=[meeting.pk]))
    assert "Mødet er afsluttet" in _follow(coordinator, response).content.decode()
    assert ReferrerFeedback.objects.scoped().get().recipient == world.users["frontline_worker"]

    # The next meeting: the case is on the agenda again and the action comes up for follow-up.
    following = Meeting.objects.create(
        series=series,
        cooperation=world.cooperation,
        status=MeetingStatus.OPEN,
        starts_at=meeting.starts_at + timedelta(days=36),
        place="Rådhuset",
        chair=world.users["coordinator"],
    )
    AgendaItem.objects.create(meeting=following, case=case, status="accepted", order=1)
    coordinator.post(reverse("meetings:acknowledge", args=[following.pk]))
    page = coordinator.get(reverse("meetings:minutes", args=[following.pk])).content.decode()
    assert "Bostøtte bevilges (fiktivt)." in page and "Følg op" in page
    coordinator.post(
        reverse("meetings:action_review", args=[following.pk, action.pk]),
        {"outcome": "done", "reason": "Bevilget i sidste uge (fiktivt)."},
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.task.status == TaskStatus.DONE
    assert (
        _follow(
            coordinator, coordinator.post(reverse("meetings:meeting_close", args=[following.pk]))
        ).status_code
        == 200
    )
    assert len(events(codes.MEETING_CLOSED)) == 2


def test_planning_without_place_or_video_link__is_refused_keeping_the_date(world, client_for) -> None:
    series = series_of(world)
    response = client_for("coordinator").post(
        reverse("meetings:meeting_create", args=[series.pk]),
        {
            "date": "02-03-2026",
            "start": "09:30",
            "place": "",
            "video_link": "",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Angiv et mødested eller et videolink." in page and 'value="02-03-2026"' in page
    assert not Meeting.objects.exists()


def test_editing_a_meeting_someone_else_changed__is_refused_keeping_the_input(
    world, client_for, meeting
) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(version=2)
    response = client_for("coordinator").post(
        reverse("meetings:meeting_edit", args=[meeting.pk]),
        {
            "date": "02-03-2026",
            "start": "10:00",
            "place": "Nyt sted (fiktivt)",
            "version": "1",
        },
    )
    assert response.status_code == 400
    assert (
        "ændret af en anden" in response.content.decode()
        and "Nyt sted (fiktivt)" in response.content.decode()
    )
    meeting.refresh_from_db()
    assert meeting.place == "Rådhuset, mødelokale 2"


def test_reads__are_audited(world, client_for, meeting) -> None:
    client_for("police_officer").get(reverse("meetings:meeting_list"))
    client_for("frontline_worker").get(reverse("meetings:feedback_list"))
    client_for("police_officer").get(reverse("meetings:discharge_list"))
    assert [
        len(events(code))
        for code in (codes.MEETINGS_LISTED, codes.MEETING_FEEDBACK_LISTED, codes.DISCHARGE_LISTED)
    ] == [1, 1, 1]
