"""The console command itself (contracts §2): fresh SQLite databases, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from jiuzhu.stats.tests.helpers import comparable, reference, shannan_ledger, workbook

JIUZHU = str(Path(sys.executable).with_name("jiuzhu"))


def _run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiuzhu.settings_test", "DATABASE_URL": f"sqlite:///{db}",
           "JIUZHU_VAR_DIR": str(db.parent)}
    return subprocess.run([JIUZHU, *args], env=env, capture_output=True, text=True, timeout=300, check=False)


def test_ledger_into_an_empty_database_export_and_again(tmp_path) -> None:
    import datetime as dt

    first = tmp_path / "a" / "db.sqlite3"
    first.parent.mkdir()
    assert _run(first, "migrate", "-v0").returncode == 0
    assert _run(first, "load-demo", "--orgs-only").returncode == 0
    second = tmp_path / "b" / "db.sqlite3"
    second.parent.mkdir()
    shutil.copy(first, second)  # the same empty base: organisations and staff, no cases

    rows = shannan_ledger()
    ledger_file = tmp_path / "shannan.xlsx"
    ledger_file.write_bytes(workbook(rows))
    done = _run(first, "import-ledger", str(ledger_file))
    assert done.returncode == 0 and done.stdout.strip() == "导入 46 件，跳过 0 件（已存在）"
    stats = json.loads(_run(first, "stats", "--from", "2022-01-01", "--to", "2023-06-07", "--org", "540500",
                            "--json").stdout)
    assert comparable(stats) == reference(rows, "540500", dt.date(2022, 1, 1), dt.date(2023, 6, 7))
    assert (stats["cases"], stats["persons"], stats["amount_yuan"]) == (42, 42, "533000.00")
    text = _run(first, "press-release", "--from", "2022-01-01", "--to", "2023-06-07", "--org", "540500",
                "--compare-from", "2018-01-01", "--compare-to", "2021-12-31").stdout
    assert "42件42人" in text and "53.3万元" in text and "10倍" in text
    text = _run(first, "press-release", "--from", "2018-01-01", "--to", "2022-12-31", "--org", "540500").stdout
    assert "46件46人" in text and "84.8万元" in text

    exported = tmp_path / "out.xlsx"
    assert _run(first, "export-ledger", str(exported), "--from", "2018-01-01", "--to", "2022-12-31").returncode == 0
    assert _run(second, "import-ledger", str(exported)).returncode == 0
    for args in (["--from", "2018-01-01", "--to", "2022-12-31"], ["--from", "2022-03-01", "--to", "2022-09-30",
                                                                   "--org", "540528"]):
        a = json.loads(_run(first, "stats", *args, "--json").stdout)
        b = json.loads(_run(second, "stats", *args, "--json").stdout)
        assert a == b

    # Bad input: a Chinese message, exit 1, never a traceback.
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([{**rows[0], "案件编号": "新-1", "救助金额(元)": "十万"}]))
    for args, message in [
        (["stats", "--from", "2022-02-30", "--to", "2022-12-31"], "不是有效日期"),
        (["stats", "--from", "2022-01-01", "--to", "2022-12-31", "--org", "不存在的院"], "找不到检察院"),
        (["press-release", "--from", "2022-01-01", "--to", "2022-12-31", "--compare-from", "2018-01-01"], "同时填写"),
        (["import-ledger", str(tmp_path / "missing.xlsx")], "找不到文件"),
        (["import-ledger", str(bad)], "第2行 救助金额(元): “十万”不是有效金额"),
        (["export-ledger", str(tmp_path / "no" / "x.xlsx"), "--from", "2022-01-01", "--to", "2022-12-31"], "目录不存在"),
    ]:
        result = _run(first, *args)
        assert result.returncode == 1, args
        assert message in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert (tmp_path / "bad.errors.xlsx").exists()
