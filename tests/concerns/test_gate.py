"""The training gate: opening a concern's details needs the PSP radicalisation course or a waiver;
on from the start, configurable per cooperation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.concerns import services
from samspil.concerns.models import Assessment, ConcernSettings, ConcernStatus
from samspil.concerns.policies import concern_access
from samspil.core.scoping import unscoped
from samspil.training.models import TrainingAttestation
from samspil.training.services import attestation_grant_waiver, attestation_revoke

from ..factories import MembershipFactory, UserFactory
from .helpers import assess, at_status, designate, membership

S = ConcernStatus


@pytest.fixture
def untrained_lead(people):
    """A key member of the municipality, lead contact, without any training."""
    user = UserFactory(full_name="Ulla Utrænet", email="ulla@eksempel.invalid")
    MembershipFactory(user=user, organisation=people.municipality, cooperation=people.cooperation)
    people.users["untrained"] = user
    designate(people, "untrained")
    return user


def _detail(concern):
    return reverse("concerns:concern_detail", kwargs={"pk": concern.pk})


def _gate_denials(user) -> list[AuditEvent]:
    with unscoped("test reads the log"):
        return list(AuditEvent.objects.filter(action=actions.ACCESS_DENIED, actor_id=user.pk))


def test_gate_on__an_untrained_lead_contact_gets_the_training_page_and_the_denial_is_audited(
    people, untrained_lead
) -> None:
    from ..conftest import verified_client

    concern = at_status(people, S.GATHERING)
    response = verified_client(untrained_lead).get(_detail(concern))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Du skal have gennemført kurset for at åbne bekymringer" in page
    assert concern.observation not in page
    [denial] = _gate_denials(untrained_lead)
    assert denial.detail["needed"] == "concern.training"
    assert denial.object_id == str(concern.pk)


def test_gate_on__a_trained_lead_contact_opens_the_concern(people, client_for) -> None:
    concern = at_status(people, S.GATHERING)
    response = client_for("social_worker").get(_detail(concern))
    assert response.status_code == 200
    assert concern.observation in response.content.decode()


def test_gate__is_on_by_default_for_a_cooperation_without_settings(people, untrained_lead) -> None:
    concern = at_status(people, S.GATHERING)
    assert not ConcernSettings.objects.filter(cooperation=people.cooperation).exists()
    assert concern_access(untrained_lead, concern).blocked_by_gate is True


def test_gate_off_in_the_cooperation__lets_an_untrained_lead_contact_open_it(people, untrained_lead) -> None:
    from ..conftest import verified_client

    concern = at_status(people, S.GATHERING)
    ConcernSettings.objects.create(cooperation=people.cooperation, training_gate_enabled=False)
    response = verified_client(untrained_lead).get(_detail(concern))
    assert response.status_code == 200
    assert _gate_denials(untrained_lead) == []


def test_gate_off_in_another_cooperation__changes_nothing_here(people, untrained_lead) -> None:
    concern = at_status(people, S.GATHERING)
    ConcernSettings.objects.create(cooperation=people.other_cooperation, training_gate_enabled=False)
    assert concern_access(untrained_lead, concern).has_details is False


def test_coordinators_waiver__opens_the_gate_until_it_expires(people, untrained_lead) -> None:
    concern = at_status(people, S.GATHERING)
    waiver = attestation_grant_waiver(
        actor=people.users["coordinator"], membership=membership(untrained_lead),
        reason="Tilmeldt næste kursushold i marts (fiktivt).", expires_on=timezone.localdate() + timedelta(
            days=30
        ),
    )
    assert concern_access(untrained_lead, concern).has_details is True
    assert concern_access(
        untrained_lead, concern, at=waiver.expires_at - timedelta(seconds=1)
    ).has_details is True
    assert concern_access(untrained_lead, concern, at=waiver.expires_at).has_details is False


def test_expired_waiver__closes_the_gate_on_the_page(people, untrained_lead) -> None:
    from ..conftest import verified_client

    concern = at_status(people, S.GATHERING)
    waiver = attestation_grant_waiver(
        actor=people.users["coordinator"], membership=membership(untrained_lead),
        reason="Tilmeldt næste kursushold i marts (fiktivt).", expires_on=timezone.localdate() + timedelta(
            days=30
        ),
    )
    client = verified_client(untrained_lead)
    assert client.get(_detail(concern)).status_code == 200
    with unscoped("test moves the expiry into the past"):
        TrainingAttestation.objects.filter(pk=waiver.pk).update(
            valid_from=timezone.now() - timedelta(days=60), expires_at=timezone.now() - timedelta(days=1))
    assert client.get(_detail(concern)).status_code == 403


def test_revoked_waiver__closes_the_gate(people, untrained_lead) -> None:
    concern = at_status(people, S.GATHERING)
    waiver = attestation_grant_waiver(
        actor=people.users["coordinator"], membership=membership(untrained_lead),
        reason="Tilmeldt næste kursushold i marts (fiktivt).", expires_on=date.today() + timedelta(days=30),
    )
    attestation_revoke(actor=people.users["coordinator"], attestation=waiver)
    assert concern_access(untrained_lead, concern).has_details is False


def test_gate__also_guards_the_services(people, untrained_lead) -> None:
    concern = at_status(people, S.ASSESSMENT)
    with pytest.raises(PermissionDenied):
        assess(people, concern, lead="untrained")
    with pytest.raises(PermissionDenied):
        services.concern_close(actor=untrained_lead, concern=concern, reason="Forsøg.")
    with unscoped("test"):
        assert Assessment.objects.filter(concern=concern).count() == 1


def test_raisers_status_view__is_not_behind_the_gate(people, client_for) -> None:
    concern = at_status(people, S.GATHERING)
    response = client_for("frontline_worker").get(_detail(concern))
    assert response.status_code == 200
    assert "Under behandling hos tovholderne: informationsindsamling." in response.content.decode()
