"""The custodian's narrow portal and the procurator's custody page."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jiuzhu.accounts.models import User
from jiuzhu.custody.models import EntrustmentAgreement, ReleaseRequest
from jiuzhu.custody.tests.helpers import PASSWORD, custodian, entrusted
from jiuzhu.testing import password_login


def _login(username: str) -> Client:
    client = Client()
    assert password_login(client, username, PASSWORD)
    return client


def test_a_custodian_sees_only_its_entrusted_cases_and_never_an_id_number(world) -> None:
    mine = custodian(world)
    other = custodian(world, "540527", name="洛扎县拉康镇村民委员会", username="cust2")
    a = entrusted(world, mine)
    b = entrusted(world, other, code="540527")
    plain = world.to("paid", amount="5000")  # a case of the same county, not entrusted
    client = _login("cust1")
    page = client.get("/custody/portal/")
    html = page.content.decode()
    assert page.status_code == 200 and a.case.number in html and b.case.number not in html
    applicant = a.case.applicant
    for secret in (applicant.id_number, applicant.id_number_masked, applicant.phone, applicant.name):
        assert secret not in html
    detail = client.get(f"/custody/portal/{a.pk}/").content.decode()
    assert a.case.number in detail and applicant.id_number not in detail and applicant.name not in detail
    assert applicant.id_number_masked not in detail and a.guardian_name not in detail
    # Everything else does not exist for the custodian: the other custodian's case, staff pages, plain cases.
    for url in (f"/custody/portal/{b.pk}/", f"/custody/cases/{a.case.pk}/", f"/custody/cases/{plain.pk}/",
                f"/cases/{a.case.pk}/", f"/cases/{plain.pk}/", f"/funds/cases/{a.case.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/custody/portal/{b.pk}/report/", {"period_from": "2026-01-01", "period_to": "2026-06-30",
                                                          "content": "x"}).status_code == 404
    r = ReleaseRequest.objects.create(agreement=b, amount=1, purpose="x", requested_by=world.user("540527", "kongshen"),
                                      requested_on=b.signed_on)
    assert client.post(f"/custody/releases/{r.pk}/approve/", {"decision": "approve"}).status_code == 404
    assert client.post(f"/custody/agreements/{b.pk}/releases/", {"amount": "1", "purpose": "x"}).status_code == 404


def test_staff_without_a_custodian_link_get_no_portal(world) -> None:
    client = Client()
    client.force_login(world.user("540528", "kongshen"))
    assert client.get("/custody/portal/").status_code == 403


def test_the_custodian_approves_and_pays_out_a_use_in_the_portal(world) -> None:
    a = entrusted(world, custodian(world))
    r = ReleaseRequest.objects.create(agreement=a, amount=Decimal("2000"), purpose="学杂费",
                                      requested_by=world.user("540528", "kongshen"), requested_on=a.signed_on,
                                      procurator_approved_by=world.user("540528", "kongshen"))
    client = _login("cust1")
    assert client.post(f"/custody/releases/{r.pk}/approve/", {"decision": "approve"}).status_code == 302
    assert client.post(f"/custody/releases/{r.pk}/confirm/", {"on": ""}).status_code == 302
    a.refresh_from_db()
    assert a.balance == Decimal(18000)
    response = client.post(f"/custody/agreements/{a.pk}/releases/", {"amount": "99999", "purpose": "x"}, follow=True)
    assert "不足" in response.content.decode()
    a.refresh_from_db()
    assert a.releases.count() == 1


def test_the_procurator_signs_the_agreement_on_the_case_page(world) -> None:
    c = custodian(world)
    case = world.to("granted", amount="12000", groups=["未成年人"], person=world.person(age=9))
    client = Client()
    client.force_login(world.user("540528", "kongshen"))
    page = client.get(f"/custody/cases/{case.pk}/")
    assert c.name in page.content.decode()
    data = {"custodian": c.pk, "guardian_name": "次仁", "amount": "12000", "purposes": "生活", "release_schedule": "按月",
            "suspend_conditions": "挪用", "ends_on": "2030-01-01"}
    bad = client.post(f"/custody/cases/{case.pk}/agreement/", {**data, "amount": "12000.001"}, follow=True)
    assert "金额" in bad.content.decode() and not EntrustmentAgreement.objects.exists()
    client.post(f"/custody/cases/{case.pk}/agreement/", data)
    assert EntrustmentAgreement.objects.get().amount == Decimal(12000)
    # Another county's procurator: 404; a read-only role of the city sees it but may not sign.
    other = Client()
    other.force_login(world.user("540527", "kongshen"))
    assert other.get(f"/custody/cases/{case.pk}/").status_code == 404
    city = Client()
    city.force_login(world.user("540500", "kongshen"))
    assert city.get(f"/custody/cases/{case.pk}/").status_code == 200
    agreement = EntrustmentAgreement.objects.get()
    assert city.post(f"/custody/agreements/{agreement.pk}/status/", {"status": "suspended", "reason": "x"}
                     ).status_code == 403
    assert EntrustmentAgreement.objects.get().status == "active"


def test_the_portal_list_takes_the_same_queries_for_2_and_8_cases(world) -> None:
    c = custodian(world)
    entrusted(world, c, amount="1000")
    entrusted(world, c, amount="1000")
    client = _login("cust1")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/custody/portal/").status_code == 200
    for _ in range(6):
        entrusted(world, c, amount="1000")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/custody/portal/")
    assert page.content.decode().count("办理</a>") == 8
    assert len(many) == len(few)
    assert User.objects.filter(custodian_links__custodian=c).count() == 1


def test_evidence_is_sniffed_by_content_not_trusted_by_its_name(world) -> None:
    """Red team: an HTML file named .pdf was accepted as custody evidence."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    a = entrusted(world, custodian(world))
    staff = Client()
    staff.force_login(world.user("540528", "kongshen"))
    for name, content in [("票据.pdf", b"<html><script>alert(1)</script></html>"), ("照片.JPG", b"%PDF-1.4 x"),
                          ("照片.png", b"GIF89a....")]:
        r = staff.post(f"/custody/agreements/{a.pk}/releases/", {
            "amount": "800", "purpose": "医药费", "evidence": SimpleUploadedFile(name, content)}, follow=True)
        assert "文件内容与扩展名不符" in r.content.decode(), name
    assert not a.releases.exists()
    staff.post(f"/custody/agreements/{a.pk}/releases/", {
        "amount": "800", "purpose": "医药费", "evidence": SimpleUploadedFile("照片.PNG", b"\x89PNG\r\n\x1a\n" + b"0" * 20)})
    assert a.releases.get().evidence


def test_evidence_is_uploaded_with_a_release_and_downloaded_by_either_side_audited(world) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jiuzhu.audit.models import AuditEntry

    a = entrusted(world, custodian(world))
    staff = Client()
    staff.force_login(world.user("540528", "kongshen"))
    bad = staff.post(f"/custody/agreements/{a.pk}/releases/", {
        "amount": "800", "purpose": "医药费", "evidence": SimpleUploadedFile("x.exe", b"MZ")}, follow=True)
    assert "PDF" in bad.content.decode() and not a.releases.exists()
    staff.post(f"/custody/agreements/{a.pk}/releases/", {
        "amount": "800", "purpose": "医药费", "evidence": SimpleUploadedFile("票据.pdf", b"%PDF-1.4 receipt")})
    r = a.releases.get()
    for client in (staff, _login("cust1")):
        response = client.get(f"/custody/releases/{r.pk}/evidence/")
        assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 receipt"
    assert AuditEntry.objects.filter(kind="download", case=a.case).count() == 2
    other = Client()
    other.force_login(world.user("540527", "kongshen"))
    assert other.get(f"/custody/releases/{r.pk}/evidence/").status_code == 404
