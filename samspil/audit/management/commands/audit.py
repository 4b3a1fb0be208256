"""`samspil audit seal | verify [--checkpoint FILE] [--json] [--workers N] | checkpoint [--output FILE]`.

``verify`` exits with status 1 when it finds a problem, so cron or monitoring can alert on it. It walks
the chain in ``--workers`` processes (default: one per CPU, at most 8); the report is the same for any
number.
"""

from __future__ import annotations

import json
import os
import sys
from argparse import ArgumentParser, ArgumentTypeError
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samspil.audit.chain import audit_checkpoint, audit_seal, audit_verify

_DEFAULT_WORKERS = min(os.cpu_count() or 1, 8)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return number


class Command(BaseCommand):
    help = "Seal the audit log into its hash chain, verify the chain, or export a checkpoint."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("seal", help="Link every due event into the hash chain.")
        verify = sub.add_parser("verify", help="Recompute the chain; exit status 1 on any problem.")
        verify.add_argument("--checkpoint", metavar="FILE", help="A checkpoint exported earlier (JSON).")
        verify.add_argument("--json", action="store_true", help="Print the report as JSON.")
        verify.add_argument(
            "--workers",
            type=_positive,
            default=None,
            metavar="N",
            help=f"Processes that walk the chain (default: one per CPU, at most 8; here {_DEFAULT_WORKERS}).",
        )
        checkpoint = sub.add_parser("checkpoint", help="Export the chain head for anchoring elsewhere.")
        checkpoint.add_argument("--output", metavar="FILE", help="Write to FILE instead of standard output.")

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "seal":
            self._seal()
        elif subcommand == "verify":
            self._verify(
                options.get("checkpoint"), as_json=options.get("json", False), workers=options.get("workers")
            )
        else:
            self._checkpoint(options.get("output"))

    def _seal(self) -> None:
        seal = audit_seal()
        if seal is None:
            self.stdout.write("Nothing to seal.")
            return
        self.stdout.write(f"Sealed up to seq {seal.last_seq}; head {seal.head_hash}")

    def _verify(self, checkpoint_path: str | None, *, as_json: bool, workers: int | None) -> None:
        checkpoint = None
        if checkpoint_path:
            try:
                checkpoint = json.loads(Path(checkpoint_path).read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read checkpoint {checkpoint_path}: {error}") from error
        try:
            report = audit_verify(checkpoint=checkpoint, workers=workers)
        except (KeyError, ValueError) as error:
            raise CommandError(f"Invalid checkpoint {checkpoint_path}: {error}") from error
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        else:
            for problem in report.problems:
                position = f"seq {problem.seq}" if problem.seq is not None else "seq -"
                event = f"event {problem.event_id}" if problem.event_id is not None else "event -"
                self.stdout.write(f"{problem.kind.upper():<14} {position:<14} {event:<16} {problem.message}")
            status = "OK" if report.ok else f"FAILED: {len(report.problems)} problem(s)"
            self.stdout.write(
                f"{status}. {report.links} links, {report.events_checked} events, {report.seals} seals, "
                f"head seq {report.head_seq}; {report.seconds:.2f} s, "
                f"{report.events_per_second:,.0f} events/s"
            )
        if not report.ok:
            sys.exit(1)

    def _checkpoint(self, output: str | None) -> None:
        text = json.dumps(audit_checkpoint(), indent=2) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"Checkpoint written to {output}")
        else:
            self.stdout.write(text, ending="")
