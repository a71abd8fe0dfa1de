"""Forms for documents: the shape of input only; the actions check the rules (style.md bullet 17)."""

from __future__ import annotations

from typing import Any

from django import forms

from jiuzhu.cases.models import AidCase
from jiuzhu.documents.context import SPECS
from jiuzhu.documents.models import IssuedDocument, ServiceRecord
from jiuzhu.lib import clock
from jiuzhu.lib.dates import DateField
from jiuzhu.people.interpreters import InterpreterFieldsForm


def _extra_field(name: str, case: AidCase) -> forms.Field:
    if name == "manner":
        return forms.ChoiceField(label="告知方式", choices=[("written", "书面告知"), ("oral", "口头告知")],
                                 required=False)
    if name == "materials_text":
        return forms.CharField(label="提交材料说明", max_length=300, required=False,
                               help_text="留空则写“申请人当场提交的材料见申请材料清单”。")
    if name == "occasion":
        return forms.ChoiceField(label="收取时机", choices=[("application", "提出申请时"), ("supplement", "补正材料时")],
                                 required=False)
    if name == "amount_basis":
        return forms.CharField(label="金额计算依据", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                               required=False, help_text="如：上一年度职工月平均工资、救助月数、调整因素等。")
    if name == "payment_method":
        return forms.ChoiceField(label="发放方式", choices=[("", "（按案件登记，默认一次性）"),
                                                         *AidCase.PaymentMethod.choices], required=False)
    if name == "joint_aid":
        return forms.CharField(label="联合救助说明", max_length=300, required=False,
                               help_text="联合救助时填写，如：本案系联合救助，山南市人民检察院出资15,000.00元，"
                                         "本院出资10,000.00元。非联合救助留空。")
    if name == "other_help":
        return forms.CharField(label="其他帮扶建议及说明", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                               required=False, help_text="留空则使用默认的社会救助转介及询问渠道说明。")
    if name == "document":
        servable = [k for k, s in SPECS.items() if s.servable]
        docs = IssuedDocument.objects.filter(case=case, status=IssuedDocument.Status.ISSUED, kind__in=servable)
        return forms.ChoiceField(label="送达的文书", required=False, choices=[("", "（本案的决定书）")] + [
            (str(d.pk), f"{d.get_kind_display()} {d.number}") for d in docs.order_by("issued_at")])
    if name == "service_place":
        return forms.CharField(label="送达地点", max_length=100, required=False)
    if name == "instalment":
        return forms.IntegerField(label="期数", min_value=1, max_value=120, required=False, initial=1)
    if name == "amount":
        return forms.DecimalField(label="本次领取金额（元）", max_digits=12, decimal_places=2, min_value=0.01,
                                  required=False, help_text="留空则为决定救助金额。")
    raise KeyError(name)


class IssueForm(forms.Form):
    """The extra fields a kind takes (payment method, joint-aid sentence, …); all optional."""

    def __init__(self, *args: Any, kind: str, case: AidCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in SPECS[kind].extra_fields:
            self.fields[name] = _extra_field(name, case)

    def extra(self) -> dict[str, Any]:
        return {k: (str(v) if k == "amount" and v is not None else v) for k, v in self.cleaned_data.items()
                if v not in (None, "")}


class CorrectForm(IssueForm):
    reason = forms.CharField(label="更正原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="如：申请人姓名录入有误，已更正。更正后以新版本为准，原版本作废但保留在案卷中。")

    field_order = ["reason"]


class ServiceForm(InterpreterFieldsForm):
    method = forms.ChoiceField(label="送达方式", choices=ServiceRecord.Method.choices)
    served_on = DateField(label="送达日期")
    recipient = forms.CharField(label="受送达人", max_length=50)
    signer_name = forms.CharField(label="签收人", max_length=50, required=False, help_text="代为签收时填写。")
    signer_relationship = forms.CharField(label="签收人与受送达人关系", max_length=30, required=False)
    signer_id_number = forms.CharField(label="签收人身份证号码", max_length=20, required=False,
                                       help_text="加密保存，列表中只显示脱敏号码。")
    note = forms.CharField(label="备注", max_length=200, required=False,
                           help_text="邮寄送达的，可填写检察专递单号。")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["served_on"].initial = clock.today()
