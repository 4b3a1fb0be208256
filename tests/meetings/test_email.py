"""Email through Django's SMTP backend to a real SMTP server on loopback: invitations, feedback to the
referrer, reminders. What arrives is read back and checked; no email carries details about a citizen."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from samspil.audit import actions as codes
from samspil.meetings.models import (
    ActionReminder,
    Attendance,
    AttendanceStatus,
    Decision,
    Meeting,
    MeetingStatus,
    MinutesEntry,
    ReferrerFeedback,
    ReminderKind,
)
from samspil.meetings.reminders import action_reminders_send, feedback_notices_retry
from samspil.privacy.jobs import JOBS

from .helpers import acknowledge, action_on, events, free_port, item_on, meeting_in


def test_invitations__reach_every_member_of_the_group_with_the_agenda_but_no_case_details(
    world, client_for, meeting, case, police_case, smtp
) -> None:
    item_on(meeting, case=case)
    item_on(meeting, case=police_case)
    item_on(meeting, theme="Samarbejdsaftale med psykiatrien")
    response = client_for("coordinator").post(reverse("meetings:invitations_send", args=[meeting.pk]))
    assert response.status_code == 302
    assert smtp.recipients() == sorted(
        world.users[p].email for p in ("police_officer", "social_worker", "psychiatry_nurse", "coordinator")
    )
    message = smtp.messages[0]
    body = smtp.body(message)
    starts = timezone.localtime(meeting.starts_at)
    assert smtp.subject(message) == f"Indkaldelse: Nøglepersongruppen {starts:%d-%m-%Y}"
    assert f"{starts:%d-%m-%Y} kl. {starts:%H:%M}" in body and "Rådhuset, mødelokale 2" in body
    assert (
        "1. Sag (involveret: Testrup Kommune (fiktiv), Region Test (fiktiv), Testrup Politi (fiktiv))" in body
    )
    assert "3. Samarbejdsaftale med psykiatrien" in body
    assert "Borger M-1001" not in body and "Borger M-2002" not in body
    assert Attendance.objects.scoped().filter(meeting=meeting, status=AttendanceStatus.INVITED).count() == 4
    [event] = events(codes.MEETING_INVITATIONS_SENT)
    assert event.detail["invited"] == 4


def test_invitations_with_the_mail_server_down__are_refused_and_nobody_is_marked_invited(
    client_for, meeting, case, settings
) -> None:
    item_on(meeting, case=case)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    client = client_for("coordinator")
    response = client.post(reverse("meetings:invitations_send", args=[meeting.pk]), follow=True)
    assert "mailserveren ikke svarer" in response.content.decode()
    assert not Attendance.objects.scoped().filter(meeting=meeting).exists()
    assert Meeting.objects.get(pk=meeting.pk).invitations_sent_at is None
    assert events(codes.MEETING_INVITATIONS_SENT) == []


def test_closing__tells_the_referrer_the_decisions_marked_for_feedback_and_nothing_else(
    world, client_for, case, smtp
) -> None:
    meeting = meeting_in(world, status=MeetingStatus.OPEN, starts_at=timezone.now())
    item = item_on(meeting, case=case)
    acknowledge(meeting, world.users["coordinator"])
    Decision.objects.create(item=item, text="Kommunen tilbyder bostøtte (fiktivt).", for_feedback=True)
    Decision.objects.create(
        item=item, text="Politiet følger op på anmeldelsen (fiktivt).", for_feedback=False
    )
    MinutesEntry.objects.create(
        item=item, organisation=world.police, text="Kun politiet: sigtelse (fiktivt)."
    )
    MinutesEntry.objects.create(item=item, text="Fælles: borgeren er bekymret (fiktivt).")
    assert (
        client_for("coordinator").post(reverse("meetings:meeting_close", args=[meeting.pk])).status_code
        == 302
    )

    [feedback] = ReferrerFeedback.objects.scoped().all()
    assert (feedback.recipient, feedback.text) == (
        world.users["frontline_worker"],
        "Kommunen tilbyder bostøtte (fiktivt).",
    )
    assert feedback.emailed_at is not None
    [message] = smtp.messages
    body = smtp.body(message)
    assert message["To"] == world.users["frontline_worker"].email
    assert "Borger M-1001" in body and reverse("meetings:feedback_detail", args=[feedback.pk]) in body
    for secret in ("bostøtte", "anmeldelsen", "sigtelse", "bekymret"):
        assert secret not in body

    page = (
        client_for("frontline_worker")
        .get(reverse("meetings:feedback_detail", args=[feedback.pk]))
        .content.decode()
    )
    assert "Kommunen tilbyder bostøtte (fiktivt)." in page
    for hidden in ("anmeldelsen", "sigtelse", "bekymret"):
        assert hidden not in page
    feedback.refresh_from_db()
    assert feedback.read_at is not None
    assert len(events(codes.MEETING_FEEDBACK_VIEWED, citizen_id=case.citizen_id)) == 1


def test_feedback_with_the_mail_server_down__is_kept_in_the_app_and_sent_by_the_worker_later(
    world, client_for, case, settings, smtp
) -> None:
    meeting = meeting_in(world, status=MeetingStatus.OPEN, starts_at=timezone.now())
    item = item_on(meeting, case=case)
    Decision.objects.create(item=item, text="Sagen fortsætter (fiktivt).", for_feedback=True)
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = free_port(), 2
    assert (
        client_for("coordinator").post(reverse("meetings:meeting_close", args=[meeting.pk])).status_code
        == 302
    )
    [feedback] = ReferrerFeedback.objects.scoped().all()
    assert feedback.emailed_at is None
    home = client_for("frontline_worker").get(reverse("core:home")).content.decode()
    assert "Nye tilbagemeldinger" in home and "Borger M-1001" in home

    settings.EMAIL_PORT = working_port
    assert feedback_notices_retry() == 1
    assert smtp.recipients() == [world.users["frontline_worker"].email]
    feedback.refresh_from_db()
    assert feedback.emailed_at is not None
    assert feedback_notices_retry() == 0


def test_reminders__go_out_once_before_the_due_date_and_once_when_overdue(world, case, smtp) -> None:
    closed = meeting_in(world, status=MeetingStatus.CLOSED, starts_at=timezone.now() - timedelta(days=10))
    item = item_on(closed, case=case)
    owner = world.users["police_officer"]
    soon = action_on(
        item,
        world.police,
        owner=owner,
        due_date=timezone.localdate() + timedelta(days=1),
        what="Hjemmebesøg (fiktivt).",
    )
    late = action_on(item, world.police, owner=owner, due_date=timezone.localdate() - timedelta(days=1))
    action_on(item, world.police, owner=owner, due_date=timezone.localdate() + timedelta(days=20))

    assert action_reminders_send() == 2
    assert action_reminders_send() == 0
    kinds = {(r.action_id, r.kind) for r in ActionReminder.objects.scoped().all()}
    assert kinds == {(soon.pk, ReminderKind.DUE_SOON), (late.pk, ReminderKind.OVERDUE)}
    assert smtp.recipients() == [owner.email, owner.email]
    subjects = sorted(smtp.subject(m) for m in smtp.messages)
    assert subjects == [
        "Overskredet frist for en handling fra PSP-mødet",
        "Påmindelse: frist for en handling fra PSP-mødet",
    ]
    for message in smtp.messages:
        assert "Borger M-1001" in smtp.body(message) and "Hjemmebesøg" not in smtp.body(message)
    assert len(events(codes.MEETING_REMINDER_SENT)) == 2


def test_reminders__are_a_periodic_job_of_the_worker() -> None:
    assert "meetings.reminders" in [job.name for job in JOBS]


def test_reminder_with_the_mail_server_down__is_not_logged_so_the_next_run_tries_again(
    world, case, settings
) -> None:
    closed = meeting_in(world, status=MeetingStatus.CLOSED, starts_at=timezone.now() - timedelta(days=10))
    action_on(
        item_on(closed, case=case),
        world.police,
        owner=world.users["police_officer"],
        due_date=timezone.localdate(),
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    assert action_reminders_send() == 0
    assert not ActionReminder.objects.scoped().exists()
    assert events(codes.MEETING_REMINDER_SENT) == []
