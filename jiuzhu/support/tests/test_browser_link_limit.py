"""In Chromium: the refusal pages a partner or applicant may meet (too many link opens; an oversize form) are Chinese."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from jiuzhu.support import actions
from jiuzhu.support.tests.helpers import agency, refer
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1000, "height": 600}}


def test_the_rate_limit_and_oversize_pages_are_chinese(page: Page, live_server, world, pytestconfig, settings,
                                                        monkeypatch) -> None:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "support"
    folder.mkdir(parents=True, exist_ok=True)
    monkeypatch.setattr(actions, "LINK_REQUESTS_PER_10MIN", 1)
    _, link = refer(world, world.to("paid", "540527"), agency(world))
    url = f"{live_server.url}/support/r/{link}/"
    assert page.goto(url).status == 200
    assert page.goto(url).status == 429
    assert "访问过于频繁" in page.locator("body").inner_text()
    page.screenshot(path=folder / "10-link-rate-limited.png", full_page=True)
    assert_cjk_renders(page)

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    page.goto(f"{live_server.url}/apply/login/")
    with page.expect_navigation():
        page.evaluate("""() => { const f = document.querySelector('form'); const i = document.createElement('input');
                                 i.type = 'hidden'; i.name = 'pad'; i.value = 'x'.repeat(5000); f.appendChild(i);
                                 f.submit(); }""")
    assert "请求无法处理" in page.locator("body").inner_text()
    page.screenshot(path=folder / "11-oversize-form.png", full_page=True)
