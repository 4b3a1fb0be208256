"""Writes to cooperations, memberships and invitations. Each runs in one transaction with its audit event.

A refusal a person can understand is raised as ``django.core.exceptions.ValidationError`` with a
Danish message; the views show it and keep what was typed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from samspil.accounts.models import User
from samspil.accounts.services import user_deactivate
from samspil.audit import actions
from samspil.audit.services import audit_record
from samspil.core.roles import Role
from samspil.core.scoping import unscoped

from .legal_bases import LEGAL_BASES, OPTIONAL_CASE_FIELDS
from .models import (
    COOPERATION_ROLES,
    Cooperation,
    CooperationGroup,
    CooperationOrganisation,
    GroupKind,
    Invitation,
    Membership,
    Organisation,
)
from .selectors import token_hash

INVITATION_LIFETIME = timedelta(days=7)

SETTINGS_FIELDS = (
    "meetings_per_year",
    "enabled_legal_bases",
    "anonymous_discussion_retention_days",
    "closed_case_retention_years",
    "shown_optional_fields",
)
_CODE_LIST_REGISTRIES = {
    "enabled_legal_bases": tuple(b.code for b in LEGAL_BASES),
    "shown_optional_fields": tuple(f.code for f in OPTIONAL_CASE_FIELDS),
}


class StaleConfiguration(Exception):
    """Someone else saved the configuration after this user opened it."""


@dataclass(frozen=True)
class GroupChange:
    """One group row from the configuration page: an existing group (``id``) or a new one."""

    id: int | None
    kind: str
    name: str
    meetings_per_year: int
    delete: bool = False


# Cooperations -----------------------------------------------------------------------------------


def cooperation_configure(
    *,
    actor: User,
    cooperation: Cooperation,
    expected_version: int,
    request: HttpRequest | None = None,
    **changes: Any,
) -> list[str]:
    """Save the coordinator's changes to a cooperation's configuration; returns the changed field names.

    Optimistic locking: the save is refused with ``StaleConfiguration`` unless the stored version is
    still ``expected_version`` (the one the form was opened with), so two coordinators never silently
    overwrite each other. ``changes`` may hold the settings fields, ``groups`` (a list of
    ``GroupChange``) and ``organisations`` (the member organisations wanted). The audit event names
    the changed fields only.
    """
    unknown = set(changes) - {*SETTINGS_FIELDS, "groups", "organisations"}
    if unknown:
        raise TypeError(f"Not configurable: {sorted(unknown)}")
    with transaction.atomic():
        current = Cooperation.objects.select_for_update().get(pk=cooperation.pk)
        if current.version != expected_version:
            raise StaleConfiguration
        scalar = _settings_changes(current, changes)
        changed = list(scalar)
        if "groups" in changes and _apply_groups(current, changes["groups"]):
            changed.append("groups")
        if "organisations" in changes and _apply_organisations(current, changes["organisations"]):
            changed.append("organisations")
        if not changed:
            return []
        # The conditional update is the lock that also holds on SQLite, where select_for_update is a no-op.
        saved = Cooperation.objects.filter(pk=current.pk, version=expected_version).update(
            version=expected_version + 1, **scalar
        )
        if saved != 1:
            raise StaleConfiguration
        audit_record(
            action=actions.COOPERATION_CONFIGURED,
            actor=actor,
            request=request,
            target=current,
            cooperation_id=current.pk,
            detail={"fields": changed, "version": expected_version + 1},
        )
    return changed


def _settings_changes(cooperation: Cooperation, changes: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name in SETTINGS_FIELDS:
        if name not in changes:
            continue
        value = changes[name]
        if name in _CODE_LIST_REGISTRIES:
            registry = _CODE_LIST_REGISTRIES[name]
            unknown = set(value) - set(registry)
            if unknown:
                raise ValidationError(_("Ukendt valg: %(codes)s") % {"codes": ", ".join(sorted(unknown))})
            value = [code for code in registry if code in set(value)]
        else:
            field = Cooperation._meta.get_field(name)
            value = field.clean(value, cooperation)  # type: ignore[union-attr]
        if getattr(cooperation, name) != value:
            result[name] = value
    return result


def _apply_groups(cooperation: Cooperation, rows: Sequence[GroupChange]) -> bool:
    existing = {g.pk: g for g in CooperationGroup.objects.filter(cooperation=cooperation)}
    if any(row.id is not None and row.id not in existing for row in rows):
        raise ValidationError(_("En af grupperne findes ikke længere. Genindlæs siden og prøv igen."))
    if any(row.kind not in GroupKind.values for row in rows):
        raise ValidationError(_("Ukendt gruppetype."))
    deleted = {row.id for row in rows if row.delete and row.id is not None}
    kept_names = {g.pk: g.name for g in existing.values() if g.pk not in deleted}
    for row in rows:
        if row.id is not None and not row.delete:
            kept_names[row.id] = row.name
    new_names = [row.name for row in rows if row.id is None and not row.delete]
    names = [n.strip().casefold() for n in [*kept_names.values(), *new_names]]
    if any(not n for n in names):
        raise ValidationError(_("Hver gruppe skal have et navn."))
    if len(names) != len(set(names)):
        raise ValidationError(_("To grupper kan ikke have samme navn."))
    changed = False
    if deleted:
        try:
            with transaction.atomic():
                CooperationGroup.objects.filter(pk__in=deleted).delete()
        except (ProtectedError, RestrictedError) as error:  # e.g. a meeting series of the group
            raise ValidationError(
                _("En gruppe, der bruges af møder, kan ikke fjernes. Omdøb den i stedet.")
            ) from error
        changed = True
    updates = [(row.id, row) for row in rows if row.id is not None and not row.delete]
    # Park renamed groups under a temporary name first, so swapping two names never trips the
    # unique constraint half-way.
    for pk, row in updates:
        if existing[pk].name != row.name:
            CooperationGroup.objects.filter(pk=pk).update(name=f"~{pk}~{secrets.token_hex(4)}")
    for pk, row in updates:
        group = existing[pk]
        if (group.kind, group.name, group.meetings_per_year) != (row.kind, row.name, row.meetings_per_year):
            group.kind, group.name = row.kind, row.name.strip()
            group.meetings_per_year = row.meetings_per_year
            group.full_clean(exclude=["cooperation"], validate_unique=False)
            group.save(update_fields=["kind", "name", "meetings_per_year"])
            changed = True
    for row in rows:
        if row.id is None and not row.delete:
            group = CooperationGroup(
                cooperation=cooperation,
                kind=row.kind,
                name=row.name.strip(),
                meetings_per_year=row.meetings_per_year,
            )
            group.full_clean(exclude=["cooperation"], validate_unique=False)
            group.save()
            changed = True
    return changed


def _apply_organisations(cooperation: Cooperation, organisations: Iterable[Organisation]) -> bool:
    wanted = {o.pk: o for o in organisations}
    if cooperation.municipality_id not in wanted:
        raise ValidationError(_("Samarbejdets kommune kan ikke fjernes fra samarbejdet."))
    participations = CooperationOrganisation.objects.filter(cooperation=cooperation)
    current = set(participations.values_list("organisation_id", flat=True))
    removed = current - wanted.keys()
    added = wanted.keys() - current
    if removed:
        with unscoped("configuration checks that a removed organisation has no active members"):
            in_use = Membership.objects.filter(
                cooperation=cooperation, organisation_id__in=removed, is_active=True
            ).exists()
        if in_use:
            raise ValidationError(
                _("En organisation med aktive medlemmer kan ikke fjernes. Afslut først medlemskaberne.")
            )
        CooperationOrganisation.objects.filter(cooperation=cooperation, organisation_id__in=removed).delete()
    CooperationOrganisation.objects.bulk_create(
        [CooperationOrganisation(cooperation=cooperation, organisation=wanted[pk], sector=wanted[pk].sector)
         for pk in sorted(added)]
    )
    return bool(removed or added)


# Memberships ------------------------------------------------------------------------------------


def _is_own_last_coordinator_membership(actor: User, membership: Membership) -> bool:
    if membership.user_id != actor.pk or membership.role != Role.COORDINATOR:
        return False
    with unscoped("the actor's own coordinator memberships"):
        others = (
            Membership.objects.filter(
                user=actor, cooperation_id=membership.cooperation_id, role=Role.COORDINATOR, is_active=True
            )
            .exclude(pk=membership.pk)
            .exists()
        )
    return not others


def membership_change_role(
    *,
    actor: User,
    membership: Membership,
    role: str,
    groups: Iterable[CooperationGroup] | None = None,
    request: HttpRequest | None = None,
) -> list[str]:
    """Change a member's role (and, if given, their groups); returns what changed.

    A coordinator cannot take the coordinator role from themselves in their last coordinator
    membership of the cooperation: nobody else could give it back.
    """
    if role not in COOPERATION_ROLES:
        raise ValidationError(_("Den rolle kan ikke bruges i et samarbejde."))
    wanted_groups = list(groups) if groups is not None else None
    foreign = [g for g in wanted_groups or [] if g.cooperation_id != membership.cooperation_id]
    if foreign:
        raise ValidationError(_("Grupperne skal høre til samarbejdet."))
    with transaction.atomic():
        changed: list[str] = []
        old_role = membership.role
        if role != old_role:
            if _is_own_last_coordinator_membership(actor, membership):
                raise ValidationError(
                    _("Du kan ikke fratage dig selv rollen som koordinator: du er den sidste "
                      "koordinatorrolle, du har i samarbejdet. Bed en anden koordinator om at gøre det.")
                )
            with unscoped("a person may hold each role once per organisation and cooperation"):
                taken = Membership.objects.filter(
                    user_id=membership.user_id,
                    organisation_id=membership.organisation_id,
                    cooperation_id=membership.cooperation_id,
                    role=role,
                    is_active=True,
                ).exists()
            if taken:
                raise ValidationError(_("Personen har allerede den rolle for organisationen i samarbejdet."))
            membership.role = role
            membership.save(update_fields=["role"])
            changed.append("role")
        if wanted_groups is not None:
            before = set(membership.groups.values_list("pk", flat=True))
            after = {g.pk for g in wanted_groups}
            if before != after:
                membership.groups.set(wanted_groups)
                changed.append("groups")
        if changed:
            audit_record(
                action=actions.MEMBERSHIP_CHANGED,
                actor=actor,
                request=request,
                target=membership,
                cooperation_id=membership.cooperation_id,
                detail={"fields": changed, "role_from": old_role, "role_to": membership.role},
            )
    return changed


def membership_end(*, actor: User, membership: Membership, request: HttpRequest | None = None) -> None:
    """End a membership (kept for the record, no longer active).

    A coordinator cannot end their own last coordinator membership of the cooperation.
    """
    if not membership.is_active:
        raise ValidationError(_("Medlemskabet er allerede afsluttet."))
    if _is_own_last_coordinator_membership(actor, membership):
        raise ValidationError(
            _("Du kan ikke afslutte dit eget sidste koordinatormedlemskab i samarbejdet. "
              "Bed en anden koordinator om at gøre det.")
        )
    with transaction.atomic():
        _end(actor=actor, membership=membership, request=request)


def _end(*, actor: User, membership: Membership, request: HttpRequest | None) -> None:
    membership.is_active = False
    membership.ended_at = timezone.now()
    membership.save(update_fields=["is_active", "ended_at"])
    audit_record(
        action=actions.MEMBERSHIP_ENDED,
        actor=actor,
        request=request,
        target=membership,
        cooperation_id=membership.cooperation_id,
        detail={"role": membership.role},
    )


def membership_deactivate_account(
    *, actor: User, membership: Membership, request: HttpRequest | None = None
) -> None:
    """End the person's memberships in this cooperation and deactivate their account.

    Allowed only when every active membership of the person is in this cooperation: a coordinator
    decides about people of their own cooperation, never about someone who also works elsewhere.
    """
    person = membership.user
    if person.pk == actor.pk:
        raise ValidationError(_("Du kan ikke deaktivere din egen konto."))
    with transaction.atomic():
        with unscoped("deciding whether an account belongs to this cooperation alone"):
            # Ordered by pk: the default ordering joins the nullable cooperation, which FOR UPDATE refuses.
            rows = Membership.objects.filter(user=person, is_active=True).order_by("pk")
            active = list(rows.select_for_update())
        if any(m.cooperation_id != membership.cooperation_id for m in active):
            raise ValidationError(
                _("Personen er også medlem andre steder. Afslut medlemskabet i stedet for at deaktivere "
                  "kontoen.")
            )
        for each in active:
            _end(actor=actor, membership=each, request=request)
        user_deactivate(actor=actor, user=person, request=request)


# Invitations ------------------------------------------------------------------------------------


def invitation_send(
    *,
    actor: User,
    cooperation: Cooperation,
    email: str,
    full_name: str,
    organisation: Organisation,
    role: str,
    request: HttpRequest | None = None,
) -> Invitation:
    """Invite a person by email to join the cooperation for an organisation in a role.

    The link carries a random token; only its SHA-256 is stored, so a copy of the database cannot be
    used to accept invitations. The invitation expires after seven days.
    """
    email = User.objects.normalize_email(email).strip().lower()
    if role not in COOPERATION_ROLES:
        raise ValidationError(_("Den rolle kan ikke bruges i et samarbejde."))
    taking_part = CooperationOrganisation.objects.filter(cooperation=cooperation, organisation=organisation)
    if not taking_part.exists():
        raise ValidationError(_("Organisationen er ikke med i samarbejdet."))
    now = timezone.now()
    with transaction.atomic():
        with unscoped("refusing a second open invitation to the same address"):
            already_open = Invitation.objects.filter(
                cooperation=cooperation,
                email__iexact=email,
                accepted_at=None,
                revoked_at=None,
                expires_at__gt=now,
            ).exists()
        if already_open:
            raise ValidationError(
                _("Der er allerede en åben invitation til %(email)s. Tilbagekald den først, hvis den skal "
                  "sendes igen.")
                % {"email": email}
            )
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            email=email,
            full_name=full_name.strip(),
            cooperation=cooperation,
            organisation=organisation,
            role=role,
            token_hash=token_hash(token),
            invited_by=actor,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
        audit_record(
            action=actions.INVITATION_SENT,
            actor=actor,
            request=request,
            target=invitation,
            cooperation_id=cooperation.pk,
            detail={"role": role, "organisation_id": organisation.pk},
        )
        _send_invitation_email(invitation, token, invited_by=actor)
    return invitation


def invitation_link(token: str) -> str:
    return f"{settings.SAMSPIL_BASE_URL.rstrip('/')}/invitation/{token}/"


def _send_invitation_email(invitation: Invitation, token: str, *, invited_by: User) -> None:
    context = {
        "invitation": invitation,
        "invited_by": invited_by,
        "link": invitation_link(token),
        "role": invitation.get_role_display().lower(),
        "expires_at": invitation.expires_at,
    }
    subject = _("Invitation til %(cooperation)s i Samspil") % {"cooperation": invitation.cooperation.name}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("organisations/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("organisations/email/invitation.html", context), "text/html")
    try:
        message.send()
    except OSError as error:
        raise ValidationError(_("E-mailen kunne ikke sendes. Prøv igen om lidt.")) from error


def invitation_revoke(*, actor: User, invitation: Invitation, request: HttpRequest | None = None) -> None:
    if not invitation.is_open:
        raise ValidationError(_("Kun åbne invitationer kan tilbagekaldes."))
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            action=actions.INVITATION_REVOKED,
            actor=actor,
            request=request,
            target=invitation,
            cooperation_id=invitation.cooperation_id,
        )


class InvitationUnusable(Exception):
    """The invitation was accepted, revoked or expired (perhaps a moment ago, in another tab)."""


def invitation_accept(
    *, actor: User, invitation: Invitation, request: HttpRequest | None = None
) -> Membership:
    """The invitee (an existing account that proved its password) joins the cooperation.

    The invitation is claimed with a conditional update, so two submits of the same link create one
    membership at most.
    """
    with transaction.atomic():
        return _accept(actor=actor, invitation=invitation, request=request, new_account=False)


def invitation_accept_with_new_account(
    *, invitation: Invitation, full_name: str, password: str, request: HttpRequest | None = None
) -> User:
    """Create the invitee's account (password already validated by the form) and join the cooperation."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                user = User.objects.create_user(invitation.email, password, full_name=full_name.strip())
        except IntegrityError as error:
            raise ValidationError(
                _("Der findes allerede en konto med den e-mailadresse. Log ind i stedet.")
            ) from error
        _accept(actor=user, invitation=invitation, request=request, new_account=True)
    return user


def _accept(
    *, actor: User, invitation: Invitation, request: HttpRequest | None, new_account: bool
) -> Membership:
    if actor.email.lower() != invitation.email.lower():
        raise InvitationUnusable
    now = timezone.now()
    claimed = (
        Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None, expires_at__gt=now)
        .scoped()
        .update(accepted_at=now)
    )
    if claimed != 1:
        raise InvitationUnusable
    invitation.accepted_at = now
    with unscoped("an invitee joining may already hold the same role"):
        membership, _created = Membership.objects.get_or_create(
            user=actor,
            organisation_id=invitation.organisation_id,
            cooperation_id=invitation.cooperation_id,
            role=invitation.role,
            is_active=True,
        )
    audit_record(
        action=actions.INVITATION_ACCEPTED,
        actor=actor,
        request=request,
        target=invitation,
        cooperation_id=invitation.cooperation_id,
        organisation_id=invitation.organisation_id,
        role=invitation.role,
        detail={"new_account": new_account},
    )
    return membership
