"""`samspil seed-demo`: create the fictitious demo cooperation and personas, and print how to sign in."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from samspil.demo.personas import DEMO_PASSWORD, PERSONAS, totp_secret_base32
from samspil.demo.seed import seed_demo


def refuse_production(force: bool) -> None:
    """Demo personas share a printed password: they must never land in a production database."""
    if not settings.DEBUG and not force:
        raise CommandError(
            "Refusing to create demo personas: DEBUG is off, so these look like production settings. "
            "Use the demo settings (DJANGO_SETTINGS_MODULE=config.settings.dev), or pass --force on a "
            "non-production installation."
        )


class Command(BaseCommand):
    help = "Create (or repair) the fictitious cooperation 'PSP Demoby (fiktiv)' with one persona per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Run even though DEBUG is off (never on production)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_production(options["force"])
        started = time.monotonic()
        result = seed_demo()
        elapsed = time.monotonic() - started
        if result.changed:
            self.stdout.write(
                f"Demo data: {len(result.created)} created, {len(result.updated)} repaired ({elapsed:.1f} s)."
            )
        else:
            self.stdout.write(f"Demo data already in place; nothing changed ({elapsed:.1f} s).")
        self.stdout.write(self.logins_table())

    @staticmethod
    def logins_table() -> str:
        header = ("Persona", "E-mail", "Password", "TOTP secret (base32)")
        rows = [(p.description, p.email, DEMO_PASSWORD, totp_secret_base32(p.email)) for p in PERSONAS]
        widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

        out = ["", "Demo logins (all fictitious):", line(header), line(tuple("-" * w for w in widths))]
        out += [line(row) for row in rows]
        out += [
            "",
            "Second factor: type the TOTP secret into any authenticator app once, or print the current code:",
            "  .venv/bin/samspil demo-code <email>",
            "",
        ]
        return "\n".join(out)
