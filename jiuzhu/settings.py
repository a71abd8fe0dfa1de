"""Jiuzhu settings: one module, driven by environment variables (style.md bullet 37)."""

from __future__ import annotations

import datetime
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
if not (envsecret("SECRET_KEY") and envsecret("JIUZHU_FIELD_KEYS") and envsecret("JIUZHU_BLIND_INDEX_KEY")
        and envsecret("JIUZHU_AUDIT_KEY")):
    _secrets = _local_secrets()
SECRET_KEY = envsecret("SECRET_KEY") or _secrets["SECRET_KEY"]  # type: ignore[index]
# AES-256-GCM keys for personal data at rest, base64, comma-separated; the first one encrypts.
FIELD_ENCRYPTION_KEYS = (envsecret("JIUZHU_FIELD_KEYS") or _secrets["JIUZHU_FIELD_KEYS"]).split(",")  # type: ignore[index]
# HMAC-SHA256 key of the blind indexes (equality lookups on encrypted values).
BLIND_INDEX_KEY = envsecret("JIUZHU_BLIND_INDEX_KEY") or _secrets["JIUZHU_BLIND_INDEX_KEY"]  # type: ignore[index]
# HMAC-SHA256 key of the audit trail's hash chains (audit/chain.py): kept out of the database so that
# someone who can write to it cannot recompute a chain. Never change it on a running installation.
AUDIT_KEY = envsecret("JIUZHU_AUDIT_KEY") or _secrets["JIUZHU_AUDIT_KEY"]  # type: ignore[index]

# --- Encryption at rest (issue 11, finding 4) ---
# Cipher of new field values and stored files: "aes-256-gcm" (default) or "sm4-gcm" (GM/T 0002). Values
# carry their cipher and key id, so a switch reads the old ones; `jiuzhu rotate-keys` moves them over.
FIELD_CIPHER = os.environ.get("JIUZHU_CIPHER", "aes-256-gcm")
if FIELD_CIPHER not in ("aes-256-gcm", "sm4-gcm"):
    raise ImproperlyConfigured(f"JIUZHU_CIPHER must be aes-256-gcm or sm4-gcm, not {FIELD_CIPHER!r}")
# Blind indexes: "hmac-sha256" (default) or "hmac-sm3"; changing it needs `jiuzhu rotate-keys` at once.
BLIND_INDEX_ALG = os.environ.get("JIUZHU_BLIND_INDEX_ALG", "hmac-sha256")
if BLIND_INDEX_ALG not in ("hmac-sha256", "hmac-sm3"):
    raise ImproperlyConfigured(f"JIUZHU_BLIND_INDEX_ALG must be hmac-sha256 or hmac-sm3, not {BLIND_INDEX_ALG!r}")
# Stored files written before they were encrypted (no Jiuzhu header) are refused unless this is True;
# `jiuzhu rotate-keys` encrypts them whatever it says.
PRIVATE_FILES_READ_PLAINTEXT = envbool("JIUZHU_PRIVATE_FILES_READ_PLAINTEXT", "False")

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
    # Before django_tasks_db: its `db_worker` command (with a heartbeat) replaces the upstream one.
    "jiuzhu.ops",
    "django_tasks_db",
    # Staff login hardening (issue 11 finding 3): lockout after failed logins, TOTP second factor.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
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
    "jiuzhu.lib.i18n.StaffChineseMiddleware",  # only the applicant portal follows the chosen language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "jiuzhu.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the Chinese login page
]

ROOT_URLCONF = "jiuzhu.urls"
# Domain events: the subscriber table (jiuzhu/lib/events.py, issue 12).
JIUZHU_SUBSCRIBERS = "jiuzhu.subscribers.SUBSCRIBERS"
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
# Staff screens speak Chinese only; the applicant portal (/apply/) also speaks Standard Tibetan (issue 16).
# Django ships no 'bo' locale: jiuzhu/lib/i18n.py adds it to LANG_INFO; the catalogue is ours
# (jiuzhu/locale/bo/LC_MESSAGES/django.po, compiled to .mo at set-up, never committed).
LANGUAGES = [("zh-hans", "简体中文"), ("bo", "བོད་ཡིག")]
PORTAL_LANGUAGES = ["zh-hans", "bo"]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "jiuzhu_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# ISO dates first among the input formats: a date widget renders its value in the first one (jiuzhu/formats/).
FORMAT_MODULE_PATH = ["jiuzhu.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The Tibetan web font is Tibetan Machine Uni from the Debian package fonts-tibetan-machine (GPL-1+, THDL;
# served unmodified with its licence beside it, docs/translations/README.md), found in /usr/share/fonts and
# served as static/fonts/ (jiuzhu/lib/fonts.py): nothing is copied into the repository.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "jiuzhu.lib.fonts.SystemFontFinder",
]
# Uploaded case material lives outside every public path and is served only by access-checked views.
PRIVATE_MEDIA_ROOT = VAR_DIR / "private"
STORAGES = {
    # Every stored file is encrypted (envelope, streaming): jiuzhu/lib/storage.py.
    "default": {"BACKEND": "jiuzhu.lib.storage.EncryptedFileSystemStorage",
                "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None}},
    # collectstatic's output is public and nginx (www-data) serves it: world-readable, unlike uploads.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage",
                    "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755}},
}
FILE_UPLOAD_PERMISSIONS = 0o600
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

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

# --- Staff login (issue 11 finding 3; MLPS: lockout after failed logins, session timeout) ---------


def envint(name: str, default: int, minimum: int = 1) -> int:
    value = os.environ.get(name, str(default))
    if not value.isdigit() or int(value) < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number ≥ {minimum}, not {value!r}")
    return int(value)


AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out user before any password check
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout per user name + client address after this many failures, for this long.
AXES_FAILURE_LIMIT = envint("JIUZHU_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("JIUZHU_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "jiuzhu.lib.netaddr.client_ip"
AXES_LOCKOUT_CALLABLE = "jiuzhu.accounts.lockout.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # also keeps tries at user names that do not exist
AXES_ENABLE_ADMIN = False  # jiuzhu.accounts.lockout registers a scoped admin with an unlock action

# Second factor (TOTP, backup codes). When JIUZHU_2FA_REQUIRED is on (the default), a user holding
# any role of JIUZHU_2FA_ROLES (and every superuser) must enrol and verify before anything else, and
# the admin site needs a verified second factor. A user who enrolled always verifies.
JIUZHU_2FA_REQUIRED = envbool("JIUZHU_2FA_REQUIRED", "True")
JIUZHU_2FA_ROLES = [r for r in os.environ.get(
    "JIUZHU_2FA_ROLES", "dept_head,deputy_chief,chief,finance,admin").split(",") if r]
OTP_TOTP_ISSUER = "救助"
JIUZHU_BACKUP_CODES = 10

# A session ends after this many idle minutes, and in any case this many hours after login.
JIUZHU_SESSION_IDLE_MINUTES = envint("JIUZHU_SESSION_IDLE_MINUTES", 30)
JIUZHU_SESSION_MAX_HOURS = envint("JIUZHU_SESSION_MAX_HOURS", 8)
SESSION_COOKIE_AGE = JIUZHU_SESSION_IDLE_MINUTES * 60

# Attachments: what the upload check accepts (also enforced by content sniffing).
ATTACHMENT_MAX_BYTES = int(os.environ.get("JIUZHU_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))

# The date policy (jiuzhu/lib/dates.py): no date before 1 January of JIUZHU_EARLIEST_YEAR (default 2000:
# the national aid rules date from 2014 and imported ledgers go back to 2018, so 2000 leaves room for old
# paper files while 0001-01-01 or 1900-01-01 is refused), and a future date (a plan, a period end) at
# most JIUZHU_LATEST_YEARS_AHEAD years ahead (default 30: custody for a new-born runs until they are 18).
JIUZHU_EARLIEST_YEAR = int(os.environ.get("JIUZHU_EARLIEST_YEAR", "2000"))
JIUZHU_LATEST_YEARS_AHEAD = int(os.environ.get("JIUZHU_LATEST_YEARS_AHEAD", "30"))

# Reverse proxies whose X-Forwarded-For is believed (CIDRs, comma-separated; default none: the
# client's address is REMOTE_ADDR). Read only by jiuzhu.lib.netaddr.client_ip.
from jiuzhu.lib.netaddr import parse_networks as _parse_networks  # noqa: E402

TRUSTED_PROXIES = [str(n) for n in _parse_networks(os.environ.get("JIUZHU_TRUSTED_PROXIES", "").split(","))]

# The SMS gateway: the dotted path of a class with send(to, text) (default: the file backend, which writes
# var/sms-outbox.log). Checked when the apps load (jiuzhu.notifications.apps): a wrong path stops the start.
JIUZHU_SMS_BACKEND = os.environ.get("JIUZHU_SMS_BACKEND", "jiuzhu.notifications.sms.FileBackend").strip()

# --- Deployment security (issue 11; README "安全设置 / Security settings") -------------------------------
# Secure by default: HTTPS only, secure cookies, HSTS. The local demo (scripts/run, plain http on
# 127.0.0.1) and the test suite turn it off with JIUZHU_HTTPS=False; a real deployment never does.
HTTPS = envbool("JIUZHU_HTTPS", "True")
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("JIUZHU_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("JIUZHU_HSTS_INCLUDE_SUBDOMAINS", "True")
    SECURE_HSTS_PRELOAD = envbool("JIUZHU_HSTS_PRELOAD", "True")
# The reverse proxy's X-Forwarded-Proto is believed only when a trusted proxy is configured; without
# one, a client could claim https itself.
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Argon2id for staff passwords (the PBKDF2 hashes of existing users are upgraded at their next login).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Which secrets came from the development file var/secrets.json instead of the environment:
# `check --deploy` refuses a deployment that relies on it (jiuzhu/audit/checks.py).
SECRETS_FROM_LOCAL_FILE = sorted(
    name for name in ("SECRET_KEY", "JIUZHU_FIELD_KEYS", "JIUZHU_BLIND_INDEX_KEY", "JIUZHU_AUDIT_KEY")
    if not envsecret(name)
)
# --- end of deployment security -----------------------------------------------------------------

# --- Operations (issue 14): worker heartbeat, health, logs, metrics, read replica ---------------
# A worker's heartbeat every N seconds; a RUNNING task whose worker is silent for STALE seconds is
# queued again (the worker was killed). /readyz wants a heartbeat younger than STALE.
JIUZHU_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("JIUZHU_WORKER_HEARTBEAT_SECONDS", "10"))
JIUZHU_WORKER_STALE_SECONDS = float(os.environ.get("JIUZHU_WORKER_STALE_SECONDS", "60"))
# Every request is logged once and counted for /metrics (first, so that it times everything).
MIDDLEWARE.insert(0, "jiuzhu.ops.logs.RequestLogMiddleware")
# JIUZHU_LOG_FORMAT=json: one JSON object per line (request id, user id, org, path, status, duration).
if os.environ.get("JIUZHU_LOG_FORMAT", "text") == "json":
    LOGGING["formatters"] = {"json": {"()": "jiuzhu.ops.logs.JsonFormatter"}}
    LOGGING["handlers"]["console"]["formatter"] = "json"
    LOGGING["loggers"]["django_tasks_db"] = {"handlers": ["console"], "level": "INFO", "propagate": False}
elif os.environ.get("JIUZHU_LOG_FORMAT", "text") != "text":
    raise ImproperlyConfigured("JIUZHU_LOG_FORMAT must be text or json")
# /metrics answers a bearer token (JIUZHU_METRICS_TOKEN or _FILE) or addresses in JIUZHU_METRICS_ALLOW
# (comma-separated IPs/CIDRs); with neither it is a 404.
JIUZHU_METRICS_TOKEN = envsecret("JIUZHU_METRICS_TOKEN") or ""
JIUZHU_METRICS_ALLOW = [a.strip() for a in os.environ.get("JIUZHU_METRICS_ALLOW", "").split(",") if a.strip()]
# Read replica (optional): the statistics screen, the exports and the API's statistics read from it.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["jiuzhu.ops.router.ReplicaRouter"]
MIDDLEWARE.append("jiuzhu.ops.router.ReplicaMiddleware")
JIUZHU_REPLICA_VIEWS = ["stats:index", "stats:drill", "stats:export", "stats:ledger", "cases:export",
                        "funds:export", "api:stats"]
