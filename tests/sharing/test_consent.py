"""Consent: recorded with its scope and purposes, withdrawn with effect on the very next request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samspil.audit.models import Outcome
from samspil.cases.models import EntryVisibility, JournalEntry
from samspil.core.scoping import unscoped
from samspil.sharing.models import Consent, ConsentForm, DataCategory, Purpose
from samspil.sharing.services import SharingRefused, consent_record, consent_withdraw

from .conftest import events
from .helpers import entry_of

WHY = "Borgeren har selv bedt om, at kommunen orienterer politiet om boligsagen (fiktivt)."


def record(world, case, persona="social_worker", **overrides) -> Consent:
    values = {
        "actor": world.users[persona],
        "case": case,
        "organisation": world.municipality,
        "purposes": [Purpose.COORDINATION],
        "sectors": ["social", "police"],
        "categories": [DataCategory.SOCIAL],
        "form": ConsentForm.WRITTEN,
        "given_at": timezone.now() - timedelta(hours=1),
    }
    values.update(overrides)
    return consent_record(**values)


def consents() -> list[Consent]:
    with unscoped("test"):
        return list(Consent.objects.order_by("pk"))


def test_consent_recorded__with_scope_purposes_and_who_recorded_it(world, case):
    consent = record(
        world, case, organisations=[world.police], purpose_text="Boligsagen", note="Underskrevet"
    )
    assert consents() == [consent]
    assert (consent.citizen_id, consent.cooperation_id) == (case.citizen_id, world.cooperation.pk)
    assert (consent.purposes, consent.sectors, consent.categories) == (
        ["coordination"], ["social", "police"], ["social"]
    )
    assert list(consent.organisations.all()) == [world.police]
    assert (consent.recorded_by, consent.recorded_by_organisation, consent.form) == (
        world.users["social_worker"], world.municipality, "written"
    )
    [event] = events("citizen.consent_recorded")
    assert (event.outcome, event.citizen_id, event.object_id) == (
        Outcome.ALLOWED, case.citizen_id, str(consent.pk)
    )


def test_consent__refused_for_an_anonymous_case_a_future_date_and_an_empty_scope(world, anonymous_case):
    with pytest.raises(SharingRefused) as refused:
        record(world, anonymous_case, sectors=[], purposes=[], given_at=timezone.now() + timedelta(days=1))
    assert refused.value.reasons == [
        "Sagen er ikke identificeret; et samtykke knyttes til en registreret borger.",
        "Vælg mindst ét formål fra listen.",
        "Vælg mindst én sektor, samtykket omfatter.",
        "Samtykket kan ikke være givet i fremtiden.",
    ]
    assert consents() == []


def test_consent__recorded_only_by_someone_working_on_the_case(world, case):
    with pytest.raises(SharingRefused) as refused:
        record(world, case, "frontline_worker")
    assert refused.value.reasons == [
        "Kun en nøgleperson fra en organisation, der er involveret i sagen, kan registrere samtykke."
    ]
    assert consents() == []


def test_withdrawal__takes_effect_on_the_next_request(world, case, client_for):
    consent = record(world, case)
    first = entry_of(case, world.municipality, text="Første notat om huslejerestance (fiktivt).")
    second = entry_of(case, world.municipality, text="Andet notat om huslejerestance (fiktivt).")
    client = client_for("social_worker")
    data = {"basis": "consent", "purpose": "coordination", "categories": ["social"], "justification": WHY}

    def share(entry):
        url = reverse("sharing:entry_share", kwargs={"case_pk": case.pk, "entry_pk": entry.pk})
        return client.post(url, data)

    with unscoped("test"):  # only the police can receive: the consent covers social services and police
        case.involvements.filter(organisation=world.region).update(ended_at=timezone.now())
    assert share(first).status_code == 302

    response = client.post(
        reverse("sharing:consent_withdraw", kwargs={"case_pk": case.pk, "consent_pk": consent.pk}),
        {"note": "Ringede"},
    )
    assert response.status_code == 302

    refused = share(second)
    assert refused.status_code == 200
    today = f"{timezone.localdate():%d-%m-%Y}"
    assert f"Borgerens samtykke blev trukket tilbage den {today}." in refused.content.decode()
    with unscoped("test"):
        assert JournalEntry.objects.get(pk=second.pk).visibility == EntryVisibility.OWN_ORGANISATION
        assert JournalEntry.objects.get(pk=first.pk).visibility == EntryVisibility.SHARED
    [withdrawn] = consents()
    assert withdrawn.withdrawn_by == world.users["social_worker"] and withdrawn.withdrawal_note == "Ringede"
    assert [e.outcome for e in events("citizen.consent_withdrawn")] == [Outcome.ALLOWED]


def test_withdrawing_twice__refused(world, case):
    consent = record(world, case)
    consent_withdraw(actor=world.users["social_worker"], case=case, consent=consent)
    with pytest.raises(SharingRefused) as refused:
        consent_withdraw(actor=world.users["social_worker"], case=case, consent=consent)
    assert refused.value.reasons == ["Samtykket er allerede trukket tilbage."]


def test_consent_page__records_the_consent(world, case, client_for):
    response = client_for("social_worker").post(
        reverse("sharing:consent_record", kwargs={"case_pk": case.pk}),
        {
            "purposes": ["coordination", "identification"], "sectors": ["social", "psychiatry"],
            "categories": ["health", "social"], "form": "oral", "given_on": "01-02-2025",
            "expires_on": "31-12-2025",
            "note": "Sagt ja ved hjemmebesøg",
        },
    )
    assert response.status_code == 302
    [consent] = consents()
    assert (consent.form, consent.sectors, consent.note) == (
        "oral", ["social", "psychiatry"], "Sagt ja ved hjemmebesøg"
    )
    assert timezone.localtime(consent.given_at).date().isoformat() == "2025-02-01"
    assert timezone.localtime(consent.expires_at).isoformat().startswith("2026-01-01T00:00:00")


def test_consent_page__bad_dates_explained_and_input_kept(world, case, client_for):
    response = client_for("social_worker").post(
        reverse("sharing:consent_record", kwargs={"case_pk": case.pk}),
        {"purposes": ["coordination"], "sectors": ["social"], "categories": ["social"], "form": "written",
         "given_on": "32-01-2025", "note": "Skriftlig erklæring i kommunens journal"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Skriv datoen som dd-mm-åååå, fx 05-03-2025." in page
    assert "Skriftlig erklæring i kommunens journal" in page
    assert consents() == []
