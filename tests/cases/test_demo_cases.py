"""The demo cases: every state, overdue tasks, fictitious people; a second run creates nothing."""

from __future__ import annotations

from django.utils import timezone

from samspil.cases.models import Case, CaseState, Flag, JournalEntry, Task, TaskStatus
from samspil.cases.selectors import cases_visible_to, overdue_tasks
from samspil.citizens.cpr import cpr_decrypt, cpr_normalise
from samspil.citizens.models import Citizen
from samspil.core.scoping import unscoped
from samspil.demo.cases import DEMO_CASES, seed_cases


def _counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Case, Citizen, JournalEntry, Flag, Task))


def test_seed_cases__creates_cases_in_every_state_and_is_idempotent(world) -> None:
    created = seed_cases(world.cooperation, world.users)
    assert created == [f"case {spec.pseudonym}" for spec in DEMO_CASES]
    with unscoped("test counts demo data"):
        counts = _counts()
        states = set(Case.objects.values_list("state", flat=True))
        citizens = list(Citizen.objects.all())
    assert states == set(CaseState.values)
    assert seed_cases(world.cooperation, world.users) == []
    with unscoped("test counts demo data"):
        assert counts == _counts()
    for citizen in citizens:
        assert citizen.full_name.startswith("Fiktiv Borger ")
        assert citizen.address.endswith(", 9999 Demoby")
        cpr = cpr_decrypt(citizen.cpr_encrypted)
        assert cpr_normalise(cpr) == cpr
        assert citizen.birth_date is not None and cpr[:6] == citizen.birth_date.strftime("%d%m%y")


def test_seed_cases__gives_the_personas_something_to_see(world) -> None:
    seed_cases(world.cooperation, world.users)
    today = timezone.localdate()
    assert overdue_tasks(world.users["social_worker"]).exists()
    late = list(overdue_tasks(world.users["police_officer"]))
    assert late and all(t.due_date < today and t.status == TaskStatus.OPEN for t in late)
    coordinator_rows = {c.pseudonym: c.has_details for c in cases_visible_to(world.users["coordinator"])}
    assert coordinator_rows["Borger D-1010"] is False  # police and psychiatry only: existence, not details
    assert coordinator_rows["Borger D-1005"] is True
    referred = {c.pseudonym for c in cases_visible_to(world.users["frontline_worker"])}
    assert referred == {"Borger D-1001", "Borger D-1005"}
