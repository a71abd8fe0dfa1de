"""Finance screens: access → form → action → redirect (style.md bullet 28)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.models import Capability, User
from jiuzhu.audit.actions import record as audit
from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases.access import get_case_for_user
from jiuzhu.funds import actions, forms, queries
from jiuzhu.funds.models import Payment, Recovery, StatementLine
from jiuzhu.lib import clock, dates
from jiuzhu.lib.actionviews import run_action, run_form
from jiuzhu.lib.params import int_id
from jiuzhu.orgs.models import Organisation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _org(user: User, code: str, *, write: bool = False) -> Organisation:
    """Return procuratorate CODE if USER keeps or supervises its budget (404); WRITE: keeps it (403)."""
    org = Organisation.objects.filter(code=code, kind=Organisation.Kind.PROCURATORATE).first()
    if org is None or not queries.readable_org(user, org):
        raise Http404("没有该检察院的资金信息")
    if write and not has_capability(user, Capability.FINANCE, org):
        raise PermissionDenied("您只能查看该院的资金情况，不能登记。")
    return org


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _fail(request: HttpRequest, error: ValidationError) -> None:
    for m in error.messages:
        messages.error(request, m)


def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    orgs = queries.finance_orgs(user)
    if not orgs:
        raise PermissionDenied("您没有资金管理岗位。")
    return render(request, "funds/index.html", {"orgs": orgs, "year": clock.today().year,
                                                "due": queries.payments_due(user)[:100], "today": clock.today()})


def _year(year: int) -> int:
    """A budget year from the URL: out of the date policy's range it is no page (a 20-digit year was a 500)."""
    if not dates.budget_year_allowed(year):
        raise Http404("没有该年度的预算")
    return year


def budget(request: HttpRequest, code: str, year: int) -> HttpResponse:
    year = _year(year)
    user = _user(request)
    org = _org(user, code)
    return render(request, "funds/budget.html", {
        "org": org, "year": year, "ex": queries.budget_execution(org, year), "form": forms.BudgetMoveForm(),
        "can_write": has_capability(user, Capability.FINANCE, org),
        "orderable": queries.orderable_payments(org) if has_capability(user, Capability.FINANCE, org) else [],
    })


def budget_export(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The budget's execution and ledger as an Excel file for the finance bureau."""
    from openpyxl import Workbook

    year = _year(year)
    from jiuzhu.lib import xlsx

    user = _user(request)
    org = _org(user, code)
    ex = queries.budget_execution(org, year)
    b = ex.budget
    wb = Workbook()
    ws = wb.active
    ws.title = "预算执行"
    xlsx.append(ws, ["检察院", "年度", "年初预算", "追加", "财政核拨", "已承诺", "已支付", "退票", "追回", "未承诺预算",
               "可支付余额"])
    xlsx.append(ws, [org.name, year] + [float(x) for x in (b.appropriated, b.supplemented, b.allocated, b.committed,
                                                      b.paid, b.returned, b.recovered, b.uncommitted,
                                                      b.available_cash)])
    ledger = wb.create_sheet("资金台账")
    xlsx.append(ledger, ["日期", "类型", "金额(元)", "案件编号", "付款编号", "文号", "操作人", "说明"])
    for e in ex.entries:
        xlsx.append(ledger, [e.happened_on, e.get_kind_display(), float(e.amount), e.case.number if e.case else "",
                       e.payment.reference if e.payment else "", e.document_number, str(e.actor), e.note])
    audit(AuditEntry.Kind.EXPORT, acting_user=user, reason="导出救助资金预算执行情况", org=code, year=year)
    return _xlsx(xlsx.to_bytes(wb), f"jiuzhu-funds-{code}-{year}.xlsx")


BUDGET_MOVES: dict[str, tuple[str, Callable[..., Any]]] = {
    "appropriation": ("年初预算", lambda org, year, user, d: actions.set_budget(
        org, year, acting_user=user, amount=d["amount"], document_number=d["document_number"], note=d["note"])),
    "supplement": ("追加预算", lambda org, year, user, d: actions.add_supplement(
        org, year, acting_user=user, amount=d["amount"], document_number=d["document_number"], on=d["on"],
        note=d["note"])),
    "allocation": ("财政核拨", lambda org, year, user, d: actions.record_allocation(
        org, year, acting_user=user, amount=d["amount"], document_number=d["document_number"], on=d["on"],
        note=d["note"])),
}


@require_POST
def budget_move(request: HttpRequest, code: str, year: int, kind: str) -> HttpResponse:
    if kind not in BUDGET_MOVES:
        raise Http404("没有这项操作")
    year = _year(year)
    user = _user(request)
    org = _org(user, code, write=True)
    label, call = BUDGET_MOVES[kind]
    form = forms.BudgetMoveForm(request.POST)
    return run_action(request, form, lambda d: call(org, year, user, d), success=f"已登记{label}。",
                      redirect_to=("funds:budget", org.code, year), join_form_errors=True)


@require_POST
def payment_orders(request: HttpRequest, code: str) -> HttpResponse:
    """Download the bank payment order list of the selected (or all open) payments; they become ordered."""
    user = _user(request)
    org = _org(user, code, write=True)
    qs = queries.orderable_payments(org)
    selected = request.POST.getlist("payment")
    if selected:
        qs = qs.filter(pk__in=[i for x in selected if (i := int_id(x)) is not None])
    try:
        data = actions.payment_order_workbook(org, acting_user=user, payments=list(qs))
    except ValidationError as e:
        _fail(request, e)
        return redirect("funds:budget", code=org.code, year=clock.today().year)
    return _xlsx(data, f"jiuzhu-payment-orders-{code}-{clock.today():%Y%m%d}.xlsx")


def statements(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    org = _org(user, code, write=request.method == "POST")
    form = forms.StatementForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            f = form.cleaned_data["file"]
            try:
                s = actions.import_statement(org, f, acting_user=user, name=f.name)
            except ValidationError as e:
                for m in e.messages:
                    form.add_error(None, m)
            else:
                matched = s.lines.filter(status=StatementLine.Status.MATCHED).count()
                messages.success(request, f"已导入 {s.lines.count()} 条流水，匹配 {matched} 条。")
                return redirect("funds:statements", code=org.code)
        status = 400
    return render(request, "funds/statements.html", {
        "org": org, "form": form, "imports": queries.statements(org), "unmatched": queries.unmatched_lines(org),
        "can_write": has_capability(user, Capability.FINANCE, org), "resolve_form": forms.ResolveForm(),
    }, status=status)


@require_POST
def resolve_line(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    line = get_object_or_404(StatementLine.objects.select_related("statement__org"), pk=pk)
    org = _org(user, line.statement.org.code or "", write=True)
    form = forms.ResolveForm(request.POST)
    try:
        if not form.is_valid():
            raise actions.FundsError("请填写处理说明。")
        actions.resolve_line(line, acting_user=user, note=form.cleaned_data["note"])
    except ValidationError as e:
        _fail(request, e)
    return redirect("funds:statements", code=org.code)


# ---------------------------------------------------------------------------------------------
# A case's payments


def case_payments(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(_user(request), pk)
    return render(request, "funds/case.html", {"case": case})


@require_POST
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = get_case_for_user(user, pk)
    form = forms.ScheduleForm.for_case(case, case.decided_amount, request.POST)
    if done := run_form(request, form, lambda d: actions.schedule_payments(case, acting_user=user, **d),
                        success=lambda payments: _warn_account(request, payments[0], "已制定发放计划。"),
                        redirect_to=("funds:case", case.pk)):
        return done
    # Shown again as typed, with its errors (a lost plan, payee and account had to be typed again).
    return render(request, "funds/case.html", {"case": case, "schedule_form": form}, status=400)


def _warn_account(request: HttpRequest, payment: Payment, done: str) -> str:
    """DONE, after a warning when the payment's card number fails the Luhn check (accepted, not refused)."""
    if warning := payment.account_warning:
        messages.warning(request, warning)
    return done


PAYMENT_OPS: dict[str, tuple[type[Any], str, Callable[..., Any]]] = {
    "pay": (forms.PayForm, "已登记支付。", lambda p, user, d: actions.pay(p, acting_user=user, **d)),
    "return": (forms.ReturnForm, "已登记退票。", lambda p, user, d: actions.mark_returned(p, acting_user=user, **d)),
    "reissue": (forms.ReissueForm, "已重新发放，请重新制单。",
                lambda p, user, d: actions.reissue(p, acting_user=user, **d)),
}


@require_POST
def payment_op(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    if op not in PAYMENT_OPS:
        raise Http404("没有这项操作")
    user = _user(request)
    payment = get_object_or_404(Payment, pk=pk)
    case = get_case_for_user(user, payment.case_id)  # 404 outside scope; the action answers 403
    form_class, done, call = PAYMENT_OPS[op]
    form = form_class(request.POST)
    return run_action(request, form, lambda d: call(payment, user, d),
                      success=lambda result: _warn_account(request, result, done) if op == "reissue" else done,
                      redirect_to=("funds:case", case.pk), join_form_errors=True)


# ---------------------------------------------------------------------------------------------
# Recovery (追回)


def recovery(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = get_case_for_user(user, pk)
    rec, entries = queries.case_recovery(case)
    can_open = rec is None and (has_capability(user, Capability.HANDLE_CASES, case.handling_org)
                                or has_capability(user, Capability.APPROVE, case.handling_org))
    return render(request, "funds/recovery.html", {
        "case": case, "recovery": rec, "entries": entries,
        "can_open": can_open and case.paid_amount > 0,
        "can_finance": rec is not None and has_capability(user, Capability.FINANCE, rec.budget.org),
        "can_note": rec is not None and (has_capability(user, Capability.HANDLE_CASES, case.handling_org)
                                         or has_capability(user, Capability.APPROVE, case.handling_org)),
        "open_form": forms.RecoveryForm(initial={"amount_due": case.paid_amount}),
        "receipt_form": forms.RecoveryReceiptForm(), "treasury_form": forms.TreasuryForm(),
        "liability_form": forms.LiabilityForm(),
    })


RECOVERY_OPS: dict[str, tuple[type[Any], str, Callable[..., Any]]] = {
    "receipt": (forms.RecoveryReceiptForm, "已登记收回。",
                lambda r, user, d: actions.record_recovery_receipt(r, acting_user=user, **d)),
    "treasury": (forms.TreasuryForm, "已登记上缴国库。",
                 lambda r, user, d: actions.transfer_to_treasury(r, acting_user=user, **d)),
    "liability": (forms.LiabilityForm, "已登记责任追究情况。",
                  lambda r, user, d: actions.add_liability_note(r, acting_user=user, **d)),
}


@require_POST
def recovery_op(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    user = _user(request)
    case = get_case_for_user(user, pk)  # 404 outside scope; the actions answer 403
    if op == "open":
        form: Any = forms.RecoveryForm(request.POST)
        call: Callable[..., Any] = lambda d: actions.open_recovery(case, acting_user=user, **d)  # noqa: E731
        done = "已登记追回。"
    elif op in RECOVERY_OPS:
        rec = get_object_or_404(Recovery, case=case)
        form_class, done, op_call = RECOVERY_OPS[op]
        form = form_class(request.POST)
        call = lambda d: op_call(rec, user, d)  # noqa: E731
    else:
        raise Http404("没有这项操作")
    return run_action(request, form, lambda d: call(d), success=done,
                      redirect_to=("funds:recovery", case.pk), join_form_errors=True)
