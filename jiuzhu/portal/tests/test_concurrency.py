"""At the same moment: the same API reference twice, two staff registering, the same code twice."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from jiuzhu.cases.models import AidCase
from jiuzhu.portal import actions, otp
from jiuzhu.portal.models import OnlineApplication
from jiuzhu.testing import race

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_same_client_reference_twice_at_once_makes_one_application(world) -> None:
    from jiuzhu.api import tokens
    from jiuzhu.api.tests.test_api import APPLICATION

    _, token = tokens.issue(name="12309", org=world.orgs["540528"], scopes=["submit"])

    def call() -> int:
        return Client().post("/api/v1/applications", data=json.dumps(APPLICATION), content_type="application/json",
                             headers={"Authorization": f"Bearer {token}"}).status_code

    results = race(call, call, call)
    assert sorted(int(r) for r in results) == [200, 200, 201], results  # type: ignore[call-overload]
    assert OnlineApplication.objects.count() == 1


def test_two_staff_registering_at_once_make_one_case(world) -> None:
    from jiuzhu.api import tokens
    from jiuzhu.api.tests.test_api import APPLICATION

    _, token = tokens.issue(name="12309", org=world.orgs["540528"], scopes=["submit"])
    Client().post("/api/v1/applications", data=json.dumps(APPLICATION), content_type="application/json",
                  headers={"Authorization": f"Bearer {token}"})
    app = OnlineApplication.objects.get()
    a, b = world.user("540528", "kongshen"), world.user("540528", "dept_head")
    results = race(lambda: actions.register(OnlineApplication.objects.get(pk=app.pk), acting_user=a),
                   lambda: actions.register(OnlineApplication.objects.get(pk=app.pk), acting_user=b))
    assert AidCase.objects.filter(channel="online").count() == 1, results
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, actions.PortalError) for e in errors), results


def test_the_same_code_twice_at_once_logs_in_once(world) -> None:
    phone = "13900000077"
    code = otp.issue(phone)
    results = race(lambda: otp.verify(phone, code), lambda: otp.verify(phone, code), lambda: otp.verify(phone, code))
    assert sum(1 for r in results if isinstance(r, str)) == 1, results
