"""Emails to course participants, with an iCalendar file for the course days.

A message goes to one participant and holds nothing about anyone else: their own name, the course,
dates, venue and a link. The calendar file has no attendees or organiser, only the days.
"""

from __future__ import annotations

from datetime import datetime, time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Completion, Enrolment, Offering

DEFAULT_DAY = (time(9, 0), time(16, 0))


def _absolute(path: str) -> str:
    return settings.SAMSPIL_BASE_URL.rstrip("/") + path


def offering_calendar(offering: Offering) -> bytes:
    """One event per course day, from the day's first session to its last (09-16 without sessions)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Samspil//Kursus//DA")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    host = urlsplit(settings.SAMSPIL_BASE_URL).hostname or "samspil.invalid"
    location = ", ".join(part for part in (offering.venue, offering.venue_address) if part)
    for day in (
        offering.days.select_related("programme_day")
        .prefetch_related("programme_day__sessions")
        .order_by("date")
    ):
        sessions = list(day.programme_day.sessions.all())
        starts = min((s.starts_at for s in sessions), default=DEFAULT_DAY[0])
        ends = max((s.ends_at for s in sessions), default=DEFAULT_DAY[1])
        event = Event()
        event.add("uid", f"samspil-offering-{offering.pk}-day-{day.programme_day.number}@{host}")
        event.add("dtstamp", timezone.now().replace(microsecond=0))
        event.add("dtstart", timezone.make_aware(datetime.combine(day.date, starts)))
        event.add("dtend", timezone.make_aware(datetime.combine(day.date, ends)))
        event.add("summary", f"{offering.course.title}: {day.programme_day.title}")
        if location:
            event.add("location", location)
        event.add("description", _absolute(reverse("training:offering_detail", args=[offering.pk])))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


SUBJECTS = {
    "enrolled": lambda o: _("Du har fået plads: %(course)s") % {"course": o.course.title},
    "waitlisted": lambda o: _("Du står på venteliste: %(course)s") % {"course": o.course.title},
    "promoted": lambda o: _("Du har fået plads fra ventelisten: %(course)s") % {"course": o.course.title},
    "cancelled": lambda o: _("Din tilmelding er afmeldt: %(course)s") % {"course": o.course.title},
    "reminder": lambda o: _("Påmindelse: %(course)s begynder snart") % {"course": o.course.title},
}
WITH_CALENDAR = {"enrolled", "promoted", "reminder"}


def enrolment_email(enrolment: Enrolment, kind: str) -> EmailMessage:
    """The message for one participant about their place (kind: enrolled, waitlisted, promoted,
    cancelled, reminder)."""
    offering = enrolment.offering
    member = enrolment.member
    with translation.override(member.preferred_language or settings.LANGUAGE_CODE):
        days = list(offering.days.select_related("programme_day").order_by("date"))
        body = render_to_string(
            "training/email/enrolment.txt",
            {
                "kind": kind,
                "name": member.full_name,
                "offering": offering,
                "days": days,
                "nominated": enrolment.nominated_by_id is not None and enrolment.nominated_by_id != member.pk,
                "link": _absolute(reverse("training:offering_detail", args=[offering.pk])),
            },
        )
        message = EmailMessage(subject=str(SUBJECTS[kind](offering)), body=body, to=[member.email])
    if kind in WITH_CALENDAR:
        message.attach("kursus.ics", offering_calendar(offering), "text/calendar")
    return message


def refresher_email(completion: Completion) -> EmailMessage:
    member = completion.member
    with translation.override(member.preferred_language or settings.LANGUAGE_CODE):
        body = render_to_string(
            "training/email/refresher.txt",
            {
                "name": member.full_name,
                "course": completion.course,
                "valid_until": completion.valid_until,
                "link": _absolute(reverse("training:course_list")),
            },
        )
        subject = _("Dit kursusbevis udløber snart: %(course)s") % {"course": completion.course.title}
    return EmailMessage(subject=subject, body=body, to=[member.email])
