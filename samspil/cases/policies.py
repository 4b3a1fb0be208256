"""Who may see and do what with a case.

The rule, per membership in the case's cooperation:

- A member whose role may work on cases (``case.open``: key members and coordinators) sees the case in
  full when their organisation is actively involved in it, and may act on it (journal, tasks, flags,
  involvement, transitions).
- A coordinator (``cooperation.configure``) sees that every case of the cooperation exists: a list row
  with pseudonym and state, so the cooperation can be run (agendas, follow-up of stalled cases). Not its
  details: a detail request answers 403 "Din organisation er ikke involveret i sagen", audited. Knowing
  that a pseudonymous case exists tells nothing about the person, and the coordinator already hears the
  case named in the meetings; what was said stays with the involved organisations.
- A frontline worker sees only the cases they referred, and of those only the pseudonym, the state and
  the lead organisation: the feedback the 2014 evaluation asked for, without the case's content.
- A member marked ``is_investigative`` never reads other organisations' journal entries, shared or not
  (retsplejeloven § 115: information exchanged in the cooperation may not be used for investigation).
- Everyone else (other members of the cooperation whose organisation is not involved, the data
  protection officer, other cooperations) does not see the case at all: 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from samspil.citizens.selectors import case_worker_memberships
from samspil.core.roles import Capability, Role, role_has_capability
from samspil.organisations.policies import deny
from samspil.organisations.selectors import membership_list

from .models import Case, Involvement


@dataclass(frozen=True)
class CaseAccess:
    """What one user may do with one case (see the module docstring)."""

    organisation_ids: frozenset[int]  # the user's organisations through which they work on the case
    reads_shared_entries: bool  # through at least one non-investigative membership
    sees_existence: bool  # coordinator of the cooperation
    is_referrer: bool  # frontline worker who referred the case

    @property
    def has_details(self) -> bool:
        return bool(self.organisation_ids)

    @property
    def is_visible(self) -> bool:
        return self.has_details or self.sees_existence or self.is_referrer


NO_ACCESS = CaseAccess(frozenset(), False, False, False)


def involved_organisation_ids(case: Case) -> set[int]:
    return set(
        Involvement.objects.filter(case=case, ended_at__isnull=True)
        .scoped()
        .values_list("organisation_id", flat=True)
    )


def case_access(user: Any, case: Case, involved: set[int] | None = None) -> CaseAccess:
    if not getattr(user, "is_authenticated", False):
        return NO_ACCESS
    memberships = [m for m in membership_list(user) if m.cooperation_id == case.cooperation_id]
    if not memberships:
        return NO_ACCESS
    if involved is None:
        involved = involved_organisation_ids(case)
    working = [
        m
        for m in case_worker_memberships(user)
        if m.cooperation_id == case.cooperation_id and m.organisation_id in involved
    ]
    return CaseAccess(
        organisation_ids=frozenset(m.organisation_id for m in working),
        reads_shared_entries=any(not m.is_investigative for m in working),
        sees_existence=any(
            role_has_capability(m.role, Capability.CONFIGURE_COOPERATION) for m in memberships
        ),
        is_referrer=case.referred_by_id == user.pk
        and any(m.role == Role.FRONTLINE_WORKER for m in memberships),
    )


def acting_organisation_id(request: HttpRequest, access: CaseAccess) -> int | None:
    """The organisation the user acts for on this case: the active membership's when it qualifies,
    else the first (by id) of the user's involved organisations."""
    active = getattr(request, "active_membership", None)
    if active is not None and active.organisation_id in access.organisation_ids:
        return int(active.organisation_id)
    return min(access.organisation_ids) if access.organisation_ids else None


class NotInvolved(PermissionDenied):
    """The case exists for the user, but their organisation is not involved: 403 with this message."""

    def __init__(self) -> None:
        super().__init__(_("Din organisation er ikke involveret i sagen"))


def require_details(request: HttpRequest, case: Case, access: CaseAccess) -> None:
    """404 when the case does not exist for the user; 403 (audited) when it exists but its details are
    not theirs to see or act on."""
    if not access.is_visible:
        raise Http404
    if not access.has_details:
        raise_denied(request, case, what="case.details")


def raise_denied(request: HttpRequest, case: Case, *, what: str) -> None:
    deny(request, what=what, target=case, cooperation_id=case.cooperation_id)
    raise NotInvolved()
