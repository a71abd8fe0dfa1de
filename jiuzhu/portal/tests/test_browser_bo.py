"""In Chromium at 360 px, in Standard Tibetan: choose བོད་ཡིག on the first screen, apply online, answer a
request for more material in two files, and read the decision and payment — without Chinese.

Screenshots go to test-artifacts/portal-bo/ (and /tmp/shots-bo/ when it exists); the Tibetan glyphs are
checked in pixels: drawn (not boxes) and shaped (a stack such as སྐྱ is one column, taller than ས)."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from jiuzhu.portal.tests.helpers import APPLICANT_ID, PDF, PNG, last_code
from jiuzhu.tests_smoke.cjk import Gray, decode_png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PHONE = "13800138111"
NEXT = "ཉར་ནས་གོ་རིམ་རྗེས་མ།"


def _phone_page(browser: Browser) -> Page:
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 780}, is_mobile=True,
                                  has_touch=True, device_scale_factor=1)
    return context.new_page()


def _draw(page: Page, text: str) -> Gray:
    """Draw TEXT in the portal's Tibetan web font on the current page; return its image."""
    page.evaluate("""t => { let s = document.getElementById('bo-probe');
        if (!s) { s = document.createElement('span'); s.id = 'bo-probe'; document.body.prepend(s); }
        // CSSOM, not a style attribute: the portal's CSP forbids inline styles.
        Object.assign(s.style, {display: 'inline-block', fontFamily: '"Jiuzhu Tibetan"', fontSize: '80px',
                                lineHeight: '200px', width: '240px', height: '200px', overflow: 'hidden',
                                textAlign: 'center', background: '#fff', color: '#000'});
        s.textContent = t; }""", text)
    page.evaluate("document.fonts.ready")
    image = decode_png(page.locator("#bo-probe").screenshot())
    page.evaluate("document.getElementById('bo-probe').remove()")
    return image


def _size(image: Gray) -> tuple[int, int]:
    bbox = image.ink_bbox()
    assert bbox is not None, "no ink: the Tibetan text was not drawn"
    return bbox[2] - bbox[0], bbox[3] - bbox[1]


def assert_tibetan_renders(page: Page) -> None:
    """The web font served by Jiuzhu is loaded, and Tibetan is drawn as distinct, shaped glyphs."""
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate("""() => [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'Jiuzhu Tibetan')
                                     .map(f => f.status)""")
    assert "loaded" in loaded, f"the Tibetan web font did not load from /static/fonts/: {loaded}"
    ka, kha = _draw(page, "ཀ"), _draw(page, "ཁ")
    assert ka.ink() > 50 and kha.ink() > 50
    differing = ka.differing_pixels(kha)
    assert differing > 0.25 * max(ka.ink(), kha.ink()), f"ཀ and ཁ look the same ({differing} px differ): boxes"
    sa_w, sa_h = _size(_draw(page, "ས"))
    stack_w, stack_h = _size(_draw(page, "སྐྱ"))  # sa + subjoined ka + subjoined ya: one stacked column
    assert stack_w < 1.6 * sa_w, f"སྐྱ is {stack_w}px wide against ས {sa_w}px: not stacked"
    assert stack_h > 1.4 * sa_h, f"སྐྱ is {stack_h}px tall against ས {sa_h}px: not stacked"
    # A vowel sign sits above its consonant (no dotted circle beside it).
    ko_w, ko_h = _size(_draw(page, "ཀོ"))
    ka_w, ka_h = _size(ka)
    assert ko_w < 1.5 * ka_w and ko_h > ka_h


def _no_chinese(page: Page) -> None:
    """Nothing the applicant reads is Chinese, except names she typed or staff wrote (marked lang=zh-Hans)."""
    text = page.evaluate("""() => { const c = document.querySelector('main').cloneNode(true);
        c.querySelectorAll('[lang="zh-Hans"], input, textarea, select option:not(:checked), .pt-files, dd,'
                           + ' #status p.mb-1').forEach(e => e.remove());
        return c.innerText; }""")
    han = re.findall(r"[\u4e00-\u9fff]+", text)
    assert not han, f"Chinese text left on a Tibetan page: {han[:10]}"


def test_it_applies_in_tibetan_on_a_phone_and_reads_the_decision(browser: Browser, live_server, world,
                                                                 pytestconfig: Any) -> None:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "portal-bo"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    extra = Path("/tmp/shots-bo")
    base = live_server.url
    page = _phone_page(browser)

    def shot(name: str) -> None:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{name} scrolls sideways"
        page.screenshot(path=folder / f"{name}.png", full_page=True)
        if extra.is_dir():
            shutil.copy(folder / f"{name}.png", extra / f"{name}.png")

    page.goto(base + "/apply/")
    shot("bo-01-choose-language")
    page.locator("#language").get_by_role("button", name="བོད་ཡིག").click()
    expect(page.get_by_role("heading", name="རྒྱལ་ཁབ་ཀྱི་ཁྲིམས་དོན་སྐྱབས་སྐྱོར་ཞུ་བ།")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "bo"
    assert_tibetan_renders(page)
    _no_chinese(page)
    shot("bo-02-home")
    page.get_by_role("link", name="ཞུ་སྙན་འགོ་འཛུགས། / ངའི་ཞུ་སྙན་ལྟ་བ།").click()
    page.get_by_label("ལག་ཐོགས་ཁ་པར་ཨང་གྲངས").fill(PHONE)
    page.get_by_role("button", name="ར་སྤྲོད་ཨང་གྲངས་ལེན་པ།").click()
    expect(page.get_by_role("status")).to_contain_text("ར་སྤྲོད་ཨང་གྲངས་བསྐུར་ཟིན།")
    sms = [t for to, t in __import__("jiuzhu.notifications.sms", fromlist=["MemoryBackend"]).MemoryBackend.outbox
           if to == PHONE][-1]
    assert "ཁྱེད་ཀྱི་ར་སྤྲོད་ཨང་གྲངས་ནི་" in sms  # the login code comes in Tibetan too
    page.get_by_label("འཕྲིན་ཐུང་ར་སྤྲོད་ཨང་གྲངས").fill(last_code(PHONE))
    shot("bo-03-login")
    page.get_by_role("button", name="ནང་འཛུལ།", exact=True).click()
    page.get_by_role("button", name="ཞུ་སྙན་གསར་པ།").click()

    # 1 applicant
    page.get_by_label("རང་ཉིད།（གནོད་སྐྱོན་ཕོག་མཁན་ནམ་དེའི་ཉེ་འབྲེལ་ཉེ་ཤོས།）").check()
    page.get_by_label("ཞུ་སྙན་འབུལ་མཁན་གྱི་མིང").fill("བསོད་ནམས་སྒྲོལ་མ")
    page.get_by_label("ཞུ་སྙན་འབུལ་མཁན་གྱི་ཐོབ་ཐང་ལག་ཁྱེར་ཨང་གྲངས").fill("540528199001011230")  # wrong check digit
    page.get_by_role("button", name=NEXT).click()
    expect(page.locator(".errorlist").first).to_contain_text("ཐོབ་ཐང་ལག་ཁྱེར་གྱི་ཨང་གྲངས་ནོར་འདུག")
    _no_chinese(page)
    shot("bo-04-applicant-error")
    page.get_by_label("ཞུ་སྙན་འབུལ་མཁན་གྱི་ཐོབ་ཐང་ལག་ཁྱེར་ཨང་གྲངས").fill(APPLICANT_ID)
    page.get_by_role("button", name=NEXT).click()
    # 2 victim
    page.get_by_label("གནོད་སྐྱོན་ཕོག་མཁན་ནི་ཞུ་སྙན་འབུལ་མཁན་རང་ཉིད་ཡིན།").check()
    page.get_by_label("གནོད་སྐྱོན་ཕོག་མཁན་གྱི་ད་ལྟའི་གནས་སྟངས").select_option("injured")
    shot("bo-05-victim")
    page.get_by_role("button", name=NEXT).click()
    # 3 original case
    page.get_by_label("ཁྲིམས་གཞི་ཐོག་མ་ཐག་གཅོད་བྱེད་མཁན་གྱི་ཞིབ་ཆུ་ཁང").select_option("540528")
    page.get_by_label("ཁྲིམས་གཞིའི་རིགས་སམ་ཉེས་མིང").fill("ཆེད་དུ་གནོད་སྐྱོན་བཏང་བ།")
    page.get_by_label("ཅི་ཞིག་བྱུང་བ་མདོར་བསྡུས་ཏེ་འགྲེལ་བཤད་བྱེད་རོགས").fill("2026 ལོར་མི་ཞིག་གིས་བརྡུངས་ནས་རྨས་སྐྱོན་ཕོག")
    page.get_by_role("button", name=NEXT).click()
    # 4 harm and family
    page.get_by_label("ཕོག་པའི་གནོད་སྐྱོན་ནམ་གྱོང་གུད").fill("རྐང་པ་ཆག")
    page.get_by_label("བཏང་ཟིན་པའི་སྨན་བཅོས་འགྲོ་གྲོན།（སྒོར་）").fill("32000")
    page.get_by_label("ཁྱིམ་ཚང་གི་འཚོ་བའི་གནས་སྟངས").fill("ཁྱིམ་མི་བཞི། ཞིང་ལས་ལ་བརྟེན།")
    page.get_by_label("ཁྱིམ་ཚང་གི་མི་གྲངས").fill("4")
    shot("bo-06-harm")
    page.get_by_role("button", name=NEXT).click()
    # 5 received
    page.get_by_label("ཐོབ་ཟིན་པའི་གུན་གསབ།（སྒོར་）").fill("0")
    page.get_by_role("button", name=NEXT).click()
    # 6 address and bank
    page.get_by_label("ད་ལྟའི་སྡོད་གནས").fill("རྒྱ་ཚ་རྫོང་")
    page.get_by_label("དངུལ་ལེན་མཁན་གྱི་མིང").fill("བསོད་ནམས་སྒྲོལ་མ")
    page.get_by_label("རྩིས་ཐོ་བཙུགས་པའི་དངུལ་ཁང").fill("中国农业银行加查县支行")
    page.get_by_label("དངུལ་ཁང་གི་རྩིས་ཐོ་ཨང་གྲངས").fill("6228480123456789012")
    page.get_by_role("button", name=NEXT).click()
    # 7 materials
    for kind, name, mime, data in (("identity", "id.png", "image/png", PNG), ("harm", "diagnosis.pdf",
                                                                             "application/pdf", PDF)):
        page.get_by_label("འདི་ནི་ཡིག་ཆ་གང་ཡིན").select_option(kind)
        page.get_by_label("ཡིག་ཆ་འདེམས་པ།（པར་རམ་ PDF）").set_input_files({"name": name, "mimeType": mime,
                                                                         "buffer": data})
        page.get_by_role("button", name="ཡིག་ཆ་འདི་ཡར་འཇུག").click()
    expect(page.locator("#files")).to_contain_text("diagnosis.pdf")
    _no_chinese(page)
    shot("bo-07-materials")
    page.get_by_role("button", name="ཡིག་ཆ་ཡར་འཇུག་ཚར་སོང་། གོ་རིམ་རྗེས་མ།").click()
    # 8 review and submit
    expect(page.get_by_role("heading", name="ཞིབ་བཤེར་བྱས་ནས་འབུལ་བ།")).to_be_visible()
    page.get_by_label(re.compile("^ངས་བྲིས་པའི་ནང་དོན")).check()
    _no_chinese(page)
    shot("bo-08-review")
    page.get_by_role("button", name="ཞུ་སྙན་འབུལ་བ།").click()
    expect(page.get_by_role("status")).to_contain_text("ཞུ་སྙན་ཕུལ་ཟིན།")
    shot("bo-09-submitted")

    # Staff register it and ask for two documents (staff screens stay Chinese).
    from jiuzhu.cases import actions as ca
    from jiuzhu.cases.models import AidCase
    from jiuzhu.demo.loader import GROUNDS_NONE, approve_route
    from jiuzhu.notifications.models import OutboundMessage
    from jiuzhu.portal import actions
    from jiuzhu.portal.models import OnlineApplication

    app = OnlineApplication.objects.get()
    assert app.language == "bo"
    kongshen = world.user("540528", "kongshen")
    actions.register(app, acting_user=kongshen, then="supplement", missing="请补交户口簿和村委会出具的困难证明。")
    page.reload()
    expect(page.locator("#missing")).to_contain_text("ཁ་སྐོང་དགོས་པའི་ཡིག་ཆ།")
    expect(page.locator("#missing")).to_contain_text("ལོའི་ཟླ་")  # the due date, in Tibetan
    _no_chinese(page)
    shot("bo-10-supplement-asked")
    for name in ("household.pdf", "hardship.pdf"):
        page.get_by_label("འདི་ནི་ཡིག་ཆ་གང་ཡིན").select_option("hardship")
        page.get_by_label("ཡིག་ཆ་འདེམས་པ།（པར་རམ་ PDF）").set_input_files(
            {"name": name, "mimeType": "application/pdf", "buffer": PDF})
        page.get_by_role("button", name="ཁ་སྐོང་ཡིག་ཆ་འདི་ཡར་འཇུག").click()
        expect(page.locator("#pending")).to_contain_text(name)
    shot("bo-11-supplement-two-files")
    page.get_by_role("button", name="ཁ་སྐོང་ཡིག་ཆ་ཚང་མ་ཕུལ་ཟིན།").click()
    expect(page.get_by_role("status")).to_contain_text("ཁ་སྐོང་ཡིག་ཆ་ཕུལ་ཟིན།")

    case = AidCase.objects.get(channel="online")
    assert case.status == "applied" and case.applicant_language == "bo"
    ca.accept(case, acting_user=kongshen)
    ca.start_review(case, acting_user=kongshen)
    ca.submit_opinion(case, acting_user=kongshen, category="E1", grounds=GROUNDS_NONE, recommendation="grant",
                      reasoning="符合救助条件。", proposed_amount=Decimal("20000"))
    approve_route(world.demo, case, amount=Decimal("20000"), reasons="因案致贫，予以救助。")
    ca.serve_decision(case, acting_user=kongshen, method="direct", recipient="本人")
    world.ensure_cash(case)
    ca.record_funds(case, acting_user=kongshen)
    world.pay_in_full(case)
    page.reload()
    expect(page.locator("#decision")).to_contain_text("སྐྱབས་སྐྱོར་སྤྲོད་རྒྱུའི་ཐག་བཅད། དངུལ་གྲངས། སྒོར་ 20000.00")
    expect(page.locator("#payment")).to_contain_text("སྒོར་ 20000.00 སྤྲད་ཟིན།")
    expect(page.locator("#decision")).to_contain_text("སྤྱི་ལོ་ 20")
    _no_chinese(page)
    assert_tibetan_renders(page)
    shot("bo-12-decided-and-paid")
    # Every SMS to her went out in Tibetan, and says so on its record.
    msgs = list(OutboundMessage.objects.filter(case=case))
    assert {m.key for m in msgs} >= {"supplement", "accepted", "decision", "payment"}
    assert all(m.language == "bo" and re.search(r"[\u0f00-\u0fff]", m.text) for m in msgs)
