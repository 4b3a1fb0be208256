"""Objects the authorization matrix (tests/authz.py) needs for the cases and citizens routes.

One identified case in the personas' cooperation with all three sectors involved, referred by the
frontline worker, with a citizen, an own-organisation journal entry of the municipality, a flag and a
task. Made once per test world.
"""

from __future__ import annotations

from typing import Any

from samspil.cases.models import Case, CaseState

from ..factories import CaseFactory, CitizenFactory, FlagFactory, JournalEntryFactory, TaskFactory


def matrix_case(world: Any) -> Case:
    cached = getattr(world, "_matrix_case", None)
    if cached is not None:
        return cached
    citizen = CitizenFactory(cooperation=world.cooperation, full_name="Fiktiv Borger 7")
    case = CaseFactory(
        cooperation=world.cooperation,
        lead_organisation=world.municipality,
        involve=[world.police, world.region],
        referred_by=world.users["frontline_worker"],
        citizen=citizen,
        state=CaseState.IDENTIFIED,
    )
    case.matrix_entry = JournalEntryFactory(case=case, organisation=world.municipality)  # type: ignore[attr-defined]
    case.matrix_flag = FlagFactory(case=case)  # type: ignore[attr-defined]
    case.matrix_task = TaskFactory(case=case)  # type: ignore[attr-defined]
    world._matrix_case = case
    return case


def case_kwargs(world: Any) -> dict[str, int]:
    return {"pk": matrix_case(world).pk}


def entry_kwargs(world: Any) -> dict[str, int]:
    case = matrix_case(world)
    return {"pk": case.pk, "entry_pk": case.matrix_entry.pk}  # type: ignore[attr-defined]


def flag_kwargs(world: Any) -> dict[str, int]:
    case = matrix_case(world)
    return {"pk": case.pk, "flag_pk": case.matrix_flag.pk}  # type: ignore[attr-defined]


def task_kwargs(world: Any) -> dict[str, int]:
    case = matrix_case(world)
    return {"pk": case.pk, "task_pk": case.matrix_task.pk}  # type: ignore[attr-defined]


def step_kwargs(world: Any) -> dict[str, Any]:
    return {"pk": matrix_case(world).pk, "step": "luk"}


def citizen_kwargs(world: Any) -> dict[str, int]:
    case = matrix_case(world)
    assert case.citizen_id is not None
    return {"pk": case.citizen_id}
