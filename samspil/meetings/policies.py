"""Who may see and do what with meetings.

- Meetings of a cooperation exist for the members who work on cases there (``case.open``: key members and
  coordinators). Nobody else learns of them (404): not frontline workers, the data protection officer or
  other cooperations. Frontline workers hear what was decided through referrer feedback instead.
- A meeting is run by the cooperation's coordinators and by its chair and secretary ("managers"): they
  plan it, curate the agenda, send invitations, take attendance, write the shared minutes, record
  decisions and actions, follow up carried-over actions and close it. Other members get 403 (audited).
- Any member whose organisation is involved in a case (the cases policy: the case in full) may propose
  it for a meeting and write their organisation's own notes on its item.
- Need-to-know per agenda item: a person sees an item's details only when the cases policy lets them see
  that case in full (``CaseAccess.has_details``); otherwise the item is "Begrænset". The shared minutes
  of an item are withheld from a person whose every membership on the case is investigative
  (retsplejeloven § 115: never for criminal investigation).
- Before a meeting's agenda opens to a person, they accept the confidentiality statement for that meeting.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from samspil.cases.models import Case
from samspil.cases.policies import CaseAccess, case_access
from samspil.citizens.selectors import case_worker_organisations
from samspil.core.roles import Capability, role_has_capability
from samspil.organisations.policies import deny
from samspil.organisations.selectors import membership_list

from .models import Meeting


def meeting_cooperation_ids(user: Any) -> set[int]:
    """Cooperations whose meetings exist for the user."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(case_worker_organisations(user))


def may_see_meetings_of(user: Any, cooperation_id: int) -> bool:
    return cooperation_id in meeting_cooperation_ids(user)


def is_coordinator(user: Any, cooperation_id: int) -> bool:
    return any(
        m.cooperation_id == cooperation_id and role_has_capability(m.role, Capability.CONFIGURE_COOPERATION)
        for m in membership_list(user)
    )


def may_manage(user: Any, meeting: Meeting) -> bool:
    """Coordinators of the cooperation, and the meeting's chair and secretary while they work on cases
    there."""
    if not may_see_meetings_of(user, meeting.cooperation_id):
        return False
    return is_coordinator(user, meeting.cooperation_id) or user.pk in (meeting.chair_id, meeting.secretary_id)


def require_manager(request: HttpRequest, meeting: Meeting) -> None:
    """403 (audited) unless the user runs the meeting; callers have checked that it exists for them."""
    if not may_manage(request.user, meeting):
        raise deny(request, what="meeting.manage", target=meeting, cooperation_id=meeting.cooperation_id)


def require_visible(request: HttpRequest, meeting: Meeting | None) -> Meeting:
    if meeting is None or not may_see_meetings_of(request.user, meeting.cooperation_id):
        raise Http404
    return meeting


def item_access(user: Any, case: Case | None, involved: set[int]) -> CaseAccess | None:
    """The user's access to the case of an agenda item (None for a theme: no citizen, open to all)."""
    if case is None:
        return None
    return case_access(user, case, involved)


def meeting_organisation_ids(user: Any, cooperation_id: int) -> set[int]:
    """The organisations the user works on cases for in the cooperation."""
    return set(case_worker_organisations(user).get(cooperation_id, set()))


def acting_organisation_id(request: HttpRequest, cooperation_id: int) -> int | None:
    """The organisation the user acts for at a meeting: the active membership's when it qualifies,
    else the lowest id of their organisations in the cooperation."""
    organisations = meeting_organisation_ids(request.user, cooperation_id)
    active = getattr(request, "active_membership", None)
    if (
        active is not None
        and active.cooperation_id == cooperation_id
        and active.organisation_id in organisations
    ):
        return int(active.organisation_id)
    return min(organisations) if organisations else None
