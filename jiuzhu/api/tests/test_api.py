"""The integration API: tokens, scopes, scoping by procuratorate, idempotency, field errors, rate limits, audit."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from jiuzhu.api.models import ApiCallLog, ApiClient
from jiuzhu.lib import clock
from jiuzhu.portal.models import OnlineApplication

pytestmark = pytest.mark.django_db

APPLICATION: dict[str, Any] = {
    "client_reference": "12309-2026-000123",
    "applicant": {"capacity": "self", "name": "次仁卓玛", "id_number": "540528199001011239", "phone": "13800138000"},
    "victim": {"same_as_applicant": True, "victim_condition": "injured"},
    "case": {"charge": "故意伤害", "what_happened": "被人打伤，加害人无力赔偿。"},
    "harm": {"harm": "左腿骨折。", "family": "一家四口，务农。", "medical_costs": "32000"},
    "received": {"compensation_yuan": "0"},
    "bank": {"address": "加查县安绕镇", "account_holder": "次仁卓玛", "bank_name": "中国农业银行加查县支行",
             "bank_account": "6228480123456789012"},
}


def _post(client, url: str, token: str, body: Any):  # type: ignore[no-untyped-def]
    return client.post(url, data=json.dumps(body), content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})


def _get(client, url: str, token: str):  # type: ignore[no-untyped-def]
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def test_it_creates_one_application_for_one_client_reference(client, token_for) -> None:
    token = token_for()
    first = _post(client, "/api/v1/applications", token, APPLICATION)
    assert first.status_code == 201, first.content
    again = _post(client, "/api/v1/applications", token, APPLICATION)
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["receipt_number"] == first.json()["receipt_number"]
    assert OnlineApplication.objects.count() == 1
    app = OnlineApplication.objects.get()
    assert app.org.code == "540528" and app.state == "submitted" and app.source == "api"
    # The applicant can follow it in the portal with the same number.
    from jiuzhu.portal.otp import phone_index

    assert app.phone_bidx == phone_index("13800138000")
    # Another client may use the same reference for its own application.
    other = token_for("540528")
    assert _post(client, "/api/v1/applications", other, APPLICATION).status_code == 201
    assert OnlineApplication.objects.count() == 2


def test_it_refuses_nul_characters_in_chinese_and_writes_nothing(client, token_for) -> None:
    token = token_for()
    r = _get(client, "/api/v1/stats?from=2022-01-01&to=2023-06-07&org=%00", token)  # found by schemathesis
    assert r.status_code == 422 and "空字符" in r.json()["detail"]
    r = _post(client, "/api/v1/applications", token, {**APPLICATION, "client_reference": "A\x00B"})
    assert r.status_code == 422 and "空字符" in r.json()["detail"]
    assert not OnlineApplication.objects.exists()
    assert ApiCallLog.objects.filter(status=422).count() == 2


def test_it_gives_field_errors_in_chinese_with_the_screens_rules(client, token_for) -> None:
    token = token_for()
    bad = json.loads(json.dumps(APPLICATION))
    bad["applicant"]["id_number"] = "540528199001011230"
    bad["bank"]["bank_account"] = "12ab"
    bad["harm"]["medical_costs"] = "-5"
    r = _post(client, "/api/v1/applications", token, bad)
    assert r.status_code == 422
    errors = {tuple(e["loc"]): e["msg"] for e in r.json()["errors"]}
    assert "校验位" in errors[("applicant", "id_number")]
    assert errors[("bank", "bank_account")] == "银行账号应为12至30位数字。"
    assert errors[("harm", "medical_costs")] == "金额不能为负数。"
    r = _post(client, "/api/v1/applications", token, {"client_reference": "x"})
    assert r.status_code == 422 and {"loc": ["applicant"], "msg": "此项必须填写。"} in r.json()["errors"]
    assert OnlineApplication.objects.count() == 0


def test_it_refuses_a_procuratorate_outside_the_clients_scope(client, token_for, world) -> None:
    token = token_for("540528")
    r = _post(client, "/api/v1/applications", token, {**APPLICATION, "org": "540521"})
    assert r.status_code == 404
    city = token_for("540500")
    r = _post(client, "/api/v1/applications", city, {**APPLICATION, "org": "540521"})
    assert r.status_code == 201 and r.json()["org"] == "540521"


def test_it_reads_only_cases_of_its_procuratorate(client, token_for, world) -> None:
    mine = world.to("accepted", "540528")
    theirs = world.to("accepted", "540521")
    token = token_for("540528")
    r = _get(client, f"/api/v1/cases/{mine.number}", token)
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "accepted" and any(d["kind"] == "decision" for d in body["deadlines"])
    assert "applicant" not in body and "540528" in body["org"]
    assert _get(client, f"/api/v1/cases/{theirs.number}", token).status_code == 404
    city = token_for("540500")
    assert _get(client, f"/api/v1/cases/{theirs.number}", city).status_code == 200


def test_it_lists_changed_cases_with_constant_queries(client, token_for, world, django_assert_max_num_queries) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    token = token_for("540528")
    from urllib.parse import quote

    since = quote((clock.now() - dt.timedelta(hours=1)).isoformat())
    for _ in range(2):
        world.to("accepted", "540528")
    with CaptureQueriesContext(connection) as two:
        r = _get(client, f"/api/v1/cases?changed_since={since}", token)
    assert len(r.json()["items"]) == 2
    for _ in range(18):
        world.clue("540528")
    world.to("applied", "540521")
    with CaptureQueriesContext(connection) as twenty:
        r = _get(client, f"/api/v1/cases?changed_since={since}&limit=10", token)
    assert len(r.json()["items"]) == 10 and r.json()["next_changed_since"]
    assert len(twenty) == len(two)
    r = _get(client, f"/api/v1/cases?changed_since={since}&limit=500", token)
    assert len(r.json()["items"]) == 20  # not 540521's case
    r = _get(client, "/api/v1/cases?changed_since=yesterday", token)
    assert r.status_code == 422 and "ISO 8601" in r.json()["errors"][0]["msg"]


@pytest.mark.parametrize(("since", "expected"), [
    ("0005-01-12T00:03:01-16:20", 1),  # an offset PostgreSQL refuses (found by schemathesis)
    ("0001-01-01T00:00:00+14:00", 1),  # before year 1 in UTC: everything changed since
    ("2000-01-01T00:00:00+16:00", 1),
    ("9999-12-31T23:59:59-14:00", 0),  # after year 9999 in UTC: nothing
])
def test_it_takes_any_valid_instant_as_changed_since(client, token_for, world, since, expected) -> None:
    from urllib.parse import quote

    world.to("accepted", "540528")
    r = _get(client, f"/api/v1/cases?changed_since={quote(since)}", token_for("540528"))
    assert r.status_code == 200 and len(r.json()["items"]) == expected


def test_it_refuses_bad_tokens_and_missing_scopes(client, token_for) -> None:
    assert client.get("/api/v1/cases/x").status_code == 401
    assert _get(client, "/api/v1/cases/x", "jz_nonsense").status_code == 401
    reader = token_for(scopes=("read_cases",))
    r = _post(client, "/api/v1/applications", reader, APPLICATION)
    assert r.status_code == 403 and "提交申请和线索" in r.json()["detail"]
    ApiClient.objects.update(is_active=False)
    assert _get(client, "/api/v1/cases/x", reader).status_code == 401


def test_it_stores_only_a_hash_of_the_token(token_for) -> None:
    token = token_for()
    client = ApiClient.objects.get()
    assert token not in client.token_hash and client.prefix == token[:10]


def test_it_rate_limits_a_client_and_audits_every_call(client, token_for) -> None:
    token = token_for(rate=3)
    codes = [_get(client, "/api/v1/cases/none", token).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    assert ApiCallLog.objects.filter(client__isnull=False).count() == 4
    assert list(ApiCallLog.objects.order_by("pk").values_list("status", flat=True)) == [404, 404, 404, 429]
    with clock.travel(clock.now() + dt.timedelta(minutes=2)):
        assert _get(client, "/api/v1/cases/none", token).status_code == 404


def test_it_rate_limits_token_guessing_by_address(client, db) -> None:
    for _ in range(30):
        assert _get(client, "/api/v1/cases/x", "jz_guess").status_code == 401
    assert _get(client, "/api/v1/cases/x", "jz_guess").status_code == 429


def test_token_guessing_from_an_address_never_blocks_a_valid_token_from_it(client, token_for) -> None:
    """Red team: 30 bad-token calls blocked a valid token coming through the same proxy."""
    token = token_for()
    for _ in range(31):
        _get(client, "/api/v1/cases/x", "jz_guess")
    assert _get(client, "/api/v1/cases/x", "jz_guess").status_code == 429
    assert _get(client, "/api/v1/cases/none", token).status_code == 404
    assert ApiCallLog.objects.filter(client__isnull=False).get().status == 404
    # Another address may still try (and fail) on its own.
    assert client.get("/api/v1/cases/x", headers={"Authorization": "Bearer jz_guess"},
                      REMOTE_ADDR="198.51.100.7").status_code == 401


def test_behind_a_trusted_proxy_limits_and_the_call_log_use_the_real_client(client, token_for, settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    def via_proxy(who: str, token: str):  # type: ignore[no-untyped-def]
        return client.get("/api/v1/cases/x", headers={"Authorization": f"Bearer {token}",
                                                     "X-Forwarded-For": f"6.6.6.6, {who}"}, REMOTE_ADDR="10.0.0.2")

    for _ in range(30):
        assert via_proxy("203.0.113.1", "jz_guess").status_code == 401
    assert via_proxy("203.0.113.1", "jz_guess").status_code == 429
    assert via_proxy("203.0.113.2", "jz_guess").status_code == 401  # the proxy's other clients are not blocked
    assert set(ApiCallLog.objects.values_list("ip", flat=True)) == {"203.0.113.1", "203.0.113.2"}
    # Without trusting the proxy, a forged header changes nothing: the peer is the client.
    settings.TRUSTED_PROXIES = []
    r = client.get("/api/v1/cases/x", headers={"Authorization": "Bearer jz_guess", "X-Forwarded-For": "203.0.113.9"},
                   REMOTE_ADDR="198.51.100.8")
    assert r.status_code == 401 and ApiCallLog.objects.order_by("-pk").first().ip == "198.51.100.8"


def test_it_hands_over_a_clue_into_the_intake_queue(client, token_for, world) -> None:
    from jiuzhu.portal import actions

    token = token_for()
    body = {"client_reference": "CLUE-1", "person_name": "索朗", "summary": "交通肇事被害人，家庭困难。",
            "id_number": "540528197007073335"}
    r = _post(client, "/api/v1/clues", token, body)
    assert r.status_code == 201 and r.json()["kind"] == "clue"
    assert _post(client, "/api/v1/clues", token, body).status_code == 200
    app = OnlineApplication.objects.get()
    case = actions.register(app, acting_user=world.user("540528", "kongshen"))
    assert case.status == "clue" and case.channel == "online" and "交通肇事" in case.clue_summary
    r = _get(client, "/api/v1/submissions/CLUE-1", token)
    assert r.json()["case_number"] == case.number


def test_it_answers_the_statistics_of_the_clients_scope(client, token_for, world) -> None:
    from jiuzhu.stats.queries import compute

    case = world.to("granted", "540528", amount=Decimal("12000"))
    token = token_for()
    day = case.decided_on.isoformat()
    r = _get(client, f"/api/v1/stats?from={day}&to={day}", token)
    assert r.status_code == 200
    body = r.json()
    assert body["cases"] == 1 and body["amount_yuan"] == "12000.00" and body["org"]["code"] == "540528"
    assert body == json.loads(json.dumps(compute(case.handling_org, case.decided_on, case.decided_on).as_json()))
    # Another procuratorate's figures are not the client's to read.
    assert _get(client, f"/api/v1/stats?from={day}&to={day}&org=540527", token).status_code == 404
    r = _get(client, "/api/v1/stats?from=2023-01-01&to=2022-01-01", token)
    assert r.status_code == 422


def test_it_publishes_an_openapi_document(client, db) -> None:
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert {"/api/v1/applications", "/api/v1/clues", "/api/v1/cases", "/api/v1/cases/{number}",
            "/api/v1/stats"} <= set(doc["paths"])


def test_it_issues_a_token_from_the_command_line(client, world) -> None:
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("api-client", "--org", "540528", "--name", "12309平台", "--scopes", "read_cases", stdout=out)
    token = out.getvalue().split("：")[-1].strip()
    assert _get(client, "/api/v1/cases/none", token).status_code == 404
    with pytest.raises(CommandError, match="权限范围不正确"):
        call_command("api-client", "--org", "540528", "--name", "x", "--scopes", "everything")
    with pytest.raises(CommandError, match="找不到检察院"):
        call_command("api-client", "--org", "999999", "--name", "x")
