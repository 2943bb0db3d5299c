"""The one settings module: every knob is an ACCORDO_* environment variable (see README)."""

from __future__ import annotations

import secrets
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from accordo.core.env import Env, email_settings, imap_mailbox

env = Env()
BASE_DIR = Path(__file__).resolve().parent.parent
# Under pytest (which imports this module) the test profile is the default: throw-away data folder,
# jobs run inline, mail kept in memory, fast password hashing.
TESTING = env.bool("TESTING", "pytest" in sys.modules)
_default_data_dir = tempfile.mkdtemp(prefix="accordo-test-") if TESTING else str(BASE_DIR / "data")
DATA_DIR = Path(env.str("DATA_DIR", _default_data_dir)).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", False)
HTTPS = env.bool("HTTPS", False)


def _secret_key() -> str:
    key = env.secret("SECRET_KEY")
    if key:
        if len(key) < 50:
            raise env.fail("SECRET_KEY", "must be at least 50 characters long")
        return key
    # Embedded mode: one random key, kept in the data folder so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
FIELD_ENCRYPTION_KEY = env.secret("FIELD_ENCRYPTION_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env.url("SITE_URL", "http://127.0.0.1:8000", ("http", "https")).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "huey.contrib.djhuey",
    "accordo.core",
    "accordo.accounts",
    "accordo.clients",
    "accordo.dossier",
    "accordo.deliveries",
    "accordo.approvals",
    "accordo.deadlines",
    "accordo.work",
    "accordo.filings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "accordo.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accordo.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After MessageMiddleware: the idle sign-out leaves a message for the login page.
    "accordo.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accordo.accounts.middleware.MfaEnrolmentMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "accordo.urls"
WSGI_APPLICATION = "accordo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "accordo" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accordo.core.context_processors.portal",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
_default_db = f"sqlite:///{DATA_DIR / 'accordo.sqlite3'}"
_db_url = env.url("DATABASE_URL", _default_db, ("sqlite", "postgres", "postgresql"))
try:
    _db = dj_database_url.parse(_db_url, conn_max_age=env.int("DB_CONN_MAX_AGE", 60, minimum=0))
except ValueError as exc:  # pragma: no cover - dj_database_url raises for malformed URLs
    raise ImproperlyConfigured(f"ACCORDO_DATABASE_URL: {exc}") from exc
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0 if TESTING else _db["CONN_MAX_AGE"]
    _db["OPTIONS"] = {
        # WAL; a 16 MB page cache and 256 MB of memory-mapped reads per connection (search, big lists).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; "
        "PRAGMA cache_size=-16384; PRAGMA mmap_size=268435456;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
IS_SQLITE = _db["ENGINE"] == "django.db.backends.sqlite3"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, background jobs -------------------------------------------------------------------
REDIS_URL = env.url("REDIS_URL", "", ("redis", "rediss"))
if REDIS_URL:
    # The cache lives in the next Redis database after the queue's, so clearing it never drops jobs.
    _redis = urlparse(REDIS_URL)
    try:
        _queue_db = int(_redis.path.strip("/") or 0)
    except ValueError as exc:
        raise env.fail("REDIS_URL", "the database after the host must be a number, e.g. redis://host:6379/0") from exc
    CACHE_REDIS_URL = _redis._replace(path=f"/{_queue_db + 1}").geturl()
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_REDIS_URL}}
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "accordo",
        "url": REDIS_URL,
        "immediate": env.bool("HUEY_IMMEDIATE", TESTING),
        "consumer": {
            "workers": env.int("WORKERS", 2, minimum=1),
            "worker_type": "thread",
            "flush_locks": True,
        },
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "accordo",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": env.bool("HUEY_IMMEDIATE", TESTING),
        "consumer": {
            "workers": env.int("WORKERS", 2, minimum=1),
            "worker_type": "thread",
            "flush_locks": True,
        },
    }

# --- Storage ---------------------------------------------------------------------------------
S3_BUCKET = env.str("S3_BUCKET")
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.url("S3_ENDPOINT_URL", "", ("http", "https")) or None,
            "region_name": env.str("S3_REGION", "eu-west-1"),
            "access_key": env.secret("S3_ACCESS_KEY") or None,
            "secret_key": env.secret("S3_SECRET_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "location": env.str("S3_PREFIX", ""),
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "files"), "base_url": "/files-not-served/"},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "accordo" / "static"]
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MAX_LOGO_BYTES = 2 * 1024 * 1024
# Every upload streams to a temporary file, hashed and sniffed on the way in (accordo/dossier/uploads.py).
FILE_UPLOAD_HANDLERS = ["accordo.dossier.uploads.HashingUploadHandler"]
FILE_UPLOAD_PERMISSIONS = 0o640
# Beside the stored files, so keeping an upload on local storage is a rename, not a second copy.
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "uploads-tmp")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)

# --- Accounts, login, 2FA ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "accordo.accounts.adapters.AccountAdapter"
MFA_ADAPTER = "accordo.accounts.adapters.MfaAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not HTTPS
MFA_TOTP_TOLERANCE = 1
MFA_RECOVERY_CODE_COUNT = 10

AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env.int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accordo.accounts.adapters.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_ENABLED = env.bool("AXES_ENABLED", True)
AXES_VERBOSE = False
# allauth's per-address limit is only a backstop above axes' lockout: were it equal, allauth would
# refuse the attempt first and the locked-out person would never see the lockout page.
ACCOUNT_RATE_LIMITS = {"login_failed": f"10/m/ip,{AXES_FAILURE_LIMIT * 2}/5m/key"}

SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60)
SESSION_COOKIE_AGE = env.int("SESSION_MAX_HOURS", 12, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
INVITATION_DAYS = env.int("INVITATION_DAYS", 14, minimum=1, maximum=90)

# --- Security headers -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_URL = env.str("EMAIL_URL", "memory://" if TESTING else "console://")
globals().update(email_settings(EMAIL_URL))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Accordo <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# E-mail-in (SPEC §4): delivery addresses <token>@domain and <token>+<tray>@domain, received by
# `manage.py mail_in` (SMTP) and/or fetched from a mailbox by the worker every minute (IMAP).
MAIL_IN_DOMAIN = env.domain("MAIL_IN_DOMAIN", "in.localhost")
MAIL_IN_SMTP = env.host_port("MAIL_IN_SMTP")
MAIL_IN_IMAP = imap_mailbox(env.secret("MAIL_IN_IMAP"))

# --- Languages, time --------------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "accordo_language"
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

# --- Logging ----------------------------------------------------------------------------------
LOG_LEVEL = env.choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}, "huey": {"level": "INFO", "propagate": False}},
}
