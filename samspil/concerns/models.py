"""Concerns of radicalisation and the standard operating procedure that handles them.

A concern is raised by any member in a few inputs and then runs through five steps, each with a
responsible role and a deadline configured per cooperation (``ConcernSettings``):

1. received and described by a lead contact (tovholder), with the interview guide and a triage
   (red/amber/green) that sets the response deadline;
2. information gathering: organisations are involved, and what they share is a disclosure on a
   legal basis (``ConcernDisclosure``, decided by the sharing app's engine);
3. assessment with a structured, versioned template (``AssessmentTemplate``, ``Assessment``);
4. overall assessment, recommendation and decision: unfounded (closed), an intervention, or handed
   to the police (after which details are for the police and the lead contacts only);
5. follow-up: an intervention plan with goals and responsible persons, reviews 6 and 12 months after
   the intervention ends, and closing with a recorded reason.

Transitions are services in ``services.py``; each leaves a ``ConcernTransition`` and an audit event.
Who may see what is decided in ``policies.py``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samspil.core.scoping import PersonalDataManager


class ConcernStatus(models.TextChoices):
    RECEIVED = "received", _("Modtaget")
    GATHERING = "gathering", _("Informationsindsamling")
    ASSESSMENT = "assessment", _("Vurdering")
    DECISION = "decision", _("Samlet vurdering og beslutning")
    FOLLOW_UP = "follow_up", _("Indsats og opfølgning")
    POLICE = "police", _("Overdraget til politiet")
    CLOSED = "closed", _("Lukket")


OPEN_STATUSES = (
    ConcernStatus.RECEIVED,
    ConcernStatus.GATHERING,
    ConcernStatus.ASSESSMENT,
    ConcernStatus.DECISION,
    ConcernStatus.FOLLOW_UP,
    ConcernStatus.POLICE,
)


class SubjectKind(models.TextChoices):
    IDENTIFIED = "identified", _("En bestemt person, jeg kan navngive")
    CASE = "case", _("En person i en sag, der allerede kendes")
    UNKNOWN = "unknown", _("Personen er endnu ikke identificeret")


class Urgency(models.TextChoices):
    ACUTE = "acute", _("Akut: der er fare nu")
    SOON = "soon", _("Haster: bør ses på inden for få dage")
    NORMAL = "normal", _("Haster ikke")


class ConcernSource(models.TextChoices):
    MUNICIPAL = "municipal", _("Kommunal medarbejder")
    POLICE = "police", _("Politiet")
    PSYCHIATRY = "psychiatry", _("Psykiatrien")
    HOTLINE = "hotline", _("Den nationale rådgivningslinje")
    OTHER = "other", _("Andet")


class Triage(models.TextChoices):
    RED = "red", _("Rød")
    AMBER = "amber", _("Gul")
    GREEN = "green", _("Grøn")


class Decision(models.TextChoices):
    UNFOUNDED = "unfounded", _("Ubegrundet – bekymringen lukkes")
    INTERVENTION = "intervention", _("Kommunal eller PSP-indsats")
    POLICE = "police", _("Overdrages til politiet")


class InterventionKind(models.TextChoices):
    CONVERSATION = "conversation", _("Bekymringssamtale")
    MENTOR = "mentor", _("Mentor")
    PARENT_COACH = "parent_coach", _("Forældrecoach")
    EXIT = "exit", _("Exitprogram")
    PSYCHIATRIC = "psychiatric", _("Psykiatrisk støtte")
    SOCIAL = "social", _("Social støtte")
    STREET = "street", _("Gadeplansarbejde")


class SignGroup(models.TextChoices):
    INDIVIDUAL = "individual", _("Personens egen adfærd og udtryk")
    SOCIAL = "social", _("Relationer og netværk")


class ConcernSettings(models.Model):
    """How one cooperation runs the procedure: the training gate, the deadlines, the signs shown.

    Deadlines in working days count Danish working days (weekdays that are not public holidays, nor
    5 June, 24 December or 31 December); the red triage deadline counts clock hours, because acute
    matters do not wait for a weekend. A cooperation without a row uses these defaults.
    """

    cooperation = models.OneToOneField(
        "organisations.Cooperation", on_delete=models.CASCADE, related_name="concern_settings"
    )
    training_gate_enabled = models.BooleanField(
        _("kræv gennemført kursus for at åbne bekymringer"),
        default=True,
        help_text=_("Medlemmer skal have gennemført PSP-kurset om radikalisering eller have en gyldig "
                    "fritagelse for at se detaljerne i en bekymring."),
    )
    receive_working_days = models.PositiveSmallIntegerField(
        _("frist for modtagelse og triage (arbejdsdage)"), default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    red_hours = models.PositiveSmallIntegerField(
        _("svarfrist ved rød (timer)"), default=24, validators=[MinValueValidator(1), MaxValueValidator(168)]
    )
    amber_working_days = models.PositiveSmallIntegerField(
        _("svarfrist ved gul (arbejdsdage)"), default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    green_working_days = models.PositiveSmallIntegerField(
        _("svarfrist ved grøn (arbejdsdage)"), default=10,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    gather_working_days = models.PositiveSmallIntegerField(
        _("frist for informationsindsamling (arbejdsdage)"), default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    assess_working_days = models.PositiveSmallIntegerField(
        _("frist for vurdering (arbejdsdage)"), default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    decide_working_days = models.PositiveSmallIntegerField(
        _("frist for samlet vurdering og beslutning (arbejdsdage)"), default=2,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    first_review_months = models.PositiveSmallIntegerField(
        _("første opfølgning efter indsatsen (måneder)"), default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    second_review_months = models.PositiveSmallIntegerField(
        _("anden opfølgning efter indsatsen (måneder)"), default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    default_template_code = models.CharField(
        _("standardskabelon til vurdering"), max_length=60, default="dialogtavle"
    )
    hidden_signs = models.JSONField(_("tegn på bekymring, der ikke vises"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("opsætning af bekymringer")
        constraints = [
            models.CheckConstraint(
                condition=Q(second_review_months__gt=models.F("first_review_months")),
                name="concern_settings_second_review_after_first",
            )
        ]

    def __str__(self) -> str:
        return f"concern settings of cooperation {self.cooperation_id}"


class LeadContact(models.Model):
    """A member designated as lead contact (tovholder) for concerns in one cooperation.

    Lead contacts come from the municipality or the police; they receive, describe and triage
    concerns, lead the procedure and see every concern of the cooperation (training gate permitting).
    """

    cooperation = models.ForeignKey("organisations.Cooperation", on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey("organisations.Membership", on_delete=models.CASCADE, related_name="+")
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    designated_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PersonalDataManager()

    class Meta:
        ordering = ["designated_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "membership"], condition=Q(ended_at__isnull=True),
                name="lead_contact_unique_active",
            )
        ]

    def __str__(self) -> str:
        return f"lead contact {self.membership_id} in {self.cooperation_id}"


class SignOfConcern(models.Model):
    """One entry of the catalogue of signs of concern. Shipped signs have no cooperation; a
    cooperation may add its own and hide any (``ConcernSettings.hidden_signs``). Shown as help to the
    person raising a concern, never as a checklist or a score."""

    code = models.SlugField(_("kode"), max_length=60)
    group = models.CharField(_("gruppe"), max_length=12, choices=SignGroup.choices)
    label = models.CharField(_("tegn"), max_length=200)
    cooperation = models.ForeignKey(
        "organisations.Cooperation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    is_shipped = models.BooleanField(default=False, editable=False)
    sort_order = models.PositiveSmallIntegerField(default=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group", "sort_order", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(cooperation__isnull=True), name="sign_unique_shipped"
            ),
            models.UniqueConstraint(fields=["cooperation", "code"], name="sign_unique_per_cooperation"),
        ]

    def __str__(self) -> str:
        return self.label


class AssessmentTemplate(models.Model):
    """One version of an assessment template. ``definition`` holds the rating scale and the sections of
    factors (format: data/assessment_templates.json). Versions are never changed once used: a change
    is a new version with the same code. Shipped templates have no cooperation; a cooperation's own
    templates are available there only."""

    code = models.SlugField(_("kode"), max_length=60)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("navn"), max_length=150)
    description = models.TextField(_("beskrivelse"), blank=True, max_length=2000)
    definition = models.JSONField(_("indhold"))
    cooperation = models.ForeignKey(
        "organisations.Cooperation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    is_shipped = models.BooleanField(default=False, editable=False)
    is_active = models.BooleanField(_("i brug"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="assessment_template_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def sections(self) -> list[dict[str, Any]]:
        sections = self.definition.get("sections", []) if isinstance(self.definition, dict) else []
        return [s for s in sections if isinstance(s, dict)]

    @property
    def scale(self) -> list[dict[str, Any]]:
        scale = self.definition.get("scale", []) if isinstance(self.definition, dict) else []
        return [s for s in scale if isinstance(s, dict)]

    def scale_label(self, value: int | None) -> str:
        if value is None:
            return str(_("Ikke vurderet"))
        return next((str(s.get("label", value)) for s in self.scale if s.get("value") == value), str(value))

    @property
    def factor_count(self) -> int:
        return sum(len(s.get("factors", [])) for s in self.sections)


class Concern(models.Model):
    """A concern that a person may be radicalising, from the first report to its closing."""

    cooperation = models.ForeignKey(
        "organisations.Cooperation", on_delete=models.PROTECT, related_name="concerns"
    )
    reference = models.CharField(_("nummer"), max_length=20)
    status = models.CharField(
        _("status"), max_length=12, choices=ConcernStatus.choices, default=ConcernStatus.RECEIVED
    )
    status_changed_at = models.DateTimeField(default=timezone.now)

    # Raising: what the raiser gave.
    subject_kind = models.CharField(_("hvem drejer det sig om"), max_length=12, choices=SubjectKind.choices)
    subject = models.CharField(_("personen"), max_length=300, blank=True)
    observation = models.TextField(_("det, der er set eller hørt"), max_length=5000)
    signs = models.ManyToManyField(
        SignOfConcern, blank=True, related_name="+", verbose_name=_("tegn på bekymring")
    )
    urgency = models.CharField(_("hastegrad"), max_length=8, choices=Urgency.choices)
    source = models.CharField(_("kilde"), max_length=12, choices=ConcernSource.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="raised_concerns"
    )
    raised_by_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now, db_index=True)

    # Step 1: received, described, triaged.
    lead_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    interview = models.JSONField(_("beskrivelse efter interviewguiden"), default=dict, blank=True)
    triage = models.CharField(_("triage"), max_length=6, choices=Triage.choices, blank=True)
    triage_reason = models.TextField(_("begrundelse for triage"), blank=True, max_length=2000)
    triaged_at = models.DateTimeField(null=True, blank=True)
    response_due_at = models.DateTimeField(_("svarfrist"), null=True, blank=True)
    step_due_at = models.DateTimeField(_("frist for dette trin"), null=True, blank=True, db_index=True)

    # Step 4: overall assessment, recommendation, decision.
    overall_assessment = models.TextField(_("samlet vurdering"), blank=True, max_length=5000)
    recommendation = models.TextField(_("anbefaling"), blank=True, max_length=5000)
    decision = models.CharField(_("beslutning"), max_length=12, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("begrundelse for beslutningen"), blank=True, max_length=2000)
    intervention_kinds = models.JSONField(_("indsatser"), default=list, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handed_to_police_at = models.DateTimeField(null=True, blank=True)

    closing_reason = models.TextField(_("begrundelse for lukning"), blank=True, max_length=2000)
    closed_at = models.DateTimeField(null=True, blank=True)

    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns"
    )
    version = models.PositiveIntegerField(default=1)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["cooperation", "status"], name="concern_cooperation_status")]
        constraints = [
            models.UniqueConstraint(fields=["cooperation", "reference"], name="concern_unique_reference"),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(closing_reason=""), name="concern_closed_with_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != ConcernStatus.CLOSED

    @property
    def step_number(self) -> int | None:
        return STEP_NUMBERS.get(self.status)

    @property
    def intervention_labels(self) -> list[str]:
        labels = dict(InterventionKind.choices)
        return [str(labels.get(code, code)) for code in self.intervention_kinds if isinstance(code, str)]

    def is_overdue(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.is_open and self.step_due_at is not None and self.step_due_at < now


STEP_NUMBERS: dict[str, int] = {
    ConcernStatus.RECEIVED: 1,
    ConcernStatus.GATHERING: 2,
    ConcernStatus.ASSESSMENT: 3,
    ConcernStatus.DECISION: 4,
    ConcernStatus.FOLLOW_UP: 5,
}


class ConcernTransition(models.Model):
    """One step of a concern's procedure: from which status to which, by whom, with a note."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=ConcernStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ConcernStatus.choices)
    note = models.TextField(blank=True, max_length=2000)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class ConcernInvolvement(models.Model):
    """An organisation invited into the information gathering (step 2) of a concern."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="involvements")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("hvorfor"), max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["concern", "organisation"], condition=Q(ended_at__isnull=True),
                name="concern_involvement_unique_active",
            )
        ]

    def __str__(self) -> str:
        return f"organisation {self.organisation_id} in concern {self.concern_id}"


class ConcernDisclosure(models.Model):
    """Information an organisation shares in a concern, on a legal basis decided by the sharing
    app's engine (``sharing.rules.check_basis``). The basis' name and citation are copied at the time,
    like the sharing app's disclosures, so the record keeps saying what was relied on."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="disclosures")
    source_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.ManyToManyField(
        "organisations.Organisation", related_name="+", verbose_name=_("modtagere")
    )
    text = models.TextField(_("oplysningerne"), max_length=10000)
    legal_basis_code = models.CharField(_("hjemmel"), max_length=40)
    legal_basis_name = models.CharField(max_length=120)
    legal_basis_citation = models.CharField(max_length=200, blank=True)
    purpose = models.CharField(_("formål"), max_length=20)
    justification = models.TextField(_("begrundelse for nødvendighed"), max_length=2000)
    categories = models.JSONField(_("typer af oplysninger"), default=list)
    restrictions = models.JSONField(_("begrænsninger"), default=list)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(default=timezone.now)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["shared_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(justification=""), name="concern_disclosure_justification_required"
            ),
            models.CheckConstraint(
                condition=~Q(legal_basis_code=""), name="concern_disclosure_basis_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Videregivelse')} #{self.pk}"


class Assessment(models.Model):
    """One structured assessment of a concern with the template version it used. Re-assessments add
    new rows, so the history stays; ``ratings`` maps a factor code to ``{"rating": int | None,
    "reason": str}``."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="assessments")
    number = models.PositiveSmallIntegerField()
    template = models.ForeignKey(AssessmentTemplate, on_delete=models.PROTECT, related_name="assessments")
    ratings = models.JSONField(default=dict)
    summary = models.TextField(_("sammenfatning"), max_length=5000)
    management_plan = models.TextField(_("plan for håndtering"), max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_organisation = models.ForeignKey(
        "organisations.Organisation", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["concern", "number"], name="assessment_unique_number")]

    def __str__(self) -> str:
        return f"{_('Vurdering')} {self.number}"


class InterventionPlan(models.Model):
    """The plan of an intervention decided in step 4: its kinds, dates and goals."""

    concern = models.OneToOneField(Concern, on_delete=models.CASCADE, related_name="plan")
    started_on = models.DateField(_("indsatsen begyndte"))
    planned_end_on = models.DateField(_("indsatsen forventes afsluttet"), null=True, blank=True)
    ended_on = models.DateField(_("indsatsen sluttede"), null=True, blank=True)
    end_note = models.TextField(_("status ved afslutningen"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PersonalDataManager()

    def __str__(self) -> str:
        return f"plan of concern {self.concern_id}"


class InterventionGoal(models.Model):
    """A goal of an intervention plan and who is responsible for it."""

    plan = models.ForeignKey(InterventionPlan, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(_("mål"), max_length=500)
    responsible_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text


class ConcernReview(models.Model):
    """A review that falls due a number of months after the intervention ended."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="reviews")
    months = models.PositiveSmallIntegerField()
    due_on = models.DateField(_("forfalder"))
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("opfølgningen"), blank=True, max_length=5000)
    concern_persists = models.BooleanField(_("bekymringen består"), null=True, blank=True)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["concern", "months"], name="concern_review_unique_months")
        ]

    def __str__(self) -> str:
        return f"review after {self.months} months of concern {self.concern_id}"

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None
