"""Information sharing on a legal basis: the rule set, consent, disclosures and informing the citizen.

The rule set (``LegalBasis`` and ``Restriction``) is configuration, loaded from
``sharing/data/legal_bases.json`` by a data migration; the engine in ``rules.py`` reads it and never
knows the law itself. Consent, disclosures and informing records hold personal data and use the
scoping guard's manager.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samspil.core.scoping import PersonalDataManager
from samspil.organisations.models import CooperationType, Sector


def citation_text(law: str, paragraph: str, stk: str, nr: str) -> str:
    """'Retsplejeloven § 115, stk. 1, nr. 2' from its parts (parts left empty are left out)."""
    text = " ".join(part for part in (law, paragraph) if part)
    if stk:
        text += f", stk. {stk}"
    if nr:
        text += f", nr. {nr}"
    return text


class LegalBasis(models.Model):
    """One rule of the rule set: a legal basis with its citation and where it applies.

    ``directions`` is a list of ``{"from": sector, "to": sector}`` pairs ("*" = any sector), each
    optionally limited to some ``cooperation_types`` and marked ``to_be_confirmed``. Shipped rules
    come from the data file (``is_shipped``); the operator may add rules or deactivate one.
    """

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("kort navn"), max_length=120)
    title = models.CharField(_("titel"), max_length=200)
    law = models.CharField(_("lov"), max_length=120, blank=True)
    paragraph = models.CharField(_("paragraf"), max_length=120, blank=True)
    stk = models.CharField(_("stk."), max_length=10, blank=True)
    nr = models.CharField(_("nr."), max_length=10, blank=True)
    summary = models.TextField(_("kort forklaring"), max_length=2000)
    cooperation_types = models.JSONField(_("samarbejdstyper"), default=list)
    directions = models.JSONField(_("retninger (fra sektor til sektor)"), default=list)
    requires_consent = models.BooleanField(_("kræver samtykke"), default=False)
    within_cooperation_only = models.BooleanField(_("kun inden for samarbejdet"), default=True)
    restrictions = models.JSONField(_("begrænsninger"), default=list)
    can_identify = models.BooleanField(_("kan bruges til at identificere en borger"), default=False)
    is_active = models.BooleanField(_("i brug"), default=True)
    counsel_note = models.TextField(_("note om juridisk bekræftelse"), blank=True, max_length=2000)
    is_shipped = models.BooleanField(default=False, editable=False)
    sort_order = models.PositiveSmallIntegerField(default=100)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("hjemmel")
        verbose_name_plural = _("hjemler")

    def __str__(self) -> str:
        return self.name

    @property
    def citation(self) -> str:
        return citation_text(self.law, self.paragraph, self.stk, self.nr)

    @property
    def cooperation_type_labels(self) -> list[str]:
        labels = dict(CooperationType.choices)
        return [str(labels.get(code, code)) for code in self.cooperation_types if isinstance(code, str)]

    @property
    def direction_rows(self) -> list[dict[str, Any]]:
        """The directions with sector names, for display (malformed entries are shown as they are)."""
        sectors: dict[Any, Any] = {**dict(Sector.choices), "*": _("Alle sektorer")}
        types: dict[Any, Any] = dict(CooperationType.choices)
        rows = []
        for direction in self.directions if isinstance(self.directions, list) else []:
            if not isinstance(direction, dict):
                continue
            rows.append(
                {
                    "from": str(sectors.get(direction.get("from"), direction.get("from"))),
                    "to": str(sectors.get(direction.get("to"), direction.get("to"))),
                    "cooperation_types": [
                        str(types.get(t, t)).split(" (")[0] for t in direction.get("cooperation_types") or []
                    ],
                    "to_be_confirmed": bool(direction.get("to_be_confirmed")),
                }
            )
        return rows

    @property
    def restriction_labels(self) -> list[str]:
        labels = dict(RestrictionCode.choices)
        return [str(labels.get(code, code)) for code in self.restrictions if isinstance(code, str)]


class RestrictionCode(models.TextChoices):
    """Restrictions the code enforces (forwarding refused, investigative roles blocked)."""

    NO_ONWARD_DISCLOSURE = "no_onward_disclosure", _("Må ikke videregives")
    NO_CRIMINAL_INVESTIGATION = "no_criminal_investigation", _("Må ikke bruges til efterforskning")


class Restriction(models.Model):
    """The wording of a restriction: its citation and the confidentiality marking on export and print."""

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    title = models.CharField(_("titel"), max_length=200)
    law = models.CharField(_("lov"), max_length=120, blank=True)
    paragraph = models.CharField(_("paragraf"), max_length=120, blank=True)
    stk = models.CharField(_("stk."), max_length=10, blank=True)
    nr = models.CharField(_("nr."), max_length=10, blank=True)
    summary = models.TextField(_("kort forklaring"), max_length=2000)
    marking = models.TextField(_("fortrolighedsmærkning"), max_length=2000)
    counsel_note = models.TextField(_("note om juridisk bekræftelse"), blank=True, max_length=2000)
    is_shipped = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title

    @property
    def citation(self) -> str:
        return citation_text(self.law, self.paragraph, self.stk, self.nr)


class DataCategory(models.TextChoices):
    HEALTH = "health", _("Helbredsoplysninger")
    CRIMINAL_OFFENCE = "criminal", _("Strafbare forhold")
    SOCIAL = "social", _("Sociale forhold")
    OTHER = "other", _("Andre oplysninger")


class Purpose(models.TextChoices):
    COORDINATION = "coordination", _("Koordinering af indsatsen over for borgeren i samarbejdet")
    CRIME_PREVENTION = "crime_prevention", _("Kriminalitetsforebyggelse")
    DISCHARGE_COORDINATION = "discharge", _("Udskrivningskoordination")
    IDENTIFICATION = "identification", _("Identifikation af borgeren i en anonym drøftelse")


class ConsentForm(models.TextChoices):
    WRITTEN = "written", _("Skriftligt")
    ORAL = "oral", _("Mundtligt")


class Consent(models.Model):
    """A citizen's consent to sharing in one cooperation, within a scope and for stated purposes.

    The scope is the sectors (and, if any are named, only those organisations) that may take part,
    and the data categories. Withdrawal takes effect at once: the engine reads consent on every check.
    """

    citizen = models.ForeignKey("citizens.Citizen", on_delete=models.CASCADE, related_name="consents")
    cooperation = models.ForeignKey("organisations.Cooperation", on_delete=models.PROTECT, related_name="+")
    purposes = models.JSONField(_("formål"), default=list)
    purpose_text = models.TextField(_("formålet med borgerens ord"), blank=True, max_length=2000)
    sectors = models.JSONField(_("sektorer"), default=list)
    organisations = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="+", verbose_name=_("kun disse organisationer")
    )
    categories = models.JSONField(_("typer af oplysninger"), default=list)
    form = models.CharField(_("givet"), max_length=8, choices=ConsentForm.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    given_at = models.DateTimeField(_("givet den"))
    expires_at = models.DateTimeField(_("udløber"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("trukket tilbage"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawal_note = models.TextField(blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["-given_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("given_at")),
                name="consent_expires_after_given",
            )
        ]

    def __str__(self) -> str:
        return f"{_('Samtykke')} #{self.pk}"

    @property
    def purpose_labels(self) -> list[str]:
        labels = dict(Purpose.choices)
        return [str(labels.get(code, code)) for code in self.purposes]

    @property
    def sector_labels(self) -> list[str]:
        labels = {**dict(Sector.choices), "*": _("Alle sektorer")}
        return [str(labels.get(code, code)) for code in self.sectors]

    @property
    def category_labels(self) -> list[str]:
        labels = dict(DataCategory.choices)
        return [str(labels.get(code, code)) for code in self.categories]

    def is_valid_at(self, at: datetime) -> bool:
        return (
            self.given_at <= at
            and (self.expires_at is None or self.expires_at > at)
            and (self.withdrawn_at is None or self.withdrawn_at > at)
        )


class DisclosureKind(models.TextChoices):
    SHARE = "share", _("Delt i samarbejdet")
    IDENTITY = "identity", _("Borgerens identitet")
    FORWARD = "forward", _("Videregivet videre")


class SubjectType(models.TextChoices):
    JOURNAL_ENTRY = "journal_entry", _("Journalnotat")
    IDENTITY = "identity", _("Borgerens identitet")
    DOCUMENT = "document", _("Dokument")
    MINUTES_ITEM = "minutes_item", _("Punkt i referat")


class Disclosure(models.Model):
    """One piece of information passed from an organisation to others on a legal basis.

    The basis' name and citation are copied at the time, so the record keeps saying what was relied
    on even if the rule set later changes. Restrictions start from the rule's defaults and can only
    be tightened. ``citizen_id`` is a plain id (like the audit log) so the record survives as
    evidence of the processing for as long as the case does.
    """

    kind = models.CharField(_("art"), max_length=10, choices=DisclosureKind.choices)
    cooperation = models.ForeignKey("organisations.Cooperation", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="disclosures")
    citizen_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    subject_type = models.CharField(_("hvad"), max_length=20, choices=SubjectType.choices)
    subject_id = models.CharField(max_length=64)
    journal_entry = models.ForeignKey(
        "cases.JournalEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="disclosures"
    )
    forwarded_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="forwards"
    )
    source_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="disclosures_made"
    )
    recipients = models.ManyToManyField(
        "organisations.Organisation", related_name="disclosures_received", verbose_name=_("modtagere")
    )
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    disclosed_at = models.DateTimeField(default=timezone.now, db_index=True)
    legal_basis_code = models.CharField(_("hjemmel"), max_length=40)
    legal_basis_name = models.CharField(max_length=120)
    legal_basis_citation = models.CharField(max_length=200, blank=True)
    purpose = models.CharField(_("formål"), max_length=20, choices=Purpose.choices)
    justification = models.TextField(_("begrundelse for nødvendighed"), max_length=2000)
    categories = models.JSONField(_("typer af oplysninger"), default=list)
    restrictions = models.JSONField(_("begrænsninger"), default=list)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["-disclosed_at", "-pk"]
        indexes = [models.Index(fields=["case", "disclosed_at"], name="disclosure_case_time")]
        constraints = [
            models.CheckConstraint(condition=~Q(justification=""), name="disclosure_justification_required"),
            models.CheckConstraint(condition=~Q(legal_basis_code=""), name="disclosure_basis_required"),
        ]

    def __str__(self) -> str:
        return f"{_('Videregivelse')} #{self.pk}"

    @property
    def restriction_labels(self) -> list[str]:
        labels = dict(RestrictionCode.choices)
        return [str(labels.get(code, code)) for code in self.restrictions]

    @property
    def category_labels(self) -> list[str]:
        labels = dict(DataCategory.choices)
        return [str(labels.get(code, code)) for code in self.categories]

    def has_restriction(self, code: str) -> bool:
        return code in self.restrictions


class InformingReason(models.TextChoices):
    POLICE_MATTER = "police_matter", _("Orientering kan skade en politimæssig sag eller indsats")
    DANGER = "danger", _("Orientering kan bringe borgeren eller andre i fare")
    HEALTH = "health", _("Borgerens helbredstilstand taler imod orientering nu")
    NOT_REACHED = "not_reached", _("Borgeren har ikke kunnet træffes")
    STILL_ANONYMOUS = "anonymous", _("Sagen drøftes fortsat anonymt")
    OTHER = "other", _("Anden grund")


class CitizenInforming(models.Model):
    """Whether the citizen was told that they are being discussed, and if not, why and until when.

    The newest record per case is the current one. When the citizen was not told, a re-evaluation
    task on the case (source "informing") is owned by the lead organisation; a newer record closes it.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="informing_records")
    is_informed = models.BooleanField(_("borgeren er orienteret"))
    informed_on = models.DateField(_("orienteret den"), null=True, blank=True)
    reason = models.CharField(_("grund"), max_length=20, choices=InformingReason.choices, blank=True)
    reason_text = models.TextField(_("uddybning"), blank=True, max_length=2000)
    reevaluate_on = models.DateField(_("genvurderes senest"), null=True, blank=True)
    task = models.ForeignKey("cases.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_informed=True) | (~Q(reason="") & Q(reevaluate_on__isnull=False)),
                name="informing_reason_and_date_when_not_informed",
            )
        ]

    def __str__(self) -> str:
        return f"{_('Orientering')} #{self.pk}"
