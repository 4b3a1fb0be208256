"""The citizen's rights and retention: exemptions from access, rectification history, retention rules,
legal holds and deletion receipts.

Exemptions, rectifications and holds hang off the case or the citizen they are about (``CASCADE``): when
retention deletes the case or the citizen, what was recorded about them goes too. A deletion receipt
holds no personal data at all (no name, pseudonym, CPR number, free text or record id), only what kind
of record was deleted, how many rows, under which rule, in which cooperation and when; it outlives the
data by design.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samspil.core.scoping import PersonalDataManager

DEFAULT_EXEMPTION_REFERENCE = "Databeskyttelsesloven § 22"


class ExemptionSubject(models.TextChoices):
    JOURNAL_ENTRY = "journal_entry", _("Journalnotat")


class AccessExemption(models.Model):
    """A record that one of the police's own entries is withheld from the citizen's access report,
    because disclosing it would harm a police matter, with the legal reference relied on.

    The access report lists "N notater tilbageholdt efter <reference>" and nothing of the content; the
    disclosures of a withheld entry and the log lines about it are left out too. Lifting (when the
    matter no longer needs it) keeps the row as history.
    """

    subject_type = models.CharField(_("hvad"), max_length=20, choices=ExemptionSubject.choices)
    subject_id = models.CharField(max_length=64)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="access_exemptions")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("begrundelse"), max_length=2000)
    legal_reference = models.CharField(_("hjemmel for undtagelsen"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PersonalDataManager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                condition=Q(lifted_at__isnull=True),
                name="access_exemption_unique_active",
            ),
            models.CheckConstraint(
                condition=~Q(legal_reference=""), name="access_exemption_reference_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Undtagelse')} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class RectifiableField(models.TextChoices):
    FULL_NAME = "full_name", _("Navn")
    CPR = "cpr", _("CPR-nummer")
    BIRTH_DATE = "birth_date", _("Fødselsdato")
    SEX = "sex", _("Køn")
    ADDRESS = "address", _("Adresse")
    PHONE = "phone", _("Telefon")


class CitizenRectification(models.Model):
    """One correction of a citizen's data (GDPR Art. 16) with the old value's provenance: what it was,
    what it became, why, by whom and when. A CPR number is kept only encrypted (``*_encrypted``, the
    same AES-GCM as the citizen's own), never as text."""

    citizen = models.ForeignKey("citizens.Citizen", on_delete=models.CASCADE, related_name="rectifications")
    field = models.CharField(_("oplysning"), max_length=20, choices=RectifiableField.choices)
    old_value = models.CharField(_("tidligere værdi"), max_length=300, blank=True)
    new_value = models.CharField(_("ny værdi"), max_length=300, blank=True)
    old_value_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    new_value_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    reason = models.TextField(_("begrundelse"), max_length=2000)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rectified_by_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    rectified_at = models.DateTimeField(default=timezone.now)
    notified_organisations = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="+", verbose_name=_("underrettede modtagere")
    )

    objects = PersonalDataManager()

    class Meta:
        ordering = ["-rectified_at", "-pk"]

    def __str__(self) -> str:
        return f"{_('Berigtigelse')} #{self.pk}"


class RetentionCategory(models.TextChoices):
    ANONYMOUS_DISCUSSION = "anonymous_discussion", _("Anonyme drøftelser, der ikke blev identificeret")
    CLOSED_CASE = "closed_case", _("Lukkede sager")
    CONSENT = "consent", _("Samtykker efter tilbagekaldelse eller udløb")
    UNLINKED_CITIZEN = "unlinked_citizen", _("Borgere, der aldrig blev knyttet til en sag")
    AUDIT_EVENT = "audit_event", _("Hændelser i revisionsloggen (rapporteres, slettes ikke)")


class PeriodUnit(models.TextChoices):
    DAYS = "days", _("dage")
    YEARS = "years", _("år")


class RetentionRule(models.Model):
    """How long one category of data is kept in one cooperation, optionally for one legal basis.

    For closed cases a rule with ``legal_basis`` (a rule-set code such as ``consent``) applies to cases
    identified on that basis; the rule without one applies to the rest. Rules marked
    ``follows_cooperation`` mirror the cooperation's own settings (anonymous discussions, closed cases)
    and are changed on the cooperation's configuration page; the retention run brings them up to date.
    """

    cooperation = models.ForeignKey(
        "organisations.Cooperation", on_delete=models.CASCADE, related_name="retention_rules"
    )
    category = models.CharField(_("type af oplysninger"), max_length=24, choices=RetentionCategory.choices)
    legal_basis = models.CharField(_("hjemmel"), max_length=40, blank=True)
    period = models.PositiveIntegerField(
        _("slettes efter"), validators=[MinValueValidator(1), MaxValueValidator(36500)]
    )
    unit = models.CharField(_("enhed"), max_length=8, choices=PeriodUnit.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    follows_cooperation = models.BooleanField(default=False, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cooperation_id", "category", "legal_basis"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "category", "legal_basis"], name="retention_rule_unique"
            ),
            models.CheckConstraint(condition=Q(period__gte=1), name="retention_rule_period_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.period} {self.get_unit_display()}"

    @property
    def period_text(self) -> str:
        return f"{self.period} {self.get_unit_display()}"

    @property
    def deletes(self) -> bool:
        """False for audit events: the job only reports those (see docs/retention.md)."""
        return self.category != RetentionCategory.AUDIT_EVENT


class LegalHold(models.Model):
    """Suspends retention for one case or one citizen (and so all of the citizen's cases and consents)
    while it is in force, e.g. during a complaint, a court case or a request from the Ombudsman."""

    cooperation = models.ForeignKey("organisations.Cooperation", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="legal_holds"
    )
    citizen = models.ForeignKey(
        "citizens.Citizen", null=True, blank=True, on_delete=models.CASCADE, related_name="legal_holds"
    )
    reason = models.TextField(_("begrundelse"), max_length=2000)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    placed_by_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PersonalDataManager()

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(case__isnull=False) & Q(citizen__isnull=True))
                | (Q(case__isnull=True) & Q(citizen__isnull=False)),
                name="legal_hold_one_subject",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="legal_hold_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{_('Retligt hold')} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class DeletedKind(models.TextChoices):
    CASE = "case", _("Sag")
    CITIZEN = "citizen", _("Borger")
    CONSENT = "consent", _("Samtykke")


def new_receipt_id() -> str:
    return secrets.token_hex(16)


class DeletionReceipt(models.Model):
    """Proof that retention deleted one record, with no personal data: the kind of record, how many
    database rows went with it (``count``, and ``rows`` per table), the rule and its period at the time,
    the cooperation and when.
    ``receipt_id`` is random and is what the audit event of the deletion names."""

    receipt_id = models.CharField(max_length=32, unique=True, default=new_receipt_id, editable=False)
    kind = models.CharField(_("art"), max_length=10, choices=DeletedKind.choices)
    count = models.PositiveIntegerField(_("slettede rækker"))
    rows = models.JSONField(default=dict)
    rule = models.ForeignKey(RetentionRule, null=True, on_delete=models.SET_NULL, related_name="receipts")
    category = models.CharField(_("slettefrist"), max_length=24, choices=RetentionCategory.choices)
    period = models.PositiveIntegerField()
    unit = models.CharField(max_length=8, choices=PeriodUnit.choices)
    cooperation_id = models.BigIntegerField(db_index=True)
    deleted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-deleted_at", "-pk"]

    def __str__(self) -> str:
        return self.receipt_id

    @property
    def period_text(self) -> str:
        return f"{self.period} {self.get_unit_display()}"
