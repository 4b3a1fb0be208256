"""Create or repair the demo world (see personas.py). Idempotent: a second run changes nothing.

Only what is missing is created and only what differs from the demo definition is written, so a run
on a seeded database issues reads only. A cooperation's configuration is set when it is created and
left alone afterwards: a coordinator trying the configuration page keeps their changes. Personas are
restored to a usable state (active, demo password, demo TOTP key).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from samspil.accounts.models import User
from samspil.core.scoping import unscoped
from samspil.organisations.models import (
    Cooperation,
    CooperationGroup,
    CooperationOrganisation,
    Membership,
    Organisation,
)

from .personas import COOPERATIONS, DEMO_PASSWORD, ORGANISATIONS, PERSONAS, TOTP_DEVICE_NAME, totp_key


@dataclass
class SeedResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def seed_demo() -> SeedResult:
    result = SeedResult()
    with transaction.atomic(), unscoped("seeding the fictitious demo personas"):
        organisations = _organisations(result)
        cooperations, groups = _cooperations(result, organisations)
        for persona in PERSONAS:
            user = _user(result, persona.email, persona.full_name)
            _totp(result, user)
            cooperation = cooperations[persona.cooperation] if persona.cooperation else None
            membership = Membership.objects.filter(
                user=user,
                organisation=organisations[persona.organisation],
                cooperation=cooperation,
                role=persona.role,
                is_active=True,
            ).first()
            if membership is None:
                membership = Membership.objects.create(
                    user=user, organisation=organisations[persona.organisation], cooperation=cooperation,
                    role=persona.role,
                )
                result.created.append(f"membership {persona.key}")
            if persona.cooperation:
                wanted = {groups[(persona.cooperation, key)].pk for key in persona.groups}
                missing = wanted - set(membership.groups.values_list("pk", flat=True))
                if missing:
                    membership.groups.add(*missing)
                    result.created.append(f"groups of {persona.key}")
        _domain_data(result, cooperations)
    return result


def _domain_data(result: SeedResult, cooperations: dict[str, Cooperation]) -> None:
    """Each domain app seeds its own fictitious data, idempotently, for the demo personas."""
    from samspil.concerns.demo import seed_concerns
    from samspil.meetings.demo import seed_meetings
    from samspil.training.demo import seed_training
    from samspil.training.models import Course

    from .cases import seed_case_history, seed_cases

    users = {p.key: User.objects.get(email=p.email) for p in PERSONAS}
    result.created += seed_cases(cooperations["psp_demoby"], users)
    result.created += seed_case_history(cooperations["psp_demoby"], users)
    result.created += seed_concerns(cooperations["psp_demoby"], users)
    result.created += seed_meetings(cooperations["psp_demoby"], users)
    if not Course.objects.exists():
        seed_training(
            administrator=users["course_admin"],
            cooperations=[cooperations["psp_demoby"], cooperations["psp_andeby"]],
            completed=[users[k] for k in ("police_officer", "social_worker", "psychiatry_nurse", "coordinator")],
            enrolled=[users["frontline_worker"]],
            waitlisted=[users["outsider"]],
        )
        result.created.append("training course with offerings")


def _organisations(result: SeedResult) -> dict[str, Organisation]:
    found: dict[str, Organisation] = {}
    for spec in ORGANISATIONS:
        organisation, created = Organisation.objects.get_or_create(
            kind=spec.kind, name=spec.name, code="", defaults={"sector": spec.sector}
        )
        if created:
            result.created.append(f"organisation {spec.key}")
        wanted = {
            "sector": spec.sector,
            "region_id": found[spec.region].pk if spec.region else None,
            "police_district_id": found[spec.police_district].pk if spec.police_district else None,
        }
        differs = {name: value for name, value in wanted.items() if getattr(organisation, name) != value}
        if differs:
            for name, value in differs.items():
                setattr(organisation, name, value)
            organisation.save(update_fields=[name.removesuffix("_id") for name in differs])
            if not created:
                result.updated.append(f"organisation {spec.key}")
        found[spec.key] = organisation
    return found


def _cooperations(
    result: SeedResult, organisations: dict[str, Organisation]
) -> tuple[dict[str, Cooperation], dict[tuple[str, str], CooperationGroup]]:
    cooperations: dict[str, Cooperation] = {}
    groups: dict[tuple[str, str], CooperationGroup] = {}
    for spec in COOPERATIONS:
        cooperation, created = Cooperation.objects.get_or_create(
            name=spec.name,
            defaults={
                "type": spec.type,
                "municipality": organisations[spec.municipality],
                "meetings_per_year": spec.meetings_per_year,
                "enabled_legal_bases": list(spec.legal_bases),
                "shown_optional_fields": list(spec.optional_fields),
            },
        )
        if created:
            result.created.append(f"cooperation {spec.key}")
        for key in (spec.municipality, *spec.partners):
            organisation = organisations[key]
            _participation, joined = CooperationOrganisation.objects.get_or_create(
                cooperation=cooperation, organisation=organisation, defaults={"sector": organisation.sector}
            )
            if joined:
                result.created.append(f"participation {spec.key}/{key}")
        for group_spec in spec.groups:
            group, made = CooperationGroup.objects.get_or_create(
                cooperation=cooperation,
                name=group_spec.name,
                defaults={"kind": group_spec.kind, "meetings_per_year": group_spec.meetings_per_year},
            )
            if made:
                result.created.append(f"group {spec.key}/{group_spec.key}")
            groups[(spec.key, group_spec.key)] = group
        cooperations[spec.key] = cooperation
    return cooperations, groups


def _user(result: SeedResult, email: str, full_name: str) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
        result.created.append(f"user {email}")
        return user
    fields = []
    if user.full_name != full_name:
        user.full_name = full_name
        fields.append("full_name")
    if not user.is_active or user.deactivated_at is not None:
        user.is_active, user.deactivated_at = True, None
        fields += ["is_active", "deactivated_at"]
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        fields.append("password")
    if fields:
        user.save(update_fields=fields)
        result.updated.append(f"user {email}")
    return user


def _totp(result: SeedResult, user: User) -> TOTPDevice:
    key = totp_key(user.email).hex()
    device = TOTPDevice.objects.filter(user=user, name=TOTP_DEVICE_NAME).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=True)
        result.created.append(f"totp {user.email}")
    elif device.key != key or not device.confirmed:
        device.key, device.confirmed = key, True
        device.save(update_fields=["key", "confirmed"])
        result.updated.append(f"totp {user.email}")
    return device
