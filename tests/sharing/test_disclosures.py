"""Sharing a journal entry in the cooperation: allowed on a basis that applies, refused with the reasons
(and nothing changes) otherwise; shown with its basis and restrictions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samspil.audit.models import Outcome
from samspil.cases.models import EntryVisibility, JournalEntry
from samspil.core.scoping import unscoped
from samspil.sharing.models import DataCategory, Disclosure, DisclosureKind, Purpose, SubjectType
from samspil.sharing.selectors import disclosures_for_entries
from samspil.sharing.services import SharingRefused, disclosure_create

from .conftest import events
from .helpers import PSP_115_RESTRICTIONS, consent_for, entry_of, psp_case

JUSTIFICATION = "Socialforvaltningen skal vide, at borgeren er set forvirret om natten, for at hjælpe."


def all_disclosures() -> list[Disclosure]:
    with unscoped("test"):
        return list(Disclosure.objects.order_by("pk"))


def visibility(entry: JournalEntry) -> str:
    with unscoped("test"):
        return JournalEntry.objects.get(pk=entry.pk).visibility


def share(world, entry, persona="police_officer", **overrides):
    values = {
        "actor": world.users[persona],
        "journal_entry": entry,
        "basis_code": "rpl-115-1-2",
        "justification": JUSTIFICATION,
        "categories": [DataCategory.HEALTH],
    }
    values.update(overrides)
    return disclosure_create(**values)


def test_police_entry_shared_on_the_psp_basis__becomes_shared_with_a_complete_disclosure(
    world, case, police_entry
):
    disclosure = share(world, police_entry)

    assert visibility(police_entry) == EntryVisibility.SHARED
    assert all_disclosures() == [disclosure]
    assert (disclosure.kind, disclosure.subject_type, disclosure.subject_id) == (
        DisclosureKind.SHARE, SubjectType.JOURNAL_ENTRY, str(police_entry.pk)
    )
    assert disclosure.journal_entry_id == police_entry.pk
    assert disclosure.case_id == case.pk and disclosure.citizen_id == case.citizen_id
    assert disclosure.source_organisation_id == world.police.pk
    assert disclosure.disclosed_by == world.users["police_officer"]
    assert set(disclosure.recipients.all()) == {world.municipality, world.region}
    assert (disclosure.legal_basis_code, disclosure.legal_basis_name, disclosure.legal_basis_citation) == (
        "rpl-115-1-2", "§ 115, stk. 1, nr. 2 (PSP)", "Retsplejeloven § 115, stk. 1, nr. 2"
    )
    assert (disclosure.purpose, disclosure.justification) == (Purpose.COORDINATION, JUSTIFICATION)
    assert disclosure.categories == ["health"]
    assert disclosure.restrictions == PSP_115_RESTRICTIONS
    [event] = events("disclosure.created")
    assert (event.outcome, event.citizen_id, event.purpose, event.object_id) == (
        Outcome.ALLOWED, case.citizen_id, "rpl-115-1-2", str(disclosure.pk)
    )
    assert event.detail["recipients"] == sorted([world.municipality.pk, world.region.pk])


def test_restrictions__start_from_the_rule_and_can_only_be_tightened(world, case, municipality_entry):
    consent_for(case, world.municipality)
    disclosure = share(
        world, municipality_entry, "social_worker", basis_code="consent", categories=[DataCategory.SOCIAL],
        restrictions=["no_onward_disclosure"],
    )
    assert disclosure.restrictions == ["no_onward_disclosure"]


def test_social_worker_sharing_on_the_police_basis__refused_with_the_directions_and_nothing_changes(
    world, case, municipality_entry
):
    with pytest.raises(SharingRefused) as refused:
        share(world, municipality_entry, "social_worker", categories=[DataCategory.SOCIAL])

    assert refused.value.reasons == [
        "Hjemlen »§ 115, stk. 1, nr. 2 (PSP)« dækker ikke videregivelse fra Kommunale sociale myndigheder "
        "(Testrup Kommune (fiktiv)) til Psykiatri (Region Test (fiktiv)).",
        "Hjemlen »§ 115, stk. 1, nr. 2 (PSP)« dækker ikke videregivelse fra Kommunale sociale myndigheder "
        "(Testrup Kommune (fiktiv)) til Politi (Testrup Politi (fiktiv)).",
    ]
    assert visibility(municipality_entry) == EntryVisibility.OWN_ORGANISATION
    assert all_disclosures() == []
    [event] = events("disclosure.created")
    assert (event.outcome, event.detail["reasons"]) == (Outcome.DENIED, refused.value.reasons)


def test_without_justification_or_categories__refused_and_nothing_changes(world, case, police_entry):
    with pytest.raises(SharingRefused) as refused:
        share(world, police_entry, justification="   ", categories=[])
    assert refused.value.reasons == [
        "Skriv hvorfor det er nødvendigt at dele oplysningerne (begrundelse for nødvendighed).",
        "Vælg mindst én type oplysninger: helbred, strafbare forhold, sociale forhold, andet.",
    ]
    assert (visibility(police_entry), all_disclosures()) == (EntryVisibility.OWN_ORGANISATION, [])


def test_another_organisation_s_entry__cannot_be_shared(world, case, police_entry):
    with pytest.raises(SharingRefused) as refused:
        share(world, police_entry, "psychiatry_nurse")
    assert refused.value.reasons == [
        "Du kan kun dele notater, som din egen organisation har skrevet i en sag, den er involveret i."
    ]
    assert (visibility(police_entry), all_disclosures()) == (EntryVisibility.OWN_ORGANISATION, [])


def test_an_entry_already_shared__is_not_shared_twice(world, case, police_entry):
    share(world, police_entry)
    police_entry.refresh_from_db()
    with pytest.raises(SharingRefused) as refused:
        share(world, police_entry)
    assert refused.value.reasons == ["Notatet er allerede delt i samarbejdet."]
    assert len(all_disclosures()) == 1


def test_case_with_no_other_organisation_involved__has_nobody_to_share_with(world):
    case = psp_case(world, involved=("police",), lead="police")
    entry = entry_of(case, world.police)
    with pytest.raises(SharingRefused) as refused:
        share(world, entry)
    assert refused.value.reasons == [
        "Ingen andre organisationer er involveret i sagen, så der er ingen at dele med."
    ]


def test_consent_withdrawn__refuses_sharing_on_consent(world, case, municipality_entry):
    from django.utils import timezone

    consent_for(case, world.municipality, withdrawn_at=timezone.now())
    with pytest.raises(SharingRefused) as refused:
        share(
            world, municipality_entry, "social_worker", basis_code="consent", categories=[DataCategory.SOCIAL]
        )
    assert refused.value.reasons == [
        f"Borgerens samtykke blev trukket tilbage den {timezone.localdate():%d-%m-%Y}."
    ]
    assert all_disclosures() == []


def test_consent_not_covering_health_data__refuses_sharing_health_data(world, case, municipality_entry):
    consent_for(case, world.municipality, categories=["social"])
    with pytest.raises(SharingRefused) as refused:
        share(world, municipality_entry, "social_worker", basis_code="consent",
              categories=[DataCategory.SOCIAL, DataCategory.HEALTH])
    assert refused.value.reasons == ["Samtykket dækker ikke typen »Helbredsoplysninger«."]


def test_disclosures_for_entries__one_query_for_any_number_of_entries(world, case, django_assert_num_queries):
    entries = [entry_of(case, world.police) for _ in range(4)]
    made = [share(world, entry) for entry in entries[:3]]
    with django_assert_num_queries(1):
        found = disclosures_for_entries([e.pk for e in entries])
    assert found == {entry.pk: disclosure for entry, disclosure in zip(entries, made, strict=False)}


# Pages -----------------------------------------------------------------------------------------


def share_url(case, entry) -> str:
    return reverse("sharing:entry_share", kwargs={"case_pk": case.pk, "entry_pk": entry.pk})


def test_share_page__shares_and_returns_to_the_case(world, case, police_entry, client_for):
    response = client_for("police_officer").post(share_url(case, police_entry), {
        "basis": "rpl-115-1-2", "purpose": "coordination", "categories": ["health"],
        "justification": JUSTIFICATION,
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", kwargs={"pk": case.pk})
    assert visibility(police_entry) == EntryVisibility.SHARED


def test_share_page__refusal_shows_every_reason_and_keeps_the_text(
    world, case, municipality_entry, client_for
):
    response = client_for("social_worker").post(share_url(case, municipality_entry), {
        "basis": "rpl-115-1-2", "purpose": "coordination", "categories": ["social"],
        "justification": JUSTIFICATION,
    })
    assert response.status_code == 200
    page = response.content.decode()
    assert "Det kan ikke lade sig gøre, og intet er ændret" in page
    assert "fra Kommunale sociale myndigheder (Testrup Kommune (fiktiv)) til Politi" in page
    assert JUSTIFICATION in page
    assert visibility(municipality_entry) == EntryVisibility.OWN_ORGANISATION


def test_share_page__without_a_basis_says_so_and_keeps_the_text(world, case, police_entry, client_for):
    response = client_for("police_officer").post(share_url(case, police_entry), {
        "purpose": "coordination", "categories": ["health"], "justification": JUSTIFICATION,
    })
    assert response.status_code == 200
    assert "Vælg den hjemmel, oplysningerne deles efter." in response.content.decode()
    assert JUSTIFICATION in response.content.decode()
    assert all_disclosures() == []


def test_share_page__offers_only_bases_enabled_for_the_cooperation_type(
    world, case, police_entry, client_for
):
    page = client_for("police_officer").get(share_url(case, police_entry)).content.decode()
    assert 'value="rpl-115-1-2"' in page and 'value="rpl-115-2"' in page and 'value="consent"' in page
    assert 'value="rpl-115-1-1"' not in page and 'value="infohus"' not in page


def test_shared_entry__seen_from_the_other_sector_with_basis_and_restrictions(
    world, case, police_entry, client_for
):
    disclosure = share(world, police_entry)
    url = reverse("sharing:disclosure_detail", kwargs={"pk": disclosure.pk})
    response = client_for("psychiatry_nurse").get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert police_entry.text in page
    assert "Retsplejeloven § 115, stk. 1, nr. 2" in page
    assert "Må ikke videregives" in page and "Må ikke bruges til efterforskning" in page
    assert [e.outcome for e in events("disclosure.viewed")] == [Outcome.ALLOWED]


def test_disclosure_list__shows_who_shared_what_on_which_basis(world, case, police_entry, client_for):
    share(world, police_entry)
    url = reverse("sharing:case_disclosures", kwargs={"case_pk": case.pk})
    response = client_for("social_worker").get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Testrup Politi (fiktiv)" in page and "Per Betjent" in page
    assert "§ 115, stk. 1, nr. 2 (PSP)" in page
    assert "Helbredsoplysninger" in page
    assert [(e.outcome, e.detail) for e in events("disclosure.listed")] == [(Outcome.ALLOWED, {"count": 1})]


def test_case_page__offers_sharing_each_own_unshared_entry(
    world, case, police_entry, municipality_entry, client_for
):
    url = reverse("cases:case_detail", kwargs={"pk": case.pk})
    page = client_for("police_officer").get(url).content.decode()
    assert share_url(case, police_entry) in page
    assert share_url(case, municipality_entry) not in page


def test_entry_context__badge_for_shared_entries_and_action_for_own_unshared_ones(
    world, case, police_entry, municipality_entry, rf
):
    from django.template.loader import render_to_string

    from samspil.sharing.panels import entry_sharing_context

    disclosure = share(world, police_entry)
    own = entry_of(case, world.police)
    request = rf.get("/")
    request.user = world.users["police_officer"]
    with unscoped("test"):
        entries = list(JournalEntry.objects.filter(case=case).order_by("pk"))
    context = entry_sharing_context(request, case, entries)
    assert context[police_entry.pk]["disclosure"] == disclosure
    assert (context[own.pk]["can_share"], context[municipality_entry.pk]["can_share"]) == (True, False)
    badge = render_to_string("sharing/entry_extra.html", context[police_entry.pk])
    assert "efter § 115, stk. 1, nr. 2 (PSP)" in badge and "Må ikke videregives" in badge
    action = render_to_string("sharing/entry_extra.html", context[own.pk])
    assert share_url(case, own) in action


def test_disclosure_list__query_count_does_not_grow_with_the_disclosures(world, case, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("social_worker")
    url = reverse("sharing:case_disclosures", kwargs={"case_pk": case.pk})
    share(world, entry_of(case, world.police))
    client.get(url)  # the first request of a session also records the session
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(5):
        share(world, entry_of(case, world.police))
    with CaptureQueriesContext(connection) as six:
        assert client.get(url).status_code == 200
    assert len(six.captured_queries) == len(one.captured_queries)
