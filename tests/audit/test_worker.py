from __future__ import annotations

import os
import signal
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks import TaskResultStatus as ResultStatus
from django_tasks_db.models import DBTaskResult

from samspil.audit.models import AuditChainLink, AuditSeal
from samspil.privacy.jobs import JOBS, PeriodicJob
from samspil.privacy.management.commands.worker import Command as WorkerCommand

from .helpers import record_events
from .tasks import add

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_worker_once__seals_the_audit_log_and_exits() -> None:
    record_events(4)
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert AuditChainLink.objects.count() == 4
    assert AuditSeal.objects.get().last_seq == 4
    lines = out.getvalue().splitlines()
    assert lines[0] == f"audit.seal: {AuditSeal.objects.get()}"
    assert lines[-1] == "Worker stopped."
    assert [line.split(":")[0] for line in lines[:-1]] == [job.name for job in JOBS]


def test_worker__audit_sealing_is_a_periodic_job_run_every_round() -> None:
    jobs = {job.name: job for job in JOBS}
    assert jobs["audit.seal"].interval == 0
    assert all(callable(job.run) for job in JOBS)


@pytest.mark.django_db(transaction=True)  # the task worker closes connections between tasks
@override_settings(TASKS=DATABASE_TASKS)
def test_worker_once__runs_pending_database_tasks() -> None:
    result = add.enqueue(2, 3)
    assert DBTaskResult.objects.get(id=result.id).status == ResultStatus.READY
    call_command("worker", "--once", stdout=StringIO())
    finished = DBTaskResult.objects.get(id=result.id)
    assert finished.status == ResultStatus.SUCCESSFUL
    assert finished.task_result.return_value == 5


def test_worker__runs_a_job_again_only_after_its_interval() -> None:
    runs: list[str] = []
    worker = WorkerCommand(stdout=StringIO())
    worker.stopping = threading.Event()
    worker.last_run = {}
    jobs = [
        PeriodicJob("every-round", lambda: runs.append("a"), 0),
        PeriodicJob("hourly", lambda: runs.append("b"), 3600),
    ]
    worker.run_jobs(jobs)
    worker.run_jobs(jobs)
    assert runs == ["a", "b", "a"]


def test_worker__a_failing_job_does_not_stop_the_others() -> None:
    runs: list[str] = []

    def broken() -> None:
        raise RuntimeError("job failed")

    worker = WorkerCommand(stdout=StringIO())
    worker.stopping = threading.Event()
    worker.last_run = {}
    worker.run_jobs([PeriodicJob("broken", broken, 0), PeriodicJob("fine", lambda: runs.append("ok"), 0)])
    assert runs == ["ok"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_worker__stops_cleanly_on_a_signal(signum: int) -> None:
    before = signal.getsignal(signum)
    timer = threading.Timer(0.3, os.kill, args=(os.getpid(), signum))
    timer.start()
    out = StringIO()
    try:
        call_command("worker", "--interval", "30", stdout=out)  # would sleep 30 s without the signal
    finally:
        timer.cancel()
    assert out.getvalue().endswith("Worker stopped.\n")
    assert signal.getsignal(signum) is before
