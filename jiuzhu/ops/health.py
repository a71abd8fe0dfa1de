"""The readiness checks behind /readyz: each returns (ok, detail) and never shows personal data."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from jiuzhu.lib import clock

Check = tuple[bool, str]


def database() -> Check:
    with connections[DEFAULT_DB_ALIAS].cursor() as c:
        c.execute("SELECT 1")
    return True, connections[DEFAULT_DB_ALIAS].vendor


def migrations() -> Check:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return False, f"{len(plan)} 个迁移未执行 / {len(plan)} migrations not applied"
    return True, "all applied"


def worker() -> Check:
    from jiuzhu.ops.models import WorkerHeartbeat

    stale = float(getattr(settings, "JIUZHU_WORKER_STALE_SECONDS", 60))
    fresh = WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - dt.timedelta(seconds=stale)).count()
    if not fresh:
        return False, f"没有{int(stale)}秒内的后台任务进程心跳 / no worker heartbeat within {int(stale)} s"
    return True, f"{fresh} worker(s) alive"


_HOST_CACHE: dict[str, tuple[float, Check]] = {}


def _cached(name: str, fn: Callable[[], Check], seconds: float = 60) -> Check:
    """Checks of what is installed on the host run at most once a minute per process (fc-list is slow)."""
    now = time.monotonic()
    hit = _HOST_CACHE.get(name)
    if hit and now - hit[0] < seconds:
        return hit[1]
    result = fn()
    _HOST_CACHE[name] = (now, result)
    return result


def libreoffice() -> Check:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if not path:
        return False, "未安装 LibreOffice / soffice not found (apt-get install libreoffice-writer-nogui)"
    return True, "soffice present"


REQUIRED_FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC", "AR PL UKai CN")


def fonts() -> Check:
    if not shutil.which("fc-list"):
        return False, "fc-list not found (apt-get install fontconfig)"
    out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=10).stdout
    families = {f.strip() for line in out.splitlines() for f in line.split(",")}
    missing = [f for f in REQUIRED_FONTS if f not in families]
    if missing:
        return False, "缺少字体 / missing fonts: " + ", ".join(missing) + " (fonts-noto-cjk, fonts-arphic-ukai)"
    return True, "CJK fonts present"


def calendar() -> Check:
    from jiuzhu.calendar.models import CalendarYear

    year = clock.today().year + 1
    if not CalendarYear.objects.filter(year=year).exists():
        return False, (f"节假日表未录入{year}年 / the holiday table does not cover {year}: "
                       "enter the State Council's schedule in the admin")
    return True, f"covers {year}"


CHECKS: dict[str, Callable[[], Check]] = {
    "database": database, "migrations": migrations, "worker": worker,
    "libreoffice": lambda: _cached("libreoffice", libreoffice), "fonts": lambda: _cached("fonts", fonts),
    "calendar": calendar,
}


def run_checks() -> dict[str, dict[str, object]]:
    results: dict[str, dict[str, object]] = {}
    for name, fn in CHECKS.items():
        if name != "database" and not results.get("database", {}).get("ok", True):
            results[name] = {"ok": False, "detail": "skipped: database unreachable"}
            continue
        try:
            ok, detail = fn()
        except Exception as e:  # a check that raises is a failed check, never a 500
            ok, detail = False, f"{type(e).__name__}"
        results[name] = {"ok": ok, "detail": detail}
    return results
