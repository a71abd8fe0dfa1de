"""The applicant's side in Standard Tibetan (issue 16): catalogue complete, language chosen and kept,
staff screens Chinese, the Tibetan font served by Jiuzhu, dates and amounts, messages in her language."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.lib import i18n
from jiuzhu.notifications.models import OutboundMessage
from jiuzhu.portal import actions
from jiuzhu.portal.models import OnlineApplication
from jiuzhu.portal.tests.helpers import ANSWERS, fill_application, login

PO = Path(settings.BASE_DIR) / "locale" / "bo" / "LC_MESSAGES" / "django.po"
REVIEW = Path(settings.BASE_DIR).parent / "docs" / "translations" / "bo-review.csv"
PHONE = "13900139000"
TIBETAN = re.compile(r"[\u0f00-\u0fff]")


def _entries(po: Path) -> dict[str, str]:
    """msgid → msgstr of a catalogue written with --no-wrap (one line each)."""
    out, msgid = {}, None
    for line in po.read_text(encoding="utf-8").splitlines():
        if m := re.match(r'^msgid "(.*)"$', line):
            msgid = m.group(1).replace('\\"', '"')
        elif (m := re.match(r'^msgstr "(.*)"$', line)) and msgid:
            out[msgid] = m.group(1).replace('\\"', '"')
    return out


def test_the_tibetan_catalogue_compiles_with_every_message_translated() -> None:
    r = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "untranslated" not in r.stderr and "fuzzy" not in r.stderr, r.stderr
    assert int(re.match(r"(\d+) translated", r.stderr).group(1)) >= 200  # type: ignore[union-attr]


def test_every_portal_string_has_a_tibetan_entry(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Extract the portal's strings afresh (templates, forms, views, queries, SMS parts) and compare."""
    src = tmp_path / "src"
    shutil.copytree(Path(settings.BASE_DIR) / "templates" / "portal", src / "templates" / "portal")
    shutil.copytree(Path(settings.BASE_DIR) / "portal", src / "portal", ignore=shutil.ignore_patterns("tests"))
    shutil.copy(Path(settings.BASE_DIR) / "lib" / "i18n.py", src / "i18n.py")
    (src / "locale").mkdir()
    import os

    cwd = os.getcwd()
    os.chdir(src)
    try:
        with override_settings(LOCALE_PATHS=[src / "locale"]):
            call_command("makemessages", locale=["bo"], no_location=True, no_wrap=True, verbosity=0)
    finally:
        os.chdir(cwd)
    fresh = src / "locale" / "bo" / "LC_MESSAGES" / "django.po"
    assert len(_entries(fresh)) > 200
    # msgcmp: every message of the fresh extraction must be translated in the repository's catalogue.
    r = subprocess.run(["msgcmp", str(PO), str(fresh)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert all(TIBETAN.search(v) or v in ("：",) for k, v in _entries(PO).items() if k), "an entry is not Tibetan"


def test_the_review_file_holds_every_string_with_its_back_translation() -> None:
    rows = list(csv.DictReader(REVIEW.open(encoding="utf-8")))
    by_source = {r["chinese_source"]: r for r in rows if r["where"] == "portal"}
    catalogue = {k: v for k, v in _entries(PO).items() if k}
    assert set(catalogue) == set(by_source)
    for msgid, msgstr in catalogue.items():
        assert by_source[msgid]["tibetan"] == msgstr, msgid
        assert by_source[msgid]["english_back_translation"].strip(), msgid
        assert by_source[msgid]["reviewer"] == ""  # nobody has reviewed it yet: the file says so
    from jiuzhu.notifications.outbound import DEFAULT_TEMPLATES_BO

    sms = {r["where"].removeprefix("sms:"): r for r in rows if r["where"].startswith("sms:")}
    assert set(sms) == set(DEFAULT_TEMPLATES_BO)
    assert all(sms[k]["tibetan"] == v for k, v in DEFAULT_TEMPLATES_BO.items())


pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_the_language_is_chosen_on_the_first_screen_and_remembered(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/apply/").content.decode()
    assert '<html lang="zh-Hans">' in page and "申请国家司法救助" in page
    assert 'value="bo"' in page and "བོད་ཡིག" in page
    r = client.post("/apply/language/", {"language": "bo", "next": "/apply/"})
    assert r.status_code == 302 and r["Location"] == "/apply/"
    cookie = r.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "bo" and int(cookie["max-age"]) >= 300 * 24 * 3600
    page = client.get("/apply/").content.decode()
    assert '<html lang="bo">' in page and "རྒྱལ་ཁབ་ཀྱི་ཁྲིམས་དོན་སྐྱབས་སྐྱོར་ཞུ་བ།" in page
    assert "申请国家司法救助" not in page
    # Error messages too: a wrong number is refused in Tibetan.
    r = client.post("/apply/login/", {"phone": "123", "send": "1"})
    assert r.status_code == 400 and "གྲངས་ཀ་ 11 ཡོད་པའི་ལག་ཐོགས་ཁ་པར་ཨང་གྲངས་འཇུག་རོགས།" in r.content.decode()
    # An unknown language falls back to Chinese; an outside address is not followed.
    r = client.post("/apply/language/", {"language": "en", "next": "https://evil.example/"})
    assert r["Location"] == "/apply/" and r.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


@pytestmark_db
def test_staff_screens_stay_chinese_whatever_the_cookie(client, world) -> None:  # type: ignore[no-untyped-def]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "bo"
    page = client.get("/login/").content.decode()
    assert not TIBETAN.search(page) and "登录" in page
    client.force_login(world.user("540528", "kongshen"))
    page = client.get("/cases/new/").content.decode()
    assert not TIBETAN.search(page.replace("藏文（བོད་ཡིག）", "")) and "申请人使用语言" in page


def test_the_tibetan_font_is_found_and_collected_with_the_static_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The font comes from Debian's package through a staticfiles finder (the browser test loads it)."""
    from django.contrib.staticfiles import finders

    from jiuzhu.lib.fonts import TIBETAN_FONT_FILE

    assert TIBETAN_FONT_FILE.exists(), "fonts-tibetan-machine is not installed (scripts/test installs it)"
    assert finders.find("fonts/TibetanMachineUni.ttf") == str(TIBETAN_FONT_FILE)
    css = Path(finders.find("css/portal.css")).read_text()
    assert "@font-face" in css and 'url("../fonts/TibetanMachineUni.ttf")' in css
    with override_settings(STATIC_ROOT=tmp_path / "static",
                           STORAGES={**settings.STORAGES, "staticfiles": {
                               "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
        call_command("collectstatic", interactive=False, verbosity=0)
    collected = tmp_path / "static" / "fonts" / "TibetanMachineUni.ttf"
    assert collected.read_bytes()[:4] == b"\x00\x01\x00\x00"
    assert collected.read_bytes() == TIBETAN_FONT_FILE.read_bytes()


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_dates_read_correctly_in_both_languages(day: dt.date) -> None:
    assert i18n.format_date(day, "zh-hans") == f"{day.year}年{day.month}月{day.day}日"
    bo = i18n.format_date(day, "bo")
    m = re.fullmatch(r"སྤྱི་ལོ་ (\d{4}) ལོའི་ཟླ་ (\d{1,2}) ཚེས་ (\d{1,2})", bo)
    assert m and dt.date(int(m[1]), int(m[2]), int(m[3])) == day


@given(st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2, allow_nan=False))
def test_amounts_read_correctly_in_both_languages(amount: Decimal) -> None:
    zh, bo = i18n.format_amount(amount, "zh-hans"), i18n.format_amount(amount, "bo")
    assert Decimal(zh.removesuffix(" 元")) == amount and zh.endswith(" 元")
    assert Decimal(bo.removeprefix("སྒོར་ ")) == amount and bo.startswith("སྒོར་ ")
    assert re.search(r"\.\d\d", zh) and re.search(r"\.\d\d", bo)


@pytestmark_db
def test_a_tibetan_application_carries_its_language_to_the_case_and_every_sms(client, world) -> None:  # type: ignore[no-untyped-def]
    client.post("/apply/language/", {"language": "bo", "next": "/apply/"})
    login(client, PHONE)
    pk = fill_application(client)
    page = client.get(f"/apply/a/{pk}/submit/").content.decode()
    assert "ཞིབ་བཤེར་བྱས་ནས་འབུལ་བ།" in page and "<dt>ཞུ་སྙན་འབུལ་མཁན་གྱི་མིང</dt>" in page  # labels of her answers
    r = client.post(f"/apply/a/{pk}/submit/", {"declaration": "on"})
    assert r.status_code == 302
    app = OnlineApplication.objects.get(pk=pk)
    assert app.language == "bo"
    receipt = OutboundMessage.objects.get(key="receipt")
    assert receipt.language == "bo" and TIBETAN.search(receipt.text) and app.receipt_number in receipt.text
    case = actions.register(app, acting_user=world.user("540528", "kongshen"), then="supplement",
                            missing="请补交村委会出具的家庭困难证明。")
    assert case.applicant_language == "bo"
    from django.test import Client

    staff = Client()
    staff.force_login(world.user("540528", "kongshen"))
    assert "申请人使用语言：藏文（བོད་ཡིག）" in staff.get(f"/intake/{app.pk}/").content.decode()
    assert "短信用藏文，交给申请人的文书汉藏双语" in staff.get(f"/cases/{case.pk}/").content.decode()
    sms = OutboundMessage.objects.get(key="supplement", case=case)
    assert sms.language == "bo" and "ཡིག་ཆ་ཁ་སྐོང་དགོས།" in sms.text and "家庭困难证明" in sms.text
    assert re.search(r"སྤྱི་ལོ་ \d{4} ལོའི་ཟླ་", sms.text) and "。。" not in sms.text
    page = client.get(f"/apply/a/{pk}/").content.decode()
    assert "ཁྱེད་ཀྱིས་ཡིག་ཆ་ཁ་སྐོང་བྱེད་དགོས།" in page and "ཁ་སྐོང་ཡིག་ཆ་ཚང་མ་ཕུལ་ཟིན།" in page
    # A Chinese applicant's messages stay Chinese and say so.
    OutboundMessage.objects.all().delete()
    c2 = type(client)()
    login(c2, "13700137000")
    pk2 = fill_application(c2, {**ANSWERS, "applicant": {**ANSWERS["applicant"], "name": "白玛"}})
    c2.post(f"/apply/a/{pk2}/submit/", {"declaration": "on"})
    msg = OutboundMessage.objects.get(key="receipt")
    assert msg.language == "zh-hans" and not TIBETAN.search(msg.text) and "回执号" in msg.text


@pytestmark_db
def test_staff_set_the_language_of_a_walk_in_applicant(world) -> None:  # type: ignore[no-untyped-def]
    from jiuzhu.cases import actions as case_actions
    from jiuzhu.cases.actions.common import CaseActionError
    from jiuzhu.cases.models import AidCase

    org = world.orgs["540528"]
    staff = world.user("540528", "kongshen")
    case = case_actions.raise_clue(org, acting_user=staff, channel="walk_in", person_name="次旦",
                                   clue_summary="来访。", applicant_language="bo")
    assert AidCase.objects.get(pk=case.pk).applicant_language == "bo"
    with pytest.raises(CaseActionError):
        case_actions.raise_clue(org, acting_user=staff, channel="walk_in", person_name="次旦",
                                clue_summary="来访。", applicant_language="en")
    with translation.override("zh-hans"):
        assert case.get_applicant_language_display() == "藏文（བོད་ཡིག）"


@pytestmark_db
def test_a_tibetan_applicants_receipt_is_chinese_then_tibetan_with_the_font_embedded(client, world) -> None:  # type: ignore[no-untyped-def]
    client.post("/apply/language/", {"language": "bo", "next": "/apply/"})
    login(client, PHONE)
    pk = fill_application(client)
    client.post(f"/apply/a/{pk}/submit/", {"declaration": "on"})
    app = OnlineApplication.objects.get(pk=pk)
    r = client.get(f"/apply/a/{pk}/receipt.pdf")
    assert r["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=r.content, capture_output=True,
                          check=True).stdout.decode()
    chinese, _, tibetan = text.partition("རྒྱལ་ཁབ་ཀྱི་ཁྲིམས་དོན་སྐྱབས་སྐྱོར་དྲ་ཐོག་ཞུ་སྙན་གྱི་ཐོབ་འཛིན།")
    assert tibetan, "no Tibetan section"
    assert "国家司法救助网上申请回执" in chinese and f"回执号：{app.receipt_number}" in chinese  # Chinese first
    assert f"ཐོབ་འཛིན་ཨང་གྲངས། {app.receipt_number}" in tibetan and "ལས་ཉིན་ 5 ནང་" in tibetan
    assert "རྒྱ་ཡིག་ལ་གཞི་བཞག་དགོས།" in tibetan  # the Chinese text prevails, and the paper says so
    fonts = subprocess.run(["pdffonts", "-"], input=r.content, capture_output=True, check=True).stdout.decode()
    tib = [line for line in fonts.splitlines() if "Tibetan_Machine_Uni" in line]
    assert tib and tib[0].split()[-5] == "yes", fonts  # embedded
    # A Chinese applicant's receipt stays Chinese only.
    c2 = type(client)()
    login(c2, "13700137000")
    pk2 = fill_application(c2)
    c2.post(f"/apply/a/{pk2}/submit/", {"declaration": "on"})
    pdf2 = c2.get(f"/apply/a/{pk2}/receipt.pdf").content
    text2 = subprocess.run(["pdftotext", "-", "-"], input=pdf2, capture_output=True, check=True).stdout.decode()
    assert "国家司法救助网上申请回执" in text2 and not TIBETAN.search(text2)


@pytestmark_db
def test_staff_change_the_language_of_an_applicant_later_and_it_is_audited(world) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    from jiuzhu.cases.models import AidCase, CaseEvent

    case = world.to("applied")
    staff = Client()
    staff.force_login(world.user("540528", "kongshen"))
    page = staff.get(f"/cases/{case.pk}/applicant/").content.decode()
    assert "申请人使用语言" in page
    r = staff.post(f"/cases/{case.pk}/applicant/", {"applicant_language": "bo"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert AidCase.objects.get(pk=case.pk).applicant_language == "bo"
    assert CaseEvent.objects.filter(case=case, action="update_applicant", note__contains="藏文").exists()
    r = staff.post(f"/cases/{case.pk}/applicant/", {"applicant_language": "en"})
    assert r.status_code == 400 or "选择一个有效的选项" in r.content.decode()
    assert AidCase.objects.get(pk=case.pk).applicant_language == "bo"

