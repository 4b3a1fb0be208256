"""Identifying an anonymous discussion on a legal basis: who may, on which basis, with a justification;
on refusal nothing changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samspil.audit.models import Outcome
from samspil.cases.models import Case, CaseState, StateChange
from samspil.citizens.models import Citizen
from samspil.core.scoping import unscoped
from samspil.sharing.models import Disclosure, DisclosureKind, Purpose, SubjectType
from samspil.sharing.services import DuplicatesFound, NewCitizen, SharingRefused, case_identify

from .conftest import events
from .helpers import citizen_in, consent_for, psp_case

WHY = "Borgeren har truet naboer to gange; psykiatrien og kommunen skal kunne koordinere et besøg (fiktivt)."


def reloaded(case: Case) -> Case:
    with unscoped("test"):
        return Case.objects.get(pk=case.pk)


def disclosures() -> list[Disclosure]:
    with unscoped("test"):
        return list(Disclosure.objects.order_by("pk"))


def assert_unchanged(case: Case) -> None:
    fresh = reloaded(case)
    assert (fresh.state, fresh.citizen_id, fresh.identification_legal_basis, fresh.identified_by_id) == (
        CaseState.ANONYMOUS, None, "", None
    )
    assert fresh.identification_justification == "" and fresh.identified_at is None
    assert disclosures() == []
    with unscoped("test"):
        assert not StateChange.objects.filter(case=case).exists()


def identify(world, case, citizen, persona="police_officer", **overrides):
    values = {
        "actor": world.users[persona],
        "case": case,
        "citizen": citizen,
        "basis_code": "rpl-115-1-2",
        "justification": WHY,
    }
    values.update(overrides)
    return case_identify(**values)


def test_key_member_identifies_on_the_psp_basis__case_identified_and_identity_disclosed(
    world, anonymous_case, citizen
):
    identify(world, anonymous_case, citizen, organisation=world.police)

    fresh = reloaded(anonymous_case)
    assert (fresh.state, fresh.citizen_id, fresh.identification_legal_basis) == (
        CaseState.IDENTIFIED, citizen.pk, "rpl-115-1-2"
    )
    assert (fresh.identification_justification, fresh.identified_by) == (WHY, world.users["police_officer"])
    assert fresh.identified_at is not None
    [identity] = disclosures()
    assert (identity.kind, identity.subject_type, identity.subject_id, identity.citizen_id) == (
        DisclosureKind.IDENTITY, SubjectType.IDENTITY, str(citizen.pk), citizen.pk
    )
    assert (identity.source_organisation, identity.purpose) == (world.police, Purpose.IDENTIFICATION)
    assert set(identity.recipients.all()) == {world.municipality, world.region}
    assert identity.restrictions == ["no_onward_disclosure", "no_criminal_investigation"]
    [identified] = events("case.identified")
    assert (identified.outcome, identified.citizen_id, identified.object_id) == (
        Outcome.ALLOWED, citizen.pk, str(anonymous_case.pk)
    )
    assert identified.detail["basis"] == "rpl-115-1-2"
    assert identified.detail["disclosure"] == identity.pk
    assert [e.citizen_id for e in events("disclosure.created")] == [citizen.pk]


def test_without_a_justification__refused_and_nothing_changes(world, anonymous_case, citizen):
    with pytest.raises(SharingRefused) as refused:
        identify(world, anonymous_case, citizen, justification=" ")
    assert refused.value.reasons == [
        "Skriv hvorfor det er nødvendigt at dele oplysningerne (begrundelse for nødvendighed)."
    ]
    assert_unchanged(anonymous_case)
    [event] = events("case.identified")
    assert event.outcome == Outcome.DENIED


def test_on_a_basis_that_does_not_apply_from_the_sector__refused_naming_the_directions(
    world, anonymous_case, citizen
):
    with pytest.raises(SharingRefused) as refused:
        identify(world, anonymous_case, citizen, "social_worker", organisation=world.municipality)
    assert refused.value.reasons == [
        "Hjemlen »§ 115, stk. 1, nr. 2 (PSP)« dækker ikke videregivelse fra Kommunale sociale myndigheder "
        "(Testrup Kommune (fiktiv)) til Psykiatri (Region Test (fiktiv)).",
        "Hjemlen »§ 115, stk. 1, nr. 2 (PSP)« dækker ikke videregivelse fra Kommunale sociale myndigheder "
        "(Testrup Kommune (fiktiv)) til Politi (Testrup Politi (fiktiv)).",
    ]
    assert_unchanged(anonymous_case)


def test_on_a_basis_that_may_not_identify__refused(world, anonymous_case, citizen):
    world.cooperation.enabled_legal_bases = [*world.cooperation.enabled_legal_bases, "rpl-115-3"]
    world.cooperation.save()
    with pytest.raises(SharingRefused) as refused:
        identify(world, anonymous_case, citizen, basis_code="rpl-115-3")
    assert refused.value.reasons[0] == (
        "Hjemlen »§ 115, stk. 3 (selvejende institutioner)« kan ikke bruges til at identificere en borger."
    )
    assert_unchanged(anonymous_case)


def test_by_a_key_member_of_an_organisation_not_involved__refused(world, citizen):
    case = psp_case(world, involved=("police", "municipality"))
    with pytest.raises(SharingRefused) as refused:
        identify(world, case, citizen, "psychiatry_nurse", organisation=world.region)
    assert refused.value.reasons[0] == (
        "Kun en nøgleperson fra en organisation, der er involveret i sagen, kan identificere borgeren."
    )
    assert_unchanged(case)


def test_by_a_frontline_worker__refused(world, anonymous_case, citizen):
    with pytest.raises(SharingRefused):
        identify(world, anonymous_case, citizen, "frontline_worker")
    assert_unchanged(anonymous_case)


def test_an_identified_case__is_not_identified_again(world, case):
    with pytest.raises(SharingRefused) as refused:
        identify(world, case, case.citizen)
    assert refused.value.reasons == ["Sagen er allerede identificeret."]


def test_citizen_of_another_cooperation__refused(world, anonymous_case):
    stranger = Citizen.objects.create(
        cooperation=world.other_cooperation, full_name="Anden Borger", pseudonym="X-1"
    )
    with pytest.raises(SharingRefused) as refused:
        identify(world, anonymous_case, stranger)
    assert refused.value.reasons == ["Borgeren er registreret i et andet samarbejde."]
    assert_unchanged(anonymous_case)


def test_on_consent__needs_the_citizen_s_consent_covering_identification(world, anonymous_case, citizen):
    with pytest.raises(SharingRefused) as refused:
        identify(world, anonymous_case, citizen, "social_worker", basis_code="consent")
    assert refused.value.reasons == ["Der er ikke registreret samtykke fra borgeren i dette samarbejde."]
    assert_unchanged(anonymous_case)

    other_case = psp_case(world, citizen=citizen)
    consent_for(other_case, world.municipality, purposes=[Purpose.IDENTIFICATION])
    identify(world, anonymous_case, citizen, "social_worker", basis_code="consent")
    assert reloaded(anonymous_case).identification_legal_basis == "consent"


def test_with_a_new_citizen__registers_them_through_the_citizens_service(world, anonymous_case):
    identify(world, anonymous_case, NewCitizen(full_name="Ny Fiktiv Borger", cpr="010190-1234"))
    fresh = reloaded(anonymous_case)
    assert fresh.state == CaseState.IDENTIFIED
    assert fresh.citizen.full_name == "Ny Fiktiv Borger"
    assert fresh.citizen.cooperation_id == world.cooperation.pk
    assert fresh.citizen.cpr_lookup != ""


def test_with_a_new_citizen_who_may_exist__offers_the_duplicates_and_changes_nothing(
    world, anonymous_case, citizen
):
    psp_case(world, citizen=citizen)  # the police work on another case about the same citizen
    with pytest.raises(DuplicatesFound) as found:
        identify(
            world, anonymous_case,
            NewCitizen(full_name=citizen.full_name, birth_date=citizen.birth_date),
        )
    assert [d.citizen for d in found.value.duplicates] == [citizen]
    fresh = reloaded(anonymous_case)
    assert (fresh.state, fresh.citizen_id) == (CaseState.ANONYMOUS, None)
    with unscoped("test"):
        assert Citizen.objects.count() == 1
    assert [e.detail["matches"] for e in events("citizen.duplicates_checked")] == [1]


# Pages -----------------------------------------------------------------------------------------


def identify_url(case, citizen) -> str:
    return reverse("sharing:case_identify", kwargs={"case_pk": case.pk, "citizen_pk": citizen.pk})


def test_choosing_the_citizen_on_the_case__continues_to_identification(
    world, anonymous_case, citizen, client_for
):
    psp_case(world, citizen=citizen)  # makes the citizen visible to the involved organisations
    response = client_for("police_officer").post(
        reverse("cases:case_citizen", kwargs={"pk": anonymous_case.pk}), {"choose": str(citizen.pk)}
    )
    assert response.status_code == 302
    assert response["Location"] == identify_url(anonymous_case, citizen)


def test_identify_page__identifies_and_returns_to_the_case(world, anonymous_case, case, client_for):
    response = client_for("police_officer").post(
        identify_url(anonymous_case, case.citizen),
        {"basis": "rpl-115-1-2", "categories": ["other"], "justification": WHY},
    )
    assert response.status_code == 302
    assert reloaded(anonymous_case).citizen_id == case.citizen_id


def test_identified_case_page__names_the_basis_by_its_citation_not_its_code(
    world, anonymous_case, case, client_for
):
    client = client_for("police_officer")
    client.post(
        identify_url(anonymous_case, case.citizen),
        {"basis": "rpl-115-1-2", "categories": ["other"], "justification": WHY},
    )
    page = client.get(reverse("cases:case_detail", args=[anonymous_case.pk])).content.decode()
    assert "efter Retsplejeloven § 115, stk. 1, nr. 2" in page
    assert "»rpl-115-1-2«" not in page


def test_identify_page__offers_only_bases_that_may_identify(world, anonymous_case, case, client_for):
    world.cooperation.enabled_legal_bases = ["rpl-115-1-2", "rpl-115-3"]
    world.cooperation.save()
    page = client_for("police_officer").get(identify_url(anonymous_case, case.citizen)).content.decode()
    assert 'value="rpl-115-1-2"' in page
    assert 'value="rpl-115-3"' not in page


def test_identify_page__refusal_shows_the_reasons_and_keeps_the_text(world, anonymous_case, case, client_for):
    response = client_for("social_worker").post(
        identify_url(anonymous_case, case.citizen),
        {"basis": "rpl-115-1-2", "categories": ["other"], "justification": WHY},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "dækker ikke videregivelse fra Kommunale sociale myndigheder" in page
    assert WHY in page
    assert reloaded(anonymous_case).state == CaseState.ANONYMOUS


def test_identify_page__citizen_not_visible__404(world, anonymous_case, client_for):
    unseen = citizen_in(world)  # registered by nobody, in no case: visible to no one
    response = client_for("police_officer").get(identify_url(anonymous_case, unseen))
    assert response.status_code == 404
