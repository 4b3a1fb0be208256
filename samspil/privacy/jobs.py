"""Periodic jobs run by ``samspil worker``. Adding one is one line in ``JOBS``.

Each job is a callable without arguments, run at most every ``interval`` seconds (0: every round of
the worker). A job must be safe to run in several workers at once (the audit sealer takes a lock).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from samspil.audit.chain import audit_seal
from samspil.meetings.reminders import run as meeting_reminders
from samspil.training.tasks import send_training_reminders

from .retention import retention_job


class PeriodicJob(NamedTuple):
    name: str
    run: Callable[[], object]
    interval: float  # seconds


JOBS: list[PeriodicJob] = [
    PeriodicJob("audit.seal", audit_seal, 0),
    PeriodicJob("meetings.reminders", meeting_reminders, 3600),
    PeriodicJob("training.reminders", send_training_reminders.call, 24 * 3600),
    PeriodicJob("privacy.retention", retention_job, 24 * 3600),
]
