"""The engine against the database: sectors from the cooperation, the cooperation's configuration, the
rule set as stored (including rules the operator adds), and consent read on every check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samspil.organisations.models import CooperationOrganisation, CooperationType
from samspil.sharing.models import DataCategory, LegalBasis, Purpose
from samspil.sharing.rules import check_basis

from .helpers import consent_for

POLICE = "Politi (Testrup Politi (fiktiv))"
MUNICIPALITY = "Kommunale sociale myndigheder (Testrup Kommune (fiktiv))"
REGION = "Psykiatri (Region Test (fiktiv))"


def test_police_to_municipality_and_region_on_the_psp_basis__allowed_with_the_section_115_restrictions(world):
    decision = check_basis(
        basis_code="rpl-115-1-2", cooperation=world.cooperation, from_organisation=world.police,
        to_organisations=[world.municipality, world.region], purpose=Purpose.COORDINATION,
    )
    assert (decision.allowed, decision.reasons, decision.to_be_confirmed) == (True, [], False)
    assert decision.restrictions == ("no_onward_disclosure", "no_criminal_investigation")


def test_municipality_to_police_and_region_on_the_psp_basis__refused_naming_both_directions(world):
    decision = check_basis(
        basis_code="rpl-115-1-2", cooperation=world.cooperation, from_organisation=world.municipality,
        to_organisations=[world.police, world.region], purpose=Purpose.COORDINATION,
    )
    assert decision.allowed is False
    assert decision.reasons == [
        f"Hjemlen »§ 115, stk. 1, nr. 2 (PSP)« dækker ikke videregivelse fra {MUNICIPALITY} til {POLICE}.",
        f"Hjemlen »§ 115, stk. 1, nr. 2 (PSP)« dækker ikke videregivelse fra {MUNICIPALITY} til {REGION}.",
    ]


def test_municipality_to_police_and_region_on_stk_2__allowed_and_marked_to_be_confirmed(world):
    decision = check_basis(
        basis_code="rpl-115-2", cooperation=world.cooperation, from_organisation=world.municipality,
        to_organisations=[world.police, world.region], purpose=Purpose.COORDINATION,
    )
    assert (decision.allowed, decision.to_be_confirmed) == (True, True)


def test_basis_switched_off_in_the_cooperation__refused(world):
    world.cooperation.enabled_legal_bases = ["rpl-115-2"]
    world.cooperation.save()
    decision = check_basis(
        basis_code="rpl-115-1-2", cooperation=world.cooperation, from_organisation=world.police,
        to_organisations=[world.municipality], purpose=Purpose.COORDINATION,
    )
    assert decision.reasons == [
        "Hjemlen »§ 115, stk. 1, nr. 2 (PSP)« er ikke slået til i samarbejdet PSP Testrup."
    ]


def test_ssp_basis_in_a_psp_cooperation__refused_twice_over(world):
    decision = check_basis(
        basis_code="rpl-115-1-1", cooperation=world.cooperation, from_organisation=world.police,
        to_organisations=[world.municipality], purpose=Purpose.COORDINATION,
    )
    assert decision.reasons == [
        "Hjemlen »§ 115, stk. 1, nr. 1 (SSP)« er ikke slået til i samarbejdet PSP Testrup.",
        "Hjemlen »§ 115, stk. 1, nr. 1 (SSP)« gælder ikke i PSP-samarbejder. Den gælder i SSP og SSP+.",
    ]


def test_organisation_of_another_cooperation__refused(world):
    decision = check_basis(
        basis_code="rpl-115-1-2", cooperation=world.cooperation, from_organisation=world.police,
        to_organisations=[world.other_municipality], purpose=Purpose.COORDINATION,
    )
    assert decision.reasons == [
        "Andeby Kommune (fiktiv) deltager ikke i samarbejdet PSP Testrup, og hjemlen "
        "»§ 115, stk. 1, nr. 2 (PSP)« gælder kun inden for samarbejdet."
    ]


def test_sector_in_the_cooperation__decides_over_the_organisation_s_own(world):
    CooperationOrganisation.objects.filter(cooperation=world.cooperation, organisation=world.region).update(
        sector="other"
    )
    decision = check_basis(
        basis_code="rpl-115-1-2", cooperation=world.cooperation, from_organisation=world.police,
        to_organisations=[world.region], purpose=Purpose.COORDINATION,
    )
    assert decision.reasons == [
        "Hjemlen »§ 115, stk. 1, nr. 2 (PSP)« dækker ikke videregivelse fra "
        f"{POLICE} til Andet (Region Test (fiktiv))."
    ]


def test_rule_added_by_the_operator__is_applied_without_code(world):
    LegalBasis.objects.create(
        code="lokal-aftale", name="Lokal aftale", title="Lokal aftale (fiktiv)", summary="Til test.",
        cooperation_types=["psp"], directions=[{"from": "psychiatry", "to": "police"}], can_identify=False,
    )
    world.cooperation.enabled_legal_bases = ["lokal-aftale"]
    decision = check_basis(
        basis_code="lokal-aftale", cooperation=world.cooperation, from_organisation=world.region,
        to_organisations=[world.police], purpose=Purpose.COORDINATION,
    )
    assert (decision.allowed, decision.restrictions) == (True, ())


def test_rule_switched_off_by_the_operator__refused(world):
    LegalBasis.objects.filter(code="psyk-13c").update(is_active=False)
    decision = check_basis(
        basis_code="psyk-13c", cooperation=world.cooperation, from_organisation=world.region,
        to_organisations=[world.municipality], purpose=Purpose.DISCHARGE_COORDINATION,
    )
    assert decision.reasons == ["Hjemlen »Psykiatriloven § 13 c« er ikke taget i brug i Samspil."]


def test_consent__read_on_every_check_so_withdrawal_counts_at_once(world, case):
    consent = consent_for(case, world.municipality)

    def decide():
        return check_basis(
            basis_code="consent", cooperation=world.cooperation, from_organisation=world.municipality,
            to_organisations=[world.police], citizen=case.citizen, purpose=Purpose.COORDINATION,
            categories=[DataCategory.SOCIAL],
        )

    assert decide().allowed is True
    consent.withdrawn_at = timezone.now() - timedelta(seconds=1)
    consent.save()
    assert decide().reasons == [
        f"Borgerens samtykke blev trukket tilbage den {timezone.localdate():%d-%m-%Y}."
    ]


def test_consent_of_the_same_citizen_in_another_cooperation__does_not_count(world, case):
    consent_for(case, world.municipality, cooperation=world.other_cooperation)
    decision = check_basis(
        basis_code="consent", cooperation=world.cooperation, from_organisation=world.municipality,
        to_organisations=[world.police], citizen=case.citizen, purpose=Purpose.COORDINATION,
    )
    assert decision.reasons == ["Der er ikke registreret samtykke fra borgeren i dette samarbejde."]


CODES = sorted(
    ["rpl-115-1-1", "rpl-115-1-2", "rpl-115-1-3", "rpl-115-2", "rpl-115-3", "psyk-13c", "consent", "infohus-115"]
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    code=st.sampled_from(CODES) | st.text(max_size=20),
    cooperation_type=st.sampled_from(CooperationType.values),
    enabled=st.lists(st.sampled_from(CODES) | st.text(max_size=8), max_size=5),
    source=st.integers(0, 3),
    recipients=st.lists(st.integers(0, 3), max_size=4),
    with_citizen=st.booleans(),
    identify=st.booleans(),
    purpose=st.sampled_from(Purpose.values),
    categories=st.lists(st.sampled_from(DataCategory.values) | st.text(max_size=5), max_size=3),
)
def test_check_basis__never_crashes_on_any_combination(
    world, case, code, cooperation_type, enabled, source, recipients, with_citizen, identify, purpose,
    categories,
):
    organisations = [world.police, world.municipality, world.region, world.other_municipality]
    world.cooperation.type = cooperation_type
    world.cooperation.enabled_legal_bases = enabled
    decision = check_basis(
        basis_code=code, cooperation=world.cooperation, from_organisation=organisations[source],
        to_organisations=[organisations[i] for i in recipients],
        citizen=case.citizen if with_citizen else None, purpose=purpose, categories=categories,
        for_identification=identify,
    )
    assert decision.allowed == (not decision.reasons)
