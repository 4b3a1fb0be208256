"""Sessions end on the server: logout, log out everywhere, timeouts, deactivation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from samspil.accounts.models import User, UserSession
from samspil.accounts.services import AUTHENTICATED_AT, LAST_ACTIVITY, user_deactivate
from samspil.audit import actions
from tests.factories import UserFactory

from .conftest import (
    LOGIN,
    PROFILE,
    age_session,
    events,
    full_login,
    is_signed_in,
    password_only_client,
    signed_in,
)

pytestmark = pytest.mark.django_db


def test_logout__ends_the_session_on_the_server(user) -> None:
    client = full_login(user)
    key = client.session.session_key
    cookie = client.cookies["sessionid"].value

    response = client.post("/konto/logout/")

    assert (response.status_code, response["Location"]) == (302, LOGIN)
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert replay.get(PROFILE).status_code == 302
    assert [e.actor_id for e in events(actions.LOGOUT)] == [user.pk]


def test_logout__only_by_post(user) -> None:
    client = signed_in(user)
    assert client.get("/konto/logout/").status_code == 405
    assert is_signed_in(client)


def test_logout__needs_the_csrf_token(user) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post("/konto/logout/").status_code == 403
    assert "_auth_user_id" in client.session


def test_log_out_everywhere__signs_out_every_client(user) -> None:
    old = full_login(user)
    current = signed_in(user)
    assert UserSession.objects.filter(user=user).count() == 2

    response = current.post("/konto/profil/log-ud-overalt/")

    assert (response.status_code, response["Location"]) == (302, LOGIN)
    assert not is_signed_in(old)
    assert not is_signed_in(current)
    assert UserSession.objects.filter(user=user).count() == 0
    assert [e.detail for e in events(actions.LOGOUT_EVERYWHERE)] == [{"sessions": 2}]


def test_log_out_elsewhere__keeps_this_session(user) -> None:
    other = full_login(user)
    current = signed_in(user)
    colleague = signed_in(UserFactory())

    response = current.post("/konto/profil/log-ud-andre-steder/")

    assert (response.status_code, response["Location"]) == (302, PROFILE)
    assert not is_signed_in(other)
    assert is_signed_in(current)
    assert is_signed_in(colleague)
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [
        current.session.session_key]
    assert [e.detail for e in events(actions.LOGOUT_OTHER_SESSIONS)] == [{"sessions": 1}]


def test_idle_timeout__signs_out_with_a_reason(user) -> None:
    client = signed_in(user)
    key = client.session.session_key
    age_session(client, LAST_ACTIVITY, timedelta(minutes=31))

    response = client.get(PROFILE)

    expected = "/konto/login/?expired=idle&next=%2Fkonto%2Fprofil%2F"
    assert (response.status_code, response["Location"]) == (302, expected)
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Du er blevet logget af, fordi du ikke har været aktiv i 30 minutter." in page
    assert [e.detail for e in events(actions.SESSION_EXPIRED)] == [{"reason": "idle"}]


def test_idle_timeout__not_yet_reached__keeps_the_session(user) -> None:
    client = signed_in(user)
    age_session(client, LAST_ACTIVITY, timedelta(minutes=29))
    assert client.get(PROFILE).status_code == 200
    assert events(actions.SESSION_EXPIRED) == []


def test_idle_timeout__applies_before_the_second_factor_too(user) -> None:
    client = password_only_client(user)
    client.get("/konto/mfa/")
    age_session(client, LAST_ACTIVITY, timedelta(minutes=31))
    response = client.get("/konto/mfa/")
    assert response["Location"].startswith("/konto/login/?expired=idle")
    assert "_auth_user_id" not in client.session


def test_absolute_lifetime__signs_out_an_active_session(user) -> None:
    client = signed_in(user)
    age_session(client, AUTHENTICATED_AT, timedelta(hours=12, minutes=1))

    response = client.get("/")

    assert (response.status_code, response["Location"]) == (302, "/konto/login/?expired=lifetime")
    assert "mere end 12 timer" in client.get(response["Location"]).content.decode()
    assert [e.detail for e in events(actions.SESSION_EXPIRED)] == [{"reason": "lifetime"}]
    assert not is_signed_in(client)


def test_expired_api_request__answers_401_json(user) -> None:
    client = signed_in(user)
    age_session(client, LAST_ACTIVITY, timedelta(hours=1))
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


def test_last_seen__is_written_at_most_once_a_minute(user) -> None:
    client = signed_in(user)
    row = UserSession.objects.get(user=user)
    long_ago = timezone.now() - timedelta(minutes=5)
    UserSession.objects.filter(pk=row.pk).update(last_seen_at=long_ago)

    age_session(client, LAST_ACTIVITY, timedelta(seconds=30))
    client.get(PROFILE)
    assert UserSession.objects.get(pk=row.pk).last_seen_at == long_ago

    age_session(client, LAST_ACTIVITY, timedelta(seconds=61))
    client.get(PROFILE)
    assert UserSession.objects.get(pk=row.pk).last_seen_at > timezone.now() - timedelta(seconds=5)


# --- deactivation --------------------------------------------------------------------------------


def test_deactivate__ends_every_session_at_once(user) -> None:
    coordinator = UserFactory(full_name="Karin Koordinator")
    browser = full_login(user)
    half_signed_in = password_only_client(user)

    user_deactivate(actor=coordinator, user=user)

    user.refresh_from_db()
    assert user.is_active is False
    assert user.deactivated_at is not None
    assert UserSession.objects.filter(user=user).count() == 0
    response = browser.get(PROFILE)
    assert (response.status_code, response["Location"]) == (302, "/konto/login/?next=%2Fkonto%2Fprofil%2F")
    assert half_signed_in.get("/konto/mfa/")["Location"] == LOGIN
    [event] = events(actions.ACCOUNT_DEACTIVATED)
    assert (event.actor_id, event.object_type, event.object_id, event.detail) == (
        coordinator.pk, "accounts.user", str(user.pk), {"sessions_ended": 1})


def test_deactivate__leaves_other_users_alone(user) -> None:
    colleague = signed_in(UserFactory())
    user_deactivate(actor=None, user=user)
    assert is_signed_in(colleague)
    assert User.objects.filter(is_active=True).count() == 1


def test_deactivate__twice__keeps_the_first_time(user) -> None:
    user_deactivate(actor=None, user=user)
    first = User.objects.get(pk=user.pk).deactivated_at
    user_deactivate(actor=None, user=user)
    assert User.objects.get(pk=user.pk).deactivated_at == first
