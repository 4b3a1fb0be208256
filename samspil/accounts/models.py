from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")


# django-stubs cannot follow the reverse relation from BackupCodeDevice (django-otp has no type hints).
class User(AbstractBaseUser):  # type: ignore[django-manager-missing]
    """A person who signs in: staff of a member organisation, a course participant, an administrator.

    Staff are personal data too, but the authentication machinery must find them by email; who may
    *list* or *see* other users is decided by the organisations' selectors.
    """

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("navn"), max_length=150)
    job_title = models.CharField(_("stilling"), max_length=150, blank=True)
    phone = models.CharField(_("telefon"), max_length=32, blank=True)
    preferred_language = models.CharField(
        _("sprog"), max_length=8, choices=[("da", "Dansk"), ("en", "English")], default="da"
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("bruger")
        verbose_name_plural = _("brugere")

    def __str__(self) -> str:
        return self.full_name or self.email

    # Django's auth and admin machinery ask these; Samspil decides access through capabilities.
    is_staff = False
    is_superuser = False

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return False

    def has_module_perms(self, app_label: str) -> bool:
        return False


class UserSession(models.Model):
    """A signed-in session of a user, so they can see their sessions and end them everywhere.

    The session data stays in Django's session store; this row ties the session key to the user and
    records when and from where it started. Ending a session deletes both.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"


BACKUP_CODE_SALT_BYTES = 16  # a unique random salt per code (ASVS 2.6.2 asks for at least 32 bits)
BACKUP_CODE_DIGEST_BYTES = 32  # SHA-256


class BackupCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A user's single-use backup codes, as one django-otp device (like django-otp's StaticDevice).

    Unlike StaticDevice it never stores a code: each code is kept as a random salt and a SHA-256
    digest (``BackupCode``), because ten characters from a 31-character alphabet (about 50 bits) are
    too few to store unsalted or in clear text (OWASP ASVS 2.6.2). A code is checked against every
    unused code of the device, and used up when it matches; every failure counts toward the device's
    throttling (1, 2, 4, 8 ... seconds), as with the authenticator apps.
    """

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_BACKUP_CODE_THROTTLE_FACTOR", 1))

    def verify_token(self, token: str) -> bool:
        """True if ``token`` is one of the unused codes, which is then deleted (used up).

        Call it on a device loaded with ``select_for_update`` so two requests cannot use one code at
        once or lose a failure count; the codes are locked as well. Every code is hashed and compared,
        whether or not an earlier one matched, so the time taken does not reveal which code it was.
        """
        if not self.verify_is_allowed()[0]:
            return False
        with transaction.atomic():
            match = None
            for code in self.codes.select_for_update().order_by("pk"):
                if code.matches(token) and match is None:
                    match = code
            if match is None:
                self.throttle_increment()
                return False
            match.delete()
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        return True


class BackupCode(models.Model):
    """One unused backup code: a random salt and SHA-256(salt || code), never the code itself.

    Using a code deletes its row; making new codes deletes them all first. (Codes made before this
    model existed were never carried over: there was no deployment holding any.)
    """

    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    salt = models.BinaryField(max_length=BACKUP_CODE_SALT_BYTES)
    digest = models.BinaryField(max_length=BACKUP_CODE_DIGEST_BYTES)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.lookups.Exact(Length("salt"), BACKUP_CODE_SALT_BYTES),
                name="backup_code_salt_length",
            ),
            models.CheckConstraint(
                condition=models.lookups.Exact(Length("digest"), BACKUP_CODE_DIGEST_BYTES),
                name="backup_code_digest_length",
            ),
        ]

    def __str__(self) -> str:
        return f"backup code {self.pk} of device {self.device_id}"

    @staticmethod
    def digest_of(salt: bytes, code: str) -> bytes:
        return hashlib.sha256(salt + code.encode("utf-8")).digest()

    @classmethod
    def for_code(cls, device: BackupCodeDevice, code: str) -> BackupCode:
        """An unsaved row for ``code`` with a fresh random salt."""
        salt = secrets.token_bytes(BACKUP_CODE_SALT_BYTES)
        return cls(device=device, salt=salt, digest=cls.digest_of(salt, code))

    def matches(self, code: str) -> bool:
        """Does ``code`` hash to this row's digest? (Constant-time comparison; uses nothing up.)"""
        return hmac.compare_digest(self.digest_of(bytes(self.salt), code), bytes(self.digest))
