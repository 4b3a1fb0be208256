"""Concurrent edits never lose data: a stale save is refused with a clear message, the text kept."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse

from samspil.cases import services
from samspil.cases.models import Case, JournalEntry
from samspil.cases.services import StaleEditError
from samspil.core.roles import Role
from samspil.core.scoping import unscoped

from ..factories import CaseFactory, JournalEntryFactory, MembershipFactory, UserFactory


def _fresh(case: Case) -> Case:
    with unscoped("test"):
        return Case.objects.get(pk=case.pk)


def test_case_update_text__second_of_two_editors_is_refused_and_loses_nothing(world, case) -> None:
    first, second = world.users["social_worker"], world.users["police_officer"]
    version = case.version  # both opened the form at this version
    services.case_update_text(actor=first, case=case, description="Første redaktørs tekst", version=version)
    with pytest.raises(StaleEditError) as refused:
        services.case_update_text(
            actor=second, case=_fresh(case), description="Anden redaktørs tekst", version=version
        )
    assert "ændret af en anden" in str(refused.value)
    fresh = _fresh(case)
    assert (fresh.description, fresh.version) == ("Første redaktørs tekst", version + 1)


def test_case_edit_page__stale_save_shows_both_texts_and_a_deliberate_resave_wins(
    world, client_for, case
) -> None:
    url = reverse("cases:case_edit", kwargs={"pk": case.pk})
    version = case.version
    client_for("social_worker").post(url, {"description": "Kommunens version", "version": version})
    police = client_for("police_officer")
    response = police.post(url, {"description": "Politiets version", "version": version})
    content = response.content.decode()
    assert response.status_code == 200
    assert "ændret af en anden" in content
    assert "Politiets version" in content  # the person's own text, kept in the form
    assert "Kommunens version" in content  # the saved version, shown beside it
    assert f'name="version" value="{version + 1}"' in content
    assert _fresh(case).description == "Kommunens version"
    police.post(url, {"description": "Politiets version", "version": version + 1})
    assert _fresh(case).description == "Politiets version"


def test_journal_entry_edit__second_of_two_editors_is_refused_and_keeps_the_text(
    world, client_for, case
) -> None:
    entry = JournalEntryFactory(case=case, organisation=world.municipality, text="Oprindeligt")
    url = reverse("cases:journal_edit", kwargs={"pk": case.pk, "entry_pk": entry.pk})
    client_for("social_worker").post(url, {"text": "Socialrådgiverens rettelse", "version": 1})
    response = client_for("coordinator").post(url, {"text": "Koordinatorens rettelse", "version": 1})
    content = response.content.decode()
    assert "ændret af en anden" in content
    assert "Koordinatorens rettelse" in content
    with unscoped("test"):
        saved = JournalEntry.objects.get(pk=entry.pk)
    assert (saved.text, saved.version) == ("Socialrådgiverens rettelse", 2)


EDITORS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: real concurrent connections and row locks"
)
def test_case_update_text__twenty_concurrent_editors__exactly_one_wins_per_version(world) -> None:
    editors = []
    for n in range(EDITORS):
        user = UserFactory(full_name=f"Redaktør {n}")
        MembershipFactory(
            user=user, organisation=world.municipality, cooperation=world.cooperation, role=Role.KEY_MEMBER
        )
        editors.append(user)
    case = CaseFactory(cooperation=world.cooperation, lead_organisation=world.municipality)

    for round_number in range(3):
        version = _fresh(case).version
        barrier = threading.Barrier(EDITORS)
        outcomes: dict[int, str] = {}

        def edit(
            n: int,
            version: int = version,
            barrier: threading.Barrier = barrier,
            outcomes: dict[int, str] = outcomes,
            round_number: int = round_number,
        ) -> None:
            text = f"Runde {round_number}, redaktør {n}"
            try:
                with unscoped("each thread loads its own copy"):
                    mine = Case.objects.get(pk=case.pk)
                barrier.wait(timeout=30)
                services.case_update_text(actor=editors[n], case=mine, description=text, version=version)
                outcomes[n] = "saved"
            except StaleEditError:
                outcomes[n] = "refused"
            finally:
                connection.close()

        threads = [threading.Thread(target=edit, args=(n,)) for n in range(EDITORS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        winners = [n for n, outcome in outcomes.items() if outcome == "saved"]
        assert len(outcomes) == EDITORS
        assert len(winners) == 1
        assert sorted(outcomes.values()).count("refused") == EDITORS - 1
        fresh = _fresh(case)
        assert fresh.description == f"Runde {round_number}, redaktør {winners[0]}"
        assert fresh.version == version + 1
