"""Emails about meetings: invitations, feedback notices and action reminders.

Email leaves the system, so it carries no information about citizens: the invitation lists the agenda
as numbered items with the organisations involved (cases are not named, themes are), the feedback notice
and the reminder give the case's pseudonym, a date and a link. What was discussed stays in Samspil.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samspil.accounts.models import User

from .models import Action, Meeting, ReferrerFeedback


def absolute(path: str) -> str:
    return settings.SAMSPIL_BASE_URL.rstrip("/") + path


@dataclass(frozen=True)
class AgendaLine:
    number: int
    title: str
    organisations: str


def _message(user: User, subject: str, template: str, context: dict[str, object]) -> EmailMessage:
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        body = render_to_string(template, {"name": user.full_name, **context})
        subject = str(subject)
    return EmailMessage(subject=subject, body=body, to=[user.email])


def invitation_message(user: User, meeting: Meeting, agenda: Sequence[AgendaLine]) -> EmailMessage:
    starts = timezone.localtime(meeting.starts_at)
    subject = _("Indkaldelse: %(series)s %(date)s") % {
        "series": meeting.series.name,
        "date": f"{starts:%d-%m-%Y}",
    }
    return _message(
        user,
        subject,
        "meetings/email/invitation.txt",
        {
            "meeting": meeting,
            "starts": starts,
            "agenda": agenda,
            "link": absolute(reverse("meetings:meeting_detail", args=[meeting.pk])),
        },
    )


def feedback_message(feedback: ReferrerFeedback) -> EmailMessage:
    meeting = feedback.item.meeting
    subject = _("Tilbagemelding fra PSP-mødet om %(pseudonym)s") % {"pseudonym": feedback.case.pseudonym}
    return _message(
        feedback.recipient,
        subject,
        "meetings/email/feedback.txt",
        {
            "pseudonym": feedback.case.pseudonym,
            "date": timezone.localtime(meeting.starts_at),
            "link": absolute(reverse("meetings:feedback_detail", args=[feedback.pk])),
        },
    )


def reminder_message(action: Action, kind: str) -> EmailMessage:
    assert action.owner is not None
    pseudonym = action.case.pseudonym if action.case else ""
    if kind == "overdue":
        subject = _("Overskredet frist for en handling fra PSP-mødet")
    else:
        subject = _("Påmindelse: frist for en handling fra PSP-mødet")
    link = (
        reverse("cases:case_detail", args=[action.case_id]) + "#opgaver"
        if action.case_id
        else reverse("meetings:minutes", args=[action.meeting_id])
    )
    return _message(
        action.owner,
        subject,
        "meetings/email/reminder.txt",
        {"kind": kind, "pseudonym": pseudonym, "due_date": action.due_date, "link": absolute(link)},
    )


def send_all(messages: Sequence[EmailMessage]) -> int:
    """Send over one connection; raises on failure (callers decide whether that refuses the action)."""
    if not messages:
        return 0
    connection = get_connection(fail_silently=False)
    return int(connection.send_messages(list(messages)) or 0)
