"""No screen offers a button its user cannot use: for each demo role and each state of a case, every button and
link the case page shows leads to something that role may do (never a 403, a 404 or a server error).

Links are followed (GET); a case step's page is then submitted with its form filled as a person would; every
POST form is submitted with its own values (empty required fields filled in). Each submission runs in a
savepoint that is rolled back, so one button's effect never hides another's.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from jiuzhu.lib import clock

STATES = ["clue", "notified", "applied", "accepted", "under_review", "pending_approval", "granted", "served",
          "awaiting_payment", "paid", "follow_up", "closed", "archived"]
# Every demo role of the county that handles the case, and of the city and the region above it (who see it).
ROLES = ([("540528", r) for r in ("kongshen", "dept_head", "deputy_chief", "chief", "case_prosecutor", "finance")]
         + [("540500", r) for r in ("kongshen", "dept_head", "chief", "finance", "stats", "admin")]
         + [("540000", "kongshen")])


class _Page(HTMLParser):
    """The links and POST forms inside <main> (the navigation bar is not the case page's)."""

    def __init__(self) -> None:
        super().__init__()
        self.in_main = 0
        self.links: list[tuple[str, str]] = []
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._text: list[str] | None = None
        self._field: dict[str, Any] | None = None
        self._select: dict[str, Any] | None = None
        self._link: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "main":
            self.in_main += 1
        if not self.in_main:
            return
        if tag == "a" and a.get("href", "").startswith("/"):
            self._link = [a["href"], ""]
        elif tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": [],
                          "label": ""}
        elif self._form is not None and tag == "input":
            self._form["fields"].append({"name": a.get("name", ""), "type": a.get("type", "text"),
                                         "value": a.get("value", ""), "required": "required" in a,
                                         "checked": "checked" in a})
        elif self._form is not None and tag == "textarea":
            self._field = {"name": a.get("name", ""), "type": "textarea", "value": "", "required": "required" in a}
            self._text = []
        elif self._form is not None and tag == "select":
            self._select = {"name": a.get("name", ""), "type": "select", "options": [], "value": None,
                            "required": "required" in a, "multiple": "multiple" in a}
        elif self._select is not None and tag == "option":
            self._select["options"].append(a.get("value", ""))
            if "selected" in a:
                self._select["value"] = a.get("value", "")
        elif self._form is not None and tag == "button":
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)
        if self._link is not None:
            self._link[1] += data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.in_main -= 1
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], self._link[1]))
            self._link = None
        elif tag == "textarea" and self._field is not None and self._form is not None:
            self._field["value"] = "".join(self._text or [])
            self._form["fields"].append(self._field)
            self._field, self._text = None, None
        elif tag == "select" and self._select is not None and self._form is not None:
            self._form["fields"].append(self._select)
            self._select = None
        elif tag == "button" and self._form is not None:
            self._form["label"] += "".join(self._text or []).strip()
            self._text = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def filled(form: dict[str, Any]) -> dict[str, Any]:
    """FORM's values as shown, with empty required fields filled as a careful person would."""
    data: dict[str, Any] = {}
    today = clock.today().isoformat()
    for f in form["fields"]:
        name, kind = f["name"], f["type"]
        if not name or kind in {"submit", "file"}:
            continue
        if kind == "select":
            options = [o for o in f["options"] if o]
            value = f["value"] if f["value"] else (options[0] if options else "")
            data[name] = [value] if f["multiple"] else value
        elif kind in {"checkbox", "radio"}:
            if f["checked"] or (f["required"] and name not in data):
                data.setdefault(name, f["value"] or "on")
        elif f["value"]:
            data[name] = f["value"]
        elif f["required"] or kind == "date":
            data[name] = today if kind == "date" else ("1000" if kind == "number" else "测试填写")
    return data


def rolled_back(fn: Any) -> Any:
    """Run FN in a savepoint that is rolled back (marked as a test case's own, so durable actions may run)."""
    atomic = transaction.atomic()
    atomic.__enter__()
    connection.atomic_blocks[-1]._from_testcase = True
    try:
        return fn()
    finally:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def cases_in_every_state(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """One case of 加查县 in each state, built once for the module, rolled back afterwards."""
    from jiuzhu.conftest import World

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        connection.atomic_blocks[-1]._from_testcase = True
        try:
            world = World()
            yield world, {state: world.to(state).pk for state in STATES}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _ok(status: int) -> bool:
    return status not in {403, 404, 405} and status < 500


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize(("code", "role"), ROLES, ids=[f"{c}-{r}" for c, r in ROLES])
def test_it_offers_only_buttons_the_role_can_use(cases_in_every_state, db, code: str, role: str,
                                                 state: str) -> None:
    world, pks = cases_in_every_state
    client = Client()
    client.force_login(world.user(code, role))
    page_url = f"/cases/{pks[state]}/"
    response = client.get(page_url)
    if response.status_code != 200:  # outside the role's scope: no case page, so no buttons
        assert response.status_code in {403, 404}
        return
    page = parse(response.content.decode())
    broken: list[str] = []
    for href, label in page.links:
        if href.startswith(page_url) and href.rstrip("/") == page_url.rstrip("/"):
            continue
        r = client.get(href)
        if not _ok(r.status_code):
            broken.append(f"链接“{label}” {href} → {r.status_code}")
            continue
        if r.status_code == 200 and r.get("Content-Type", "").startswith("text/html"):  # a form page: submitted
            for form in parse(r.content.decode()).forms:
                if form["method"] == "post":
                    target = form["action"] or href
                    s = rolled_back(lambda t=target, f=form: client.post(t, filled(f)))
                    if not _ok(s.status_code):
                        broken.append(f"“{label}”提交 {target} → {s.status_code}")
    for form in page.forms:
        if form["method"] != "post":
            continue
        s = rolled_back(lambda f=form: client.post(f["action"] or page_url, filled(f)))
        if not _ok(s.status_code):
            broken.append(f"按钮“{form['label']}” {form['action']} → {s.status_code}")
    assert not broken, f"{code} {role} @ {state}:\n" + "\n".join(broken)


def test_it_lets_finance_record_the_funds_it_is_offered(cases_in_every_state, db) -> None:
    """The case seen in the issue: finance is offered 登记资金到位 on a served grant, and it works."""
    from jiuzhu.cases.models import AidCase

    world, pks = cases_in_every_state
    case = AidCase.objects.get(pk=pks["served"])
    world.ensure_cash(case)
    client = Client()
    client.force_login(world.user("540528", "finance"))
    page = parse(client.get(f"/cases/{case.pk}/").content.decode())
    assert ("登记资金到位" in [label for _, label in page.links])
    href = next(h for h, label in page.links if label == "登记资金到位")
    assert client.get(href).status_code == 200
    response = client.post(href, {"on": max(clock.today(), case.decided_on or clock.today()).isoformat()})
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.status == "awaiting_payment"
    # The city's finance staff see the county's case but may not take its steps: not offered, and refused.
    city = Client()
    city.force_login(world.user("540500", "finance"))
    other = AidCase.objects.get(pk=pks["served"])
    assert city.get(f"/cases/{other.pk}/").status_code == 200
    assert city.get(f"/cases/{other.pk}/record_funds/").status_code == 403
