"""The home-page panel: the member's training status, places on courses and open questionnaires."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import EnrolmentStatus, OfferingStatus
from .selectors import enrolments_of, questionnaire_tasks, training_status, waitlist_rank


def training_panel(request: HttpRequest) -> dict[str, Any] | None:
    user = request.user
    if not user.is_authenticated:
        return None
    enrolments = list(
        enrolments_of(user)
        .filter(status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED])
        .exclude(offering__status__in=[OfferingStatus.HELD, OfferingStatus.CANCELLED])
    )
    for enrolment in enrolments:
        enrolment.rank = waitlist_rank(enrolment)  # type: ignore[attr-defined]
    return {
        "status": training_status(user),
        "enrolments": enrolments,
        "tasks": [task for task in questionnaire_tasks(user) if not task.answered],
    }
