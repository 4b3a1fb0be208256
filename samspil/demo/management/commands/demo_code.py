"""`samspil demo-code <email>`: print the current six-digit code of a demo persona's authenticator."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from samspil.accounts.models import User
from samspil.demo.personas import TOTP_DEVICE_NAME, persona_by_email, totp_key

from .seed_demo import refuse_production


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo persona (only for the fictitious demo accounts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_production(options["force"])
        persona = persona_by_email(options["email"])
        if persona is None:
            raise CommandError("Only the demo personas printed by `samspil seed-demo` have codes here.")
        user = User.objects.filter(email__iexact=persona.email).first()
        devices = TOTPDevice.objects.filter(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
        device = devices.first() if user else None
        if device is None or device.bin_key != totp_key(persona.email):
            raise CommandError(
                "This demo persona has no demo authenticator yet: run `samspil seed-demo` first."
            )
        self.stdout.write(current_code(device))
