"""Settings for the test suite: fixed keys, fast hashing, files in a temporary folder."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789")
os.environ.setdefault("JIUZHU_FIELD_KEYS", "dGVzdC1maWVsZC1rZXktMzItYnl0ZXMtbG9uZy0wMTI=")
os.environ.setdefault("JIUZHU_BLIND_INDEX_KEY", "test-blind-index-key")
os.environ.setdefault("JIUZHU_AUDIT_KEY", "test-audit-chain-key")
os.environ.setdefault("JIUZHU_HTTPS", "False")  # the test client and live_server speak plain http
# Most suites log in with force_login and no second factor; the 2FA tests turn enforcement on.
os.environ.setdefault("JIUZHU_2FA_REQUIRED", "False")
os.environ.setdefault("JIUZHU_VAR_DIR", tempfile.mkdtemp(prefix="jiuzhu-test-"))

from jiuzhu.settings import *  # noqa: E402,F403
from jiuzhu.settings import DATABASES, PRIVATE_MEDIA_ROOT, STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
                          "OPTIONS": STORAGES["staticfiles"]["OPTIONS"]}  # production's file modes
STORAGES["default"]["OPTIONS"]["location"] = str(PRIVATE_MEDIA_ROOT)  # type: ignore[index]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["JIUZHU_VAR_DIR"], "test.sqlite3")}
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WHITENOISE_AUTOREFRESH = True
