"""The only Jinja environment a document template is parsed or rendered in (issue 11, finding 1).

A .docx template is administrator input, and an administrator's account can be taken over: treat
its Jinja source as hostile. Two layers, both here:

1. An allow-list over the parsed template (`Policy.check`, run by `SafeEnvironment._parse` on every
   source Jinja compiles, so at upload *and* again at render): the names of the fields of the
   document's kind, `{% if %}` over them, one level of `{% for x in <list field> %}`, `x.<item
   name>` for the rows of a table and `loop.index`-style counters, a few filters with short
   constant arguments. No other attribute or item access, no calls, no `_` names, no arithmetic,
   no `{% set %}`, macros, imports, includes, blocks or `{% autoescape %}`. A refusal names the tag
   in Chinese (`不允许的模板标签：{{ case_number.__class__ }}（不允许访问属性）`).
2. `jinja2.sandbox.ImmutableSandboxedEnvironment`, narrowed further: no attribute of any object is
   safe (only dict keys and the loop counters are reachable), nothing is callable, an unsafe
   access raises `SecurityError` at once, no globals, only the allowed filters and tests.

`plain()` reduces the context to strings, Decimals, dates, ints, bools and lists/dicts of them
before rendering, so no model object or function is reachable even through a missed hole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

LOOP_ATTRS = frozenset({"index", "index0", "revindex", "revindex0", "first", "last", "length"})
# Filters that only read their value and whose output stays about the size of their input.
# Never "safe" (raw XML into the document), "replace"/"center"/"indent" (output size set by the template).
FILTERS = ("default", "d", "join", "length", "count", "trim", "first", "last", "upper", "lower", "truncate")
TESTS = ("defined", "undefined", "none")
MAX_CONST_CHARS = 20
MAX_CONST_INT = 10_000
STATEMENT_TAGS: dict[type[nodes.Node], str] = {
    nodes.Assign: "set", nodes.AssignBlock: "set", nodes.Macro: "macro", nodes.CallBlock: "call",
    nodes.FilterBlock: "filter", nodes.With: "with", nodes.Block: "block", nodes.Include: "include",
    nodes.Import: "import", nodes.FromImport: "from", nodes.Extends: "extends", nodes.ExprStmt: "do",
    nodes.ScopedEvalContextModifier: "autoescape", nodes.EvalContextModifier: "autoescape",
    nodes.Scope: "autoescape", nodes.OverlayScope: "scope",  # Jinja wraps {% autoescape %} in a Scope
}
COMPARE_OPS = frozenset({"eq", "ne", "gt", "gteq", "lt", "lteq", "in", "notin"})


class TemplateRefused(SecurityError):
    """A template tag outside the allow-list; the message is Chinese and names the tag."""


@dataclass(frozen=True)
class Policy:
    """What one kind's template may use: its field names, which are lists, and the keys of list rows."""

    fields: frozenset[str]
    lists: Mapping[str, frozenset[str]] = field(default_factory=dict)  # list field -> keys of its rows

    @staticmethod
    def names(template: nodes.Template) -> set[str]:
        """Return the names TEMPLATE reads that are not its own loop variables (no code generated)."""
        own = {n.target.name for n in template.find_all(nodes.For) if isinstance(n.target, nodes.Name)}
        return {n.name for n in template.find_all(nodes.Name) if n.ctx == "load"} - own - {"loop"}

    def check(self, template: nodes.Template) -> set[str]:
        """Return the field names TEMPLATE uses; raise TemplateRefused at the first tag not allowed."""
        used: set[str] = set()
        _Checker(self, used).statements(template.body, {})
        return used


def _show(node: nodes.Node) -> str:
    """Return NODE as template text (approximately as written), for the refusal message."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Const):
        return repr(node.value) if isinstance(node.value, str) else str(node.value)
    if isinstance(node, nodes.Getattr):
        return f"{_show(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{_show(node.node)}[{_show(node.arg)}]"
    if isinstance(node, nodes.Slice):
        return ":".join(_show(n) if n is not None else "" for n in (node.start, node.stop, node.step))
    if isinstance(node, nodes.Call):
        args = [_show(a) for a in node.args] + [f"{k.key}={_show(k.value)}" for k in node.kwargs]
        return f"{_show(node.node)}({', '.join(args)})"
    if isinstance(node, (nodes.Filter, nodes.Test)):
        args = [_show(a) for a in node.args] + [f"{k.key}={_show(k.value)}" for k in node.kwargs]
        inner = _show(node.node) if node.node is not None else ""
        sep = "|" if isinstance(node, nodes.Filter) else " is "
        return f"{inner}{sep}{node.name}" + (f"({', '.join(args)})" if args else "")
    if isinstance(node, nodes.BinExpr):
        return f"{_show(node.left)} {node.operator} {_show(node.right)}"
    if isinstance(node, nodes.UnaryExpr):
        return f"{node.operator} {_show(node.node)}"
    if isinstance(node, (nodes.Tuple, nodes.List)):
        return f"[{', '.join(_show(i) for i in node.items)}]"
    if isinstance(node, nodes.Compare):
        return " ".join([_show(node.expr), *(f"{o.op} {_show(o.expr)}" for o in node.ops)])
    return "…"


class _Checker:
    def __init__(self, policy: Policy, used: set[str]) -> None:
        self.policy = policy
        self.used = used

    # scope: loop variable -> the list field it walks ("loop" -> "" for the counters)

    def refuse(self, tag: str, reason: str) -> None:
        raise TemplateRefused(f"不允许的模板标签：{tag}（{reason}）")

    def statements(self, body: Iterable[nodes.Node], scope: dict[str, str]) -> None:
        for node in body:
            self.statement(node, scope)

    def statement(self, node: nodes.Node, scope: dict[str, str]) -> None:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    self.expr(child, scope, "{{{{ {} }}}}")
        elif isinstance(node, nodes.If):
            self.expr(node.test, scope, "{{% if {} %}}")
            self.statements(node.body, scope)
            for elif_ in node.elif_:
                self.statement(elif_, scope)
            self.statements(node.else_, scope)
        elif isinstance(node, nodes.For):
            self.loop(node, scope)
        else:
            tag = STATEMENT_TAGS.get(type(node), type(node).__name__.lower())
            target = getattr(node, "target", None)
            shown = f"{{% {tag} {_show(target)} … %}}" if isinstance(target, nodes.Name) else f"{{% {tag} … %}}"
            self.refuse(shown, "模板中只允许使用占位符、if 判断和对列表的 for 循环")

    def loop(self, node: nodes.For, scope: dict[str, str]) -> None:
        shown = f"{{% for {_show(node.target)} in {_show(node.iter)} %}}"
        if scope:
            self.refuse(shown, "不允许嵌套循环")
        if node.recursive:
            self.refuse(shown + "（recursive）", "不允许递归循环")
        target = node.target
        if not isinstance(target, nodes.Name) or target.name.startswith("_") or target.name == "loop":
            self.refuse(shown, "循环变量应为一个不以下划线开头的名称")
        assert isinstance(target, nodes.Name)
        it = node.iter
        if not isinstance(it, nodes.Name):
            self.expr(it, scope, "{{{{ {} }}}}")  # name an attribute chain or call in it first
        if not isinstance(it, nodes.Name) or it.name not in self.policy.lists:
            self.refuse(shown, "只能对本文书提供的列表循环")
        assert isinstance(it, nodes.Name)
        self.used.add(it.name)
        inner = {target.name: it.name, "loop": ""}
        if node.test is not None:
            self.expr(node.test, {target.name: it.name}, shown.replace(" %}", " if {} %}"))
        self.statements(node.body, inner)
        self.statements(node.else_, scope)

    def expr(self, node: nodes.Node, scope: dict[str, str], wrap: str) -> None:
        def refuse(reason: str, shown: nodes.Node = node) -> None:
            self.refuse(wrap.format(_show(shown)), reason)

        if isinstance(node, nodes.Name):
            if node.name.startswith("_"):
                refuse("不允许使用以下划线开头的名称")
            if node.name in scope:
                return
            if node.name not in self.policy.fields:
                refuse("本文书没有该占位符")
            self.used.add(node.name)
        elif isinstance(node, nodes.Const):
            if not _short_const(node.value):
                refuse("常量过长")
        elif isinstance(node, (nodes.Getattr, nodes.Getitem)):
            inner = node.node
            if isinstance(node, nodes.Getattr):
                key: Any = node.attr
            elif isinstance(node.arg, nodes.Const):
                key = node.arg.value
            else:
                key = None
            if not isinstance(inner, nodes.Name) or inner.name not in scope:
                if not isinstance(inner, nodes.Name):
                    self.expr(inner, scope, wrap)  # name the innermost offence first
                refuse("不允许访问属性" if isinstance(node, nodes.Getattr) else "不允许取下标")
            assert isinstance(inner, nodes.Name)
            walked = scope[inner.name]
            allowed = LOOP_ATTRS if inner.name == "loop" and walked == "" else self.policy.lists.get(walked, frozenset())
            if not isinstance(key, str) or key.startswith("_") or key not in allowed:
                refuse("不允许访问属性" if isinstance(node, nodes.Getattr) else "不允许取下标")
        elif isinstance(node, (nodes.Filter, nodes.Test)):
            if node.node is not None:
                self.expr(node.node, scope, wrap)
            known = FILTERS if isinstance(node, nodes.Filter) else TESTS
            if node.name not in known:
                refuse(f"不允许的{'过滤器' if isinstance(node, nodes.Filter) else '判断'} {node.name}；"
                       f"可用：{'、'.join(known)}")
            if node.dyn_args is not None or node.dyn_kwargs is not None:
                refuse("过滤器参数只能是简短的常量")
            for arg in [*node.args, *(k.value for k in node.kwargs)]:
                if not isinstance(arg, nodes.Const) or not _short_const(arg.value):
                    refuse("过滤器参数只能是简短的常量")
        elif isinstance(node, nodes.Compare):
            self.expr(node.expr, scope, wrap)
            for op in node.ops:
                if op.op not in COMPARE_OPS:
                    refuse("不允许的比较")
                self.expr(op.expr, scope, wrap)
        elif isinstance(node, (nodes.And, nodes.Or)):
            self.expr(node.left, scope, wrap)
            self.expr(node.right, scope, wrap)
        elif isinstance(node, nodes.Not):
            self.expr(node.node, scope, wrap)
        elif isinstance(node, nodes.CondExpr):
            for part in (node.test, node.expr1, node.expr2):
                if part is not None:
                    self.expr(part, scope, wrap)
        elif isinstance(node, nodes.Concat):
            for part in node.nodes:
                self.expr(part, scope, wrap)
        elif isinstance(node, (nodes.Tuple, nodes.List)):
            for item in node.items:
                if not isinstance(item, nodes.Const):
                    refuse("列表中只能写常量")
                self.expr(item, scope, wrap)
        elif isinstance(node, nodes.Call):
            self.expr(node.node, scope, wrap)  # an attribute chain before the call is named first
            refuse("不允许调用函数或方法")
        else:
            refuse("不允许的表达式（模板中不做运算）")


def _short_const(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -MAX_CONST_INT <= value <= MAX_CONST_INT
    if isinstance(value, str):
        return len(value) <= MAX_CONST_CHARS
    return False  # floats, bytes, complex


class SafeEnvironment(ImmutableSandboxedEnvironment):
    """A sandbox that checks POLICY on every template it parses and reaches no attribute or callable."""

    # Arithmetic reaches call_binop/call_unop (and is refused): "a" * 10**9 is a gigabyte.
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})
    intercepted_unops = frozenset({"+", "-"})

    def __init__(self, policy: Policy) -> None:
        super().__init__(autoescape=True)
        self.policy = policy
        self.globals.clear()
        self.filters = {name: self.filters[name] for name in FILTERS}
        self.tests = {name: self.tests[name] for name in TESTS}

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        template = super()._parse(source, name, filename)
        self.policy.check(template)
        return template

    def parse_unchecked(self, source: str) -> nodes.Template:
        return super()._parse(source, None, None)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return isinstance(obj, LoopContext) and attr in LOOP_ATTRS

    def wrap_str_format(self, value: Any) -> None:
        return None  # Jinja hands out a sandboxed str.format before asking is_safe_attribute; refuse it too

    def is_safe_callable(self, obj: Any) -> bool:
        return False

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        raise SecurityError(f"access to attribute {attribute!r} of a {type(obj).__name__!r} is not allowed")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        raise SecurityError("templates may not compute")

    def call_unop(self, context: Any, operator: str, arg: Any) -> Any:
        raise SecurityError("templates may not compute")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        raise SecurityError("templates may not call anything")


def plain(value: Any) -> Any:
    """Return VALUE as plain data (str, Decimal, date, int, bool, lists and dicts of them); TypeError otherwise.

    None becomes "" (a blank, as the documents print it). Subclasses (choice labels, lazy
    strings) become their base type, so no method of theirs is reachable from a template.
    """
    from django.utils.functional import Promise

    if value is None:
        return ""
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, Promise):
        return str.__str__(str(value))
    if isinstance(value, int):
        return int(value)
    if isinstance(value, Decimal):
        return Decimal(value)
    if isinstance(value, dt.datetime):
        return dt.datetime.fromisoformat(value.isoformat())
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str) or k.startswith("_"):
                raise TypeError(f"document context key {k!r} is not a plain name")
            out[str.__str__(k)] = plain(v)
        return out
    raise TypeError(f"document context value of type {type(value).__name__} is not plain data")
