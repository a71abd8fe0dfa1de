"""The bad-input corpus (issue 11, "Done when"): every form, every API operation, no 500, nothing written.

This module is the sweeps' shared machinery; the sweeps are test_bad_input_staff.py (every staff screen of
cases, funds, support, custody, intake and statistics, as each role), test_bad_input_portal.py (the
applicants' portal) and test_bad_input_api.py (every API operation).

Forms are found, not listed: as each role of the demo staff (and an applicant on the portal), the test
crawls the links of the staff screens from `/` (and the portal from `/apply/`) over cases at every step,
parses every `<form>` of every page, and fills one field at a time with values of the corpus while
the other fields keep plausible valid defaults. Each request runs in a savepoint that is rolled back,
so every value meets the same state. Asserted for every request: the status is below 500; and when
the answer is a refusal (a 4xx, a form re-rendered with errors, or an error message before a
redirect) no row of any table changed (a hash of every table's rows before and after).

The API is driven the same way from valid payloads of each operation (`/api/v1/…`): each leaf of the
JSON body or each query parameter replaced by each value, wrong JSON types included.

Bounded run time: `CORPUS_PER_FIELD` values per field (a fixed-seed sample, the same every run);
`JIUZHU_CORPUS=all` sends the whole corpus to every field. The figures are printed at the end
(`-s` shows them): forms, fields, values, requests.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.forms import BaseForm
from django.urls import Resolver404, resolve

from jiuzhu.lib import clock

# The corpus: the list, and what the red team's payloads looked like.
CORPUS: list[Any] = [
    "",
    "测" * 10_000,
    "\x00",
    "a\x00b",
    "' OR '1'='1' --",
    "1; DROP TABLE cases_aidcase; --",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    "-1",
    "-100000.00",
    "NaN",
    "Infinity",
    "1e309",
    "0.001",
    "99999999999999999999",
    "١٢٣",  # Arabic-Indic digits: str.isdigit() is true, int() accepts them
    "²",  # isdigit() is true, int() refuses it
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "../../etc/passwd",
    ["a", "b"],  # a list where one value is expected (the same name twice in the form data)
]
CORPUS_PER_FIELD = 3
FULL = os.environ.get("JIUZHU_CORPUS") == "all"
# Tables a refused request may legitimately write: the session, the API's call log and its clients' last use
# (ApiClient.last_used_at), rate-limit counters, the one-time-password devices' throttling counters (a wrong
# code counts against the device) and the audit trail, which records refusals such as a failed 2FA code
# (issue 11 finding 9) in its hash chain.
IGNORED_TABLES = re.compile(r"^(django_session|api_apicalllog|api_apiclient|axes_.*|.*ratelimit.*|.*throttle.*"
                            r"|otp_totp_totpdevice|otp_static_staticdevice|audit_auditentry|audit_chainhead)$")
# Pages whose forms are outside this corpus: Django's admin (its own forms; scoped by accounts/admin),
# logout (a POST that ends the crawl's session).
SKIP_PATHS = re.compile(r"^/(admin/|logout/|apply/logout/)")


# ---------------------------------------------------------------------------------------------
# Parsing forms and links


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, checkbox, radio, hidden, file, date, number, …
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    page: str
    action: str
    method: str
    multipart: bool
    fields: dict[str, Field] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page, self.forms, self.links = page, [], []  # type: ignore[var-annotated]
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(page=self.page, action=urljoin(self.page, a.get("action") or self.page),
                              method=(a.get("method") or "get").lower(),
                              multipart="multipart" in a.get("enctype", ""))
            self.forms.append(self._form)
        elif self._form is None or not a.get("name") and tag != "option":
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image"):
                self._form.buttons.append((a["name"], a.get("value", "")))
                return
            f = self._form.fields.get(a["name"])
            if f is None:
                f = self._form.fields[a["name"]] = Field(a["name"], kind, a.get("value", ""))
            if kind in ("checkbox", "radio"):
                f.options.append(a.get("value", "on"))
                f.checked = f.checked or "checked" in a
                if "checked" in a:
                    f.value = a.get("value", "on")
        elif tag == "button":
            self._form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = self._form.fields.setdefault(a["name"], Field(a["name"], "select"))
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")
        elif tag == "textarea":
            self._textarea = self._form.fields.setdefault(a["name"], Field(a["name"], "textarea"))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse(page: str, html: str) -> tuple[list[Form], list[str]]:
    p = _Parser(page)
    p.feed(html)
    return p.forms, p.links


# ---------------------------------------------------------------------------------------------
# Valid defaults, so that one bad field is what the form sees

PLAUSIBLE = {
    "phone": "13800138000", "id_number": "540528199001011239", "victim_id_number": "",
    "bank_account": "6228480123456789012", "account": "6228480000000000001", "amount": "100",
    "proposed_amount": "1000", "amount_due": "100", "person_times": "1", "household_size": "3",
    "plan": "100 {today}", "archive_number": "A-1", "document_number": "文-1", "bank_reference": "B-corpus",
    "code": "000000",
}


def defaults(form: Form) -> dict[str, Any]:
    today = clock.today().isoformat()
    data: dict[str, Any] = {}
    for f in form.fields.values():
        if f.kind == "file":
            continue
        if f.kind in ("checkbox",):
            if f.checked or f.options:
                data[f.name] = [o for o in f.options][:1] if not f.checked else [f.value]
            continue
        if f.kind in ("radio", "select"):
            choices = [o for o in f.options if o]
            data[f.name] = f.value or (choices[0] if choices else "")
            continue
        if f.value.strip():
            data[f.name] = f.value
        elif f.kind == "date" or f.name in ("on", "held_on", "provided_on", "taken_on", "served_on"):
            data[f.name] = today
        elif f.name in PLAUSIBLE:
            data[f.name] = PLAUSIBLE[f.name].format(today=today)
        elif f.kind == "number":
            data[f.name] = "1"
        elif f.kind != "hidden":
            data[f.name] = "语料测试。"
    return data


def files_for(form: Form) -> list[dict[str, Any]]:
    """The file corpus: none, empty, a script named .pdf, a real PDF with a hostile name."""
    names = [f.name for f in form.fields.values() if f.kind == "file"]
    if not names:
        return []
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return [{}, {n: SimpleUploadedFile("empty.pdf", b"") for n in names},
                {n: SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script>") for n in names},
                {n: SimpleUploadedFile("../../a\x00.pdf", pdf, content_type="application/pdf") for n in names},
                {n: SimpleUploadedFile("a.xlsx", b"PK\x03\x04 not a workbook") for n in names}]


# ---------------------------------------------------------------------------------------------
# The database snapshot and the refusal test


def snapshot() -> dict[str, str]:
    """A hash of every row of every table (but the session and logs a refusal may write)."""
    out = {}
    with connection.cursor() as c:
        for table in connection.introspection.table_names(c):
            if IGNORED_TABLES.match(table):
                continue
            c.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608 - table names from introspection
            out[table] = hashlib.sha256(repr(c.fetchall()).encode()).hexdigest()
    return out


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(t for t in after if before.get(t) != after[t])


def refused(response: Any) -> bool:
    """A 4xx, a bound form shown again with errors, or an error message before a redirect."""
    if 400 <= response.status_code < 500:
        return True
    request = getattr(response, "wsgi_request", None)
    storage = getattr(request, "_messages", None)
    if storage is not None and any(m.level >= message_levels.ERROR for m in getattr(storage, "_queued_messages", [])):
        return True
    if response.status_code == 200:
        for ctx in response.context or []:
            for value in (ctx.flatten() if hasattr(ctx, "flatten") else ctx).values():
                if isinstance(value, BaseForm) and value.is_bound and value.errors:
                    return True
    return False


@contextmanager
def rolled_back() -> Iterator[None]:
    """A savepoint rolled back afterwards; marked as the test case's own so durable actions may run."""
    atomic = transaction.atomic()
    atomic.__enter__()
    connection.atomic_blocks[-1]._from_testcase = True
    try:
        yield
    finally:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@dataclass
class Tally:
    forms: set[str] = field(default_factory=set)
    fields: set[str] = field(default_factory=set)
    values: set[str] = field(default_factory=set)
    requests: int = 0
    refusals: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def report(self, what: str) -> str:
        return (f"{what}: {len(self.forms)} forms, {len(self.fields)} fields, {len(self.values)} corpus values, "
                f"{self.requests} requests, {self.refusals} refusals checked, {len(self.failures)} failures; "
                f"statuses {dict(sorted(self.statuses.items()))}")


def sample(key: str) -> list[Any]:
    if FULL:
        return list(CORPUS)
    rng = random.Random(hashlib.sha256(key.encode()).hexdigest())  # fixed per field: the same every run
    return rng.sample(CORPUS, CORPUS_PER_FIELD)


def form_key(form: Form) -> str:
    path = urlsplit(form.action).path
    try:
        match = resolve(path)
        name = f"{match.namespace}:{match.url_name}" + "".join(
            f"/{v}" for k, v in sorted(match.kwargs.items()) if not isinstance(v, int) and k not in ("bidx", "code"))
    except Resolver404:
        name = path
    return f"{form.method} {name} {' '.join(sorted(form.fields))}"


def send(client: Any, form: Form, data: dict[str, Any], files: dict[str, Any], tally: Tally, label: str) -> None:
    path = urlsplit(form.action).path
    query = dict(parse_qsl(urlsplit(form.action).query))
    with rolled_back():
        before = snapshot()
        if form.method == "post":
            response = client.post(path + (f"?{urlsplit(form.action).query}" if query else ""), {**data, **files})
        else:
            response = client.get(path, {**query, **data})
        tally.requests += 1
        tally.statuses[response.status_code] += 1
        if response.status_code == 302 and response["Location"].startswith("/login/"):
            tally.failures.append(f"logged out by {form.method.upper()} {path} {label}")
        if response.status_code >= 500:
            tally.failures.append(f"{response.status_code} {form.method.upper()} {path} {label}")
        elif refused(response):
            tally.refusals += 1
            if moved := changed(before, snapshot()):
                tally.failures.append(f"refused but wrote {moved}: {form.method.upper()} {path} {label}")


def drive(client: Any, form: Form, tally: Tally) -> None:
    key = form_key(form)
    if key in tally.forms or SKIP_PATHS.match(urlsplit(form.action).path):
        return
    tally.forms.add(key)
    base = defaults(form)
    button = dict(form.buttons[:1])
    for f in form.fields.values():
        if f.kind == "file" or f.name == "csrfmiddlewaretoken":
            continue
        tally.fields.add(f"{key}:{f.name}")
        for value in sample(f"{key}:{f.name}"):
            tally.values.add(repr(value))
            send(client, form, {**base, **button, f.name: value}, {}, tally, f"{f.name}={str(value)[:40]!r}")
    for name, value in form.buttons or [("", "")]:  # the baseline once per submit button (send / verify / next)
        send(client, form, {**base, **({name: value} if name else {})}, {}, tally, f"button {name or '-'}")
    for i, files in enumerate(files_for(form)):
        send(client, form, {**base, **button}, files, tally, f"file variant {i}")


def crawl(client: Any, start: list[str], tally: Tally, *, limit: int = 250) -> list[Form]:
    """Every form on every page reachable by links from START (same site, GET, no downloads)."""
    seen: set[str] = set()
    queue = list(start)
    forms: list[Form] = []
    seen_shapes: set[str] = set()
    while queue and len(seen) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc or parts.scheme or not parts.path.startswith("/") or SKIP_PATHS.match(parts.path):
            continue
        # One page per shape: /cases/12/ and /cases/13/ differ only by the case, unless their step differs.
        page = parts.path + (f"?{parts.query}" if parts.query else "")
        if page in seen or parts.path.endswith((".xlsx", ".pdf", ".docx", ".csv", ".png", ".jpg")):
            continue
        seen.add(page)
        response = client.get(page)
        tally.requests += 1
        if response.status_code >= 500:
            tally.failures.append(f"{response.status_code} GET {page}")
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        found, links = parse(page, response.content.decode())
        for form in found:
            shape = form_key(form)
            if shape not in seen_shapes:
                seen_shapes.add(shape)
                forms.append(form)
        for link in links:
            target = urljoin(page, link.split("#")[0])
            if "page=" in target or "export" in target or "download" in target:
                continue
            queue.append(target)
    return forms




# ---------------------------------------------------------------------------------------------
# The API's JSON: each leaf of a valid body replaced by raw JSON text


JSON_CORPUS: list[str] = [  # raw JSON text, so that 1e309 (inf) and NUL escapes reach the parser as such
    '""', json.dumps("测" * 10_000), '"\\u0000"', '"\' OR 1=1 --"', '"<script>alert(1)</script>"', "-1",
    "1e309", "-1e309", "NaN", '"NaN"', '"0001-01-01"', '"9999-12-31"', "null", "true", "[]", '["a", {"b": 1}]',
    "{}", '{"$gt": ""}', "99999999999999999999999999",
]


def leaves(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for k, v in data.items():
            yield from leaves(v, (*path, k))
    if path:
        yield path


def replace_leaf(data: Any, path: tuple[Any, ...], raw: str) -> str:
    """DATA as JSON with the value at PATH replaced by the raw JSON text RAW."""
    marker = "\x01CORPUS\x01"
    copy = json.loads(json.dumps(data))
    node = copy
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = marker
    return json.dumps(copy, ensure_ascii=False).replace(json.dumps(marker), raw)



def quote_segment(value: str) -> str:
    return quote(value, safe="")
