"""Every write to documents: issue, correct, record service, upload a template (style.md bullets 10–17).

An issued document is never rendered again. `issue_document` renders the .docx once, stores it with
its SHA-256 and schedules the PDF for the background worker after commit; `correct_document`
issues a new version that points at the old one (same 文号, printed with "（更正）" and a
correction note; the old version is marked superseded and kept in the file). Keeping the number
means the register stays one number per decision and the series gap-free.

Rendering the .docx (tens of milliseconds, local disk) happens inside the issuing transaction,
because the 文号 is taken there under the sequence lock; the slow PDF conversion runs after commit.
A transaction that fails removes the file it wrote.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import jinja2
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from jiuzhu.accounts.access import has_capability, orgs_with
from jiuzhu.accounts.models import Capability, User
from jiuzhu.cases import actions as case_actions
from jiuzhu.cases.actions import CaseActionError, CasePermissionError
from jiuzhu.cases.events import AcceptanceNoticeServedOnSpot, ApprovalRouteCompleted, DecisionServed
from jiuzhu.cases.models import AidCase, CaseEvent, Status
from jiuzhu.documents import builder, context, numbering, queries, render, sandbox, tibetan
from jiuzhu.documents.models import NUMBERED_KINDS, DocumentTemplate, IssuedDocument, Kind, ServiceRecord
from jiuzhu.lib import clock, dates, jobs
from jiuzhu.orgs.models import Organisation
from jiuzhu.people import idcard

logger = logging.getLogger("jiuzhu.documents")


# ---------------------------------------------------------------------------------------------
# Templates


def active_template(org: Organisation, kind: str) -> DocumentTemplate:
    """Return the template KIND uses at ORG: the nearest organisation's active one, else the national one."""
    ids = org.ancestor_ids()
    rows = {t.org_id: t for t in DocumentTemplate.objects.filter(kind=kind, is_active=True)
            .filter(Q(org_id__in=ids) | Q(org__isnull=True))}
    for org_id in [*reversed(ids), None]:
        if org_id in rows:
            return rows[org_id]
    raise DocumentTemplate.DoesNotExist(kind)


def ensure_default_template(kind: str) -> DocumentTemplate:
    """Return the active national template of KIND, building version 1 (python-docx) if there is none."""
    existing = DocumentTemplate.objects.filter(kind=kind, org__isnull=True, is_active=True).first()
    if existing is not None:
        return existing
    data = builder.build_default_template(kind)
    try:
        return _store_template(kind, None, data, acting_user=None, note="系统内置默认模板")
    except IntegrityError:  # another process built it at the same moment
        return DocumentTemplate.objects.get(kind=kind, org__isnull=True, is_active=True)


def ensure_default_templates() -> list[DocumentTemplate]:
    """Make sure every kind has an active national template (run at deploy, and lazily on issue)."""
    return [ensure_default_template(k) for k in Kind.values]


@transaction.atomic
def _store_template(kind: str, org: Organisation | None, data: bytes, *, acting_user: User | None,
                    note: str) -> DocumentTemplate:
    try:
        names = render.placeholders(data, kind)  # the sandbox's allow-list for KIND (issue 11, finding 1)
    except ValidationError as e:
        raise CaseActionError("".join(e.messages)) from e
    # order_by(): the default ordering joins the organisation, and PostgreSQL locks no outer join.
    scope = DocumentTemplate.objects.select_for_update(of=("self",)).filter(kind=kind, org=org).order_by()
    version = max([t.version for t in scope] or [0]) + 1
    scope.filter(is_active=True).update(is_active=False)
    tpl = DocumentTemplate(kind=kind, org=org, version=version, sha256=render.sha256(data), placeholders=names,
                           note=note, is_active=True, uploaded_by=acting_user, uploaded_at=clock.now())
    tpl.file.save(f"{kind}.docx", ContentFile(data), save=False)
    try:
        tpl.save()
    except BaseException:
        tpl.file.delete(save=False)
        raise
    return tpl


NATIONAL_TEMPLATE_REFUSED = "全国默认模板只有超级管理员或最上级院的系统管理员可以上传或更换；请选择本院或下级院作为适用范围。"


def may_change_templates(user: User, org: Organisation | None) -> bool:
    """Return whether USER may upload or activate templates for ORG (None: the national default).

    A national template is used by every procuratorate: only a superuser or an administrator of a
    top-level procuratorate (no parent) may change it. Otherwise ORG must lie in the subtree of an
    organisation where USER administers.
    """
    if user.is_superuser:
        return True
    admin_orgs = orgs_with(user, Capability.ADMINISTER)
    if org is None:
        return any(o.parent_id is None and o.kind == Organisation.Kind.PROCURATORATE for o in admin_orgs)
    return any(org.path.startswith(o.path) for o in admin_orgs)


def _check_template_rights(acting_user: User, org: Organisation | None) -> None:
    if not has_capability(acting_user, Capability.ADMINISTER) and not acting_user.is_superuser:
        raise CasePermissionError("只有系统管理员可以更换文书模板。")
    if not may_change_templates(acting_user, org):
        raise CasePermissionError(NATIONAL_TEMPLATE_REFUSED if org is None else "您只能更换本院及下级院的文书模板。")


def upload_template(kind: str, *, org: Organisation | None, data: bytes, acting_user: User,
                    note: str = "") -> DocumentTemplate:
    """Store DATA as the new active template of KIND for ORG (None: national); checks it against KIND's allow-list."""
    if kind not in Kind.values:
        raise CaseActionError("文书种类不正确。")
    _check_template_rights(acting_user, org)
    return _store_template(kind, org, data, acting_user=acting_user, note=note)


@transaction.atomic(durable=True)
def activate_template(template: DocumentTemplate, *, acting_user: User) -> DocumentTemplate:
    """Make TEMPLATE the active one of its kind and scope (an older version may be brought back)."""
    _check_template_rights(acting_user, template.org)
    try:  # a version stored before the allow-list existed must pass it before it is used again
        render.placeholders(render.read(template.file), template.kind)
    except ValidationError as e:
        raise CaseActionError(f"该模板未通过安全检查，不能启用：{''.join(e.messages)}") from e
    scope = DocumentTemplate.objects.select_for_update(of=("self",)).filter(
        kind=template.kind, org=template.org_id).order_by()
    list(scope)
    scope.exclude(pk=template.pk).filter(is_active=True).update(is_active=False)
    scope.filter(pk=template.pk).update(is_active=True)
    template.is_active = True
    return template


# ---------------------------------------------------------------------------------------------
# Issuing


def _check_authority(case: AidCase, kind: str, acting_user: User) -> None:
    if not queries.may_issue(acting_user, case, kind):
        raise CasePermissionError(f"您无权制作本案的{Kind(kind).label}。")


def _render(case: AidCase, kind: str, *, subject: str, extra: dict[str, Any], number: str, version: int,
            issued_on: dt.date, correction_note: str = "") -> tuple[DocumentTemplate, dict[str, Any], bytes]:
    org = case.handling_org
    template = active_template(org, kind)
    ctx = context.build_context(case, kind, subject=subject, extra=extra, org=org, number=number, version=version,
                                issued_on=issued_on, correction_note=correction_note)
    if not render.matches(template.file, template.sha256):
        logger.error("template %s: stored file does not match its hash", template.pk)
        raise CaseActionError("文书模板文件校验失败，请联系系统管理员。")
    try:
        data = render.render_docx(render.read(template.file), ctx, kind)
    except jinja2.TemplateError as e:  # sandbox.TemplateRefused, SecurityError, or a template that breaks
        logger.error("template %s refused at render: %s", template.pk, e)
        reason = str(e) if isinstance(e, sandbox.TemplateRefused) else "模板含有不允许或无法执行的内容"
        raise CaseActionError(f"文书模板（{template.get_kind_display()}第{template.version}版）未通过安全检查，"
                              f"未制作文书：{reason}。请联系系统管理员更换模板。") from e
    if case.applicant_language == "bo" and kind in tibetan.BILINGUAL_KINDS:
        data = tibetan.append_tibetan(data, kind, case, ctx)  # Chinese, then Tibetan (issue 16)
    return template, ctx, data


def _store(doc: IssuedDocument, data: bytes, written: list[str]) -> None:
    doc.docx_sha256 = render.sha256(data)
    doc.docx.save(f"{doc.kind}.docx", ContentFile(data), save=False)
    written.append(doc.docx.name or "")
    doc.save()


def _discard(written: list[str]) -> None:
    for name in written:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("could not remove %s after a failed issue", name)


def _schedule_pdf(doc: IssuedDocument) -> None:
    jobs.enqueue("convert_document", doc.pk, after_commit=True)


def issue_document(case: AidCase, kind: str, *, acting_user: User,
                   extra: dict[str, Any] | None = None) -> IssuedDocument:
    """Issue KIND for CASE: take its 文号 (if it carries one), render it once and freeze it."""
    if kind not in Kind.values:
        raise CaseActionError("文书种类不正确。")
    ensure_default_template(kind)
    written: list[str] = []
    try:
        return _issue(case, kind, acting_user=acting_user, extra=dict(extra or {}), written=written)
    except BaseException:
        _discard(written)
        raise


@transaction.atomic(durable=True)
def _issue(case: AidCase, kind: str, *, acting_user: User, extra: dict[str, Any], written: list[str]) -> IssuedDocument:
    return _issue_here(case, kind, acting_user=acting_user, extra=extra, written=written)


def _issue_here(case: AidCase, kind: str, *, acting_user: User, extra: dict[str, Any],
                written: list[str]) -> IssuedDocument:
    """Issue KIND inside the caller's transaction (the issue action's, or a step's that makes it automatically)."""
    # Lock the case first: two people issuing the same document at once queue here, and the second
    # then finds the first one's document.
    case.refresh_from_db(from_queryset=AidCase.objects.select_for_update())
    _check_authority(case, kind, acting_user)
    label = Kind(kind).label
    subject = context.SPECS[kind].subject(case, extra)
    current = IssuedDocument.objects.filter(case=case, kind=kind, subject=subject,
                                            status=IssuedDocument.Status.ISSUED).first()
    if current is not None:
        raise CaseActionError(f"本案已制作{label}{current.number and '（' + current.number + '）'}，"
                              "不能重复制作；如有错误，请使用“更正”。")
    today = clock.today()
    org = case.handling_org
    serial, number = numbering.next_number(org, kind, today.year) if kind in NUMBERED_KINDS else (None, "")
    template, ctx, data = _render(case, kind, subject=subject, extra=extra, number=number, version=1,
                                  issued_on=today)
    doc = IssuedDocument(case=case, org=org, kind=kind, subject=subject, number=number, serial=serial, version=1,
                         template=template, context=context.snapshot(ctx), extra=_jsonable(extra),
                         issued_by=acting_user, issued_at=clock.now())
    _store(doc, data, written)
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.RECORD, action="issue_document", actor=acting_user,
                             at=clock.now(), note=f"制作{label}" + (f"，文号{number}" if number else ""),
                             data={"document": doc.pk, "kind": kind, "number": number, "version": 1})
    _schedule_pdf(doc)
    return doc


def correct_document(doc: IssuedDocument, *, acting_user: User, reason: str,
                     extra: dict[str, Any] | None = None) -> IssuedDocument:
    """Issue a corrected version of DOC (same 文号, marked 更正) from the case as it is now; DOC is superseded."""
    if not reason.strip():
        raise CaseActionError("请写明更正原因。")
    written: list[str] = []
    try:
        return _correct(doc, acting_user=acting_user, reason=reason.strip()[:200], extra=dict(extra or {}),
                        written=written)
    except BaseException:
        _discard(written)
        raise


@transaction.atomic(durable=True)
def _correct(doc: IssuedDocument, *, acting_user: User, reason: str, extra: dict[str, Any],
             written: list[str]) -> IssuedDocument:
    return _correct_here(doc, acting_user=acting_user, reason=reason, extra=extra, written=written)


def _correct_here(doc: IssuedDocument, *, acting_user: User, reason: str, extra: dict[str, Any],
                  written: list[str]) -> IssuedDocument:
    """Correct DOC inside the caller's transaction (the correct action's, or the route's completion)."""
    case = AidCase.objects.select_for_update().get(pk=doc.case_id)
    old = IssuedDocument.objects.select_for_update().get(pk=doc.pk)
    _check_authority(case, old.kind, acting_user)
    label = old.get_kind_display()
    if old.status != IssuedDocument.Status.ISSUED:
        raise CaseActionError("该文书已被更正，请对最新版本进行更正。")
    merged = {**old.extra, **{k: v for k, v in extra.items() if v not in (None, "")}}
    context.SPECS[old.kind].subject(case, merged)  # the document must still make sense for the case
    today = clock.today()
    note = (f"本文书系对{context.cn_date(timezone.localdate(old.issued_at))}制作的同号文书（第{old.version}版）的更正，"
            f"原文书同时作废。更正原因：{reason}")
    template, ctx, data = _render(case, old.kind, subject=old.subject, extra=merged, number=old.number,
                                  version=old.version + 1, issued_on=today, correction_note=note)
    if IssuedDocument.objects.filter(pk=old.pk, status=IssuedDocument.Status.ISSUED).update(
            status=IssuedDocument.Status.SUPERSEDED) != 1:
        raise CaseActionError("该文书刚刚已被他人更正，请刷新页面。")
    new = IssuedDocument(case=case, org=old.org, kind=old.kind, subject=old.subject, number=old.number,
                         serial=old.serial, version=old.version + 1, replaces=old, correction_reason=reason,
                         template=template, context=context.snapshot(ctx), extra=_jsonable(merged),
                         issued_by=acting_user, issued_at=clock.now())
    _store(new, data, written)
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.RECORD, action="correct_document", actor=acting_user,
                             at=clock.now(), note=f"更正{label}" + (f"（{old.number}）" if old.number else "")
                             + f"，第{new.version}版：{reason}",
                             data={"document": new.pk, "replaces": old.pk, "kind": old.kind, "number": old.number,
                                   "version": new.version})
    _schedule_pdf(new)
    return new


APPROVAL_FORM_REMADE = "审批流程已完成，按实际审批环节重新制作审批表。"


def on_route_completed(event: ApprovalRouteCompleted) -> None:
    """The approval route ended with the decision: make the 审批表 carrying every step taken, or re-make as
    a new version (第2版 …) the one made earlier that no longer shows them; nothing when it already does.

    It runs inside the decision's transaction, as the issue action does (the .docx is rendered there, the PDF
    after commit by the worker); a failure to make it refuses the decision, so no route ends without its form."""
    case = AidCase.objects.get(pk=event.case.pk)
    offer = queries.approval_form_offer(case, queries.documents_for_case(case))
    if offer is None:
        return
    ensure_default_template(Kind.APPROVAL_FORM)
    written: list[str] = []
    try:
        if offer[1] is None:
            _issue_here(case, Kind.APPROVAL_FORM, acting_user=event.acting_user, extra={}, written=written)
        else:
            _correct_here(offer[1], acting_user=event.acting_user, reason=APPROVAL_FORM_REMADE, extra={},
                          written=written)
    except BaseException:
        _discard(written)
        raise


def _jsonable(extra: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in extra.items():
        out[k] = v if isinstance(v, (str, int, float, bool, list, dict, type(None))) else str(v)
    return out


# ---------------------------------------------------------------------------------------------
# Service


DECISION_KINDS = frozenset({Kind.GRANT_DECISION, Kind.REFUSAL_DECISION})
ON_THE_SPOT = "受理时当场送达"


@transaction.atomic(durable=True)
def record_service(doc: IssuedDocument, *, acting_user: User, method: str, served_on: dt.date, recipient: str,
                   signer_name: str = "", signer_relationship: str = "", signer_id_number: str = "",
                   note: str = "", interpreter_name: str = "", interpreter_id_number: str = "",
                   interpreter_language: str = "") -> ServiceRecord:
    """Record that DOC reached RECIPIENT on SERVED_ON by METHOD (a proxy signer needs name and relationship).

    Serving the case's decision this way is also the case's 送达决定书: the case becomes 已送达."""
    case = AidCase.objects.select_for_update().get(pk=doc.case_id)
    service = _record_service(case, doc, acting_user=acting_user, method=method, served_on=served_on,
                              recipient=recipient, signer_name=signer_name, signer_relationship=signer_relationship,
                              signer_id_number=signer_id_number, note=note, interpreter_name=interpreter_name,
                              interpreter_id_number=interpreter_id_number,
                              interpreter_language=interpreter_language)
    if service.document.kind in DECISION_KINDS and case.status in (Status.GRANTED, Status.REFUSED):
        case_actions.decision_served(case, acting_user=acting_user, method=method,
                                     recipient=service.signer_name or service.recipient, on=served_on, note=note)
    return service


def on_decision_served(event: DecisionServed) -> None:
    """送达决定书 on the case page: record the service on the case's current decision document."""
    case = event.case
    doc = IssuedDocument.objects.filter(case=case, kind__in=DECISION_KINDS,
                                        status=IssuedDocument.Status.ISSUED).order_by("-issued_at", "-pk").first()
    if doc is None:  # no decision document made (yet): the case's own record is all there is
        return
    applicant = case.applicant.name if case.applicant else event.recipient
    proxy = event.method == ServiceRecord.Method.PROXY
    _record_service(case, doc, acting_user=event.acting_user, method=event.method, served_on=event.on,
                    recipient=applicant if proxy else event.recipient,
                    signer_name=event.recipient if proxy else "", signer_relationship=event.relationship,
                    note=event.note)


def on_acceptance_notice_served_on_spot(event: AcceptanceNoticeServedOnSpot) -> None:
    """Accepted with the applicant at the counter: issue the 受理通知书 (unless made already) and record that
    it was handed over on the spot, on the document (the one record of serving)."""
    case = event.case
    doc = IssuedDocument.objects.filter(case=case, kind=Kind.ACCEPTANCE_NOTICE,
                                        status=IssuedDocument.Status.ISSUED).first()
    if doc is None:
        ensure_default_template(Kind.ACCEPTANCE_NOTICE)
        written: list[str] = []
        try:
            doc = _issue_here(case, Kind.ACCEPTANCE_NOTICE, acting_user=event.acting_user, extra={},
                              written=written)
        except BaseException:
            _discard(written)
            raise
    if doc.services.exists():
        return
    _record_service(case, doc, acting_user=event.acting_user, method=ServiceRecord.Method.DIRECT,
                    served_on=max(event.on, timezone.localdate(doc.issued_at)),
                    recipient=case.applicant.name if case.applicant else "申请人", signer_name="",
                    signer_relationship="", note=ON_THE_SPOT)


def _record_service(case: AidCase, doc: IssuedDocument, *, acting_user: User, method: str, served_on: dt.date,
                    recipient: str, signer_name: str, signer_relationship: str, signer_id_number: str = "",
                    note: str = "", interpreter_name: str = "", interpreter_id_number: str = "",
                    interpreter_language: str = "") -> ServiceRecord:
    doc = IssuedDocument.objects.get(pk=doc.pk)
    if not has_capability(acting_user, Capability.HANDLE_CASES, case.handling_org):
        raise CasePermissionError("您无权登记本案文书的送达。")
    if not context.SPECS[doc.kind].servable:
        raise CaseActionError(f"{doc.get_kind_display()}不需要送达。")
    if doc.status != IssuedDocument.Status.ISSUED:
        raise CaseActionError("该文书已被更正作废，请送达最新版本。")
    if method not in ServiceRecord.Method.values:
        raise CaseActionError("请选择送达方式。")
    dates.check(served_on, what="送达日期", not_before=timezone.localdate(doc.issued_at),
                not_before_what="文书制作日期", error=CaseActionError)
    if not recipient.strip():
        raise CaseActionError("请填写受送达人。")
    if method == ServiceRecord.Method.PROXY and not (signer_name.strip() and signer_relationship.strip()):
        raise CaseActionError("代为签收的，须填写签收人姓名及其与受送达人的关系。")
    masked = ""
    if signer_id_number.strip():
        try:
            masked = idcard.mask_id_number(idcard.parse_id_number(signer_id_number).value)
        except ValidationError as e:
            raise CaseActionError(f"签收人{e.messages[0]}") from e
    from jiuzhu.people.interpreters import interpreter_fields

    interpreter = interpreter_fields(name=interpreter_name, id_number=interpreter_id_number,
                                     language=interpreter_language, error=CaseActionError)
    service = ServiceRecord.objects.create(**interpreter,
        document=doc, method=method, served_on=served_on, recipient=recipient.strip()[:50],
        signer_name=signer_name.strip()[:50], signer_relationship=signer_relationship.strip()[:30],
        signer_id_number=idcard.normalise(signer_id_number) if signer_id_number.strip() else "",
        signer_id_masked=masked, note=note.strip()[:200], recorded_by=acting_user, recorded_at=clock.now())
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.RECORD, action="record_service", actor=acting_user, at=clock.now(),
        note=f"{doc.get_kind_display()}" + (f"（{doc.number}）" if doc.number else "")
        + f"已{service.get_method_display()}，送达日期{served_on:%Y-%m-%d}",
        data={"document": doc.pk, "service": service.pk, "method": method, "on": str(served_on)})
    return service
