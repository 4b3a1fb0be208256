"""Tests: PostgreSQL when DATABASE_URL is set, otherwise SQLite; scoping guard on; fast hashing."""

import os
import tempfile

os.environ.setdefault("SAMSPIL_MEDIA_ROOT", tempfile.mkdtemp(prefix="samspil-test-media-"))
os.environ.setdefault("SAMSPIL_SECRET_KEY", "test-only-not-secret-7b1e9c3a5d2f4e6a8c0b")
# Demo CPR keys: fixed, NOT SECRET (they decode to "...-only-NOT-SECRET-..."); never use them in production.
os.environ.setdefault("SAMSPIL_CPR_KEY", "dGVzdC1vbmx5LU5PVC1TRUNSRVQtY3ByLWFlcy1rZXk=")
os.environ.setdefault("SAMSPIL_CPR_LOOKUP_KEY", "dGVzdC1vbmx5LU5PVC1TRUNSRVQtY3ByLWhtYWNrZXk=")

from .base import *  # noqa: F403

DEBUG = False
SAMSPIL_SCOPING_GUARD = True
# Argon2 stays first in base settings (asserted by a test); tests hash with a fast algorithm.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SAMSPIL_AUDIT_SEAL_LAG = __import__("datetime").timedelta(seconds=0)

(BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
