"""`samspil retention run [--dry-run]` and `samspil retention rules`.

``run`` prints what each rule of each cooperation deletes (counts only, never names or ids), then
deletes with a progress bar; ``--dry-run`` prints the same plan and changes nothing. ``rules`` lists the
schedule. The worker runs the same thing daily (samspil.privacy.jobs).
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from samspil.organisations.models import Cooperation
from samspil.privacy.retention import RetentionPlan, retention_execute, retention_plan, retention_rules_for


class Command(BaseCommand):
    help = "Delete data past its retention period (or show what would be deleted with --dry-run)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        run = sub.add_parser("run", help="Delete what is past its period; each deletion leaves a receipt.")
        run.add_argument("--dry-run", action="store_true", help="Only show what would be deleted.")
        run.add_argument(
            "--now",
            metavar="YYYY-MM-DD",
            help="Plan as if today were this date (for checking a schedule; with --dry-run only).",
        )
        run.add_argument("--no-progress", action="store_true", help="Do not show the progress bar.")
        sub.add_parser("rules", help="List the retention rules of every cooperation.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "rules":
            self._rules()
            return
        dry_run = options["dry_run"]
        now = self._parse_now(options.get("now"))
        if now is not None and not dry_run:
            raise CommandError("--now is only allowed with --dry-run.")
        plan = retention_plan(now=now, persist_rules=not dry_run)
        self._print_plan(plan, dry_run=dry_run)
        if dry_run:
            self.stdout.write(
                f"Dry run: {plan.deletion_count} record(s) would be deleted; nothing was changed."
            )
            return
        with tqdm(
            total=plan.deletion_count,
            unit="record",
            desc="Deleting",
            file=sys.stderr,
            disable=options["no_progress"] or plan.deletion_count == 0,
        ) as bar:
            result = retention_execute(plan, progress=bar.update, trigger="command")
        self.stdout.write(f"Done: {result.summary()}; {len(result.receipts)} receipt(s) written.")

    def _parse_now(self, value: str | None) -> datetime | None:
        if not value:
            return None
        try:
            day = datetime.strptime(value, "%Y-%m-%d")
        except ValueError as error:
            raise CommandError(f"--now must be a date as YYYY-MM-DD: {error}") from error
        return timezone.make_aware(day.replace(hour=12))

    def _print_plan(self, plan: RetentionPlan, *, dry_run: bool) -> None:
        verb = "would delete" if dry_run else "deletes"
        for rule_plan in plan.rules:
            if rule_plan.kind:
                line = f"{rule_plan.label}: {verb} {len(rule_plan.ids)} {rule_plan.kind}(s)"
                if rule_plan.held:
                    line += f", {rule_plan.held} held"
            else:
                line = (
                    f"{rule_plan.label}: {rule_plan.audit_events} audit event(s) past the period "
                    "(reported only)"
                )
            self.stdout.write(line)
        if plan.audit_events_outside_cooperations:
            self.stdout.write(
                f"Outside any cooperation: {plan.audit_events_outside_cooperations} audit event(s) past the "
                "period (reported only)"
            )

    def _rules(self) -> None:
        for cooperation in Cooperation.objects.order_by("name", "pk"):
            for rule in retention_rules_for(cooperation, persist=False):
                basis = f" [{rule.legal_basis}]" if rule.legal_basis else ""
                note = f" – {rule.note}" if rule.note else ""
                period = f"{rule.period} {rule.unit}"
                self.stdout.write(f"{cooperation.name} · {rule.category}{basis}: {period}{note}")
