"""docs/operations.md and deploy/test/run-doc.py (the harness that runs the doc's commands on a sandboxed
bare machine in .ci/run) agree: every ```bash block is either run by it or pinned with who runs it, and
every substitution the harness makes still finds its text. The run itself is `.ci/run`'s last stage."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _harness():
    spec = importlib.util.spec_from_file_location("run_doc", ROOT / "deploy" / "test" / "run-doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_bash_block_of_the_doc_is_known_to_the_harness():
    rd = _harness()
    text = rd.DOC.read_text()
    assert rd.check_doc(text) == []
    run = [phase for *_, phase, _pin, _who in rd.BLOCKS if phase]
    assert run == ["install", "first-login", "backup", "restore", "upgrade", "rollback"]
    # The script runs each of those blocks whole, in the doc's order.
    script = rd.script_of(text)
    for section, index, code in rd.bash_blocks(text):
        phase = next(p for s, i, p, *_ in rd.BLOCKS if (s, i) == (section, index))
        if phase:
            assert f"__harness begin {phase}" in script
            for line in code.splitlines():
                for old, new in rd.SUBSTITUTE.get(phase, []):
                    line = line.replace(old.rstrip("\n"), new.rstrip("\n"))
                assert line in script


def test_a_new_or_changed_block_is_refused():
    rd = _harness()
    text = rd.DOC.read_text()
    added = text.replace("## 2. Health, metrics, logs\n", "## 2. Health, metrics, logs\n\n```bash\necho hi\n```\n")
    assert any("does not know" in p for p in rd.check_doc(added))
    pinned = text.replace("pg_ctlcluster 15 replica start", "pg_ctlcluster 15 replica restart")
    assert any("changed" in p for p in rd.check_doc(pinned))
    gone = text.replace("git clone <the Jiuzhu repository> /opt/jiuzhu", "git clone https://x /opt/jiuzhu")
    assert any("substitute" in p for p in rd.check_doc(gone))
    moved = text.replace("gettext poppler-utils python3-venv\n", "gettext poppler-utils python3-venv curl\n")
    assert any("line to follow" in p for p in rd.check_doc(moved))
