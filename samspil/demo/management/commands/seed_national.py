"""`samspil seed-national`: fictitious national-scale data for benchmarks (see samspil/demo/national.py).

    samspil seed-national --citizens 100000 --cases 200000 --entries 2000000 --cooperations 98

Into a fresh, migrated database (PostgreSQL for the full scale); prints progress and its own speed.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samspil.demo.national import DEFAULT_SEED, NATIONAL, NationalDataError, Scale, generate_national

from .seed_demo import refuse_production


class Command(BaseCommand):
    help = (
        "Generate fictitious national-scale data: one PSP cooperation per municipality with staff, citizens, "
        "cases, journal entries, disclosures, flags and tasks. For benchmarks; never on production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--citizens", type=int, default=NATIONAL.citizens)
        parser.add_argument("--cases", type=int, default=NATIONAL.cases)
        parser.add_argument("--entries", type=int, default=NATIONAL.entries, help="journal entries")
        parser.add_argument("--cooperations", type=int, default=NATIONAL.cooperations,
                            help="one per municipality, the first N by official code (at most 98)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="same seed, same data")
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")
        parser.add_argument(
            "--force", action="store_true", help="Run even though DEBUG is off (never on production)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_production(options["force"])
        scale = Scale(
            citizens=options["citizens"],
            cases=options["cases"],
            entries=options["entries"],
            cooperations=options["cooperations"],
        )
        if min(scale.citizens, scale.cases, scale.entries) < 0 or scale.cooperations < 1:
            raise CommandError("Counts cannot be negative, and at least one cooperation is needed.")
        # The bars go to the raw stream: the command's wrapper would end every redraw with a newline.
        stream = getattr(self.stderr, "_out", sys.stderr)
        try:
            report = generate_national(
                scale=scale, seed=options["seed"], progress=not options["no_progress"], stream=stream
            )
        except NationalDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"National test data ({report.method}, seed {report.seed}): {report.rows:,} rows in "
            f"{report.seconds:.1f} s."
        )
        self.stdout.write(report.speed_table())
