"""The bad-input corpus on every API operation (`/api/v1/…`, from the OpenAPI schema): each leaf of a valid
JSON body, each query parameter and each path parameter replaced by each value, wrong JSON types included;
an operation with no driver here fails the test."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from jiuzhu.tests_security.corpus import (
    CORPUS,
    FULL,
    JSON_CORPUS,
    Tally,
    changed,
    leaves,
    quote_segment,
    replace_leaf,
    rolled_back,
    sample,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("sessions_in_cookies")


def test_it_survives_the_corpus_on_every_api_operation(world, client, api_token) -> None:
    from jiuzhu.portal.tests.helpers import ANSWERS

    auth = {"Authorization": f"Bearer {api_token}"}
    tally = Tally()
    client.raise_request_exception = False
    schema = client.get("/api/v1/openapi.json", headers=auth).json()
    operations = [(path, method) for path, item in schema["paths"].items() for method in item]
    application = {
        "client_reference": "corpus-1", "org": "540528",
        "applicant": {**{k: v for k, v in ANSWERS["applicant"].items()}, "phone": "13800138000"},
        "victim": {"same_as_applicant": True, "victim_name": "", "victim_id_number": "",
                   "victim_condition": "injured"},
        "case": {k: v for k, v in ANSWERS["case"].items() if k != "org"},
        "harm": ANSWERS["harm"], "received": ANSWERS["received"], "bank": ANSWERS["bank"]}
    bodies = {"/api/v1/applications": application,
              "/api/v1/clues": {"client_reference": "corpus-2", "org": "540528", "person_name": "次仁",
                                "id_number": "", "phone": "13800138000", "original_case_number": "",
                                "charge": "", "summary": "办案中发现被害人生活困难。"}}
    queries = {"/api/v1/cases": {"changed_since": "2026-01-01T00:00:00+08:00", "limit": "10"},
               "/api/v1/stats": {"from": "2026-01-01", "to": "2026-06-30", "org": "540528"}}
    case = world.to("accepted")
    paths = {"/api/v1/cases/{number}": "number", "/api/v1/submissions/{client_reference}": "client_reference"}

    def check(response: Any, before: dict[str, str], label: str) -> None:
        tally.requests += 1
        tally.statuses[response.status_code] += 1
        if response.status_code >= 500:
            tally.failures.append(f"{response.status_code} {label}")
        elif response.status_code >= 400:
            tally.refusals += 1
            if moved := changed(before, snapshot()):
                tally.failures.append(f"refused but wrote {moved}: {label}")

    for path, method in operations:
        tally.forms.add(f"{method} {path}")
        if path in bodies:
            body = bodies[path]
            for leaf in leaves(body):
                tally.fields.add(f"{path}:{'.'.join(map(str, leaf))}")
                for raw in JSON_CORPUS if FULL else random.Random(str(leaf)).sample(JSON_CORPUS, 6):
                    tally.values.add(raw)
                    with rolled_back():
                        before = snapshot()
                        r = client.post(path, replace_leaf(body, leaf, raw), content_type="application/json",
                                        headers=auth)
                        check(r, before, f"POST {path} {leaf}={raw[:30]}")
            for raw in ("[]", "null", '"x"', "{", "\x00", json.dumps(body) + "x"):  # the whole body wrong
                with rolled_back():
                    before = snapshot()
                    check(client.post(path, raw, content_type="application/json", headers=auth), before,
                          f"POST {path} body={raw[:20]!r}")
        elif path in queries:
            params = queries[path]
            for name in params:
                tally.fields.add(f"{path}:{name}")
                for value in sample(f"{path}:{name}"):
                    tally.values.add(repr(value))
                    with rolled_back():
                        before = snapshot()
                        check(client.get(path, {**params, name: value}, headers=auth), before,
                              f"GET {path} {name}={str(value)[:30]!r}")
        elif path in paths:
            name = paths[path]
            tally.fields.add(f"{path}:{name}")
            for value in [case.number, *[v for v in CORPUS if isinstance(v, str) and v]]:
                tally.values.add(repr(value))
                url = path.replace("{" + name + "}", quote_segment(value))
                with rolled_back():
                    before = snapshot()
                    check(client.get(url, headers=auth), before, f"GET {path} {name}={value[:30]!r}")
        else:
            tally.failures.append(f"operation {method.upper()} {path} has no corpus driver: add it above")
    print(tally.report("api"))
    assert len(tally.forms) >= 6, tally.report("api")
    assert not tally.failures, "\n".join(tally.failures[:50])

