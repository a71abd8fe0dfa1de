"""Deployment settings (issue 11): production environment variables give a clean `check --deploy`,
HTTPS-only defaults; the demo's settings (scripts/run) still serve plain http; errors never leak."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from base64 import b64encode
from pathlib import Path
from secrets import token_bytes, token_urlsafe

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path

JIUZHU = str(Path(sys.executable).parent / "jiuzhu")


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a production installation: every secret from a file, a public host name."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JIUZHU_", "SECRET_KEY", "DATABASE_URL", "DJANGO_"))}
    secrets = {"SECRET_KEY": token_urlsafe(50), "JIUZHU_FIELD_KEYS": b64encode(token_bytes(32)).decode(),
               "JIUZHU_BLIND_INDEX_KEY": token_urlsafe(32), "JIUZHU_AUDIT_KEY": token_urlsafe(32)}
    (tmp_path / "var").mkdir(exist_ok=True)
    for name, value in secrets.items():
        f = tmp_path / name.lower()
        f.write_text(value + "\n")
        f.chmod(0o600)
        env[f"{name}_FILE"] = str(f)
    env.update({
        "JIUZHU_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'db.sqlite3'}",
        "JIUZHU_ALLOWED_HOSTS": "jiuzhu.example.gov.cn",
        "JIUZHU_CSRF_TRUSTED_ORIGINS": "https://jiuzhu.example.gov.cn",
        "JIUZHU_TRUSTED_PROXIES": "127.0.0.1",
    })
    env.update(extra)
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([JIUZHU, "check", "--deploy", "--fail-level", "WARNING"], env=env,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_environment_variables(tmp_path: Path) -> None:
    run = check_deploy(production_env(tmp_path))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "System check identified no issues" in run.stdout
    assert run.stderr == ""


def test_check_deploy_refuses_secrets_from_the_development_file(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["JIUZHU_AUDIT_KEY_FILE"], env["SECRET_KEY_FILE"]
    run = check_deploy(env)
    assert run.returncode != 0
    assert "jiuzhu.W001" in run.stderr and "JIUZHU_AUDIT_KEY, SECRET_KEY" in run.stderr


def test_check_deploy_flags_the_demo_s_plain_http(tmp_path: Path) -> None:
    run = check_deploy(production_env(tmp_path, JIUZHU_HTTPS="False"))
    assert run.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in run.stderr


PROBE = """
import django, json
django.setup()
from django.test import Client
out = {}
for secure in (False, True):
    r = Client().get("/login/", secure=secure, headers={"host": "%s"})
    c = r.cookies.get("csrftoken")
    out[str(secure)] = {"status": r.status_code, "location": r.get("Location", ""),
                        "hsts": r.get("Strict-Transport-Security", ""),
                        "csp": r.get("Content-Security-Policy", ""),
                        "cookie_secure": bool(c and c["secure"]), "chinese": "登录" in r.content.decode()}
print(json.dumps(out))
"""


def probe(env: dict[str, str], host: str) -> dict:
    env = {**env, "DJANGO_SETTINGS_MODULE": "jiuzhu.settings"}
    run = subprocess.run([sys.executable, "-c", PROBE % host], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_the_demo_settings_still_serve_plain_http_on_loopback(tmp_path: Path) -> None:
    # As scripts/run starts it: JIUZHU_HTTPS=False, no secrets configured, host 127.0.0.1.
    env = {k: v for k, v in production_env(tmp_path).items() if not k.endswith("_FILE")}
    env.update({"JIUZHU_HTTPS": "False", "JIUZHU_ALLOWED_HOSTS": "127.0.0.1,localhost"})
    env.pop("JIUZHU_TRUSTED_PROXIES")
    got = probe(env, "127.0.0.1")["False"]
    assert got["status"] == 200 and got["chinese"], got
    assert got["location"] == "" and got["hsts"] == "" and not got["cookie_secure"]
    assert "script-src 'self'" in got["csp"]
    assert "JIUZHU_HTTPS=\"${JIUZHU_HTTPS:-False}\"" in (Path(__file__).parents[2] / "scripts" / "run").read_text()


def test_production_settings_redirect_to_https_and_send_hsts_and_secure_cookies(tmp_path: Path) -> None:
    got = probe(production_env(tmp_path), "jiuzhu.example.gov.cn")
    assert got["False"]["status"] == 301
    assert got["False"]["location"] == "https://jiuzhu.example.gov.cn/login/"
    secure = got["True"]
    assert secure["status"] == 200 and secure["chinese"]
    assert secure["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert secure["cookie_secure"]
    assert "default-src 'self'" in secure["csp"] and "frame-ancestors 'none'" in secure["csp"]


def test_the_proxy_header_is_believed_only_with_a_trusted_proxy(tmp_path: Path) -> None:
    script = "import django; django.setup(); from django.conf import settings; " \
             "print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))"
    for proxies, expected in (("", "None"), ("10.0.0.5", "('HTTP_X_FORWARDED_PROTO', 'https')")):
        env = {**production_env(tmp_path, JIUZHU_TRUSTED_PROXIES=proxies), "DJANGO_SETTINGS_MODULE": "jiuzhu.settings"}
        run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
        assert run.stdout.strip().splitlines()[-1] == expected, run.stderr


def test_passwords_are_hashed_with_argon2(tmp_path: Path) -> None:
    script = ("import django; django.setup(); from django.contrib.auth.hashers import make_password; "
              "print(make_password('Jiuzhu@2026-long'))")
    env = {**production_env(tmp_path), "DJANGO_SETTINGS_MODULE": "jiuzhu.settings"}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert run.stdout.strip().startswith("argon2$argon2id$"), run.stderr


# --- errors with DEBUG off --------------------------------------------------------------------


def boom(request: HttpRequest) -> HttpResponse:
    raise ZeroDivisionError("secret-internal-detail")


urlpatterns = [path("boom/", boom), path("", include("jiuzhu.urls"))]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_shows_a_chinese_page_and_no_traceback(django_user_model) -> None:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    client.force_login(django_user_model.objects.create_user("u1", password="x" * 12))
    r = client.get("/boom/")
    assert r.status_code == 500
    body = r.content.decode()
    assert "系统出错" in body and "请稍后重试" in body
    for leak in ("Traceback", "ZeroDivisionError", "secret-internal-detail", "File \"", "settings"):
        assert leak not in body
    r = client.get("/no-such-page/")
    assert r.status_code == 404
    assert "Page not found" not in r.content.decode() and "urlpatterns" not in r.content.decode()
