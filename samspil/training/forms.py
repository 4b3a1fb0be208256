"""Forms for the training course. Every choice offered comes from what the user may see."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samspil.core.forms import DkfdsFormMixin
from samspil.organisations.models import Membership

from .models import (
    LIKERT_CHOICES,
    Course,
    Goal,
    Item,
    ItemKind,
    Offering,
    OfferingStatus,
    Presenter,
    ProgrammeDay,
    QuestionnaireItem,
)
from .services import TrainingError, check_upload

DATE_INPUT_FORMATS = ["%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%d-%m-%Y %H:%M",
    "%d.%m.%Y %H:%M",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
]
DATE_ERROR = _("Skriv datoen som dd-mm-åååå, fx 05-03-2026.")
DATETIME_ERROR = _("Skriv dato og klokkeslæt som dd-mm-åååå tt:mm, fx 05-03-2026 12:00.")
TIME_ERROR = _("Skriv klokkeslættet som tt:mm, fx 09:30.")
REQUIRED = _("Udfyld feltet.")


def _date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        help_text=kwargs.pop("help_text", _("dd-mm-åååå")),
        error_messages={"invalid": DATE_ERROR, "required": REQUIRED},
        widget=forms.DateInput(format="%d-%m-%Y", attrs={"inputmode": "numeric", "autocomplete": "off"}),
        **kwargs,
    )


def _datetime_field(label: Any, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_INPUT_FORMATS,
        help_text=kwargs.pop("help_text", _("dd-mm-åååå tt:mm")),
        error_messages={"invalid": DATETIME_ERROR, "required": REQUIRED},
        widget=forms.DateTimeInput(format="%d-%m-%Y %H:%M", attrs={"autocomplete": "off"}),
        **kwargs,
    )


def _time_field(label: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        input_formats=["%H:%M", "%H.%M"],
        help_text=_("tt:mm"),
        error_messages={"invalid": TIME_ERROR, "required": REQUIRED},
        widget=forms.TimeInput(format="%H:%M", attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class CourseForm(DkfdsFormMixin, forms.ModelForm):
    class Meta:
        model = Course
        fields = ["title", "description", "organisers", "counts_for_concerns", "valid_years"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        error_messages = {"title": {"required": REQUIRED}}


class ProgrammeDayForm(DkfdsFormMixin, forms.Form):
    number = forms.IntegerField(
        label=_("Dag nr."),
        min_value=1,
        max_value=10,
        error_messages={"required": REQUIRED, "invalid": _("Skriv et tal fra 1 til 10.")},
    )
    title = forms.CharField(label=_("Overskrift"), max_length=200, error_messages={"required": REQUIRED})


class SessionForm(DkfdsFormMixin, forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200, error_messages={"required": REQUIRED})
    starts_at = _time_field(_("Starter"))
    ends_at = _time_field(_("Slutter"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("Sessionen skal slutte efter den starter."))
        return cleaned


class ModuleForm(DkfdsFormMixin, forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200, error_messages={"required": REQUIRED})
    learning_objectives = forms.CharField(
        label=_("Læringsmål"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Hvad deltagerne kan eller ved efter modulet."),
        error_messages={"required": REQUIRED},
    )
    goals = forms.MultipleChoiceField(
        label=_("Modulet arbejder hen imod"),
        choices=Goal.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Vælg mindst ét læringsmål.")},
    )
    presenters = forms.ModelMultipleChoiceField(
        label=_("Oplægsholdere"),
        queryset=Presenter.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    order = forms.IntegerField(label=_("Rækkefølge i sessionen"), min_value=1, max_value=50, initial=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["presenters"].queryset = Presenter.objects.order_by("name")  # type: ignore[attr-defined]


class PresenterForm(DkfdsFormMixin, forms.ModelForm):
    class Meta:
        model = Presenter
        fields = ["name", "organisation", "job_title"]
        error_messages = {"name": {"required": REQUIRED}, "organisation": {"required": REQUIRED}}


class OfferingForm(DkfdsFormMixin, forms.ModelForm):
    """The offering's facts plus one date per programme day (fields ``day_<programme day id>``)."""

    registration_deadline = _datetime_field(_("Tilmeldingsfrist"))

    class Meta:
        model = Offering
        fields = [
            "title",
            "venue",
            "venue_address",
            "capacity",
            "registration_deadline",
            "max_sector_share",
            "track_sessions",
            "reminder_days_before",
            "status",
        ]
        error_messages = {
            "title": {"required": REQUIRED},
            "venue": {"required": REQUIRED},
            "capacity": {"required": REQUIRED, "invalid": _("Skriv antallet af pladser som et tal.")},
        }

    def __init__(self, *args: Any, programme_days: Sequence[ProgrammeDay], **kwargs: Any) -> None:
        self.programme_days = list(programme_days)
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = OfferingStatus.choices  # type: ignore[attr-defined]
        dates = {}
        if self.instance.pk:
            dates = {d.programme_day_id: d.date for d in self.instance.days.all()}
        for day in self.programme_days:
            name = f"day_{day.pk}"
            self.fields[name] = _date_field(
                _("Dato for dag %(number)s: %(title)s") % {"number": day.number, "title": day.title}
            )
            if day.pk in dates:
                self.initial[name] = dates[day.pk]

    def day_dates(self) -> dict[int, date]:
        return {day.pk: self.cleaned_data[f"day_{day.pk}"] for day in self.programme_days}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        dates = [cleaned.get(f"day_{day.pk}") for day in self.programme_days]
        for index in range(1, len(dates)):
            earlier, later = dates[index - 1], dates[index]
            if earlier and later and later <= earlier:
                self.add_error(
                    f"day_{self.programme_days[index].pk}",
                    _("Datoen skal ligge efter den forrige kursusdag."),
                )
        deadline = cleaned.get("registration_deadline")
        if deadline and dates and dates[-1] and timezone.localdate(deadline) > dates[-1]:
            self.add_error(
                "registration_deadline", _("Tilmeldingsfristen skal ligge senest på sidste kursusdag.")
            )
        return cleaned


def membership_label(membership: Membership) -> str:
    cooperation = membership.cooperation.name if membership.cooperation else ""
    return f"{membership.organisation.name} ({cooperation})" if cooperation else membership.organisation.name


class EnrolForm(DkfdsFormMixin, forms.Form):
    membership = forms.TypedChoiceField(
        label=_("Jeg deltager for"),
        coerce=int,
        error_messages={"invalid_choice": _("Vælg en af dine organisationer."), "required": REQUIRED},
    )

    def __init__(self, *args: Any, memberships: Sequence[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = {m.pk: m for m in memberships}
        self.fields["membership"].choices = [(m.pk, membership_label(m)) for m in memberships]  # type: ignore[attr-defined]

    def chosen(self) -> Membership:
        return self.memberships[self.cleaned_data["membership"]]


class NominateForm(DkfdsFormMixin, forms.Form):
    membership = forms.TypedChoiceField(
        label=_("Medlem"),
        coerce=int,
        error_messages={"invalid_choice": _("Vælg et medlem fra listen."), "required": _("Vælg et medlem.")},
    )

    def __init__(self, *args: Any, memberships: Sequence[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = {m.pk: m for m in memberships}
        self.fields["membership"].choices = [("", _("Vælg et medlem"))] + [  # type: ignore[attr-defined]
            (m.pk, f"{m.user.full_name} – {m.get_role_display()}, {membership_label(m)}") for m in memberships
        ]

    def chosen(self) -> Membership:
        return self.memberships[self.cleaned_data["membership"]]


class ReasonForm(DkfdsFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Begrundelse"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": REQUIRED, "min_length": _("Skriv mindst 10 tegn.")},
    )


class WaiverForm(DkfdsFormMixin, forms.Form):
    membership = forms.TypedChoiceField(
        label=_("Medlem"),
        coerce=int,
        error_messages={"invalid_choice": _("Vælg et medlem fra listen."), "required": _("Vælg et medlem.")},
    )
    reason = forms.CharField(
        label=_("Begrundelse"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Fx: tilmeldt næste hold; har tilsvarende uddannelse fra tidligere stilling."),
        error_messages={"required": REQUIRED, "min_length": _("Skriv mindst 10 tegn.")},
    )
    expires_on = _date_field(_("Fritagelsen udløber"), help_text=_("dd-mm-åååå, højst et år frem"))

    def __init__(self, *args: Any, memberships: Sequence[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = {m.pk: m for m in memberships}
        self.fields["membership"].choices = [("", _("Vælg et medlem"))] + [  # type: ignore[attr-defined]
            (m.pk, f"{m.user.full_name} – {membership_label(m)}") for m in memberships
        ]

    def chosen(self) -> Membership:
        return self.memberships[self.cleaned_data["membership"]]


OPTION_COUNT = 6


class ItemForm(DkfdsFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Spørgsmål"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": REQUIRED},
    )
    kind = forms.ChoiceField(label=_("Type"), choices=ItemKind.choices)
    goal = forms.ChoiceField(
        label=_("Læringsmål"),
        choices=[("", _("Intet – evalueringsspørgsmål")), *Goal.choices],
        required=False,
        help_text=_("Før- og eftermålingen bruger kun spørgsmål med et læringsmål."),
    )
    is_active = forms.BooleanField(label=_("I brug"), required=False, initial=True)
    key = forms.TypedChoiceField(
        label=_("Rigtigt svar"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", _("Vælg svarmulighed"))]
        + [(i, _("Svarmulighed %(n)s") % {"n": i + 1}) for i in range(OPTION_COUNT)],
        help_text=_("Kun for flervalg."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(OPTION_COUNT):
            self.fields[f"option_{i}"] = forms.CharField(
                label=_("Svarmulighed %(n)s") % {"n": i + 1}, max_length=300, required=False
            )
            self.fields[f"option_{i}"].widget.attrs["class"] = "form-input"

    @classmethod
    def initial_for(cls, item: Item) -> dict[str, Any]:
        options = list(item.options.all())
        initial: dict[str, Any] = {
            "text": item.text,
            "kind": item.kind,
            "goal": item.goal,
            "is_active": item.is_active,
        }
        for i, option in enumerate(options):
            initial[f"option_{i}"] = option.text
            if option.is_correct:
                initial["key"] = i
        return initial

    def options(self) -> list[str]:
        return [self.cleaned_data.get(f"option_{i}", "") for i in range(OPTION_COUNT)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == ItemKind.MULTIPLE_CHOICE:
            options = [cleaned.get(f"option_{i}", "").strip() for i in range(OPTION_COUNT)]
            filled = [o for o in options if o]
            if len(filled) < 2:
                self.add_error("option_0", _("Et flervalgsspørgsmål skal have mindst 2 svarmuligheder."))
            key = cleaned.get("key")
            if key is None or not options[key]:
                self.add_error("key", _("Vælg en udfyldt svarmulighed som det rigtige svar."))
        return cleaned

    def compact(self) -> tuple[list[str], int | None]:
        """Filled options in order and the key as an index into them."""
        options = self.options()
        key = self.cleaned_data.get("key")
        filled = [(i, o.strip()) for i, o in enumerate(options) if o and o.strip()]
        index = next((n for n, (i, _o) in enumerate(filled) if i == key), None)
        return [o for _i, o in filled], index


class QuestionnaireForm(DkfdsFormMixin, forms.Form):
    opens_at = _datetime_field(_("Åbner"))
    deadline = _datetime_field(_("Frist"))
    items = forms.MultipleChoiceField(
        label=_("Spørgsmål"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Vælg mindst ét spørgsmål.")},
    )

    def __init__(self, *args: Any, items: Sequence[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item_map = {str(item.pk): item for item in items}
        self.fields["items"].choices = [  # type: ignore[attr-defined]
            (str(item.pk), f"[{item.get_goal_display() or _('Evaluering')}] {item.text}") for item in items
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opens, deadline = cleaned.get("opens_at"), cleaned.get("deadline")
        if opens and deadline and deadline <= opens:
            self.add_error("deadline", _("Fristen skal ligge efter, at spørgeskemaet åbner."))
        return cleaned

    def chosen_items(self) -> list[Item]:
        return [self.item_map[pk] for pk in self.cleaned_data["items"]]


class AnswerForm(forms.Form):
    """One radio group per item; nothing is pre-selected and every item must be answered."""

    def __init__(
        self, *args: Any, entries: Sequence[QuestionnaireItem], with_comment: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.entries = list(entries)
        for number, entry in enumerate(self.entries, start=1):
            item = entry.item
            choices: list[tuple[str, Any]]
            if item.kind == ItemKind.MULTIPLE_CHOICE:
                choices = [(str(o.pk), o.text) for o in item.options.all()]
            else:
                choices = [(str(v), label) for v, label in LIKERT_CHOICES]
            self.fields[f"item_{item.pk}"] = forms.TypedChoiceField(
                label=f"{number}. {item.text}",
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-radio"}),
                error_messages={"required": _("Vælg et svar."), "invalid_choice": _("Vælg et af svarene.")},
            )
        if with_comment:
            self.fields["comment"] = forms.CharField(
                label=_("Kommentar til kurset"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 4, "class": "form-input"}),
                help_text=_("Skriv ikke oplysninger om borgere eller kolleger."),
            )

    def answers(self) -> dict[int, int]:
        return {entry.item.pk: self.cleaned_data[f"item_{entry.item.pk}"] for entry in self.entries}


class MaterialForm(DkfdsFormMixin, forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200, error_messages={"required": REQUIRED})
    file = forms.FileField(
        label=_("Fil"),
        help_text=_("PDF, PowerPoint (PPTX), Word (DOCX), PNG eller JPEG."),
        error_messages={"required": _("Vælg en fil."), "empty": _("Filen er tom.")},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload)
        except TrainingError as error:
            raise forms.ValidationError(error.message) from error
        return upload


class ExternalCourseForm(DkfdsFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("Medlemmets e-mail"),
        error_messages={"required": REQUIRED, "invalid": _("Skriv en gyldig e-mailadresse.")},
    )
    completed_on = _date_field(_("Kurset blev gennemført"))
    reason = forms.CharField(
        label=_("Hvilket kursus og hvor"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": REQUIRED, "min_length": _("Skriv mindst 10 tegn.")},
    )


class VerifyForm(forms.Form):
    kode = forms.CharField(
        label=_("Kode fra kursusbeviset"),
        max_length=40,
        help_text=_("16 tegn, fx ABCD-EFGH-JKLM-NPQR"),
        widget=forms.TextInput(attrs={"class": "form-input", "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Skriv koden fra kursusbeviset.")},
    )
