"""Send course reminders and refresher notices that are due (run daily, e.g. from the scheduler)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from samspil.training.services import refresher_notices_send, reminders_send


class Command(BaseCommand):
    help = "Queue reminders before course offerings and notices before certificates run out."

    def handle(self, *args: Any, **options: Any) -> None:
        reminders = reminders_send()
        notices = refresher_notices_send()
        self.stdout.write(f"reminders={reminders} refresher_notices={notices}")
