"""Forms for sharing, identification, consent and informing.

Danish messages; bad input re-renders the form and keeps what was typed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samspil.core.forms import DkfdsFormMixin
from samspil.organisations.models import Organisation, Sector

from .models import ConsentForm, DataCategory, InformingReason, LegalBasis, Purpose, RestrictionCode

DATE_INPUT_FORMATS = ["%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d"]
DATE_ERROR = _("Skriv datoen som dd-mm-åååå, fx 05-03-2025.")
JUSTIFICATION_MAX = 2000


DATE_HINT = _("dd-mm-åååå")


def _date_field(label: Any, *, required: bool = False, help_text: Any = DATE_HINT) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        help_text=help_text,
        error_messages={"invalid": DATE_ERROR, "required": _("Angiv en dato.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "form-input input-width-s"}
        ),
    )


def _justification(label: Any, help_text: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=JUSTIFICATION_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Skriv hvorfor det er nødvendigt."),
            "max_length": _(
                "Begrundelsen må højst være %(limit_value)d tegn (du har skrevet %(show_value)d)."
            ),
        },
    )


def _checkboxes(
    label: Any, choices: Any, *, required: bool = True, help_text: Any = ""
) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=required,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        error_messages={"required": _("Vælg mindst én."), "invalid_choice": _("Vælg fra listen.")},
    )


def basis_choices(bases: list[LegalBasis]) -> list[tuple[str, str]]:
    return [(b.code, f"{b.name} – {b.title}") for b in bases]


class _SharingForm(DkfdsFormMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("maxlength", None)  # let the server say the text is too long

    def _validate_again(self) -> None:
        """The design-system mixin validates a bound form in ``__init__`` (to mark invalid fields), before
        the choices known only at run time are set: forget that result and mark the fields again."""
        if not self.is_bound:
            return
        self._errors = None  # type: ignore[assignment]
        for name, field in self.fields.items():
            widget = field.widget
            widget.attrs.pop("aria-invalid", None)
            widget.attrs.pop("aria-describedby", None)
            grouped = isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
            if name in self.errors and not grouped:
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"id_{name}-error"


class ShareForm(_SharingForm):
    """Share a journal entry in the cooperation (a disclosure)."""

    basis = forms.ChoiceField(
        label=_("Hjemmel"),
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={"required": _("Vælg den hjemmel, oplysningerne deles efter."),
                        "invalid_choice": _("Vælg en hjemmel fra listen.")},
    )
    purpose = forms.ChoiceField(
        label=_("Formål"),
        choices=[(v, lbl) for v, lbl in Purpose.choices if v != Purpose.IDENTIFICATION],
        initial=Purpose.COORDINATION,
        error_messages={"invalid_choice": _("Vælg et formål fra listen.")},
    )
    categories = _checkboxes(_("Typer af oplysninger i notatet"), DataCategory.choices)
    extra_restrictions = _checkboxes(
        _("Yderligere begrænsninger"),
        RestrictionCode.choices,
        required=False,
        help_text=_("Hjemlens egne begrænsninger gælder altid. Du kan stramme, men ikke lempe dem."),
    )
    justification = _justification(
        _("Hvorfor er det nødvendigt at dele notatet?"),
        _(
            "Videregivelse er kun lovlig, når den er nødvendig. "
            "Skriv kort, hvad modtagerne skal bruge det til."
        ),
    )

    def __init__(self, *args: Any, bases: list[LegalBasis], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["basis"].choices = basis_choices(bases)  # type: ignore[attr-defined]
        self._validate_again()


class IdentifyForm(_SharingForm):
    """Identify an anonymous discussion on a legal basis."""

    basis = forms.ChoiceField(
        label=_("Hjemmel for identifikationen"),
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={"required": _("Vælg den hjemmel, borgeren identificeres efter."),
                        "invalid_choice": _("Vælg en hjemmel fra listen.")},
    )
    categories = _checkboxes(
        _("Hvad fortæller identiteten om borgeren?"),
        DataCategory.choices,
        help_text=_("At en borger drøftes i samarbejdet, kan i sig selv være fx helbredsoplysninger."),
    )
    justification = _justification(
        _("Hvorfor er det nødvendigt at identificere borgeren?"),
        _("Skriv kort, hvorfor sagen ikke længere kan drøftes anonymt."),
    )

    def __init__(self, *args: Any, bases: list[LegalBasis], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["basis"].choices = basis_choices(bases)  # type: ignore[attr-defined]
        self.fields["categories"].initial = [DataCategory.OTHER]
        self._validate_again()


class ForwardForm(_SharingForm):
    """Pass received information on to another organisation (refused for § 115 information)."""

    recipient = forms.ModelChoiceField(
        label=_("Modtager"),
        queryset=Organisation.objects.none(),
        empty_label=_("Vælg organisation"),
        error_messages={
            "required": _("Vælg en modtager."), "invalid_choice": _("Vælg en modtager fra listen.")
        },
    )
    basis = forms.ChoiceField(
        label=_("Hjemmel for videregivelsen"),
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={
            "required": _("Vælg en hjemmel."), "invalid_choice": _("Vælg en hjemmel fra listen.")
        },
    )
    justification = _justification(
        _("Hvorfor er det nødvendigt at videregive oplysningerne?"),
        _("Skriv kort, hvad modtageren skal bruge dem til."),
    )

    def __init__(self, *args: Any, bases: list[LegalBasis], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["basis"].choices = basis_choices(bases)  # type: ignore[attr-defined]
        recipient = self.fields["recipient"]
        recipient.queryset = Organisation.objects.order_by("name")  # type: ignore[attr-defined]
        self._validate_again()


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class ConsentRecordForm(_SharingForm):
    """The citizen's consent: scope (sectors, organisations, data categories), purposes, dates, form."""

    purposes = _checkboxes(_("Formål, borgeren har givet samtykke til"), Purpose.choices)
    purpose_text = forms.CharField(
        label=_("Formålet med borgerens egne ord"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Højst %(limit_value)d tegn (du har skrevet %(show_value)d).")},
    )
    sectors = _checkboxes(_("Sektorer, der må dele oplysninger"), [])
    organisations = forms.ModelMultipleChoiceField(
        label=_("Kun disse organisationer"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Vælg ingen, hvis samtykket gælder alle samarbejdets organisationer i sektorerne."),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        error_messages={"invalid_choice": _("Vælg fra listen."), "invalid_pk_value": _("Vælg fra listen.")},
    )
    categories = _checkboxes(_("Typer af oplysninger"), DataCategory.choices)
    form = forms.ChoiceField(
        label=_("Samtykket er givet"),
        choices=ConsentForm.choices,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={"required": _("Angiv om samtykket er givet skriftligt eller mundtligt.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        help_text=_("Fx hvor den skriftlige erklæring ligger, eller hvem der hørte et mundtligt samtykke."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Højst %(limit_value)d tegn (du har skrevet %(show_value)d).")},
    )
    given_on = _date_field(_("Givet den"), required=True)
    expires_on = _date_field(
        _("Udløber efter den"), help_text=_("dd-mm-åååå. Samtykket gælder hele denne dag.")
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["sectors"].choices = Sector.choices  # type: ignore[attr-defined]
        self.fields["given_on"].initial = timezone.localdate()
        self._validate_again()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given, expires = cleaned.get("given_on"), cleaned.get("expires_on")
        if given and given > timezone.localdate():
            self.add_error("given_on", _("Samtykket kan ikke være givet i fremtiden."))
        if given and expires and expires < given:
            self.add_error("expires_on", _("Udløbsdatoen ligger før datoen, samtykket blev givet."))
        return cleaned

    def given_at(self) -> datetime:
        given: date = self.cleaned_data["given_on"]
        return timezone.now() if given == timezone.localdate() else start_of_day(given)

    def expires_at(self) -> datetime | None:
        expires: date | None = self.cleaned_data.get("expires_on")
        return start_of_day(expires + timedelta(days=1)) if expires else None


class ConsentWithdrawForm(_SharingForm):
    note = forms.CharField(
        label=_("Note om tilbagekaldelsen"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Højst %(limit_value)d tegn (du har skrevet %(show_value)d).")},
    )


class InformingForm(_SharingForm):
    """Whether the citizen was told they are discussed; if not, why and when to look at it again."""

    is_informed = forms.TypedChoiceField(
        label=_("Er borgeren orienteret om, at sagen drøftes i samarbejdet?"),
        choices=[("yes", _("Ja")), ("no", _("Nej"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={"required": _("Svar ja eller nej.")},
    )
    informed_on = _date_field(_("Orienteret den"))
    reason = forms.ChoiceField(
        label=_("Hvis nej: hvorfor ikke?"),
        required=False,
        choices=[("", _("Vælg grund")), *InformingReason.choices],
        error_messages={"invalid_choice": _("Vælg en grund fra listen.")},
    )
    reason_text = forms.CharField(
        label=_("Uddybning"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Højst %(limit_value)d tegn (du har skrevet %(show_value)d).")},
    )
    reevaluate_on = _date_field(
        _("Hvis nej: vurderes igen senest"),
        help_text=_("dd-mm-åååå. Bliver en opgave til den ledende organisation."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("is_informed") is False:
            if not cleaned.get("reason"):
                self.add_error("reason", _("Vælg hvorfor borgeren ikke er orienteret."))
            elif cleaned["reason"] == InformingReason.OTHER and not cleaned.get("reason_text"):
                self.add_error("reason_text", _("Uddyb grunden, når du vælger »Anden grund«."))
            if not cleaned.get("reevaluate_on") and "reevaluate_on" not in self.errors:
                self.add_error("reevaluate_on", _("Angiv hvornår det skal vurderes igen."))
        return cleaned
