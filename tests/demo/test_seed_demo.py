"""`samspil seed-demo` and `samspil demo-code`: idempotent demo world, printed logins, working codes."""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Model
from django_otp.plugins.otp_totp.models import TOTPDevice

from samspil.accounts.models import User
from samspil.core.scoping import unscoped
from samspil.demo.personas import DEMO_PASSWORD, PERSONAS, totp_secret_base32
from samspil.organisations.models import (
    Cooperation,
    CooperationGroup,
    CooperationOrganisation,
    Membership,
    Organisation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_settings(settings) -> None:
    settings.DEBUG = True  # the demo runs on the demo settings; production refuses (tested below)


def _seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _code(email: str) -> str:
    out = io.StringIO()
    call_command("demo_code", email, stdout=out)
    return out.getvalue().strip()


def _snapshot() -> dict[str, list]:
    models: list[type[Model]] = [Organisation, Cooperation, CooperationOrganisation, CooperationGroup, User,
                                 TOTPDevice, Membership]
    with unscoped("the test compares whole tables"):
        state = {m.__name__: sorted(map(str, m.objects.values_list())) for m in models}
        state["groups"] = sorted(map(str, Membership.groups.through.objects.values_list("membership_id",
                                                                                          "cooperationgroup_id")))
    return state


def test_seed_demo__creates_the_fictional_cooperation_and_one_persona_per_role() -> None:
    _seed()
    demoby = Cooperation.objects.get(name="PSP Demoby (fiktiv)")
    assert demoby.municipality.name == "Demoby Kommune (fiktiv)"
    assert demoby.municipality.code == ""
    assert sorted(CooperationOrganisation.objects.filter(cooperation=demoby).values_list(
        "organisation__name", "sector")) == [("Demoby Kommune (fiktiv)", "social"),
                                             ("Demoby Politikreds (fiktiv)", "police"),
                                             ("Region Demo Psykiatri (fiktiv)", "psychiatry")]
    assert sorted(CooperationGroup.objects.filter(cooperation=demoby).values_list("kind", flat=True)) == [
        "key_persons", "steering"]
    with unscoped("the test lists the demo memberships"):
        roles = sorted(Membership.objects.filter(user__email__endswith="@demo.samspil.invalid").values_list(
            "user__email", "role", "cooperation__name"), key=str)
    assert roles == sorted([
        ("politi@demo.samspil.invalid", "key_member", "PSP Demoby (fiktiv)"),
        ("socialraadgiver@demo.samspil.invalid", "key_member", "PSP Demoby (fiktiv)"),
        ("psykiatri@demo.samspil.invalid", "key_member", "PSP Demoby (fiktiv)"),
        ("koordinator@demo.samspil.invalid", "coordinator", "PSP Demoby (fiktiv)"),
        ("frontmedarbejder@demo.samspil.invalid", "frontline_worker", "PSP Demoby (fiktiv)"),
        ("dpo@demo.samspil.invalid", "dpo", "PSP Demoby (fiktiv)"),
        ("kursus@demo.samspil.invalid", "course_admin", None),
        ("sysadmin@demo.samspil.invalid", "sysadmin", None),
        ("andeby@demo.samspil.invalid", "coordinator", "PSP Andeby (fiktiv)"),
    ], key=str)
    police = User.objects.get(email="politi@demo.samspil.invalid")
    assert police.full_name == "Demo Politibetjent" and police.check_password(DEMO_PASSWORD)
    devices = TOTPDevice.objects.filter(user__email__endswith="@demo.samspil.invalid", confirmed=True)
    assert devices.count() == 9


def test_seed_demo__second_run_changes_nothing_and_is_fast() -> None:
    _seed()
    before = _snapshot()
    started = time.monotonic()
    output = _seed()
    assert time.monotonic() - started < 3
    assert "nothing changed" in output
    assert _snapshot() == before


def test_seed_demo__repairs_a_persona_that_was_deactivated_or_lost_its_password() -> None:
    _seed()
    police = User.objects.get(email="politi@demo.samspil.invalid")
    police.is_active = False
    police.set_password("noget-andet-helt")
    police.save()
    assert "1 repaired" in _seed()
    police.refresh_from_db()
    assert police.is_active and police.check_password(DEMO_PASSWORD)


def test_seed_demo__prints_every_login_with_password_totp_secret_and_code_command() -> None:
    output = _seed()
    for persona in PERSONAS:
        [line] = [line for line in output.splitlines() if persona.email in line]
        assert DEMO_PASSWORD in line
        assert totp_secret_base32(persona.email) in line
        assert persona.description in line
    assert ".venv/bin/samspil demo-code <email>" in output


def test_seed_demo__totp_keys_are_the_same_on_every_installation() -> None:
    _seed()
    device = TOTPDevice.objects.get(user__email="koordinator@demo.samspil.invalid")
    TOTPDevice.objects.all().delete()
    # seeded anew, the persona gets the same key for the same email
    assert totp_secret_base32("koordinator@demo.samspil.invalid") in _seed()
    assert TOTPDevice.objects.get(user__email="koordinator@demo.samspil.invalid").key == device.key


def test_seed_demo__refuses_production_settings_unless_forced(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusing to create demo personas"):
        _seed()
    assert not User.objects.filter(email__endswith="@demo.samspil.invalid").exists()
    _seed("--force")
    assert User.objects.filter(email__endswith="@demo.samspil.invalid").count() == 9


def test_demo_code__prints_a_code_that_the_device_accepts() -> None:
    _seed()
    code = _code("dpo@demo.samspil.invalid")
    assert len(code) == 6 and code.isdigit()
    device = TOTPDevice.objects.get(user__email="dpo@demo.samspil.invalid")
    assert device.verify_token(code)


def test_demo_code__refuses_accounts_that_are_not_demo_personas() -> None:
    _seed()
    User.objects.create_user("rigtig@kommune.invalid", "Lang-Og-Sikker-Frase-2026", full_name="Rigtig Person")
    with pytest.raises(CommandError, match="Only the demo personas"):
        _code("rigtig@kommune.invalid")


def test_demo_code__before_seeding__explains_what_to_do() -> None:
    with pytest.raises(CommandError, match="run `samspil seed-demo` first"):
        _code("politi@demo.samspil.invalid")
