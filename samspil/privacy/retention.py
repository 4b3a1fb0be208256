"""Retention: delete what is past its period, per cooperation, data category and legal basis.

The schedule is ``RetentionRule`` rows, created per cooperation from the defaults below the first time
they are needed (docs/retention.md documents them). ``retention_run`` plans (what each rule would
delete, counts only) and then deletes record by record, each in its own transaction:

- a case with everything that hangs off it (journal entries, flags, tasks, involvements, state changes,
  disclosures, informing records, exemptions, meeting items; the database cascades), then its citizen
  when no other case of the citizen remains (with consents and rectifications);
- a consent; a citizen who was never linked to a case;
- stored files through the hook ``register_stored_files`` (no app stores files about cases or citizens
  yet), removed once the deletion has committed.

A legal hold in force on a case or a citizen suspends all of it. Each deletion leaves a
``DeletionReceipt`` without personal data and an audit event RETENTION_DELETED naming the receipt.
Audit events are never deleted here: the log is append-only (database triggers) and sealed in a hash
chain, so the run only reports how many are past their period; archiving them is an operator procedure
(docs/retention.md). A dry run plans and reports and changes nothing, not even the rules.

All reads here are system work over every cooperation: they run inside ``unscoped("retention")``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    ProtectedError,
    Q,
    QuerySet,
    RestrictedError,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.audit.services import audit_record
from samspil.cases.models import Case, CaseState
from samspil.citizens.models import Citizen
from samspil.core.scoping import unscoped
from samspil.organisations.models import Cooperation
from samspil.sharing.models import Consent

from .models import DeletedKind, DeletionReceipt, LegalHold, PeriodUnit, RetentionCategory, RetentionRule

logger = logging.getLogger("samspil.retention")

SCOPE_REASON = "retention: the retention rules are the scope of these system reads and deletions"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def default_rules(cooperation: Cooperation) -> list[RetentionRule]:
    """The default schedule of one cooperation, unsaved (docs/retention.md explains each). The notes are
    stored in the language active when the rules are created (Danish, the default)."""

    def rule(category: str, period: int, unit: str, note: str, follows: bool = False) -> RetentionRule:
        return RetentionRule(
            cooperation=cooperation, category=category, legal_basis="", period=period, unit=unit, note=note,
            follows_cooperation=follows,
        )

    return [
        rule(
            RetentionCategory.ANONYMOUS_DISCUSSION,
            cooperation.anonymous_discussion_retention_days,
            PeriodUnit.DAYS,
            _("Ikke identificeret inden fristen; fristen sættes i samarbejdets opsætning."),
            follows=True,
        ),
        rule(
            RetentionCategory.CLOSED_CASE,
            cooperation.closed_case_retention_years,
            PeriodUnit.YEARS,
            _("KLE: 5 år efter sagens afslutning; fristen sættes i samarbejdets opsætning."),
            follows=True,
        ),
        rule(
            RetentionCategory.CONSENT,
            _setting("SAMSPIL_RETENTION_CONSENT_YEARS", 5),
            PeriodUnit.YEARS,
            _("Regnet fra tilbagekaldelse eller udløb."),
        ),
        rule(
            RetentionCategory.UNLINKED_CITIZEN,
            _setting("SAMSPIL_RETENTION_UNLINKED_CITIZEN_DAYS", 30),
            PeriodUnit.DAYS,
            _("Registreret, men aldrig knyttet til en sag."),
        ),
        rule(
            RetentionCategory.AUDIT_EVENT,
            _setting("SAMSPIL_RETENTION_AUDIT_YEARS", 10),
            PeriodUnit.YEARS,
            _("Rapporteres kun; arkiveres af driften (docs/retention.md)."),
        ),
    ]


_CATEGORY_ORDER = {code: i for i, code in enumerate(RetentionCategory.values)}

# The categories whose rules may name a legal basis. Only a closed case has one to go by (the basis it was
# identified on, see ``_candidates``); the other categories are kept for the same period whatever the basis.
PER_BASIS_CATEGORIES = frozenset({RetentionCategory.CLOSED_CASE})


def retention_rules_for(cooperation: Cooperation, *, persist: bool = True) -> list[RetentionRule]:
    """The cooperation's rules: the saved ones, with missing defaults added and the rules that follow
    the cooperation's settings brought up to date (saved only when ``persist``)."""
    existing = {(r.category, r.legal_basis): r for r in RetentionRule.objects.filter(cooperation=cooperation)}
    for default in default_rules(cooperation):
        key = (default.category, default.legal_basis)
        rule = existing.get(key)
        if rule is None:
            if persist:
                default.save()
            existing[key] = default
        elif rule.follows_cooperation and (rule.period, rule.unit) != (default.period, default.unit):
            rule.period, rule.unit = default.period, default.unit
            if persist:
                rule.updated_at = timezone.now()
                rule.save(update_fields=["period", "unit", "updated_at"])
    return sorted(existing.values(), key=lambda r: (_CATEGORY_ORDER.get(r.category, 99), r.legal_basis))


def years_before(moment: datetime, years: int) -> datetime:
    """The same calendar moment ``years`` earlier (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def cutoff_of(rule: RetentionRule, now: datetime) -> datetime:
    if rule.unit == PeriodUnit.DAYS:
        return now - timedelta(days=rule.period)
    return years_before(now, rule.period)


# --- Stored files -------------------------------------------------------------------------------------------

StoredFilesProvider = Callable[[models.Model], Iterable[str]]
STORED_FILE_PROVIDERS: list[StoredFilesProvider] = []


def register_stored_files(provider: StoredFilesProvider) -> None:
    """Register a function that names the stored files (storage names in ``default_storage``) belonging
    to a case or a citizen; retention deletes them with the record. Call from ``AppConfig.ready()``."""
    if provider not in STORED_FILE_PROVIDERS:
        STORED_FILE_PROVIDERS.append(provider)


def stored_files_of(record: models.Model) -> list[str]:
    return sorted({name for provider in STORED_FILE_PROVIDERS for name in provider(record)})


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            # The record is gone; a file that cannot be removed is logged for the operator (name only).
            logger.exception("Retention could not delete the stored file %s", name)


# --- Candidates ---------------------------------------------------------------------------------------------


def _held_case() -> Q:
    """A hold on the case, or on its citizen."""
    active = LegalHold.objects.filter(lifted_at__isnull=True)
    return Q(Exists(active.filter(case_id=OuterRef("pk")))) | Q(
        Exists(active.filter(citizen_id=OuterRef("citizen_id")))
    )


def _held_citizen(citizen_ref: str) -> Q:
    """A hold on the citizen, or on any of the citizen's cases."""
    active = LegalHold.objects.filter(lifted_at__isnull=True)
    return Q(Exists(active.filter(citizen_id=OuterRef(citizen_ref)))) | Q(
        Exists(active.filter(case__citizen_id=OuterRef(citizen_ref)))
    )


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _candidates(rule: RetentionRule, cutoff: datetime, specific_bases: list[str]) -> QuerySet[Any] | None:
    """What the rule deletes, annotated ``is_held``; None for audit events (reported, not deleted)."""
    cooperation_id = rule.cooperation_id
    never_identified = Q(citizen__isnull=True, identified_at__isnull=True)
    if rule.category == RetentionCategory.ANONYMOUS_DISCUSSION:
        return Case.objects.filter(
            never_identified,
            cooperation_id=cooperation_id,
            state__in=[CaseState.ANONYMOUS, CaseState.CLOSED],
            opened_at__lt=cutoff,
        ).annotate(is_held=_flag(_held_case()))
    if rule.category == RetentionCategory.CLOSED_CASE:
        cases = Case.objects.filter(
            cooperation_id=cooperation_id, state=CaseState.CLOSED, closed_at__lt=cutoff
        )
        cases = cases.exclude(never_identified)
        if rule.legal_basis:
            cases = cases.filter(identification_legal_basis=rule.legal_basis)
        elif specific_bases:
            cases = cases.exclude(identification_legal_basis__in=specific_bases)
        return cases.annotate(is_held=_flag(_held_case()))
    if rule.category == RetentionCategory.CONSENT:
        return Consent.objects.filter(
            Q(withdrawn_at__lt=cutoff) | Q(expires_at__lt=cutoff), cooperation_id=cooperation_id
        ).annotate(is_held=_flag(_held_citizen("citizen_id")))
    if rule.category == RetentionCategory.UNLINKED_CITIZEN:
        return Citizen.objects.filter(
            ~Exists(Case.objects.filter(citizen_id=OuterRef("pk"))),
            cooperation_id=cooperation_id,
            created_at__lt=cutoff,
        ).annotate(is_held=_flag(_held_citizen("pk")))
    return None


_KIND = {
    RetentionCategory.ANONYMOUS_DISCUSSION: DeletedKind.CASE,
    RetentionCategory.CLOSED_CASE: DeletedKind.CASE,
    RetentionCategory.CONSENT: DeletedKind.CONSENT,
    RetentionCategory.UNLINKED_CITIZEN: DeletedKind.CITIZEN,
}


# --- Plan ---------------------------------------------------------------------------------------------------


@dataclass
class RulePlan:
    """What one rule of one cooperation deletes (ids) or, for audit events, reports (a count)."""

    rule: RetentionRule
    cooperation_name: str
    cutoff: datetime
    specific_bases: list[str]
    ids: list[int] = field(default_factory=list)
    held: int = 0
    audit_events: int = 0

    @property
    def kind(self) -> str:
        return _KIND.get(RetentionCategory(self.rule.category), "")

    @property
    def label(self) -> str:
        basis = f" [{self.rule.legal_basis}]" if self.rule.legal_basis else ""
        return f"{self.cooperation_name} · {self.rule.category}{basis} ({self.rule.period} {self.rule.unit})"


@dataclass
class RetentionPlan:
    now: datetime
    rules: list[RulePlan]
    audit_events_outside_cooperations: int = 0

    @property
    def deletion_count(self) -> int:
        return sum(len(p.ids) for p in self.rules)

    @property
    def held_count(self) -> int:
        return sum(p.held for p in self.rules)

    @property
    def audit_events_past_period(self) -> int:
        return sum(p.audit_events for p in self.rules) + self.audit_events_outside_cooperations


def retention_plan(*, now: datetime | None = None, persist_rules: bool = True) -> RetentionPlan:
    """What every rule of every cooperation would delete at ``now`` (default: the present)."""
    now = now or timezone.now()
    plans: list[RulePlan] = []
    with unscoped(SCOPE_REASON):
        for cooperation in Cooperation.objects.order_by("pk"):
            rules = retention_rules_for(cooperation, persist=persist_rules)
            specific = sorted(
                r.legal_basis for r in rules if r.category == RetentionCategory.CLOSED_CASE and r.legal_basis
            )
            for rule in rules:
                cutoff = cutoff_of(rule, now)
                plan = RulePlan(rule, cooperation.name, cutoff, specific)
                candidates = _candidates(rule, cutoff, specific)
                if candidates is None:
                    plan.audit_events = AuditEvent.objects.filter(
                        cooperation_id=cooperation.pk, occurred_at__lt=cutoff
                    ).count()
                else:
                    for pk, is_held in candidates.order_by("pk").values_list("pk", "is_held"):
                        if is_held:
                            plan.held += 1
                        else:
                            plan.ids.append(pk)
                plans.append(plan)
        outside = AuditEvent.objects.filter(
            cooperation_id__isnull=True,
            occurred_at__lt=years_before(now, _setting("SAMSPIL_RETENTION_AUDIT_YEARS", 10)),
        ).count()
    return RetentionPlan(now=now, rules=plans, audit_events_outside_cooperations=outside)


# --- Deletion -----------------------------------------------------------------------------------------------


@dataclass
class RetentionResult:
    plan: RetentionPlan
    dry_run: bool
    receipts: list[DeletionReceipt] = field(default_factory=list)
    failed: int = 0

    @property
    def deleted(self) -> Counter[str]:
        return Counter(receipt.kind for receipt in self.receipts)

    def summary(self) -> str:
        if self.dry_run:
            return (
                f"dry run: would delete {self.plan.deletion_count} record(s); {self.plan.held_count} held; "
                f"{self.plan.audit_events_past_period} audit event(s) past their period (reported only)"
            )
        deleted = ", ".join(f"{n} {kind}" for kind, n in sorted(self.deleted.items())) or "nothing"
        failed = f"; {self.failed} FAILED (see the log)" if self.failed else ""
        return (
            f"deleted {deleted}; {self.plan.held_count} held; "
            f"{self.plan.audit_events_past_period} audit event(s) past their period (reported only){failed}"
        )


def _rows(counts: dict[str, int], files: list[str]) -> dict[str, int]:
    rows = {label: n for label, n in sorted(counts.items()) if n}
    if files:
        rows["files"] = len(files)
    return rows


def _receipt(
    *, plan: RulePlan, kind: str, deleted: tuple[int, dict[str, int]], files: list[str], object_type: str,
    object_id: int, citizen_id: int | None,
) -> DeletionReceipt:
    """The receipt and the audit event of one deletion (inside the deletion's transaction)."""
    rule = plan.rule
    receipt = DeletionReceipt.objects.create(
        kind=kind,
        count=deleted[0],
        rows=_rows(deleted[1], files),
        rule=rule if rule.pk else None,
        category=rule.category,
        period=rule.period,
        unit=rule.unit,
        cooperation_id=rule.cooperation_id,
    )
    audit_record(
        action=actions.RETENTION_DELETED,
        object_type=object_type,
        object_id=object_id,
        citizen_id=citizen_id,
        cooperation_id=rule.cooperation_id,
        purpose="retention",
        detail={"receipt": receipt.receipt_id, "rule": rule.pk, "category": rule.category, "kind": kind},
    )
    if files:
        transaction.on_commit(lambda: _delete_files(files))
    return receipt


def _delete_citizen_if_unused(plan: RulePlan, citizen_id: int) -> DeletionReceipt | None:
    """Delete the citizen when no case of theirs remains and nothing holds them (inside a transaction)."""
    citizen = (
        Citizen.objects.filter(pk=citizen_id)
        .exclude(Exists(Case.objects.filter(citizen_id=OuterRef("pk"))))
        .exclude(_held_citizen("pk"))
        .select_for_update(of=("self",))
        .first()
    )
    if citizen is None:
        return None
    files = stored_files_of(citizen)
    deleted = citizen.delete()
    return _receipt(
        plan=plan, kind=DeletedKind.CITIZEN, deleted=deleted, files=files, object_type="citizens.citizen",
        object_id=citizen_id, citizen_id=citizen_id,
    )


def _delete_one(plan: RulePlan, pk: int) -> list[DeletionReceipt]:
    """Delete one planned record if it still qualifies (re-checked under a row lock), in one transaction."""
    candidates = _candidates(plan.rule, plan.cutoff, plan.specific_bases)
    assert candidates is not None
    with transaction.atomic():
        record = candidates.filter(pk=pk, is_held=False).select_for_update(of=("self",)).first()
        if record is None:
            return []  # gone meanwhile (deleted with its citizen, another worker) or no longer due
        files = stored_files_of(record)
        if isinstance(record, Case):
            citizen_id = record.citizen_id
            receipts = [
                _receipt(
                    plan=plan, kind=DeletedKind.CASE, deleted=record.delete(), files=files,
                    object_type="cases.case", object_id=pk, citizen_id=citizen_id,
                )
            ]
            if citizen_id is not None:
                citizen_receipt = _delete_citizen_if_unused(plan, citizen_id)
                if citizen_receipt is not None:
                    receipts.append(citizen_receipt)
            return receipts
        if isinstance(record, Consent):
            return [
                _receipt(
                    plan=plan, kind=DeletedKind.CONSENT, deleted=record.delete(), files=files,
                    object_type="sharing.consent", object_id=pk, citizen_id=record.citizen_id,
                )
            ]
        return [
            _receipt(
                plan=plan, kind=DeletedKind.CITIZEN, deleted=record.delete(), files=files,
                object_type="citizens.citizen", object_id=pk, citizen_id=pk,
            )
        ]


def retention_execute(
    plan: RetentionPlan, *, progress: Callable[[int], object] | None = None, trigger: str = "job"
) -> RetentionResult:
    """Delete what ``plan`` lists, record by record; then one audit event summing up the run.

    A record the database refuses to delete (a new protected reference) is logged by kind and id and
    counted as failed; the run goes on with the rest, and the next run tries it again.
    """
    result = RetentionResult(plan=plan, dry_run=False)
    with unscoped(SCOPE_REASON):
        for rule_plan in plan.rules:
            for pk in rule_plan.ids:
                try:
                    result.receipts.extend(_delete_one(rule_plan, pk))
                except (ProtectedError, RestrictedError, IntegrityError):
                    result.failed += 1
                    logger.exception(
                        "Retention could not delete %s %s (rule %s)", rule_plan.kind, pk, rule_plan.rule.pk
                    )
                if progress is not None:
                    progress(1)
        with transaction.atomic():
            audit_record(
                action=actions.RETENTION_RUN,
                purpose="retention",
                detail={
                    "trigger": trigger,
                    "deleted": dict(sorted(result.deleted.items())),
                    "receipts": len(result.receipts),
                    "failed": result.failed,
                    "held": plan.held_count,
                    "audit_events_past_period": plan.audit_events_past_period,
                },
            )
    return result


def retention_run(
    *, now: datetime | None = None, dry_run: bool = False, progress: Callable[[int], object] | None = None,
    trigger: str = "job",
) -> RetentionResult:
    """Plan and (unless ``dry_run``) delete. A dry run writes nothing at all."""
    plan = retention_plan(now=now, persist_rules=not dry_run)
    if dry_run:
        return RetentionResult(plan=plan, dry_run=True)
    return retention_execute(plan, progress=progress, trigger=trigger)


def retention_job() -> str:
    """The worker's daily run (samspil.privacy.jobs)."""
    return retention_run(trigger="worker").summary()
