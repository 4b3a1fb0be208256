"""The confidentiality statement every attendee accepts before a meeting's agenda opens to them.

The terms are the § 115 restrictions of the sharing app's rule set (their marking and citation), so the
wording the operator's counsel confirmed there is the wording attendees accept here. Should the rule set
hold no § 115 restriction (an operator removed them), the statement falls back to ``FALLBACK_TERMS``,
a plain summary of retsplejeloven § 115 with the same meaning, so a meeting never opens without terms.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samspil.sharing.selectors import restrictions_by_code

SECTION_115 = "§ 115"

# Used only when the rule set has no § 115 restriction: (marking, citation).
FALLBACK_TERMS: tuple[tuple[object, str], ...] = (
    (
        gettext_lazy(
            "Oplysninger, der udveksles på mødet, er modtaget i et kriminalitetsforebyggende "
            "samarbejde efter retsplejelovens § 115 og må ikke videregives til nogen uden for samarbejdet."
        ),
        "Retsplejeloven § 115",
    ),
    (
        gettext_lazy(
            "Oplysningerne må ikke bruges til eller videregives med henblik på efterforskning af "
            "straffesager."
        ),
        "Retsplejeloven § 115",
    ),
)


@dataclass(frozen=True)
class ConfidentialityTerms:
    lead: str
    terms: tuple[tuple[str, str], ...]  # (text, citation)

    @property
    def as_text(self) -> str:
        lines = [
            self.lead,
            *(f"- {text} ({citation})" if citation else f"- {text}" for text, citation in self.terms),
        ]
        return "\n".join(lines)

    @property
    def digest(self) -> str:
        """Identifies the exact wording an attendee accepted (stored with the acknowledgement)."""
        return hashlib.sha256(self.as_text.encode("utf-8")).hexdigest()


def confidentiality_terms() -> ConfidentialityTerms:
    lead = _(
        "Jeg deltager i mødet på vegne af min organisation. Jeg bekræfter, at oplysningerne om borgerne på "
        "mødet er fortrolige, at jeg kun bruger dem i samarbejdet, og at jeg overholder disse vilkår:"
    )
    restrictions = [r for r in restrictions_by_code().values() if r.paragraph.strip() == SECTION_115]
    terms = tuple((r.marking, r.citation) for r in sorted(restrictions, key=lambda r: r.code))
    if not terms:
        terms = tuple((str(text), citation) for text, citation in FALLBACK_TERMS)
    return ConfidentialityTerms(lead=lead, terms=terms)
