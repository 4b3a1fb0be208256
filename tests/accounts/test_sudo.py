"""Sudo mode: sensitive actions need the password and a fresh code within the last ten minutes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.utils import timezone

from samspil.accounts.sudo import has_sudo
from samspil.audit import actions
from samspil.audit.models import Outcome
from tests.factories import PASSWORD, backup_codes

from .conftest import (
    SUDO,
    device_of,
    events,
    grant_sudo,
    signed_in,
    stored_backup_code_count,
    totp_code,
    unused_backup_codes,
)

pytestmark = pytest.mark.django_db

CODES_PAGE = "/konto/profil/reservekoder/"
SUDO_FOR_CODES = f"{SUDO}?next=%2Fkonto%2Fprofil%2Freservekoder%2F"


def test_sensitive_page__without_sudo__asks_for_it(user) -> None:
    response = signed_in(user).get(CODES_PAGE)
    assert (response.status_code, response["Location"]) == (302, SUDO_FOR_CODES)


def test_sensitive_post__without_sudo__changes_nothing_and_returns_to_the_form_page(user) -> None:
    backup_codes(user, ["abcdefghjk"])
    client = signed_in(user)

    response = client.post(CODES_PAGE)

    assert (response.status_code, response["Location"]) == (302, SUDO_FOR_CODES)
    assert unused_backup_codes(user, ["abcdefghjk"]) == ["abcdefghjk"]
    assert stored_backup_code_count(user) == 1
    assert events(actions.BACKUP_CODES_GENERATED) == []

    confirmed = client.post(SUDO_FOR_CODES, {"password": PASSWORD, "code": totp_code(device_of(user)),
                                             "next": CODES_PAGE})
    assert (confirmed.status_code, confirmed["Location"]) == (302, CODES_PAGE)  # followed with a GET
    assert client.get(CODES_PAGE).status_code == 200
    assert unused_backup_codes(user, ["abcdefghjk"]) == ["abcdefghjk"]
    assert stored_backup_code_count(user) == 1


def test_sudo__with_password_and_code__is_granted_and_audited(user) -> None:
    client = signed_in(user)
    assert client.get(SUDO_FOR_CODES).status_code == 200

    code = totp_code(device_of(user))
    response = client.post(SUDO, {"password": PASSWORD, "code": code, "next": CODES_PAGE})

    assert (response.status_code, response["Location"]) == (302, CODES_PAGE)
    assert client.get(CODES_PAGE).status_code == 200
    assert [e.actor_id for e in events(actions.SUDO_GRANTED)] == [user.pk]


def test_sudo__wrong_password__is_refused_counted_for_lockout_and_spares_the_code(user) -> None:
    client = signed_in(user)
    code = totp_code(device_of(user))

    response = client.post(SUDO, {"password": "Forkert-Adgangskode-123", "code": code, "next": CODES_PAGE})

    assert response.status_code == 400
    assert "Adgangskoden eller koden er forkert." in response.content.decode()
    assert client.get(CODES_PAGE)["Location"] == SUDO_FOR_CODES
    assert [(e.outcome, e.detail) for e in events(actions.SUDO_FAILED)] == [
        (Outcome.FAILED, {"password_ok": False})]
    assert AccessAttempt.objects.get(username=user.email).failures_since_start == 1
    assert device_of(user).last_t == -1  # the code was not spent


def test_sudo__wrong_code__is_refused(user) -> None:
    client = signed_in(user)
    good = int(totp_code(device_of(user)))
    response = client.post(SUDO, {"password": PASSWORD, "code": f"{(good + 1) % 1_000_000:06d}"})
    assert response.status_code == 400
    assert [e.detail for e in events(actions.SUDO_FAILED)] == [{"password_ok": True}]
    assert "samspil_sudo_at" not in client.session


def test_sudo__five_wrong_passwords__lock_out(user) -> None:
    client = signed_in(user)
    statuses = [client.post(SUDO, {"password": "Forkert-Adgangskode-123", "code": "123456"}).status_code
                for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    locked = client.post(SUDO, {"password": PASSWORD, "code": totp_code(device_of(user))})
    assert locked.status_code == 429
    assert "samspil_sudo_at" not in client.session


def test_sudo__expires_after_ten_minutes(user) -> None:
    client = signed_in(user)
    grant_sudo(client, at=timezone.now() - timedelta(minutes=9))
    assert client.get(CODES_PAGE).status_code == 200
    grant_sudo(client, at=timezone.now() - timedelta(minutes=11))
    assert client.get(CODES_PAGE)["Location"] == SUDO_FOR_CODES


def test_sudo__ignores_a_foreign_next(user) -> None:
    client = signed_in(user)
    response = client.post(SUDO, {"password": PASSWORD, "code": totp_code(device_of(user)),
                                  "next": "https://angriber.invalid/"})
    assert response["Location"] == "/konto/profil/"


def test_sudo__for_an_htmx_request__redirects_the_whole_page(user) -> None:
    response = signed_in(user).post(CODES_PAGE, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == SUDO_FOR_CODES


def test_has_sudo__needs_a_verified_user(user) -> None:
    request = RequestFactory().get("/")
    request.user = user
    request.session = {"samspil_sudo_at": timezone.now().isoformat()}  # type: ignore[assignment]
    assert has_sudo(request) is False  # no second factor on this request
