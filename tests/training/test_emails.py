"""Confirmations, waitlist and promotion messages, reminders and refresher notices, sent through a real
SMTP server on loopback and read back, with the calendar file parsed by icalendar."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from icalendar import Calendar

from samspil.core.scoping import unscoped
from samspil.training.models import Completion, Enrolment, Offering, add_years
from samspil.training.services import (
    enrolment_cancel,
    enrolment_self_enrol,
    refresher_notices_send,
    reminders_send,
)

from ..conftest import World
from .helpers import complete, membership_of, offering_of, psp_course, seat


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(e.content, policy=default_policy) for e in self.envelopes]  # type: ignore[misc]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        controller.stop()


def _calendar(message: EmailMessage) -> Calendar | None:
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_payload(decode=True))
    return None


def _subject(message: EmailMessage) -> str:
    """The subject as a mail client shows it (a long encoded subject is folded onto a new line)."""
    return str(message["Subject"]).strip()


def _local(dt: datetime) -> datetime:
    return timezone.localtime(dt)


def test_enrolment__sends_a_confirmation_with_the_course_days_as_a_calendar(
    world: World, offering: Offering, inbox: Inbox
) -> None:
    officer = world.users["police_officer"]
    enrolment_self_enrol(actor=officer, offering_id=offering.pk, membership=membership_of(officer))
    assert [e.rcpt_tos for e in inbox.envelopes] == [["per@eksempel.invalid"]]
    message = inbox.messages()[0]
    assert _subject(message) == "Du har fået plads: PSP-kurset (test)"
    body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Kære Per Betjent" in body
    assert "Du har fået plads på kurset:" in body
    calendar = _calendar(message)
    assert calendar is not None
    events = calendar.walk("VEVENT")
    days = list(offering.days.order_by("date"))
    assert [(_local(e.decoded("dtstart")), _local(e.decoded("dtend"))) for e in events] == [
        (
            timezone.make_aware(datetime.combine(day.date, time(9, 0))),
            timezone.make_aware(datetime.combine(day.date, time(16, 0))),
        )
        for day in days
    ]
    assert [str(e["summary"]) for e in events] == [
        "PSP-kurset (test): Radikalisering og psykisk sårbarhed",
        "PSP-kurset (test): Samarbejde og fremgangsmåde",
    ]
    assert {str(e["location"]) for e in events} == {"Kursuscentret (fiktivt), Testvej 1, 9999 Testrup"}
    assert all("attendee" not in e and "organizer" not in e for e in events)


def test_messages__hold_nothing_about_other_participants(world: World, course: Any, inbox: Inbox) -> None:
    offering = offering_of(course, capacity=1)
    for persona in ("social_worker", "police_officer"):
        user = world.users[persona]
        enrolment_self_enrol(actor=user, offering_id=offering.pk, membership=membership_of(user))
    assert [e.rcpt_tos for e in inbox.envelopes] == [["sofie@eksempel.invalid"], ["per@eksempel.invalid"]]
    waitlisted = inbox.messages()[1]
    raw = bytes(inbox.envelopes[1].content).decode("utf-8", "replace")
    assert _subject(waitlisted) == "Du står på venteliste: PSP-kurset (test)"
    assert _calendar(waitlisted) is None
    assert "Sofie" not in raw and "sofie@" not in raw


def test_cancellation__tells_the_member_and_the_promoted_person(
    world: World, course: Any, inbox: Inbox
) -> None:
    offering = offering_of(course, capacity=1)
    officer, social = world.users["police_officer"], world.users["social_worker"]
    first = enrolment_self_enrol(
        actor=officer, offering_id=offering.pk, membership=membership_of(officer)
    ).enrolment
    enrolment_self_enrol(actor=social, offering_id=offering.pk, membership=membership_of(social))
    del inbox.envelopes[:]
    enrolment_cancel(actor=officer, enrolment=first)
    messages = inbox.messages()
    assert [(m["To"], _subject(m)) for m in messages] == [
        ("per@eksempel.invalid", "Din tilmelding er afmeldt: PSP-kurset (test)"),
        ("sofie@eksempel.invalid", "Du har fået plads fra ventelisten: PSP-kurset (test)"),
    ]
    assert _calendar(messages[0]) is None
    assert _calendar(messages[1]) is not None


def test_reminders__go_once_to_people_with_a_seat_when_the_course_is_near(
    world: World, course: Any, inbox: Inbox
) -> None:
    near = offering_of(course, first_day=timezone.localdate() + timedelta(days=5), title="Snart")
    later = offering_of(course, first_day=timezone.localdate() + timedelta(days=30), title="Senere")
    seat(near, world.users["police_officer"])
    seat(later, world.users["social_worker"])
    assert reminders_send() == 1
    assert reminders_send() == 0
    messages = inbox.messages()
    assert [(m["To"], _subject(m)) for m in messages] == [
        ("per@eksempel.invalid", "Påmindelse: PSP-kurset (test) begynder snart")
    ]
    assert _calendar(messages[0]) is not None
    with unscoped("test: read back"):
        assert Enrolment.objects.get(offering=near).reminder_sent_at is not None


def test_refresher_notice__goes_before_the_certificate_runs_out(world: World, inbox: Inbox) -> None:
    course = psp_course()
    past = offering_of(course, first_day=timezone.localdate() - timedelta(days=3 * 365))
    completed_at = add_years(timezone.now(), -3) + timedelta(days=30)
    completion = complete(seat(past, world.users["police_officer"]), at=completed_at)
    assert refresher_notices_send() == 1
    assert refresher_notices_send() == 0
    message = inbox.messages()[0]
    assert (message["To"], _subject(message)) == (
        "per@eksempel.invalid",
        "Dit kursusbevis udløber snart: PSP-kurset (test)",
    )
    with unscoped("test: read back"):
        assert Completion.objects.get(pk=completion.pk).refresher_notice_sent_at is not None


def test_refresher_notice__not_when_a_newer_completion_exists(world: World, inbox: Inbox) -> None:
    course = psp_course()
    officer = world.users["police_officer"]
    old = offering_of(course, first_day=timezone.localdate() - timedelta(days=3 * 365), title="Gammelt")
    new = offering_of(course, first_day=timezone.localdate() - timedelta(days=10), title="Nyt")
    complete(seat(old, officer), at=add_years(timezone.now(), -3) + timedelta(days=30))
    complete(seat(new, officer), at=timezone.now() - timedelta(days=9))
    assert refresher_notices_send() == 0
    assert inbox.envelopes == []
