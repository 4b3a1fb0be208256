"""Step 1 of signing in: e-mail and password, user enumeration, lockout, session fixation, ``next``."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from samspil.accounts.lockout import client_ip, lockout_username
from samspil.accounts.models import UserSession
from samspil.audit import actions
from samspil.audit.models import Outcome
from tests.factories import PASSWORD, UserFactory

from .conftest import BROWSER, LOGIN, MFA, device_of, events, full_login, password_login, totp_code

pytestmark = pytest.mark.django_db

ADDRESS = "192.0.2.10"  # documentation addresses (RFC 5737), never contacted
OTHER_ADDRESS = "198.51.100.7"


def test_login__with_password_and_totp__signs_in_and_records_the_session(user) -> None:
    client = Client(HTTP_USER_AGENT=BROWSER)
    assert client.get(LOGIN).status_code == 200

    response = password_login(client, user.email)
    assert (response.status_code, response["Location"]) == (302, MFA)
    assert client.get("/").status_code == 302  # the password alone reaches nothing
    response = client.post(MFA, {"code": totp_code(device_of(user))})

    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/").status_code == 200
    session = UserSession.objects.get(user=user)
    assert session.session_key == client.session.session_key
    assert (session.ip_address, session.user_agent) == ("127.0.0.1", BROWSER)
    assert [e.actor_id for e in events(actions.LOGIN_PASSWORD_OK)] == [user.pk]
    assert [e.actor_id for e in events(actions.MFA_VERIFIED)] == [user.pk]


def test_login__email_is_case_insensitive(user) -> None:
    response = password_login(Client(), "  ANNE@Eksempel.invalid ")
    assert (response.status_code, response["Location"]) == (302, MFA)


def test_login__gives_the_session_a_new_key(user) -> None:
    client = Client()
    session = client.session
    session["before_login"] = True
    session.save()
    key_before = session.session_key

    password_login(client, user.email)

    assert client.session.session_key != key_before
    assert not Session.objects.filter(session_key=key_before).exists()


def _normalised(body: bytes, *emails: str) -> str:
    text = body.decode()
    for email in emails:
        text = text.replace(email, "EMAIL")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    text = re.sub(r'data-csrf="[^"]+"', "CSRF", text)
    return re.sub(r'nonce="[^"]+"', "NONCE", text)


def test_login__unknown_email_and_wrong_password__answer_the_same(user) -> None:
    unknown = password_login(Client(), "ukendt@eksempel.invalid", "Forkert-Adgangskode-123")
    wrong = password_login(Client(), user.email, "Forkert-Adgangskode-123")

    assert unknown.status_code == wrong.status_code == 400
    assert "Forkert e-mail eller adgangskode." in wrong.content.decode()
    assert _normalised(unknown.content, "ukendt@eksempel.invalid") == _normalised(wrong.content, user.email)
    failures = events(actions.LOGIN_FAILED)
    assert [(e.actor_id, e.outcome) for e in failures] == [(None, Outcome.FAILED), (user.pk, Outcome.FAILED)]


class CountingHasher(MD5PasswordHasher):
    """Django's MD5 test hasher, counting how often the hash function runs."""

    runs = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.runs += 1
        return super().encode(password, salt)


@override_settings(PASSWORD_HASHERS=["tests.accounts.test_login.CountingHasher"])
def test_login__unknown_email_and_wrong_password__run_the_hasher_once_each(user) -> None:
    CountingHasher.runs = 0
    password_login(Client(), "ukendt@eksempel.invalid", "Forkert-Adgangskode-123")
    unknown_runs = CountingHasher.runs
    CountingHasher.runs = 0
    password_login(Client(), user.email, "Forkert-Adgangskode-123")
    assert unknown_runs == CountingHasher.runs == 1


def test_login__deactivated_account__gets_the_same_answer_as_a_wrong_password(user) -> None:
    user.is_active = False
    user.save()
    response = password_login(Client(), user.email)
    assert response.status_code == 400
    assert "Forkert e-mail eller adgangskode." in response.content.decode()


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/konto/profil/", "/konto/profil/"),
        ("https://angriber.invalid/", "/"),
        ("//angriber.invalid/", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_login__follows_next_only_within_the_site(user, next_url, expected) -> None:
    client = Client()
    response = client.post(f"{LOGIN}?{_query(next_url)}", {"username": user.email, "password": PASSWORD})
    response = client.post(response["Location"], {"code": totp_code(device_of(user)), "next": next_url})
    assert response["Location"] == expected


def _query(next_url: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"next": next_url})


def test_login_page__sends_a_signed_in_person_on(user) -> None:
    client = full_login(user)
    response = client.get(LOGIN)
    assert (response.status_code, response["Location"]) == (302, "/")


def test_login__sets_the_language_cookie_from_the_preference() -> None:
    person = UserFactory(preferred_language="en")
    response = password_login(Client(), person.email)
    assert response.cookies["django_language"].value == "en"


# --- lockout -------------------------------------------------------------------------------------


def _fail(client: Client, email: str, address: str = ADDRESS):
    return password_login(client, email, "Forkert-Adgangskode-123", REMOTE_ADDR=address)


def test_lockout__after_five_failures__refuses_even_the_right_password(user) -> None:
    client = Client()
    assert [_fail(client, user.email).status_code for _ in range(4)] == [400] * 4

    fifth = _fail(client, user.email)
    right = password_login(client, user.email, REMOTE_ADDR=ADDRESS)

    assert fifth.status_code == right.status_code == 429
    assert "For mange forsøg" in right.content.decode()
    assert "15 minutter" in right.content.decode()
    assert "_auth_user_id" not in client.session
    locked = events(actions.LOGIN_LOCKED_OUT)
    assert [(e.actor_id, e.outcome, e.source_ip) for e in locked] == [(user.pk, Outcome.DENIED, ADDRESS)] * 2


def test_lockout__does_not_lock_the_same_user_from_another_address(user) -> None:
    for _ in range(5):
        _fail(Client(), user.email)
    response = password_login(Client(), user.email, REMOTE_ADDR=OTHER_ADDRESS)
    assert (response.status_code, response["Location"]) == (302, MFA)


def test_lockout__does_not_lock_another_user_from_the_same_address(user) -> None:
    colleague = UserFactory(email="bo@eksempel.invalid")
    for _ in range(5):
        _fail(Client(), user.email)
    response = password_login(Client(), colleague.email, REMOTE_ADDR=ADDRESS)
    assert (response.status_code, response["Location"]) == (302, MFA)


def test_lockout__counts_an_email_in_any_letter_case_together(user) -> None:
    variants = ["anne@eksempel.invalid", "ANNE@eksempel.invalid", "Anne@Eksempel.invalid",
                "aNNe@Eksempel.INVALID"]
    for variant in variants:
        assert _fail(Client(), variant).status_code == 400
    assert _fail(Client(), "anne@EKSEMPEL.invalid").status_code == 429


def test_lockout__counts_unknown_emails_too() -> None:
    for _ in range(4):
        _fail(Client(), "ukendt@eksempel.invalid")
    assert _fail(Client(), "ukendt@eksempel.invalid").status_code == 429


def test_lockout__ends_after_the_cool_off(user) -> None:
    for _ in range(5):
        _fail(Client(), user.email)
    assert password_login(Client(), user.email, REMOTE_ADDR=ADDRESS).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    response = password_login(Client(), user.email, REMOTE_ADDR=ADDRESS)
    assert (response.status_code, response["Location"]) == (302, MFA)


def test_lockout__a_success_clears_the_failures(user) -> None:
    for _ in range(4):
        _fail(Client(), user.email)
    password_login(Client(), user.email, REMOTE_ADDR=ADDRESS)
    assert [_fail(Client(), user.email).status_code for _ in range(4)] == [400] * 4


# --- the addresses and names django-axes counts by -----------------------------------------------


def test_client_ip__ignores_forwarded_for_without_trusted_proxies() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert client_ip(request) == "203.0.113.5"


@override_settings(AXES_IPWARE_PROXY_COUNT=1)
def test_client_ip__behind_one_proxy__takes_the_address_the_proxy_saw() -> None:
    forged_then_real = "192.0.2.99, 198.51.100.20"
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=forged_then_real)
    assert client_ip(request) == "198.51.100.20"
    malformed = RequestFactory().get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="ikke-en-adresse")
    assert client_ip(malformed) == "203.0.113.5"


def test_lockout_username__is_trimmed_and_lower_case() -> None:
    request = RequestFactory().post("/", {"username": " Anne@Eksempel.INVALID "})
    assert lockout_username(request) == "anne@eksempel.invalid"
    assert lockout_username(request, {"username": "BO@eksempel.invalid"}) == "bo@eksempel.invalid"
