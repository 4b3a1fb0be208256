"""Forms for meetings. Few required fields; Danish messages; a refused save keeps what was typed.

Choices (people, organisations, cases, meetings) are given by the view as ``(id, label)`` pairs read
through the selectors, so no form ever queries personal data itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samspil.core.forms import DkfdsFormMixin

from .models import AgreementType, AttendanceStatus, DischargeRequester, DischargeTiming, ReviewOutcome

DATE_INPUT_FORMATS = ["%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d-%m-%Y %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]
REQUIRED = _("Feltet skal udfyldes.")
Choices = Sequence[tuple[Any, Any]]


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
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": REQUIRED, "max_length": _too_long()},
    )


def _line(label: Any, max_length: int, *, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        strip=True,
        error_messages={"required": REQUIRED, "max_length": _too_long()},
    )


def _date(label: Any, *, required: bool = True, help_text: Any = None) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        help_text=help_text if help_text is not None else _("dd-mm-åååå"),
        error_messages={"invalid": _("Skriv datoen som dd-mm-åååå, fx 05-03-2026."), "required": REQUIRED},
        widget=forms.DateInput(format="%d-%m-%Y", attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def _time(label: Any, *, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        input_formats=["%H:%M", "%H.%M"],
        help_text=_("tt:mm"),
        error_messages={"invalid": _("Skriv klokkeslættet som tt:mm, fx 09:30."), "required": REQUIRED},
        widget=forms.TimeInput(format="%H:%M", attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def _choice(label: Any, *, required: bool = True, help_text: Any = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        required=required,
        coerce=int,
        empty_value=None,
        help_text=help_text,
        error_messages={"required": REQUIRED, "invalid_choice": _("Vælg fra listen.")},
    )


class _Form(DkfdsFormMixin, forms.Form):
    """Takes ``choices={field: [(id, label), ...]}`` and sets them on the fields right after they exist."""

    def __init__(self, *args: Any, choices: dict[str, Choices] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for each in self.fields.values():
            each.widget.attrs.pop("maxlength", None)  # let the server say the text is too long, not cut it
        for name, options in (choices or {}).items():
            field: forms.ChoiceField = self.fields[name]  # type: ignore[assignment]
            if isinstance(field.widget, forms.RadioSelect):
                field.choices = list(options)
            else:
                field.choices = [("", _("Vælg")), *options]


class SeriesForm(_Form):
    group = _choice(_("Gruppe"), help_text=_("Mødekadencen følger gruppens opsætning (møder om året)."))
    name = _line(_("Navn"), 150, required=False, help_text=_("Gruppens navn, hvis du ikke skriver et."))
    default_place = _line(_("Fast mødested"), 200, required=False)
    default_start = _time(_("Fast mødetidspunkt"))
    default_duration_minutes = forms.IntegerField(
        label=_("Varighed (minutter)"),
        min_value=15,
        max_value=600,
        initial=120,
        error_messages={"required": REQUIRED, "invalid": _("Skriv et antal minutter.")},
    )


class MeetingForm(_Form):
    date = _date(_("Dato"))
    start = _time(_("Starttidspunkt"))
    end = _time(_("Sluttidspunkt"), required=False)
    place = _line(_("Sted"), 200, required=False, help_text=_("Et mødested, et videolink eller begge."))
    video_link = forms.URLField(
        label=_("Videolink"),
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": _("Skriv en gyldig adresse, fx https://video.eksempel.dk/moede.")},
    )
    chair = _choice(_("Mødeleder"), required=False)
    secretary = _choice(_("Referent"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def starts_at(self) -> datetime:
        data = self.cleaned_data
        return timezone.make_aware(datetime.combine(data["date"], data["start"]))

    def ends_at(self) -> datetime | None:
        data = self.cleaned_data
        return timezone.make_aware(datetime.combine(data["date"], data["end"])) if data.get("end") else None


class ProposeForm(_Form):
    meeting = _choice(_("Møde"))
    reason = _text(
        _("Kort begrundelse"),
        1000,
        rows=3,
        help_text=_("Hvad skal mødet tage stilling til? Skriv ikke navn, CPR-nummer eller adresse."),
    )


class AgendaAddForm(_Form):
    case = _choice(_("Sag"), required=False, help_text=_("En sag eller anonym drøftelse i samarbejdet."))
    theme = _line(
        _("Eller et tema uden borgere"),
        200,
        required=False,
        help_text=_("Fx »Statistik for første halvår« eller »Samarbejdsaftale med psykiatrien«."),
    )
    reason = _text(_("Begrundelse"), 1000, required=False, rows=3)


class AttendanceAddForm(_Form):
    organisation = _choice(_("Organisation"))
    person = _choice(
        _("Person"),
        required=False,
        help_text=_("Tom: organisationen er ikke mødt, men har sendt afbud eller oplysninger."),
    )
    status = forms.ChoiceField(
        label=_("Fremmøde"), choices=[c for c in AttendanceStatus.choices if c[0] != AttendanceStatus.INVITED]
    )
    note = _line(_("Bemærkning"), 300, required=False)


class DecisionForm(_Form):
    text = _text(_("Beslutning"), 2000, rows=3)
    for_feedback = forms.BooleanField(
        label=_("Send som tilbagemelding til den, der rejste sagen"),
        required=False,
        help_text=_("Teksten vises for frontmedarbejderen i Samspil. Skriv den uden navne og numre."),
    )


class ActionForm(_Form):
    organisation = _choice(_("Ansvarlig organisation"))
    owner = _choice(_("Ansvarlig person"), required=False)
    what = _text(_("Handling"), 300, rows=2)
    due_date = _date(_("Frist"), required=False)


class ReviewForm(_Form):
    outcome = forms.ChoiceField(
        label=_("Udfald"),
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Vælg et udfald.")},
    )
    reason = _text(
        _("Begrundelse"),
        2000,
        rows=3,
        help_text=_("Hvorfor: hvad blev gjort, hvad ændrede sig, eller hvorfor blev det ikke gjort?"),
    )


class CloseForm(_Form):
    defer_reason = _text(
        _("Begrundelse for at udskyde de handlinger, der ikke er fulgt op"),
        2000,
        required=False,
        rows=2,
        help_text=_("Kun hvis der er handlinger tilbage. De kommer igen på næste møde."),
    )


class AddendumForm(_Form):
    item = _choice(_("Punkt"), required=False)
    text = _text(_("Tilføjelse"), 5000, rows=5)


class DischargeRequestForm(_Form):
    requested_by_party = forms.ChoiceField(
        label=_("Hvem har bedt om mødet?"),
        choices=DischargeRequester.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Vælg, hvem der har bedt om mødet.")},
    )
    timing = forms.ChoiceField(
        label=_("Mødet holdes"),
        choices=DischargeTiming.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Vælg, om mødet er før eller efter udskrivning.")},
    )
    requested_on = _date(
        _("Anmodningen kom den"),
        required=False,
        help_text=_("dd-mm-åååå. Tom: i dag. Fristen er 5 arbejdsdage derefter."),
    )


class DischargeScheduleForm(_Form):
    date = _date(_("Dato"))
    start = _time(_("Klokkeslæt"))
    place = _line(_("Sted"), 200)


class DischargeRecordForm(_Form):
    citizen_participates = forms.BooleanField(label=_("Borgeren deltog i mødet"), required=False)
    agreement_type = forms.ChoiceField(
        label=_("Resultat"),
        choices=AgreementType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Vælg udskrivningsaftale eller koordinationsplan.")},
    )
    organisations = forms.TypedMultipleChoiceField(
        label=_("Deltagende organisationer"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Vælg de organisationer, der deltog.")},
    )
    other_participants = _line(
        _("Andre deltagere"),
        300,
        required=False,
        help_text=_("Fx pårørende eller bisidder. Skriv roller, ikke navne."),
    )
    agreement_summary = _text(_("Aftalens eller planens hovedpunkter"), 4000, rows=6)
