"""Case pages: what each persona gets, forms that keep what was typed, and audit of every look."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samspil.audit import actions
from samspil.audit.models import AuditEvent, Outcome
from samspil.cases.models import (
    Case,
    CaseState,
    EntryVisibility,
    Flag,
    Involvement,
    JournalEntry,
    Task,
    TaskStatus,
)
from samspil.core.scoping import unscoped

from ..factories import FlagFactory, JournalEntryFactory, TaskFactory


def _events(action: str) -> list[AuditEvent]:
    with unscoped("test reads the audit log"):
        return list(AuditEvent.objects.filter(action=action).order_by("id"))


def _url(name: str, **kwargs: object) -> str:
    return reverse(name, kwargs=kwargs or None)


def _case_count() -> int:
    with unscoped("test counts cases"):
        return Case.objects.count()


# --- Case list ------------------------------------------------------------------------------------------


def test_case_list__shows_involved_cases_in_full_and_audits_the_listing(
    client_for, world, case, police_case
) -> None:
    response = client_for("social_worker").get(reverse("cases:case_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert case.pseudonym in content
    assert police_case.pseudonym not in content
    [event] = _events(actions.CASE_SEARCHED)
    assert event.detail == {"criterion": "list", "filters": [], "matches": 1}


def test_case_list__coordinator_sees_that_uninvolved_cases_exist_without_details(
    client_for, world, police_case
) -> None:
    JournalEntryFactory(case=police_case, organisation=world.police, text="Hemmeligt politinotat")
    response = client_for("coordinator").get(reverse("cases:case_list"))
    content = response.content.decode()
    assert police_case.pseudonym in content
    assert "Ikke involveret" in content
    assert reverse("cases:case_detail", kwargs={"pk": police_case.pk}) not in content
    assert world.police.name not in content.split("<tbody>")[1]


def test_case_list__frontline_worker_sees_only_own_referrals(client_for, world, case, police_case) -> None:
    content = client_for("frontline_worker").get(reverse("cases:case_list")).content.decode()
    assert case.pseudonym in content
    assert police_case.pseudonym not in content
    assert world.municipality.name in content  # the lead organisation


def test_case_list__outsider_and_dpo_see_no_cases(client_for, case) -> None:
    for persona in ("outsider", "dpo"):
        content = client_for(persona).get(reverse("cases:case_list")).content.decode()
        assert case.pseudonym not in content


def test_case_list__filters_by_state_and_flags(client_for, world, case, identified_case) -> None:
    FlagFactory(case=identified_case)
    client = client_for("social_worker")
    by_state = client.get(reverse("cases:case_list"), {"state": "identified"}).content.decode()
    assert identified_case.pseudonym in by_state and case.pseudonym not in by_state
    flagged = client.get(reverse("cases:case_list"), {"flagged": "on"}).content.decode()
    assert identified_case.pseudonym in flagged and case.pseudonym not in flagged
    overdue = client.get(reverse("cases:case_list"), {"overdue": "on"}).content.decode()
    assert "Ingen sager matcher" in overdue


def test_case_list__overdue_filter_finds_cases_with_late_open_tasks(
    client_for, world, case, identified_case
) -> None:
    TaskFactory(case=case, due_date=timezone.localdate() - timedelta(days=1))
    yesterday = timezone.localdate() - timedelta(days=1)
    TaskFactory(case=identified_case, due_date=yesterday, status=TaskStatus.DONE)
    content = client_for("social_worker").get(reverse("cases:case_list"), {"overdue": "on"}).content.decode()
    assert case.pseudonym in content
    assert identified_case.pseudonym not in content


def test_case_list__name_search_finds_the_citizen_accent_folded_and_audits_the_kind(
    client_for, identified_case
) -> None:
    identified_case.citizen.full_name = "Søren Ærø"
    identified_case.citizen.search_name = "soeren aeroe"
    identified_case.citizen.save()
    response = client_for("police_officer").get(reverse("cases:case_list"), {"q": "Soeren aerø"})
    assert identified_case.pseudonym in response.content.decode()
    [event] = _events(actions.CASE_SEARCHED)
    assert event.detail == {"criterion": "name", "filters": [], "matches": 1}
    assert "ren" not in str(event.detail).replace("criterion", "")


def test_case_list__name_search_does_not_match_names_of_cases_the_user_only_knows_exist(
    client_for, world, citizen
) -> None:
    from ..factories import CaseFactory

    hidden = CaseFactory(cooperation=world.cooperation, lead_organisation=world.police, citizen=citizen,
                         state=CaseState.IDENTIFIED)
    coordinator = client_for("coordinator")
    content = coordinator.get(_url("cases:case_list"), {"q": "Fiktiv Borger 12"}).content.decode()
    assert hidden.pseudonym not in content
    by_pseudonym = coordinator.get(_url("cases:case_list"), {"q": hidden.pseudonym}).content.decode()
    assert hidden.pseudonym in by_pseudonym


def test_case_list__cpr_search_is_post_exact_and_never_logged(client_for, identified_case, case) -> None:
    client = client_for("social_worker")
    response = client.post(reverse("cases:case_list"), {"cpr": "120384-9123"})
    assert response.status_code == 200
    content = response.content.decode()
    assert identified_case.pseudonym in content
    assert case.pseudonym not in content
    assert "9123" not in content  # the number is not echoed back
    [event] = _events(actions.CASE_SEARCHED)
    assert event.detail == {"criterion": "cpr", "filters": [], "matches": 1}


def test_case_list__invalid_cpr_is_explained_and_kept(client_for, identified_case) -> None:
    response = client_for("social_worker").post(reverse("cases:case_list"), {"cpr": "320184-9123"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Datodelen af CPR-nummeret" in content
    assert 'value="320184-9123"' in content
    assert _events(actions.CASE_SEARCHED) == []


def test_case_list__is_paginated(client_for, world) -> None:
    from ..factories import CaseFactory

    CaseFactory.create_batch(30, cooperation=world.cooperation, lead_organisation=world.municipality)
    client = client_for("social_worker")
    first = client.get(reverse("cases:case_list")).content.decode()
    second = client.get(reverse("cases:case_list"), {"side": 2}).content.decode()
    assert "Side 1 af 2" in first
    assert "Side 2 af 2" in second
    assert first.count("samspil-state-anonymous") == 25
    assert second.count("samspil-state-anonymous") == 5


# --- Opening -----------------------------------------------------------------------------------------------


def test_case_open__a_key_member_opens_an_anonymous_discussion_with_two_fields(client_for, world) -> None:
    response = client_for("police_officer").post(
        reverse("cases:case_open"),
        {"description": "Mand råber ad naboer, virker forvirret (fiktivt).", "age_band": "35-49",
         "lead_organisation": world.police.pk},
    )
    with unscoped("test"):
        case = Case.objects.get()
        assert list(case.involvements.values_list("organisation_id", flat=True)) == [world.police.pk]
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", kwargs={"pk": case.pk})
    assert case.state == CaseState.ANONYMOUS
    assert case.pseudonym.startswith("Borger ")
    assert case.opened_by == world.users["police_officer"]
    [event] = _events(actions.CASE_OPENED)
    assert event.object_id == str(case.pk)
    assert event.citizen_id is None


def test_case_open__refuses_a_cpr_in_the_description_and_keeps_the_text(client_for, world) -> None:
    text = "Borgeren (010190-1234) er meget urolig."
    response = client_for("social_worker").post(
        _url("cases:case_open"),
        {"description": text, "age_band": "35-49", "lead_organisation": world.municipality.pk},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "ser ud til at indeholde et CPR-nummer" in content
    assert "Borgeren (010190-1234) er meget urolig." in content
    assert _case_count() == 0


def test_case_open__oversized_description_is_refused_and_kept(client_for, world) -> None:
    text = "a" * 5001
    response = client_for("social_worker").post(
        _url("cases:case_open"),
        {"description": text, "age_band": "35-49", "lead_organisation": world.municipality.pk},
    )
    content = response.content.decode()
    assert "Teksten er for lang: højst 5000 tegn, du har skrevet 5001" in content
    assert text in content
    assert 'maxlength="5000"' not in content
    assert _case_count() == 0


def test_case_open__needs_description_and_age_band(client_for, world) -> None:
    data = {"lead_organisation": world.municipality.pk}
    response = client_for("social_worker").post(_url("cases:case_open"), data)
    content = response.content.decode()
    assert "Feltet skal udfyldes." in content
    assert "Vælg en aldersgruppe" in content
    assert _case_count() == 0


@pytest.mark.parametrize("persona", ["frontline_worker", "dpo"])
def test_case_open__is_refused_for_people_who_do_not_work_on_cases(client_for, world, persona) -> None:
    response = client_for(persona).post(
        _url("cases:case_open"),
        {"description": "x", "age_band": "35-49", "lead_organisation": world.municipality.pk},
    )
    assert response.status_code == 403
    assert _case_count() == 0
    [event] = _events(actions.ACCESS_DENIED)
    assert event.outcome == Outcome.DENIED


# --- Detail ------------------------------------------------------------------------------------------------


def test_case_detail__involved_member_sees_it_and_the_view_is_audited_with_ids(
    client_for, world, identified_case
) -> None:
    FlagFactory(case=identified_case, text="Mød kun op to medarbejdere")
    response = client_for("police_officer").get(_url("cases:case_detail", pk=identified_case.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Fiktiv Borger 12" in content
    assert "120384-XXXX" in content
    assert "120384-9123" not in content
    assert "Mød kun op to medarbejdere" in content
    [event] = _events(actions.CASE_VIEWED)
    assert (event.object_id, event.citizen_id) == (str(identified_case.pk), identified_case.citizen_id)


def test_case_detail__coordinator_not_involved_gets_403_with_the_reason(
    client_for, world, police_case
) -> None:
    response = client_for("coordinator").get(reverse("cases:case_detail", kwargs={"pk": police_case.pk}))
    assert response.status_code == 403
    assert "Din organisation er ikke involveret i sagen" in response.content.decode()
    assert police_case.description not in response.content.decode()
    [denied] = _events(actions.ACCESS_DENIED)
    assert denied.object_id == str(police_case.pk)
    assert _events(actions.CASE_VIEWED) == []


@pytest.mark.parametrize("persona", ["outsider", "dpo", "social_worker"])
def test_case_detail__not_visible_is_404(client_for, police_case, persona) -> None:
    response = client_for(persona).get(reverse("cases:case_detail", kwargs={"pk": police_case.pk}))
    assert response.status_code == 404
    assert _events(actions.CASE_VIEWED) == []


def test_case_detail__referring_frontline_worker_sees_state_and_lead_only(client_for, world, case) -> None:
    JournalEntryFactory(case=case, organisation=world.municipality, text="Intern vurdering af borgeren")
    response = client_for("frontline_worker").get(reverse("cases:case_detail", kwargs={"pk": case.pk}))
    content = response.content.decode()
    assert response.status_code == 200
    assert case.pseudonym in content
    assert "Anonym drøftelse" in content
    assert world.municipality.name in content
    assert case.description not in content
    assert "Intern vurdering" not in content
    [event] = _events(actions.CASE_VIEWED)
    assert event.detail == {"view": "referral"}


def test_case_pages__show_the_flags_banner_on_every_page(client_for, world, identified_case) -> None:
    FlagFactory(case=identified_case, text="Hund på adressen")
    task = TaskFactory(case=identified_case)
    entry = JournalEntryFactory(case=identified_case, organisation=world.municipality)
    client = client_for("social_worker")
    pk = identified_case.pk
    urls = [
        reverse("cases:case_detail", kwargs={"pk": pk}),
        reverse("cases:case_edit", kwargs={"pk": pk}),
        reverse("cases:case_step", kwargs={"pk": pk, "step": "aktiver"}),
        reverse("cases:case_involvement", kwargs={"pk": pk}),
        reverse("cases:journal_add", kwargs={"pk": pk}),
        reverse("cases:journal_edit", kwargs={"pk": pk, "entry_pk": entry.pk}),
        reverse("cases:flag_add", kwargs={"pk": pk}),
        reverse("cases:task_add", kwargs={"pk": pk}),
        reverse("cases:task_status", kwargs={"pk": pk, "task_pk": task.pk}),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert "samspil-flags" in content and "Hund på adressen" in content, url


# --- Journal, flags, tasks, involvement through the pages --------------------------------------------------


def test_journal_add__creates_an_own_organisation_entry(client_for, world, case) -> None:
    url = _url("cases:journal_add", pk=case.pk)
    response = client_for("police_officer").post(url, {"text": "Set ved banegården."})
    assert response.status_code == 302
    with unscoped("test"):
        entry = JournalEntry.objects.get()
    assert (entry.organisation, entry.visibility, entry.author) == (
        world.police, EntryVisibility.OWN_ORGANISATION, world.users["police_officer"]
    )


def test_journal_add__refused_for_the_uninvolved_coordinator_and_nothing_changes(
    client_for, police_case
) -> None:
    response = client_for("coordinator").post(_url("cases:journal_add", pk=police_case.pk), {"text": "x"})
    assert response.status_code == 403
    with unscoped("test"):
        assert JournalEntry.objects.count() == 0


def test_journal__other_organisations_see_shared_entries_only(client_for, world, case) -> None:
    JournalEntryFactory(case=case, organisation=world.municipality, text="Kommunens egne overvejelser")
    JournalEntryFactory(case=case, organisation=world.municipality, text="Kommunen deler dette",
                        visibility=EntryVisibility.SHARED)
    content = client_for("police_officer").get(_url("cases:case_detail", pk=case.pk)).content.decode()
    assert "Kommunen deler dette" in content
    assert "Kommunens egne overvejelser" not in content
    own = client_for("social_worker").get(_url("cases:case_detail", pk=case.pk)).content.decode()
    assert "Kommunens egne overvejelser" in own


def test_journal__investigative_member_never_sees_other_organisations_entries(
    client_for, world, case
) -> None:
    from samspil.organisations.models import Membership

    with unscoped("test"):
        Membership.objects.filter(user=world.users["police_officer"]).update(is_investigative=True)
    JournalEntryFactory(case=case, organisation=world.municipality, text="Delt fra kommunen",
                        visibility=EntryVisibility.SHARED)
    JournalEntryFactory(case=case, organisation=world.police, text="Politiets eget notat")
    content = client_for("police_officer").get(_url("cases:case_detail", pk=case.pk)).content.decode()
    assert "Politiets eget notat" in content
    assert "Delt fra kommunen" not in content


def test_journal_edit__only_own_unshared_entries_can_be_edited(client_for, world, case) -> None:
    own = JournalEntryFactory(case=case, organisation=world.police, text="Før")
    shared = JournalEntryFactory(case=case, organisation=world.police, visibility=EntryVisibility.SHARED)
    other = JournalEntryFactory(case=case, organisation=world.municipality)
    client = client_for("police_officer")
    assert client.get(_url("cases:journal_edit", pk=case.pk, entry_pk=shared.pk)).status_code == 404
    assert client.get(_url("cases:journal_edit", pk=case.pk, entry_pk=other.pk)).status_code == 404
    response = client.post(reverse("cases:journal_edit", kwargs={"pk": case.pk, "entry_pk": own.pk}),
                           {"text": "Efter", "version": 1})
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.text, own.version, own.edited_by) == ("Efter", 2, world.users["police_officer"])


def test_flag_add_and_remove__are_audited(client_for, world, case) -> None:
    client = client_for("social_worker")
    client.post(reverse("cases:flag_add", kwargs={"pk": case.pk}), {"text": "Mød kun op to medarbejdere"})
    with unscoped("test"):
        flag = Flag.objects.get()
    assert flag.is_active and flag.organisation == world.municipality
    client.post(reverse("cases:flag_remove", kwargs={"pk": case.pk, "flag_pk": flag.pk}))
    flag.refresh_from_db()
    assert not flag.is_active
    assert [e.object_id for e in _events(actions.CASE_FLAG_ADDED)] == [str(flag.pk)]
    assert [e.object_id for e in _events(actions.CASE_FLAG_REMOVED)] == [str(flag.pk)]


def test_task_add__gives_an_involved_organisation_and_person_a_deadline(client_for, world, case) -> None:
    response = client_for("social_worker").post(
        reverse("cases:task_add", kwargs={"pk": case.pk}),
        {"title": "Ring til borgeren", "owner_organisation": world.police.pk,
         "owner": world.users["police_officer"].pk, "due_date": "05-03-2030"},
    )
    assert response.status_code == 302
    with unscoped("test"):
        task = Task.objects.get()
    assert (task.owner_organisation, task.owner, task.due_date.isoformat()) == (
        world.police, world.users["police_officer"], "2030-03-05"
    )


def test_task_add__refuses_an_uninvolved_organisation(client_for, world, case) -> None:
    response = client_for("social_worker").post(
        _url("cases:task_add", pk=case.pk), {"title": "x", "owner_organisation": world.region.pk}
    )
    assert response.status_code == 200
    assert "Vælg en organisation, der er involveret i sagen." in response.content.decode()
    with unscoped("test"):
        assert Task.objects.count() == 0


def test_task_status__not_possible_needs_a_reason(client_for, world, case) -> None:
    task = TaskFactory(case=case)
    url = reverse("cases:task_status", kwargs={"pk": case.pk, "task_pk": task.pk})
    client = client_for("social_worker")
    response = client.post(url, {"status": TaskStatus.NOT_POSSIBLE})
    assert "Skriv hvorfor opgaven ikke var mulig" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    client.post(url, {"status": TaskStatus.NOT_POSSIBLE, "reason": "Borgeren er flyttet"})
    task.refresh_from_db()
    assert (task.status, task.status_reason) == (TaskStatus.NOT_POSSIBLE, "Borgeren er flyttet")
    assert task.closed_at is not None


def test_involvement__add_set_lead_and_end_through_the_page(client_for, world, case) -> None:
    client = client_for("social_worker")
    url = reverse("cases:case_involvement", kwargs={"pk": case.pk})
    client.post(url, {"action": "add", "organisation": world.region.pk})
    client.post(url, {"action": "lead", "organisation": world.police.pk})
    client.post(url, {"action": "end", "organisation": world.region.pk})
    case.refresh_from_db()
    assert case.lead_organisation == world.police
    with unscoped("test"):
        active = set(
            Involvement.objects.filter(case=case, ended_at__isnull=True)
            .values_list("organisation_id", "is_lead")
        )
    assert active == {(world.municipality.pk, False), (world.police.pk, True)}


def test_involvement__only_cooperation_members_can_be_involved(client_for, world, case) -> None:
    response = client_for("social_worker").post(
        _url("cases:case_involvement", pk=case.pk),
        {"action": "add", "organisation": world.other_municipality.pk},
    )
    assert response.status_code == 200
    with unscoped("test"):
        assert not Involvement.objects.filter(organisation=world.other_municipality).exists()


# --- Transitions through the pages -------------------------------------------------------------------------


def test_case_step__activate_close_and_reopen(client_for, identified_case) -> None:
    client = client_for("social_worker")
    pk = identified_case.pk
    client.post(_url("cases:case_step", pk=pk, step="aktiver"), {"action_plan": "Kommunen tager kontakt."})
    identified_case.refresh_from_db()
    assert identified_case.state == CaseState.ACTIVE
    assert identified_case.action_plan == "Kommunen tager kontakt."
    client.post(_url("cases:case_step", pk=pk, step="luk"), {"reason": "Borgeren har fået hjælp."})
    identified_case.refresh_from_db()
    assert identified_case.state == CaseState.CLOSED
    assert identified_case.closing_reason == "Borgeren har fået hjælp."
    client.post(_url("cases:case_step", pk=pk, step="genaabn"), {"reason": "Ny henvendelse."})
    identified_case.refresh_from_db()
    assert identified_case.state == CaseState.IDENTIFIED
    assert identified_case.closed_at is None


def test_case_step__an_illegal_step_is_explained_and_nothing_changes(client_for, case) -> None:
    response = client_for("social_worker").post(
        reverse("cases:case_step", kwargs={"pk": case.pk, "step": "aktiver"}), {"action_plan": "Plan"}
    )
    assert response.status_code == 200
    assert "skal først identificeres" in response.content.decode()
    assert "Plan" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.ANONYMOUS
    assert _events(actions.CASE_ACTIVATED) == []


def test_case_step__unknown_step_is_404(client_for, case) -> None:
    response = client_for("social_worker").get(_url("cases:case_step", pk=case.pk, step="slet"))
    assert response.status_code == 404
