"""Sharing tests in the shared world: an identified case with police, municipality and region involved."""

from __future__ import annotations

import pytest

from samspil.audit.models import AuditEvent
from samspil.cases.models import Case, JournalEntry
from samspil.citizens.models import Citizen
from samspil.core.scoping import unscoped

from ..conftest import World
from .helpers import citizen_in, entry_of, psp_case


@pytest.fixture
def citizen(world: World) -> Citizen:
    return citizen_in(world, full_name="Fiktiv Borger Deling")


@pytest.fixture
def case(world: World, citizen: Citizen) -> Case:
    """Identified, led by the municipality, with the police and the region involved."""
    return psp_case(world, citizen=citizen)


@pytest.fixture
def anonymous_case(world: World) -> Case:
    return psp_case(world)


@pytest.fixture
def police_entry(world: World, case: Case) -> JournalEntry:
    return entry_of(case, world.police, text="Borgeren er set forvirret ved stationen tre nætter (fiktivt).")


@pytest.fixture
def municipality_entry(world: World, case: Case) -> JournalEntry:
    return entry_of(case, world.municipality, text="Borgeren har fået varsel om udsættelse (fiktivt).")


def events(action: str) -> list[AuditEvent]:
    with unscoped("test reads the audit log"):
        return list(AuditEvent.objects.filter(action=action).order_by("pk"))
