"""Smoke tests: the project starts, runs on the database it was given, and Chromium draws Chinese."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from jiuzhu.conftest import CHROMIUM, CHROMIUM_ARGS
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

# Folders of fonts without Chinese glyphs, for the "no CJK font" browser below.
LATIN_ONLY_FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation"]


@pytest.mark.django_db  # some model checks ask the database what it supports (JSONField)
def test_system_checks_pass() -> None:
    call_command("check")  # raises SystemCheckError on any error


@pytest.mark.django_db
def test_database_is_the_one_database_url_names() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        assert connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            assert cursor.fetchone()[0].startswith("PostgreSQL")
    elif not url:
        assert connection.vendor == "sqlite"
    assert connection.settings_dict["NAME"].split("/")[-1].startswith("test")


@pytest.mark.browser
def test_chromium_draws_chinese(page, pytestconfig) -> None:
    page.set_content('<p style="font-size:48px;margin:8px">国家司法救助</p>')
    shot = Path(pytestconfig.rootpath) / "test-artifacts" / "smoke.png"
    shot.parent.mkdir(exist_ok=True)
    page.screenshot(path=shot)
    assert shot.stat().st_size > 0
    assert_cjk_renders(page)


@pytest.mark.browser
def test_cjk_check_catches_missing_fonts(browser_type, tmp_path) -> None:
    """A Chromium that sees no CJK font draws boxes, and assert_cjk_renders must say so."""
    dirs = "".join(f"<dir>{d}</dir>" for d in LATIN_ONLY_FONT_DIRS if Path(d).is_dir())
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f"<fontconfig>{dirs}<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    browser = browser_type.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, "FONTCONFIG_FILE": str(conf)}
    )
    try:
        page = browser.new_context().new_page()
        with pytest.raises(AssertionError, match="tofu"):
            assert_cjk_renders(page)
    finally:
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # a plain flush would re-create the content types under new ids
def test_login_page_shows_chinese(page, live_server) -> None:
    try:
        get_template("accounts/login.html")
    except TemplateDoesNotExist:
        pytest.skip("accounts/login.html is not written yet")
    response = page.goto(live_server.url + "/login/")
    assert response is not None and response.ok
    assert "登录" in page.content()
    assert_cjk_renders(page)
