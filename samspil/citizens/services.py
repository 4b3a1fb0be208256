"""Writes (and audited reads) of citizens. Each runs in one transaction with its audit event.

A CPR number passes through here only as a local value: it is stored encrypted plus its keyed hash, and
what the audit log records about it is at most that one was given (``{"criterion": "cpr"}``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from samspil.audit import actions
from samspil.audit.services import audit_record
from samspil.organisations.models import Cooperation, Organisation

from .cpr import (
    InvalidCpr,
    cpr_birth_date,
    cpr_decrypt,
    cpr_encrypt,
    cpr_format,
    cpr_lookup_hash,
    cpr_normalise,
)
from .models import Citizen
from .names import fold_name, generate_pseudonym
from .selectors import (
    Duplicate,
    case_worker_organisations,
    citizen_cpr_taken,
    citizen_duplicates,
    citizen_pseudonym_taken,
)


class CitizenError(ValueError):
    """A registration that cannot be saved; ``str(exc)`` is a Danish message, ``field`` the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Registration:
    """The outcome of ``citizen_register``: the new citizen, or the likely duplicates to choose from."""

    citizen: Citizen | None = None
    duplicates: list[Duplicate] = field(default_factory=list)

    @property
    def same_cpr_found(self) -> bool:
        return any(d.same_cpr for d in self.duplicates)


def _require_case_worker(actor: Any, cooperation: Cooperation, organisation: Organisation) -> None:
    if organisation.pk not in case_worker_organisations(actor).get(cooperation.pk, set()):
        raise PermissionDenied(_("Du kan ikke registrere borgere for denne organisation i dette samarbejde."))


def citizen_birth_date(cpr_digits: str, birth_date: date | None) -> date | None:
    """The birth date to store: from the CPR number when given (and a typed date must agree)."""
    if not cpr_digits:
        return birth_date
    from_cpr = cpr_birth_date(cpr_digits)
    if birth_date is not None and birth_date != from_cpr:
        raise CitizenError(_("Fødselsdatoen passer ikke med CPR-nummeret."), field="birth_date")
    return from_cpr


def _unique_pseudonym(cooperation: Cooperation) -> str:
    for _attempt in range(50):
        candidate = generate_pseudonym(_("Borger"))
        if not citizen_pseudonym_taken(cooperation.pk, candidate):
            return candidate
    raise RuntimeError("Could not find a free pseudonym")  # pragma: no cover - 198,000 to choose from


@transaction.atomic
def citizen_register(
    *,
    actor: Any,
    cooperation: Cooperation,
    organisation: Organisation,
    full_name: str,
    cpr: str = "",
    birth_date: date | None = None,
    sex: str = "",
    address: str = "",
    phone: str = "",
    pseudonym: str = "",
    confirmed_distinct: bool = False,
    request: HttpRequest | None = None,
) -> Registration:
    """Register a citizen in a cooperation for ``organisation`` after a duplicate check.

    The check (audited as a search, criteria kinds and match count only) looks among the citizens the
    actor may see: a citizen with the same CPR number is the same person, so nothing is created and that
    citizen is offered; citizens with a similar name and the same birth date are offered too, and the
    actor either picks one or confirms a different person (``confirmed_distinct``). A CPR number that a
    citizen the actor may not see already has is refused (one record per person per cooperation).
    """
    _require_case_worker(actor, cooperation, organisation)
    full_name = " ".join(full_name.split())
    if not full_name:
        raise CitizenError(_("Skriv borgerens navn."), field="full_name")
    digits = ""
    if cpr.strip():
        try:
            digits = cpr_normalise(cpr)
        except InvalidCpr as exc:
            raise CitizenError(str(exc), field="cpr") from None
    birth_date = citizen_birth_date(digits, birth_date)

    duplicates = citizen_duplicates(
        actor, cooperation.pk, full_name=full_name, cpr_digits=digits, birth_date=birth_date
    )
    criteria = (["cpr"] if digits else []) + (["name_birth_date"] if birth_date else [])
    audit_record(
        action=actions.CITIZEN_DUPLICATES_CHECKED,
        actor=actor,
        request=request,
        cooperation_id=cooperation.pk,
        detail={"criteria": criteria, "matches": len(duplicates)},
    )
    if any(d.same_cpr for d in duplicates) or (duplicates and not confirmed_distinct):
        return Registration(duplicates=duplicates)
    if digits and citizen_cpr_taken(cooperation.pk, digits):
        raise CitizenError(
            _(
                "Der findes allerede en borger med dette CPR-nummer i samarbejdet, i sager din organisation "
                "ikke er involveret i. Kontakt samarbejdets koordinator."
            ),
            field="cpr",
        )
    pseudonym = " ".join(pseudonym.split())
    if pseudonym and citizen_pseudonym_taken(cooperation.pk, pseudonym):
        raise CitizenError(
            _("Pseudonymet er allerede i brug i samarbejdet. Vælg et andet."), field="pseudonym"
        )
    citizen = Citizen.objects.create(
        cooperation=cooperation,
        cpr_encrypted=cpr_encrypt(digits) if digits else None,
        cpr_lookup=cpr_lookup_hash(digits) if digits else "",
        full_name=full_name,
        search_name=fold_name(full_name),
        birth_date=birth_date,
        sex=sex,
        address=address.strip(),
        phone=phone.strip(),
        pseudonym=pseudonym or _unique_pseudonym(cooperation),
        registered_by_organisation=organisation,
        created_by=actor,
    )
    audit_record(
        action=actions.CITIZEN_REGISTERED,
        actor=actor,
        request=request,
        target=citizen,
        citizen_id=citizen.pk,
        cooperation_id=cooperation.pk,
        organisation_id=organisation.pk,
        detail={"has_cpr": bool(digits), "confirmed_distinct": bool(duplicates)},
    )
    return Registration(citizen=citizen)


def citizen_cpr(citizen: Citizen) -> str:
    """The stored CPR number, decrypted (ten digits), or "" when the citizen has none."""
    if not citizen.cpr_encrypted:
        return ""
    return cpr_decrypt(citizen.cpr_encrypted)


@transaction.atomic
def citizen_record_view(*, actor: Any, citizen: Citizen, request: HttpRequest | None = None) -> None:
    """Audit that ``actor`` looked at the citizen's page (the caller has checked visibility)."""
    audit_record(
        action=actions.CITIZEN_VIEWED,
        actor=actor,
        request=request,
        target=citizen,
        citizen_id=citizen.pk,
        cooperation_id=citizen.cooperation_id,
    )


@transaction.atomic
def citizen_cpr_reveal(*, actor: Any, citizen: Citizen, request: HttpRequest | None = None) -> str:
    """The full CPR number (DDMMYY-SSSS) for display, with an audit event saying it was shown."""
    digits = citizen_cpr(citizen)
    audit_record(
        action=actions.CITIZEN_CPR_REVEALED,
        actor=actor,
        request=request,
        target=citizen,
        citizen_id=citizen.pk,
        cooperation_id=citizen.cooperation_id,
    )
    return cpr_format(digits) if digits else ""
