"""Factories for tests. Names, emails and organisations are fictitious."""

from __future__ import annotations

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from samspil.accounts.models import BackupCode, BackupCodeDevice, User
from samspil.core.roles import Role
from samspil.organisations.models import (
    Cooperation,
    CooperationOrganisation,
    CooperationType,
    Membership,
    Organisation,
    OrganisationKind,
    Sector,
)

PASSWORD = "Korrekt-Hest-Batteri-Haefteklamme-42"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.MUNICIPALITY
    sector = Sector.SOCIAL_SERVICES
    name = factory.Sequence(lambda n: f"Testkommune {n} (fiktiv)")
    code = ""


class CooperationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cooperation

    type = CooperationType.PSP
    name = factory.Sequence(lambda n: f"PSP Testby {n}")
    municipality = factory.SubFactory(OrganisationFactory)
    enabled_legal_bases = factory.LazyFunction(lambda: ["rpl-115-1-2", "rpl-115-2", "psyk-13c", "consent"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@eksempel.invalid")
    full_name = factory.Sequence(lambda n: f"Testperson {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def totp(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted is not False:
            TOTPDevice.objects.create(user=self, name="Godkenderapp", confirmed=True)
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    cooperation = factory.SubFactory(CooperationFactory)
    role = Role.KEY_MEMBER


def participate(cooperation: Cooperation, organisation: Organisation) -> None:
    CooperationOrganisation.objects.get_or_create(
        cooperation=cooperation, organisation=organisation, defaults={"sector": organisation.sector}
    )


def backup_codes(user: User, codes: list[str]) -> BackupCodeDevice:
    """Give ``user`` these backup codes, stored as the app stores them (salted hashes only)."""
    device = BackupCodeDevice.objects.create(user=user, name="Reservekoder", confirmed=True)
    BackupCode.objects.bulk_create([BackupCode.for_code(device, code) for code in codes])
    return device


class CooperationGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "organisations.CooperationGroup"

    cooperation = factory.SubFactory(CooperationFactory)
    kind = "key_persons"
    name = factory.Sequence(lambda n: f"Gruppe {n}")
    meetings_per_year = 10


# Citizens and cases: citizens with a real (encrypted, hashed) fictitious CPR number; cases with their
# involved organisations; journal entries, flags and tasks.


def _fictitious_cpr(n: int) -> str:
    import random
    from datetime import date, timedelta

    from samspil.citizens.cpr import fictitious_cpr

    day = date(1960, 1, 2) + timedelta(days=(n * 97) % 14000)
    if (day.month, day.day) == (1, 1):
        day += timedelta(days=1)
    return fictitious_cpr(day, random.Random(n))


def _cpr_fields(citizen: object) -> dict[str, object]:
    from samspil.citizens.cpr import cpr_birth_date, cpr_encrypt, cpr_lookup_hash

    cpr = getattr(citizen, "cpr", None)
    if not cpr:
        return {"birth_date": None, "cpr_encrypted": None, "cpr_lookup": ""}
    return {
        "birth_date": cpr_birth_date(cpr),
        "cpr_encrypted": cpr_encrypt(cpr),
        "cpr_lookup": cpr_lookup_hash(cpr),
    }


def _folded(name: str) -> str:
    from samspil.citizens.names import fold_name

    return fold_name(name)


class CitizenFactory(factory.django.DjangoModelFactory):
    """``CitizenFactory(cpr="0102851234")`` stores the number as the service does; ``cpr=None`` for none."""

    class Meta:
        model = "citizens.Citizen"

    class Params:
        cpr = factory.Sequence(_fictitious_cpr)

    cooperation = factory.SubFactory(CooperationFactory)
    full_name = factory.Sequence(lambda n: f"Fiktiv Borger {n}")
    search_name = factory.LazyAttribute(lambda o: _folded(o.full_name))
    birth_date = factory.LazyAttribute(lambda o: _cpr_fields(o)["birth_date"])
    cpr_encrypted = factory.LazyAttribute(lambda o: _cpr_fields(o)["cpr_encrypted"])
    cpr_lookup = factory.LazyAttribute(lambda o: _cpr_fields(o)["cpr_lookup"])
    address = factory.Sequence(lambda n: f"Fiktivvej {n}, 9999 Demoby")
    pseudonym = factory.Sequence(lambda n: f"Borger T-{1000 + n}")


class CaseFactory(factory.django.DjangoModelFactory):
    """A case; ``involve=[org, ...]`` sets the involved organisations (the lead is always involved)."""

    class Meta:
        model = "cases.Case"
        skip_postgeneration_save = True

    cooperation = factory.SubFactory(CooperationFactory)
    pseudonym = factory.Sequence(lambda n: f"Borger S-{1000 + n}")
    age_band = "25-34"
    description = "Bekymring om uro og råb i opgangen om natten (fiktivt)."
    lead_organisation = factory.LazyAttribute(lambda case: case.cooperation.municipality)

    @factory.post_generation
    def involve(self, create: bool, extracted: object, **kwargs: object) -> None:
        if not create:
            return
        from samspil.cases.models import Involvement

        organisations = list(extracted or [])  # type: ignore[call-overload]
        if self.lead_organisation not in organisations:
            organisations.insert(0, self.lead_organisation)
        for organisation in organisations:
            Involvement.objects.create(
                case=self, organisation=organisation, is_lead=organisation == self.lead_organisation
            )


class JournalEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.JournalEntry"

    case = factory.SubFactory(CaseFactory)
    organisation = factory.LazyAttribute(lambda entry: entry.case.lead_organisation)
    text = factory.Sequence(lambda n: f"Notat {n}: borgeren er set i opgangen (fiktivt).")


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.Flag"

    case = factory.SubFactory(CaseFactory)
    text = "Mød kun op to medarbejdere"


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.Task"

    case = factory.SubFactory(CaseFactory)
    title = factory.Sequence(lambda n: f"Opgave {n}: kontakt borgeren")
    owner_organisation = factory.LazyAttribute(lambda task: task.case.lead_organisation)
