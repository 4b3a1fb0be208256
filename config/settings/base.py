"""Settings shared by every environment.

Every value that differs between installations comes from the environment. The defaults are the
secure ones: DEBUG is off, cookies are Secure only where HTTPS is known (production settings), and no
secret has a usable default outside the demo/dev and test settings.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


SECRET_KEY = env("SAMSPIL_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = [h.strip() for h in env("SAMSPIL_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o for o in env("SAMSPIL_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # the API docs page's own static files (Swagger UI), served from here, not a CDN
    "samspil.core",
    "samspil.audit",
    "samspil.accounts",
    "samspil.organisations",
    "samspil.citizens",
    "samspil.cases",
    "samspil.sharing",
    "samspil.training",
    "samspil.meetings",
    "samspil.concerns",
    "samspil.privacy",
    "samspil.stats",
    "samspil.demo",
]

MIDDLEWARE = [
    "samspil.core.middleware.RequestIdMiddleware",
    "samspil.audit.middleware.DeferredAuditMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "samspil.core.middleware.DanishByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "samspil.accounts.middleware.SessionLifetimeMiddleware",
    "samspil.accounts.middleware.MfaRequiredMiddleware",
    "samspil.organisations.middleware.ActiveMembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "samspil.core.middleware.PrivateCacheControlMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "samspil.organisations.context_processors.membership",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'samspil.sqlite3'}"),
        conn_max_age=env_int("SAMSPIL_DB_CONN_MAX_AGE", 0),
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "samspil.accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 256}},
]

# Sessions: server-side, new id at login (Django's login() cycles the key), idle and absolute limits.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SAMSPIL_SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("SAMSPIL_SESSION_IDLE_MINUTES", 30))
SAMSPIL_SESSION_ABSOLUTE_LIFETIME = timedelta(hours=env_int("SAMSPIL_SESSION_ABSOLUTE_HOURS", 12))
SESSION_COOKIE_AGE = int(SAMSPIL_SESSION_ABSOLUTE_LIFETIME.total_seconds())
SAMSPIL_SUDO_LIFETIME = timedelta(minutes=env_int("SAMSPIL_SUDO_MINUTES", 10))
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Lockout: per username *and* IP together, so an attacker behind a shared proxy cannot lock out
# everyone and a user is not locked out by someone else's guesses from another address.
AXES_FAILURE_LIMIT = env_int("SAMSPIL_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SAMSPIL_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "samspil.accounts.views.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_IPWARE_PROXY_COUNT = env_int("SAMSPIL_PROXY_COUNT", 0) or None
AXES_CLIENT_IP_CALLABLE = "samspil.accounts.lockout.client_ip"  # X-Forwarded-For only behind those proxies
AXES_USERNAME_CALLABLE = "samspil.accounts.lockout.lockout_username"  # case-insensitive, like the login
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Samspil"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_BACKUP_CODE_THROTTLE_FACTOR = 1  # samspil.accounts.models.BackupCodeDevice

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Dansk")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded files (course materials) live here and are served only through views that check access;
# there is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(env("SAMSPIL_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

# Training: how long a course certificate counts for the training gate, how far ahead members are
# told a refresher is due, and the largest material upload.
SAMSPIL_TRAINING_VALID_YEARS = env_int("SAMSPIL_TRAINING_VALID_YEARS", 3)
SAMSPIL_TRAINING_REFRESHER_NOTICE_DAYS = env_int("SAMSPIL_TRAINING_REFRESHER_NOTICE_DAYS", 90)
SAMSPIL_TRAINING_MAX_UPLOAD_MB = env_int("SAMSPIL_TRAINING_MAX_UPLOAD_MB", 20)

# Security headers. Strict CSP with nonces and no 'unsafe-inline'.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

EMAIL_BACKEND = env("SAMSPIL_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("SAMSPIL_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("SAMSPIL_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("SAMSPIL_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env("SAMSPIL_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SAMSPIL_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env("SAMSPIL_FROM_EMAIL", "Samspil <noreply@samspil.invalid>")
SAMSPIL_BASE_URL = env("SAMSPIL_BASE_URL", "http://127.0.0.1:8000")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Audit: events are sealed into the hash chain once older than this lag, so that transactions that
# committed late are sealed in order rather than reported as inserted.
SAMSPIL_AUDIT_SEAL_LAG = timedelta(seconds=env_int("SAMSPIL_AUDIT_SEAL_LAG_SECONDS", 10))
SAMSPIL_AUDIT_SEAL_BATCH = env_int("SAMSPIL_AUDIT_SEAL_BATCH", 5000)
# CPR numbers: the AES-GCM key (encryption at rest) and the separate HMAC key (exact look-up), each
# base64 of 32 random bytes. No default: samspil.citizens.cpr raises ImproperlyConfigured the first
# time a CPR number is handled without them. Only the dev and test settings set non-secret demo keys.
SAMSPIL_CPR_KEY = os.environ.get("SAMSPIL_CPR_KEY")
SAMSPIL_CPR_LOOKUP_KEY = os.environ.get("SAMSPIL_CPR_LOOKUP_KEY")
# Querying a personal-data model without a selector raises in tests and development.
SAMSPIL_SCOPING_GUARD = env_bool("SAMSPIL_SCOPING_GUARD", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("SAMSPIL_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

FORM_RENDERER = "samspil.core.forms.DkfdsFormRenderer"
