"""The PSP training course: programme, offerings, enrolment, attendance, completion, measurement.

A course has a programme (days -> sessions -> modules); every module serves one or more of the
three learning goals. A course is held as offerings (dates, venue, seats). Members enrol or are
nominated; a completed course gives a certificate with a verification code and counts for the
training gate that concern cases ask (``selectors.has_valid_radicalisation_training``).

Personal data (enrolments, attendance, completions, attestations, responses, answers) live in
models with ``PersonalDataManager``: read them through ``training.selectors``.
"""

from __future__ import annotations

import secrets
import uuid
from base64 import b32encode
from datetime import date, datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samspil.core.scoping import PersonalDataManager
from samspil.organisations.models import Sector


class Goal(models.TextChoices):
    """The three secondary goals the course works to (they stand in for an effect hard to measure)."""

    G1 = (
        "g1",
        _("G1: Bevidsthed om radikalisering og viden om den som socialt, psykologisk og politisk fænomen"),
    )
    G2 = (
        "g2",
        _(
            "G2: Viden om Danmarks strategi og metoder til at forebygge radikalisering – "
            "generelt og hos psykisk sårbare"
        ),
    )
    G3 = (
        "g3",
        _(
            "G3: Viden om den faste fremgangsmåde for organisering og kommunikation, "
            "når der opstår en bekymring"
        ),
    )


GOAL_SHORT_LABELS = {
    Goal.G1: _("G1 Forståelse"),
    Goal.G2: _("G2 Strategi og metoder"),
    Goal.G3: _("G3 Fremgangsmåde ved bekymring"),
}


def add_years(moment: datetime, years: int) -> datetime:
    """The same calendar moment ``years`` later; 29 February becomes 28 February in common years."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


class Course(models.Model):
    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("beskrivelse"), max_length=5000, blank=True)
    organisers = models.CharField(_("arrangører"), max_length=300, blank=True)
    counts_for_concerns = models.BooleanField(
        _("giver grundlag for at behandle bekymringer om radikalisering"),
        default=True,
        help_text=_("Et gennemført kursus åbner for bekymringssager, så længe beviset er gyldigt."),
    )
    valid_years = models.PositiveSmallIntegerField(
        _("beviset gælder (år)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Tomt felt: systemets standard (SAMSPIL_TRAINING_VALID_YEARS)."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]
        verbose_name = _("kursus")
        verbose_name_plural = _("kurser")

    def __str__(self) -> str:
        return self.title

    @property
    def validity_years(self) -> int:
        return self.valid_years or settings.SAMSPIL_TRAINING_VALID_YEARS


class ProgrammeDay(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="days")
    number = models.PositiveSmallIntegerField(
        _("dag nr."), validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    title = models.CharField(_("overskrift"), max_length=200)

    class Meta:
        ordering = ["course", "number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="training_day_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def hours(self) -> float:
        """Planned teaching hours of the day: the sum of its sessions' lengths."""
        return sum(session.hours() for session in self.sessions.all())


class Presenter(models.Model):
    """A person who teaches on the course, and the organisation they come from (printed in the programme)."""

    name = models.CharField(_("navn"), max_length=150)
    organisation = models.CharField(_("organisation"), max_length=200)
    job_title = models.CharField(_("stilling"), max_length=150, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("oplægsholder")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class Session(models.Model):
    day = models.ForeignKey(ProgrammeDay, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.TimeField(_("starter"))
    ends_at = models.TimeField(_("slutter"))
    title = models.CharField(_("titel"), max_length=200)

    class Meta:
        ordering = ["day", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="training_session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%H:%M}-{self.ends_at:%H:%M} {self.title}"

    def hours(self) -> float:
        start = datetime.combine(date.min, self.starts_at)
        end = datetime.combine(date.min, self.ends_at)
        return (end - start).total_seconds() / 3600


class Module(models.Model):
    """A unit of content within a session, with its learning objectives and the goals it serves."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(_("titel"), max_length=200)
    learning_objectives = models.TextField(_("læringsmål"), max_length=3000)
    presenters = models.ManyToManyField(
        Presenter, blank=True, related_name="modules", verbose_name=_("oplægsholdere")
    )
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["session", "order", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def goal_list(self) -> list[str]:
        return sorted(g.goal for g in self.goals.all())


class ModuleGoal(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="goals")
    goal = models.CharField(max_length=2, choices=Goal.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["module", "goal"], name="training_module_goal_unique"),
            models.CheckConstraint(condition=Q(goal__in=Goal.values), name="training_module_goal_known"),
        ]

    def __str__(self) -> str:
        return f"{self.module_id}:{self.goal}"


class OfferingStatus(models.TextChoices):
    PLANNED = "planned", _("Planlagt (ikke åben for tilmelding)")
    OPEN = "open", _("Åben for tilmelding")
    CLOSED = "closed", _("Tilmelding lukket")
    HELD = "held", _("Afholdt")
    CANCELLED = "cancelled", _("Aflyst")


class Offering(models.Model):
    """One run of a course: where, when, how many seats, and how seats are balanced between sectors."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="offerings")
    title = models.CharField(_("holdets navn"), max_length=150)
    venue = models.CharField(_("sted"), max_length=200)
    venue_address = models.CharField(_("adresse"), max_length=300, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("antal pladser"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    registration_deadline = models.DateTimeField(_("tilmeldingsfrist"))
    max_sector_share = models.PositiveSmallIntegerField(
        _("højst andel pladser pr. sektor (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(100)],
        help_text=_("Fx 40: ingen sektor får mere end 40 % af pladserne. Tomt felt: ingen grænse."),
    )
    track_sessions = models.BooleanField(_("registrér fremmøde pr. session"), default=False)
    reminder_days_before = models.PositiveSmallIntegerField(
        _("påmindelse dage før"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OfferingStatus.choices, default=OfferingStatus.PLANNED
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-registration_deadline", "pk"]
        verbose_name = _("hold")
        verbose_name_plural = _("hold")

    def __str__(self) -> str:
        return f"{self.course.title} – {self.title}"

    def sector_seat_limit(self) -> int | None:
        """The most seats one sector may take, or None when seats are not balanced."""
        if self.max_sector_share is None:
            return None
        return max(1, self.capacity * self.max_sector_share // 100)


class OfferingDay(models.Model):
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="days")
    programme_day = models.ForeignKey(ProgrammeDay, on_delete=models.PROTECT, related_name="offering_days")
    date = models.DateField(_("dato"))

    class Meta:
        ordering = ["offering", "date", "programme_day__number"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "programme_day"], name="training_offering_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.programme_day.number}. dag {self.date:%d-%m-%Y}"


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Tilmeldt")
    WAITLISTED = "waitlisted", _("På venteliste")
    CANCELLED = "cancelled", _("Afmeldt")


class Enrolment(models.Model):
    """A member's place (or waitlist place) on an offering, on behalf of one organisation and sector.

    ``position`` orders the waitlist (first come, first served; numbers only grow); it is cleared when
    the member gets a seat. A member has at most one enrolment per offering: enrolling again after a
    cancellation reuses the row.
    """

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="enrolments")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_enrolments"
    )
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    cooperation = models.ForeignKey(
        "organisations.Cooperation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sector = models.CharField(_("sektor"), max_length=20, choices=Sector.choices)
    status = models.CharField(_("status"), max_length=10, choices=EnrolmentStatus.choices)
    position = models.PositiveIntegerField(null=True, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["offering", "status", "position", "enrolled_at"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "member"], name="training_enrolment_unique_member"),
            models.CheckConstraint(
                condition=Q(status=EnrolmentStatus.WAITLISTED, position__isnull=False)
                | (~Q(status=EnrolmentStatus.WAITLISTED) & Q(position__isnull=True)),
                name="training_enrolment_position_only_waitlisted",
            ),
        ]
        indexes = [models.Index(fields=["offering", "status"], name="training_enrolment_status")]

    def __str__(self) -> str:
        return f"enrolment {self.pk} ({self.status})"


class Attendance(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    day = models.ForeignKey(OfferingDay, on_delete=models.CASCADE, related_name="attendances")
    present = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = PersonalDataManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "day"], name="training_attendance_unique")
        ]

    def __str__(self) -> str:
        return f"attendance {self.pk}"


class SessionAttendance(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="session_attendances")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    present = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = PersonalDataManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "session"], name="training_session_attendance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"session attendance {self.pk}"


def new_verification_code() -> str:
    """16 characters of base32 from 80 random bits: not guessable, easy to type from paper."""
    return b32encode(secrets.token_bytes(10)).decode("ascii")


def format_verification_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


class CertificateValidity(models.TextChoices):
    VALID = "valid", _("Gyldigt")
    EXPIRED = "expired", _("Udløbet")
    REVOKED = "revoked", _("Tilbagekaldt")


class Completion(models.Model):
    """A member completed an offering: both days attended, or an exception the organiser recorded.

    The certificate carries ``verification_code``; anyone can check it on the public page.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_completions"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="completions")
    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="completion")
    completed_at = models.DateTimeField(_("gennemført"))
    exception_reason = models.TextField(_("begrundelse for undtagelse"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verification_code = models.CharField(
        max_length=16, unique=True, default=new_verification_code, editable=False
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(max_length=2000, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refresher_notice_sent_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["-completed_at"]
        constraints = [
            models.UniqueConstraint(fields=["member", "offering"], name="training_completion_unique")
        ]

    def __str__(self) -> str:
        return f"completion {self.pk}"

    @property
    def valid_until(self) -> datetime:
        return add_years(self.completed_at, self.course.validity_years)

    def validity(self, at: datetime | None = None) -> str:
        if self.revoked_at is not None:
            return CertificateValidity.REVOKED
        if (at or timezone.now()) >= self.valid_until:
            return CertificateValidity.EXPIRED
        return CertificateValidity.VALID

    def get_validity_display(self, at: datetime | None = None) -> str:
        return str(CertificateValidity(self.validity(at)).label)

    @property
    def formatted_code(self) -> str:
        return format_verification_code(self.verification_code)


class AttestationKind(models.TextChoices):
    COMPLETED_ELSEWHERE = "completed", _("Kursus gennemført uden for Samspil")
    WAIVER = "waiver", _("Fritagelse givet af koordinator")


class TrainingAttestation(models.Model):
    """Something other than a completion in Samspil that counts for the training gate until it expires:
    a course taken before or outside Samspil (recorded by the course administrator), or a coordinator's
    time-limited waiver with a reason."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_attestations"
    )
    kind = models.CharField(_("type"), max_length=10, choices=AttestationKind.choices)
    reason = models.TextField(_("begrundelse"), max_length=2000)
    cooperation = models.ForeignKey(
        "organisations.Cooperation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    valid_from = models.DateTimeField(_("gælder fra"), default=timezone.now)
    expires_at = models.DateTimeField(_("udløber"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("valid_from")), name="training_attestation_expires_after"
            )
        ]

    def __str__(self) -> str:
        return f"attestation {self.pk} ({self.kind})"

    def is_valid_at(self, at: datetime) -> bool:
        return self.revoked_at is None and self.valid_from <= at < self.expires_at


class ItemKind(models.TextChoices):
    MULTIPLE_CHOICE = "mc", _("Flervalg med facit")
    LIKERT = "likert", _("Enig/uenig (1-5)")


LIKERT_CHOICES = [
    (1, _("1 – Helt uenig")),
    (2, _("2 – Uenig")),
    (3, _("3 – Hverken enig eller uenig")),
    (4, _("4 – Enig")),
    (5, _("5 – Helt enig")),
]


class Item(models.Model):
    """A question in the item bank. Knowledge and self-assessment items carry a goal; evaluation
    (satisfaction) items carry none. An answered item is never edited, only retired."""

    text = models.TextField(_("spørgsmål"), max_length=1000)
    kind = models.CharField(_("type"), max_length=8, choices=ItemKind.choices)
    goal = models.CharField(_("læringsmål"), max_length=2, choices=Goal.choices, blank=True)
    is_active = models.BooleanField(_("i brug"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["goal", "pk"]
        verbose_name = _("spørgsmål")

    def __str__(self) -> str:
        return self.text[:80]


class ItemOption(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("svarmulighed"), max_length=300)
    is_correct = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["item", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class QuestionnaireKind(models.TextChoices):
    PRE = "pre", _("Før kurset")
    POST = "post", _("Efter kurset")
    SATISFACTION = "satisfaction", _("Evaluering")


class Questionnaire(models.Model):
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="questionnaires")
    kind = models.CharField(_("type"), max_length=12, choices=QuestionnaireKind.choices)
    opens_at = models.DateTimeField(_("åbner"))
    deadline = models.DateTimeField(_("frist"))
    items: models.ManyToManyField[Item, QuestionnaireItem] = models.ManyToManyField(
        Item, through="QuestionnaireItem", related_name="questionnaires"
    )

    class Meta:
        ordering = ["offering", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "kind"], name="training_questionnaire_unique_kind"),
            models.CheckConstraint(
                condition=Q(deadline__gt=F("opens_at")), name="training_questionnaire_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.offering.title}"

    def is_open_at(self, at: datetime) -> bool:
        return self.opens_at <= at < self.deadline


class QuestionnaireItem(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="entries")
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["questionnaire", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "item"], name="training_questionnaire_item_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}:{self.order}"


class Response(models.Model):
    """One participant's submitted questionnaire; there is at most one per participant and questionnaire."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="responses")
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_responses"
    )
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="responses")
    submitted_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(_("kommentar"), max_length=2000, blank=True)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["questionnaire", "submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "participant"], name="training_response_once")
        ]

    def __str__(self) -> str:
        return f"response {self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    option = models.ForeignKey(ItemOption, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    likert_value = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    objects = PersonalDataManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="training_answer_unique_item"),
            models.CheckConstraint(
                condition=Q(option__isnull=False, likert_value__isnull=True)
                | Q(option__isnull=True, likert_value__gte=1, likert_value__lte=5),
                name="training_answer_one_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"answer {self.pk}"

    def score(self) -> float:
        """0..1: a correct option is 1, a Likert answer (v - 1) / 4."""
        if self.option_id is not None:
            return 1.0 if self.option.is_correct else 0.0  # type: ignore[union-attr]
        return ((self.likert_value or 1) - 1) / 4


def material_path(instance: Material, filename: str) -> str:
    """Stored under a random name: the original name is kept in the row, never in the path."""
    return f"training/materials/{instance.course_id}/{uuid.uuid4().hex}"


class Material(models.Model):
    """Slides and documents for a course's participants; served as attachments only to enrolled
    participants and course administrators, never from a public URL."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("titel"), max_length=200)
    file = models.FileField(upload_to=material_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["course", "title"]

    def __str__(self) -> str:
        return self.title
