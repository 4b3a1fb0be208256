from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samspil.core.roles import Role
from samspil.core.scoping import PersonalDataManager


class Sector(models.TextChoices):
    POLICE = "police", _("Politi")
    SOCIAL_SERVICES = "social", _("Kommunale sociale myndigheder")
    PSYCHIATRY = "psychiatry", _("Psykiatri")
    SCHOOL = "school", _("Skole")
    PRISON_AND_PROBATION = "prison_probation", _("Kriminalforsorgen")
    OTHER = "other", _("Andet")


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Kommune")
    POLICE_DISTRICT = "police_district", _("Politikreds")
    REGION = "region", _("Region")
    OTHER = "other", _("Anden myndighed eller institution")


class Organisation(models.Model):
    """A public authority or institution. Municipalities, police districts and regions are shipped
    as reference data with their official codes (loaded by migration 0002)."""

    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices)
    sector = models.CharField(_("sektor"), max_length=20, choices=Sector.choices)
    name = models.CharField(_("navn"), max_length=150)
    code = models.CharField(_("officiel kode"), max_length=20, blank=True)
    region = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="region_municipalities"
    )
    police_district = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="district_municipalities"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"], condition=~Q(code=""), name="organisation_unique_official_code"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit inside an organisation (e.g. 'Socialpsykiatrien', 'Forebyggelsesafdelingen')."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("navn"), max_length=150)
    sector = models.CharField(_("sektor"), max_length=20, choices=Sector.choices)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unit_unique_name")]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.name}"


class CooperationType(models.TextChoices):
    PSP = "psp", _("PSP (politi, socialforvaltning, psykiatri)")
    SSP = "ssp", _("SSP (skole, socialforvaltning, politi)")
    SSP_PLUS = "ssp_plus", _("SSP+ (unge 18-25/30 år)")
    KSP = "ksp", _("KSP (kriminalforsorg, socialforvaltning, politi)")
    INFOHUS = "infohus", _("Infohus")


class Cooperation(models.Model):
    """A local cooperation (PSP, SSP, SSP+, KSP, Infohus) with its own configuration.

    The 2014 evaluation asks that each cooperation adapts to local conditions, so cadence, groups,
    legal bases in use, retention and optional fields are configured here by the coordinator.
    """

    type = models.CharField(_("type"), max_length=10, choices=CooperationType.choices)
    name = models.CharField(_("navn"), max_length=150)
    municipality = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="cooperations",
        limit_choices_to={"kind": OrganisationKind.MUNICIPALITY},
    )
    organisations: models.ManyToManyField[Organisation, CooperationOrganisation] = models.ManyToManyField(
        Organisation, through="CooperationOrganisation", related_name="member_of_cooperations"
    )
    meetings_per_year = models.PositiveSmallIntegerField(
        _("møder om året"), default=10, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    enabled_legal_bases = models.JSONField(_("hjemmelsgrundlag i brug"), default=list, blank=True)
    anonymous_discussion_retention_days = models.PositiveSmallIntegerField(
        _("anonyme drøftelser slettes efter (dage)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    closed_case_retention_years = models.PositiveSmallIntegerField(
        _("lukkede sager slettes efter (år)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    shown_optional_fields = models.JSONField(_("valgfrie felter der vises"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CooperationOrganisation(models.Model):
    """An organisation taking part in a cooperation, in a sector."""

    cooperation = models.ForeignKey(Cooperation, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="participations")
    sector = models.CharField(_("sektor"), max_length=20, choices=Sector.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "organisation"], name="cooperation_organisation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} i {self.cooperation_id}"


# The roles a person can hold inside a cooperation (course and system administrators hold theirs
# outside any cooperation, so a coordinator neither invites to nor changes to those).
COOPERATION_ROLES: tuple[str, ...] = (
    Role.COORDINATOR,
    Role.KEY_MEMBER,
    Role.FRONTLINE_WORKER,
    Role.DATA_PROTECTION_OFFICER,
)


class GroupKind(models.TextChoices):
    STEERING = "steering", _("Styregruppe")
    KEY_PERSONS = "key_persons", _("Nøglepersongruppe")
    OTHER = "other", _("Anden gruppe")


class CooperationGroup(models.Model):
    cooperation = models.ForeignKey(Cooperation, on_delete=models.CASCADE, related_name="groups")
    kind = models.CharField(_("type"), max_length=20, choices=GroupKind.choices)
    name = models.CharField(_("navn"), max_length=150)
    meetings_per_year = models.PositiveSmallIntegerField(
        _("møder om året"), default=10, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["cooperation", "name"], name="group_unique_name")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role on behalf of an organisation, usually within one cooperation.

    Course and system administrators may hold a membership without a cooperation.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    cooperation = models.ForeignKey(
        Cooperation, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
    groups = models.ManyToManyField(CooperationGroup, blank=True, related_name="memberships")
    is_investigative = models.BooleanField(
        _("bruges i efterforskning"),
        default=False,
        help_text=_("Medlemmet bruges i efterforskning af straffesager og ser derfor aldrig andre "
                    "organisationers journalnotater."),
    )
    is_active = models.BooleanField(default=True)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["cooperation__name", "organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "cooperation", "role"],
                condition=Q(is_active=True),
                name="membership_unique_active_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.organisation})"


class Invitation(models.Model):
    """An invitation by email to join a cooperation for an organisation in a role.

    Only a hash of the token is stored; the link in the email carries the token itself.
    """

    email = models.EmailField(_("e-mail"))
    full_name = models.CharField(_("navn"), max_length=150)
    cooperation = models.ForeignKey(Cooperation, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="invitations")
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_role_display()})"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.OPEN

    def get_status_display(self) -> str:
        return str(InvitationStatus(self.status).label)


class InvitationStatus(models.TextChoices):
    OPEN = "open", _("Åben")
    ACCEPTED = "accepted", _("Modtaget")
    REVOKED = "revoked", _("Tilbagekaldt")
    EXPIRED = "expired", _("Udløbet")
