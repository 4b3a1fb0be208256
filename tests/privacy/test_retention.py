"""Retention: each rule deletes what is past its period and nothing else, legal holds suspend it, a dry
run changes nothing, receipts hold no personal data, deleted data is gone from every table, and a second
run deletes nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.cases.models import Case, CaseState, Flag, Involvement, JournalEntry, StateChange, Task
from samspil.citizens.models import Citizen
from samspil.core.scoping import unscoped
from samspil.privacy import jobs, retention
from samspil.privacy.models import (
    AccessExemption,
    CitizenRectification,
    DeletionReceipt,
    ExemptionSubject,
    LegalHold,
    PeriodUnit,
    RetentionCategory,
    RetentionRule,
)
from samspil.privacy.retention import retention_rules_for, retention_run, years_before
from samspil.sharing.models import CitizenInforming, Consent, Disclosure, InformingReason

from ..factories import CitizenFactory, FlagFactory, TaskFactory
from ..sharing.helpers import consent_for, entry_of, psp_case, shared_disclosure
from .events import make_event

DAY = timedelta(days=1)
RECIPIENTS = Disclosure.recipients.through
TABLES: list[type[models.Model]] = [
    Case, JournalEntry, Flag, Task, Involvement, StateChange, Disclosure, RECIPIENTS, CitizenInforming,
    Consent, Citizen, CitizenRectification, AccessExemption, LegalHold, RetentionRule, DeletionReceipt,
    AuditEvent,
]


def _set(model: type[models.Model], pk: int, **fields: Any) -> None:
    with unscoped("test moves a record back in time"):
        model._default_manager.filter(pk=pk).update(**fields)


def _exists(model: type[models.Model], **lookup: Any) -> bool:
    with unscoped("test checks what is left in the database"):
        return model._default_manager.filter(**lookup).exists()


def _counts() -> dict[str, int]:
    with unscoped("test counts every table"):
        return {model._meta.label: model._default_manager.count() for model in TABLES}


def _data_counts() -> dict[str, int]:
    """Counts of the tables holding data (leaving out the rules and the audit log, which a run writes)."""
    return {k: v for k, v in _counts().items() if k not in {"audit.AuditEvent", "privacy.RetentionRule"}}


def _receipts() -> list[DeletionReceipt]:
    return list(DeletionReceipt.objects.order_by("pk"))


def _full_case(world, *, citizen: Citizen | None, ago: timedelta, closed: bool = False) -> Case:
    """A case with something in every table that hangs off it: entries, a disclosure with recipients,
    a flag, a task, a state change, an informing record and an exemption."""
    case = psp_case(world, citizen=citizen)
    entry = entry_of(case, world.police, text="Borgeren sås ved havnen (fiktivt).")
    shared_disclosure(case, entry, [world.municipality, world.region])
    FlagFactory(case=case)
    TaskFactory(case=case)
    with unscoped("test builds a case"):
        StateChange.objects.create(case=case, from_state=CaseState.ANONYMOUS, to_state=case.state)
    CitizenInforming.objects.create(case=case, is_informed=False, reason=InformingReason.NOT_REACHED,
                                    reevaluate_on="2099-01-01", recorded_by_organisation=world.municipality)
    AccessExemption.objects.create(subject_type=ExemptionSubject.JOURNAL_ENTRY, subject_id=str(entry.pk),
                                   case=case, organisation=world.police, reason="Fiktiv.",
                                   legal_reference="Dbl. § 22")
    moment = timezone.now() - ago
    if closed:
        _set(Case, case.pk, state=CaseState.CLOSED, opened_at=moment - 30 * DAY, closed_at=moment,
             identified_at=moment - 29 * DAY, identification_legal_basis="rpl-115-1-2")
    else:
        _set(Case, case.pk, opened_at=moment)
    return case


def _gone(case_id: int) -> None:
    """Nothing of the case is left in any table."""
    assert not _exists(Case, pk=case_id)
    for model in (JournalEntry, Flag, Task, Involvement, StateChange, Disclosure, CitizenInforming,
                  AccessExemption, LegalHold):
        assert not _exists(model, case_id=case_id), model
    assert not _exists(RECIPIENTS, disclosure__case_id=case_id)


def test_anonymous_discussion_past_its_30_days__is_deleted_with_everything_and_leaves_a_receipt(world):
    old = _full_case(world, citizen=None, ago=31 * DAY)
    recent = _full_case(world, citizen=None, ago=29 * DAY)
    rows_before = _counts()

    result = retention_run()

    _gone(old.pk)
    assert _exists(Case, pk=recent.pk)
    [receipt] = _receipts()
    assert (receipt.kind, receipt.category, receipt.cooperation_id, receipt.period, receipt.unit) == (
        "case", RetentionCategory.ANONYMOUS_DISCUSSION, world.cooperation.pk, 30, PeriodUnit.DAYS)
    assert receipt.rule is not None and receipt.rule.cooperation_id == world.cooperation.pk
    assert receipt.rows == {
        "cases.Case": 1, "cases.Flag": 1, "cases.Involvement": 3, "cases.JournalEntry": 1,
        "cases.StateChange": 1, "cases.Task": 1, "privacy.AccessExemption": 1, "sharing.CitizenInforming": 1,
        "sharing.Disclosure": 1, "sharing.Disclosure_recipients": 2,
    }
    assert receipt.count == 13
    assert rows_before["cases.Case"] - _counts()["cases.Case"] == 1
    with unscoped("test reads the audit log"):
        [event] = AuditEvent.objects.filter(action=actions.RETENTION_DELETED)
    assert (event.object_type, event.object_id, event.citizen_id, event.actor_id) == (
        "cases.case", str(old.pk), None, None)
    assert event.detail == {"receipt": receipt.receipt_id, "rule": receipt.rule_id,
                            "category": "anonymous_discussion", "kind": "case"}
    assert result.deleted == {"case": 1}


def test_closed_case_past_five_years__is_deleted_with_its_citizen_consents_and_rectifications(world):
    citizen = CitizenFactory(cooperation=world.cooperation, full_name="Fiktiv Borger Slet")
    old = _full_case(world, citizen=citizen, ago=5 * 366 * DAY, closed=True)
    consent = consent_for(old, world.municipality)
    CitizenRectification.objects.create(citizen=citizen, field="address", old_value="Gl. vej 1",
                                        new_value="Ny vej 2", reason="Flyttet (fiktivt).",
                                        rectified_by_organisation=world.municipality)

    retention_run()

    _gone(old.pk)
    assert not _exists(Citizen, pk=citizen.pk)
    assert not _exists(Consent, pk=consent.pk)
    assert not _exists(CitizenRectification, citizen_id=citizen.pk)
    assert [(r.kind, r.category) for r in _receipts()] == [
        ("case", "closed_case"), ("citizen", "closed_case")]
    assert _receipts()[1].rows == {
        "citizens.Citizen": 1, "privacy.CitizenRectification": 1, "sharing.Consent": 1}


def test_closed_case_within_its_period_and_open_cases__are_kept(world):
    citizen = CitizenFactory(cooperation=world.cooperation)
    kept_closed = _full_case(world, citizen=citizen, ago=4 * 365 * DAY, closed=True)
    active_old = _full_case(world, citizen=citizen, ago=10 * 365 * DAY)  # identified, never closed
    before = _data_counts()

    result = retention_run()

    assert _exists(Case, pk=kept_closed.pk) and _exists(Case, pk=active_old.pk)
    assert result.receipts == []
    assert _data_counts() == before


def test_citizen_with_another_case__is_kept_when_one_case_is_deleted(world):
    citizen = CitizenFactory(cooperation=world.cooperation)
    old = _full_case(world, citizen=citizen, ago=6 * 365 * DAY, closed=True)
    other = _full_case(world, citizen=citizen, ago=DAY, closed=True)

    retention_run()

    _gone(old.pk)
    assert _exists(Case, pk=other.pk)
    assert _exists(Citizen, pk=citizen.pk)
    assert [r.kind for r in _receipts()] == ["case"]


def test_rule_for_a_legal_basis__applies_only_to_cases_identified_on_it(world):
    retention_rules_for(world.cooperation)
    RetentionRule.objects.create(cooperation=world.cooperation, category=RetentionCategory.CLOSED_CASE,
                                 legal_basis="consent", period=2, unit=PeriodUnit.YEARS)
    on_consent = _full_case(world, citizen=CitizenFactory(cooperation=world.cooperation), ago=3 * 365 * DAY,
                            closed=True)
    _set(Case, on_consent.pk, identification_legal_basis="consent")
    on_115 = _full_case(world, citizen=CitizenFactory(cooperation=world.cooperation), ago=3 * 365 * DAY,
                        closed=True)

    retention_run()

    _gone(on_consent.pk)
    assert _exists(Case, pk=on_115.pk)
    assert {r.rule.legal_basis for r in _receipts()} == {"consent"}


def test_consent_past_its_period_after_withdrawal_or_expiry__is_deleted(world):
    citizen = CitizenFactory(cooperation=world.cooperation)
    case = _full_case(world, citizen=citizen, ago=DAY)
    now = timezone.now()
    given = now - 9 * 365 * DAY
    withdrawn = consent_for(case, world.municipality, given_at=given, withdrawn_at=now - 6 * 365 * DAY)
    expired = consent_for(case, world.municipality, given_at=given, expires_at=now - 6 * 365 * DAY)
    recent = consent_for(case, world.municipality, given_at=given, withdrawn_at=now - 4 * 365 * DAY)
    current = consent_for(case, world.municipality, given_at=given)

    retention_run()

    assert not _exists(Consent, pk=withdrawn.pk) and not _exists(Consent, pk=expired.pk)
    assert _exists(Consent, pk=recent.pk) and _exists(Consent, pk=current.pk)
    assert [(r.kind, r.category, r.count) for r in _receipts()] == [("consent", "consent", 1)] * 2


def test_citizen_never_linked_to_a_case__is_deleted_after_30_days(world):
    old = CitizenFactory(cooperation=world.cooperation, created_at=timezone.now() - 31 * DAY)
    recent = CitizenFactory(cooperation=world.cooperation, created_at=timezone.now() - 29 * DAY)

    retention_run()

    assert not _exists(Citizen, pk=old.pk)
    assert _exists(Citizen, pk=recent.pk)
    assert [(r.kind, r.category) for r in _receipts()] == [("citizen", "unlinked_citizen")]


def test_legal_hold_on_the_citizen__suspends_their_cases_consents_and_themselves(world):
    citizen = CitizenFactory(cooperation=world.cooperation)
    case = _full_case(world, citizen=citizen, ago=6 * 365 * DAY, closed=True)
    consent = consent_for(case, world.municipality, given_at=timezone.now() - 9 * 365 * DAY,
                          withdrawn_at=timezone.now() - 6 * 365 * DAY)
    hold = LegalHold.objects.create(cooperation=world.cooperation, citizen=citizen,
                                    reason="Klagesag (fiktiv).", placed_by_organisation=world.municipality)
    before = _data_counts()

    result = retention_run()

    assert _exists(Case, pk=case.pk) and _exists(Citizen, pk=citizen.pk) and _exists(Consent, pk=consent.pk)
    assert result.plan.held_count == 2 and result.receipts == []
    assert _data_counts() == before

    _set(LegalHold, hold.pk, lifted_at=timezone.now())
    retention_run()

    _gone(case.pk)
    assert not _exists(Citizen, pk=citizen.pk) and not _exists(Consent, pk=consent.pk)


def test_legal_hold_on_one_case__suspends_that_case_only(world):
    held = _full_case(world, citizen=None, ago=40 * DAY)
    other = _full_case(world, citizen=None, ago=40 * DAY)
    LegalHold.objects.create(cooperation=world.cooperation, case=held, reason="Retssag (fiktiv).",
                             placed_by_organisation=world.municipality)

    retention_run()

    assert _exists(Case, pk=held.pk)
    _gone(other.pk)


def test_dry_run__lists_counts_per_rule_and_changes_nothing(world):
    citizen = CitizenFactory(cooperation=world.cooperation)
    _full_case(world, citizen=citizen, ago=6 * 365 * DAY, closed=True)
    _full_case(world, citizen=None, ago=31 * DAY)
    CitizenFactory(cooperation=world.cooperation, created_at=timezone.now() - 31 * DAY)
    before = _counts()

    result = retention_run(dry_run=True)

    assert _counts() == before  # not even the default rules or an audit event were written
    assert RetentionRule.objects.count() == 0
    planned = {p.rule.category: len(p.ids) for p in result.plan.rules
               if p.kind and p.rule.cooperation_id == world.cooperation.pk}
    assert planned == {"anonymous_discussion": 1, "closed_case": 1, "consent": 0, "unlinked_citizen": 1}
    assert result.plan.deletion_count == 3


def test_receipts__hold_no_names_pseudonyms_cpr_or_text(world):
    citizen = CitizenFactory(cooperation=world.cooperation, full_name="Fiktiv Borger Kvittering",
                             cpr="0506781234", pseudonym="Borger Q-4242")
    case = _full_case(world, citizen=citizen, ago=6 * 365 * DAY, closed=True)
    anonymous = _full_case(world, citizen=None, ago=31 * DAY)

    retention_run()

    receipts = _receipts()
    assert sorted(r.kind for r in receipts) == ["case", "case", "citizen"]
    text = repr([{f.attname: getattr(r, f.attname) for f in DeletionReceipt._meta.fields} for r in receipts])
    for secret in ("Fiktiv Borger Kvittering", "Kvittering", case.pseudonym, anonymous.pseudonym,
                   "Borger Q-4242", "0506781234", "050678-1234", "050678", "Fiktivvej", "havnen", "Fiktiv"):
        assert secret not in text
    assert {f.name for f in DeletionReceipt._meta.fields} == {
        "id", "receipt_id", "kind", "count", "rows", "rule", "category", "period", "unit", "cooperation_id",
        "deleted_at"}


def test_second_run__deletes_nothing(world):
    _full_case(world, citizen=CitizenFactory(cooperation=world.cooperation), ago=6 * 365 * DAY, closed=True)
    _full_case(world, citizen=None, ago=31 * DAY)
    first = retention_run()
    after_first = _counts()

    second = retention_run()

    assert len(first.receipts) == 3
    assert second.receipts == [] and second.plan.deletion_count == 0
    after_second = _counts()
    assert after_second["audit.AuditEvent"] == after_first["audit.AuditEvent"] + 1  # the run's own summary
    assert {k: v for k, v in after_second.items() if k != "audit.AuditEvent"} == {
        k: v for k, v in after_first.items() if k != "audit.AuditEvent"}  # rules included: nothing new


def test_audit_events_past_their_period__are_reported_and_never_deleted(world):
    old = make_event(actor=world.users["coordinator"], occurred_at=timezone.now() - 11 * 365 * DAY)
    make_event(actor=world.users["coordinator"], occurred_at=timezone.now() - 9 * 365 * DAY)
    login = make_event(actor=world.users["coordinator"], occurred_at=timezone.now() - 11 * 365 * DAY,
                       cooperation_id=None, organisation_id=None)

    result = retention_run()

    audit_plans = [p for p in result.plan.rules if p.rule.category == RetentionCategory.AUDIT_EVENT]
    assert sorted((p.cooperation_name, p.audit_events) for p in audit_plans) == [
        ("PSP Andeby", 0), ("PSP Testrup", 1)]
    assert result.plan.audit_events_outside_cooperations == 1
    assert _exists(AuditEvent, pk=old.pk) and _exists(AuditEvent, pk=login.pk)
    with unscoped("test reads the audit log"):
        [summary] = AuditEvent.objects.filter(action=actions.RETENTION_RUN)
    assert summary.detail["audit_events_past_period"] == 2


def test_rules__follow_the_cooperation_settings_and_keep_the_dpo_s_own(world):
    rules = {r.category: r for r in retention_rules_for(world.cooperation)}
    RetentionRule.objects.filter(pk=rules["consent"].pk).update(period=7)
    world.cooperation.anonymous_discussion_retention_days = 10
    world.cooperation.closed_case_retention_years = 8
    world.cooperation.save()
    case = _full_case(world, citizen=None, ago=11 * DAY)

    retention_run()

    rules = RetentionRule.objects.filter(cooperation=world.cooperation)
    assert {r.category: (r.period, r.unit) for r in rules} == {
        "anonymous_discussion": (10, "days"), "closed_case": (8, "years"), "consent": (7, "years"),
        "unlinked_citizen": (30, "days"), "audit_event": (10, "years")}
    _gone(case.pk)


def test_stored_files__are_deleted_with_their_case_after_commit(
    world, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": str(tmp_path)}}}
    from django.core.files.storage import storages

    storages._storages.pop("default", None)
    monkeypatch.setattr(retention, "default_storage", storages["default"])
    case = _full_case(world, citizen=None, ago=31 * DAY)
    kept = _full_case(world, citizen=None, ago=DAY)
    (tmp_path / f"case-{case.pk}.pdf").write_bytes(b"%PDF fiktiv")
    (tmp_path / f"case-{kept.pk}.pdf").write_bytes(b"%PDF fiktiv")
    monkeypatch.setattr(retention, "STORED_FILE_PROVIDERS", [
        lambda record: [f"case-{record.pk}.pdf"] if isinstance(record, Case) else []])

    with django_capture_on_commit_callbacks(execute=True):
        retention_run()

    assert not (tmp_path / f"case-{case.pk}.pdf").exists()
    assert (tmp_path / f"case-{kept.pk}.pdf").exists()
    assert _receipts()[0].rows["files"] == 1


def test_command_dry_run__prints_the_plan_and_changes_nothing(world):
    _full_case(world, citizen=None, ago=31 * DAY)
    before = _counts()
    out = StringIO()

    call_command("retention", "run", "--dry-run", stdout=out)

    assert _counts() == before
    lines = out.getvalue().splitlines()
    assert "PSP Testrup · anonymous_discussion (30 days): would delete 1 case(s)" in lines
    assert lines[-1] == "Dry run: 1 record(s) would be deleted; nothing was changed."


def test_command_run__deletes_and_reports_receipts(world):
    case = _full_case(world, citizen=None, ago=31 * DAY)
    out = StringIO()

    call_command("retention", "run", "--no-progress", stdout=out)

    _gone(case.pk)
    assert out.getvalue().splitlines()[-1].startswith("Done: deleted 1 case; 0 held;")
    with unscoped("test reads the audit log"):
        assert AuditEvent.objects.get(action=actions.RETENTION_RUN).detail["trigger"] == "command"


def test_command__now_only_with_dry_run(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("retention", "run", "--now", "2040-01-01", stdout=StringIO())


def test_worker__runs_retention_daily(world):
    [job] = [job for job in jobs.JOBS if job.name == "privacy.retention"]
    case = _full_case(world, citizen=None, ago=31 * DAY)

    summary = job.run()

    assert job.interval == 24 * 3600
    assert summary.startswith("deleted 1 case;")
    _gone(case.pk)


def test_years_before__handles_29_february():
    from datetime import datetime

    assert years_before(datetime(2028, 2, 29, 12), 5) == datetime(2023, 2, 28, 12)
    assert years_before(datetime(2028, 3, 1, 12), 5) == datetime(2023, 3, 1, 12)


def test_a_record_the_database_refuses_to_delete__is_counted_and_the_run_goes_on(world, monkeypatch):
    from django.db.models import ProtectedError

    refused = _full_case(world, citizen=None, ago=31 * DAY)
    unlinked = CitizenFactory(cooperation=world.cooperation, created_at=timezone.now() - 31 * DAY)

    def protected(self, *args, **kwargs):
        raise ProtectedError("A new reference protects the case (fiktiv).", set())

    monkeypatch.setattr(Case, "delete", protected)

    result = retention_run()

    assert _exists(Case, pk=refused.pk)
    assert not _exists(Citizen, pk=unlinked.pk)
    assert (result.failed, [r.kind for r in result.receipts]) == (1, ["citizen"])
    assert result.summary().endswith("; 1 FAILED (see the log)")
    with unscoped("test reads the audit log"):
        assert AuditEvent.objects.get(action=actions.RETENTION_RUN).detail["failed"] == 1
