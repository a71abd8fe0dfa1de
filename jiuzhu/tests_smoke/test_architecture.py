"""The shape of the house (issue 12, docs/architecture.md): one direction for every import, small
modules, short functions, and views that write nothing themselves.

- The layers and the other import contracts are import-linter's (pinned; `[tool.importlinter]` in
  pyproject.toml): an app imports only the layers below it.
- No import circle between modules (function-level imports included), found here with grimp.
- No private name (`_x`) imported from another app.
- No application module over 600 lines, no function over 80.
- No model write in a view module: a view validates, calls an action, answers.
Tests and migrations are outside these rules.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]  # the jiuzhu package
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def _is_app_code(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return not any(p in ("migrations", "tests") or p.startswith(("tests_", "test_")) for p in parts) \
        and path.name not in ("conftest.py", "testing.py")


def _app_modules() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if _is_app_code(p))


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def test_the_import_contracts_are_kept() -> None:
    """import-linter's layers and forbidden contracts (run as `lint-imports`)."""
    done = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
                           "sys.exit(lint_imports(no_cache=True, no_logo=True))"],
                          cwd=ROOT.parent, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout and " kept" in done.stdout, done.stdout[-2000:]


def _import_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph("jiuzhu", include_external_packages=False)
    app = {_module_name(p) for p in _app_modules()}
    return {m: {i for i in graph.find_modules_directly_imported_by(m) if i in app} for m in sorted(app)
            if m in graph.modules}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    component.append(m)
                    if m == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_round_a_circle() -> None:
    cycles = _cycles(_import_graph())
    assert cycles == [], "import circles: " + "; ".join(" ⇄ ".join(c) for c in cycles)


def _app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else module


def test_no_private_name_is_imported_from_another_app() -> None:
    found = []
    for path in _app_modules():
        here = _app_of(_module_name(path))
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("jiuzhu."):
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private and _app_of(node.module + ".x") != here:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.module} import {', '.join(private)}")
    assert found == []


def test_modules_and_functions_stay_small() -> None:
    too_long = []
    for path in _app_modules():
        source = path.read_text()
        if (n := len(source.splitlines())) > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {n} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}(): {length} lines")
    assert too_long == []


WRITES = {"save", "delete", "create", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}


def _through(node: ast.AST, names: set[str]) -> bool:
    """Whether the call chain NODE passes through an attribute in NAMES (`X.objects...`, `.filter(...)`)."""
    while isinstance(node, (ast.Attribute, ast.Call)):
        if isinstance(node, ast.Attribute) and node.attr in names:
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def model_writes(source: str) -> list[str]:
    """The calls in SOURCE that write a model: `.save()`, `.delete()`, `X.objects.create(...)`, a queryset's
    `.update(...)` and the like."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if (name in {"save", "delete"} or (name in WRITES and _through(node.func.value, {"objects"}))
                    or (name == "update" and _through(node.func.value, {"objects", "filter", "exclude", "all"}))):
                found.append(f"{node.lineno}: {ast.unparse(node)[:80]}")
    return found


def test_the_write_finder_finds_writes() -> None:
    source = ("def v(r):\n    att.save()\n    CaseEvent.objects.create(case=c)\n"
              "    Notification.objects.filter(x=1).update(read=True)\n    context.update(a=1)\n    obj.delete()\n")
    assert [w.split(":")[0] for w in model_writes(source)] == ["2", "3", "4", "6"]


def _view_modules() -> list[Path]:
    return [p for p in _app_modules() if p.name == "views.py" or p.parent.name == "views"
            or p.name.endswith("_views.py")]


@pytest.mark.parametrize("path", _view_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_view_writes_a_model(path: Path) -> None:
    assert model_writes(path.read_text()) == [], "views call actions; the writes belong there"
