"""`samspil worker`: the background loop. Every ``--interval`` seconds it runs the periodic jobs in
``samspil.privacy.jobs`` that are due (sealing the audit log, later retention) and then the pending
tasks of the django-tasks database queue, reusing django-tasks-db's own ``Worker``.

``--once`` does one round and exits. SIGTERM or SIGINT lets the current job or task finish and then
stops; a second signal stops at once.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connections
from django.utils.crypto import get_random_string
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, task_backends
from django_tasks_db.management.commands.db_worker import Worker

from samspil.privacy.jobs import JOBS, PeriodicJob

logger = logging.getLogger("samspil.worker")


class Command(BaseCommand):
    help = "Run periodic jobs (audit sealing, retention) and queued background tasks."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=30.0, help="Seconds between rounds (default 30)."
        )
        parser.add_argument("--once", action="store_true", help="Run one round, then exit.")
        parser.add_argument(
            "--queue-name",
            default=DEFAULT_TASK_QUEUE_NAME,
            help="Task queues to process, comma-separated, '*' for all (default %(default)r).",
        )
        parser.add_argument("--backend", default=DEFAULT_TASK_BACKEND_ALIAS, help="Task backend alias.")
        parser.add_argument(
            "--max-tasks-per-round", type=int, default=500, help="Tasks run per round at most (default 500)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] < 0:
            raise CommandError("--interval must be zero or more.")
        self.stopping = threading.Event()
        self.task_worker: Worker | None = None
        self.last_run: dict[str, float] = {}
        once = options["once"]
        previous_handlers = None if once else self._install_signal_handlers()
        try:
            self._loop(options, once=once)
        finally:
            if previous_handlers is not None:
                for signum, handler in previous_handlers.items():
                    signal.signal(signum, handler)
        self.stdout.write("Worker stopped.")

    def _loop(self, options: dict[str, Any], *, once: bool) -> None:
        worker_id = get_random_string(32)
        while True:
            _refresh_connections()
            self.run_jobs(JOBS)
            if not self.stopping.is_set():
                self.run_tasks(
                    backend_name=options["backend"],
                    queue_names=options["queue_name"].split(","),
                    max_tasks=options["max_tasks_per_round"],
                    worker_id=worker_id,
                )
            _refresh_connections()
            if once or self.stopping.wait(options["interval"]):
                return

    def run_jobs(self, jobs: list[PeriodicJob]) -> None:
        for job in jobs:
            if self.stopping.is_set():
                return
            now = time.monotonic()
            last = self.last_run.get(job.name)
            if last is not None and now - last < job.interval:
                continue
            self.last_run[job.name] = now
            try:
                result = job.run()
            except Exception:
                # One failing job must not stop the others or the loop; the next round retries.
                logger.exception("Periodic job %s failed", job.name)
                _refresh_connections()
                continue
            self.stdout.write(f"{job.name}: {result if result is not None else 'nothing to do'}")

    def run_tasks(self, *, backend_name: str, queue_names: list[str], max_tasks: int, worker_id: str) -> None:
        backend = task_backends[backend_name]
        if not isinstance(backend, DatabaseBackend):
            return  # tasks run elsewhere (e.g. immediately, in tests and development)
        self.task_worker = Worker(
            queue_names=queue_names,
            interval=0,
            batch=True,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        try:
            self.task_worker.run()
        finally:
            self.task_worker = None

    def _install_signal_handlers(self) -> dict[int, Any]:
        def shutdown(signum: int, frame: FrameType | None) -> None:
            if self.stopping.is_set():
                sys.exit(1)
            logger.warning("Received %s: stopping after the current job or task.", signal.strsignal(signum))
            self.stopping.set()
            if self.task_worker is not None:
                self.task_worker.running = False

        return {signum: signal.signal(signum, shutdown) for signum in (signal.SIGTERM, signal.SIGINT)}


def _refresh_connections() -> None:
    """Drop broken or expired database connections between rounds, as a request cycle would; never
    in the middle of a transaction (only the test runner calls the worker inside one)."""
    if not any(conn.in_atomic_block for conn in connections.all(initialized_only=True)):
        close_old_connections()
