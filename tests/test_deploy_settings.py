"""Production settings pass Django's deployment checks and refuse to start half-configured."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from .test_security_headers import production_env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy__passes_without_a_single_warning(tmp_path: Path) -> None:
    result = _manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr
    assert "?: (" not in result.stdout + result.stderr  # no check message of any level


def test_check_deploy__would_catch_a_weak_setting(tmp_path: Path) -> None:
    # The same command fails when a deployment setting is weakened, so the test above can fail.
    env = production_env(tmp_path, SAMSPIL_HSTS_SECONDS="0")

    result = _manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("missing", "overrides"),
    [
        ("DATABASE_URL", {"DATABASE_URL": None}),
        ("DATABASE_URL", {"DATABASE_URL": ""}),
        ("SAMSPIL_SECRET_KEY", {"SAMSPIL_SECRET_KEY": None}),
        ("SAMSPIL_SECRET_KEY", {"SAMSPIL_SECRET_KEY": ""}),
        ("SAMSPIL_SECRET_KEY", {"SAMSPIL_SECRET_KEY": "too-short-to-be-a-secret"}),
    ],
    ids=["no-database-url", "empty-database-url", "no-secret-key", "empty-secret-key", "short-secret-key"],
)
def test_production_settings__refuse_to_start_without(tmp_path: Path, missing: str, overrides) -> None:
    result = _manage(production_env(tmp_path, **overrides), "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr
