"""Browser tests: Playwright for Python driving Debian's chromium (never a downloaded browser).

Every page a test visits is checked with axe-core (from the pinned npm package) for WCAG 2.1 A/AA
violations, and the browser console is watched for Content-Security-Policy violations.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import World, world  # noqa: F401  (re-exported fixture)
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
AXE_SOURCE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
CHROMIUM = os.environ.get("SAMSPIL_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `make chromium` (or apt-get install chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class Checked:
    """A page wrapper that records console CSP violations and runs axe after navigation."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.csp_violations: list[str] = []
        self.audited_urls: list[str] = []
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.csp_violations.append(text)

    def goto(self, path: str) -> Page:
        self.page.goto(self.base_url + path)
        return self.page

    def assert_accessible(self) -> None:
        """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the current page: zero violations."""
        self.page.evaluate(AXE_SOURCE)
        result = self.page.evaluate(
            """async () => await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})"""
        )
        violations = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]
        assert violations == [], f"axe violations on {self.page.url}:\n{json.dumps(violations, indent=1)}"
        assert self.csp_violations == [], self.csp_violations
        self.audited_urls.append(self.page.url)


@pytest.fixture
def checked(browser: Browser, live_server: Any) -> Iterator[Checked]:
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Checked(page, live_server.url)
    context.close()


def current_totp(email: str) -> str:
    device = TOTPDevice.objects.filter(user__email=email, confirmed=True).first()
    assert device is not None
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def log_in(checked: Checked, email: str, password: str = PASSWORD, *, accessible: bool = True) -> Page:
    """Sign in through the real pages: email + password, then the current TOTP code."""
    page = checked.goto("/konto/login/")
    if accessible:
        checked.assert_accessible()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode", exact=True).fill(password)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/konto/mfa/**")
    if accessible:
        checked.assert_accessible()
    page.get_by_label("Kode", exact=True).fill(current_totp(email))
    page.get_by_role("button", name="Fortsæt").click()
    page.wait_for_load_state()
    return page
