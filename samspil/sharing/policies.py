"""Who may share, identify, record consent and open what was shared.

Built on the case rules in ``cases.policies``: a person acts on a case through the organisations they
work on cases for (``case.open``: key members and coordinators) that are actively involved in it
(``CaseAccess.organisation_ids``). A case without such an organisation does not exist for them (404),
or, for a coordinator who only knows it exists, is not theirs to act on (403, audited).

A membership marked investigative (``Membership.is_investigative``) may never open information that
another organisation disclosed with the restriction "never for criminal investigation" (retsplejeloven
§ 115): it is blocked unless the person also works on the case through a non-investigative membership,
the same rule the journal follows (``CaseAccess.reads_shared_entries``).
"""

from __future__ import annotations

from typing import Any

from samspil.cases.models import Case
from samspil.cases.policies import CaseAccess, case_access

from .models import Disclosure, RestrictionCode


def acting_organisation_ids(user: Any, case: Case) -> frozenset[int]:
    """The organisations ``user`` acts for on ``case`` (empty: they may not act on it)."""
    return case_access(user, case).organisation_ids


def may_act_for(user: Any, case: Case, organisation_id: int) -> bool:
    return organisation_id in acting_organisation_ids(user, case)


def investigative_block_applies(access: CaseAccess, disclosure: Disclosure) -> bool:
    """True when the person with ``access`` may not open ``disclosure``: it carries the "never for
    criminal investigation" restriction, every membership through which they work on the case is
    investigative, and the information came from another organisation (one's own organisation's
    notes are not received information)."""
    return (
        disclosure.has_restriction(RestrictionCode.NO_CRIMINAL_INVESTIGATION)
        and not access.reads_shared_entries
        and disclosure.source_organisation_id not in access.organisation_ids
    )
