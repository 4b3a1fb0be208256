#!/usr/bin/env python
"""`make bench`: run the benchmarks against a PostgreSQL database of their own.

    python bench/run.py                 # every benchmark
    python bench/run.py --only audit    # one (comma-separated names)
    python bench/run.py --only cases --scale 0.1  # a tenth of the national-scale case data
    python bench/run.py --no-write-doc  # print only, leave docs/benchmarks.md alone

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/samspil_bench; that database is dropped
and created afresh on every run, so never point it at data you want to keep.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# name -> module with run(args) -> markdown section text, and SECTION (the heading it owns in the doc)
BENCHMARKS = {
    "audit": "bench.audit_bench",
    "meetings": "bench.meetings_bench",
    "cases": "bench.cases_bench",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--no-write-doc", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument("--quick", action="store_true", help="small sizes, for checking the bench itself")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the national-scale case data (default 1: full)"
    )
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")

    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/samspil_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    from bench import common

    common.prepare_database(os.environ["DATABASE_URL"])
    for name in names:
        module = importlib.import_module(BENCHMARKS[name])
        section = module.run(args)
        if not args.no_write_doc:
            common.write_section(ROOT / "docs" / "benchmarks.md", module.SECTION, section)
            print(f"Wrote section '{module.SECTION}' of docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
