"""`jiuzhu assess FILE.json`: prints the §7 answer; bad input gives a Chinese message, exit 1, no traceback."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.core.management import execute_from_command_line as run
from django.db import connection

from jiuzhu.rules.assess import assess
from jiuzhu.rules.models import WageBase

pytestmark = pytest.mark.django_db

GOOD = {"org": "540528", "category": "E1", "refusal_grounds": ["X5"], "decision_date": "2026-11-29",
        "requested_yuan": "50000.00"}


def write(tmp_path: Path, content: str | bytes, name: str = "facts.json") -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def test_it_prints_the_answer_as_indented_chinese_json(tibet, tmp_path) -> None:
    out = io.StringIO()
    call_command("assess", write(tmp_path, json.dumps(GOOD)), stdout=out)
    text = out.getvalue()
    assert json.loads(text) == assess(GOOD)
    assert "部门负责人" in text and "\\u" not in text
    assert text.startswith('{\n  "eligible": false,\n  "reasons": [')


def test_it_reads_standard_input_for_a_dash(tibet) -> None:
    out = io.StringIO()
    call_command("assess", "-", stdin=io.StringIO(json.dumps(GOOD, ensure_ascii=False)), stdout=out)
    assert json.loads(out.getvalue())["cap_yuan"] == "428400.00"


def test_it_accepts_a_file_with_a_byte_order_mark(tibet, tmp_path) -> None:
    out = io.StringIO()
    call_command("assess", write(tmp_path, "\ufeff" + json.dumps(GOOD)), stdout=out)
    assert json.loads(out.getvalue())["base_year"] == 2025


BAD = [
    ({**GOOD, "extra": 1}, "未知的键：extra"),
    ("{\"org\": ", "不是有效的JSON"),
    ({**GOOD, "decision_date": "2026-02-30"}, "“decision_date”（决定日期）“2026-02-30”不是有效的日期"),
    ({**GOOD, "category": "E9"}, "“category”（救助情形）“E9”无效"),
    ({**GOOD, "requested_yuan": "12.345"}, "“requested_yuan”（拟救助金额）“12.345”不是有效的金额"),
    ({**GOOD, "requested_yuan": -1}, "“requested_yuan”（拟救助金额）必须大于0"),
    ({**GOOD, "org": "999999"}, "找不到检察院“999999”"),
]


@pytest.mark.parametrize(("content", "message"), BAD)
def test_it_refuses_a_malformed_file_with_a_chinese_message(tibet, tmp_path, content, message) -> None:
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    with pytest.raises(CommandError, match=message) as e:
        call_command("assess", write(tmp_path, text))
    assert e.value.returncode == 1


def test_it_says_when_the_file_is_missing_or_not_utf8(tibet, tmp_path) -> None:
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("assess", str(tmp_path / "nowhere.json"))
    with pytest.raises(CommandError, match="不是 UTF-8"):
        call_command("assess", write(tmp_path, json.dumps({**GOOD, "org": "加查县人民检察院"},
                                                          ensure_ascii=False).encode("gb18030")))


def run_command_line(monkeypatch, capsys, *argv: str) -> tuple[int, str, str]:
    """Run `jiuzhu assess …` as the console does (run_from_argv), in this process and transaction."""
    # run_from_argv closes the connections when it ends; inside the test's transaction that would
    # break it, so keep the test's connection open.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as e:
        run(["jiuzhu", "assess", *argv])
        raise SystemExit(0)
    captured = capsys.readouterr()
    return int(e.value.code or 0), captured.out, captured.err


@pytest.mark.parametrize(("content", "message"), BAD)
def test_the_console_exits_1_with_the_message_and_no_traceback(tibet, tmp_path, monkeypatch, capsys, content,
                                                               message) -> None:
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    code, out, err = run_command_line(monkeypatch, capsys, write(tmp_path, text))
    assert code == 1 and out == ""
    assert message in err and "Traceback" not in err


def test_the_console_exits_1_when_the_wage_base_is_missing(tibet, tmp_path, monkeypatch, capsys) -> None:
    WageBase.objects.filter(year=2025).delete()
    code, out, err = run_command_line(monkeypatch, capsys, write(tmp_path, json.dumps(GOOD)))
    assert code == 1 and out == ""
    assert "西藏自治区（540000）没有2025年的职工月平均工资基数，请系统管理员在“工资基数”中录入。" in err
    assert "Traceback" not in err


def test_the_console_prints_the_answer_and_exits_0(tibet, tmp_path, monkeypatch, capsys) -> None:
    code, out, err = run_command_line(monkeypatch, capsys, write(tmp_path, json.dumps(GOOD)))
    assert code == 0 and json.loads(out) == assess(GOOD)


def database_url() -> str | None:
    """Return a DATABASE_URL for the test database, for a command run in another process."""
    s = connection.settings_dict
    if connection.vendor == "sqlite" and s["NAME"] and not str(s["NAME"]).startswith(("file:", ":memory:")):
        return f"sqlite:///{s['NAME']}"
    if connection.vendor == "postgresql":
        return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return None


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "不是有效的JSON"),
    (json.dumps({**GOOD, "org": "999999"}), "找不到检察院“999999”"),  # reads the (migrated) test database
])
def test_the_installed_command_prints_no_traceback(db, tmp_path, content, message) -> None:
    url = database_url()
    if url is None:
        pytest.skip("the test database cannot be reached from another process")
    env = {**os.environ, "DATABASE_URL": url}
    jiuzhu = Path(sys.executable).parent / "jiuzhu"
    # --skip-checks: Django's SQLite JSON check opens a write transaction, which would wait for this
    # test's open transaction (SQLite has one writer); reads, which the command does, do not wait.
    done = subprocess.run([str(jiuzhu), "assess", "--skip-checks", write(tmp_path, content)],
                          capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr and done.stdout == ""
