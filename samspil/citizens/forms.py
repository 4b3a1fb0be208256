"""The citizen form: CPR number (optional), name, birth date and contact details, validated in Danish.

Used by the case page's "register or find citizen" step and by the sharing app's identification form.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samspil.core.forms import DkfdsFormMixin

from .cpr import InvalidCpr, cpr_birth_date, cpr_normalise
from .models import Citizen, Sex

DATE_INPUT_FORMATS = ["%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d"]
DATE_ERROR = _("Skriv datoen som dd-mm-åååå, fx 05-03-1984.")


def _max_length_message() -> Any:
    return _("Højst %(limit_value)d tegn (du har skrevet %(show_value)d). Intet er gemt; din tekst står her.")


class CitizenForm(DkfdsFormMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Navn"),
        max_length=Citizen._meta.get_field("full_name").max_length,
        error_messages={"required": _("Skriv borgerens navn."), "max_length": _max_length_message()},
    )
    cpr = forms.CharField(
        label=_("CPR-nummer"),
        required=False,
        max_length=20,
        help_text=_("DDMMÅÅ-XXXX. Udelad det, hvis borgeren ikke har et CPR-nummer."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )
    birth_date = forms.DateField(
        label=_("Fødselsdato"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        help_text=_("dd-mm-åååå. Udfyldes automatisk ud fra CPR-nummeret."),
        error_messages={"invalid": DATE_ERROR},
    )
    sex = forms.ChoiceField(label=_("Køn"), required=False, choices=Sex.choices)
    address = forms.CharField(
        label=_("Adresse"),
        required=False,
        max_length=Citizen._meta.get_field("address").max_length,
        error_messages={"max_length": _max_length_message()},
    )
    phone = forms.CharField(
        label=_("Telefon"),
        required=False,
        max_length=Citizen._meta.get_field("phone").max_length,
        error_messages={"max_length": _max_length_message()},
    )
    pseudonym = forms.CharField(
        label=_("Pseudonym"),
        required=False,
        max_length=Citizen._meta.get_field("pseudonym").max_length,
        help_text=_("Dannes automatisk, fx »Borger K-4821«, hvis du ikke skriver et."),
        error_messages={"max_length": _max_length_message()},
    )
    confirmed_distinct = forms.BooleanField(
        label=_("Det er en anden person end de mulige dubletter ovenfor"),
        required=False,
        widget=forms.HiddenInput,
    )

    def clean_cpr(self) -> str:
        raw = self.cleaned_data.get("cpr", "")
        if not raw.strip():
            return ""
        try:
            return cpr_normalise(raw)
        except InvalidCpr as exc:
            raise forms.ValidationError(str(exc), code="invalid_cpr") from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        digits = cleaned.get("cpr")
        typed: date | None = cleaned.get("birth_date")
        if digits:
            from_cpr = cpr_birth_date(digits)
            if typed is not None and typed != from_cpr:
                self.add_error("birth_date", _("Fødselsdatoen passer ikke med CPR-nummeret."))
            else:
                cleaned["birth_date"] = from_cpr
        return cleaned

    def show_confirmation(self) -> None:
        """After likely duplicates were shown: let the person confirm that this is someone else."""
        self.fields["confirmed_distinct"].widget = forms.CheckboxInput(attrs={"class": "form-checkbox"})
