"""A denial is recorded even though the raised 403 rolls back the request's transaction."""

from __future__ import annotations

import pytest

from samspil.audit import actions
from samspil.audit.models import AuditEvent, Outcome
from samspil.core.scoping import unscoped
from samspil.organisations.models import CooperationGroup


@pytest.mark.urls("tests.denial_urls")
def test_raised_denial__keeps_its_audit_event_while_the_views_writes_roll_back(world, client_for) -> None:
    user = world.users["coordinator"]
    groups_before = CooperationGroup.objects.count()
    response = client_for("coordinator").get(f"/deny/?cooperation={world.cooperation.pk}")
    assert response.status_code == 403
    assert CooperationGroup.objects.count() == groups_before
    with unscoped("test reads the log"):
        denials = list(AuditEvent.objects.filter(actor_id=user.pk, action=actions.ACCESS_DENIED))
    assert len(denials) == 1
    assert denials[0].outcome == Outcome.DENIED
    assert denials[0].detail == {"path": "/deny/"}
    assert denials[0].request_id == response["X-Request-ID"]
