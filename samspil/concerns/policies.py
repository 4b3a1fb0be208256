"""Who may see and do what with a concern.

Per membership in the concern's cooperation:

- A lead contact (tovholder, designated per cooperation in ``LeadContact``) sees every concern of the
  cooperation in full and leads the procedure: receiving, describing, triaging, involving
  organisations, moving between steps, deciding, the plan, reviews, closing, linking a case.
- A member whose role works on cases (key members, coordinators) and whose organisation is involved in
  the information gathering (step 2) sees the concern in full, shares information in it and records
  assessments. Once the concern is handed to the police, only involved police organisations keep this
  (and the lead contacts): for the other organisations the concern is gone from view (404).
- The person who raised the concern sees its status and, once decided, its outcome in plain words:
  nothing of its content.
- Everyone else, including the cooperation's other members and the data protection officer (who reads
  the audit log), does not see it at all (404).

Opening the details also needs the training gate: a valid completion of the PSP course on
radicalisation, a course registered as taken elsewhere, or a coordinator's time-limited waiver
(``samspil.training.selectors.has_valid_radicalisation_training``). The gate is on unless the
cooperation switched it off (``ConcernSettings.training_gate_enabled``). A member who would see the
details but does not pass the gate gets a 403 page that says why (audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from samspil.citizens.selectors import case_worker_memberships
from samspil.organisations.models import CooperationOrganisation, Sector
from samspil.organisations.policies import deny
from samspil.organisations.selectors import membership_list
from samspil.training.selectors import has_valid_radicalisation_training

from .models import Concern, ConcernInvolvement, ConcernSettings, ConcernStatus, LeadContact

GATE = "concern.training"


def lead_contact_cooperation_ids(user: Any) -> set[int]:
    """Cooperations in which one of the user's active memberships is an active lead contact."""
    if not getattr(user, "is_authenticated", False):
        return set()
    membership_ids = sorted(m.pk for m in membership_list(user))
    if not membership_ids:
        return set()
    return set(
        LeadContact.objects.filter(membership_id__in=membership_ids, ended_at__isnull=True)
        .values_list("cooperation_id", flat=True)
        .scoped()
    )


def police_organisation_ids(cooperation_id: int, organisation_ids: set[int] | frozenset[int]) -> set[int]:
    """Those of ``organisation_ids`` that take part in the cooperation as police."""
    return set(
        CooperationOrganisation.objects.filter(
            cooperation_id=cooperation_id, organisation_id__in=sorted(organisation_ids), sector=Sector.POLICE
        ).values_list("organisation_id", flat=True)
    )


def gate_enabled(cooperation_id: int) -> bool:
    enabled = (
        ConcernSettings.objects.filter(cooperation_id=cooperation_id)
        .values_list("training_gate_enabled", flat=True)
        .first()
    )
    return True if enabled is None else bool(enabled)


def passes_gate(user: Any, cooperation_id: int, at: datetime | None = None) -> bool:
    return not gate_enabled(cooperation_id) or has_valid_radicalisation_training(user, at=at)


@dataclass(frozen=True)
class ConcernAccess:
    """What one user may do with one concern (see the module docstring)."""

    is_lead_contact: bool
    organisation_ids: frozenset[int]  # the user's involved organisations through which they work on it
    is_raiser: bool
    gate_passed: bool
    reads_investigation_restricted: bool  # through at least one non-investigative membership

    @property
    def by_role(self) -> bool:
        """Would see the details, training permitting."""
        return self.is_lead_contact or bool(self.organisation_ids)

    @property
    def has_details(self) -> bool:
        return self.by_role and self.gate_passed

    @property
    def is_visible(self) -> bool:
        return self.by_role or self.is_raiser

    @property
    def blocked_by_gate(self) -> bool:
        return self.by_role and not self.gate_passed

    @property
    def may_lead(self) -> bool:
        return self.is_lead_contact and self.gate_passed


NO_ACCESS = ConcernAccess(False, frozenset(), False, False, False)


def involved_organisation_ids(concern: Concern) -> set[int]:
    return set(
        ConcernInvolvement.objects.filter(concern=concern, ended_at__isnull=True)
        .values_list("organisation_id", flat=True)
        .scoped()
    )


def concern_access(user: Any, concern: Concern, *, at: datetime | None = None) -> ConcernAccess:
    if not getattr(user, "is_authenticated", False):
        return NO_ACCESS
    memberships = [m for m in membership_list(user) if m.cooperation_id == concern.cooperation_id]
    is_raiser = concern.raised_by_id == user.pk
    if not memberships:
        return NO_ACCESS
    is_lead = concern.cooperation_id in lead_contact_cooperation_ids(user)
    involved = involved_organisation_ids(concern)
    if concern.status == ConcernStatus.POLICE:
        involved = police_organisation_ids(concern.cooperation_id, involved)
    working = [
        m for m in case_worker_memberships(user)
        if m.cooperation_id == concern.cooperation_id and m.organisation_id in involved
    ]
    by_role = is_lead or bool(working)
    return ConcernAccess(
        is_lead_contact=is_lead,
        organisation_ids=frozenset(m.organisation_id for m in working),
        is_raiser=is_raiser,
        gate_passed=by_role and passes_gate(user, concern.cooperation_id, at=at),
        reads_investigation_restricted=any(not m.is_investigative for m in working)
        or (is_lead and any(not m.is_investigative for m in memberships)),
    )


class GateClosed(PermissionDenied):
    """The member would see the concern but has no valid PSP radicalisation training (403 page)."""


class NotAllowed(PermissionDenied):
    """The concern exists for the user, but this is not theirs to see or do (403 with the message)."""


def require_visible(access: ConcernAccess) -> None:
    if not access.is_visible:
        raise Http404


def require_details(request: HttpRequest, concern: Concern, access: ConcernAccess, *, what: str) -> None:
    """404 when the concern does not exist for the user; 403 (audited) when its details are not theirs
    or the training gate is closed."""
    require_visible(access)
    if access.blocked_by_gate:
        deny(request, what=GATE, target=concern, cooperation_id=concern.cooperation_id)
        raise GateClosed(GATE)
    if not access.has_details:
        deny(request, what=what, target=concern, cooperation_id=concern.cooperation_id)
        raise NotAllowed(_("Du kan kun se status for denne bekymring."))


def require_lead(request: HttpRequest, concern: Concern, access: ConcernAccess, *, what: str) -> None:
    """As ``require_details``, and the step is the lead contacts' to take."""
    require_details(request, concern, access, what=what)
    if not access.may_lead:
        deny(request, what=what, target=concern, cooperation_id=concern.cooperation_id)
        raise NotAllowed(_("Kun bekymringens tovholdere kan tage dette skridt."))
