"""Jiuzhu settings: one module, driven by environment variables (style.md bullet 37)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("JIUZHU_VAR_DIR", Path.cwd() / "var")).resolve()


def envbool(name: str, default: str = "False") -> bool:
    value = os.environ.get(name, default)
    if value not in ("True", "False"):
        raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")
    return value == "True"


def envsecret(name: str) -> str | None:
    """Read a secret from NAME or from the file named by NAME_FILE."""
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text().strip()
    return os.environ.get(name)


def _local_secrets() -> dict[str, str]:
    # A development machine without configured secrets gets random ones, kept in var/ (0600),
    # so that encrypted data stays readable across restarts.
    from jiuzhu.lib.secrets import load_or_create_local_secrets

    return load_or_create_local_secrets(VAR_DIR / "secrets.json")


DEBUG = envbool("JIUZHU_DEBUG", "False")
_secrets = None
if not (envsecret("SECRET_KEY") and envsecret("JIUZHU_FIELD_KEYS") and envsecret("JIUZHU_BLIND_INDEX_KEY")):
    _secrets = _local_secrets()
SECRET_KEY = envsecret("SECRET_KEY") or _secrets["SECRET_KEY"]  # type: ignore[index]
# AES-256-GCM keys for personal data at rest, base64, comma-separated; the first one encrypts.
FIELD_ENCRYPTION_KEYS = (envsecret("JIUZHU_FIELD_KEYS") or _secrets["JIUZHU_FIELD_KEYS"]).split(",")  # type: ignore[index]
# HMAC-SHA256 key of the blind indexes (equality lookups on encrypted values).
BLIND_INDEX_KEY = envsecret("JIUZHU_BLIND_INDEX_KEY") or _secrets["JIUZHU_BLIND_INDEX_KEY"]  # type: ignore[index]

ALLOWED_HOSTS = os.environ.get("JIUZHU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("JIUZHU_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "jiuzhu.orgs",
    "jiuzhu.accounts",
    "jiuzhu.people",
    "jiuzhu.calendar",
    "jiuzhu.rules",
    "jiuzhu.cases",
    "jiuzhu.funds",
    "jiuzhu.documents",
    "jiuzhu.support",
    "jiuzhu.custody",
    "jiuzhu.stats",
    "jiuzhu.audit",
    "jiuzhu.notifications",
    "jiuzhu.portal",
    "jiuzhu.api",
    "jiuzhu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "jiuzhu.urls"
WSGI_APPLICATION = "jiuzhu.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:worklist"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiuzhu.accounts.context_processors.membership",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'jiuzhu.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process and the background worker share the file; the timeout makes a
    # writer wait for the other's lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded case material lives outside every public path and is served only by access-checked views.
PRIVATE_MEDIA_ROOT = VAR_DIR / "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o600
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "style-src": ["'self'"],
    "script-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "jiuzhu": {"handlers": ["console"], "level": os.environ.get("JIUZHU_LOG_LEVEL", "INFO")},
        # Server errors with their tracebacks, also when DEBUG is off.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# Attachments: what the upload check accepts (also enforced by content sniffing).
ATTACHMENT_MAX_BYTES = int(os.environ.get("JIUZHU_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))

# The date policy (jiuzhu/lib/dates.py): no date before 1 January of JIUZHU_EARLIEST_YEAR (default 2000:
# the national aid rules date from 2014 and imported ledgers go back to 2018, so 2000 leaves room for old
# paper files while 0001-01-01 or 1900-01-01 is refused), and a future date (a plan, a period end) at
# most JIUZHU_LATEST_YEARS_AHEAD years ahead (default 30: custody for a new-born runs until they are 18).
JIUZHU_EARLIEST_YEAR = int(os.environ.get("JIUZHU_EARLIEST_YEAR", "2000"))
JIUZHU_LATEST_YEARS_AHEAD = int(os.environ.get("JIUZHU_LATEST_YEARS_AHEAD", "30"))

# Behind HTTPS (every real deployment): secure cookies, redirects and HSTS.
if envbool("JIUZHU_HTTPS", "False"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
