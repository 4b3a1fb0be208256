"""CPR numbers: validation, encryption at rest, keyed look-up, masking, and fictitious numbers for demos.

A CPR number is ten digits, DDMMYY-SSSS. The date part must be a real date; the century follows from the
seventh digit (the first of the serial number) by the CPR office's rules:

    7th digit 0-3: 1900-1999
    7th digit 4, 9: 2000-2036 when YY <= 36, otherwise 1937-1999
    7th digit 5-8: 2000-2057 when YY <= 57, otherwise 1858-1899

There is no modulus-11 check: numbers without it have been issued since 2007, so the check would refuse
real people.

Stored numbers are encrypted with AES-GCM (key ``SAMSPIL_CPR_KEY``; random 96-bit nonce per encryption, so
the same number never gives the same ciphertext) and found by exact match through HMAC-SHA256 with a
separate key (``SAMSPIL_CPR_LOOKUP_KEY``). Both keys are base64 of 32 bytes from the environment; there is
no default outside the demo and test settings. A number must never reach a URL, a log line or an audit
row: code that handles one keeps it in local variables and forms only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import random
import re
from datetime import date

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

_INPUT = re.compile(r"^(\d{6})-?(\d{4})$")
_VERSION = b"\x01"  # first byte of every ciphertext: lets a later key rotation tell old from new
_AAD = b"samspil.citizen.cpr.v1"
_NONCE_BYTES = 12

_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


class InvalidCpr(ValueError):
    """The text is not a valid CPR number; ``str(exc)`` is a Danish message for the person typing it."""


def cpr_normalise(raw: str) -> str:
    """Ten digits from "DDMMYY-SSSS" or "DDMMYYSSSS" (surrounding and inner spaces are ignored).

    Raises InvalidCpr for anything else or for an impossible date part.
    """
    text = "".join((raw or "").split())
    match = _INPUT.match(text)
    if match is None:
        raise InvalidCpr(_("Et CPR-nummer har 10 cifre og skrives DDMMÅÅ-XXXX eller DDMMÅÅXXXX."))
    digits = match.group(1) + match.group(2)
    cpr_birth_date(digits)
    return digits


def cpr_century(year_digits: int, seventh_digit: int) -> int:
    """The century (1800, 1900 or 2000) of a two-digit year, from the serial number's first digit."""
    if seventh_digit <= 3:
        return 1900
    if seventh_digit in (4, 9):
        return 2000 if year_digits <= 36 else 1900
    return 2000 if year_digits <= 57 else 1800


def cpr_birth_date(digits: str) -> date:
    """The birth date encoded in ten normalised digits; InvalidCpr if the date does not exist."""
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    full_year = cpr_century(year, int(digits[6])) + year
    try:
        return date(full_year, month, day)
    except ValueError:
        raise InvalidCpr(
            _("Datodelen af CPR-nummeret (de første 6 cifre) er ikke en gyldig dato.")
        ) from None


def cpr_format(digits: str) -> str:
    return f"{digits[:6]}-{digits[6:]}"


def cpr_mask(digits: str) -> str:
    """The date part only, as shown by default: DDMMYY-XXXX."""
    return f"{digits[:6]}-XXXX"


def _key(setting: str) -> bytes:
    raw = getattr(settings, setting, None)
    if not raw:
        raise ImproperlyConfigured(f"Set {setting} (base64 of 32 random bytes) to handle CPR numbers.")
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{setting} is not valid base64.") from None
    if len(key) != 32:
        raise ImproperlyConfigured(f"{setting} must decode to exactly 32 bytes.")
    return key


def cpr_encrypt(digits: str) -> bytes:
    """AES-256-GCM ciphertext of a normalised number: version byte, random nonce, ciphertext+tag."""
    nonce = os.urandom(_NONCE_BYTES)
    return _VERSION + nonce + AESGCM(_key("SAMSPIL_CPR_KEY")).encrypt(nonce, digits.encode("ascii"), _AAD)


def cpr_decrypt(blob: bytes | memoryview) -> str:
    data = bytes(blob)
    if data[:1] != _VERSION:
        raise ValueError("Unknown CPR ciphertext version.")
    nonce, ciphertext = data[1 : 1 + _NONCE_BYTES], data[1 + _NONCE_BYTES :]
    return AESGCM(_key("SAMSPIL_CPR_KEY")).decrypt(nonce, ciphertext, _AAD).decode("ascii")


def cpr_lookup_hash(digits: str) -> str:
    """HMAC-SHA256 (hex) of a normalised number with the look-up key: equal numbers, equal hashes."""
    return hmac.new(_key("SAMSPIL_CPR_LOOKUP_KEY"), digits.encode("ascii"), hashlib.sha256).hexdigest()


def _passes_modulus_11(digits: str) -> bool:
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11 == 0


def _seventh_digit_for(year: int) -> int:
    if 1900 <= year <= 1999:
        return 0 if year < 1937 else 9
    if 2000 <= year <= 2036:
        return 9
    raise ValueError("Fictitious CPR numbers are made for birth years 1900-2036.")


def fictitious_cpr(birth_date: date, rng: random.Random | None = None) -> str:
    """A fictitious CPR number (ten digits) for tests and demo data.

    Rules, so that the numbers are unlikely ever to belong to a real person:
    - the birth date is a made-up one and never 1 January (the date used for people whose real birth
      date is unknown, which is where numbers ran short first);
    - the serial number lies in 9000-9999 (or 0000-0999 for births before 1937, which the century rule
      requires) and is chosen so that the modulus-11 check FAILS. Every number issued before 2007
      passed that check, and numbers without it have only been issued where a birth date's valid serials
      ran out.
    The numbers are generated, not looked up; they are fictitious and never checked against the CPR
    register.
    """
    if birth_date.month == 1 and birth_date.day == 1:
        raise ValueError("Fictitious CPR numbers avoid 1 January.")
    rng = rng or random.Random()
    seventh = _seventh_digit_for(birth_date.year)
    date_part = birth_date.strftime("%d%m%y")
    while True:
        serial = seventh * 1000 + rng.randrange(1000)
        digits = f"{date_part}{serial:04d}"
        if not _passes_modulus_11(digits):
            assert cpr_birth_date(digits) == birth_date
            return digits
