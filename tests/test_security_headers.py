"""Security headers on every kind of page, and the production cookie and HTTPS settings.

The production part runs in a subprocess with DJANGO_SETTINGS_MODULE=config.settings.production (a
fresh SQLite file as DATABASE_URL), logs in through the real login and second-factor pages over HTTPS,
and reports the headers and Set-Cookie attributes it got back as JSON.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SIGNED_IN_PAGES = [("dpo", "/revision/"), ("coordinator", "/"), ("coordinator", "/konto/profil/")]
LOGIN_PAGE = "/konto/login/"


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _nonce(response) -> str:
    [nonce] = [v[len("'nonce-"):-1] for v in _csp(response)["script-src"] if v.startswith("'nonce-")]
    assert len(nonce) >= 16
    return nonce


def _check_common_headers(response) -> None:
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    directives = _csp(response)
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    html = response.content.decode()
    nonce = _nonce(response)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "the page loads its scripts"
    assert [tag for tag in scripts if f'nonce="{nonce}"' not in tag] == []
    # Inline handlers and style attributes would be blocked by the policy, so none may be written.
    assert re.findall(r"<[^>]+\son[a-z]+\s*=", html) == []
    assert re.findall(r"<[^>]+\sstyle\s*=", html) == []


@pytest.mark.parametrize(("persona", "path"), SIGNED_IN_PAGES)
def test_signed_in_page__has_strict_csp_and_is_never_cached(client_for, persona, path):
    response = client_for(persona).get(path)

    assert response.status_code == 200
    _check_common_headers(response)
    assert response["Cache-Control"] == "no-store, max-age=0"


def test_login_page__has_strict_csp(client_for):
    response = client_for("anonymous").get(LOGIN_PAGE)

    assert response.status_code == 200
    _check_common_headers(response)


def test_nonce__is_new_for_every_response(client_for):
    client = client_for("coordinator")

    assert _nonce(client.get("/konto/profil/")) != _nonce(client.get("/konto/profil/"))


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/cooperations"])
def test_api__answers_are_never_cached(client_for, path):
    response = client_for("coordinator").get(path)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, max-age=0"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_request_id__is_echoed_when_well_formed_and_made_otherwise(client_for):
    client = client_for("coordinator")

    echoed = client.get("/konto/profil/", headers={"X-Request-ID": "edge-7f3a9c21-0001"})
    replaced = client.get("/konto/profil/", headers={"X-Request-ID": "<script>alert(1)</script>"})
    made = client_for("anonymous").get(LOGIN_PAGE)

    assert echoed["X-Request-ID"] == "edge-7f3a9c21-0001"
    assert re.fullmatch(r"[0-9a-f]{32}", replaced["X-Request-ID"])
    assert re.fullmatch(r"[0-9a-f]{32}", made["X-Request-ID"])


PRODUCTION_PROBE = r"""
import json

import django

django.setup()

from django.core.management import call_command
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from samspil.accounts.models import User

call_command("migrate", verbosity=0)
PASSWORD = "Korrekt-Hest-Batteri-Haefteklamme-42"
user = User.objects.create_user("probe@eksempel.invalid", PASSWORD, full_name="Prøve Person")
device = TOTPDevice.objects.create(user=user, name="Godkenderapp", confirmed=True)


def cookies(response):
    return {
        name: {
            "secure": bool(morsel["secure"]),
            "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"],
            "domain": morsel["domain"],
            "path": morsel["path"],
        }
        for name, morsel in response.cookies.items()
    }


def report(response):
    return {"status": response.status_code, "headers": dict(response.headers), "cookies": cookies(response)}


# Production serves static files from the collected manifest; the probe has none, so it uses the
# plain storage (only the URLs of static files depend on it).
plain_static = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
host = {"HTTP_HOST": "samspil.example.invalid"}
out = {}
with override_settings(STORAGES=plain_static):
    client = Client(**host)
    out["plain_http"] = report(client.get("/konto/login/"))
    out["login_page"] = report(client.get("/konto/login/", secure=True))
    credentials = {"username": user.email, "password": PASSWORD}
    out["password"] = report(client.post("/konto/login/", credentials, secure=True))
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    second_factor = {"code": str(code).zfill(device.digits)}
    out["second_factor"] = report(client.post("/konto/mfa/", second_factor, secure=True))
    out["signed_in"] = report(client.get("/konto/profil/", secure=True))
print("PROBE" + json.dumps(out))
"""


def production_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SAMSPIL_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        SAMSPIL_SECRET_KEY=secrets.token_urlsafe(64),
        SAMSPIL_ALLOWED_HOSTS="samspil.example.invalid",
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    tmp_path = tmp_path_factory.mktemp("production")
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=settings.BASE_DIR,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [line] = [line for line in result.stdout.splitlines() if line.startswith("PROBE")]
    return json.loads(line[len("PROBE"):])


def test_production__plain_http_is_redirected_to_https(production):
    plain = production["plain_http"]
    assert plain["status"] == 301
    assert plain["headers"]["Location"] == "https://samspil.example.invalid/konto/login/"


@pytest.mark.parametrize("step", ["login_page", "password", "second_factor", "signed_in"])
def test_production__https_answers_carry_hsts(production, step):
    hsts = production[step]["headers"]["Strict-Transport-Security"]
    assert hsts == "max-age=63072000; includeSubDomains; preload"


def test_production__the_login_actually_signed_in(production):
    assert production["password"]["status"] == 302
    assert production["password"]["headers"]["Location"].startswith("/konto/mfa/")
    assert production["second_factor"]["status"] == 302
    assert production["signed_in"]["status"] == 200
    assert production["signed_in"]["headers"]["Cache-Control"] == "no-store, max-age=0"


HOST_COOKIE = {"secure": True, "httponly": True, "samesite": "Lax", "domain": "", "path": "/"}


def test_production__csrf_cookie_is_a_secure_host_only_cookie(production):
    assert production["login_page"]["cookies"]["__Host-csrftoken"] == HOST_COOKIE
    assert "csrftoken" not in production["login_page"]["cookies"]


def test_production__session_cookie_is_a_secure_host_only_cookie(production):
    session_cookies = {
        step: production[step]["cookies"]["__Host-sessionid"]
        for step in ("password", "second_factor")
        if "__Host-sessionid" in production[step]["cookies"]
    }
    assert "password" in session_cookies, "signing in sets the session cookie"
    assert all(cookie == HOST_COOKIE for cookie in session_cookies.values()), session_cookies


def test_production__every_cookie_over_https_is_secure_host_only_and_lax(production):
    https_steps = ("login_page", "password", "second_factor", "signed_in")
    cookies = {
        (step, name): cookie for step in https_steps for name, cookie in production[step]["cookies"].items()
    }
    assert {name for _step, name in cookies} == {"__Host-csrftoken", "__Host-sessionid", "__Host-language"}
    assert {key: cookie for key, cookie in cookies.items() if cookie != HOST_COOKIE} == {}
