"""The periodic job that reminds owners of meeting actions (run by ``samspil worker``).

Each open action with an owner and a due date gets at most one reminder a couple of days before it is
due and one when it is overdue, by email (pseudonym, date and link; never what the action is) and in the
app (the home page's "Handlinger fra møder"). The reminder log's unique constraint makes it safe for
several workers at once. The job also retries feedback notices a mail server refused earlier.
"""

from __future__ import annotations

import logging
from datetime import date
from smtplib import SMTPException

from django.db import IntegrityError, transaction
from django.utils import timezone

from samspil.audit import actions as codes
from samspil.audit.services import audit_record

from . import emails, selectors
from .models import ActionReminder, ReminderKind
from .services import feedback_send_email

logger = logging.getLogger(__name__)

DUE_SOON_DAYS = 2


def action_reminders_send(*, today: date | None = None) -> int:
    """Send the reminders that are due; returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    for action in selectors.actions_due_for_reminder(today, DUE_SOON_DAYS):
        assert action.due_date is not None
        kind = ReminderKind.OVERDUE if action.due_date < today else ReminderKind.DUE_SOON
        if any(reminder.kind == kind for reminder in action.reminders.all()):
            continue
        try:
            with transaction.atomic():
                ActionReminder.objects.create(action=action, kind=kind, recipient=action.owner, emailed=True)
                emails.send_all([emails.reminder_message(action, kind)])
                audit_record(
                    action=codes.MEETING_REMINDER_SENT,
                    target=action,
                    citizen_id=action.case.citizen_id if action.case else None,
                    cooperation_id=action.meeting.cooperation_id,
                    detail={
                        "kind": kind,
                        "recipient": action.owner_id,
                        "due_date": action.due_date.isoformat(),
                    },
                )
        except IntegrityError:
            continue  # another worker sent it
        except (OSError, SMTPException) as exc:
            logger.warning("Reminder for action %s not sent: %s", action.pk, exc.__class__.__name__)
            continue
        sent += 1
    return sent


def feedback_notices_retry() -> int:
    return sum(1 for feedback in selectors.feedback_unsent_email() if feedback_send_email(feedback=feedback))


def run() -> int:
    """The worker's entry point: reminders, then feedback notices not yet sent."""
    return action_reminders_send() + feedback_notices_retry()
