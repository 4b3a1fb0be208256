from __future__ import annotations

import pytest

from samspil.organisations.models import CooperationGroup, GroupKind

from ..factories import CooperationGroupFactory


@pytest.fixture
def groups(world) -> dict[str, CooperationGroup]:
    """A steering group and a key-person group in the personas' cooperation."""
    return {
        "steering": CooperationGroupFactory(
            cooperation=world.cooperation, kind=GroupKind.STEERING, name="Styregruppen", meetings_per_year=4
        ),
        "key_persons": CooperationGroupFactory(
            cooperation=world.cooperation, kind=GroupKind.KEY_PERSONS, name="Nøglepersongruppen",
            meetings_per_year=10,
        ),
    }
