"""Restrictions are enforced: § 115 information is never forwarded, never opened by an investigative
membership, and carries the confidentiality marking on print and export."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samspil.audit.models import Outcome
from samspil.core.scoping import unscoped
from samspil.organisations.models import Membership
from samspil.organisations.selectors import forget_memberships
from samspil.sharing.models import DataCategory, Disclosure, DisclosureKind
from samspil.sharing.services import SharingRefused, disclosure_create, disclosure_forward

from .conftest import events
from .helpers import consent_for, shared_disclosure

MARKING = (
    "FORTROLIGT. Oplysningerne er modtaget i et kriminalitetsforebyggende samarbejde efter "
    "retsplejelovens § 115 og må ikke videregives til nogen uden for samarbejdet."
)
INVESTIGATION_MARKING = (
    "Oplysningerne må ikke bruges til eller videregives med henblik på efterforskning af straffesager."
)
REASON = "Du skal bruge oplysningerne i kommunens boligsag (fiktivt)."


def disclosure_count() -> int:
    with unscoped("test"):
        return Disclosure.objects.count()


def url_of(name: str, disclosure: Disclosure) -> str:
    return reverse(f"sharing:{name}", kwargs={"pk": disclosure.pk})


def make_investigative(user) -> None:
    with unscoped("test"):
        Membership.objects.filter(user=user).update(is_investigative=True)
    forget_memberships(user)


@pytest.fixture
def received(world, case, police_entry):
    """The police entry shared with the municipality and the region under § 115, stk. 1, nr. 2."""
    recipients = [world.municipality, world.region]
    return shared_disclosure(case, police_entry, recipients, by=world.users["police_officer"])


# Forwarding ------------------------------------------------------------------------------------


def test_forwarding_section_115_information__refused_with_the_ban_and_nothing_changes(world, received):
    before = disclosure_count()
    with pytest.raises(SharingRefused) as refused:
        disclosure_forward(
            actor=world.users["social_worker"], disclosure=received, recipient=world.other_municipality,
            basis_code="consent", justification=REASON,
        )
    assert refused.value.reasons == [
        "Oplysningerne er delt efter »§ 115, stk. 1, nr. 2 (PSP)« og må ikke videregives uden for "
        "samarbejdet (Retsplejeloven § 115, stk. 4)."
    ]
    assert disclosure_count() == before
    [event] = events("disclosure.forwarded")
    assert (event.outcome, event.object_id, event.detail["reasons"]) == (
        Outcome.DENIED, str(received.pk), refused.value.reasons
    )


def test_forward_page__shows_the_refusal(world, received, client_for):
    response = client_for("social_worker").post(
        reverse("sharing:disclosure_forward", kwargs={"pk": received.pk}),
        {"recipient": world.other_municipality.pk, "basis": "consent", "justification": REASON},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "må ikke videregives uden for samarbejdet (Retsplejeloven § 115, stk. 4)" in page
    assert REASON in page
    assert disclosure_count() == 1


def test_information_shared_on_consent__forwarded_where_the_consent_reaches(world, case, municipality_entry):
    consent_for(case, world.municipality, sectors=["social", "police", "psychiatry"])
    shared = disclosure_create(
        actor=world.users["social_worker"], journal_entry=municipality_entry, basis_code="consent",
        justification=REASON, categories=[DataCategory.SOCIAL],
    )
    onward = disclosure_forward(
        actor=world.users["police_officer"], disclosure=shared, recipient=world.other_municipality,
        basis_code="consent", justification=REASON,
    )
    assert (onward.kind, onward.forwarded_from, onward.source_organisation) == (
        DisclosureKind.FORWARD, shared, world.police
    )
    assert list(onward.recipients.all()) == [world.other_municipality]
    assert [e.outcome for e in events("disclosure.forwarded")] == [Outcome.ALLOWED]


def test_the_source_organisation__cannot_forward_what_it_did_not_receive(world, received):
    with pytest.raises(SharingRefused) as refused:
        disclosure_forward(
            actor=world.users["police_officer"], disclosure=received, recipient=world.other_municipality,
            basis_code="consent", justification=REASON,
        )
    assert refused.value.reasons[0] == (
        "Kun en organisation, der har modtaget oplysningerne, kan videregive dem."
    )


# Investigative memberships ---------------------------------------------------------------------


def test_investigative_membership__cannot_open_section_115_information(world, received, client_for):
    make_investigative(world.users["social_worker"])
    response = client_for("social_worker").get(url_of("disclosure_detail", received))
    assert response.status_code == 403
    assert received.journal_entry.text not in response.content.decode()
    [event] = events("disclosure.viewed")
    assert (event.outcome, event.object_id, event.actor_id) == (
        Outcome.DENIED, str(received.pk), world.users["social_worker"].pk
    )


def test_investigative_membership__cannot_forward_it_either(world, received, client_for):
    make_investigative(world.users["social_worker"])
    response = client_for("social_worker").get(url_of("disclosure_forward", received))
    assert response.status_code == 403


def test_non_investigative_colleague__opens_it(world, received, client_for):
    make_investigative(world.users["social_worker"])
    response = client_for("psychiatry_nurse").get(url_of("disclosure_detail", received))
    assert response.status_code == 200


def test_investigative_police__still_open_their_own_organisation_s_disclosure(world, received, client_for):
    make_investigative(world.users["police_officer"])
    response = client_for("police_officer").get(url_of("disclosure_detail", received))
    assert response.status_code == 200


def test_investigative_membership__disclosure_without_the_investigation_restriction_opens(
    world, case, municipality_entry, client_for
):
    shared = shared_disclosure(case, municipality_entry, [world.police, world.region], restrictions=[])
    make_investigative(world.users["psychiatry_nurse"])
    response = client_for("psychiatry_nurse").get(url_of("disclosure_detail", shared))
    assert response.status_code == 200


# Print and export ------------------------------------------------------------------------------


def test_print_view__carries_the_section_115_marking_and_is_audited(world, case, received, client_for):
    response = client_for("social_worker").get(reverse("sharing:case_print", kwargs={"case_pk": case.pk}))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(MARKING) == 2  # top and bottom
    assert INVESTIGATION_MARKING in page
    assert "Retsplejeloven § 115, stk. 4" in page
    assert received.journal_entry.text in page
    [event] = events("case.printed")
    assert (event.citizen_id, event.object_id, event.detail) == (
        case.citizen_id, str(case.pk),
        {
            "disclosures": [received.pk], "withheld": 0,
            "restrictions": ["no_criminal_investigation", "no_onward_disclosure"],
        },
    )


def test_print_view__withholds_section_115_information_from_an_investigative_membership(
    world, case, received, client_for
):
    make_investigative(world.users["social_worker"])
    url = reverse("sharing:case_print", kwargs={"case_pk": case.pk})
    page = client_for("social_worker").get(url).content.decode()
    assert received.journal_entry.text not in page
    assert "1 notat er udeladt: det må ikke bruges til efterforskning." in page
    assert events("case.printed")[0].detail["withheld"] == 1


def test_export__is_a_text_file_with_the_marking_first_and_last(world, case, received, client_for):
    response = client_for("psychiatry_nurse").get(reverse("sharing:case_export", kwargs={"case_pk": case.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    lines = [line for line in response.content.decode().splitlines() if line.strip()]
    assert lines[0] == INVESTIGATION_MARKING + " (Retsplejeloven § 115, stk. 2)"
    assert lines[1] == MARKING + " (Retsplejeloven § 115, stk. 4)"
    assert lines[-1] == MARKING + " (Retsplejeloven § 115, stk. 4)"
    assert received.journal_entry.text in lines
    assert [e.action for e in events("case.shared_exported")] == ["case.shared_exported"]
