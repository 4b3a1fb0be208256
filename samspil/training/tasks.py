"""Background work for the training course: emails to participants, reminders, refresher notices.

Enqueued inside the service's transaction; with the database backend the task row commits (or not)
together with the change that caused it, and the worker sends the message.
"""

from __future__ import annotations

from django_tasks import task

from samspil.audit import actions
from samspil.audit.services import audit_record
from samspil.core.scoping import unscoped

from .emails import enrolment_email, refresher_email
from .models import Completion, Enrolment


@task()
def send_enrolment_email(enrolment_id: int, kind: str) -> None:
    with unscoped("sending a participant the message about their own place"):
        enrolment = (
            Enrolment.objects.select_related("member", "offering__course").filter(pk=enrolment_id).first()
        )
    if enrolment is None or not enrolment.member.is_active:
        return
    enrolment_email(enrolment, kind).send()
    audit_record(action=actions.COURSE_EMAIL_SENT, target=enrolment, detail={"kind": kind})


@task()
def send_refresher_notice(completion_id: int) -> None:
    with unscoped("telling a member their own certificate runs out"):
        completion = Completion.objects.select_related("member", "course").filter(pk=completion_id).first()
    if completion is None or not completion.member.is_active:
        return
    refresher_email(completion).send()
    audit_record(action=actions.COURSE_EMAIL_SENT, target=completion, detail={"kind": "refresher"})


@task()
def send_training_reminders() -> dict[str, int]:
    """Daily job: reminders before offerings and notices before certificates run out."""
    from .services import refresher_notices_send, reminders_send

    return {"reminders": reminders_send(), "refresher_notices": refresher_notices_send()}
