"""Concern tests: the shared world with lead contacts and trained members."""

from __future__ import annotations

import pytest

from ..conftest import World
from .helpers import procedure_people


@pytest.fixture
def people(world: World) -> World:
    """Police officer and social worker are lead contacts; they and the psychiatry nurse are trained."""
    procedure_people(world)
    return world
