"""Password storage and rules in the production settings."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

import config.settings.base as production_base


def test_password_hashers__start_with_argon2() -> None:
    assert production_base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_password_validators__accept_a_64_character_passphrase() -> None:
    passphrase = "hvid hest galopperer langs vestkystens klitter ved solnedgang nu"
    assert len(passphrase) == 64
    validate_password(passphrase)


def test_password_validators__accept_256_but_refuse_257_characters_in_danish() -> None:
    validate_password("k" * 200 + "orrekt-hest-batteri-" * 2 + "x" * 16)
    with pytest.raises(ValidationError) as refused:
        validate_password("a-bc" * 64 + "d")
    assert refused.value.messages == ["Adgangskoden må højst have 256 tegn."]


def test_password_validators__refuse_a_common_password() -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password("password1234")
    assert [e.code for e in refused.value.error_list] == ["password_too_common"]


def test_password_validators__refuse_a_short_password() -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password("Kort-1234")
    assert [e.code for e in refused.value.error_list] == ["password_too_short"]
