from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samspil.core.scoping import PersonalDataManager


class Sex(models.TextChoices):
    FEMALE = "female", _("Kvinde")
    MALE = "male", _("Mand")
    OTHER = "other", _("Andet")
    UNKNOWN = "", _("Ikke oplyst")


class Citizen(models.Model):
    """A citizen discussed in a cooperation, registered once they are identified on a legal basis.

    The CPR number is optional (foreign nationals and others have none). It is stored encrypted
    (``cpr_encrypted``, AES-GCM with a key from the environment) and found by exact match through a
    keyed hash (``cpr_lookup``); it never appears in URLs, logs or audit rows. A citizen record
    belongs to one cooperation: the same person in two municipalities is two records, so nothing
    leaks between cooperations. Write through ``citizens.services`` (it keeps the CPR fields and
    ``search_name`` consistent); read through ``citizens.selectors``.
    """

    cooperation = models.ForeignKey(
        "organisations.Cooperation", on_delete=models.PROTECT, related_name="citizens"
    )
    cpr_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    cpr_lookup = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    full_name = models.CharField(_("navn"), max_length=200)
    birth_date = models.DateField(_("fødselsdato"), null=True, blank=True)
    sex = models.CharField(_("køn"), max_length=8, choices=Sex.choices, blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    phone = models.CharField(_("telefon"), max_length=32, blank=True)
    pseudonym = models.CharField(_("pseudonym"), max_length=60)
    # The name lower-cased and accent-folded ("Søren Ærø" -> "soeren aeroe"), for search and the
    # duplicate check; written by the service together with full_name.
    search_name = models.CharField(max_length=200, blank=True, editable=False)
    registered_by_organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["full_name"]
        indexes = [models.Index(fields=["cooperation", "birth_date"], name="citizen_cooperation_birth")]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "cpr_lookup"],
                condition=~models.Q(cpr_lookup=""),
                name="citizen_unique_cpr_per_cooperation",
            )
        ]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def has_cpr(self) -> bool:
        return bool(self.cpr_lookup)

    @property
    def cpr_masked(self) -> str:
        """DDMMYY-XXXX: the date part equals the birth date, so no decryption is needed to show it."""
        if not self.has_cpr or self.birth_date is None:
            return ""
        return f"{self.birth_date:%d%m%y}-XXXX"
