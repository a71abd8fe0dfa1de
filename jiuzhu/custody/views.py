"""Custody screens: the procurator's page per case, and the custodian's narrow portal.

Staff pages start from the case scope (get_case_for_user: 404 outside it). Portal pages start from
the custodian link (queries.entrusted_to: 404 for any case not entrusted to the user's custodian) and
show masked personal data only: never an ID number, phone or address.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.models import Capability, User
from jiuzhu.audit.actions import record as audit
from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases.access import get_case_for_user
from jiuzhu.custody import actions, forms, queries
from jiuzhu.custody.models import CustodyEntry, EntrustmentAgreement, ReleaseRequest
from jiuzhu.lib.actionviews import report_error, run_action
from jiuzhu.people.idcard import mask_name


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _agreement_context(agreement: EntrustmentAgreement) -> dict[str, Any]:
    return {
        "agreement": agreement,
        "entries": list(CustodyEntry.objects.filter(agreement=agreement).select_related("actor")
                        .order_by("happened_on", "pk")),
        "releases": list(ReleaseRequest.objects.filter(agreement=agreement).select_related(
            "requested_by", "procurator_approved_by", "custodian_approved_by").order_by("-requested_on", "-pk")),
        "reports": list(agreement.reports.select_related("submitted_by").order_by("-period_to", "-pk")),
    }


# ---------------------------------------------------------------------------------------------
# The procurator's side


def case_custody(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = get_case_for_user(user, pk)
    can_write = has_capability(user, Capability.HANDLE_CASES, case.handling_org)
    agreement = (EntrustmentAgreement.objects.select_related("custodian").filter(case=case).first())
    context: dict[str, Any] = {"case": case, "can_write": can_write, "agreement": agreement}
    if agreement is not None:
        context.update(_agreement_context(agreement))
        context["release_form"] = forms.ReleaseForm()
        context["status_form"] = forms.StatusForm()
    elif can_write:
        context["form"] = forms.AgreementForm(
            custodians=queries.custodians_for_case(case.handling_org),
            initial={"amount": case.decided_amount, "guardian_name": ""})
    return render(request, "custody/case.html", context)


@require_POST
def create_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = get_case_for_user(user, pk, write=True)
    form = forms.AgreementForm(request.POST, custodians=queries.custodians_for_case(case.handling_org))
    return run_action(request, form, lambda d: actions.create_agreement(case, acting_user=user, **d),
                      success="已登记资金代管委托协议。", redirect_to=("custody:case", case.pk))


@require_POST
def agreement_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    agreement = get_object_or_404(EntrustmentAgreement, pk=pk)
    case = get_case_for_user(user, agreement.case_id, write=True)
    form = forms.StatusForm(request.POST)
    return run_action(request, form, lambda d: actions.set_agreement_status(agreement, acting_user=user, **d),
                      success="已变更代管协议状态。", redirect_to=("custody:case", case.pk))


def _release_target(user: User, agreement: EntrustmentAgreement, portal: bool) -> str:
    return f"/custody/portal/{agreement.pk}/" if portal else f"/custody/cases/{agreement.case_id}/"


def _agreement_for(user: User, pk: int) -> tuple[EntrustmentAgreement, bool]:
    """Return agreement PK for USER from either side: the custodian's portal or the case scope (404)."""
    agreement = queries.entrusted_to(user).filter(pk=pk).first()
    if agreement is not None:
        return agreement, True
    agreement = get_object_or_404(EntrustmentAgreement, pk=pk)
    get_case_for_user(user, agreement.case_id)
    return agreement, False


@require_POST
def request_release(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    agreement, portal = _agreement_for(user, pk)
    form = forms.ReleaseForm(request.POST, request.FILES)
    return run_action(request, form, lambda d: actions.request_release(
        agreement, acting_user=user, amount=d["amount"], purpose=d["purpose"], evidence=d["evidence"]),
        success="已登记支取申请，待另一方审核。", redirect_to=_release_target(user, agreement, portal))


@require_POST
def release_op(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    if op not in ("approve", "confirm"):
        raise Http404("没有这项操作")
    user = _user(request)
    release = get_object_or_404(ReleaseRequest, pk=pk)
    agreement, portal = _agreement_for(user, release.agreement_id)
    back = _release_target(user, agreement, portal)
    if op == "approve":
        form = forms.ApproveForm(request.POST)
        if not form.is_valid():
            report_error(request, actions.CustodyError("请选择同意或不同意。"))
            return redirect(back)
        return run_action(request, form, lambda d: actions.approve_release(
            release, acting_user=user, approve=d["decision"] == "approve", note=d["note"]),
            success="已审核支取申请。", redirect_to=back)
    cform = forms.ConfirmForm(request.POST)
    if not cform.is_valid():
        report_error(request, actions.CustodyError("请输入有效的支付日期。"))
        return redirect(back)
    return run_action(request, cform, lambda d: actions.confirm_release(release, acting_user=user, on=d["on"]),
                      success="已登记支付，代管台账已更新。", redirect_to=back)


def release_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """Download a release's evidence (either side of the agreement; audited)."""
    user = _user(request)
    release = get_object_or_404(ReleaseRequest, pk=pk)
    agreement, _ = _agreement_for(user, release.agreement_id)
    if not release.evidence:
        raise Http404("该支取申请没有凭证")
    audit(AuditEntry.Kind.DOWNLOAD, acting_user=user, case=agreement.case, field="custody_evidence",
          release=release.pk)
    name = f"支取凭证-{agreement.case.number}-{release.pk}" + Path(release.evidence.name).suffix
    response = FileResponse(release.evidence.open("rb"), as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------------------------------------
# The custodian's portal


def _portal_user(request: HttpRequest) -> User:
    user = _user(request)
    if not queries.custodians_of(user):
        raise PermissionDenied("本页面仅供受托代管机构人员使用。")
    return user


def _portal_row(a: EntrustmentAgreement) -> dict[str, Any]:
    applicant = a.case.applicant
    return {"agreement": a, "case": a.case, "beneficiary": mask_name(applicant.name) if applicant else "",
            "guardian": mask_name(a.guardian_name)}


def portal(request: HttpRequest) -> HttpResponse:
    user = _portal_user(request)
    rows = [_portal_row(a) for a in queries.entrusted_to(user)]
    pending = ReleaseRequest.objects.filter(agreement__in=[r["agreement"].pk for r in rows],
                                            status__in=[ReleaseRequest.Status.REQUESTED,
                                                        ReleaseRequest.Status.APPROVED]).count()
    return render(request, "custody/portal.html", {"rows": rows, "custodians": queries.custodians_of(user),
                                                   "pending": pending})


def portal_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    user = _portal_user(request)
    agreement = queries.agreement_for_custodian(user, pk)
    context = {**_agreement_context(agreement), **_portal_row(agreement), "custodians": queries.custodians_of(user),
               "release_form": forms.ReleaseForm(), "report_form": forms.ReportForm()}
    return render(request, "custody/portal_agreement.html", context)


@require_POST
def portal_report(request: HttpRequest, pk: int) -> HttpResponse:
    user = _portal_user(request)
    agreement = queries.agreement_for_custodian(user, pk)
    form = forms.ReportForm(request.POST)
    return run_action(request, form, lambda d: actions.submit_report(agreement, acting_user=user, **d),
                      success="已报送代管情况。", redirect_to=("custody:portal_agreement", agreement.pk))
