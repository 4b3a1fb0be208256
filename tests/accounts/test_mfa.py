"""Step 2 of signing in (TOTP or backup code), enrolment, and the rule that nothing else is reachable
before the second factor."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from samspil.accounts.models import BackupCodeDevice, UserSession
from samspil.accounts.services import BACKUP_CODE_ALPHABET
from samspil.audit import actions
from tests.factories import UserFactory, backup_codes

from .conftest import (
    ENROL,
    LOGIN,
    MFA,
    SUDO,
    device_of,
    events,
    full_login,
    grant_sudo,
    password_login,
    password_only_client,
    signed_in,
    stored_backup_code_count,
    totp_code,
    unused_backup_codes,
)

pytestmark = pytest.mark.django_db


def test_totp_code__cannot_be_used_twice(user) -> None:
    code = totp_code(device_of(user))
    first, second = Client(), Client()
    password_login(first, user.email)
    assert first.post(MFA, {"code": code}).status_code == 302

    password_login(second, user.email)
    response = second.post(MFA, {"code": code})

    assert response.status_code == 400
    assert "Koden er forkert eller allerede brugt" in response.content.decode()
    assert second.get("/").status_code == 302
    assert [e.detail for e in events(actions.MFA_FAILED, actor_id=user.pk)] == [
        {"method": "totp", "throttled": False}
    ]


def test_totp_code__wrong_code__is_refused_and_audited(user) -> None:
    client = Client()
    password_login(client, user.email)
    good = int(totp_code(device_of(user)))
    response = client.post(MFA, {"code": f"{(good + 1) % 1_000_000:06d}"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302
    assert len(events(actions.MFA_FAILED, actor_id=user.pk)) == 1
    assert device_of(user).throttling_failure_count == 1


def test_totp_code__after_many_failures__waits_even_for_the_right_code(user) -> None:
    device = device_of(user)
    device.throttling_failure_count = 10
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    client = Client()
    password_login(client, user.email)

    refused = client.post(MFA, {"code": totp_code(device)})
    assert refused.status_code == 400
    assert "for mange forkerte forsøg" in refused.content.decode()

    # 10 failures: the next try must wait 2**9 seconds
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=2**9 + 1)
    )
    accepted = client.post(MFA, {"code": totp_code(device)})
    assert accepted.status_code == 302
    assert device_of(user).throttling_failure_count == 0


def test_totp_code__from_a_second_app__does_not_throttle_the_first(user) -> None:
    second = TOTPDevice.objects.create(user=user, name="Reservetelefon", confirmed=True)
    client = Client()
    password_login(client, user.email)
    assert client.post(MFA, {"code": totp_code(second)}).status_code == 302
    assert device_of_named(user, "Godkenderapp").throttling_failure_count == 0


def device_of_named(user, name: str) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, name=name)


def test_backup_code__works_once(user) -> None:
    backup_codes(user, ["abcdefghjk", "mnpqrstuvw"])
    first = Client()
    password_login(first, user.email)
    assert first.post(MFA, {"code": "ABCDE-FGHJK"}).status_code == 302
    assert first.get("/").status_code == 200

    second = Client()
    password_login(second, user.email)
    response = second.post(MFA, {"code": "abcdefghjk"})

    assert response.status_code == 400
    assert unused_backup_codes(user, ["abcdefghjk", "mnpqrstuvw"]) == ["mnpqrstuvw"]
    assert stored_backup_code_count(user) == 1
    assert [e.detail for e in events(actions.BACKUP_CODE_USED)] == [{"remaining": 1}]
    assert [e.detail["method"] for e in events(actions.MFA_FAILED)] == ["backup_code"]


def test_mfa_page__without_an_app__sends_to_enrolment() -> None:
    person = UserFactory(totp=False)
    client = Client()
    password_login(client, person.email)
    response = client.get(MFA)
    assert (response.status_code, response["Location"]) == (302, ENROL)


def test_mfa_page__anonymous__sends_to_login() -> None:
    response = Client().get(MFA)
    assert (response.status_code, response["Location"]) == (302, LOGIN)


def test_mfa_page__shows_no_menu(user) -> None:
    client = Client()
    password_login(client, user.email)
    body = client.get(MFA).content.decode()
    assert "Hovedmenu" not in body
    assert "/konto/profil/" not in body
    assert "/samarbejder/" not in body


@pytest.mark.parametrize(
    "path",
    ["/", "/konto/profil/", "/konto/profil/adgangskode/", "/konto/profil/reservekoder/", SUDO,
     "/samarbejder/", "/revision/"],
)
def test_pages__need_the_second_factor(user, path) -> None:
    response = password_only_client(user).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(MFA)


def test_pages__anonymous__are_sent_to_login_with_next() -> None:
    response = Client().get("/konto/profil/")
    assert (response.status_code, response["Location"]) == (302, "/konto/login/?next=%2Fkonto%2Fprofil%2F")


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/openapi.json", "/api/v1/findes-ikke"])
def test_api__without_the_second_factor__answers_401_json(user, path) -> None:
    response = password_only_client(user).get(path)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_api__with_the_second_factor__is_not_stopped_by_the_middleware(user) -> None:
    assert signed_in(user).get("/api/v1/openapi.json").status_code == 200


def test_htmx_request__without_the_second_factor__gets_a_full_page_redirect(user) -> None:
    response = password_only_client(user).get("/konto/profil/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(MFA)


# --- enrolment ------------------------------------------------------------------------------------


def _secret_from(page: str) -> str:
    match = re.search(r'<code class="samspil-secret">([A-Z2-7 ]+)</code>', page)
    assert match, "the secret is shown for manual entry"
    return match.group(1)


def test_enrolment__end_to_end__confirms_the_app_and_shows_backup_codes_once() -> None:
    person = UserFactory(totp=False)
    client = Client()
    password_login(client, person.email)

    page = client.get(ENROL)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<svg width="' in html and "<title>QR-kode til godkenderappen</title>" in html
    assert "https://" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]  # no external request
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]
    groups = _secret_from(html).split()
    assert all(len(g) == 4 for g in groups[:-1])
    assert client.get(ENROL).content.decode().count(" ".join(groups)) == 1  # same key on reload

    pending = TOTPDevice.objects.get(user=person, confirmed=False)
    assert base64.b32encode(pending.bin_key).decode().rstrip("=") == "".join(groups)
    response = client.post(ENROL, {"code": totp_code(pending), "name": "Min telefon"})

    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    assert len(codes) == len(set(codes)) == 10
    assert all(len(c) == 10 and set(c) <= set(BACKUP_CODE_ALPHABET) for c in codes)
    assert unused_backup_codes(person, codes) == sorted(codes)
    assert stored_backup_code_count(person) == 10
    assert TOTPDevice.objects.get(user=person).confirmed is True
    assert client.get("/").status_code == 200  # the session is verified
    assert UserSession.objects.filter(user=person, session_key=client.session.session_key).exists()
    assert [len(events(a, actor_id=person.pk)) for a in
            (actions.MFA_ENROLLED, actions.BACKUP_CODES_GENERATED, actions.MFA_VERIFIED)] == [1, 1, 1]

    later = Client()
    password_login(later, person.email)
    assert later.post(MFA, {"code": codes[3]}).status_code == 302


def test_enrolment__wrong_code__keeps_the_app_unconfirmed() -> None:
    person = UserFactory(totp=False)
    client = Client()
    password_login(client, person.email)
    client.get(ENROL)
    pending = TOTPDevice.objects.get(user=person)
    wrong = f"{(hotp(pending.bin_key, TOTP(pending.bin_key).t()) + 1) % 1_000_000:06d}"

    response = client.post(ENROL, {"code": wrong, "name": ""})

    assert response.status_code == 400
    assert "Koden passer ikke" in response.content.decode()
    assert TOTPDevice.objects.get(user=person).confirmed is False
    assert not BackupCodeDevice.objects.filter(user=person).exists()
    assert client.get("/").status_code == 302


def test_enrolment__with_an_app_but_no_second_factor__is_refused(user) -> None:
    """A stolen password must not be enough to add the thief's own app."""
    client = password_only_client(user)
    for response in (client.get(ENROL), client.post(ENROL, {"code": "123456"})):
        assert (response.status_code, response["Location"]) == (302, MFA)
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_enrolment__of_a_second_app__needs_sudo_and_keeps_the_backup_codes(user) -> None:
    backup_codes(user, ["abcdefghjk"])
    client = signed_in(user)
    response = client.get(ENROL)
    assert (response.status_code, response["Location"]) == (302, f"{SUDO}?next=%2Fkonto%2Fmfa%2Fopsaet%2F")

    grant_sudo(client)
    assert client.get(ENROL).status_code == 200
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"code": totp_code(pending), "name": "Reservetelefon"})

    assert (response.status_code, response["Location"]) == (302, "/konto/profil/")
    assert sorted(TOTPDevice.objects.filter(user=user, confirmed=True).values_list("name", flat=True)) == [
        "Godkenderapp", "Reservetelefon"]
    assert unused_backup_codes(user, ["abcdefghjk"]) == ["abcdefghjk"]
    assert stored_backup_code_count(user) == 1
    assert events(actions.BACKUP_CODES_GENERATED) == []


def test_full_login__then_profile_is_reachable(user) -> None:
    assert full_login(user).get("/konto/profil/").status_code == 200
