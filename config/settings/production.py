"""Production: HTTPS only, __Host- cookies, HSTS, PostgreSQL from DATABASE_URL (required)."""

import os

from django.core.exceptions import ImproperlyConfigured

if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("Production needs DATABASE_URL (PostgreSQL).")
if len(os.environ.get("SAMSPIL_SECRET_KEY", "")) < 50:
    raise ImproperlyConfigured("Production needs SAMSPIL_SECRET_KEY: at least 50 random characters.")

from .base import *  # noqa: F403
from .base import env_int

DEBUG = False
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SAMSPIL_HSTS_SECONDS", 63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
# The language choice is no secret, but every cookie is host-only, HTTPS-only and out of scripts' reach.
LANGUAGE_COOKIE_NAME = "__Host-language"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SAMSPIL_SCOPING_GUARD = False
EMAIL_TIMEOUT = env_int("SAMSPIL_EMAIL_TIMEOUT", 10)
