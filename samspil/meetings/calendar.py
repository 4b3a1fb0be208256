"""The personal iCal feed. An entry holds no personal data: the summary is only "PSP-møde", with the
time and the place (a video link is not put in the feed; it is on the meeting page)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Meeting, MeetingStatus


def meetings_calendar(meetings: Sequence[Meeting]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Samspil//PSP-moeder//DA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Samspil")
    host = urlsplit(settings.SAMSPIL_BASE_URL).hostname or "samspil.invalid"
    stamp = timezone.now().replace(microsecond=0)
    for meeting in meetings:
        event = Event()
        event.add("uid", f"samspil-meeting-{meeting.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at or meeting.starts_at + timedelta(hours=2))
        event.add("summary", _("PSP-møde"))
        if meeting.place:
            event.add("location", meeting.place)
        if meeting.status == MeetingStatus.CLOSED:
            event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
