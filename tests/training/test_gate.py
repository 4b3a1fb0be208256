"""The training gate concern cases ask: has_valid_radicalisation_training(user, at)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from samspil.core.scoping import unscoped
from samspil.training.models import AttestationKind, Completion, TrainingAttestation, add_years
from samspil.training.selectors import has_valid_radicalisation_training, training_status
from samspil.training.services import (
    TrainingError,
    attestation_grant_waiver,
    attestation_record_external,
    attestation_revoke,
)

from ..conftest import World
from .helpers import complete, membership_of, offering_of, psp_course, seat, waiver

T0 = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def _completed(world: World, *, at: datetime = T0, **course_fields: object) -> Completion:
    course = psp_course(**course_fields)
    offering = offering_of(course, first_day=timezone.localdate(at) - timedelta(days=1))
    return complete(seat(offering, world.users["police_officer"]), at=at)


def test_gate__is_closed_without_any_training(world: World) -> None:
    assert has_valid_radicalisation_training(world.users["police_officer"], at=T0) is False


def test_gate__opens_with_a_completion_and_closes_after_three_years_by_default(world: World) -> None:
    officer = world.users["police_officer"]
    _completed(world)
    assert has_valid_radicalisation_training(officer, at=T0) is True
    assert has_valid_radicalisation_training(officer, at=add_years(T0, 3) - timedelta(seconds=1)) is True
    assert has_valid_radicalisation_training(officer, at=add_years(T0, 3)) is False


def test_gate__is_closed_before_the_completion_happened(world: World) -> None:
    _completed(world)
    assert (
        has_valid_radicalisation_training(world.users["police_officer"], at=T0 - timedelta(seconds=1))
        is False
    )


def test_gate__follows_the_configured_period(world: World, settings: pytest.FixtureRequest) -> None:
    settings.SAMSPIL_TRAINING_VALID_YEARS = 1  # type: ignore[attr-defined]
    _completed(world)
    officer = world.users["police_officer"]
    assert has_valid_radicalisation_training(officer, at=T0 + timedelta(days=364)) is True
    assert has_valid_radicalisation_training(officer, at=add_years(T0, 1)) is False


def test_gate__a_course_period_overrides_the_setting(world: World) -> None:
    _completed(world, valid_years=5)
    officer = world.users["police_officer"]
    assert has_valid_radicalisation_training(officer, at=add_years(T0, 4)) is True
    assert has_valid_radicalisation_training(officer, at=add_years(T0, 5)) is False


def test_gate__ignores_a_revoked_completion(world: World) -> None:
    completion = _completed(world)
    Completion.objects.filter(pk=completion.pk).scoped().update(revoked_at=T0)
    assert (
        has_valid_radicalisation_training(world.users["police_officer"], at=T0 + timedelta(days=1)) is False
    )


def test_gate__ignores_a_course_that_does_not_count_for_concerns(world: World) -> None:
    _completed(world, counts_for_concerns=False)
    assert has_valid_radicalisation_training(world.users["police_officer"], at=T0) is False


def test_gate__is_closed_for_anonymous_and_deactivated_users(world: World) -> None:
    _completed(world)
    officer = world.users["police_officer"]
    assert has_valid_radicalisation_training(AnonymousUser(), at=T0) is False
    officer.is_active = False
    assert has_valid_radicalisation_training(officer, at=T0) is False


def test_gate__opens_with_a_waiver_until_it_expires_or_is_revoked(world: World) -> None:
    worker = world.users["frontline_worker"]
    granted = waiver(worker, by=world.users["coordinator"], cooperation=world.cooperation, days=30)
    now = granted.valid_from
    assert has_valid_radicalisation_training(worker, at=now + timedelta(days=29)) is True
    assert has_valid_radicalisation_training(worker, at=now + timedelta(days=30)) is False
    attestation_revoke(actor=world.users["coordinator"], attestation=granted)
    assert has_valid_radicalisation_training(worker, at=now + timedelta(days=1)) is False


def test_training_status__says_a_refresher_is_due_within_the_notice_period(world: World) -> None:
    _completed(world)
    officer = world.users["police_officer"]
    ends = add_years(T0, 3)
    early = training_status(officer, at=ends - timedelta(days=91))
    due = training_status(officer, at=ends - timedelta(days=89))
    assert (early.is_valid, early.refresher_due, early.valid_until, early.basis) == (
        True,
        False,
        ends,
        "completion",
    )
    assert (due.is_valid, due.refresher_due) == (True, True)


def test_training_status__the_latest_basis_wins(world: World) -> None:
    _completed(world, at=timezone.now() - timedelta(days=3 * 365 - 10))
    worker_waiver = waiver(
        world.users["police_officer"], by=world.users["coordinator"], cooperation=world.cooperation, days=100
    )
    status = training_status(world.users["police_officer"])
    assert (status.basis, status.valid_until) == (AttestationKind.WAIVER, worker_waiver.expires_at)


def test_waiver__a_coordinator_grants_it_to_a_member_of_their_cooperation(world: World) -> None:
    coordinator, worker = world.users["coordinator"], world.users["frontline_worker"]
    expires = timezone.localdate() + timedelta(days=60)
    granted = attestation_grant_waiver(
        actor=coordinator,
        membership=membership_of(worker),
        reason="Tilmeldt holdet i næste måned",
        expires_on=expires,
    )
    assert (granted.kind, granted.member_id, granted.cooperation_id) == (
        AttestationKind.WAIVER,
        worker.pk,
        world.cooperation.pk,
    )
    assert has_valid_radicalisation_training(worker) is True


@pytest.mark.parametrize(
    ("actor", "days", "reason", "message"),
    [
        ("outsider", 60, "Tilmeldt holdet i næste måned", "koordinator for"),
        ("social_worker", 60, "Tilmeldt holdet i næste måned", "koordinator for"),
        ("coordinator", 0, "Tilmeldt holdet i næste måned", "efter i dag"),
        ("coordinator", 400, "Tilmeldt holdet i næste måned", "højst gælde et år"),
        ("coordinator", 60, "kort", "mindst 10 tegn"),
    ],
)
def test_waiver__is_refused_outside_the_rules(
    world: World, actor: str, days: int, reason: str, message: str
) -> None:
    worker = world.users["frontline_worker"]
    with pytest.raises(TrainingError, match=message):
        attestation_grant_waiver(
            actor=world.users[actor],
            membership=membership_of(worker),
            reason=reason,
            expires_on=timezone.localdate() + timedelta(days=days),
        )
    with unscoped("test: nothing was created"):
        assert TrainingAttestation.objects.count() == 0
    assert has_valid_radicalisation_training(worker) is False


def test_external_course__counts_for_the_period_from_its_date(world: World, admin: object) -> None:
    officer = world.users["police_officer"]
    taken = timezone.localdate() - timedelta(days=400)
    attestation = attestation_record_external(
        actor=admin,
        member=officer,
        completed_on=taken,
        reason="PSP-kursus hos tidligere arbejdsgiver (fiktivt)",
    )
    assert attestation.kind == AttestationKind.COMPLETED_ELSEWHERE
    assert timezone.localdate(attestation.expires_at) == add_years(attestation.valid_from, 3).date()
    assert has_valid_radicalisation_training(officer) is True


def test_external_course__only_a_course_administrator_records_it(world: World) -> None:
    with pytest.raises(TrainingError):
        attestation_record_external(
            actor=world.users["coordinator"],
            member=world.users["police_officer"],
            completed_on=timezone.localdate(),
            reason="PSP-kursus et andet sted (fiktivt)",
        )
    with unscoped("test: nothing was created"):
        assert TrainingAttestation.objects.count() == 0
