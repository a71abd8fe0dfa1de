"""Every refusal of the API is Chinese JSON: unreadable bodies, wrong media types, oversize, unknown paths."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jiuzhu.api.models import ApiCallLog
from jiuzhu.portal.models import OnlineApplication

pytestmark = pytest.mark.django_db


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _post(client: Any, token: str, body: bytes, content_type: str, url: str = "/api/v1/applications") -> Any:
    return client.generic("POST", url, body, content_type=content_type, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize(("body", "content_type", "status", "says"), [
    (b"{bad", "application/json", 400, "不是有效的 JSON（第1行第2列）"),
    (b'{"client_reference": "A"', "application/json", 400, "不是有效的 JSON"),
    ("{\"client_reference\": \"中\"}".encode("gb18030"), "application/json", 400, "不是 UTF-8 编码"),
    (b"\xff\xfe{}", "application/json", 400, "UTF-8"),
    (b'{"x": NaN}', "application/json", 400, "NaN"),
    (b"[" * 100_000, "application/json", 400, "嵌套层次过深"),
    (b"client_reference=A&org=540528", "application/x-www-form-urlencoded", 415, "Content-Type: application/json"),
    (b'{"client_reference": "A"}', "text/plain", 415, "text/plain"),
    (b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--\r\n", "multipart/form-data; boundary=x", 415,
     "application/json"),
    (b'{"client_reference": "A"}', "application/json; charset=latin-1", 415, "UTF-8"),
])
def test_unreadable_bodies_are_refused_in_chinese_json(client, token_for, body, content_type, status, says) -> None:
    """Red team: these answered {"detail": "Cannot parse request body"} in English."""
    r = _post(client, token_for(), body, content_type)
    assert r.status_code == status and r["Content-Type"].startswith("application/json"), r.content[:300]
    assert says in r.json()["detail"] and _chinese(r.json()["detail"])
    assert not OnlineApplication.objects.exists()
    assert ApiCallLog.objects.get().status == status


def test_an_oversize_body_is_refused_in_chinese_before_it_is_read(client, token_for, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    r = _post(client, token_for(), json.dumps({"client_reference": "A" * 70_000}).encode(), "application/json")
    assert r.status_code == 413 and r.json()["detail"] == "请求体过大（不能超过 64 KB）。"
    assert ApiCallLog.objects.get().status == 413 and not OnlineApplication.objects.exists()


def test_unknown_paths_and_methods_answer_in_chinese_json(client, token_for) -> None:
    token = token_for()
    for method, url, status in [("GET", "/api/v1/nothing-here", 404), ("POST", "/api/v1/cases/x/y", 404),
                                ("GET", "/api/v1/docs", 404), ("PUT", "/api/v1/cases", 405),
                                ("DELETE", "/api/v1/applications", 405)]:
        r = client.generic(method, url, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == status and r["Content-Type"].startswith("application/json"), (method, url, r.content[:200])
        assert _chinese(r.json()["detail"]), r.json()
    r = client.put("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert r["Allow"] == "GET" and "GET" in r.json()["detail"]
    assert ApiCallLog.objects.count() == 6


def test_a_bug_in_an_operation_answers_in_chinese_json_and_is_logged(client, token_for, monkeypatch, caplog) -> None:
    from jiuzhu.api import views

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "_case_qs", broken)
    with caplog.at_level("ERROR", logger="django.request"):
        r = client.get("/api/v1/cases/x", headers={"Authorization": f"Bearer {token_for()}"})
    assert r.status_code == 500 and "服务器内部错误" in r.json()["detail"] and "boom" not in r.content.decode()
    assert any(rec.exc_info and "boom" in str(rec.exc_info[1]) for rec in caplog.records)
    assert ApiCallLog.objects.get().status == 500


def test_the_openapi_document_is_public_and_every_operation_needs_a_token(client, db) -> None:
    """Decided: the schema is public (no data in it; partners need it before they hold a token); the docs page
    is off (Swagger UI would load scripts from a CDN)."""
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert op["security"] == [{"TokenAuth": []}], (method, path)
    listing = doc["paths"]["/api/v1/cases"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"changed_since", "cursor", "limit"}
    assert "next_cursor" in listing["description"]
    assert client.get("/api/v1/docs").status_code == 404


def test_an_oversize_form_on_the_screens_is_refused_with_a_chinese_page(client, db, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    r = client.post("/apply/login/", {"phone": "13900000001", "send": "1", "pad": "x" * 5000})
    assert r.status_code == 400 and "请求无法处理" in r.content.decode() and "Bad Request" not in r.content.decode()
