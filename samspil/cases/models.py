from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samspil.citizens.models import Sex
from samspil.core.scoping import PersonalDataManager


class CaseState(models.TextChoices):
    ANONYMOUS = "anonymous", _("Anonym drøftelse")
    IDENTIFIED = "identified", _("Identificeret")
    ACTIVE = "active", _("Aktiv (handleplan)")
    FOLLOW_UP = "follow_up", _("Opfølgning")
    CLOSED = "closed", _("Lukket")


class AgeBand(models.TextChoices):
    UNDER_18 = "u18", _("Under 18 år")
    AGE_18_24 = "18-24", _("18-24 år")
    AGE_25_34 = "25-34", _("25-34 år")
    AGE_35_49 = "35-49", _("35-49 år")
    AGE_50_64 = "50-64", _("50-64 år")
    AGE_65_PLUS = "65+", _("65 år eller ældre")
    UNKNOWN = "", _("Ukendt")


class Case(models.Model):
    """A PSP case: first an anonymous discussion (pseudonym, age band, sex, a non-identifying
    description), then identified on a recorded legal basis, active with an action plan, followed
    up and closed. Transitions are services in cases.services (the allowed ones are the table in
    cases.states); each is audited and leaves a ``StateChange``. ``version`` guards the editable text
    (description, action plan) against lost updates: every save of those compares and increments it."""

    cooperation = models.ForeignKey(
        "organisations.Cooperation", on_delete=models.PROTECT, related_name="cases"
    )
    citizen = models.ForeignKey(
        "citizens.Citizen", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    state = models.CharField(
        _("status"), max_length=12, choices=CaseState.choices, default=CaseState.ANONYMOUS
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=60)
    age_band = models.CharField(_("aldersgruppe"), max_length=6, choices=AgeBand.choices, blank=True)
    sex = models.CharField(_("køn"), max_length=8, choices=Sex.choices, blank=True)
    description = models.TextField(_("beskrivelse"), max_length=5000)
    action_plan = models.TextField(_("handleplan"), max_length=5000, blank=True)
    lead_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="led_cases"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referred_cases",
        help_text=_("Frontmedarbejderen der rejste sagen og skal have tilbagemelding."),
    )
    identification_legal_basis = models.CharField(max_length=40, blank=True)
    identification_justification = models.TextField(blank=True, max_length=2000)
    identified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    identified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_reason = models.TextField(blank=True, max_length=2000)
    version = models.PositiveIntegerField(default=1)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["cooperation", "state"], name="case_cooperation_state"),
            models.Index(fields=["cooperation", "-opened_at"], name="case_cooperation_opened"),
            # Counting the case list (its pager): an index-only scan of a cooperation's case ids.
            models.Index(fields=["cooperation", "id"], name="case_cooperation_id"),
        ]

    def __str__(self) -> str:
        return self.pseudonym


class StateChange(models.Model):
    """One transition of a case, with the reason given (closing, reopening) and who made it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="state_changes")
    from_state = models.CharField(max_length=12, choices=CaseState.choices)
    to_state = models.CharField(max_length=12, choices=CaseState.choices)
    reason = models.TextField(_("begrundelse"), max_length=2000, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state} -> {self.to_state}"


class Involvement(models.Model):
    """An organisation involved in a case. Access to a case is by involvement within the cooperation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="involvements")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="involvements"
    )
    is_lead = models.BooleanField(default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalDataManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation"], condition=models.Q(ended_at__isnull=True),
                name="involvement_unique_active",
            )
        ]
        indexes = [
            # The cases an organisation is actively involved in, in case order: with case_cooperation_id
            # the case list's count is a merge of two index-only scans (see docs/benchmarks.md).
            models.Index(
                fields=["organisation", "case"], condition=models.Q(ended_at__isnull=True),
                name="involvement_active_by_org",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} in case {self.case_id}"


class EntryVisibility(models.TextChoices):
    OWN_ORGANISATION = "own", _("Kun egen organisation")
    SHARED = "shared", _("Delt i samarbejdet")


class JournalEntry(models.Model):
    """A note written by an organisation in a case. Shared entries are disclosures (sharing app)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="journal_entries")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("tekst"), max_length=20000)
    visibility = models.CharField(
        _("synlighed"),
        max_length=8,
        choices=EntryVisibility.choices,
        default=EntryVisibility.OWN_ORGANISATION,
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case", "created_at"], name="journal_case_time")]

    def __str__(self) -> str:
        return f"Journal entry {self.pk}"


class Flag(models.Model):
    """A warning shown on every view of the case, e.g. 'meet with two staff'."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="flags")
    text = models.CharField(_("advarsel"), max_length=200)
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=True)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Åben")
    DONE = "done", _("Udført")
    NOT_POSSIBLE = "not_possible", _("Ikke muligt (forholdene ændret)")
    NOT_UNDERTAKEN = "not_undertaken", _("Ikke udført (organisationens ansvar)")


class Task(models.Model):
    """Something an organisation (and a person in it) has to do in a case by a date. Meeting actions
    and re-evaluations of 'citizen not informed' become tasks too."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("opgave"), max_length=300)
    owner_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="case_tasks"
    )
    due_date = models.DateField(_("frist"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    status_reason = models.TextField(blank=True, max_length=2000)
    source = models.CharField(
        max_length=40, blank=True, help_text="Where the task came from: case, meeting, informing."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["owner", "status", "due_date"], name="task_owner_status_due"),
            models.Index(fields=["owner_organisation", "status", "due_date"], name="task_org_status_due"),
        ]

    def __str__(self) -> str:
        return self.title
