"""Reads of the portal: an applicant reaches only the applications of the number they proved."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from jiuzhu.accounts.models import Capability, User
from jiuzhu.cases.models import AidCase, CaseEvent, Deadline, Status
from jiuzhu.portal.models import OnlineApplication

# The documents an applicant receives (the others are internal to the procuratorate).
APPLICANT_DOCUMENT_KINDS = ["notice", "materials_list", "supplement_notice", "acceptance_notice",
                            "grant_decision", "refusal_decision"]
# Their titles as the portal shows them (in the applicant's language).
DOCUMENT_TITLES = {"notice": _("国家司法救助权利告知书"), "materials_list": _("申请材料清单"),
                   "supplement_notice": _("补正材料通知书"), "acceptance_notice": _("受理通知书"),
                   "grant_decision": _("国家司法救助决定书"), "refusal_decision": _("不予救助决定书")}
PAYMENT_METHODS = {"lump_sum": _("一次性发放"), "instalments": _("分期发放")}


def applications_of(phone_bidx: str) -> QuerySet[OnlineApplication]:
    if not phone_bidx:
        return OnlineApplication.objects.none()
    return (OnlineApplication.objects.filter(phone_bidx=phone_bidx).select_related("org", "case")
            .order_by("-created_at", "-pk"))


def application_for(phone_bidx: str, pk: int) -> OnlineApplication:
    """Return application PK if it belongs to the number; 404 otherwise (never 403: it does not exist)."""
    app = applications_of(phone_bidx).filter(pk=pk).first()
    if app is None:
        raise Http404("申请不存在")
    return app


def intake_queue(user: User) -> QuerySet[OnlineApplication]:
    """Submitted applications waiting to be registered, in the procuratorates whose cases USER sees."""
    from jiuzhu.accounts.access import memberships_of

    paths = [m.org.path for m in memberships_of(user) if Capability.VIEW_CASES in m.capabilities]
    if not paths:
        return OnlineApplication.objects.none()
    from django.db.models import Q

    q = Q(pk__in=[])
    for p in paths:
        q |= Q(org__path__startswith=p)
    return (OnlineApplication.objects.filter(q).exclude(state=OnlineApplication.State.DRAFT)
            .select_related("org", "case", "client").order_by("state", "-submitted_at", "-pk"))


# What each state of the case means to the applicant, in plain words.
PLAIN = {
    Status.APPLIED: (_("检察院正在审查您的申请材料"), _("一般在5个工作日内告诉您材料是否齐全。")),
    Status.AWAITING_SUPPLEMENT: (_("需要您补充材料"), _("请在期限内上传下面列出的材料，逾期未补充的视为放弃申请。")),
    Status.ACCEPTED: (_("申请已受理"), _("检察院正在审查，会了解您的受害和家庭情况，可能上门走访。")),
    Status.UNDER_REVIEW: (_("正在审查"), _("检察院正在调查核实您的情况。")),
    Status.PENDING_APPROVAL: (_("正在审批"), _("审查意见已报领导审批，请耐心等待。")),
    Status.GRANTED: (_("已决定给予救助"), _("检察院会把决定书送达给您，之后发放救助金。")),
    Status.REFUSED: (_("决定不予救助"), _("下面是检察院说明的理由。如有疑问，可拨打12309或到检察院咨询。")),
    Status.SERVED: (_("决定书已送达"), _("如决定给予救助，资金到位后会通知您领取。")),
    Status.AWAITING_PAYMENT: (_("救助金即将发放"), _("资金已经到位，检察院会尽快发放到您的账户。")),
    Status.PAID: (_("救助金已发放"), _("请查收您的银行账户。")),
    Status.FOLLOW_UP: (_("救助金已发放"), _("检察院会回访了解您的生活情况。")),
    Status.CLOSED: (_("案件已办结"), ""),
    Status.ARCHIVED: (_("案件已办结"), ""),
    Status.ABANDONED: (_("申请视为放弃"), _("因未在期限内补充材料，申请视为放弃。您可以重新提出申请。")),
    Status.ADVANCE_REQUESTED: (_("正在审批先行救助"), _("因情况紧急，检察院正在审批先行发放救助金。")),
    Status.ADVANCE_GRANTED: (_("已先行救助"), _("救助金已先行发放，检察院会继续办理后续手续。")),
}


def status_of(app: OnlineApplication) -> dict[str, Any]:
    """Everything the applicant's status page shows, in words a layperson understands."""
    out: dict[str, Any] = {"missing": "", "due": None, "documents": [], "decision": None, "payment": None}
    case: AidCase | None = app.case
    if app.state == OnlineApplication.State.DRAFT:
        out |= {"title": _("尚未提交"), "text": _("申请还没有提交，请继续填写。"), "step": 0}
        return out
    if case is None:
        out |= {"title": _("已提交，等待检察院审查"),
                "text": _("检察院收到后会登记并审查材料，一般在5个工作日内处理。"),
                "step": 1}
        return out
    title, text = PLAIN.get(Status(case.status), (_("办理中"), ""))
    out |= {"title": title, "text": text, "status": case.status}
    out["step"] = (1 if case.status in (Status.CLUE, Status.NOTIFIED, Status.APPLIED, Status.AWAITING_SUPPLEMENT)
                   else 2 if case.status in (Status.ACCEPTED, Status.UNDER_REVIEW, Status.PENDING_APPROVAL,
                                             Status.ADVANCE_REQUESTED, Status.ADVANCE_GRANTED)
                   else 3 if case.paid_amount == 0 else 4)
    if case.status == Status.AWAITING_SUPPLEMENT:
        ask = CaseEvent.objects.filter(case=case, action="request_supplement").order_by("-at", "-pk").first()
        due = Deadline.objects.filter(case=case, kind=Deadline.Kind.SUPPLEMENT, completed_on__isnull=True).first()
        out |= {"missing": ask.note if ask else "", "due": due.due_on if due else None}
    if case.decision:
        out["decision"] = {"grant": case.decision == AidCase.Decision.GRANT, "on": case.decided_on,
                           "amount": case.decided_amount, "reasons": case.decision_reasons}
    if case.paid_amount:
        out["payment"] = {"amount": case.paid_amount, "on": case.paid_on,
                          "method": PAYMENT_METHODS.get(case.payment_method) or case.get_payment_method_display()}
    from jiuzhu.documents.models import IssuedDocument

    out["documents"] = list(IssuedDocument.objects.filter(case=case, kind__in=APPLICANT_DOCUMENT_KINDS,
                                                          status="issued").exclude(pdf="").order_by("issued_at"))
    return out


def readable_answers(app: OnlineApplication, *, mask: bool = False) -> list[tuple[str, list[tuple[str, str]]]]:
    """The answers step by step with the forms' labels (MASK: ID numbers and accounts masked, for staff lists)."""
    from jiuzhu.people.idcard import mask_id_number, mask_tail
    from jiuzhu.portal import forms as pforms
    from jiuzhu.portal.actions import answers_of

    maskers = {"id_number": mask_id_number, "victim_id_number": mask_id_number, "bank_account": mask_tail}
    answers = answers_of(app)
    out = []
    for key, title, form_class in pforms.STEPS:
        if form_class is None or key not in answers:
            continue
        form = form_class()
        rows = []
        for name, field in form.fields.items():
            value = (answers.get(key) or {}).get(name)
            if value in (None, "", False):
                continue
            if mask and name in maskers:
                value = maskers[name](str(value))
            if hasattr(field, "choices"):
                value = dict(field.choices).get(value, value)  # type: ignore[attr-defined]
            rows.append((str(field.label), str(_("是")) if value is True else str(value)))
        out.append((title, rows))
    if answers.get("summary"):
        out.append(("线索情况", [("情况说明", answers["summary"])]))
    return out
