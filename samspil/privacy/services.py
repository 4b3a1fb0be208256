"""Writes of the DPO's audit view (each search and each export of the log is itself an audit event) and
of the citizen's rights: rectification, exemptions from access, legal holds and retention rules. The
access report is produced in ``access_report.py``, retention runs in ``retention.py``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.audit.services import audit_record
from samspil.cases.models import Case, JournalEntry, Task
from samspil.citizens.cpr import InvalidCpr, cpr_birth_date, cpr_encrypt, cpr_lookup_hash, cpr_normalise
from samspil.citizens.models import Citizen, Sex
from samspil.citizens.names import fold_name
from samspil.organisations.models import Cooperation

from .emails import rectification_message
from .models import (
    AccessExemption,
    CitizenRectification,
    ExemptionSubject,
    LegalHold,
    PeriodUnit,
    RectifiableField,
    RetentionCategory,
    RetentionRule,
)
from .policies import dpo_membership, may_exempt
from .retention import PER_BASIS_CATEGORIES
from .selectors import (
    AuditCriteria,
    active_exemption_of,
    citizen_recipient_organisations,
    organisation_contacts,
    rectifiable_citizen,
    retention_rule_bases,
)


def audit_log_search(
    *,
    actor: Any,
    request: HttpRequest | None,
    criteria: AuditCriteria,
    page: int,
    result_count: int,
    channel: str,
) -> AuditEvent:
    """Record that ``actor`` searched the audit log with ``criteria`` (ids and codes only)."""
    with transaction.atomic():
        return audit_record(
            action=actions.AUDIT_SEARCHED,
            actor=actor,
            request=request,
            detail={
                "criteria": criteria.as_detail(),
                "page": page,
                "results": result_count,
                "channel": channel,
            },
        )


def audit_log_export(
    *, actor: Any, request: HttpRequest | None, criteria: AuditCriteria, row_count: int
) -> AuditEvent:
    """Record that ``actor`` exported ``row_count`` events of the audit log matching ``criteria``."""
    with transaction.atomic():
        return audit_record(
            action=actions.AUDIT_EXPORTED,
            actor=actor,
            request=request,
            detail={"criteria": criteria.as_detail(), "rows": row_count, "format": "csv"},
        )


# --- The citizen's rights ------------------------------------------------------------------------------


class RightsRefused(ValueError):
    """A rights action that cannot be done; ``str(exc)`` is a Danish message, ``field`` the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


RECTIFICATION_TASK_SOURCE = "rectification"
RECTIFICATION_TASK_DAYS = 14
_TEXT_LIMITS: dict[str, int] = {
    RectifiableField.FULL_NAME: 200,
    RectifiableField.ADDRESS: 300,
    RectifiableField.PHONE: 32,
}


def citizen_search_record(
    *, actor: Any, criterion: str, matches: int, request: HttpRequest | None = None
) -> AuditEvent:
    """Record a DPO's search for a citizen by the kind of its criterion ("name" or "cpr"), never the value."""
    with transaction.atomic():
        return audit_record(
            action=actions.PRIVACY_CITIZEN_SEARCHED,
            actor=actor,
            request=request,
            detail={"criterion": criterion, "matches": matches},
        )


def citizen_rights_view_record(*, actor: Any, citizen: Citizen, request: HttpRequest | None = None) -> None:
    """Record that the DPO opened the citizen's rights page (it shows the citizen's name and cases)."""
    with transaction.atomic():
        audit_record(
            action=actions.PRIVACY_CITIZEN_VIEWED,
            actor=actor,
            request=request,
            target=citizen,
            citizen_id=citizen.pk,
            cooperation_id=citizen.cooperation_id,
        )


def deletion_receipts_view_record(*, actor: Any, count: int, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        audit_record(
            action=actions.DELETION_RECEIPTS_VIEWED, actor=actor, request=request, detail={"rows": count}
        )


def _rectified_values(citizen: Citizen, field: str, new_value: Any) -> dict[str, Any]:
    """The citizen's fields to write for the new value of ``field``; RightsRefused when it is invalid."""
    if field in _TEXT_LIMITS:
        text = " ".join(str(new_value or "").split())
        if field == RectifiableField.FULL_NAME and not text:
            raise RightsRefused(_("Skriv borgerens navn."), field="new_value")
        if len(text) > _TEXT_LIMITS[field]:
            raise RightsRefused(
                _("Værdien kan højst være %(limit)s tegn.") % {"limit": _TEXT_LIMITS[field]},
                field="new_value",
            )
        values: dict[str, Any] = {field: text}
        if field == RectifiableField.FULL_NAME:
            values["search_name"] = fold_name(text)
        return values
    if field == RectifiableField.SEX:
        if new_value not in Sex.values:
            raise RightsRefused(_("Vælg et køn fra listen."), field="new_value")
        return {"sex": new_value}
    if field == RectifiableField.BIRTH_DATE:
        if citizen.has_cpr:
            raise RightsRefused(
                _("Fødselsdatoen følger CPR-nummeret. Ret CPR-nummeret i stedet."), field="field"
            )
        if new_value is not None and not isinstance(new_value, date):
            raise RightsRefused(_("Skriv datoen som dd-mm-åååå, fx 05-03-1985."), field="new_value")
        return {"birth_date": new_value}
    if field == RectifiableField.CPR:
        raw = str(new_value or "").strip()
        if not raw:
            return {"cpr_encrypted": None, "cpr_lookup": ""}
        try:
            digits = cpr_normalise(raw)
        except InvalidCpr as exc:
            raise RightsRefused(str(exc), field="new_value") from None
        lookup = cpr_lookup_hash(digits)
        if lookup != citizen.cpr_lookup and (
            Citizen.objects.filter(cooperation_id=citizen.cooperation_id, cpr_lookup=lookup)
            .exclude(pk=citizen.pk)
            .scoped()
            .exists()
        ):
            raise RightsRefused(
                _("En anden borger i samarbejdet har dette CPR-nummer. Kontakt samarbejdets koordinator."),
                field="new_value",
            )
        return {
            "cpr_encrypted": cpr_encrypt(digits),
            "cpr_lookup": lookup,
            "birth_date": cpr_birth_date(digits),
        }
    raise RightsRefused(_("Vælg hvilken oplysning der skal rettes."), field="field")


def _stale_message() -> str:
    return _(
        "Borgerens oplysninger er ændret af en anden, siden du åbnede siden. "
        "Se de nye oplysninger og prøv igen."
    )


def _shown(field: str, value: Any) -> str:
    """A field's value as the rectification history shows it (never used for the CPR number)."""
    if value in (None, ""):
        return ""
    if field == RectifiableField.BIRTH_DATE:
        return f"{value:%d-%m-%Y}"
    if field == RectifiableField.SEX:
        return str(dict(Sex.choices).get(value, value))
    return str(value)


def citizen_rectify(
    *,
    actor: Any,
    citizen: Citizen,
    field: str,
    new_value: Any,
    reason: str,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> CitizenRectification:
    """Correct one of the citizen's data (GDPR Art. 16) and tell the recipients (Art. 19).

    Keeps the old value's provenance in a ``CitizenRectification`` (a CPR number only encrypted). Every
    organisation that received the citizen's data through a disclosure gets a task on the case of its
    newest such disclosure and an email to its coordinators (key members when it has none there) after
    the transaction commits; the email names no citizen. A stale ``version`` (someone else changed the
    citizen meanwhile) is refused and nothing changes. Audited with the field's name, never its values.
    """
    access = rectifiable_citizen(actor, citizen.pk)
    if access is None:
        raise PermissionDenied(_("Du kan ikke rette denne borgers oplysninger."))
    _citizen, organisation_id = access
    reason = reason.strip()
    if not reason:
        raise RightsRefused(_("Skriv hvorfor oplysningen rettes."), field="reason")
    if len(reason) > 2000:
        raise RightsRefused(_("Begrundelsen kan højst være 2000 tegn."), field="reason")
    if version is not None and version != citizen.version:
        raise RightsRefused(_stale_message())
    values = _rectified_values(citizen, field, new_value)
    old_cpr = citizen.cpr_encrypted
    if field == RectifiableField.CPR:
        unchanged = values["cpr_lookup"] == citizen.cpr_lookup
    else:
        unchanged = getattr(citizen, field) == values[field]
    if unchanged:
        raise RightsRefused(_("Den nye værdi er den samme som den nuværende."), field="new_value")
    now = timezone.now()
    with transaction.atomic():
        updated = (
            Citizen.objects.filter(pk=citizen.pk, version=citizen.version)
            .scoped()
            .update(**values, version=F("version") + 1)
        )
        if updated != 1:
            raise RightsRefused(_stale_message())
        is_cpr = field == RectifiableField.CPR
        rectification = CitizenRectification.objects.create(
            citizen=citizen,
            field=field,
            old_value="" if is_cpr else _shown(field, getattr(citizen, field)),
            new_value="" if is_cpr else _shown(field, values[field]),
            old_value_encrypted=old_cpr if is_cpr else None,
            new_value_encrypted=values["cpr_encrypted"] if is_cpr else None,
            reason=reason,
            rectified_by=actor,
            rectified_by_organisation_id=organisation_id,
            rectified_at=now,
        )
        if is_cpr and values["birth_date"] != citizen.birth_date:
            CitizenRectification.objects.create(
                citizen=citizen,
                field=RectifiableField.BIRTH_DATE,
                old_value=_shown(RectifiableField.BIRTH_DATE, citizen.birth_date),
                new_value=_shown(RectifiableField.BIRTH_DATE, values["birth_date"]),
                reason=_("Følger af det rettede CPR-nummer."),
                rectified_by=actor,
                rectified_by_organisation_id=organisation_id,
                rectified_at=now,
            )
        for name, value in values.items():
            setattr(citizen, name, value)
        citizen.version += 1
        tasks, notified = _notify_recipients(
            actor=actor, citizen=citizen, field=field, rectification=rectification, request=request
        )
        audit_record(
            action=actions.CITIZEN_RECTIFIED,
            actor=actor,
            request=request,
            target=citizen,
            citizen_id=citizen.pk,
            cooperation_id=citizen.cooperation_id,
            organisation_id=organisation_id,
            detail={
                "field": field,
                "rectification": rectification.pk,
                "notified_organisations": sorted(notified),
                "tasks": [task.pk for task in tasks],
            },
        )
    return rectification


def _notify_recipients(
    *,
    actor: Any,
    citizen: Citizen,
    field: str,
    rectification: CitizenRectification,
    request: HttpRequest | None,
) -> tuple[list[Task], set[int]]:
    recipients = citizen_recipient_organisations(citizen)
    if not recipients:
        return [], set()
    label = str(dict(RectifiableField.choices).get(field, field))
    due = timezone.localdate() + timedelta(days=RECTIFICATION_TASK_DAYS)
    tasks: list[Task] = []
    for organisation, case in recipients:
        task = Task.objects.create(
            case=case,
            title=_("Borgerens oplysninger er berigtiget (%(field)s): ret jeres egne kopier")
            % {"field": label},
            owner_organisation=organisation,
            due_date=due,
            source=RECTIFICATION_TASK_SOURCE,
            created_by=actor,
        )
        audit_record(
            action=actions.CASE_TASK_ADDED,
            actor=actor,
            request=request,
            target=task,
            citizen_id=citizen.pk,
            cooperation_id=citizen.cooperation_id,
            detail={
                "case": case.pk,
                "owner_organisation": organisation.pk,
                "source": RECTIFICATION_TASK_SOURCE,
            },
        )
        tasks.append(task)
    organisation_ids = {organisation.pk for organisation, _case in recipients}
    rectification.notified_organisations.set(sorted(organisation_ids))
    contacts = organisation_contacts(citizen.cooperation_id, organisation_ids)
    messages = [
        rectification_message(
            user, organisation=organisation, case=case, cooperation=citizen.cooperation, field=label
        )
        for organisation, case in recipients
        for user in contacts.get(organisation.pk, [])
    ]
    audit_record(
        action=actions.RECTIFICATION_NOTIFIED,
        actor=actor,
        request=request,
        target=rectification,
        citizen_id=citizen.pk,
        cooperation_id=citizen.cooperation_id,
        detail={
            "organisations": sorted(organisation_ids),
            "emails": len(messages),
            "tasks": [t.pk for t in tasks],
        },
    )
    if messages:
        transaction.on_commit(lambda: get_connection().send_messages(messages))
    return tasks, organisation_ids


def exemption_record(
    *, actor: Any, entry: JournalEntry, reason: str, legal_reference: str, request: HttpRequest | None = None
) -> AccessExemption:
    """Withhold one of the police's own journal entries from the citizen's access report.

    Only a member acting for the police organisation that wrote the entry, on a case it is involved in;
    the reason is for internal use and never shown in the report or the audit log.
    """
    if not may_exempt(actor, entry):
        raise PermissionDenied(_("Kun politiet kan undtage sine egne notater fra borgerens indsigt."))
    reason, legal_reference = reason.strip(), " ".join(legal_reference.split())
    if not reason:
        raise RightsRefused(
            _("Skriv hvorfor indsigt i notatet vil skade en politimæssig sag."), field="reason"
        )
    if not legal_reference:
        raise RightsRefused(
            _("Angiv hjemlen for undtagelsen, fx databeskyttelsesloven § 22."), field="legal_reference"
        )
    if len(reason) > 2000 or len(legal_reference) > 200:
        raise RightsRefused(
            _("Teksten er for lang."), field="reason" if len(reason) > 2000 else "legal_reference"
        )
    if active_exemption_of(entry) is not None:
        raise RightsRefused(_("Notatet er allerede undtaget fra borgerens indsigt."))
    with transaction.atomic():
        exemption = AccessExemption.objects.create(
            subject_type=ExemptionSubject.JOURNAL_ENTRY,
            subject_id=str(entry.pk),
            case=entry.case,
            organisation=entry.organisation,
            reason=reason,
            legal_reference=legal_reference,
            recorded_by=actor,
        )
        audit_record(
            action=actions.ACCESS_EXEMPTION_RECORDED,
            actor=actor,
            request=request,
            target=exemption,
            citizen_id=entry.case.citizen_id,
            cooperation_id=entry.case.cooperation_id,
            organisation_id=entry.organisation_id,
            detail={"entry": entry.pk, "case": entry.case_id, "legal_reference": legal_reference},
        )
    return exemption


def exemption_lift(
    *, actor: Any, entry: JournalEntry, request: HttpRequest | None = None
) -> AccessExemption:
    """End the exemption of the entry: the next access report includes it again."""
    if not may_exempt(actor, entry):
        raise PermissionDenied(_("Kun politiet kan ophæve undtagelser for sine egne notater."))
    exemption = active_exemption_of(entry)
    if exemption is None:
        raise RightsRefused(_("Notatet er ikke undtaget fra borgerens indsigt."))
    with transaction.atomic():
        exemption.lifted_at = timezone.now()
        exemption.lifted_by = actor
        exemption.save(update_fields=["lifted_at", "lifted_by"])
        audit_record(
            action=actions.ACCESS_EXEMPTION_LIFTED,
            actor=actor,
            request=request,
            target=exemption,
            citizen_id=entry.case.citizen_id,
            cooperation_id=entry.case.cooperation_id,
            organisation_id=entry.organisation_id,
            detail={"entry": entry.pk, "case": entry.case_id},
        )
    return exemption


def legal_hold_place(
    *, actor: Any, citizen: Citizen, case: Case | None, reason: str, request: HttpRequest | None = None
) -> LegalHold:
    """Suspend retention for the citizen (``case`` None: all their cases and consents) or one case."""
    membership = dpo_membership(actor, citizen.cooperation_id)
    if membership is None:
        raise PermissionDenied(_("Kun samarbejdets databeskyttelsesrådgiver kan sætte retligt hold."))
    if case is not None and case.citizen_id != citizen.pk:
        raise RightsRefused(_("Vælg en af borgerens sager."), field="subject")
    reason = reason.strip()
    if not reason:
        raise RightsRefused(_("Skriv hvorfor sletningen skal udsættes."), field="reason")
    if len(reason) > 2000:
        raise RightsRefused(_("Begrundelsen kan højst være 2000 tegn."), field="reason")
    existing = LegalHold.objects.filter(lifted_at__isnull=True).scoped()
    if (existing.filter(case=case) if case is not None else existing.filter(citizen=citizen)).exists():
        raise RightsRefused(_("Der er allerede et retligt hold på dette."), field="subject")
    with transaction.atomic():
        hold = LegalHold.objects.create(
            cooperation_id=citizen.cooperation_id,
            case=case,
            citizen=None if case is not None else citizen,
            reason=reason,
            placed_by=actor,
            placed_by_organisation_id=membership.organisation_id,
        )
        audit_record(
            action=actions.LEGAL_HOLD_PLACED,
            actor=actor,
            request=request,
            target=hold,
            citizen_id=citizen.pk,
            cooperation_id=citizen.cooperation_id,
            detail={"case": case.pk if case is not None else None},
        )
    return hold


def legal_hold_lift(*, actor: Any, hold: LegalHold, request: HttpRequest | None = None) -> LegalHold:
    """Lift a hold: the next retention run deletes what is past its period."""
    if dpo_membership(actor, hold.cooperation_id) is None:
        raise PermissionDenied(_("Kun samarbejdets databeskyttelsesrådgiver kan ophæve retligt hold."))
    if hold.lifted_at is not None:
        raise RightsRefused(_("Det retlige hold er allerede ophævet."))
    with transaction.atomic():
        hold.lifted_at = timezone.now()
        hold.lifted_by = actor
        hold.save(update_fields=["lifted_at", "lifted_by"])
        audit_record(
            action=actions.LEGAL_HOLD_LIFTED,
            actor=actor,
            request=request,
            target=hold,
            citizen_id=hold.citizen_id if hold.citizen_id else hold.case.citizen_id if hold.case else None,
            cooperation_id=hold.cooperation_id,
            detail={"case": hold.case_id},
        )
    return hold


MAX_PERIOD = {PeriodUnit.DAYS: 3650, PeriodUnit.YEARS: 100}


def _checked_period(period: int, unit: str) -> int:
    """The period when it lies within 1 and ``MAX_PERIOD`` of the unit; RightsRefused otherwise."""
    limit = MAX_PERIOD[PeriodUnit(unit)]
    if not 1 <= period <= limit:
        raise RightsRefused(
            _("Fristen skal være mellem 1 og %(max)s %(unit)s.")
            % {"max": limit, "unit": PeriodUnit(unit).label},
            field="period",
        )
    return period


def _checked_note(note: str) -> str:
    note = " ".join(note.split())
    if len(note) > 300:
        raise RightsRefused(_("Noten kan højst være 300 tegn."), field="note")
    return note


def retention_rule_change(
    *, actor: Any, rule: RetentionRule, period: int, note: str, request: HttpRequest | None = None
) -> RetentionRule:
    """Change a rule's period and note. Rules that follow the cooperation's own settings are changed on
    the cooperation's configuration page instead."""
    if dpo_membership(actor, rule.cooperation_id) is None:
        raise PermissionDenied(_("Kun samarbejdets databeskyttelsesrådgiver kan ændre slettefrister."))
    if rule.follows_cooperation:
        raise RightsRefused(_("Denne frist følger samarbejdets opsætning og ændres dér af koordinatoren."))
    period = _checked_period(period, rule.unit)
    note = _checked_note(note)
    with transaction.atomic():
        before = rule.period
        rule.period = period
        rule.note = note
        rule.updated_at = timezone.now()
        rule.save(update_fields=["period", "note", "updated_at"])
        audit_record(
            action=actions.RETENTION_RULE_CHANGED,
            actor=actor,
            request=request,
            target=rule,
            cooperation_id=rule.cooperation_id,
            detail={"category": rule.category, "legal_basis": rule.legal_basis, "from": before, "to": period,
                    "unit": rule.unit},
        )
    return rule


def _duplicate_message(category: str, basis_name: str) -> str:
    return _(
        "Der er allerede en frist for %(category)s identificeret på hjemlen %(basis)s. "
        "Ændr den frist i stedet."
    ) % {"category": str(RetentionCategory(category).label).lower(), "basis": basis_name}


def retention_rule_add(
    *,
    actor: Any,
    cooperation: Cooperation,
    category: str,
    legal_basis: str,
    period: int,
    unit: str,
    note: str,
    request: HttpRequest | None = None,
) -> RetentionRule:
    """Add a rule for one legal basis to the cooperation's schedule, e.g. "closed cases identified on
    consent are deleted after 2 years" while the category's default rule keeps applying to the rest.

    Only the cooperation's DPO. Only for a category where a basis means something (closed cases: the
    basis the case was identified on) and a basis enabled in the cooperation on which a citizen can be
    identified; one rule per category and basis. The next retention run applies it.
    """
    if dpo_membership(actor, cooperation.pk) is None:
        raise PermissionDenied(_("Kun samarbejdets databeskyttelsesrådgiver kan tilføje slettefrister."))
    if category not in PER_BASIS_CATEGORIES:
        raise RightsRefused(
            _(
                "En frist for en bestemt hjemmel kan kun gælde lukkede sager. De andre typer oplysninger "
                "slettes efter samme frist uanset hjemmel."
            ),
            field="category",
        )
    bases = {basis.code: basis for basis in retention_rule_bases(cooperation)}
    if legal_basis not in bases:
        raise RightsRefused(
            _("Vælg en af samarbejdets hjemler, som en borger kan identificeres på."), field="legal_basis"
        )
    if unit not in PeriodUnit.values:
        raise RightsRefused(_("Vælg om fristen er i dage eller år."), field="unit")
    period = _checked_period(period, unit)
    note = _checked_note(note)
    duplicate = _duplicate_message(category, bases[legal_basis].name)
    if RetentionRule.objects.filter(cooperation=cooperation, category=category, legal_basis=legal_basis).exists():
        raise RightsRefused(duplicate, field="legal_basis")
    with transaction.atomic():
        try:
            with transaction.atomic():
                rule = RetentionRule.objects.create(
                    cooperation=cooperation,
                    category=category,
                    legal_basis=legal_basis,
                    period=period,
                    unit=unit,
                    note=note,
                )
        except IntegrityError:
            # Added by someone else since the check above (the unique constraint).
            raise RightsRefused(duplicate, field="legal_basis") from None
        audit_record(
            action=actions.RETENTION_RULE_ADDED,
            actor=actor,
            request=request,
            target=rule,
            cooperation_id=cooperation.pk,
            detail={"category": category, "legal_basis": legal_basis, "period": period, "unit": unit},
        )
    return rule


def retention_rule_remove(*, actor: Any, rule: RetentionRule, request: HttpRequest | None = None) -> None:
    """Remove a rule for one legal basis: the category's default rule applies to those records again
    from the next retention run. A category's default rule (no basis) and the rules that follow the
    cooperation's settings are part of every schedule and cannot be removed, only changed.

    Deletion receipts made under the rule keep their category and period; their link to it is cleared.
    """
    if dpo_membership(actor, rule.cooperation_id) is None:
        raise PermissionDenied(_("Kun samarbejdets databeskyttelsesrådgiver kan fjerne slettefrister."))
    if rule.follows_cooperation or not rule.legal_basis:
        raise RightsRefused(
            _(
                "Standardfristen for en type oplysninger kan ikke fjernes, kun ændres. "
                "Kun en frist for en bestemt hjemmel kan fjernes."
            )
        )
    with transaction.atomic():
        removed, _counts = RetentionRule.objects.filter(pk=rule.pk).delete()
        if not removed:
            raise RightsRefused(_("Fristen er allerede fjernet."))
        audit_record(
            action=actions.RETENTION_RULE_REMOVED,
            actor=actor,
            request=request,
            object_type=RetentionRule._meta.label_lower,
            object_id=rule.pk,
            cooperation_id=rule.cooperation_id,
            detail={"category": rule.category, "legal_basis": rule.legal_basis, "period": rule.period,
                    "unit": rule.unit},
        )
