"""Cases in the shared test world (tests/conftest.py): who is involved decides who sees what."""

from __future__ import annotations

import pytest

from samspil.cases import panels as case_panels
from samspil.cases.models import Case, CaseState
from samspil.citizens.models import Citizen
from samspil.core import home

from ..conftest import World
from ..factories import CaseFactory, CitizenFactory


@pytest.fixture(autouse=True)
def only_cases_panels(monkeypatch: pytest.MonkeyPatch) -> None:
    """The case page and home page with this app's own panels only, so these tests do not depend on the
    panels other apps register (the authorization matrix renders the pages with all of them)."""
    monkeypatch.setattr(case_panels, "PANELS", {})
    monkeypatch.setattr(case_panels, "ENTRY_EXTRAS", {})
    mine = {"cases_tasks", "cases_overdue"}
    monkeypatch.setattr(home, "PANELS", {key: panel for key, panel in home.PANELS.items() if key in mine})


@pytest.fixture
def citizen(world: World) -> Citizen:
    return CitizenFactory(cooperation=world.cooperation, full_name="Fiktiv Borger 12", cpr="1203849123")


@pytest.fixture
def case(world: World) -> Case:
    """An anonymous discussion led by the municipality with the police involved, raised by the frontline
    worker. Visible in full to the social worker, the police officer and the coordinator (municipality)."""
    return CaseFactory(
        cooperation=world.cooperation,
        lead_organisation=world.municipality,
        involve=[world.police],
        referred_by=world.users["frontline_worker"],
        opened_by=world.users["social_worker"],
    )


@pytest.fixture
def identified_case(world: World, citizen: Citizen) -> Case:
    return CaseFactory(
        cooperation=world.cooperation,
        lead_organisation=world.municipality,
        involve=[world.police],
        citizen=citizen,
        state=CaseState.IDENTIFIED,
        identification_legal_basis="rpl-115-1-2",
    )


@pytest.fixture
def police_case(world: World) -> Case:
    """Led by the police with psychiatry involved: the municipality (and so the coordinator) is not."""
    return CaseFactory(cooperation=world.cooperation, lead_organisation=world.police, involve=[world.region])
