"""deploy/: the nginx site passes `nginx -t`, the systemd units pass `systemd-analyze verify`, and both
agree with the app's settings (upload size, static folder, forwarded headers)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
SITE = (DEPLOY / "nginx" / "jiuzhu.conf").read_text()


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jiuzhu.example.gov.cn")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    crt, pem = folder / "fullchain.pem", folder / "privkey.pem"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    return crt, pem


@pytest.mark.skipif(not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists(),
                    reason="nginx is not installed (apt-get install nginx; .ci/run installs it)")
def test_nginx_site_is_valid(tmp_path: Path) -> None:
    crt, pem = _self_signed(tmp_path)
    site = (SITE.replace("/etc/jiuzhu/tls/fullchain.pem", str(crt)).replace("/etc/jiuzhu/tls/privkey.pem", str(pem))
            .replace("/var/log/nginx/", f"{tmp_path}/").replace("/var/lib/jiuzhu/static/", f"{tmp_path}/static/"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path};\n  include {tmp_path}/site.conf;\n}}\n")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    r = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "test is successful" in r.stderr, r.stderr


def test_nginx_site_matches_the_app() -> None:
    size = re.search(r"client_max_body_size (\d+)m;", SITE)
    assert size and int(size.group(1)) * 1024 * 1024 >= settings.ATTACHMENT_MAX_BYTES
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in SITE
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in SITE
    # Every proxied location (also /metrics) says https, else the HTTPS-only app answers a redirect.
    proxied = re.findall(r"location [^{]+\{[^}]*proxy_pass[^}]*\}", SITE)
    assert len(proxied) >= 2 and all("X-Forwarded-Proto $scheme" in loc for loc in proxied), proxied
    assert "alias /var/lib/jiuzhu/static/;" in SITE  # STATIC_ROOT with JIUZHU_VAR_DIR=/var/lib/jiuzhu
    assert str(settings.STATIC_ROOT).endswith("/static") and settings.STATIC_URL.strip("/") == "static"
    env = (DEPLOY / "jiuzhu.env.example").read_text()
    assert "JIUZHU_VAR_DIR=/var/lib/jiuzhu" in env and "JIUZHU_HTTPS=True" in env


def _systemd_analyze_works() -> bool:
    if not shutil.which("systemd-analyze"):
        return False
    r = subprocess.run(["systemd-analyze", "--version"], capture_output=True, timeout=30)
    return r.returncode == 0


@pytest.mark.skipif(not _systemd_analyze_works(), reason="systemd-analyze is not available here")
def test_systemd_units_verify(tmp_path: Path) -> None:
    venv_bin = ROOT / ".venv" / "bin"
    for unit in (DEPLOY / "systemd").iterdir():
        text = unit.read_text().replace("/opt/jiuzhu/.venv/bin/", f"{venv_bin}/")
        name = unit.name.replace("@.service", "@1.service")  # verify an instance of the template
        (tmp_path / name).write_text(text)
    units = sorted(str(p) for p in tmp_path.iterdir())
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", *units], capture_output=True, text=True,
                       timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    # A broken unit is caught (the check is real).
    bad = tmp_path / "broken.service"
    bad.write_text((tmp_path / "jiuzhu-web.service").read_text().replace("Restart=always", "Restart=sometimes"))
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", str(bad)], capture_output=True, text=True,
                       timeout=120, cwd=tmp_path)
    assert r.returncode != 0 or "sometimes" in r.stderr


def test_units_stop_gracefully_and_read_secrets_from_files() -> None:
    web = (DEPLOY / "systemd" / "jiuzhu-web.service").read_text()
    worker = (DEPLOY / "systemd" / "jiuzhu-worker@.service").read_text()
    for unit in (web, worker):
        assert "KillMode=mixed" in unit and "Restart=always" in unit
        assert "SECRET_KEY_FILE=%d/secret_key" in unit and "SECRET_KEY=" not in unit.replace("SECRET_KEY_FILE", "")
    assert "migrate --noinput" in web and "collectstatic --noinput" in web
    assert "--worker-id" not in worker.split("ExecStart=")[1].splitlines()[0]
    timer = (DEPLOY / "systemd" / "jiuzhu-backup.timer").read_text()
    assert "OnCalendar=" in timer and "jiuzhu backup" in (DEPLOY / "systemd" / "jiuzhu-backup.service").read_text()


def test_collectstatic_output_is_readable_by_nginx(tmp_path: Path, settings) -> None:
    """nginx's worker (www-data) serves STATIC_ROOT itself: collectstatic writes 0644 files in 0755
    folders although uploads are private (FILE_UPLOAD_PERMISSIONS 0600)."""
    import os

    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", "--noinput", "-v", "0")
    files = [p for p in settings.STATIC_ROOT.rglob("*") if p.is_file()]
    assert files and settings.FILE_UPLOAD_PERMISSIONS == 0o600
    assert {oct(os.stat(p).st_mode & 0o777) for p in files if not p.name.endswith(".gz")} == {"0o644"}
    assert {oct(os.stat(p).st_mode & 0o777) for p in settings.STATIC_ROOT.rglob("*") if p.is_dir()} == {"0o755"}
