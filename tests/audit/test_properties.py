"""Property: any single edit to any sealed event is found, at exactly its position and nowhere else."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samspil.audit.chain import audit_verify
from samspil.audit.models import AuditChainLink, AuditEvent, Outcome

from .helpers import event_at, problems_of, record_events, seal, tampering

pytestmark = pytest.mark.django_db

EVENTS = 60
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"))
IDS = st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1))
KEYS = TEXT.map(lambda s: s[:8])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**9), 10**9) | TEXT.map(lambda s: s[:20]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=3),
    max_leaves=6,
)
EDITS: dict[str, st.SearchStrategy[Any]] = {
    "actor_id": IDS,
    "organisation_id": IDS,
    "cooperation_id": IDS,
    "citizen_id": IDS,
    "role": TEXT.map(lambda s: s[:32]),
    "action": TEXT.map(lambda s: s[:64]),
    "object_type": TEXT.map(lambda s: s[:64]),
    "object_id": TEXT.map(lambda s: s[:64]),
    "purpose": TEXT.map(lambda s: s[:200]),
    "outcome": st.sampled_from([choice for choice, _label in Outcome.choices]),
    "request_id": TEXT.map(lambda s: s[:64]),
    "source_ip": st.one_of(st.none(), st.ip_addresses(v=4).map(str)),
    "detail": st.dictionaries(KEYS, JSON_VALUES, max_size=4),
    "occurred_at": st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    ),
}


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_single_edit_of_a_sealed_event__is_found_at_exactly_its_seq(data: st.DataObject) -> None:
    if not AuditChainLink.objects.filter(seq=EVENTS).exists():  # the first example builds the chain
        record_events(EVENTS)
        seal()
    position = data.draw(st.integers(min_value=1, max_value=EVENTS), label="seq")
    field = data.draw(st.sampled_from(sorted(EDITS)), label="field")
    event_id = event_at(position)
    with tampering():
        current = getattr(AuditEvent.objects.get(pk=event_id), field)
        value = data.draw(EDITS[field].filter(lambda v: v != current), label="value")
    with transaction.atomic():
        with tampering():
            AuditEvent.objects.filter(pk=event_id).update(**{field: value})
        assert problems_of(audit_verify()) == [("edited", position, event_id)]
        transaction.set_rollback(True)
    assert audit_verify().ok


def test_edit_strategy__covers_every_column_but_the_id() -> None:
    columns = {f.column for f in AuditEvent._meta.concrete_fields} - {"id"}
    assert set(EDITS) == columns
