"""run_action: a valid form runs the action once and reports success; an invalid form or a domain error
reports the Chinese message, runs nothing further and redirects back."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from jiuzhu.lib.actionviews import run_action


class AmountForm(forms.Form):
    amount = forms.IntegerField(label="金额", min_value=1)


def _request(data: dict[str, str]) -> Any:
    request = RequestFactory().post("/x/", data)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _texts(request: Any) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def test_valid_form_runs_the_action_with_cleaned_data() -> None:
    calls: list[dict[str, Any]] = []
    request = _request({"amount": "5"})
    response = run_action(request, AmountForm(request.POST), lambda d: calls.append(d) or d["amount"] * 2,
                          success=lambda r: f"已登记 {r}", redirect_to="/done/", failure_redirect_to="/back/")
    assert calls == [{"amount": 5}]
    assert response.status_code == 302 and response["Location"] == "/done/"
    assert _texts(request) == [("success", "已登记 10")]


def test_invalid_form_reports_the_labelled_error_and_does_not_run() -> None:
    calls: list[Any] = []
    request = _request({"amount": "0"})
    response = run_action(request, AmountForm(request.POST), calls.append,
                          success="成功", redirect_to="/done/", failure_redirect_to="/back/")
    assert calls == []
    assert response["Location"] == "/back/"
    [(level, text)] = _texts(request)
    assert level == "error" and text.startswith("金额：")


def test_domain_error_becomes_the_message() -> None:
    def action(_: dict[str, Any]) -> None:
        raise ValidationError(["本案已结案，不能登记。", "请先核对账户。"])

    request = _request({})
    response = run_action(request, None, action, success="成功", redirect_to="/done/")
    assert response["Location"] == "/done/"
    assert _texts(request) == [("error", "本案已结案，不能登记。"), ("error", "请先核对账户。")]


def test_permission_denied_passes_through() -> None:
    def action(_: dict[str, Any]) -> None:
        raise PermissionDenied

    with pytest.raises(PermissionDenied):
        run_action(_request({}), None, action, success="成功", redirect_to="/done/")
