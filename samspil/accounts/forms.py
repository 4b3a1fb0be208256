from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from samspil.core.forms import DkfdsFormMixin

PASSWORD_MAX_LENGTH = 256  # matches the password validator; longer input is never a valid password

CODE_HELP = _("Seks cifre fra godkenderappen, eller en af dine reservekoder.")


class LoginForm(DkfdsFormMixin, forms.Form):
    """E-mail and password. The field is named ``username`` because django-axes reads it by that name."""

    username = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Adgangskode"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        attrs = {"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)


class MfaForm(DkfdsFormMixin, forms.Form):
    code = CodeField(label=_("Kode"), help_text=CODE_HELP)


class TotpConfirmForm(DkfdsFormMixin, forms.Form):
    code = CodeField(
        label=_("Kode fra godkenderappen"),
        help_text=_("Skriv de seks cifre, som appen viser nu."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    name = forms.CharField(
        label=_("Navn på enheden"),
        help_text=_("Så du kan kende den igen, fx “Arbejdstelefon”."),
        max_length=64,
        required=False,
    )


class SudoForm(DkfdsFormMixin, forms.Form):
    password = forms.CharField(
        label=_("Adgangskode"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = CodeField(
        label=_("Kode fra godkenderappen"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ProfileForm(DkfdsFormMixin, forms.Form):
    full_name = forms.CharField(label=_("Navn"), max_length=150)
    preferred_language = forms.ChoiceField(label=_("Sprog"), choices=settings.LANGUAGES)

    def clean_full_name(self) -> str:
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise ValidationError(_("Skriv dit navn."), code="required")
        return name


class PasswordChangeForm(DkfdsFormMixin, auth_forms.PasswordChangeForm):
    """Django's form (current password, new password twice, the configured validators), except that
    the current password is checked through ``authenticate`` so wrong guesses count toward the lockout."""

    def __init__(self, user: Any, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        self.request = request
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = _("Nuværende adgangskode")
        self.fields["new_password1"].label = _("Ny adgangskode")
        self.fields["new_password2"].label = _("Gentag den nye adgangskode")
        # A longer current password cannot be right; refusing it early spares the hasher.
        self.fields["old_password"].validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))
        self.fields["new_password1"].help_text = _(
            "Mindst 12 tegn. Brug gerne en lang sætning; op til 256 tegn er tilladt. Undgå almindelige "
            "adgangskoder og din e-mailadresse."
        )

    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        user = authenticate(request=self.request, username=self.user.get_username(), password=old_password)
        if user is None or user.pk != self.user.pk:
            raise ValidationError(_("Den nuværende adgangskode er forkert."), code="password_incorrect")
        return old_password
