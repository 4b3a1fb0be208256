"""Demo and development: embedded SQLite, demo data, mail printed to the console."""

import os

os.environ.setdefault("SAMSPIL_SECRET_KEY", "dev-only-not-secret-0f6c1d0e4b8a4c2e9d7f")
# Demo CPR keys: fixed, NOT SECRET (they decode to "...-only-NOT-SECRET-..."); never use them in production.
os.environ.setdefault("SAMSPIL_CPR_KEY", "ZGV2LW9ubHktTk9ULVNFQ1JFVC1jcHItYWVzLWtleS4=")
os.environ.setdefault("SAMSPIL_CPR_LOOKUP_KEY", "ZGV2LW9ubHktTk9ULVNFQ1JFVC1jcHItaG1hYy1rZXk=")

from .base import *  # noqa: F403
from .base import env

DEBUG = True
SAMSPIL_SCOPING_GUARD = True
EMAIL_BACKEND = env("SAMSPIL_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

(BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405  (the embedded SQLite database lives here)
