"""Forms check the shape of input; the actions enforce the custody rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from jiuzhu.cases.forms import AmountField, DateField, content_matches, upload_extension
from jiuzhu.custody.models import Custodian


class AgreementForm(forms.Form):
    custodian: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        label="代管机构", queryset=Custodian.objects.none(), empty_label="请选择")
    guardian_name = forms.CharField(label="监护人/委托人", max_length=50)
    amount = AmountField(label="代管金额(元)")
    purposes = forms.CharField(label="资金用途", widget=forms.Textarea(attrs={"rows": 2}),
                               initial="用于受助未成年人的生活、教育和医疗康复支出，专款专用。")
    release_schedule = forms.CharField(label="支取计划", widget=forms.Textarea(attrs={"rows": 2}),
                                       initial="每学期开学前按实际需要支取；医疗支出凭票据支取。")
    suspend_conditions = forms.CharField(
        label="暂停或变更支取的情形", widget=forms.Textarea(attrs={"rows": 2}),
        initial="（一）资金未用于约定用途的；（二）监护人发生变更的；（三）受助人情况发生重大变化的。")
    signed_on = DateField(label="签订日期", required=False)
    ends_on = DateField(label="代管期限至", past=False)

    def __init__(self, *args: Any, custodians: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["custodian"].queryset = custodians  # type: ignore[attr-defined]


class ReleaseForm(forms.Form):
    amount = AmountField(label="支取金额(元)")
    purpose = forms.CharField(label="用途", max_length=200)
    evidence = forms.FileField(label="凭证（票据、证明，可选）", required=False)

    def clean_evidence(self) -> Any:
        f = self.cleaned_data.get("evidence")
        if f and f.size > 10 * 1024 * 1024:
            raise ValidationError("凭证文件不能超过 10 MB。")
        if f and upload_extension(f.name) not in (".pdf", ".jpg", ".jpeg", ".png"):
            raise ValidationError("凭证应为 PDF 或 JPG、PNG 图片。")
        if f and not content_matches(f, upload_extension(f.name)):
            raise ValidationError("文件内容与扩展名不符，请上传真实的 PDF 或 JPG、PNG 文件。")
        return f


class ApproveForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "同意"), ("reject", "不同意")])
    note = forms.CharField(label="理由", max_length=200, required=False)


class ConfirmForm(forms.Form):
    on = DateField(label="支付日期", required=False)


class ReportForm(forms.Form):
    period_from = DateField(label="报告期起")
    period_to = DateField(label="报告期止")
    content = forms.CharField(label="使用与监管情况", widget=forms.Textarea(attrs={"rows": 3}))


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="协议状态", choices=[("suspended", "暂停支取"), ("active", "恢复代管"),
                                                       ("ended", "结束代管")])
    reason = forms.CharField(label="理由", max_length=200)
