"""Reads of organisations, cooperations and people, limited to what the asking user may see."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Value, When

from samspil.core.roles import Capability, role_has_capability

from .legal_bases import LegalBasis, OptionalField, legal_basis, optional_field
from .models import (
    Cooperation,
    CooperationGroup,
    CooperationOrganisation,
    GroupKind,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    Sector,
)


def _declared_order(field: str, values: list[str]) -> Case:
    """Sort by the order in which choices are declared (police, social services, psychiatry: P-S-P)."""
    return Case(
        *[When(**{field: value}, then=Value(i)) for i, value in enumerate(values)],
        default=Value(len(values)),
        output_field=IntegerField(),
    )


def memberships_of(user: Any) -> QuerySet[Membership]:
    """The user's own active memberships (always visible to themselves)."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none().scoped()
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organisation", "cooperation", "unit")
        .order_by("cooperation__name", "organisation__name", "role")
        .scoped()
    )


def cooperation_ids_with(user: Any, capability: str) -> set[int]:
    return {
        m.cooperation_id
        for m in membership_list(user)
        if m.cooperation_id is not None and role_has_capability(m.role, capability)
    }


def cooperation_ids_of(user: Any) -> set[int]:
    """Cooperations the user belongs to in any role: these exist for them (others are 404)."""
    return {m.cooperation_id for m in membership_list(user) if m.cooperation_id is not None}


def cooperations_visible_to(user: Any) -> QuerySet[Cooperation]:
    """Cooperations the user is a member of in a role that may view the cooperation."""
    ids = cooperation_ids_with(user, Capability.VIEW_COOPERATION)
    return Cooperation.objects.filter(pk__in=ids).select_related("municipality")


def cooperation_get(pk: int) -> Cooperation | None:
    """One cooperation by id, or None. Callers decide visibility first (see policies)."""
    return Cooperation.objects.select_related("municipality").filter(pk=pk).first()


def cooperation_participations(cooperation: Cooperation) -> QuerySet[CooperationOrganisation]:
    """The member organisations of a cooperation, by sector then name."""
    return (
        CooperationOrganisation.objects.filter(cooperation=cooperation)
        .select_related("organisation")
        .order_by(_declared_order("sector", Sector.values), "organisation__name")
    )


def cooperation_groups(cooperation: Cooperation) -> QuerySet[CooperationGroup]:
    return _groups_in_order(CooperationGroup.objects.filter(cooperation=cooperation))


def _groups_in_order(groups: QuerySet[CooperationGroup]) -> QuerySet[CooperationGroup]:
    """Steering group first, then key persons, then other groups; by name within a kind."""
    return groups.order_by(_declared_order("kind", GroupKind.values), "name")


@dataclass(frozen=True)
class CooperationOverview:
    """What the cooperation page shows: its organisations by sector, groups and configuration."""

    cooperation: Cooperation
    sectors: list[tuple[str, list[Organisation]]]
    groups: list[CooperationGroup]
    legal_bases: list[LegalBasis]
    optional_fields: list[OptionalField]
    member_count: int


def cooperation_overview(user: Any, cooperation: Cooperation) -> CooperationOverview:
    """The overview of a cooperation the user may view (callers check with the policy first)."""
    sectors: dict[str, list[Organisation]] = {}
    for participation in cooperation_participations(cooperation):
        sectors.setdefault(participation.get_sector_display(), []).append(participation.organisation)
    return CooperationOverview(
        cooperation=cooperation,
        sectors=list(sectors.items()),
        groups=list(cooperation_groups(cooperation)),
        legal_bases=[b for b in map(legal_basis, cooperation.enabled_legal_bases) if b is not None],
        optional_fields=[f for f in map(optional_field, cooperation.shown_optional_fields) if f is not None],
        member_count=members_visible_to(user, cooperation).count(),
    )


def organisations_addable_to(cooperation: Cooperation) -> QuerySet[Organisation]:
    """Reference organisations that are not yet members of the cooperation, by sector then name.

    Other municipalities are left out: a cooperation is municipal and has its one municipality.
    """
    return (
        Organisation.objects.exclude(participations__cooperation=cooperation)
        .exclude(kind=OrganisationKind.MUNICIPALITY)
        .order_by(_declared_order("sector", Sector.values), "name")
    )


def members_visible_to(user: Any, cooperation: Cooperation) -> QuerySet[Membership]:
    """Active members of a cooperation, for a user who may view that cooperation; otherwise nothing.

    Each row carries ``has_other_memberships``: whether the person also holds an active membership
    outside this cooperation (then a coordinator here may not deactivate their account). The query
    count does not grow with the number of members (one query plus one for the groups).
    """
    if cooperation.pk not in cooperation_ids_with(user, Capability.VIEW_COOPERATION):
        return Membership.objects.none().scoped()
    elsewhere = Membership.objects.filter(user=OuterRef("user"), is_active=True).exclude(
        cooperation=cooperation
    )
    return (
        Membership.objects.filter(cooperation=cooperation, is_active=True)
        .select_related("user", "organisation", "unit")
        .prefetch_related(Prefetch("groups", queryset=_groups_in_order(CooperationGroup.objects.all())))
        .annotate(has_other_memberships=Exists(elsewhere))
        .order_by("organisation__name", "user__full_name", "role")
        .scoped()
    )


def member_of_cooperation(user: Any, cooperation: Cooperation, membership_pk: int) -> Membership | None:
    """One active membership of the cooperation, seen by a user who may view it; None otherwise."""
    return members_visible_to(user, cooperation).filter(pk=membership_pk).first()


def coordinator_memberships_of(user: Any, cooperation: Cooperation) -> QuerySet[Membership]:
    """The user's own active coordinator memberships in one cooperation."""
    return memberships_of(user).filter(cooperation=cooperation, role="coordinator")


def invitations_visible_to(user: Any, cooperation: Cooperation) -> QuerySet[Invitation]:
    if cooperation.pk not in cooperation_ids_with(user, Capability.INVITE_MEMBERS):
        return Invitation.objects.none().scoped()
    return (
        Invitation.objects.filter(cooperation=cooperation)
        .select_related("organisation", "invited_by")
        .scoped()
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a link carries, found by the hash of its token (the token is the authority).

    Tokens that are not URL-safe base64 of a sensible length are not looked up at all.
    """
    if not token or len(token) > 128:
        return None
    return (
        Invitation.objects.filter(token_hash=token_hash(token))
        .select_related("cooperation", "organisation", "invited_by")
        .scoped()
        .first()
    )


def membership_list(user: Any) -> list[Membership]:
    """The user's active memberships as a list, fetched once per user object (per request)."""
    cached = getattr(user, "_samspil_memberships", None)
    if cached is None:
        cached = list(memberships_of(user))
        if getattr(user, "is_authenticated", False):
            user._samspil_memberships = cached
    return cached


def forget_memberships(user: Any) -> None:
    """Drop the per-request cache after the user's memberships changed."""
    if hasattr(user, "_samspil_memberships"):
        del user._samspil_memberships
