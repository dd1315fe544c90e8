"""Maillage settings: one module, everything configurable by environment variables.

MAILLAGE_DEPLOYMENT chooses between two postures:
- "production" (the default, so that a forgotten variable fails safe): SECRET_KEY and
  ALLOWED_HOSTS must be given, cookies are HTTPS-only, HSTS and SSL redirect are on.
- "local": the demo, development and the test suite. A secret key is generated once under
  var/, plain HTTP on loopback works.
docs/configuration.md lists every variable.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("MAILLAGE_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEPLOYMENT = os.environ.get("MAILLAGE_DEPLOYMENT", "production")
if DEPLOYMENT not in {"production", "local"}:
    raise ImproperlyConfigured("MAILLAGE_DEPLOYMENT must be 'production' or 'local'.")
PRODUCTION = DEPLOYMENT == "production"

DEBUG = env_bool("DEBUG", default=False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in production (or set MAILLAGE_DEPLOYMENT=local)."
        )
    # Local runs keep one generated key so that sessions survive a restart.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "ninja",
    "rules",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "maillage.core",
    "maillage.audit",
    "maillage.directory",
    "maillage.reviews",
    "maillage.families",
    "maillage.training",
    "maillage.referrals",
    "maillage.interop",
    "maillage.implementation",
    "maillage.evaluation",
    "maillage.seeding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "maillage.core.idle_session.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "maillage.core.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes last, as its documentation asks, so it sees the final response of a login.
    "axes.middleware.AxesMiddleware",
]

# Server-Timing: where each request's time went (Django, the views, the database, the
# garbage collector, waiting for a core or for a worker), in a response header. Off by
# default: the header tells any client how long the database took for its request, a
# timing side channel on data it may not see (docs/configuration.md); the benchmark and a
# deployment investigating its latency turn it on. Its cost is a few microseconds a query.
SERVER_TIMING = env_bool("SERVER_TIMING", default=False)
if SERVER_TIMING:
    MIDDLEWARE = [
        "maillage.core.server_timing.ServerTimingMiddleware",
        *MIDDLEWARE,
        "maillage.core.server_timing.ViewTimingMiddleware",
    ]

ROOT_URLCONF = "maillage.urls"
WSGI_APPLICATION = "maillage.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "maillage.core.context_processors.unread_notifications",
            ],
        },
    },
]

# Form widgets are rendered by Jinja2, more than twice as fast as Django's template
# language for the option-per-include markup of a select (BENCHMARKS.md); the pages
# themselves stay in Django templates.
FORM_RENDERER = "django.forms.renderers.Jinja2"

CACHES = {
    # Django's own default, named since another cache is added.
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # The coded transcripts' HTML, per worker process (evaluation/document_page.py): a
    # 20,000-word transcript with its thousand codings is some 0.5 MB of HTML, rendered once
    # per version of its codings instead of at every read. Its keys carry the digest of
    # what they show, so a process never serves an outdated one; the oldest go first.
    "transcripts": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "transcripts",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("TRANSCRIPT_CACHE_ENTRIES", "64"))},
    },
}

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'maillage.sqlite3'}"),
        # Each worker keeps its connection ten minutes: a new one costs its first request
        # a PostgreSQL backend's start and empty caches (the slowest 1 %, BENCHMARKS.md).
        # Health checks spare the first request after a database restart an error.
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # SQLite behind a web server (Django 5.2's backend reads all three options):
    # - WAL: readers never wait for the writer, nor the writer for readers (a seed or an
    #   import writes while the pages keep reading); synchronous=NORMAL is safe in WAL
    #   (a power cut may lose the last commits, never corrupts) and spares an fsync a commit.
    # - BEGIN IMMEDIATE: a write transaction takes the write lock when it opens, so two
    #   writers queue up front instead of failing mid-transaction (SQLITE_BUSY on upgrade).
    #   The price is that nothing slow may run inside one: services validate and run the
    #   de-identification guard before `transaction.atomic()`.
    # - timeout: how long a writer waits for the lock (sqlite3's busy timeout), in seconds.
    #   Write transactions last milliseconds; after 5 s something is wrong (a long import),
    #   and the request had better fail with an error than hold a worker longer.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 5,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

# Argon2 first: new passwords are hashed with it; others are upgraded at next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# OWASP ASVS 2.1: at least 12 characters, checked against common passwords,
# no composition rules.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "maillage.core.backends.PasswordBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout, counted two ways over the cool-off time (core/lockout.py):
# - the account AND the address together, after AXES_FAILURE_LIMIT failures: someone
#   hammering an account from elsewhere does not lock its owner out of their own office;
# - the address alone, across accounts, after the higher MAILLAGE_IP_FAILURE_LIMIT: one
#   password sprayed over many accounts from one address is stopped too, while a shared
#   office address (NAT) has room for its people's typos.
# A successful login clears its own account-and-address count only, never the address's.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
MAILLAGE_IP_FAILURE_LIMIT = int(os.environ.get("AXES_IP_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "maillage.core.lockout.AccountAndAddressLockout"
# The address is REMOTE_ADDR, as in the audit log: never a forwarded header a client could
# forge to escape the per-address count (docs/deployment.md: set it at the proxy).
AXES_CLIENT_IP_CALLABLE = "maillage.audit.services.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False

# Password reset requests, counted in the database over a sliding window: per e-mail
# address (known or not, the same) and per network address.
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "3"))
PASSWORD_RESET_LIMIT_PER_IP = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_IP", "20"))
PASSWORD_RESET_LIMIT_WINDOW = timedelta(
    minutes=int(os.environ.get("PASSWORD_RESET_LIMIT_MINUTES", "60"))
)

# Sessions end after inactivity: a request pushes the expiry forward, saving the session
# at most once a minute (core/idle_session.py), so an idle session ends up to a minute early.
# Django's database sessions, their row read by a query compiled once (core/session_store.py).
SESSION_ENGINE = "maillage.core.session_store"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_RENEW_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

OTP_TOTP_ISSUER = "Maillage"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The header only allows preloading; submitting the domain to browsers is a separate,
    # deliberate step (docs/deployment.md).
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    if env_bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Every asset is served by the app and no page carries inline script or style, so the
# policy can stay strict. (Django 5.2 LTS: the CSP header comes from django-csp; see
# docs/architecture.md for why we are not on Django 6.)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Montreal")
USE_TZ = True
LANGUAGE_COOKIE_NAME = "maillage_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION or env_bool("MAILLAGE_COLLECTED_STATIC", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Locally, assets are served straight from the apps (no collectstatic step); production
# serves the hashed, compressed copies that `collectstatic` writes to STATIC_ROOT.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Maillage <no-reply@maillage.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address people reach Maillage at, for links in e-mails.
# The header's unread count: the function that counts the user's unread notifications.
MAILLAGE_UNREAD_NOTIFICATIONS = "maillage.referrals.selectors.unread_notification_count"
MAILLAGE_BASE_URL = os.environ.get("MAILLAGE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Background work (e-mails, reminders) goes through the tasks queue, kept in the database:
# `maillage db_worker` runs it. The tests run tasks at once (TASKS_BACKEND).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# CSV imports are read whole in memory to validate every row before writing any.
# The access log's retention (audit/partitions.py): months older than this many years are
# archived to compressed, checksummed files in AUDIT_ARCHIVE_DIR by
# `maillage archive_audit_log`, and leave the database (PostgreSQL). 0 keeps everything.
AUDIT_RETENTION_YEARS = int(os.environ.get("AUDIT_RETENTION_YEARS", "0"))
AUDIT_ARCHIVE_DIR = Path(os.environ.get("AUDIT_ARCHIVE_DIR", VAR_DIR / "audit-archive"))
MAILLAGE_IMPORT_MAX_BYTES = int(os.environ.get("MAILLAGE_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAILLAGE_IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
