"""Forms for concerns. Raising a concern asks for at most five things (the 2014 evaluation: no red
tape); every message is Danish and a refused save keeps what was typed."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samspil.cases.models import AgeBand
from samspil.core.forms import DkfdsFormMixin
from samspil.sharing.models import DataCategory, Purpose

from .assessments import Factor, factors_of
from .models import (
    AssessmentTemplate,
    ConcernSettings,
    ConcernSource,
    Decision,
    InterventionKind,
    SignGroup,
    SubjectKind,
    Triage,
    Urgency,
)

DATE_INPUT_FORMATS = ["%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d"]
REQUIRED = {"required": _("Feltet skal udfyldes.")}


def _too_long() -> Any:
    return _(
        "Teksten er for lang: højst %(limit_value)d tegn, du har skrevet %(show_value)d. "
        "Intet er gemt; din tekst står her, så du kan forkorte den."
    )


def _text(
    label: Any, max_length: int, *, required: bool = True, rows: int = 4, help_text: Any = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={**REQUIRED, "max_length": _too_long()},
    )


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        help_text=_("dd-mm-åååå"),
        error_messages={**REQUIRED, "invalid": _("Skriv datoen som dd-mm-åååå, fx 05-03-2026.")},
    )


class _Form(DkfdsFormMixin, forms.Form):
    """Takes the keyword options named in ``options`` and applies them in ``configure`` right after the
    fields exist; browsers' ``maxlength`` is left out so the server says when a text is too long."""

    options: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        options = {name: kwargs.pop(name) for name in self.options if name in kwargs}
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("maxlength", None)
        self.configure(**options)

    def configure(self, **options: Any) -> None:
        """Set choices or remove fields; override in forms that take options."""


# --- Raising ------------------------------------------------------------------------------------


class RaiseForm(_Form):
    membership = forms.TypedChoiceField(
        label=_("Samarbejde"), coerce=int,
        error_messages={"required": _("Vælg hvilket samarbejde bekymringen hører til."),
                        "invalid_choice": _("Vælg et samarbejde fra listen.")},
    )
    subject_kind = forms.ChoiceField(
        label=_("Hvem drejer det sig om?"),
        choices=SubjectKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Vælg hvem bekymringen drejer sig om.")},
    )
    subject = forms.CharField(
        label=_("Personen"),
        required=False,
        max_length=300,
        help_text=_("Navn, alder og hvor du kender personen fra, hvis du ved det."),
        error_messages={"max_length": _too_long()},
    )
    case = forms.TypedChoiceField(
        label=_("Sagen"), required=False, coerce=int, empty_value=None,
        help_text=_("Hvis bekymringen handler om en person i en sag, du kender."),
        error_messages={"invalid_choice": _("Vælg en sag fra listen.")},
    )
    observation = _text(
        _("Hvad har du set eller hørt?"), 5000, rows=6,
        help_text=_("Med dine egne ord: hvad skete der, hvad blev sagt, og hvornår."),
    )
    signs = forms.MultipleChoiceField(
        label=_("Eksempler på tegn"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Kun til hjælp, hvis du vil sætte ord på det, du har set. Det er ikke en tjekliste."),
        error_messages={"invalid_choice": _("Vælg kun blandt de viste tegn.")},
    )
    urgency = forms.ChoiceField(
        label=_("Hvor meget haster det?"), choices=Urgency.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Vælg hvor meget det haster.")},
    )
    source = forms.ChoiceField(
        label=_("Hvor kommer bekymringen fra?"),
        choices=[("", _("Vælg")), *ConcernSource.choices],
        error_messages={"required": _("Vælg hvor bekymringen kommer fra.")},
    )

    options = ("memberships", "signs", "cases")

    def configure(self, *, memberships: Any, signs: Any, cases: Any) -> None:  # type: ignore[override]
        if len(memberships) > 1:
            field: forms.TypedChoiceField = self.fields["membership"]  # type: ignore[assignment]
            field.choices = [("", _("Vælg samarbejde"))] + [
                (m.pk, f"{m.cooperation.name} ({m.organisation.name})") for m in memberships
            ]
        else:
            del self.fields["membership"]
        sign_field: forms.MultipleChoiceField = self.fields["signs"]  # type: ignore[assignment]
        sign_field.choices = [(str(s.pk), s.label) for s in signs]
        self.sign_groups = [
            (label, [s for s in signs if s.group == value]) for value, label in SignGroup.choices
        ]
        if cases:
            case_field: forms.TypedChoiceField = self.fields["case"]  # type: ignore[assignment]
            case_field.choices = [("", _("Ingen bestemt sag"))] + [(c.pk, c.pseudonym) for c in cases]
        else:
            del self.fields["case"]

    @property
    def is_acute(self) -> bool:
        return self.data.get(self.add_prefix("urgency")) == Urgency.ACUTE if self.is_bound else False

    def sign_checkboxes(self) -> list[tuple[str, list[Any]]]:
        """The sign checkboxes grouped (individual, social), for the template."""
        by_value = {str(widget.data["value"]): widget for widget in self["signs"]}
        return [(str(label), [by_value[str(s.pk)] for s in signs if str(s.pk) in by_value])
                for label, signs in self.sign_groups]


# --- Step 1 -------------------------------------------------------------------------------------


class DescribeForm(_Form):
    triage = forms.ChoiceField(
        label=_("Triage"), choices=Triage.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Vælg rød, gul eller grøn.")},
    )
    triage_reason = _text(_("Begrundelse for triage"), 2000, rows=3)
    version = forms.IntegerField(widget=forms.HiddenInput)

    options = ("questions", "triage_labels")

    def configure(self, *, questions: list[dict[str, Any]], triage_labels: dict[str, str]) -> None:  # type: ignore[override]
        fields = {}
        for question in questions:
            fields[f"q_{question['code']}"] = _text(
                question["question"], 3000, required=bool(question.get("required")), rows=3,
                help_text=question.get("help", ""),
            )
        triage: forms.ChoiceField = self.fields["triage"]  # type: ignore[assignment]
        triage.choices = [(value, triage_labels.get(value, label)) for value, label in Triage.choices]
        self.fields = {**fields, **self.fields}
        for field in fields.values():
            field.widget.attrs.setdefault("class", "form-input")

    def interview(self) -> dict[str, str]:
        return {name[2:]: value for name, value in self.cleaned_data.items() if name.startswith("q_")}


# --- Step 2 -------------------------------------------------------------------------------------


class InvolveForm(_Form):
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), coerce=int,
        error_messages={
            "required": _("Vælg en organisation."), "invalid_choice": _("Vælg en organisation fra listen.")
        },
    )
    reason = forms.CharField(label=_("Hvorfor inddrages den?"), required=False, max_length=300,
                             error_messages={"max_length": _too_long()})

    options = ("organisations",)

    def configure(self, *, organisations: Any) -> None:  # type: ignore[override]
        field: forms.TypedChoiceField = self.fields["organisation"]  # type: ignore[assignment]
        field.choices = [("", _("Vælg organisation"))] + [
            (o.pk, f"{o.name} ({o.get_sector_display()})") for o in organisations
        ]


class DiscloseForm(_Form):
    organisation = forms.TypedChoiceField(
        label=_("Del for"), coerce=int,
        error_messages={
            "required": _("Vælg organisationen."), "invalid_choice": _("Vælg en organisation fra listen.")
        },
    )
    text = _text(
        _("Oplysningerne"), 10000, rows=6, help_text=_("Del kun det, der er nødvendigt for vurderingen.")
    )
    basis = forms.ChoiceField(
        label=_("Hjemmel"), error_messages={"required": _("Vælg den hjemmel, oplysningerne deles efter.")}
    )
    justification = _text(_("Hvorfor er det nødvendigt at dele?"), 2000, rows=3)
    categories = forms.MultipleChoiceField(
        label=_("Typer af oplysninger"), choices=DataCategory.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Vælg mindst én type oplysninger.")},
    )
    purpose = forms.ChoiceField(label=_("Formål"), choices=Purpose.choices, initial=Purpose.CRIME_PREVENTION)

    options = ("organisations", "bases")

    def configure(self, *, organisations: Any, bases: Any) -> None:  # type: ignore[override]
        field: forms.TypedChoiceField = self.fields["organisation"]  # type: ignore[assignment]
        field.choices = [(o.pk, o.name) for o in organisations]
        basis: forms.ChoiceField = self.fields["basis"]  # type: ignore[assignment]
        basis.choices = [("", _("Vælg hjemmel"))] + [(b.code, f"{b.name} – {b.title}") for b in bases]


class AdvanceForm(_Form):
    note = _text(_("Bemærkning"), 2000, required=False, rows=2)


# --- Step 3 -------------------------------------------------------------------------------------


class TemplateChoiceForm(_Form):
    skabelon = forms.TypedChoiceField(label=_("Skabelon"), coerce=int)

    options = ("templates",)

    def configure(self, *, templates: Any) -> None:  # type: ignore[override]
        field: forms.TypedChoiceField = self.fields["skabelon"]  # type: ignore[assignment]
        field.choices = [(t.pk, f"{t.name} (v{t.version})") for t in templates]


class AssessmentForm(_Form):
    summary = _text(
        _("Sammenfatning"), 5000, rows=4,
        help_text=_("Hvad er det samlede billede nu? Det, der står her, er grundlaget for næste trin."),
    )
    management_plan = _text(_("Plan for håndtering"), 5000, rows=4,
                            help_text=_("Hvad gøres der, af hvem, og hvornår ses der på bekymringen igen?"))

    options = ("template",)

    def configure(self, *, template: AssessmentTemplate) -> None:  # type: ignore[override]
        self.template = template
        self.factors: list[Factor] = factors_of(template)
        scale = [("", _("Ikke vurderet"))] + [
            (str(step["value"]), str(step["label"])) for step in template.scale
        ]
        for factor in self.factors:
            self.fields[f"rating__{factor.code}"] = forms.ChoiceField(
                label=_("Vurdering"), choices=scale, required=False,
                error_messages={"invalid_choice": _("Vælg en vurdering fra skalaen.")},
            )
            self.fields[f"reason__{factor.code}"] = forms.CharField(
                label=_("Begrundelse"), required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}), error_messages={"max_length": _too_long()},
            )
            for name in (f"rating__{factor.code}", f"reason__{factor.code}"):
                widget = self.fields[name].widget
                widget.attrs.setdefault("class", "form-select" if name.startswith("rating") else "form-input")
                widget.attrs.pop("maxlength", None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rated = False
        for factor in self.factors:
            rating = data.get(f"rating__{factor.code}")
            if rating not in (None, ""):
                rated = True
                if not (data.get(f"reason__{factor.code}") or "").strip():
                    message = _("Skriv en begrundelse for vurderingen af »%(factor)s«.")
                    self.add_error(f"reason__{factor.code}", message % {"factor": factor.label})
        if not rated:
            raise forms.ValidationError(_("Vurdér mindst én faktor."))
        return data

    def ratings(self) -> dict[str, tuple[int | None, str]]:
        result: dict[str, tuple[int | None, str]] = {}
        for factor in self.factors:
            raw = self.cleaned_data.get(f"rating__{factor.code}")
            result[factor.code] = (int(str(raw)) if raw not in (None, "") else None,
                                   self.cleaned_data.get(f"reason__{factor.code}", ""))
        return result

    def sections(self) -> list[tuple[str, str, list[tuple[Factor, Any, Any]]]]:
        """(section code, title, [(factor, rating field, reason field)]) for the template."""
        grouped: dict[str, tuple[str, str, list[tuple[Factor, Any, Any]]]] = {}
        for factor in self.factors:
            section = grouped.setdefault(factor.section_code, (factor.section_code, factor.section_title, []))
            section[2].append((factor, self[f"rating__{factor.code}"], self[f"reason__{factor.code}"]))
        return list(grouped.values())


class CompareForm(_Form):
    fra = forms.TypedChoiceField(label=_("Tidligere vurdering"), coerce=int)
    til = forms.TypedChoiceField(label=_("Nyere vurdering"), coerce=int)

    options = ("assessments",)

    def configure(self, *, assessments: Any) -> None:  # type: ignore[override]
        choices = [(a.pk, f"{a} – {a.created_at:%d-%m-%Y}") for a in assessments]
        for name in ("fra", "til"):
            field: forms.TypedChoiceField = self.fields[name]  # type: ignore[assignment]
            field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("fra") is not None and data.get("fra") == data.get("til"):
            raise forms.ValidationError(_("Vælg to forskellige vurderinger."))
        return data


# --- Step 4 -------------------------------------------------------------------------------------


class DecideForm(_Form):
    overall_assessment = _text(_("Samlet vurdering"), 5000, rows=5)
    recommendation = _text(_("Anbefaling"), 5000, rows=4)
    decision = forms.ChoiceField(
        label=_("Beslutning"), choices=Decision.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Vælg en beslutning.")},
    )
    intervention_kinds = forms.MultipleChoiceField(
        label=_("Indsatser"), required=False, choices=InterventionKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kun ved en kommunal eller PSP-indsats."),
        error_messages={"invalid_choice": _("Vælg kun indsatser fra listen.")},
    )
    reason = _text(_("Begrundelse for beslutningen"), 2000, rows=3)

    options = ("police_only",)

    def configure(self, *, police_only: bool) -> None:  # type: ignore[override]
        if police_only:
            field: forms.ChoiceField = self.fields["decision"]  # type: ignore[assignment]
            field.choices = [(Decision.POLICE, Decision.POLICE.label)]
            del self.fields["intervention_kinds"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == Decision.INTERVENTION and not data.get("intervention_kinds"):
            self.add_error("intervention_kinds", _("Vælg mindst én indsats."))
        return data


# --- Step 5 -------------------------------------------------------------------------------------


class PlanForm(_Form):
    started_on = _date(_("Indsatsen begyndte"))
    planned_end_on = _date(_("Forventet afslutning"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("started_on"), data.get("planned_end_on")
        if start and end and end < start:
            self.add_error("planned_end_on", _("Den forventede afslutning kan ikke ligge før begyndelsen."))
        return data


class GoalForm(_Form):
    text = forms.CharField(
        label=_("Mål"), max_length=500, error_messages={**REQUIRED, "max_length": _too_long()}
    )
    responsible_organisation = forms.TypedChoiceField(
        label=_("Ansvarlig organisation"), coerce=int,
        error_messages={"required": _("Vælg den ansvarlige organisation."),
                        "invalid_choice": _("Vælg en organisation fra listen.")},
    )
    responsible_person = forms.TypedChoiceField(
        label=_("Ansvarlig person"), required=False, coerce=int, empty_value=None,
        error_messages={"invalid_choice": _("Vælg en person fra listen.")},
    )

    options = ("organisations", "members")

    def configure(self, *, organisations: Any, members: Any) -> None:  # type: ignore[override]
        organisation: forms.TypedChoiceField = self.fields["responsible_organisation"]  # type: ignore[assignment]
        organisation.choices = [("", _("Vælg organisation"))] + [(o.pk, o.name) for o in organisations]
        person: forms.TypedChoiceField = self.fields["responsible_person"]  # type: ignore[assignment]
        person.choices = [("", _("Ingen bestemt person"))] + [
            (m.user_id, f"{m.user.full_name} ({m.organisation.name})") for m in members
        ]


class InterventionEndForm(_Form):
    ended_on = _date(_("Indsatsen sluttede"))
    note = _text(_("Status ved afslutningen"), 2000, required=False, rows=3)


class ReviewForm(_Form):
    note = _text(
        _("Opfølgningen"),
        5000,
        rows=5,
        help_text=_("Hvordan går det nu? Hvad er sket siden indsatsen sluttede?"),
    )
    concern_persists = forms.TypedChoiceField(
        label=_("Består bekymringen?"), choices=[("ja", _("Ja")), ("nej", _("Nej"))],
        widget=forms.RadioSelect,
        coerce=lambda value: value == "ja", error_messages={"required": _("Svar ja eller nej.")},
    )


class CloseForm(_Form):
    reason = _text(_("Begrundelse for lukning"), 2000, rows=3)


class CaseLinkForm(_Form):
    case = forms.TypedChoiceField(
        label=_("Sag"), coerce=int,
        error_messages={"required": _("Vælg en sag."), "invalid_choice": _("Vælg en sag fra listen.")},
    )

    options = ("cases",)

    def configure(self, *, cases: Any) -> None:  # type: ignore[override]
        field: forms.TypedChoiceField = self.fields["case"]  # type: ignore[assignment]
        field.choices = [("", _("Vælg sag"))] + [
            (c.pk, f"{c.pseudonym} ({c.get_state_display()})") for c in cases
        ]


class CaseOpenForm(_Form):
    age_band = forms.ChoiceField(
        label=_("Aldersgruppe"),
        choices=[("", _("Vælg aldersgruppe")), *AgeBand.choices[:-1], ("unknown", _("Ukendt"))],
        error_messages={"required": _("Vælg en aldersgruppe (eller »Ukendt«).")},
    )
    description = _text(
        _("Beskrivelse til den anonyme drøftelse"), 5000, rows=5,
        help_text=_("Uden navn, CPR-nummer, adresse eller andet, der kan identificere personen."),
    )
    lead_organisation = forms.TypedChoiceField(
        label=_("Ledende organisation"), coerce=int,
        error_messages={"required": _("Vælg den ledende organisation."),
                        "invalid_choice": _("Vælg en organisation fra listen.")},
    )

    options = ("organisations",)

    def configure(self, *, organisations: Any) -> None:  # type: ignore[override]
        field: forms.TypedChoiceField = self.fields["lead_organisation"]  # type: ignore[assignment]
        field.choices = [(o.pk, o.name) for o in organisations]


# --- Configuration ------------------------------------------------------------------------------


class SettingsForm(DkfdsFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    default_template_code = forms.ChoiceField(label=_("Standardskabelon til vurdering"))
    hidden_signs = forms.MultipleChoiceField(
        label=_("Tegn, der ikke skal vises"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Tegnene vises som hjælp, når en bekymring rejses. Skjul dem, samarbejdet ikke bruger."),
    )

    class Meta:
        model = ConcernSettings
        fields = [
            "training_gate_enabled", "receive_working_days", "red_hours", "amber_working_days",
            "green_working_days", "gather_working_days", "assess_working_days", "decide_working_days",
            "first_review_months", "second_review_months", "default_template_code", "hidden_signs",
        ]

    def __init__(self, *args: Any, templates: Any = (), signs: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        template_field: forms.ChoiceField = self.fields["default_template_code"]  # type: ignore[assignment]
        template_field.choices = [(t.code, t.name) for t in templates]
        signs_field: forms.MultipleChoiceField = self.fields["hidden_signs"]  # type: ignore[assignment]
        signs_field.choices = [(s.code, s.label) for s in signs]
        for field in self.fields.values():
            if isinstance(field, forms.IntegerField):
                field.error_messages.update(
                    required=_("Feltet skal udfyldes."),
                    invalid=_("Skriv et helt tal."),
                    min_value=_("Tallet skal være mindst %(limit_value)s."),
                    max_value=_("Tallet må højst være %(limit_value)s."),
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("first_review_months"), data.get("second_review_months")
        if first is not None and second is not None and second <= first:
            self.add_error("second_review_months", _("Den anden opfølgning skal ligge efter den første."))
        return data

    def _post_clean(self) -> None:
        """Validation is the form's and the service's; the model instance is not saved from here."""


class LeadContactForm(_Form):
    membership = forms.TypedChoiceField(
        label=_("Ny tovholder"), coerce=int,
        error_messages={"required": _("Vælg en person."), "invalid_choice": _("Vælg en person fra listen.")},
    )

    options = ("candidates",)

    def configure(self, *, candidates: Any) -> None:  # type: ignore[override]
        field: forms.TypedChoiceField = self.fields["membership"]  # type: ignore[assignment]
        field.choices = [("", _("Vælg person"))] + [
            (m.pk, f"{m.user.full_name} ({m.organisation.name}, {m.get_role_display()})") for m in candidates
        ]


class SignForm(_Form):
    group = forms.ChoiceField(label=_("Gruppe"), choices=SignGroup.choices, error_messages=REQUIRED)
    label = forms.CharField(
        label=_("Tegn"), max_length=200, error_messages={**REQUIRED, "max_length": _too_long()}
    )


class TemplateForm(_Form):
    scope = forms.TypedChoiceField(
        label=_("Hvor bruges skabelonen?"), required=False, empty_value=None,
        coerce=lambda v: int(v) if v else None,
        error_messages={"invalid_choice": _("Vælg fra listen.")},
    )
    code = forms.SlugField(
        label=_("Kode"), max_length=60,
        help_text=_(
            "Små bogstaver, tal og bindestreg. Samme kode som en eksisterende skabelon giver en ny version."
        ),
        error_messages={**REQUIRED, "invalid": _("Brug kun små bogstaver, tal og bindestreg.")},
    )
    name = forms.CharField(
        label=_("Navn"), max_length=150, error_messages={**REQUIRED, "max_length": _too_long()}
    )
    description = _text(_("Beskrivelse"), 2000, required=False, rows=3)
    definition = forms.CharField(
        label=_("Skabelonen (JSON)"), widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        help_text=_(
            "Samme opbygning som de skabeloner, Samspil leveres med: »scale« og »sections« med »factors«."
        ),
        error_messages=REQUIRED,
    )

    options = ("scopes",)

    def configure(self, *, scopes: list[tuple[Any, str]]) -> None:  # type: ignore[override]
        field: forms.TypedChoiceField = self.fields["scope"]  # type: ignore[assignment]
        field.choices = [("" if value is None else value, label) for value, label in scopes]

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"])
        if code != code.lower():
            raise forms.ValidationError(_("Brug kun små bogstaver, tal og bindestreg."))
        return code

    def clean_definition(self) -> Any:
        try:
            return json.loads(self.cleaned_data["definition"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("Skabelonen er ikke gyldig JSON (linje %(line)d, kolonne %(column)d): %(message)s")
                % {"line": exc.lineno, "column": exc.colno, "message": exc.msg}
            ) from exc
