"""Who sees what: lead contacts, involved organisations, the raiser (status and outcome only), nobody
else; after a hand-over to the police only the police and the lead contacts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samspil.concerns import services
from samspil.concerns.models import ConcernStatus, Decision
from samspil.concerns.selectors import concerns_visible_to
from samspil.core.roles import Role
from samspil.organisations.selectors import forget_memberships

from ..conftest import verified_client
from ..factories import CaseFactory, MembershipFactory, UserFactory
from .helpers import at_status, trained

S = ConcernStatus


def hand_over(world, concern) -> None:
    services.concern_decide(actor=world.users["social_worker"], concern=concern, decision=Decision.POLICE,
                            overall_assessment="Alvorlig.", recommendation="Politiet alene.",
                            reason="Planer.")


def _detail(concern):
    return reverse("concerns:concern_detail", kwargs={"pk": concern.pk})


@pytest.mark.parametrize(
    ("persona", "status", "sees_content"),
    [
        ("police_officer", 200, True),  # lead contact
        ("social_worker", 200, True),  # lead contact
        ("psychiatry_nurse", 200, True),  # the region is involved in step 2
        ("coordinator", 404, False),  # not lead contact, the municipality is not involved
        ("frontline_worker", 200, False),  # raised it: status only
        ("dpo", 404, False),
        ("outsider", 404, False),
    ],
)
def test_concern_page__answers_each_persona_by_role(people, persona, status, sees_content) -> None:
    concern = at_status(people, S.GATHERING)
    response = verified_client(people.users[persona]).get(_detail(concern))
    assert response.status_code == status
    page = response.content.decode()
    assert (concern.observation in page) is sees_content
    assert ("Fiktiv Person, ca. 19 år" in page) is sees_content


def test_frontline_raiser__sees_status_and_outcome_only(people, client_for) -> None:
    concern = at_status(people, S.FOLLOW_UP)
    page = client_for("frontline_worker").get(_detail(concern)).content.decode()
    assert "Afsluttet hos tovholderne." in page
    assert "Der er sat en indsats i gang for personen. Tovholderne følger op på den." in page
    for hidden in (concern.observation, "Mentor", "Udtalelser i klassen", "Støttende mor", "Psykiatri",
                   people.users["social_worker"].full_name, "Vurdering 1"):
        assert hidden not in page


@pytest.mark.parametrize(
    ("decision", "status", "outcome"),
    [
        (Decision.UNFOUNDED, S.CLOSED, "Bekymringen er vurderet og lukket uden en indsats"),
        (Decision.POLICE, S.POLICE, "Bekymringen er overdraget til politiet, som håndterer den videre."),
    ],
)
def test_frontline_raiser__is_told_each_outcome(people, client_for, decision, status, outcome) -> None:
    concern = at_status(people, status, decision=decision)
    page = client_for("frontline_worker").get(_detail(concern)).content.decode()
    assert outcome in page
    assert concern.decision_reason not in page


def test_frontline_worker__does_not_see_a_concern_someone_else_raised(people, client_for) -> None:
    concern = at_status(people, S.GATHERING, raiser="social_worker")
    assert client_for("frontline_worker").get(_detail(concern)).status_code == 404


def test_concern_list__shows_raised_concerns_with_status_and_handled_ones_with_deadlines(
    people, client_for
) -> None:
    concern = at_status(people, S.GATHERING)
    frontline = client_for("frontline_worker").get(reverse("concerns:concern_list")).content.decode()
    assert "Bekymringer, du har rejst" in frontline
    assert concern.reference in frontline
    assert "Bekymringer, du arbejder med" not in frontline
    nurse = client_for("psychiatry_nurse").get(reverse("concerns:concern_list")).content.decode()
    assert "Bekymringer, du arbejder med" in nurse and concern.reference in nurse
    coordinator = client_for("coordinator").get(reverse("concerns:concern_list")).content.decode()
    assert concern.reference not in coordinator


def test_hand_over_to_the_police__restricts_the_details_to_the_police_and_the_lead_contacts(people) -> None:
    officer = UserFactory(full_name="Poul Politi", email="poul@eksempel.invalid")
    MembershipFactory(
        user=officer, organisation=people.police, cooperation=people.cooperation, role=Role.KEY_MEMBER
    )
    trained(officer)
    concern = at_status(people, S.GATHERING)
    # the police are not involved yet
    assert verified_client(officer).get(_detail(concern)).status_code == 404
    nurse = verified_client(people.users["psychiatry_nurse"])
    assert nurse.get(_detail(concern)).status_code == 200
    hand_over(people, concern)
    assert nurse.get(_detail(concern)).status_code == 404
    assert not concerns_visible_to(people.users["psychiatry_nurse"]).filter(pk=concern.pk).exists()
    assert verified_client(officer).get(_detail(concern)).status_code == 200
    for lead in ("social_worker", "police_officer"):
        assert verified_client(people.users[lead]).get(_detail(concern)).status_code == 200
    page = verified_client(people.users["frontline_worker"]).get(_detail(concern)).content.decode()
    assert "overdraget til politiet" in page and concern.observation not in page


def test_information_shared_before_the_hand_over__is_no_longer_shown_to_the_other_sectors(people) -> None:
    concern = at_status(people, S.GATHERING)
    services.concern_disclose(actor=people.users["psychiatry_nurse"], concern=concern,
                              organisation=people.region,
                              text="Indlagt i foråret (fiktivt).", basis_code="rpl-115-2",
                              justification="Nødvendigt.", categories=["health"])
    hand_over(people, concern)
    with pytest.raises(Exception) as refused:
        services.concern_disclose(actor=people.users["psychiatry_nurse"], concern=concern,
                                  organisation=people.region, text="Mere.", basis_code="rpl-115-2",
                                  justification="Nødvendigt.", categories=["health"])
    assert refused.type.__name__ == "PermissionDenied"
    lead_page = verified_client(people.users["police_officer"]).get(_detail(concern)).content.decode()
    assert "Indlagt i foråret (fiktivt)." in lead_page


def test_investigative_member__does_not_read_information_restricted_from_investigation(people) -> None:
    investigator = UserFactory(full_name="Ivan Efterforsker", email="ivan@eksempel.invalid")
    MembershipFactory(user=investigator, organisation=people.police, cooperation=people.cooperation,
                      role=Role.KEY_MEMBER, is_investigative=True)
    trained(investigator)
    concern = at_status(people, S.GATHERING)
    services.concern_involve(actor=people.users["social_worker"], concern=concern, organisation=people.police)
    services.concern_disclose(actor=people.users["psychiatry_nurse"], concern=concern,
                              organisation=people.region,
                              text="Diagnose og medicin (fiktivt).", basis_code="rpl-115-2",
                              justification="Nødvendigt.", categories=["health"])
    page = verified_client(investigator).get(_detail(concern)).content.decode()
    assert "Diagnose og medicin (fiktivt)." not in page
    assert "vises ikke for en medarbejder, der bruges i efterforskning" in page


def test_case_page__names_the_concern_only_to_those_who_see_it(people) -> None:
    concern = at_status(people, S.FOLLOW_UP)
    case = CaseFactory(cooperation=people.cooperation, lead_organisation=people.municipality,
                       involve=[people.police, people.region])
    services.concern_link_case(actor=people.users["social_worker"], concern=concern, case=case)
    url = reverse("cases:case_detail", kwargs={"pk": case.pk})
    assert concern.reference in verified_client(people.users["social_worker"]).get(url).content.decode()
    nurse_page = verified_client(people.users["psychiatry_nurse"]).get(url)
    assert nurse_page.status_code == 200
    services.concern_release(actor=people.users["social_worker"], concern=concern,
                             involvement=concern.involvements.get())
    forget_memberships(people.users["psychiatry_nurse"])
    page = verified_client(people.users["psychiatry_nurse"]).get(url).content.decode()
    assert concern.reference not in page
