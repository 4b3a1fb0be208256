"""The shipped rule set: ``data/legal_bases.json`` is the source, the database is where the engine reads it.

``install_rule_set`` is used by the data migrations (with the historical models) and can be called
again after the file changes: shipped rules are updated in place, rules the operator added are left
alone, and a shipped rule the operator switched off stays off.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "legal_bases.json"

RULE_FIELDS = (
    "name", "title", "summary", "cooperation_types", "directions", "requires_consent",
    "within_cooperation_only", "restrictions", "can_identify", "counsel_note",
)
RESTRICTION_FIELDS = ("title", "summary", "marking", "counsel_note")


def load_rule_data(path: Path = DATA_FILE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _citation(entry: dict[str, Any]) -> dict[str, str]:
    citation = entry.get("citation") or {}
    return {key: str(citation.get(key, "")) for key in ("law", "paragraph", "stk", "nr")}


def install_rule_set(
    legal_basis_model: Any, restriction_model: Any, data: dict[str, Any] | None = None
) -> None:
    data = data if data is not None else load_rule_data()
    for entry in data["restrictions"]:
        defaults = {f: entry.get(f, "") for f in RESTRICTION_FIELDS}
        restriction_model.objects.update_or_create(
            code=entry["code"], defaults={**defaults, **_citation(entry), "is_shipped": True}
        )
    for order, entry in enumerate(data["rules"], start=1):
        defaults = {f: entry[f] for f in RULE_FIELDS if f in entry}
        basis, created = legal_basis_model.objects.update_or_create(
            code=entry["code"],
            defaults={**defaults, **_citation(entry), "is_shipped": True, "sort_order": order * 10},
        )
        if created:
            basis.is_active = bool(entry.get("is_active", True))
            basis.save(update_fields=["is_active"])


def uninstall_rule_set(legal_basis_model: Any, restriction_model: Any) -> None:
    legal_basis_model.objects.filter(is_shipped=True).delete()
    restriction_model.objects.filter(is_shipped=True).delete()
