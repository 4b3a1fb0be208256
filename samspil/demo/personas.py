"""The demo world: one fictional PSP cooperation with a person per role, and an outsider elsewhere.

Everything here is fictitious: the municipality, police district and region carry "(fiktiv)" in their
names and no official code, and every email address is under ``demo.samspil.invalid`` (the .invalid
top-level domain can never receive mail). The demo password is shared by all personas and printed by
``samspil seed-demo``; each persona's TOTP key is derived from the email, so a second factor set up
once in an authenticator app keeps working after the database is rebuilt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field

from samspil.core.roles import Role
from samspil.organisations.models import CooperationType, GroupKind, OrganisationKind, Sector

DEMO_DOMAIN = "demo.samspil.invalid"
DEMO_PASSWORD = "demo-Samspil-2026!"  # noqa: S105 - fictitious demo personas only; seed-demo refuses production
TOTP_DEVICE_NAME = "Godkenderapp (demo)"
# Not a secret: it only makes the demo personas' keys stable across runs and installations.
_TOTP_SALT = b"samspil-demo-totp-2026"


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    name: str
    kind: str
    sector: str
    region: str | None = None
    police_district: str | None = None


@dataclass(frozen=True)
class DemoGroup:
    key: str
    name: str
    kind: str
    meetings_per_year: int


@dataclass(frozen=True)
class DemoCooperation:
    key: str
    name: str
    municipality: str
    partners: tuple[str, ...]
    groups: tuple[DemoGroup, ...]
    type: str = CooperationType.PSP
    meetings_per_year: int = 10
    legal_bases: tuple[str, ...] = ("rpl-115-1-2", "rpl-115-2", "psyk-13c", "consent")
    optional_fields: tuple[str, ...] = ("phone", "age_band", "housing")


@dataclass(frozen=True)
class Persona:
    key: str
    description: str
    full_name: str
    email: str
    organisation: str
    role: str
    cooperation: str | None = None
    groups: tuple[str, ...] = field(default_factory=tuple)


ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    DemoOrganisation(
        "demo_region", "Region Demo Psykiatri (fiktiv)", OrganisationKind.REGION, Sector.PSYCHIATRY
    ),
    DemoOrganisation(
        "demo_police", "Demoby Politikreds (fiktiv)", OrganisationKind.POLICE_DISTRICT, Sector.POLICE
    ),
    DemoOrganisation(
        "demoby", "Demoby Kommune (fiktiv)", OrganisationKind.MUNICIPALITY, Sector.SOCIAL_SERVICES,
        region="demo_region", police_district="demo_police",
    ),
    DemoOrganisation(
        "andeby", "Andeby Kommune (fiktiv)", OrganisationKind.MUNICIPALITY, Sector.SOCIAL_SERVICES,
        region="demo_region", police_district="demo_police",
    ),
)

COOPERATIONS: tuple[DemoCooperation, ...] = (
    DemoCooperation(
        "psp_demoby",
        "PSP Demoby (fiktiv)",
        municipality="demoby",
        partners=("demo_police", "demo_region"),
        groups=(
            DemoGroup("steering", "Styregruppen", GroupKind.STEERING, 4),
            DemoGroup("key_persons", "Nøglepersongruppen", GroupKind.KEY_PERSONS, 10),
        ),
    ),
    DemoCooperation(
        "psp_andeby",
        "PSP Andeby (fiktiv)",
        municipality="andeby",
        partners=("demo_police", "demo_region"),
        groups=(DemoGroup("key_persons", "Nøglepersongruppen", GroupKind.KEY_PERSONS, 8),),
    ),
)

PERSONAS: tuple[Persona, ...] = (
    Persona("police_officer", "Politibetjent (nøgleperson)", "Demo Politibetjent",
            f"politi@{DEMO_DOMAIN}", "demo_police", Role.KEY_MEMBER, "psp_demoby", ("key_persons",)),
    Persona("social_worker", "Socialrådgiver (nøgleperson)", "Demo Socialrådgiver",
            f"socialraadgiver@{DEMO_DOMAIN}", "demoby", Role.KEY_MEMBER, "psp_demoby", ("key_persons",)),
    Persona("psychiatry_nurse", "Psykiatrisygeplejerske (nøgleperson)", "Demo Psykiatrisygeplejerske",
            f"psykiatri@{DEMO_DOMAIN}", "demo_region", Role.KEY_MEMBER, "psp_demoby", ("key_persons",)),
    Persona("coordinator", "Koordinator", "Demo Koordinator",
            f"koordinator@{DEMO_DOMAIN}", "demoby", Role.COORDINATOR, "psp_demoby",
            ("steering", "key_persons")),
    Persona("frontline_worker", "Frontmedarbejder", "Demo Frontmedarbejder",
            f"frontmedarbejder@{DEMO_DOMAIN}", "demoby", Role.FRONTLINE_WORKER, "psp_demoby"),
    Persona("dpo", "Databeskyttelsesrådgiver", "Demo Databeskyttelsesrådgiver",
            f"dpo@{DEMO_DOMAIN}", "demoby", Role.DATA_PROTECTION_OFFICER, "psp_demoby"),
    Persona("course_admin", "Kursusadministrator", "Demo Kursusadministrator",
            f"kursus@{DEMO_DOMAIN}", "demoby", Role.COURSE_ADMINISTRATOR),
    Persona("sysadmin", "Systemadministrator", "Demo Systemadministrator",
            f"sysadmin@{DEMO_DOMAIN}", "demoby", Role.SYSTEM_ADMINISTRATOR),
    Persona("outsider", "Koordinator i et andet samarbejde", "Demo Koordinator Andeby",
            f"andeby@{DEMO_DOMAIN}", "andeby", Role.COORDINATOR, "psp_andeby", ("key_persons",)),
)


def persona_by_email(email: str) -> Persona | None:
    wanted = email.strip().lower()
    return next((p for p in PERSONAS if p.email == wanted), None)


def totp_key(email: str) -> bytes:
    """The persona's 20-byte TOTP key: an HMAC of the email, the same on every run."""
    return hmac.new(_TOTP_SALT, email.strip().lower().encode("utf-8"), hashlib.sha256).digest()[:20]


def totp_secret_base32(email: str) -> str:
    """The key as an authenticator app wants it typed in (RFC 4648 base32, no padding)."""
    return base64.b32encode(totp_key(email)).decode("ascii").rstrip("=")
