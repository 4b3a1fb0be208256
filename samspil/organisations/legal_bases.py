"""Registries a cooperation chooses from in its configuration: legal bases in use and optional case fields.

The legal bases here are only the list a coordinator ticks to say which grounds the cooperation
works under, each with its citation. The full rule set (which sector may disclose what to whom, in
which direction, under which basis) comes with the sharing module; both the list and those rules are
configuration to be confirmed by the operator's legal counsel, not hard-coded legal truths.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class LegalBasis:
    code: str
    label: str | Promise
    citation: str | Promise


@dataclass(frozen=True)
class OptionalField:
    code: str
    label: str | Promise


LEGAL_BASES: tuple[LegalBasis, ...] = (
    LegalBasis("rpl-115-1-1", _("SSP: politiet videregiver til skole og socialforvaltning"),
               _("Retsplejeloven § 115, stk. 1, nr. 1 (SSP)")),
    LegalBasis("rpl-115-1-2", _("PSP: politiet videregiver til socialforvaltning og psykiatri"),
               _("Retsplejeloven § 115, stk. 1, nr. 2 (PSP)")),
    LegalBasis("rpl-115-1-3", _("KSP: politiet videregiver til kriminalforsorg og socialforvaltning"),
               _("Retsplejeloven § 115, stk. 1, nr. 3 (KSP)")),
    LegalBasis("rpl-115-2", _("De andre myndigheder videregiver til politiet"),
               _("Retsplejeloven § 115, stk. 2")),
    LegalBasis("rpl-115-3", _("Selvejende institutioner med offentlige opgaver deltager"),
               _("Retsplejeloven § 115, stk. 3")),
    LegalBasis("psyk-13c", _("Udskrivningskoordination fra psykiatrien"),
               _("Psykiatriloven § 13 c (udskrivningskoordination)")),
    LegalBasis("consent", _("Borgerens samtykke"), _("Samtykke")),
    LegalBasis("infohus-115", _("Infohus: udveksling om en konkret bekymring for radikalisering"),
               _("Retsplejeloven § 115 (Infohus)")),
)

OPTIONAL_CASE_FIELDS: tuple[OptionalField, ...] = (
    OptionalField("phone", _("Telefonnummer")),
    OptionalField("address", _("Adresse")),
    OptionalField("sex", _("Køn")),
    OptionalField("age_band", _("Aldersgruppe")),
    OptionalField("housing", _("Boligsituation")),
    OptionalField("known_diagnosis", _("Kendt diagnose")),
)

LEGAL_BASIS_CODES = frozenset(b.code for b in LEGAL_BASES)
OPTIONAL_FIELD_CODES = frozenset(f.code for f in OPTIONAL_CASE_FIELDS)


def legal_basis(code: str) -> LegalBasis | None:
    return next((b for b in LEGAL_BASES if b.code == code), None)


def optional_field(code: str) -> OptionalField | None:
    return next((f for f in OPTIONAL_CASE_FIELDS if f.code == code), None)
