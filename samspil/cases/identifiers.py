"""A light check that an anonymous discussion's text does not name the person outright.

It catches only the obvious: a CPR-like number, an e-mail address, a Danish phone number. Names and
addresses cannot be recognised reliably; the form's help text asks the author not to write them.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

_CPR_LIKE = re.compile(r"(?<!\d)\d{6}[-\s]?\d{4}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?<![\d-])(?:\+45 ?)?(?:\d{2} ?){3}\d{2}(?![\d-])")


def identifier_problem(text: str) -> str | None:
    """A Danish message naming what looks like an identifier in ``text``, or None."""
    if _CPR_LIKE.search(text or ""):
        return _(
            "Teksten ser ud til at indeholde et CPR-nummer. En anonym drøftelse må ikke indeholde "
            "oplysninger, der kan identificere borgeren. Fjern nummeret."
        )
    if _EMAIL.search(text or ""):
        return _(
            "Teksten ser ud til at indeholde en e-mailadresse. En anonym drøftelse må ikke indeholde "
            "oplysninger, der kan identificere borgeren. Fjern adressen."
        )
    if _PHONE.search(text or ""):
        return _(
            "Teksten ser ud til at indeholde et telefonnummer. En anonym drøftelse må ikke indeholde "
            "oplysninger, der kan identificere borgeren. Fjern nummeret."
        )
    return None
