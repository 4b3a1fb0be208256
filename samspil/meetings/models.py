"""PSP meetings: series, meetings, agenda, attendance, minutes, decisions, actions and their follow-up.

A meeting series belongs to one group of a cooperation (the key-person group, the steering group) and
takes its cadence from that group's configuration. A meeting's agenda holds cases (identified or
anonymous discussions) and, for steering groups, themes without citizens. What an attendee sees of an
item depends on the cases policy (need-to-know); minutes are split into a shared part and notes for one
organisation only. Actions agreed at a meeting become tasks on the case and stay open until a later
meeting reviews them as done, not possible or not undertaken, with a reason. Closing a meeting locks the
minutes; corrections after that are addenda.

Writes go through ``services``; reads of everything holding personal data through ``selectors``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samspil.core.scoping import PersonalDataManager
from samspil.organisations.models import GroupKind

SHARED_MINUTES_MAX = 50000
NOTE_MAX = 20000


class MeetingSeries(models.Model):
    """The meetings of one group of a cooperation. The cadence is the group's ``meetings_per_year``."""

    cooperation = models.ForeignKey(
        "organisations.Cooperation", on_delete=models.PROTECT, related_name="meeting_series"
    )
    group = models.ForeignKey(
        "organisations.CooperationGroup", on_delete=models.PROTECT, related_name="meeting_series"
    )
    name = models.CharField(_("navn"), max_length=150)
    default_place = models.CharField(_("fast mødested"), max_length=200, blank=True)
    default_start = models.TimeField(_("fast mødetidspunkt"), default="09:00")
    default_duration_minutes = models.PositiveSmallIntegerField(_("varighed (minutter)"), default=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cooperation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cooperation", "group"], name="meeting_series_one_per_group")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def meetings_per_year(self) -> int:
        return int(self.group.meetings_per_year)

    @property
    def interval_days(self) -> int:
        """Days between meetings for the configured cadence (10 a year: every 36-37 days)."""
        return max(7, round(365 / max(1, self.meetings_per_year)))

    @property
    def is_steering(self) -> bool:
        return bool(self.group.kind == GroupKind.STEERING)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planlagt")
    OPEN = "open", _("I gang")
    CLOSED = "closed", _("Afsluttet")


class Meeting(models.Model):
    """One meeting. ``cooperation`` repeats the series' cooperation so every query can scope by it."""

    series = models.ForeignKey(MeetingSeries, on_delete=models.PROTECT, related_name="meetings")
    cooperation = models.ForeignKey(
        "organisations.Cooperation", on_delete=models.PROTECT, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("starttidspunkt"))
    ends_at = models.DateTimeField(_("sluttidspunkt"), null=True, blank=True)
    place = models.CharField(_("sted"), max_length=200, blank=True)
    video_link = models.URLField(_("videolink"), max_length=500, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("mødeleder"),
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("referent"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    invitations_sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["cooperation", "starts_at"], name="meeting_cooperation_start")]

    def __str__(self) -> str:
        return f"{self.series} {timezone.localtime(self.starts_at):%d-%m-%Y}"

    @property
    def is_closed(self) -> bool:
        return self.status == MeetingStatus.CLOSED


class AgendaItemStatus(models.TextChoices):
    PROPOSED = "proposed", _("Foreslået")
    ACCEPTED = "accepted", _("På dagsordenen")
    DECLINED = "declined", _("Ikke optaget")


class AgendaItem(models.Model):
    """A case (identified or an anonymous discussion) or, without a citizen, a theme on the agenda.

    The item goes with its case: when a case is deleted (retention, the purge of anonymous discussions)
    its agenda items, minutes, decisions and actions are deleted with it.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField(default=0)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="agenda_items"
    )
    theme = models.CharField(_("tema"), max_length=200, blank=True)
    reason = models.TextField(_("begrundelse"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AgendaItemStatus.choices, default=AgendaItemStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_by_organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(case__isnull=False) & Q(theme="")) | (Q(case__isnull=True) & ~Q(theme="")),
                name="agenda_item_case_or_theme",
            ),
            models.UniqueConstraint(
                fields=["meeting", "case"], condition=Q(case__isnull=False), name="agenda_item_case_once"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_status_display()})"


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", _("Inviteret")
    PRESENT = "present", _("Til stede")
    APOLOGIES = "apologies", _("Afbud")
    INFORMATION_SENT = "information_sent", _("Afbud, oplysninger sendt")


class Attendance(models.Model):
    """A person (or, for an absent organisation that sent information, the organisation alone) at a
    meeting. ``acknowledged_at`` is when the person accepted the confidentiality statement for this
    meeting; ``acknowledged_terms_digest`` identifies the wording they accepted."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meeting_attendances",
    )
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("fremmøde"), max_length=20, choices=AttendanceStatus.choices, default=AttendanceStatus.INVITED
    )
    note = models.CharField(_("bemærkning"), max_length=300, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_terms_digest = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["organisation__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False), name="attendance_person_once"
            ),
            models.UniqueConstraint(
                fields=["meeting", "organisation"],
                condition=Q(user__isnull=True),
                name="attendance_organisation_once",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_status_display()})"


class MinutesEntry(models.Model):
    """The minutes of one agenda item: the shared part (``organisation`` empty), seen by every attendee
    who may see the item, or one organisation's own notes, seen only by that organisation.

    ``version`` increases with every save; each saved version is kept as a ``MinutesRevision``, which
    is what a concurrent save is merged against (see ``merge.py``)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="minutes")
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(blank=True, max_length=SHARED_MINUTES_MAX)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalDataManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(organisation__isnull=True), name="minutes_shared_once"
            ),
            models.UniqueConstraint(
                fields=["item", "organisation"],
                condition=Q(organisation__isnull=False),
                name="minutes_internal_once_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} v{self.version}"

    @property
    def is_shared(self) -> bool:
        return self.organisation_id is None


class MinutesRevision(models.Model):
    """One saved version of a minutes entry: the base a later concurrent save is merged against."""

    entry = models.ForeignKey(MinutesEntry, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)
    merged = models.BooleanField(default=False)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["entry", "version"]
        constraints = [models.UniqueConstraint(fields=["entry", "version"], name="minutes_revision_unique")]

    def __str__(self) -> str:
        return f"#{self.pk} v{self.version}"


class Decision(models.Model):
    """What the meeting decided on an item. ``for_feedback``: the text is told to the case's referrer."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("beslutning"), max_length=2000)
    for_feedback = models.BooleanField(_("tilbagemelding til den, der rejste sagen"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"#{self.pk}"


class ActionStatus(models.TextChoices):
    """The same codes as ``cases.TaskStatus``: a review sets both."""

    OPEN = "open", _("Åben")
    DONE = "done", _("Udført")
    NOT_POSSIBLE = "not_possible", _("Ikke muligt (forholdene ændret)")
    NOT_UNDERTAKEN = "not_undertaken", _("Ikke udført (organisationens ansvar)")


class Action(models.Model):
    """An action agreed at a meeting: which organisation (and person) does what by when.

    On a case it becomes a ``cases.Task`` (source "meeting") and so appears in the owner's task list.
    It stays open, and is carried over to later meetings, until a meeting reviews it."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="meeting_actions"
    )
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_actions",
    )
    what = models.CharField(_("handling"), max_length=300)
    due_date = models.DateField(_("frist"), null=True, blank=True)
    task = models.OneToOneField(
        "cases.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="meeting_action"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"], name="meeting_action_status_due")]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_status_display()})"


class ReviewOutcome(models.TextChoices):
    DONE = "done", _("Udført")
    NOT_POSSIBLE = "not_possible", _("Ikke muligt (forholdene ændret)")
    NOT_UNDERTAKEN = "not_undertaken", _("Ikke udført (organisationens ansvar)")
    DEFERRED = "deferred", _("Udskudt til næste møde")


class ActionReview(models.Model):
    """The follow-up of an action at a later meeting: closed with an outcome, or deferred, with a reason."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reviews")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_reviews")
    outcome = models.CharField(_("udfald"), max_length=16, choices=ReviewOutcome.choices)
    reason = models.TextField(_("begrundelse"), max_length=2000)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["reviewed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["action", "meeting"], name="action_review_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_outcome_display()})"


class Addendum(models.Model):
    """A correction or addition to the minutes after the meeting was closed, with author and time."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="addenda")
    item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.CASCADE, related_name="addenda"
    )
    text = models.TextField(_("tilføjelse"), max_length=5000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"#{self.pk}"


class ReferrerFeedback(models.Model):
    """What the frontline worker who raised a case is told after the meeting: the decisions marked for
    feedback, nothing else. Shown in the app; the email only says that there is feedback."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="feedback")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="referrer_feedback")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_feedback"
    )
    text = models.TextField(max_length=10000)
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["item", "recipient"], name="feedback_once_per_item")]

    def __str__(self) -> str:
        return f"#{self.pk}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Frist nærmer sig")
    OVERDUE = "overdue", _("Frist overskredet")


class ActionReminder(models.Model):
    """The reminder log: each kind of reminder is sent once per action."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    emailed = models.BooleanField(default=False)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["action", "kind"], name="action_reminder_once")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"


class CalendarFeed(models.Model):
    """A personal iCal feed. Only the SHA-256 of the secret token is stored; revoking ends it for good."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class DischargeRequester(models.TextChoices):
    PSYCHIATRY = "psychiatry", _("Psykiatrien")
    SOCIAL_SERVICES = "social", _("Kommunens sociale myndigheder")
    CITIZEN = "citizen", _("Borgeren")


class DischargeTiming(models.TextChoices):
    BEFORE = "before", _("Før udskrivning")
    AFTER = "after", _("Efter udskrivning")


class DischargeStatus(models.TextChoices):
    REQUESTED = "requested", _("Anmodet")
    SCHEDULED = "scheduled", _("Berammet")
    HELD = "held", _("Afholdt")


class AgreementType(models.TextChoices):
    DISCHARGE_AGREEMENT = "udskrivningsaftale", _("Udskrivningsaftale (med borgeren)")
    COORDINATION_PLAN = "koordinationsplan", _("Koordinationsplan (borgeren deltager ikke)")


class DischargeMeeting(models.Model):
    """A network meeting about discharge from psychiatry (psykiatriloven §§ 13 a-c), asked for by
    psychiatry, the social services or the citizen, to be held within five working days (Danish public
    holidays not counted). It ends with a discharge agreement (the citizen takes part) or a coordination
    plan (the citizen does not), and a record of who took part."""

    cooperation = models.ForeignKey("organisations.Cooperation", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="discharge_meetings")
    requested_by_party = models.CharField(_("anmodet af"), max_length=12, choices=DischargeRequester.choices)
    timing = models.CharField(_("tidspunkt"), max_length=8, choices=DischargeTiming.choices)
    requested_at = models.DateTimeField(_("anmodet den"))
    deadline = models.DateField(_("frist"))
    proposed_dates = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DischargeStatus.choices, default=DischargeStatus.REQUESTED
    )
    scheduled_at = models.DateTimeField(_("mødetidspunkt"), null=True, blank=True)
    place = models.CharField(_("sted"), max_length=200, blank=True)
    agreement_type = models.CharField(_("resultat"), max_length=20, choices=AgreementType.choices, blank=True)
    agreement_summary = models.TextField(_("aftalens hovedpunkter"), max_length=4000, blank=True)
    participant_organisations = models.ManyToManyField(
        "organisations.Organisation",
        blank=True,
        related_name="+",
        verbose_name=_("deltagende organisationer"),
    )
    citizen_participates = models.BooleanField(_("borgeren deltog"), default=False)
    other_participants = models.CharField(_("andre deltagere"), max_length=300, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PersonalDataManager()

    class Meta:
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["cooperation", "status", "deadline"], name="discharge_coop_status_due")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_status_display()})"
