"""Issue 13: an applicant who did not apply online (a walk-in …) gets the SMS at 受理, 决定 and 发放 that online
applicants get, when a phone is on file, unless the procuratorate turned `notify.applicant_sms` off."""

from __future__ import annotations

import pytest

from jiuzhu.cases.models import CaseEvent
from jiuzhu.notifications.models import OutboundMessage
from jiuzhu.orgs.models import OrgSetting

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


def _walk_in(world, status: str, *, phone: str = PHONE, **kw):  # type: ignore[no-untyped-def]
    return world.to(status, channel="walk_in", person={**world.person("540528"), "phone": phone}, **kw)


def test_a_walk_in_applicant_is_texted_at_acceptance_decision_and_payment(world) -> None:
    case = _walk_in(world, "paid", amount="8000")
    messages = list(OutboundMessage.objects.filter(case=case).order_by("pk"))
    assert [m.key for m in messages] == ["case_accepted", "case_decision", "case_payment"]
    assert {m.to_masked for m in messages} == {"138****5678"}
    assert f"案件编号{case.number}" in messages[0].text and "加查县人民检察院受理" in messages[0].text
    assert "给予救助8000.00元" in messages[1].text
    assert "救助金8000.00元已发放" in messages[2].text
    assert all("{" not in m.text for m in messages)
    # One message per event: each is keyed by its case event.
    events = CaseEvent.objects.filter(case=case, action__in=["accept", "decide_grant", "record_payment"])
    assert {m.dedupe_key for m in messages} == {f"case_event:{e.pk}" for e in events}


def test_any_channel_but_online_is_texted(world) -> None:
    case = world.to("under_review", person={**world.person("540528"), "phone": PHONE})  # case department's clue
    assert list(OutboundMessage.objects.filter(case=case).values_list("key", flat=True)) == ["case_accepted"]


def test_no_phone_or_the_setting_off_sends_nothing(world) -> None:
    no_phone = _walk_in(world, "accepted", phone="")
    assert not OutboundMessage.objects.filter(case=no_phone).exists()
    OrgSetting.objects.create(org=world.orgs["540528"], key="notify.applicant_sms", value=False)
    off = _walk_in(world, "granted")
    assert not OutboundMessage.objects.filter(case=off).exists()
    # Another county keeps the default (on).
    other = world.to("accepted", "540527", channel="walk_in", person={**world.person("540527"), "phone": PHONE})
    assert OutboundMessage.objects.filter(case=other, key="case_accepted").count() == 1



def test_a_tibetan_walk_in_is_texted_in_tibetan(world) -> None:
    case = _walk_in(world, "paid", amount="8000", applicant_language="bo")
    messages = list(OutboundMessage.objects.filter(case=case).order_by("pk"))
    assert [m.key for m in messages] == ["case_accepted", "case_decision", "case_payment"]
    assert {m.language for m in messages} == {"bo"}
    assert all(f"གནད་དོན་ཨང་གྲངས་ {case.number}" in m.text for m in messages)
    assert "ཐག་གཅོད་བྱས་ཟིན" in messages[1].text and "8000.00" in messages[1].text
    assert "给予救助" not in messages[1].text and "{" not in "".join(m.text for m in messages)
    assert "སྒོར་ 8000.00 སྤྲད་ཟིན" in messages[2].text
