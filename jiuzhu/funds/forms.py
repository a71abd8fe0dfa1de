"""Forms check the shape of input; the actions enforce the money rules (style.md bullet 17)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from jiuzhu.cases.forms import AmountField, DateField
from jiuzhu.funds.models import Payment, Recovery
from jiuzhu.lib import clock
from jiuzhu.people.idcard import mask_tail


class BudgetMoveForm(forms.Form):
    """年初预算 / 追加 / 财政核拨."""

    amount = AmountField(label="金额(元)")
    document_number = forms.CharField(label="文号", max_length=60, required=False)
    on = DateField(label="日期", required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class ScheduleForm(forms.Form):
    plan = forms.CharField(
        label="发放计划", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一期：金额 日期，例如“4000 2024-06-01”；一次性发放只写一行。")
    payee_kind = forms.ChoiceField(label="收款人类型", choices=Payment.PayeeKind.choices)
    payee_name = forms.CharField(label="收款人", max_length=100)
    bank_name = forms.CharField(label="开户银行", max_length=100)
    account = forms.CharField(label="银行账号", max_length=40, required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off"}))

    @classmethod
    def for_case(cls, case: Any, payable: Any, data: Any = None) -> ScheduleForm:
        """The plan pre-filled as the handler would write it: the payable sum on the first possible day
        (today, or the decision date when later), paid to the applicant's registered account. The account
        itself is never written into the page: left empty, the action uses the registered one.
        With DATA (a posted plan), the form bound to it, shown again as typed."""
        day = max(clock.today(), case.decided_on or clock.today())
        applicant = case.applicant
        initial: dict[str, Any] = {"plan": f"{payable} {day.isoformat()}" if payable else "",
                                   "payee_kind": Payment.PayeeKind.APPLICANT}
        if applicant is not None:
            initial.update(payee_name=applicant.name, bank_name=applicant.bank_name)
        form = cls(data, initial=initial)
        if applicant is not None and applicant.bank_account:
            form.fields["account"].widget.attrs["placeholder"] = (
                f"留空即使用申请人登记的账号 {mask_tail(applicant.bank_account)}")
            form.fields["account"].help_text = "申请人已登记收款账号；向其他账号发放时填写。"
        return form

    def clean_plan(self) -> list[tuple[Decimal, dt.date]]:
        plan, errors = [], []
        for n, line in enumerate([x for x in self.cleaned_data["plan"].splitlines() if x.strip()], 1):
            parts = re.split(r"[\s,，]+", line.strip())
            try:
                plan.append((Decimal(parts[0]), dt.date.fromisoformat(parts[1])))
            except (InvalidOperation, ValueError, IndexError):
                errors.append(f"第{n}行应为“金额 日期”，例如“4000 2024-06-01”。")
        if errors:
            raise ValidationError(errors)
        return plan


class PayForm(forms.Form):
    bank_reference = forms.CharField(label="银行流水号", max_length=60)
    paid_on = DateField(label="支付日期", required=False)


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退票原因", max_length=200)
    on = DateField(label="退票日期", required=False)


class ReissueForm(forms.Form):
    payee_name = forms.CharField(label="收款人（不变可不填）", max_length=100, required=False)
    bank_name = forms.CharField(label="开户银行", max_length=100)
    account = forms.CharField(label="银行账号", max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"}))


class StatementForm(forms.Form):
    file = forms.FileField(label="银行对账单（.csv 或 .xlsx）",
                           help_text="表头：交易流水号、金额、日期、收款账号、收款人。")

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > 5 * 1024 * 1024:
            raise ValidationError("对账单不能超过 5 MB。")
        return f


class ResolveForm(forms.Form):
    note = forms.CharField(label="处理说明", max_length=200)


class RecoveryForm(forms.Form):
    ground = forms.ChoiceField(label="追回事由", choices=Recovery.Ground.choices)
    facts = forms.CharField(label="认定事实和依据", widget=forms.Textarea(attrs={"rows": 3}))
    amount_due = AmountField(label="应追回金额(元)")
    on = DateField(label="决定追回日期", required=False)
    document_number = forms.CharField(label="追回决定文号", max_length=60, required=False)


class RecoveryReceiptForm(forms.Form):
    amount = AmountField(label="收回金额(元)")
    on = DateField(label="收回日期", required=False)
    document_number = forms.CharField(label="收款票据号", max_length=60, required=False)
    note = forms.CharField(label="说明", max_length=500, required=False)


class TreasuryForm(forms.Form):
    amount = AmountField(label="上缴金额(元)")
    on = DateField(label="上缴日期", required=False)
    document_number = forms.CharField(label="缴款书号码", max_length=60)


class LiabilityForm(forms.Form):
    note = forms.CharField(label="责任追究情况", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    on = DateField(label="日期", required=False)
