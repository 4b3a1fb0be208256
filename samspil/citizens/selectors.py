"""Reads of citizens, limited to what the asking user may see.

Who works on cases: a member whose role grants ``case.open`` (key members and coordinators), acting for
their organisation in their cooperation. A citizen is visible to such a member when a case about the
citizen, in that cooperation, has that organisation actively involved. A citizen registered by the
member's organisation and not yet linked to any case (identification pending) is visible to that
organisation too. Nobody else sees citizens here: not frontline workers, not coordinators of cases their
organisation is not involved in, not other cooperations. (The data protection officer's access report
reads through the privacy app's own selectors.)

The cases app is a higher layer, so the queries below follow the reverse relations (``cases``,
``cases__involvements``) by name rather than importing its models.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from samspil.core.roles import Capability, role_has_capability
from samspil.organisations.models import Membership
from samspil.organisations.selectors import membership_list

from .cpr import cpr_lookup_hash
from .models import Citizen
from .names import names_are_similar


def case_worker_memberships(user: Any) -> list[Membership]:
    """The user's active memberships in a cooperation whose role may work on cases (``case.open``)."""
    return [
        m
        for m in membership_list(user)
        if m.cooperation_id is not None and role_has_capability(m.role, Capability.OPEN_CASE)
    ]


def case_worker_organisations(user: Any) -> dict[int, set[int]]:
    """Cooperation id -> the organisations the user works on cases for there."""
    pairs: dict[int, set[int]] = defaultdict(set)
    for m in case_worker_memberships(user):
        assert m.cooperation_id is not None
        pairs[m.cooperation_id].add(m.organisation_id)
    return dict(pairs)


_NOTHING = Q(pk__in=[])


def citizens_visible_to(user: Any) -> QuerySet[Citizen]:
    """Citizens the user may see (see the module docstring for the rule)."""
    condition = _NOTHING
    for cooperation_id, organisation_ids in case_worker_organisations(user).items():
        condition |= Q(
            cooperation_id=cooperation_id,
            cases__cooperation_id=cooperation_id,
            cases__involvements__organisation_id__in=sorted(organisation_ids),
            cases__involvements__ended_at__isnull=True,
        )
        condition |= Q(
            cooperation_id=cooperation_id,
            registered_by_organisation_id__in=sorted(organisation_ids),
            cases__isnull=True,
        )
    ids = Citizen.objects.filter(condition).values("pk")
    return Citizen.objects.filter(pk__in=ids).select_related("cooperation").scoped()


def citizen_visible(user: Any, pk: int) -> Citizen | None:
    return citizens_visible_to(user).filter(pk=pk).first()


@dataclass(frozen=True)
class Duplicate:
    citizen: Citizen
    same_cpr: bool

    @property
    def reason(self) -> str:
        return "cpr" if self.same_cpr else "name_birth_date"


def citizen_duplicates(
    user: Any, cooperation_id: int, *, full_name: str, cpr_digits: str = "", birth_date: date | None = None
) -> list[Duplicate]:
    """Likely duplicates among the citizens the user may see in one cooperation: the same CPR number
    (exact, through the keyed hash), or a similar name with the same birth date. CPR matches first."""
    visible = citizens_visible_to(user).filter(cooperation_id=cooperation_id)
    found: dict[int, Duplicate] = {}
    if cpr_digits:
        for citizen in visible.filter(cpr_lookup=cpr_lookup_hash(cpr_digits)):
            found[citizen.pk] = Duplicate(citizen, same_cpr=True)
    if birth_date is not None and full_name.strip():
        for citizen in visible.filter(birth_date=birth_date).order_by("full_name", "pk"):
            if citizen.pk not in found and names_are_similar(citizen.full_name, full_name):
                found[citizen.pk] = Duplicate(citizen, same_cpr=False)
    return sorted(found.values(), key=lambda d: (not d.same_cpr, d.citizen.full_name, d.citizen.pk))


def citizen_cpr_taken(cooperation_id: int, cpr_digits: str) -> bool:
    """Whether any citizen of the cooperation (visible or not) already has this CPR number.

    Used only to refuse a second record for the same person, whose number the user already typed; it
    reveals no data about the existing record.
    """
    return (
        Citizen.objects.filter(cooperation_id=cooperation_id, cpr_lookup=cpr_lookup_hash(cpr_digits))
        .scoped()
        .exists()
    )


def citizen_pseudonym_taken(cooperation_id: int, pseudonym: str) -> bool:
    return Citizen.objects.filter(cooperation_id=cooperation_id, pseudonym=pseudonym).scoped().exists()


def citizens_unlinked_due_for_purge(now: datetime) -> QuerySet[Citizen]:
    """System selector for the retention job: citizens registered but never linked to a case within
    their cooperation's anonymous-discussion period (identification never happened).

    Marked scoped because the retention rule itself is the scope; only system jobs call this.
    """
    condition = _NOTHING
    days_in_use = (
        Citizen.objects.filter(cases__isnull=True)
        .values_list("cooperation__anonymous_discussion_retention_days", flat=True)
        .distinct()
        .scoped()
    )
    for days in sorted(set(days_in_use)):
        condition |= Q(
            cooperation__anonymous_discussion_retention_days=days, created_at__lt=now - timedelta(days=days)
        )
    return Citizen.objects.filter(condition, cases__isnull=True).scoped()


def citizen_cases_visible_to(user: Any, citizen: Citizen) -> QuerySet[Any]:
    """The citizen's cases that the user sees in full (an own organisation actively involved)."""
    organisation_ids = sorted(case_worker_organisations(user).get(citizen.cooperation_id, set()))
    return (
        citizen.cases.filter(
            cooperation_id=citizen.cooperation_id,
            involvements__organisation_id__in=organisation_ids,
            involvements__ended_at__isnull=True,
        )
        .select_related("lead_organisation")
        .distinct()
        .order_by("-opened_at")
    )
