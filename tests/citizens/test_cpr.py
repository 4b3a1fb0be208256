"""CPR numbers: format, date part and century rules, encryption at rest, keyed look-up, masking."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given, settings
from hypothesis import strategies as st

from samspil.citizens.cpr import (
    InvalidCpr,
    cpr_birth_date,
    cpr_century,
    cpr_decrypt,
    cpr_encrypt,
    cpr_format,
    cpr_lookup_hash,
    cpr_mask,
    cpr_normalise,
    fictitious_cpr,
)


@pytest.mark.parametrize(
    ("raw", "digits", "born"),
    [
        ("010190-1234", "0101901234", date(1990, 1, 1)),
        ("0101901234", "0101901234", date(1990, 1, 1)),
        (" 010190 - 1234 ", "0101901234", date(1990, 1, 1)),
        ("150536-4123", "1505364123", date(2036, 5, 15)),  # 4: <= 36 -> 2000s
        ("150537-4123", "1505374123", date(1937, 5, 15)),  # 4: > 36 -> 1900s
        ("150536-9123", "1505369123", date(2036, 5, 15)),  # 9: <= 36 -> 2000s
        ("150599-9123", "1505999123", date(1999, 5, 15)),  # 9: > 36 -> 1900s
        ("150557-5123", "1505575123", date(2057, 5, 15)),  # 5-8: <= 57 -> 2000s
        ("150558-8123", "1505588123", date(1858, 5, 15)),  # 5-8: > 57 -> 1800s
        ("150510-3123", "1505103123", date(1910, 5, 15)),  # 0-3 -> 1900s
        ("290204-4000", "2902044000", date(2004, 2, 29)),  # leap day in 2004
        ("311299-0000", "3112990000", date(1999, 12, 31)),
    ],
)
def test_cpr_normalise__accepts_valid_numbers_and_derives_the_birth_date(
    raw: str, digits: str, born: date
) -> None:
    assert cpr_normalise(raw) == digits
    assert cpr_birth_date(digits) == born


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "010190-123",  # nine digits
        "010190-12345",  # eleven digits
        "010190/1234",  # wrong separator
        "01019O-1234",  # letter O
        "320190-1234",  # day 32
        "000190-1234",  # day 0
        "011390-1234",  # month 13
        "010090-1234",  # month 0
        "310490-1234",  # 31 April
        "290201-4123",  # 29-02-2001
        "290200-0123",  # 29-02-1900: 1900 was no leap year (7th digit 0 -> 1900s)
        "01-01-90-1234",
    ],
)
def test_cpr_normalise__refuses_invalid_numbers_with_a_danish_message(raw: str) -> None:
    with pytest.raises(InvalidCpr) as raised:
        cpr_normalise(raw)
    assert "CPR-nummer" in str(raised.value) or "dato" in str(raised.value)


def test_cpr_normalise__does_not_apply_the_modulus_11_rule() -> None:
    # 0101901234 fails modulus 11 (weighted sum 100 is not divisible by 11) and is still accepted.
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    assert sum(int(d) * w for d, w in zip("0101901234", weights, strict=True)) % 11 != 0
    assert cpr_normalise("010190-1234") == "0101901234"


@pytest.mark.parametrize(
    ("year", "seventh", "century"),
    [(0, 0, 1900), (99, 3, 1900), (36, 4, 2000), (37, 4, 1900), (36, 9, 2000), (37, 9, 1900),
     (57, 5, 2000), (58, 5, 1800), (57, 8, 2000), (99, 8, 1800)],
)
def test_cpr_century__follows_the_cpr_office_rules(year: int, seventh: int, century: int) -> None:
    assert cpr_century(year, seventh) == century


def test_cpr_format_and_mask__show_the_date_part_only_when_masked() -> None:
    assert cpr_format("0101901234") == "010190-1234"
    assert cpr_mask("0101901234") == "010190-XXXX"


digits_strategy = st.dates(min_value=date(1900, 1, 2), max_value=date(2036, 12, 31)).filter(
    lambda d: (d.month, d.day) != (1, 1)
).map(lambda d: fictitious_cpr(d, random.Random(d.toordinal())))


@settings(max_examples=60, deadline=None)
@given(digits=digits_strategy)
def test_cpr_encrypt__round_trips_and_the_lookup_hash_is_stable(digits: str) -> None:
    first, second = cpr_encrypt(digits), cpr_encrypt(digits)
    assert cpr_decrypt(first) == digits
    assert cpr_decrypt(second) == digits
    assert first != second  # random nonce: the same number never gives the same ciphertext
    assert digits.encode() not in first
    assert cpr_lookup_hash(digits) == cpr_lookup_hash(digits)
    assert len(cpr_lookup_hash(digits)) == 64


def test_cpr_lookup_hash__differs_between_numbers_and_depends_on_the_key(settings) -> None:  # type: ignore[no-untyped-def]
    before = cpr_lookup_hash("0101901234")
    assert before != cpr_lookup_hash("0101901235")
    settings.SAMSPIL_CPR_LOOKUP_KEY = "b3RoZXItdGVzdC1vbmx5LU5PVC1TRUNSRVQta2V5ISE="
    assert cpr_lookup_hash("0101901234") != before


def test_cpr_decrypt__refuses_a_tampered_ciphertext() -> None:
    blob = bytearray(cpr_encrypt("0101901234"))
    blob[-1] ^= 1
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        cpr_decrypt(bytes(blob))


@pytest.mark.parametrize("setting", ["SAMSPIL_CPR_KEY", "SAMSPIL_CPR_LOOKUP_KEY"])
def test_cpr_keys__missing_key_is_improperly_configured_at_use_time(settings, setting: str) -> None:  # type: ignore[no-untyped-def]
    setattr(settings, setting, None)
    with pytest.raises(ImproperlyConfigured):
        cpr_encrypt("0101901234") if setting == "SAMSPIL_CPR_KEY" else cpr_lookup_hash("0101901234")


def test_cpr_keys__a_key_of_the_wrong_length_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SAMSPIL_CPR_KEY = "c2hvcnQ="  # "short"
    with pytest.raises(ImproperlyConfigured):
        cpr_encrypt("0101901234")


@pytest.mark.parametrize("born", [date(1935, 6, 14), date(1984, 3, 7), date(1999, 12, 31), date(2004, 2, 29)])
def test_fictitious_cpr__is_valid_fails_modulus_11_and_keeps_the_birth_date(born: date) -> None:
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    for seed in range(20):
        digits = fictitious_cpr(born, random.Random(seed))
        assert cpr_normalise(digits) == digits
        assert cpr_birth_date(digits) == born
        assert sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 != 0
        assert digits[6] == ("0" if born.year < 1937 else "9")


def test_fictitious_cpr__avoids_the_first_of_january() -> None:
    with pytest.raises(ValueError):
        fictitious_cpr(date(1980, 1, 1))
