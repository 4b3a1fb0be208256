"""Assessment templates as data, and what changed between two assessments.

A template definition is ``{"scale": [{"value": int, "label": str}, ...], "sections": [{"code": str,
"kind": "risk" | "protective" | "other", "title": str, "factors": [{"code": str, "label": str}, ...]},
...]}``. ``definition_problems`` says in Danish what is wrong with one, so an operator who pastes a
template gets a clear message. ``compare`` lines two assessments up factor by factor (matched by factor
code, so a re-assessment with a newer version of the template compares with the older one).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .models import Assessment, AssessmentTemplate

DATA_DIR = Path(__file__).resolve().parent / "data"
SECTION_KINDS = ("risk", "protective", "other")
MAX_FACTORS = 200


def load_data(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    return data


def definition_problems(definition: Any) -> list[str]:
    """Everything wrong with a template definition, one Danish sentence each (empty when it is fine)."""
    if not isinstance(definition, dict):
        return [_("Skabelonen skal være et JSON-objekt med »scale« og »sections«.")]
    problems: list[str] = []
    scale = definition.get("scale")
    if not isinstance(scale, list) or not scale:
        problems.append(
            _("»scale« skal være en liste med mindst ét trin, fx "
              "{\"value\": 0, \"label\": \"Ikke til stede\"}."),
        )
    else:
        values = []
        for step in scale:
            value, label = (step.get("value"), step.get("label")) if isinstance(step, dict) else (None, None)
            is_number = isinstance(value, int) and not isinstance(value, bool)
            if not is_number or not isinstance(label, str) or not label.strip():
                problems.append(
                    _("Hvert trin i »scale« skal have et heltal i »value« og en tekst i »label«.")
                )
                break
            values.append(value)
        if len(values) != len(set(values)):
            problems.append(_("To trin i »scale« har samme værdi."))
    sections = definition.get("sections")
    if not isinstance(sections, list) or not sections:
        return [*problems, _("»sections« skal være en liste med mindst én sektion.")]
    factor_codes: list[str] = []
    section_codes: list[str] = []
    for index, section in enumerate(sections, start=1):
        if not isinstance(section, dict):
            problems.append(_("Sektion %(n)d skal være et JSON-objekt.") % {"n": index})
            continue
        title = section.get("title")
        name = title if isinstance(title, str) and title else str(index)
        if not _is_code(section.get("code")):
            problems.append(
                _("Sektion %(name)s mangler en kode (små bogstaver, tal og bindestreg).") % {"name": name}
            )
        else:
            section_codes.append(section["code"])
        if section.get("kind", "other") not in SECTION_KINDS:
            problems.append(
                _("Sektion %(name)s: »kind« skal være »risk«, »protective« eller »other«.") % {"name": name}
            )
        if not isinstance(section.get("title"), str) or not section["title"].strip():
            problems.append(_("Sektion %(name)s mangler en titel.") % {"name": name})
        factors = section.get("factors")
        if not isinstance(factors, list) or not factors:
            problems.append(_("Sektion %(name)s skal have mindst én faktor.") % {"name": name})
            continue
        for factor in factors:
            if not isinstance(factor, dict) or not _is_code(factor.get("code")) \
                    or not isinstance(factor.get("label"), str) or not factor["label"].strip():
                problems.append(
                    _("Sektion %(name)s: hver faktor skal have en kode (små bogstaver, tal og bindestreg) "
                      "og en tekst.")
                    % {"name": name}
                )
                break
            factor_codes.append(factor["code"])
    if len(section_codes) != len(set(section_codes)):
        problems.append(_("To sektioner har samme kode."))
    duplicates = sorted({code for code in factor_codes if factor_codes.count(code) > 1})
    if duplicates:
        problems.append(
            _("Disse faktorkoder bruges mere end én gang: %(codes)s.") % {"codes": ", ".join(duplicates)}
        )
    if len(factor_codes) > MAX_FACTORS:
        problems.append(_("En skabelon kan højst have %(max)d faktorer.") % {"max": MAX_FACTORS})
    return problems


def _is_code(value: Any) -> bool:
    return isinstance(value, str) and bool(value) and len(value) <= 60 and all(
        c.islower() or c.isdigit() or c == "-" for c in value
    ) and value[0].isalnum()


@dataclass(frozen=True)
class Factor:
    code: str
    label: str
    section_code: str
    section_title: str
    kind: str


def factors_of(template: AssessmentTemplate) -> list[Factor]:
    return [
        Factor(
            code=str(factor["code"]),
            label=str(factor["label"]),
            section_code=str(section.get("code", "")),
            section_title=str(section.get("title", "")),
            kind=str(section.get("kind", "other")),
        )
        for section in template.sections
        for factor in section.get("factors", [])
        if isinstance(factor, dict) and "code" in factor
    ]


def scale_values(template: AssessmentTemplate) -> list[int]:
    return [int(step["value"]) for step in template.scale if isinstance(step.get("value"), int)]


# --- Comparing two assessments ------------------------------------------------------------------


class Change:
    UNCHANGED = "unchanged"
    HIGHER = "higher"
    LOWER = "lower"
    REASON_ONLY = "reason"
    ADDED = "added"
    REMOVED = "removed"
    RATED = "rated"
    UNRATED = "unrated"


CHANGE_LABELS = {
    Change.UNCHANGED: _("Uændret"),
    Change.HIGHER: _("Højere"),
    Change.LOWER: _("Lavere"),
    Change.REASON_ONLY: _("Samme vurdering, ny begrundelse"),
    Change.ADDED: _("Kun i den nye vurdering"),
    Change.REMOVED: _("Kun i den tidligere vurdering"),
    Change.RATED: _("Vurderet nu, ikke før"),
    Change.UNRATED: _("Vurderet før, ikke nu"),
}


@dataclass(frozen=True)
class FactorChange:
    factor: Factor
    before_rating: str
    before_reason: str
    after_rating: str
    after_reason: str
    change: str

    @property
    def change_label(self) -> str:
        return str(CHANGE_LABELS[self.change])

    @property
    def is_changed(self) -> bool:
        return self.change != Change.UNCHANGED

    @property
    def direction(self) -> str:
        """'worse', 'better' or '' for a changed rating: higher risk is worse, higher resilience better."""
        if self.change not in (Change.HIGHER, Change.LOWER):
            return ""
        higher_is_worse = self.factor.kind == "risk"
        if self.factor.kind not in ("risk", "protective"):
            return ""
        return "worse" if (self.change == Change.HIGHER) == higher_is_worse else "better"


@dataclass(frozen=True)
class Comparison:
    before: Assessment
    after: Assessment
    factors: list[FactorChange]
    summary_changed: bool
    management_plan_changed: bool

    @property
    def same_template(self) -> bool:
        return self.before.template.code == self.after.template.code

    @property
    def changed_count(self) -> int:
        return sum(1 for f in self.factors if f.is_changed)


def _entry(assessment: Assessment, code: str) -> tuple[int | None, str]:
    entry = assessment.ratings.get(code) if isinstance(assessment.ratings, dict) else None
    if not isinstance(entry, dict):
        return None, ""
    rating = entry.get("rating")
    return (rating if isinstance(rating, int) and not isinstance(rating, bool) else None), str(
        entry.get("reason", "")
    )


def compare(before: Assessment, after: Assessment) -> Comparison:
    """Every factor of either assessment's template, in the newer template's order (then the older's
    leftovers), with the rating and reason before and after and what kind of change it is."""
    after_factors = factors_of(after.template)
    after_codes = {f.code for f in after_factors}
    before_only = [f for f in factors_of(before.template) if f.code not in after_codes]
    before_codes = {f.code for f in factors_of(before.template)}
    rows = []
    for factor in [*after_factors, *before_only]:
        in_before, in_after = factor.code in before_codes, factor.code in after_codes
        b_rating, b_reason = _entry(before, factor.code) if in_before else (None, "")
        a_rating, a_reason = _entry(after, factor.code) if in_after else (None, "")
        if not in_before:
            change = Change.ADDED
        elif not in_after:
            change = Change.REMOVED
        elif b_rating is None and a_rating is not None:
            change = Change.RATED
        elif b_rating is not None and a_rating is None:
            change = Change.UNRATED
        elif b_rating is not None and a_rating is not None and a_rating > b_rating:
            change = Change.HIGHER
        elif b_rating is not None and a_rating is not None and a_rating < b_rating:
            change = Change.LOWER
        elif b_reason.strip() != a_reason.strip():
            change = Change.REASON_ONLY
        else:
            change = Change.UNCHANGED
        rows.append(
            FactorChange(
                factor=factor,
                before_rating=before.template.scale_label(b_rating) if in_before else "",
                before_reason=b_reason,
                after_rating=after.template.scale_label(a_rating) if in_after else "",
                after_reason=a_reason,
                change=change,
            )
        )
    return Comparison(
        before=before,
        after=after,
        factors=rows,
        summary_changed=before.summary.strip() != after.summary.strip(),
        management_plan_changed=before.management_plan.strip() != after.management_plan.strip(),
    )
