"""Who reaches the sharing pages: the key members of the involved organisations; a coordinator whose
organisation is not involved gets 403 (audited); everyone else, and other cooperations, 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samspil.audit.models import Outcome

from ..conftest import verified_client
from .conftest import events
from .helpers import psp_case, sharing_objects

CASE_ROUTES = [
    "sharing:case_disclosures", "sharing:case_print", "sharing:case_export", "sharing:consent_record",
    "sharing:informing_record",
]


@pytest.mark.parametrize("name", CASE_ROUTES)
@pytest.mark.parametrize("persona", ["outsider", "frontline_worker", "dpo"])
def test_case_route__does_not_exist_for_people_outside_the_case(world, client_for, name, persona):
    objects = sharing_objects(world)
    assert client_for(persona).get(reverse(name, kwargs={"case_pk": objects.case.pk})).status_code == 404


@pytest.mark.parametrize("name", ["sharing:disclosure_detail", "sharing:disclosure_forward"])
def test_disclosure_route__does_not_exist_for_an_outsider(world, client_for, name):
    objects = sharing_objects(world)
    assert client_for("outsider").get(reverse(name, kwargs={"pk": objects.disclosure.pk})).status_code == 404


@pytest.mark.parametrize("name", CASE_ROUTES)
def test_coordinator_of_a_case_their_organisation_is_not_in__403_audited(world, name):
    case = psp_case(world, involved=("police", "region"), lead="police")
    response = verified_client(world.users["coordinator"]).get(reverse(name, kwargs={"case_pk": case.pk}))
    assert response.status_code == 403
    assert "Din organisation er ikke involveret i sagen" in response.content.decode()
    [event] = events("auth.access_denied")
    assert (event.outcome, event.object_id) == (Outcome.DENIED, str(case.pk))


def test_psychiatry_nurse__does_not_see_a_disclosure_made_before_the_region_was_involved(world, client_for):
    objects = sharing_objects(world)
    objects.disclosure.recipients.remove(world.region)
    url = reverse("sharing:disclosure_detail", kwargs={"pk": objects.disclosure.pk})
    assert client_for("psychiatry_nurse").get(url).status_code == 404
    assert client_for("social_worker").get(url).status_code == 200


def test_legal_basis_page__shows_every_rule_with_its_citation_and_counsel_note(world, client_for):
    page = client_for("frontline_worker").get(reverse("sharing:legal_basis_list")).content.decode()
    for text in (
        "§ 115, stk. 1, nr. 1 (SSP)", "§ 115, stk. 1, nr. 2 (PSP)", "§ 115, stk. 1, nr. 3 (KSP)",
        "§ 115, stk. 2", "§ 115, stk. 3 (selvejende institutioner)", "Psykiatriloven § 13 c", "Samtykke",
        "Infohus, § 115",
        "Retsplejeloven § 115, stk. 4", "skal bekræftes", "Skal bekræftes af operatørens juridiske rådgiver.",
    ):
        assert text in page, text
