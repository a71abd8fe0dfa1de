"""The online application end to end (Django test client): apply, register, supplement, decide, pay."""

from __future__ import annotations

import subprocess
from decimal import Decimal

import pytest

from jiuzhu.cases import actions as case_actions
from jiuzhu.cases.models import AidCase, Attachment, Channel, Deadline, Status
from jiuzhu.notifications.models import Notification, OutboundMessage
from jiuzhu.notifications.tasks import retry_unsent
from jiuzhu.portal import actions
from jiuzhu.portal.models import OnlineApplication
from jiuzhu.portal.tests.helpers import ANSWERS, fill_application, login, pdf

pytestmark = pytest.mark.django_db
PHONE = "13800138000"


def _submit(client, world) -> OnlineApplication:  # type: ignore[no-untyped-def]
    login(client, PHONE)
    pk = fill_application(client)
    r = client.post(f"/apply/a/{pk}/submit/", {"declaration": "on"})
    assert r.status_code == 302, r.content.decode()[:2000]
    return OnlineApplication.objects.get(pk=pk)


def test_it_submits_an_application_with_a_receipt_into_the_right_county(client, world, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        app = _submit(client, world)
    assert app.state == OnlineApplication.State.SUBMITTED
    assert app.org.code == "540528" and app.receipt_number.startswith("WS")
    assert app.files.count() == 2
    # Personal data is not in clear in the row.
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT answers, phone FROM portal_onlineapplication WHERE id = %s", [app.pk])
        answers_raw, phone_raw = cur.fetchone()
    assert b"540528199001011239" not in bytes(answers_raw) and PHONE.encode() not in bytes(phone_raw)
    # The applicant gets a receipt SMS (recorded, sent after commit); staff of 加查 an in-app notice.
    assert OutboundMessage.objects.filter(key="receipt", state="queued").count() == 1
    assert Notification.objects.filter(kind="new_application", recipient=world.user("540528", "kongshen")).exists()
    assert not Notification.objects.filter(kind="new_application", recipient=world.user("540521", "kongshen")).exists()
    # It is in 加查's intake queue, not 扎囊's.
    staff = client_for(world, "540528")
    assert app.receipt_number in staff.get("/intake/").content.decode()
    assert app.receipt_number not in client_for(world, "540521").get("/intake/").content.decode()
    assert client_for(world, "540521").get(f"/intake/{app.pk}/").status_code == 404
    page = staff.get(f"/intake/{app.pk}/").content.decode()
    assert "申请人身份证号码" in page and "540528********1239" in page and "540528199001011239" not in page
    assert "6228480123456789012" not in page
    # The receipt PDF lists the materials.
    r = client.get(f"/apply/a/{app.pk}/receipt.pdf")
    assert r["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=r.content, capture_output=True, check=True).stdout.decode()
    assert app.receipt_number in text and "诊断证明.pdf" in text and "身份证明" in text


def client_for(world, code: str, role: str = "kongshen"):  # type: ignore[no-untyped-def]
    from django.test import Client

    c = Client()
    c.force_login(world.user(code, role))
    return c


def test_it_goes_from_registration_to_payment_with_a_supplement_online(client, world) -> None:
    app = _submit(client, world)
    staff = world.user("540528", "kongshen")
    case = actions.register(app, acting_user=staff, then="supplement", missing="请补交村委会出具的家庭困难证明。")
    assert case.channel == Channel.ONLINE and case.status == Status.AWAITING_SUPPLEMENT
    assert Attachment.objects.filter(case=case).count() == 2
    assert case.applicant.id_number_masked.startswith("540528")
    page = client.get(f"/apply/a/{app.pk}/").content.decode()
    assert "需要您补充材料" in page and "村委会出具的家庭困难证明" in page
    assert OutboundMessage.objects.filter(key="supplement", case=case).count() == 1
    # The applicant answers online: the supplement clock completes and the case resumes.
    r = client.post(f"/apply/a/{app.pk}/", {"kind": "hardship", "file": pdf("困难证明.pdf"), "upload": "1"})
    assert r.status_code == 302, r.content.decode()[:2000]
    case.refresh_from_db()
    assert case.status == Status.AWAITING_SUPPLEMENT  # she has not said she is done
    r = client.post(f"/apply/a/{app.pk}/", {"done": "1"})
    assert r.status_code == 302, r.content.decode()[:2000]
    case.refresh_from_db()
    assert case.status == Status.APPLIED
    assert Deadline.objects.get(case=case, kind="supplement").completed_on is not None
    assert Attachment.objects.filter(case=case, original_name="困难证明.pdf").exists()
    # Staff accept and take it to a decision and payment through the ordinary actions.
    from jiuzhu.demo.loader import GROUNDS_NONE, approve_route

    case_actions.accept(case, acting_user=staff)
    case_actions.start_review(case, acting_user=staff)
    case_actions.submit_opinion(case, acting_user=staff, category="E1", grounds=GROUNDS_NONE, recommendation="grant",
                                reasoning="符合救助条件。", proposed_amount=Decimal("20000"))
    approve_route(world.demo, case, amount=Decimal("20000"), reasons="因案致贫，予以救助。")
    case_actions.serve_decision(case, acting_user=staff, method="direct", recipient="本人")
    world.ensure_cash(case)
    case_actions.record_funds(case, acting_user=staff)
    world.pay_in_full(case)  # finance pays through the funds app
    page = client.get(f"/apply/a/{app.pk}/").content.decode()
    assert "20000.00 元" in page and "救助金已发放" in page
    keys = set(OutboundMessage.objects.filter(case=case).values_list("key", flat=True))
    assert {"supplement", "accepted", "decision", "payment"} <= keys
    # Delivery happens outside the transaction, by the worker (here: the retry sweep).
    assert retry_unsent() >= 5
    assert not OutboundMessage.objects.filter(state="queued").exists()


def test_it_refuses_to_submit_an_incomplete_draft_with_reasons(client, world) -> None:
    login(client, PHONE)
    answers = {k: v for k, v in ANSWERS.items() if k != "bank"}
    r = client.post("/apply/mine/")
    pk = int(r["Location"].split("/")[3])
    for step, data in answers.items():
        client.post(f"/apply/a/{pk}/{step}/", {**data, "next": "1"})
    # The bank step is skipped: the materials page sends the applicant back.
    assert client.get(f"/apply/a/{pk}/materials/").status_code == 302
    app = OnlineApplication.objects.get(pk=pk)
    with pytest.raises(actions.PortalError) as e:
        actions.submit(app)
    assert "“住址和收款账户”一步尚未填写完整。" in e.value.messages
    assert OnlineApplication.objects.get(pk=pk).state == "draft"


def test_it_shows_field_errors_in_chinese_and_keeps_nothing(client, world) -> None:
    login(client, PHONE)
    r = client.post("/apply/mine/")
    pk = int(r["Location"].split("/")[3])
    bad = {**ANSWERS["applicant"], "id_number": "540528199001011230", "next": "1"}
    r = client.post(f"/apply/a/{pk}/applicant/", bad)
    assert r.status_code == 400
    assert "校验码" in r.content.decode() or "身份证" in r.content.decode()
    assert OnlineApplication.objects.get(pk=pk).step == 0
    # A file whose content is not what its name says is refused.
    for step, data in list(ANSWERS.items()):
        client.post(f"/apply/a/{pk}/{step}/", {**data, "next": "1"})
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = client.post(f"/apply/a/{pk}/materials/", {"kind": "harm", "file": fake, "upload": "1"})
    assert r.status_code == 400 and "文件内容与扩展名不符" in r.content.decode()
    assert not OnlineApplication.objects.get(pk=pk).files.exists()


def test_it_resumes_a_saved_draft_after_logging_in_again(client, world) -> None:
    login(client, PHONE)
    r = client.post("/apply/mine/")
    pk = int(r["Location"].split("/")[3])
    r = client.post(f"/apply/a/{pk}/applicant/", {**ANSWERS["applicant"], "save_only": "1"})
    assert "草稿已保存" in r.content.decode()
    client.post("/apply/logout/")
    assert client.get(f"/apply/a/{pk}/").status_code == 302  # to the login page
    import datetime as dt

    from jiuzhu.lib import clock

    with clock.travel(clock.now() + dt.timedelta(minutes=2)):
        login(client, PHONE)
        r = client.get(f"/apply/a/{pk}/", follow=True)
        assert "被害人" in r.content.decode()  # the next step
        r = client.get(f"/apply/a/{pk}/applicant/")
        assert "次仁卓玛" in r.content.decode()


def test_it_registers_a_case_only_once_even_if_asked_twice(client, world) -> None:
    app = _submit(client, world)
    staff = world.user("540528", "kongshen")
    case = actions.register(app, acting_user=staff)
    again = actions.register(OnlineApplication.objects.get(pk=app.pk), acting_user=staff, then="accept")
    assert again.pk == case.pk and AidCase.objects.filter(channel="online").count() == 1
    assert AidCase.objects.get(pk=case.pk).status == Status.ACCEPTED


def test_it_lets_only_handlers_of_that_procuratorate_register(client, world) -> None:
    from django.core.exceptions import PermissionDenied

    app = _submit(client, world)
    for code, role in (("540521", "kongshen"), ("540500", "kongshen"), ("540528", "finance")):
        with pytest.raises(PermissionDenied):
            actions.register(app, acting_user=world.user(code, role))
    # The city sees the application in its queue (its subtree) but may not register it.
    city = client_for(world, "540500")
    assert city.get(f"/intake/{app.pk}/").status_code == 200
    assert city.post(f"/intake/{app.pk}/register/", {"then": "accept"}).status_code == 403
    assert OnlineApplication.objects.get(pk=app.pk).case is None


def test_it_caps_the_number_of_open_drafts(client, world) -> None:
    login(client, PHONE)
    for _ in range(actions.MAX_DRAFTS):
        assert client.post("/apply/mine/").status_code == 302
    r = client.post("/apply/mine/")
    assert r.status_code == 400 and "未提交的草稿" in r.content.decode()
    assert OnlineApplication.objects.count() == actions.MAX_DRAFTS


def test_it_gives_the_applicant_only_the_documents_meant_for_them(client, world) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from jiuzhu.demo.loader import GROUNDS_NONE, approve_route
    from jiuzhu.documents import actions as doc_actions
    from jiuzhu.documents.models import IssuedDocument, Kind

    app = _submit(client, world)
    staff = world.user("540528", "kongshen")
    case = actions.register(app, acting_user=staff, then="accept")
    case_actions.start_review(case, acting_user=staff)
    case_actions.submit_opinion(case, acting_user=staff, category="E1", grounds=GROUNDS_NONE, recommendation="grant",
                                reasoning="符合救助条件。", proposed_amount=Decimal("20000"))
    approve_route(world.demo, case, amount=Decimal("20000"), reasons="予以救助。")
    doc_actions.issue_document(case, Kind.GRANT_DECISION, acting_user=staff)  # the 审批表 came with the route
    for doc in IssuedDocument.objects.filter(case=case, kind__in=(Kind.GRANT_DECISION, Kind.APPROVAL_FORM)):
        name = default_storage.save(f"test-pdf/{doc.pk}.pdf", ContentFile(b"%PDF-1.4 test"))
        IssuedDocument.objects.filter(pk=doc.pk).update(pdf=name)  # as the worker's conversion would
    grant = IssuedDocument.objects.get(case=case, kind=Kind.GRANT_DECISION)
    internal = IssuedDocument.objects.get(case=case, kind=Kind.APPROVAL_FORM)
    page = client.get(f"/apply/a/{app.pk}/").content.decode()
    assert "国家司法救助决定书" in page and "审批表" not in page
    r = client.get(f"/apply/a/{app.pk}/documents/{grant.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert client.get(f"/apply/a/{app.pk}/documents/{internal.pk}/").status_code == 404


def test_it_takes_several_supplement_files_until_the_applicant_says_she_is_done(client, world) -> None:
    """Issue 13: a request for two missing items stays open after the first upload."""
    app = _submit(client, world)
    staff = world.user("540528", "kongshen")
    case = actions.register(app, acting_user=staff, then="supplement",
                            missing="请补交户口簿和村委会出具的家庭困难证明。")
    # "Done" before any file is refused, in Chinese, and changes nothing.
    r = client.post(f"/apply/a/{app.pk}/", {"done": "1"})
    assert r.status_code == 400 and "请先上传补正材料" in r.content.decode()
    case.refresh_from_db()
    assert case.status == Status.AWAITING_SUPPLEMENT
    for kind, name in [("identity", "户口簿.pdf"), ("hardship", "困难证明.pdf")]:
        r = client.post(f"/apply/a/{app.pk}/", {"kind": kind, "file": pdf(name), "upload": "1"})
        assert r.status_code == 302, r.content.decode()[:2000]
        page = client.get(r["Location"]).content.decode()
        assert "需要补充的材料" in page and "这份材料已上传" in page and name in page
        case.refresh_from_db()
        assert case.status == Status.AWAITING_SUPPLEMENT
    # Both files are in the case file already; staff see them as they arrive.
    assert set(Attachment.objects.filter(case=case, note__contains="补正").values_list("original_name", flat=True)) \
        == {"户口簿.pdf", "困难证明.pdf"}
    r = client.post(f"/apply/a/{app.pk}/", {"done": "1"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.APPLIED
    assert "补正材料2份" in case.events.filter(action="receive_supplement").get().note
    assert "补正材料已提交" in client.get(r["Location"]).content.decode()


def test_it_keeps_the_crime_and_labels_the_mother_as_the_applicant(client, world) -> None:
    """Issue 13: a mother applies for her son without a case number: the crime stays, the labels are right."""
    login(client, PHONE)
    answers = {**ANSWERS,
               "applicant": {"capacity": "legal_rep", "name": "旦增尼玛", "id_number": ANSWERS["applicant"]["id_number"],
                             "relationship": "母亲"},
               "victim": {"victim_name": "扎西次仁", "victim_condition": "injured"},
               "case": {**ANSWERS["case"], "original_case_number": ""}}
    pk = fill_application(client, answers)
    from jiuzhu.portal.tests.helpers import pdf as pdf_file

    client.post(f"/apply/a/{pk}/materials/", {"kind": "relationship", "file": pdf_file("出生证明.pdf"), "upload": "1"})
    r = client.post(f"/apply/a/{pk}/submit/", {"declaration": "on"})
    assert r.status_code == 302, r.content.decode()[:2000]
    app = OnlineApplication.objects.get(pk=pk)
    case = actions.register(app, acting_user=world.user("540528", "kongshen"))
    assert case.original_case is not None and case.original_case.charge == "故意伤害"
    page = client_for(world, "540528").get(f"/cases/{case.pk}/").content.decode()
    assert "故意伤害" in page
    parties = {p.role: p for p in case.parties.select_related("person")}
    assert parties["applicant"].relationship == "母亲"
    assert parties["victim"].relationship == ""
    assert "被害人（母亲）" not in page and "申请人（母亲）" in page


def test_the_supplement_sms_has_no_doubled_full_stop(client, world) -> None:
    app = _submit(client, world)
    case = actions.register(app, acting_user=world.user("540528", "kongshen"), then="supplement",
                            missing="请补交村委会出具的家庭困难证明。")
    text = OutboundMessage.objects.get(key="supplement", case=case).text
    assert "。。" not in text and "家庭困难证明。请于" in text


def test_portal_labels_end_in_a_full_width_colon(client, world) -> None:
    login(client, PHONE)
    r = client.post("/apply/mine/")
    page = client.get(r["Location"]).content.decode()
    assert "申请人姓名：</label>" in page and "申请人姓名:" not in page
    import re

    assert not re.search(r"[\u4e00-\u9fff]:</label>", page)
    # A tick box's sentence takes no colon.
    login_page = client.get("/apply/login/").content.decode()
    assert "手机号码：</label>" in login_page

