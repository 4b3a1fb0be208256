"""Shared personas: one fictitious PSP cooperation with a person per role, and an outsider.

``client_for(persona)`` returns a test client signed in with a verified second factor, as a real
login would leave it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from samspil.accounts.models import User
from samspil.core.roles import Role
from samspil.organisations.models import Cooperation, Organisation, OrganisationKind, Sector

from .factories import CooperationFactory, MembershipFactory, OrganisationFactory, UserFactory, participate


@pytest.fixture(autouse=True)
def _danish_outside_requests():
    """Each test starts in the default language (Danish): a request in English through the test client
    leaves English active in the thread, which must not leak into the next test's messages."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


PERSONAS = (
    "police_officer",
    "social_worker",
    "psychiatry_nurse",
    "coordinator",
    "frontline_worker",
    "dpo",
    "outsider",
    "anonymous",
)


@dataclass
class World:
    municipality: Organisation
    police: Organisation
    region: Organisation
    cooperation: Cooperation
    other_municipality: Organisation
    other_cooperation: Cooperation
    users: dict[str, User]

    def user(self, persona: str) -> User | None:
        return self.users.get(persona)


@pytest.fixture
def world(db: None) -> World:
    municipality = OrganisationFactory(name="Testrup Kommune (fiktiv)")
    police = OrganisationFactory(
        name="Testrup Politi (fiktiv)", kind=OrganisationKind.POLICE_DISTRICT, sector=Sector.POLICE
    )
    region = OrganisationFactory(name="Region Test (fiktiv)", kind=OrganisationKind.REGION, sector=Sector.PSYCHIATRY)
    cooperation = CooperationFactory(name="PSP Testrup", municipality=municipality)
    for org in (municipality, police, region):
        participate(cooperation, org)
    other_municipality = OrganisationFactory(name="Andeby Kommune (fiktiv)")
    other_cooperation = CooperationFactory(name="PSP Andeby", municipality=other_municipality)
    participate(other_cooperation, other_municipality)

    def member(name: str, org: Organisation, role: str, coop: Cooperation = cooperation) -> User:
        user = UserFactory(full_name=name, email=f"{name.split()[0].lower()}@eksempel.invalid")
        MembershipFactory(user=user, organisation=org, cooperation=coop, role=role)
        return user

    users = {
        "police_officer": member("Per Betjent", police, Role.KEY_MEMBER),
        "social_worker": member("Sofie Socialrådgiver", municipality, Role.KEY_MEMBER),
        "psychiatry_nurse": member("Pia Sygeplejerske", region, Role.KEY_MEMBER),
        "coordinator": member("Karin Koordinator", municipality, Role.COORDINATOR),
        "frontline_worker": member("Frede Frontmedarbejder", municipality, Role.FRONTLINE_WORKER),
        "dpo": member("Dorte Databeskyttelse", municipality, Role.DATA_PROTECTION_OFFICER),
        "outsider": member("Otto Udefra", other_municipality, Role.COORDINATOR, other_cooperation),
    }
    return World(municipality, police, region, cooperation, other_municipality, other_cooperation, users)


def verified_client(user: User | None) -> Client:
    """A client signed in as ``user`` with a verified TOTP device (or anonymous for None)."""
    client = Client()
    if user is None:
        return client
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user).first()
    assert device is not None, "personas are MFA-enrolled"
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(world: World) -> Callable[[str], Client]:
    return lambda persona: verified_client(world.user(persona))
