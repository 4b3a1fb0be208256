"""Danish by default, English selectable, whatever the browser asks for."""

from __future__ import annotations

from pathlib import Path

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


def test_english_catalogue__translates_every_string_in_the_code(tmp_path, settings, monkeypatch) -> None:
    """Extract the strings afresh (as `make messages` does) into a copy of the committed catalogue: every
    message must have an English translation, none fuzzy, so no page shows Danish to an English reader."""
    import shutil

    from django.conf import settings as django_settings
    from django.core.management import call_command

    root = Path(django_settings.BASE_DIR)
    target = tmp_path / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(root / "locale" / "en" / "LC_MESSAGES" / "django.po", target / "django.po")
    settings.LOCALE_PATHS = [str(tmp_path)]
    monkeypatch.chdir(root)
    call_command(
        "makemessages",
        locale=["en"],
        no_obsolete=True,
        ignore_patterns=[".venv/*", "node_modules/*", "static/vendor/*", "var/*", "tests/*", "e2e/*", "bench/*"],
        verbosity=0,
    )
    entries = (target / "django.po").read_text(encoding="utf-8").split("\n\n")[1:]  # [0] is the header
    fuzzy = [entry for entry in entries if "#, fuzzy" in entry]
    untranslated = [
        entry
        for entry in entries
        if any(line == 'msgstr ""' or line.endswith('] ""') for line in entry.rstrip().splitlines()[-2:])
        and not entry.rstrip().splitlines()[-1].startswith('"')
    ]
    assert entries and not fuzzy and not untranslated, "\n\n".join(fuzzy + untranslated)
