"""Backup codes: stored only as salted hashes, each works once, wrong codes are throttled, and new codes
replace the old ones."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone
from django_otp import devices_for_user

from samspil.accounts.models import BackupCode, BackupCodeDevice
from samspil.accounts.services import backup_code_verify, backup_codes_regenerate
from samspil.audit import actions
from tests.factories import UserFactory, backup_codes

from .conftest import (
    MFA,
    events,
    grant_sudo,
    password_login,
    signed_in,
    stored_backup_code_count,
    unused_backup_codes,
)

pytestmark = pytest.mark.django_db

CODES_PAGE = "/konto/profil/reservekoder/"


def _every_stored_value() -> list[str]:
    """Every value in every table of the database, as text (binary values as hex and as raw bytes)."""
    values: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        raw = bytes(value)
                        values += [raw.hex(), raw.decode("latin-1")]
                    elif value is not None:
                        values.append(str(value))
    return values


def test_regenerate__stores_no_code_in_clear_text_anywhere(user) -> None:
    client = signed_in(user)
    grant_sudo(client)

    response = client.post(CODES_PAGE)

    shown = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    assert len(set(shown)) == 10
    stored = _every_stored_value()
    assert len(stored) > 100  # the scan read the database (users, sessions, audit events, codes ...)
    assert [c for c in shown if any(c in v.lower() for v in stored)] == []
    rows = list(BackupCode.objects.filter(device__user=user))
    assert sorted((len(bytes(r.salt)), len(bytes(r.digest))) for r in rows) == [(16, 32)] * 10
    assert len({bytes(r.salt) for r in rows}) == 10  # a salt of its own for every code
    # each row is SHA-256(salt || code) of exactly one of the codes shown
    assert sorted(c for r in rows for c in shown
                  if hashlib.sha256(bytes(r.salt) + c.encode()).digest() == bytes(r.digest)) == sorted(shown)


def test_same_code_for_two_users__gets_different_salts_and_digests(user) -> None:
    other = UserFactory(email="bo@eksempel.invalid")
    backup_codes(user, ["abcdefghjk"])
    backup_codes(other, ["abcdefghjk"])

    mine, theirs = (BackupCode.objects.get(device__user=u) for u in (user, other))

    assert bytes(mine.salt) != bytes(theirs.salt)
    assert bytes(mine.digest) != bytes(theirs.digest)
    assert mine.matches("abcdefghjk") and theirs.matches("abcdefghjk")
    assert backup_code_verify(user=user, code="abcdefghjk") == mine.device
    assert unused_backup_codes(other, ["abcdefghjk"]) == ["abcdefghjk"]  # the other user's copy is untouched


def test_code__works_once_then_never_again(user) -> None:
    codes = backup_codes_regenerate(actor=user)
    device = BackupCodeDevice.objects.get(user=user)

    assert backup_code_verify(user=user, code=codes[0]) == device
    assert unused_backup_codes(user, codes) == sorted(codes[1:])
    device.refresh_from_db()
    assert device.last_used_at is not None and device.throttling_failure_count == 0

    assert backup_code_verify(user=user, code=codes[0]) is None
    assert stored_backup_code_count(user) == 9
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # a used-up code is a wrong code


def test_code__signs_in_through_django_otp(user) -> None:
    device = backup_codes(user, ["abcdefghjk"])
    assert device in list(devices_for_user(user))
    client = Client()
    password_login(client, user.email)

    assert client.post(MFA, {"code": "abcdefghjk"}).status_code == 302

    assert client.session["otp_device_id"] == f"accounts.backupcodedevice/{device.pk}"
    assert client.get("/").status_code == 200  # the session counts as verified
    assert [e.detail for e in events(actions.BACKUP_CODE_USED)] == [{"remaining": 0}]


def test_wrong_code__counts_toward_throttling_and_then_even_the_right_code_waits(user) -> None:
    device = backup_codes(user, ["abcdefghjk", "mnpqrstuvw"])
    client = Client()
    password_login(client, user.email)

    wrong = client.post(MFA, {"code": "zzzzzzzzzz"})

    assert wrong.status_code == 400
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert [e.detail for e in events(actions.MFA_FAILED)] == [{"method": "backup_code", "throttled": False}]

    BackupCodeDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=10, throttling_failure_timestamp=timezone.now()
    )
    refused = client.post(MFA, {"code": "abcdefghjk"})

    assert refused.status_code == 400
    assert "for mange forkerte forsøg" in refused.content.decode()
    assert unused_backup_codes(user, ["abcdefghjk", "mnpqrstuvw"]) == ["abcdefghjk", "mnpqrstuvw"]
    assert client.get("/").status_code == 302

    # 10 failures: the next try must wait 2**9 seconds
    BackupCodeDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=2**9 + 1)
    )
    accepted = client.post(MFA, {"code": "abcdefghjk"})

    assert accepted.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert unused_backup_codes(user, ["abcdefghjk", "mnpqrstuvw"]) == ["mnpqrstuvw"]


def test_regenerate__invalidates_the_old_codes_and_keeps_the_device(user) -> None:
    old = backup_codes_regenerate(actor=user)
    device = BackupCodeDevice.objects.get(user=user)

    new = backup_codes_regenerate(actor=user)

    assert unused_backup_codes(user, old + new) == sorted(new)
    assert stored_backup_code_count(user) == 10
    assert list(BackupCodeDevice.objects.filter(user=user)) == [device]
    assert backup_code_verify(user=user, code=old[0]) is None
    assert [e.detail for e in events(actions.BACKUP_CODES_GENERATED)] == [{"count": 10}, {"count": 10}]


def test_stored_row__must_hold_a_16_byte_salt_and_a_sha256_digest(user) -> None:
    device = backup_codes(user, [])
    for salt, digest in ((b"short", bytes(32)), (bytes(16), b"abcdefghjk")):
        with pytest.raises(IntegrityError), transaction.atomic():
            BackupCode.objects.create(device=device, salt=salt, digest=digest)
    assert stored_backup_code_count(user) == 0
