from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jiuzhu.calendar import workdays
from jiuzhu.lib import clock
from jiuzhu.support import actions
from jiuzhu.support.models import AgencyKind, PartnerStaff, Referral, ReferralMeasure
from jiuzhu.support.tests.helpers import agency, refer

pytestmark = pytest.mark.django_db


def test_it_sends_a_referral_due_in_five_working_days_and_its_link_opens_it(world):
    case = world.to("paid", "540527")
    referral, link = refer(world, case, agency(world))
    assert referral.status == Referral.Status.SENT
    assert referral.due_on == workdays.add_working_days(referral.sent_on, 5)
    assert actions.referral_from_link(link).pk == referral.pk
    assert link.split(".")[1] not in referral.token_hash  # only the hash is kept
    assert case.events.filter(action="send_referral").count() == 1


def test_it_refuses_a_tampered_a_replaced_and_an_expired_link(world):
    case = world.to("paid", "540527")
    referral, link = refer(world, case, agency(world))
    with pytest.raises(actions.LinkError, match="改动"):
        actions.referral_from_link(link[:-2] + ("AA" if not link.endswith("AA") else "BB"))
    other_pk = link.replace(f"{referral.pk}.", f"{referral.pk + 1}.", 1)
    with pytest.raises(actions.LinkError):
        actions.referral_from_link(other_pk)
    with clock.travel(clock.now() + dt.timedelta(days=31)), pytest.raises(actions.LinkError, match="过期"):
        actions.referral_from_link(link)
    new = actions.renew_link(referral, acting_user=world.user("540527", "kongshen"))
    with pytest.raises(actions.LinkError, match="作废"):
        actions.referral_from_link(link)
    assert actions.referral_from_link(new).pk == referral.pk


def test_it_walks_the_feedback_loop_sent_received_accepted_done(world):
    case = world.to("paid", "540527")
    referral, _ = refer(world, case, agency(world))
    actions.partner_receive(referral, responder="扎西")
    with pytest.raises(ValidationError, match="请先采纳"):
        actions.partner_record_measure(referral, measure="schooling", taken_on=clock.today(), responder="扎西")
    actions.partner_answer(referral, accept=True, responder="扎西")
    actions.partner_record_measure(referral, measure="schooling", taken_on=clock.today(), responder="扎西",
                                   amount=Decimal("1200"), note="减免学费并安排寄宿", done=True)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DONE and referral.done_on == clock.today()
    assert [e.action for e in case.events.filter(action__startswith="referral")] == [
        "referral_received", "referral_answered", "referral_measure"]
    with pytest.raises(ValidationError, match="已经答复"):
        actions.partner_answer(referral, accept=False, note="x", responder="扎西")


def test_it_refuses_bad_partner_input_with_a_chinese_message_and_changes_nothing(world):
    case = world.to("paid", "540527")
    referral, _ = refer(world, case, agency(world))
    with pytest.raises(ValidationError, match="理由"):
        actions.partner_answer(referral, accept=False, note=" ", responder="扎西")
    with pytest.raises(ValidationError, match="经办人"):
        actions.partner_receive(referral, responder="")
    actions.partner_answer(referral, accept=True, responder="扎西")
    with pytest.raises(ValidationError) as e:
        actions.partner_record_measure(referral, measure="schooling", taken_on=clock.today() + dt.timedelta(days=1),
                                       responder="扎西", amount=Decimal("-1"))
    assert set(e.value.message_dict) == {"taken_on", "amount"}
    assert not ReferralMeasure.objects.exists()


def test_it_refuses_a_referral_without_measures_basis_or_from_another_county(world):
    case = world.to("paid", "540527")
    ag = agency(world)
    with pytest.raises(ValidationError) as e:
        refer(world, case, ag, measures=[], basis="law", basis_note="")
    assert set(e.value.message_dict) == {"measures", "basis_note"}
    with pytest.raises(ValidationError, match="协作单位"):
        refer(world, case, agency(world, "540528"))
    with pytest.raises(PermissionDenied):
        actions.send_referral(case, acting_user=world.user("540528", "kongshen"), agency=ag, measures=["dibao"],
                              situation="x", basis="consent")
    assert not Referral.objects.exists()


def test_the_partner_sees_only_the_shared_fields_and_never_the_id_number(world, client):
    person = world.person("540527", age=12)
    case = world.to("paid", "540527", person=person)
    referral, link = refer(world, case, agency(world), shared_fields=["name", "address"])
    html = client.get(reverse("support:respond", args=[link])).content.decode()
    applicant = case.applicant
    assert applicant.name not in html and applicant.display_name in html  # a minor: masked
    assert applicant.address in html
    assert applicant.phone not in html
    assert applicant.id_number not in html and applicant.id_number_masked not in html
    assert applicant.id_number[-4:] not in html.replace(link, "")


def test_the_link_page_works_without_an_account_and_a_bad_link_changes_nothing(world, client):
    case = world.to("paid", "540527")
    referral, link = refer(world, case, agency(world))
    url = reverse("support:respond", args=[link])
    bad = reverse("support:respond", args=[link[:-1] + ("x" if link[-1] != "x" else "y")])
    r = client.post(bad, {"action": "accept", "responder": "扎西"})
    assert r.status_code == 403 and "链接无效" in r.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    r = client.post(url, {"action": "accept", "responder": "扎西"})
    assert r.status_code == 302
    r = client.post(url, {"action": "measure", "responder": "扎西", "measure": "schooling",
                          "taken_on": clock.today().isoformat(), "note": "已安排就学", "done": "on"})
    assert r.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DONE
    r = client.post(url, {"action": "decline", "responder": ""})
    assert r.status_code == 200 and "请填写经办人姓名" in r.content.decode()


def test_a_partner_account_sees_only_its_agencys_referrals(world, client):
    case = world.to("paid", "540527")
    edu, women = agency(world), agency(world, kind=AgencyKind.WOMEN, name="洛扎县妇联")
    mine, _ = refer(world, case, edu)
    theirs, _ = refer(world, case, women)
    from jiuzhu.accounts.actions import create_staff_user

    user = create_staff_user("luozha_partner", password="x-Pass-1234", full_name="次仁", org=world.orgs["540527"],
                             role="partner")
    PartnerStaff.objects.create(user=user, agency=edu)
    client.force_login(user)
    assert client.get(reverse("support:partner_referral", args=[mine.pk])).status_code == 200
    assert client.get(reverse("support:partner_referral", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    client.post(reverse("support:partner_referral", args=[mine.pk]), {"action": "accept"})
    mine.refresh_from_db()
    assert mine.status == Referral.Status.ACCEPTED and mine.responder == "次仁"


def test_the_case_page_shows_referrals_and_what_each_partner_did(world, client):
    case = world.to("paid", "540527")
    referral, _ = refer(world, case, agency(world))
    actions.partner_answer(referral, accept=True, responder="扎西")
    actions.partner_record_measure(referral, measure="schooling", taken_on=clock.today(), responder="扎西",
                                   note="减免学费")
    client.force_login(world.user("540527", "kongshen"))
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "洛扎县教育局" in html and "减免学费" in html and "已采纳" in html


def test_referral_views_are_404_outside_the_county_and_403_read_only(world, client):
    case = world.to("paid", "540527")
    client.force_login(world.user("540528", "kongshen"))
    assert client.get(reverse("support:referral_new", args=[case.pk])).status_code == 404
    client.force_login(world.user("540500", "kongshen"))  # the city sees the county's case, may not change it
    assert client.get(reverse("support:referral_new", args=[case.pk])).status_code == 403


def test_the_referral_form_sends_and_shows_the_link_once(world, client):
    case = world.to("paid", "540527")
    ag = agency(world)
    client.force_login(world.user("540527", "kongshen"))
    url = reverse("support:referral_new", args=[case.pk])
    r = client.post(url, {"agency": ag.pk, "situation": "x", "basis": "consent"})
    assert "请选择请求帮扶的事项" in r.content.decode() and not Referral.objects.exists()
    r = client.post(url, {"agency": ag.pk, "measures": ["schooling", "counselling"], "situation": "需要就学帮扶",
                          "basis": "consent", "basis_note": "书面同意", "shared_fields": ["name"]})
    assert r.status_code == 200 and "/support/r/" in r.content.decode()
    referral = Referral.objects.get()
    assert referral.measures == ["schooling", "counselling"]
    from jiuzhu.documents.models import IssuedDocument

    letter = IssuedDocument.objects.get(case=case, kind="referral_letter")
    assert letter.subject == f"referral:{referral.pk}" and "检控救转" in letter.number
    assert "转介移送函" in r.content.decode()


def test_the_referral_letter_carries_only_the_shared_fields(world):
    from jiuzhu.documents.actions import issue_document
    from jiuzhu.documents.tests.conftest import docx_of, text_of

    case = world.to("paid", "540527")
    referral, _ = refer(world, case, agency(world), shared_fields=["name", "address"])
    doc = issue_document(case, "referral_letter", acting_user=world.user("540527", "kongshen"),
                         extra={"referral": referral.pk})
    text = text_of(docx_of(doc))
    a = case.applicant
    assert "洛扎县教育局" in text and a.name in text and a.address in text and "就学安置与学费减免" in text
    assert a.id_number not in text and a.phone not in text
    assert a.address not in str(doc.context)


def test_a_clue_sent_in_by_a_partner_enters_the_clue_list_with_its_source(world, client):
    from jiuzhu.cases.models import AidCase

    women = agency(world, kind=AgencyKind.WOMEN, name="洛扎县妇联")
    client.force_login(world.user("540527", "kongshen"))
    url = reverse("support:partner_clue")
    r = client.post(url, {"agency": women.pk, "person_name": "", "clue_summary": "x", "on": clock.today().isoformat()})
    assert "此项为必填项" in r.content.decode() and not AidCase.objects.exists()
    r = client.post(url, {"agency": women.pk, "person_name": "拉姆", "clue_summary": "县妇联移送：被害妇女因案致贫。",
                          "on": clock.today().isoformat()})
    case = AidCase.objects.get()
    assert r.status_code == 302 and case.channel == "partner" and case.source_detail == "洛扎县妇联移送"
    assert case.status == "clue" and case.handling_org.code == "540527"
    client.force_login(world.user("540528", "kongshen"))
    assert client.post(url, {"agency": women.pk, "person_name": "拉姆", "clue_summary": "x",
                             "on": clock.today().isoformat()}).status_code == 200
    assert AidCase.objects.count() == 1


def test_staff_record_paper_feedback_for_a_partner_with_themselves_as_actor(world, client):
    case = world.to("paid", "540527")
    referral, _ = refer(world, case, agency(world))
    url = reverse("support:referral_feedback", args=[referral.pk])
    client.force_login(world.user("540528", "kongshen"))
    assert client.get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        actions.partner_receive(referral, responder="扎西", acting_user=world.user("540500", "kongshen"))
    handler = world.user("540527", "kongshen")
    client.force_login(handler)
    assert client.post(url, {"action": "accept", "responder": "扎西", "note": "书面回函"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED and referral.responder == "扎西"
    assert case.events.get(action="referral_answered").actor == handler
