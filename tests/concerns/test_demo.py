"""Demo concerns: every step and every outcome, idempotent."""

from __future__ import annotations

from samspil.concerns.demo import seed_concerns
from samspil.concerns.models import (
    Assessment,
    Concern,
    ConcernDisclosure,
    ConcernReview,
    ConcernStatus,
    Decision,
    LeadContact,
)
from samspil.concerns.stats import network_figures
from samspil.concerns.suppression import PUBLISHED
from samspil.core.scoping import unscoped
from samspil.training.selectors import has_valid_radicalisation_training


def _snapshot() -> dict[str, list[str]]:
    with unscoped("test compares whole tables"):
        return {model.__name__: sorted(map(str, model.objects.values_list()))
                for model in (Concern, Assessment, ConcernDisclosure, ConcernReview, LeadContact)}


def test_seed_concerns__makes_every_step_and_outcome_once(world) -> None:
    created = seed_concerns(world.cooperation, world.users)
    assert "lead contact police_officer" in created and "training waiver psychiatry_nurse" in created
    with unscoped("test reads the demo"):
        concerns = list(Concern.objects.filter(cooperation=world.cooperation))
    assert {c.status for c in concerns} == set(ConcernStatus.values)
    assert {c.decision for c in concerns} == {"", *Decision.values}
    assert any(c.is_overdue() for c in concerns)
    with unscoped("test reads the demo"):
        assert ConcernReview.objects.filter(completed_at__isnull=True, concern__status="follow_up").exists()
        assert Assessment.objects.filter(number=2).exists()
    for persona in ("police_officer", "social_worker", "psychiatry_nurse"):
        assert has_valid_radicalisation_training(world.users[persona])
    before = _snapshot()
    assert seed_concerns(world.cooperation, world.users) == []
    assert _snapshot() == before


def test_seed_concerns__gives_infohus_netvaerk_published_figures(world) -> None:
    seed_concerns(world.cooperation, world.users)
    figures = network_figures(world.police)
    assert any(total.state == PUBLISHED for total in figures.raised.totals)
