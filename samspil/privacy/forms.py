"""The DPO's search form for the audit log (every choice comes from what the DPO may see), and the forms
of the citizen's-rights pages."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from samspil.audit.actions import REGISTRY
from samspil.audit.models import Outcome
from samspil.citizens.cpr import InvalidCpr, cpr_normalise
from samspil.citizens.models import Sex
from samspil.core.forms import DkfdsFormMixin

from .models import DEFAULT_EXEMPTION_REFERENCE, PeriodUnit, RectifiableField
from .selectors import AuditCriteria, audit_organisations_for, audit_people_for

DATE_INPUT_FORMATS = ["%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d"]
DATE_ERROR = _("Skriv datoen som dd-mm-åååå, fx 05-03-2025.")
DATE_ATTRS = {"inputmode": "numeric", "autocomplete": "off", "class": "form-input input-width-s"}

AREA_LABELS: dict[str, str | Promise] = {
    "auth": _("Log ind og sessioner"),
    "account": _("Konti"),
    "invitation": _("Invitationer"),
    "membership": _("Medlemskaber"),
    "cooperation": _("Samarbejder"),
    "citizen": _("Borgere"),
    "case": _("Sager"),
    "disclosure": _("Videregivelser"),
    "meeting": _("Møder"),
    "concern": _("Bekymringer"),
    "course": _("Kurser"),
    "privacy": _("Databeskyttelse"),
    "stats": _("Statistik"),
    "audit": _("Revisionsloggen"),
}


def action_choices() -> list[tuple[Any, Any]]:
    """Registered actions with their human labels, grouped by area (the part before the dot)."""
    by_area: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, action in REGISTRY.items():
        by_area[code.partition(".")[0]].append((code, str(action.label)))
    groups: list[tuple[Any, Any]] = [("", _("Alle handlinger"))]
    for area in sorted(by_area, key=lambda a: str(AREA_LABELS.get(a, a)).casefold()):
        actions = sorted(by_area[area], key=lambda item: item[1].casefold())
        groups.append((str(AREA_LABELS.get(area, area)), actions))
    return groups


def _optional_int(value: str) -> int:
    return int(value)


class _AuditFilterFields(forms.Form):
    person = forms.TypedChoiceField(
        label=_("Person"),
        required=False,
        coerce=_optional_int,
        empty_value=None,
        error_messages={"invalid_choice": _("Vælg en person fra listen.")},
    )
    citizen = forms.IntegerField(
        label=_("Borger-id"),
        required=False,
        min_value=1,
        max_value=2**62,
        error_messages={
            "invalid": _("Borger-id er et helt tal, fx 1042."),
            "min_value": _("Borger-id er et helt tal, fx 1042."),
            "max_value": _("Borger-id er et helt tal, fx 1042."),
        },
    )
    organisation = forms.TypedChoiceField(
        label=_("Organisation"),
        required=False,
        coerce=_optional_int,
        empty_value=None,
        error_messages={"invalid_choice": _("Vælg en organisation fra listen.")},
    )
    action = forms.ChoiceField(
        label=_("Handling"),
        required=False,
        error_messages={"invalid_choice": _("Vælg en handling fra listen.")},
    )
    outcome = forms.ChoiceField(
        label=_("Udfald"),
        required=False,
        choices=[("", _("Alle udfald")), *Outcome.choices],
        error_messages={"invalid_choice": _("Vælg et udfald fra listen.")},
    )
    date_from = forms.DateField(
        label=_("Fra dato"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        help_text=_("dd-mm-åååå"),
        error_messages={"invalid": DATE_ERROR},
        widget=forms.TextInput(attrs=DATE_ATTRS),
    )
    date_to = forms.DateField(
        label=_("Til dato"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        help_text=_("dd-mm-åååå, dagen medregnes"),
        error_messages={"invalid": DATE_ERROR},
        widget=forms.TextInput(attrs=DATE_ATTRS),
    )
    object_id = forms.CharField(
        label=_("Objekt-id"),
        required=False,
        max_length=64,
        help_text=_("Præcis id på det objekt, handlingen gjaldt"),
        error_messages={"max_length": _("Objekt-id kan højst være 64 tegn.")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Alle personer")), *audit_people_for(user)]  # type: ignore[attr-defined]
        self.fields["organisation"].choices = [  # type: ignore[attr-defined]
            ("", _("Alle organisationer")),
            *((o.pk, o.name) for o in audit_organisations_for(user)),
        ]
        self.fields["action"].choices = action_choices()  # type: ignore[attr-defined]


class AuditFilterForm(DkfdsFormMixin, _AuditFilterFields):
    """The search form. DkfdsFormMixin reads the errors while it initialises, so the choices that
    depend on the user are set below it in the MRO (``_AuditFilterFields``), before that happens."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("Til-datoen ligger før fra-datoen."))
        return cleaned

    def criteria(self) -> AuditCriteria:
        """The validated criteria; call only after ``is_valid()``."""
        data = self.cleaned_data
        return AuditCriteria(
            person=data.get("person"),
            citizen=data.get("citizen"),
            organisation=data.get("organisation"),
            action=data.get("action") or "",
            outcome=data.get("outcome") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            object_id=data.get("object_id") or "",
        )


# --- The citizen's rights -------------------------------------------------------------------------------

BIRTH_DATE_ERROR = _("Skriv datoen som dd-mm-åååå, fx 05-03-1985.")


class CitizenSearchForm(DkfdsFormMixin, forms.Form):
    """Find a citizen among the DPO's cooperations by name or exact CPR number (sent by POST only)."""

    name = forms.CharField(
        label=_("Navn"),
        required=False,
        max_length=200,
        help_text=_("Hele navnet eller dele af det"),
        error_messages={"max_length": _("Navnet kan højst være 200 tegn.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    cpr = forms.CharField(
        label=_("CPR-nummer"),
        required=False,
        max_length=20,
        help_text=_("DDMMÅÅ-XXXX; søger på præcist nummer"),
        error_messages={
            "max_length": _("Et CPR-nummer har 10 cifre og skrives DDMMÅÅ-XXXX eller DDMMÅÅXXXX.")
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "class": "form-input input-width-s"}
        ),
    )

    def clean_cpr(self) -> str:
        raw = self.cleaned_data.get("cpr", "").strip()
        if not raw:
            return ""
        try:
            return cpr_normalise(raw)
        except InvalidCpr as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not (cleaned.get("name", "").strip() or cleaned.get("cpr")):
            raise forms.ValidationError(_("Skriv et navn eller et CPR-nummer."))
        return cleaned

    @property
    def criterion(self) -> str:
        """The kind of criterion used (for the audit event): never the value."""
        data = self.cleaned_data
        return "+".join(kind for kind in ("name", "cpr") if data.get(kind))


def _new_value_field(field: str) -> forms.Field:
    if field == RectifiableField.FULL_NAME:
        return forms.CharField(
            label=_("Nyt navn"), max_length=200, error_messages={"required": _("Skriv borgerens navn.")}
        )
    if field == RectifiableField.CPR:
        return forms.CharField(
            label=_("Nyt CPR-nummer"),
            required=False,
            max_length=20,
            help_text=_("DDMMÅÅ-XXXX. Lad feltet stå tomt for at fjerne et forkert CPR-nummer."),
            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        )
    if field == RectifiableField.BIRTH_DATE:
        return forms.DateField(
            label=_("Ny fødselsdato"),
            required=False,
            input_formats=DATE_INPUT_FORMATS,
            help_text=_("dd-mm-åååå"),
            error_messages={"invalid": BIRTH_DATE_ERROR},
            widget=forms.TextInput(attrs=DATE_ATTRS),
        )
    if field == RectifiableField.SEX:
        return forms.ChoiceField(label=_("Nyt køn"), choices=Sex.choices, required=False)
    limits = {RectifiableField.ADDRESS: 300, RectifiableField.PHONE: 32}
    labels = {RectifiableField.ADDRESS: _("Ny adresse"), RectifiableField.PHONE: _("Nyt telefonnummer")}
    return forms.CharField(
        label=labels[RectifiableField(field)],
        required=False,
        max_length=limits[RectifiableField(field)],
        error_messages={
            "max_length": _("Værdien kan højst være %(limit_value)d tegn."),
        },
    )


class _RectificationFields(forms.Form):
    reason = forms.CharField(
        label=_("Begrundelse"),
        max_length=2000,
        help_text=_("Hvorfor er oplysningen forkert, og hvor kommer den rigtige fra?"),
        error_messages={
            "required": _("Skriv hvorfor oplysningen rettes."),
            "max_length": _("Begrundelsen kan højst være 2000 tegn."),
        },
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, field: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rectified_field = field
        self.fields = {"new_value": _new_value_field(field), **self.fields}


class RectificationForm(DkfdsFormMixin, _RectificationFields):
    """The new value of one field (its widget depends on the field), the reason, and the version read."""


class ExemptionForm(DkfdsFormMixin, forms.Form):
    legal_reference = forms.CharField(
        label=_("Hjemmel for undtagelsen"),
        max_length=200,
        initial=DEFAULT_EXEMPTION_REFERENCE,
        help_text=_("Fx databeskyttelsesloven § 22"),
        error_messages={
            "required": _("Angiv hjemlen for undtagelsen, fx databeskyttelsesloven § 22."),
            "max_length": _("Hjemlen kan højst være 200 tegn."),
        },
    )
    reason = forms.CharField(
        label=_("Begrundelse (kun til intern brug)"),
        max_length=2000,
        help_text=_("Hvorfor vil indsigt i notatet skade en politimæssig sag? Vises aldrig for borgeren."),
        error_messages={
            "required": _("Skriv hvorfor indsigt i notatet vil skade en politimæssig sag."),
            "max_length": _("Begrundelsen kan højst være 2000 tegn."),
        },
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class LegalHoldForm(DkfdsFormMixin, forms.Form):
    subject = forms.ChoiceField(
        label=_("Hvad skal holdes"),
        error_messages={"required": _("Vælg hvad der skal holdes."), "invalid_choice": _("Vælg fra listen.")},
    )
    reason = forms.CharField(
        label=_("Begrundelse"),
        max_length=2000,
        help_text=_("Fx klagesag, retssag eller henvendelse fra Folketingets Ombudsmand"),
        error_messages={
            "required": _("Skriv hvorfor sletningen skal udsættes."),
            "max_length": _("Begrundelsen kan højst være 2000 tegn."),
        },
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, cases: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [  # type: ignore[attr-defined]
            ("citizen", _("Borgeren og alle borgerens sager og samtykker")),
            *(
                (f"case-{case.pk}", _("Kun sagen %(pseudonym)s") % {"pseudonym": case.pseudonym})
                for case in cases
            ),
        ]

    def case_id(self) -> int | None:
        subject = self.cleaned_data["subject"]
        return int(subject.removeprefix("case-")) if subject.startswith("case-") else None


class RetentionRuleForm(DkfdsFormMixin, forms.Form):
    period = forms.IntegerField(
        label=_("Slettes efter"),
        min_value=1,
        max_value=3650,
        error_messages={
            "required": _("Angiv fristen som et helt tal."),
            "invalid": _("Angiv fristen som et helt tal."),
            "min_value": _("Fristen skal være mindst 1."),
            "max_value": _("Fristen er for lang."),
        },
        widget=forms.NumberInput(attrs={"class": "form-input input-width-xs"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        help_text=_("Fx hvilken KLE-kode eller regel fristen følger"),
        error_messages={"max_length": _("Noten kan højst være 300 tegn.")},
    )


class _BasisRuleFields(forms.Form):
    legal_basis = forms.ChoiceField(
        label=_("Hjemmel"),
        help_text=_("Den hjemmel, sagerne blev identificeret på"),
        error_messages={
            "required": _("Vælg hjemlen, fristen skal gælde for."),
            "invalid_choice": _("Vælg en af samarbejdets hjemler, som en borger kan identificeres på."),
        },
    )
    period = forms.IntegerField(
        label=_("Slettes efter"),
        min_value=1,
        error_messages={
            "required": _("Angiv fristen som et helt tal."),
            "invalid": _("Angiv fristen som et helt tal."),
            "min_value": _("Fristen skal være mindst 1."),
        },
        widget=forms.NumberInput(attrs={"class": "form-input input-width-xs"}),
    )
    unit = forms.ChoiceField(
        label=_("Enhed"),
        choices=PeriodUnit.choices,
        initial=PeriodUnit.YEARS,
        error_messages={
            "required": _("Vælg om fristen er i dage eller år."),
            "invalid_choice": _("Vælg om fristen er i dage eller år."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        help_text=_("Fx hvorfor sager på denne hjemmel slettes efter en anden frist"),
        error_messages={"max_length": _("Noten kan højst være 300 tegn.")},
    )

    def __init__(self, *args: Any, bases: list[Any], taken: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["legal_basis"].choices = [  # type: ignore[attr-defined]
            ("", _("Vælg hjemmel")),
            *(
                (
                    basis.code,
                    _("%(name)s – %(title)s (har allerede en frist)") % {"name": basis.name, "title": basis.title}
                    if basis.code in taken
                    else f"{basis.name} – {basis.title}",
                )
                for basis in bases
            ),
        ]


class BasisRuleForm(DkfdsFormMixin, _BasisRuleFields):
    """A retention rule for one legal basis: the basis (choices: the cooperation's bases a citizen can be
    identified on, marked when they already have a rule), the period with its unit and a note. Like
    ``AuditFilterForm``, the choices are set below DkfdsFormMixin in the MRO."""
