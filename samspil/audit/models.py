from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from samspil.core.scoping import PersonalDataManager


class Outcome(models.TextChoices):
    ALLOWED = "allowed", _("Tilladt")
    DENIED = "denied", _("Nægtet")
    FAILED = "failed", _("Mislykkedes")


class AuditEvent(models.Model):
    """One append-only record of something a person or the system did with data.

    Holds ids, never copies of personal data: the actor, organisation, cooperation and citizen are
    stored as plain ids (no foreign keys), so the record outlives what it points to and deleting a
    user or a citizen can never cascade into the log. On PostgreSQL a trigger refuses UPDATE and
    DELETE (migration 0002); sealing links events into a hash chain kept in ``AuditChainLink``.
    """

    occurred_at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    cooperation_id = models.BigIntegerField(null=True, blank=True)
    role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    citizen_id = models.BigIntegerField(null=True, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.ALLOWED)
    request_id = models.CharField(max_length=64, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = PersonalDataManager()

    class Meta:
        ordering = ["-id"]
        # Every request that touches personal data inserts a row, so each index is paid for on every
        # request: only what the readers need, newest first (by id). The DPO's view filters by
        # cooperation (members' events outside any cooperation by actor), the home page and the DPO's
        # person filter by actor, the citizen's access report by citizen; the sealer's late-commit
        # lookup and the date filters use occurred_at. See docs/benchmarks.md, "Audit".
        indexes = [
            models.Index(fields=["cooperation_id", "id"], name="audit_event_cooperation"),
            models.Index(fields=["actor_id", "id"], name="audit_event_actor"),
            models.Index(
                fields=["citizen_id", "id"],
                name="audit_event_citizen",
                condition=models.Q(citizen_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.outcome}"


class AuditChainLink(models.Model):
    """The position of one sealed event in the hash chain and the chain hash up to and including it.

    ``seq`` runs 1, 2, 3 ... without gaps in sealing order. ``chain_hash`` = SHA-256(previous
    chain_hash || canonical bytes of the event). Insert-only, like the events.
    """

    seq = models.BigIntegerField(primary_key=True)
    event_id = models.BigIntegerField(unique=True)
    chain_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"seq {self.seq}: event {self.event_id}"


class AuditSeal(models.Model):
    """One sealing run: the range of chain positions it covered and the chain head after it."""

    sealed_at = models.DateTimeField()
    first_seq = models.BigIntegerField()
    last_seq = models.BigIntegerField(unique=True)
    head_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["last_seq"]

    def __str__(self) -> str:
        return f"seal of seq {self.first_seq}-{self.last_seq}, head {self.head_hash}"
