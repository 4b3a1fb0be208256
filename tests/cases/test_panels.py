"""Home-page task panels, the case-page panel registry and the purge selector for anonymous discussions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samspil.cases import panels
from samspil.cases.models import CaseState, TaskStatus
from samspil.cases.selectors import anonymous_cases_due_for_purge, my_open_tasks, overdue_tasks
from samspil.citizens.selectors import citizens_unlinked_due_for_purge
from samspil.core.home import PANELS

from ..factories import CaseFactory, CitizenFactory, TaskFactory


def test_home_panels__are_registered_under_their_own_keys() -> None:
    assert PANELS["cases_tasks"].template == "cases/panels/my_tasks.html"
    assert PANELS["cases_overdue"].template == "cases/panels/overdue_tasks.html"


def test_my_tasks__lists_open_tasks_i_own_in_cases_i_see(world, client_for) -> None:
    today = timezone.localdate()
    case = CaseFactory(cooperation=world.cooperation, lead_organisation=world.police)
    officer = world.users["police_officer"]
    mine = TaskFactory(case=case, title="Ring til borgeren", owner=officer, due_date=today)
    TaskFactory(case=case, title="Allerede gjort", owner=officer, status=TaskStatus.DONE)
    TaskFactory(case=case, title="Kollegas opgave")
    gone = CaseFactory(cooperation=world.cooperation, lead_organisation=world.region)  # police not involved
    TaskFactory(case=gone, title="Usynlig", owner=officer, owner_organisation=world.region)
    assert [t.pk for t in my_open_tasks(world.users["police_officer"])] == [mine.pk]
    content = client_for("police_officer").get(reverse("core:home")).content.decode()
    assert "Mine opgaver" in content and "Ring til borgeren" in content
    assert "Allerede gjort" not in content and "Usynlig" not in content


def test_overdue__lists_late_open_tasks_of_my_organisation(world, client_for) -> None:
    today = timezone.localdate()
    case = CaseFactory(cooperation=world.cooperation, lead_organisation=world.police,
                       involve=[world.municipality])
    past = today - timedelta(days=3)
    late = TaskFactory(case=case, title="For sent", owner_organisation=world.police, due_date=past)
    TaskFactory(case=case, title="I dag", owner_organisation=world.police, due_date=today)
    TaskFactory(case=case, title="Kommunens sene", owner_organisation=world.municipality, due_date=past)
    TaskFactory(case=case, title="Lukket sen", owner_organisation=world.police, due_date=past,
                status=TaskStatus.NOT_POSSIBLE)
    assert [t.pk for t in overdue_tasks(world.users["police_officer"])] == [late.pk]
    content = client_for("police_officer").get(reverse("core:home")).content.decode()
    assert "Overskredne opgaver" in content and "For sent" in content and "Kommunens sene" not in content


@pytest.mark.parametrize("persona", ["frontline_worker", "dpo"])
def test_task_panels__are_left_out_for_people_who_do_not_work_on_cases(client_for, persona) -> None:
    content = client_for(persona).get(reverse("core:home")).content.decode()
    assert 'id="panel-cases_tasks"' not in content
    assert 'id="panel-cases_overdue"' not in content


def test_case_panel_registry__renders_registered_panels_in_order(world, client_for, monkeypatch) -> None:
    monkeypatch.setattr(panels, "PANELS", {})
    case = CaseFactory(cooperation=world.cooperation, lead_organisation=world.municipality)
    seen = []

    def context(request, case):
        seen.append(case.pk)
        return {"greeting": "Hej fra et andet modul"}

    panels.register_case_panel("test_b", template="cases/panels/test_panel.html", order=20, context=context)
    panels.register_case_panel("test_hidden", template="cases/panels/test_panel.html", order=10,
                               context=lambda request, case: None)
    shown = [p.key for p, _ctx in panels.case_panels_for(None, case)]  # type: ignore[arg-type]
    assert shown == ["test_b"]
    assert seen == [case.pk]


def test_case_panel_registry__panels_appear_on_the_case_page(
    world, client_for, monkeypatch, settings
) -> None:
    engine = dict(settings.TEMPLATES[0])
    engine["APP_DIRS"] = False
    engine["OPTIONS"] = {
        **engine["OPTIONS"],
        "loaders": [
            ("django.template.loaders.locmem.Loader", {
                "test/panel.html":
                    '<h2 id="case-panel-{{ panel.key }}">{{ ctx.greeting }} {{ case.pseudonym }}</h2>',
            }),
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ],
    }
    settings.TEMPLATES = [engine]
    monkeypatch.setattr(panels, "PANELS", {})
    panels.register_case_panel("greeting", template="test/panel.html", order=5,
                               context=lambda request, case: {"greeting": "Hej fra delingsmodulet"})
    case = CaseFactory(cooperation=world.cooperation, lead_organisation=world.municipality)
    response = client_for("social_worker").get(reverse("cases:case_detail", kwargs={"pk": case.pk}))
    content = response.content.decode()
    assert f'<h2 id="case-panel-greeting">Hej fra delingsmodulet {case.pseudonym}</h2>' in content


def test_anonymous_cases_due_for_purge__uses_each_cooperations_period(world) -> None:
    now = timezone.now()
    world.other_cooperation.anonymous_discussion_retention_days = 10
    world.other_cooperation.save()
    old = CaseFactory(cooperation=world.cooperation, opened_at=now - timedelta(days=31))
    CaseFactory(cooperation=world.cooperation, opened_at=now - timedelta(days=29))
    closed_old = CaseFactory(cooperation=world.cooperation, opened_at=now - timedelta(days=40),
                             state=CaseState.CLOSED)
    CaseFactory(cooperation=world.cooperation, opened_at=now - timedelta(days=40), state=CaseState.IDENTIFIED,
                citizen=CitizenFactory(cooperation=world.cooperation), identified_at=now - timedelta(days=35))
    other_old = CaseFactory(cooperation=world.other_cooperation, opened_at=now - timedelta(days=11))
    CaseFactory(cooperation=world.other_cooperation, opened_at=now - timedelta(days=9))
    assert {c.pk for c in anonymous_cases_due_for_purge(now)} == {old.pk, closed_old.pk, other_old.pk}


def test_citizens_unlinked_due_for_purge__finds_registrations_never_linked_to_a_case(world) -> None:
    now = timezone.now()
    stale = CitizenFactory(cooperation=world.cooperation, created_at=now - timedelta(days=31))
    CitizenFactory(cooperation=world.cooperation, created_at=now - timedelta(days=5))
    linked = CitizenFactory(cooperation=world.cooperation, created_at=now - timedelta(days=31))
    CaseFactory(cooperation=world.cooperation, citizen=linked, state=CaseState.IDENTIFIED)
    assert [c.pk for c in citizens_unlinked_due_for_purge(now)] == [stale.pk]
