"""The `samspil` console command: manage.py with Samspil's own verbs.

    samspil migrate | serve | worker | seed-demo | demo-code EMAIL | seed-national | retention run
            | audit seal|verify|checkpoint | <any manage.py command>

`serve` runs the development server on the demo settings; in production run gunicorn with
config.wsgi. Dashes in verbs map to the underscore names of management commands.
"""

from __future__ import annotations

import os
import sys

ALIASES = {"serve": "runserver"}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    if args:
        verb = args[0]
        args[0] = ALIASES.get(verb, verb.replace("-", "_"))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["samspil", *args])


if __name__ == "__main__":
    main()
