"""Forms of the cooperation pages. They parse and check input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from samspil.accounts.models import User
from samspil.core.forms import DkfdsFormMixin
from samspil.core.roles import Role

from .legal_bases import LEGAL_BASES, OPTIONAL_CASE_FIELDS
from .models import COOPERATION_ROLES, Cooperation, CooperationGroup, GroupKind, Organisation, Sector
from .selectors import cooperation_groups
from .services import GroupChange

ROLE_CHOICES = [(role, Role(role).label) for role in COOPERATION_ROLES]


class ConfiguredForm(forms.Form):
    """Calls ``configure()`` as soon as the fields exist.

    DkfdsFormMixin validates bound data in its ``__init__`` to mark invalid fields, so choices that
    depend on the cooperation must be in place before that: list this class after the mixin.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.configure()

    def configure(self) -> None:
        """Set querysets and choices that depend on the arguments stored before ``__init__``."""


class CooperationSettingsForm(DkfdsFormMixin, ConfiguredForm):
    """Cadence, legal bases, retention, optional fields and member organisations of one cooperation.

    ``version`` is the configuration version the form was opened with (optimistic locking).
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    meetings_per_year = forms.IntegerField(
        label=_("Møder om året i samarbejdet"), min_value=1, max_value=52,
        help_text=_("Typisk 8-12 møder om året."),
    )
    enabled_legal_bases = forms.MultipleChoiceField(
        label=_("Hjemmelsgrundlag i brug"),
        choices=[(b.code, f"{b.citation} – {b.label}") for b in LEGAL_BASES],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        required=False,
        help_text=_("Den endelige regelsamling bekræftes af jeres juridiske rådgiver."),
    )
    anonymous_discussion_retention_days = forms.IntegerField(
        label=_("Anonyme drøftelser slettes efter (dage)"), min_value=1, max_value=365
    )
    closed_case_retention_years = forms.IntegerField(
        label=_("Lukkede sager slettes efter (år)"), min_value=1, max_value=30
    )
    shown_optional_fields = forms.MultipleChoiceField(
        label=_("Valgfrie felter på sager"),
        choices=[(f.code, f.label) for f in OPTIONAL_CASE_FIELDS],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        required=False,
        help_text=_("Vis kun de felter, I har brug for (dataminimering)."),
    )
    kept_organisations = forms.ModelMultipleChoiceField(
        label=_("Medlemsorganisationer"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        required=False,
        help_text=_("Fjern fluebenet for at fjerne en organisation. Kommunen er altid med."),
    )
    add_organisation = forms.TypedChoiceField(
        label=_("Tilføj en organisation"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, cooperation: Cooperation, members: list[Organisation],
                 addable: list[Organisation], **kwargs: Any) -> None:
        self.cooperation = cooperation
        self._members = members
        self._addable = {o.pk: o for o in addable}
        super().__init__(*args, **kwargs)

    def configure(self) -> None:
        kept = self.fields["kept_organisations"]
        kept.queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in self._members if o.pk != self.cooperation.municipality_id]
        )
        kept.label_from_instance = lambda o: f"{o.name} ({Sector(o.sector).label})"  # type: ignore[attr-defined]
        grouped: dict[str, list[tuple[int, str]]] = {}
        for organisation in self._addable.values():
            sector = str(Sector(organisation.sector).label)
            grouped.setdefault(sector, []).append((organisation.pk, organisation.name))
        self.fields["add_organisation"].choices = [  # type: ignore[attr-defined]
            ("", _("Vælg en organisation")), *grouped.items()
        ]

    def organisations(self) -> list[Organisation]:
        """The member organisations after this save: the municipality, the kept ones and the added one."""
        chosen = [self.cooperation.municipality, *self.cleaned_data["kept_organisations"]]
        added = self.cleaned_data.get("add_organisation")
        if added is not None:
            chosen.append(self._addable[added])
        return chosen

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "meetings_per_year": data["meetings_per_year"],
            "enabled_legal_bases": data["enabled_legal_bases"],
            "anonymous_discussion_retention_days": data["anonymous_discussion_retention_days"],
            "closed_case_retention_years": data["closed_case_retention_years"],
            "shown_optional_fields": data["shown_optional_fields"],
            "organisations": self.organisations(),
        }


class GroupRowForm(DkfdsFormMixin, forms.Form):
    """One group on the configuration page; an empty row adds nothing."""

    group_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=GroupKind.choices, initial=GroupKind.OTHER)
    name = forms.CharField(label=_("Navn"), max_length=150)
    meetings_per_year = forms.IntegerField(label=_("Møder om året"), min_value=1, max_value=52, initial=10)
    # A field of its own rather than the formset's can_delete: DkfdsFormMixin validates the form as it
    # is built, before a formset would add its DELETE field.
    remove = forms.BooleanField(label=_("Fjern gruppen"), required=False)

    def change(self) -> GroupChange:
        data = self.cleaned_data
        return GroupChange(
            id=data.get("group_id"),
            kind=data["kind"],
            name=data["name"].strip(),
            meetings_per_year=data["meetings_per_year"],
        )


class BaseGroupFormSet(forms.BaseFormSet):
    @staticmethod
    def _removed(form: forms.Form) -> bool:
        return bool(form.cleaned_data.get("remove"))

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        names = [
            form.cleaned_data["name"].strip().casefold()
            for form in self.forms
            if form.cleaned_data.get("name") and not self._removed(form)
        ]
        if len(names) != len(set(names)):
            raise forms.ValidationError(_("To grupper kan ikke have samme navn."))

    def changes(self) -> list[GroupChange]:
        """The rows the user changed, added or marked for removal (untouched rows are left out)."""
        result = []
        for form in self.forms:
            if not form.has_changed():
                continue
            data = form.cleaned_data
            if self._removed(form):
                if data.get("group_id"):
                    result.append(GroupChange(id=data["group_id"], kind=GroupKind.OTHER, name="",
                                              meetings_per_year=1, delete=True))
                continue
            result.append(form.change())
        return result


GroupFormSet = forms.formset_factory(GroupRowForm, formset=BaseGroupFormSet, extra=1)


def group_initial(groups: list[CooperationGroup]) -> list[dict[str, Any]]:
    return [
        {"group_id": g.pk, "kind": g.kind, "name": g.name, "meetings_per_year": g.meetings_per_year}
        for g in groups
    ]


class MembershipChangeForm(DkfdsFormMixin, ConfiguredForm):
    role = forms.ChoiceField(label=_("Rolle"), choices=ROLE_CHOICES)
    groups = forms.ModelMultipleChoiceField(
        label=_("Grupper"),
        queryset=CooperationGroup.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        required=False,
    )

    def __init__(self, *args: Any, cooperation: Cooperation, **kwargs: Any) -> None:
        self.cooperation = cooperation
        super().__init__(*args, **kwargs)

    def configure(self) -> None:
        self.fields["groups"].queryset = cooperation_groups(self.cooperation)  # type: ignore[attr-defined]


class InvitationForm(DkfdsFormMixin, ConfiguredForm):
    full_name = forms.CharField(label=_("Navn"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    role = forms.ChoiceField(label=_("Rolle"), choices=ROLE_CHOICES, initial=Role.KEY_MEMBER)

    def __init__(self, *args: Any, cooperation: Cooperation, **kwargs: Any) -> None:
        self.cooperation = cooperation
        super().__init__(*args, **kwargs)

    def configure(self) -> None:
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            participations__cooperation=self.cooperation
        ).order_by("name")
        self.fields["organisation"].empty_label = _("Vælg organisation")  # type: ignore[attr-defined]


class NewAccountForm(DkfdsFormMixin, forms.Form):
    """The invitee chooses a password for their new account."""

    full_name = forms.CharField(label=_("Dit navn"), max_length=150)
    password1 = forms.CharField(
        label=_("Vælg en adgangskode"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Mindst 12 tegn. Brug gerne en sætning, du kan huske."),
    )
    password2 = forms.CharField(
        label=_("Gentag adgangskoden"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("De to adgangskoder er ikke ens."))
        elif first:
            candidate = User(email=self.email, full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ExistingAccountForm(DkfdsFormMixin, forms.Form):
    """An invitee who already has an account proves it with their password."""

    password = forms.CharField(
        label=_("Din adgangskode"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
