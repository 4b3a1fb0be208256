"""Who may use the citizen's-rights pages.

- The data protection officer (capability ``privacy.access_report``) works on the citizens of the
  cooperations they are DPO of: access reports, rectification, legal holds, retention rules and
  receipts. A citizen of another cooperation does not exist for them (404).
- A key member or coordinator who sees the citizen through a case (``citizens.selectors``) may rectify
  the citizen's data.
- A member acting for a police organisation involved in a case may withhold that organisation's own
  journal entries from the citizen's access report (and lift that again). Another organisation's
  entry does not exist for this purpose (404); an entry of one's own non-police organisation is 403.
"""

from __future__ import annotations

from typing import Any

from samspil.cases.models import Case, JournalEntry
from samspil.cases.policies import case_access
from samspil.core.roles import Capability, role_has_capability
from samspil.organisations.models import Membership, Sector
from samspil.organisations.selectors import cooperation_ids_with, membership_list


def rights_cooperation_ids(user: Any) -> set[int]:
    """The cooperations whose citizens ``user`` handles as data protection officer."""
    return cooperation_ids_with(user, Capability.ACCESS_REPORT)


def dpo_membership(user: Any, cooperation_id: int) -> Membership | None:
    """The user's membership that makes them DPO of the cooperation (the organisation they act for)."""
    return next(
        (
            m
            for m in membership_list(user)
            if m.cooperation_id == cooperation_id and role_has_capability(m.role, Capability.ACCESS_REPORT)
        ),
        None,
    )


def own_entry_organisations(user: Any, case: Case) -> frozenset[int]:
    """The organisations the user works on the case for (actively involved, case-working role)."""
    return case_access(user, case).organisation_ids


def may_exempt(user: Any, entry: JournalEntry) -> bool:
    """The entry is the police's own and the user acts for that police organisation on the case."""
    return entry.organisation_id in own_entry_organisations(user, entry.case) and is_police(entry)


def is_police(entry: JournalEntry) -> bool:
    return bool(entry.organisation.sector == Sector.POLICE)
