"""Installing the shipped catalogue of signs of concern and the shipped assessment templates.

Used by the data migration with the historical models, and safe to run again: shipped signs are
updated in place by code, a shipped template version is created once and never changed afterwards
(assessments keep the version they used; a changed template ships as a new version).
"""

from __future__ import annotations

from typing import Any

from .assessments import load_data


def install_shipped(sign_model: Any, template_model: Any) -> None:
    for order, entry in enumerate(load_data("signs_of_concern.json")["signs"], start=1):
        sign_model.objects.update_or_create(
            code=entry["code"],
            cooperation=None,
            defaults={
                "group": entry["group"], "label": entry["label"], "is_shipped": True, "sort_order": order * 10
            },
        )
    for entry in load_data("assessment_templates.json")["templates"]:
        template_model.objects.get_or_create(
            code=entry["code"],
            version=entry["version"],
            defaults={
                "name": entry["name"],
                "description": entry.get("description", ""),
                "definition": {"scale": entry["scale"], "sections": entry["sections"]},
                "is_shipped": True,
            },
        )


def uninstall_shipped(sign_model: Any, template_model: Any) -> None:
    sign_model.objects.filter(is_shipped=True).delete()
    template_model.objects.filter(is_shipped=True, assessments__isnull=True).delete()
