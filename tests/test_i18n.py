"""Danish by default, English selectable, whatever the browser asks for."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_login_page__is_danish_even_when_the_browser_prefers_english() -> None:
    html = Client().get("/konto/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="da">' in html
    assert "Log ind" in html


@pytest.mark.django_db
def test_language_switch__shows_english_pages_and_keeps_the_choice() -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/konto/login/"})
    assert response.status_code == 302
    html = client.get("/konto/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Log ind med din" not in html


def test_signed_in_pages__render_in_english_for_a_member_who_chose_it(client_for) -> None:
    client = client_for("coordinator")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Cooperations" in html
