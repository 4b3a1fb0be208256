"""Text that a spreadsheet cannot mistake for a formula (CSV/formula injection, OWASP).

A cell that starts with = + - @, a tab or a carriage return could run as a formula when an export is
opened in a spreadsheet; such text gets a leading apostrophe. Every CSV and XLSX export uses this.
"""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def defuse_formula(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text
