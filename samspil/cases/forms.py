"""Forms for cases. Few required fields (the 2014 evaluation: no unnecessary red tape); every message is
Danish and a refused save keeps what was typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samspil.accounts.models import User
from samspil.citizens.cpr import InvalidCpr, cpr_normalise
from samspil.citizens.models import Sex
from samspil.core.forms import DkfdsFormMixin
from samspil.organisations.models import Organisation

from .identifiers import identifier_problem
from .models import AgeBand, Case, CaseState, Flag, JournalEntry, Task, TaskStatus

DATE_INPUT_FORMATS = ["%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d"]
UNKNOWN_AGE = "unknown"


def _too_long() -> Any:
    return _(
        "Teksten er for lang: højst %(limit_value)d tegn, du har skrevet %(show_value)d. "
        "Intet er gemt; din tekst står her, så du kan forkorte den."
    )


def _text(
    label: Any, max_length: int, *, required: bool = True, rows: int = 5, help_text: Any = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": _("Feltet skal udfyldes."), "max_length": _too_long()},
    )


def _without_maxlength_attribute(form: forms.Form) -> None:
    """Browsers cut pasted text at ``maxlength`` without a word; let the server say it is too long."""
    for field in form.fields.values():
        field.widget.attrs.pop("maxlength", None)


class _Configurable(forms.Form):
    """Takes the keyword options named in ``options`` and applies them in ``configure`` right after the
    fields exist, before the design-system mixin reads the errors (which validates the form)."""

    options: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        options = {name: kwargs.pop(name) for name in self.options if name in kwargs}
        super().__init__(*args, **kwargs)
        _without_maxlength_attribute(self)
        self.configure(**options)

    def configure(self, **options: Any) -> None:
        """Set choices and remove fields; override in forms that take options."""


class _CaseForm(DkfdsFormMixin, _Configurable):
    pass


class CaseOpenForm(_CaseForm):
    description = _text(
        _("Beskrivelse"),
        Case._meta.get_field("description").max_length or 5000,
        rows=8,
        help_text=_(
            "Beskriv bekymringen uden navn, CPR-nummer, adresse eller andet, der kan identificere borgeren."
        ),
    )
    age_band = forms.ChoiceField(
        label=_("Aldersgruppe"),
        choices=[
            ("", _("Vælg aldersgruppe")),
            *[(value, label) for value, label in AgeBand.choices if value],
            (UNKNOWN_AGE, _("Ukendt")),
        ],
        error_messages={"required": _("Vælg en aldersgruppe (eller »Ukendt«).")},
    )
    sex = forms.ChoiceField(
        label=_("Køn"), required=False, choices=Sex.choices, help_text=_("Kun hvis det er relevant.")
    )
    lead_organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Ledende organisation"),
        queryset=None,  # type: ignore[arg-type]
        empty_label=None,
        error_messages={"invalid_choice": _("Vælg en organisation, der er med i samarbejdet.")},
    )
    pseudonym = forms.CharField(
        label=_("Pseudonym"),
        required=False,
        max_length=Case._meta.get_field("pseudonym").max_length,
        help_text=_("Dannes automatisk, fx »Borger K-4821«, hvis du ikke skriver et."),
        error_messages={"max_length": _too_long()},
    )
    referred_by: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Rejst af (frontmedarbejder)"),
        required=False,
        queryset=None,  # type: ignore[arg-type]
        empty_label=_("Ingen / mig selv"),
        error_messages={"invalid_choice": _("Vælg en frontmedarbejder fra listen.")},
        help_text=_("Frontmedarbejderen får besked om sagens status."),
    )

    options = ("organisations", "frontline")

    def configure(self, *, organisations: Any, frontline: Any) -> None:  # type: ignore[override]
        lead: forms.ModelChoiceField = self.fields["lead_organisation"]  # type: ignore[assignment]
        lead.queryset = organisations
        referred: forms.ModelChoiceField = self.fields["referred_by"]  # type: ignore[assignment]
        referred.queryset = frontline
        referred.label_from_instance = lambda user: user.full_name  # type: ignore[method-assign,assignment]

    def clean_description(self) -> str:
        text = self.cleaned_data["description"]
        problem = identifier_problem(text)
        if problem:
            raise forms.ValidationError(problem, code="identifier")
        return text

    def clean_pseudonym(self) -> str:
        text = " ".join(self.cleaned_data.get("pseudonym", "").split())
        problem = identifier_problem(text)
        if problem:
            raise forms.ValidationError(problem, code="identifier")
        return text

    def clean_age_band(self) -> str:
        value = self.cleaned_data["age_band"]
        return "" if value == UNKNOWN_AGE else value


class CaseTextForm(_CaseForm):
    """Description (and action plan once there is one), with the version the editor started from."""

    description = _text(_("Beskrivelse"), Case._meta.get_field("description").max_length or 5000, rows=8)
    action_plan = _text(
        _("Handleplan"), Case._meta.get_field("action_plan").max_length or 5000, rows=6, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    options = ("case",)

    def configure(self, *, case: Case) -> None:  # type: ignore[override]
        self.case = case
        if case.state not in (CaseState.ACTIVE, CaseState.FOLLOW_UP):
            del self.fields["action_plan"]

    def clean_description(self) -> str:
        text = self.cleaned_data["description"]
        if self.case.state == CaseState.ANONYMOUS:
            problem = identifier_problem(text)
            if problem:
                raise forms.ValidationError(problem, code="identifier")
        return text


class ActivateForm(_CaseForm):
    action_plan = _text(
        _("Handleplan"),
        Case._meta.get_field("action_plan").max_length or 5000,
        rows=6,
        help_text=_("Hvem gør hvad og hvornår. Opgaver kan oprettes bagefter."),
    )


class FollowUpForm(_CaseForm):
    note = _text(_("Bemærkning"), 2000, required=False, rows=3)


class ReasonForm(_CaseForm):
    reason = _text(_("Begrundelse"), 2000, rows=3)


class JournalEntryForm(_CaseForm):
    text = _text(
        _("Notat"),
        JournalEntry._meta.get_field("text").max_length or 20000,
        rows=6,
        help_text=_(
            "Notatet kan kun ses af din egen organisation, indtil det deles i samarbejdet med hjemmel."
        ),
    )


class JournalEntryEditForm(_CaseForm):
    text = _text(_("Notat"), JournalEntry._meta.get_field("text").max_length or 20000, rows=10)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class FlagForm(_CaseForm):
    text = forms.CharField(
        label=pgettext_lazy("form label", "Advarsel"),
        max_length=Flag._meta.get_field("text").max_length,
        help_text=_("Fx »Mød kun op to medarbejdere«. Vises på alle sider om sagen."),
        error_messages={"required": _("Skriv advarslen."), "max_length": _too_long()},
    )


class InvolvementForm(_CaseForm):
    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,  # type: ignore[arg-type]
        error_messages={
            "required": _("Vælg en organisation."),
            "invalid_choice": _("Vælg en organisation fra listen."),
        },
    )

    options = ("organisations",)

    def configure(self, *, organisations: Any) -> None:  # type: ignore[override]
        field: forms.ModelChoiceField = self.fields["organisation"]  # type: ignore[assignment]
        field.queryset = organisations


class TaskForm(_CaseForm):
    title = forms.CharField(
        label=_("Opgave"),
        max_length=Task._meta.get_field("title").max_length,
        error_messages={"required": _("Skriv opgaven."), "max_length": _too_long()},
    )
    owner_organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Ansvarlig organisation"),
        queryset=None,  # type: ignore[arg-type]
        error_messages={
            "required": _("Vælg den ansvarlige organisation."),
            "invalid_choice": _("Vælg en organisation, der er involveret i sagen."),
        },
    )
    owner = forms.TypedChoiceField(
        label=_("Ansvarlig person"), required=False, coerce=int, empty_value=None,
        error_messages={"invalid_choice": _("Vælg en person fra listen.")},
    )
    due_date = forms.DateField(
        label=_("Frist"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        help_text=_("dd-mm-åååå"),
        error_messages={"invalid": _("Skriv datoen som dd-mm-åååå, fx 05-03-2026.")},
    )

    options = ("organisations", "members")

    def configure(self, *, organisations: Any, members: Any) -> None:  # type: ignore[override]
        field: forms.ModelChoiceField = self.fields["owner_organisation"]  # type: ignore[assignment]
        field.queryset = organisations
        owner: forms.TypedChoiceField = self.fields["owner"]  # type: ignore[assignment]
        owner.choices = [("", _("Ingen bestemt person"))] + [
            (m.user_id, f"{m.user.full_name} ({m.organisation.name})") for m in members
        ]


class TaskStatusForm(_CaseForm):
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    reason = _text(
        _("Begrundelse"),
        2000,
        required=False,
        rows=2,
        help_text=_("Skal udfyldes, når opgaven ikke var mulig eller ikke blev udført."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        needs_reason = cleaned.get("status") in (TaskStatus.NOT_POSSIBLE, TaskStatus.NOT_UNDERTAKEN)
        if needs_reason and not cleaned.get("reason"):
            self.add_error("reason", _("Skriv hvorfor opgaven ikke var mulig eller ikke blev udført."))
        return cleaned


class CaseFilterForm(DkfdsFormMixin, _Configurable):
    """The list's filters and name search (GET: nothing here identifies a person by number)."""

    q = forms.CharField(label=_("Navn eller pseudonym"), required=False, max_length=200)
    state = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Alle")), *CaseState.choices]
    )
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), required=False, coerce=int, empty_value=None
    )
    mine = forms.BooleanField(label=_("Kun mine sager"), required=False)
    overdue = forms.BooleanField(label=_("Med overskredne opgaver"), required=False)
    flagged = forms.BooleanField(label=_("Med advarsler"), required=False)

    options = ("organisations",)

    def configure(self, *, organisations: list[tuple[int, str]]) -> None:  # type: ignore[override]
        field: forms.TypedChoiceField = self.fields["organisation"]  # type: ignore[assignment]
        field.choices = [("", _("Alle"))] + [(pk, name) for pk, name in organisations]


class CprSearchForm(DkfdsFormMixin, forms.Form):
    """Exact CPR search, sent by POST so the number never appears in a URL or server log."""

    cpr = forms.CharField(
        label=_("CPR-nummer"),
        max_length=20,
        help_text=_("DDMMÅÅ-XXXX. Finder kun sager, din organisation er involveret i."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": _("Skriv et CPR-nummer.")},
    )

    def clean_cpr(self) -> str:
        try:
            return cpr_normalise(self.cleaned_data["cpr"])
        except InvalidCpr as exc:
            raise forms.ValidationError(str(exc), code="invalid_cpr") from None
