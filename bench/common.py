"""Helpers shared by the benchmarks: the throw-away database, machine facts, the results document."""

from __future__ import annotations

import datetime
import os
import platform
import re
import statistics
import subprocess
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def prepare_database(url: str) -> None:
    """Drop and create the bench database, then migrate it (Django is set up here)."""
    import psycopg

    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit("The benchmarks need PostgreSQL: set DATABASE_URL=postgres://...")
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"Refusing odd database name {name!r}")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def machine_facts() -> dict[str, str]:
    from django.db import connection

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        settings = {}
        for setting in ("synchronous_commit", "fsync", "shared_buffers", "wal_level"):
            cursor.execute(f"SHOW {setting}")
            settings[setting] = cursor.fetchone()[0]
    return {
        "date": datetime.date.today().isoformat(),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": _memory(),
        "python": platform.python_version(),
        "postgresql": pg_version,
        "pg_settings": ", ".join(f"{k}={v}" for k, v in settings.items()),
        "nproc_cmd": subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip(),
    }


def load_average() -> str:
    """The 1-minute load average: other work on the machine shows up in every figure."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                kib = int(line.split()[1])
                return f"{kib / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return "unknown"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(header)]
    line = "| " + " | ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    return "\n".join([line, rule, *body])


DOC_HEADER = """# Benchmarks

Measured with `make bench` (`python bench/run.py`), which needs a local PostgreSQL. Each benchmark owns
one section below and rewrites it when run; the figures are from the machine described in the section.
"""


def write_section(path: Path, heading: str, body: str) -> None:
    """Replace (or append) the ``## heading`` section of the results document."""
    text = path.read_text(encoding="utf-8") if path.exists() else DOC_HEADER
    marker = f"## {heading}\n"
    section = f"{marker}\n{body.strip()}\n"
    if marker in text:
        start = text.index(marker)
        following = text.find("\n## ", start + len(marker))
        end = len(text) if following == -1 else following + 1
        text = text[:start] + section + ("\n" + text[end:] if following != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def ensure_test_environment() -> None:
    """Django's test environment (locmem mail, template instrumentation) once per process: several
    benchmarks run in one `bench/run.py` process and Django refuses a second setup."""
    from django.test.utils import _TestState, setup_test_environment

    if not hasattr(_TestState, "saved_data"):
        setup_test_environment()
