"""Schemathesis generates requests from the OpenAPI document: none may end in a server error (5xx)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def api_token(world) -> str:  # type: ignore[no-untyped-def]
    from jiuzhu.api import tokens

    _, token = tokens.issue(name="fuzz", org=world.orgs["540500"], scopes=["submit", "read_cases", "read_stats"],
                            rate_per_minute=100_000)
    world.to("accepted", "540528")
    return token


def _schema() -> Any:
    from jiuzhu.api.views import api

    # The document as /api/v1/openapi.json serves it (built from the routes, no database needed).
    return schemathesis.openapi.from_dict(api.get_openapi_schema())


schema = _schema()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_it_never_answers_with_a_server_error(case: Any, live_server: Any, api_token: str) -> None:
    response = case.call(base_url=live_server.url, headers={"Authorization": f"Bearer {api_token}"})
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])
    case.validate_response(response, checks=[not_a_server_error])
