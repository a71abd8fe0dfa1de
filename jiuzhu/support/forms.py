"""Forms check the shape of input; the actions enforce the rules (style.md bullet 17)."""

from __future__ import annotations

from typing import Any

from django import forms

from jiuzhu.cases.forms import AmountField, DateField, IdNumberField
from jiuzhu.lib import clock
from jiuzhu.people.phones import PhoneField
from jiuzhu.support.models import Measure, Referral, ScreeningList, ServiceKind, SharedField, Visit

REQ = {"required": "此项为必填项。"}


class ReferralForm(forms.Form):
    agency: forms.ModelChoiceField = forms.ModelChoiceField(label="协作单位", queryset=None,  # type: ignore[arg-type]
                                                            error_messages={"required": "请选择协作单位。"})
    measures = forms.MultipleChoiceField(label="请求帮扶事项", choices=Measure.choices,
                                         widget=forms.CheckboxSelectMultiple,
                                         error_messages={"required": "请选择请求帮扶的事项。"})
    situation = forms.CharField(label="情况说明（协作单位可见）", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                                error_messages=REQ, help_text="只写协作单位办理所需的情况，不写身份证号码等无关信息。")
    basis = forms.ChoiceField(label="移送依据", choices=Referral.Basis.choices, widget=forms.RadioSelect,
                              initial=Referral.Basis.CONSENT, error_messages=REQ)
    basis_note = forms.CharField(label="依据说明", max_length=200, required=False,
                                 help_text="当事人同意：写明同意方式；法律依据：写明条文。")
    shared_fields = forms.MultipleChoiceField(
        label="向协作单位提供的个人信息（最少必要）", choices=SharedField.choices, required=False,
        widget=forms.CheckboxSelectMultiple, initial=[SharedField.NAME, SharedField.PHONE, SharedField.ADDRESS],
        help_text="身份证号码任何情况下都不提供；未成年人的姓名脱敏显示。")

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]


class PlanForm(forms.Form):
    needs = forms.CharField(label="帮扶需求", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), error_messages=REQ)
    measures = forms.CharField(label="帮扶措施（一案一策）", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                               error_messages=REQ)


class ServiceForm(forms.Form):
    kind = forms.ChoiceField(label="服务类型", choices=ServiceKind.choices)
    provided_on = DateField(label="服务日期", initial=clock.today)
    person_times = forms.IntegerField(label="人次", min_value=1, max_value=1000, initial=1,
                                      error_messages={"min_value": "服务人次至少为1。", "invalid": "请输入整数。"})
    provider = forms.CharField(label="提供者", max_length=100, required=False)
    notes = forms.CharField(label="情况记录", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class VisitForm(forms.Form):
    held_on = DateField(label="回访日期", initial=clock.today)
    method = forms.ChoiceField(label="回访方式", choices=Visit.Method.choices, widget=forms.RadioSelect,
                               initial=Visit.Method.HOME, error_messages=REQ)
    living = forms.CharField(label="生活状况", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), error_messages=REQ)
    funds_use = forms.CharField(label="救助金使用情况", max_length=2000, required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    new_needs = forms.CharField(label="新的需求", max_length=1000, required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    service_kind = forms.ChoiceField(label="新需求转为帮扶服务", required=False,
                                     choices=[("", "不登记")] + list(ServiceKind.choices))
    refer_to: forms.ModelChoiceField = forms.ModelChoiceField(label="新需求移送协作单位", queryset=None,  # type: ignore[arg-type]
                                                              required=False, empty_label="不移送")
    refer_measures = forms.MultipleChoiceField(label="请求帮扶事项", choices=Measure.choices, required=False,
                                               widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["refer_to"].queryset = agencies  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    responder = forms.CharField(label="经办人", max_length=50, error_messages={"required": "请填写经办人姓名。"})
    note = forms.CharField(label="意见（不予采纳时必填）", max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class MeasureForm(forms.Form):
    responder = forms.CharField(label="经办人", max_length=50, error_messages={"required": "请填写经办人姓名。"})
    measure = forms.ChoiceField(label="落实的帮扶事项", choices=Measure.choices)
    taken_on = DateField(label="落实日期", initial=clock.today)
    amount = AmountField(label="金额（元，如有）", required=False)
    note = forms.CharField(label="具体情况", max_length=300, required=False)
    done = forms.BooleanField(label="帮扶事项已全部落实", required=False)


class ScreeningUploadForm(forms.Form):
    org: forms.ModelChoiceField = forms.ModelChoiceField(label="检察院", queryset=None, empty_label=None)  # type: ignore[arg-type]
    source = forms.ChoiceField(label="名单类型", choices=ScreeningList.Source.choices)
    name = forms.CharField(label="名单名称（来源单位）", max_length=100, error_messages=REQ)
    file = forms.FileField(label="名单文件（.xlsx 或 .csv：姓名、身份证号码、情况）",
                           error_messages={"required": "请选择名单文件。"})

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class PartnerClueForm(forms.Form):
    """A clue sent in by a partner agency (e.g. the women's federation refers a person)."""

    agency: forms.ModelChoiceField = forms.ModelChoiceField(label="移送单位", queryset=None,  # type: ignore[arg-type]
                                                            error_messages={"required": "请选择移送单位。"})
    person_name = forms.CharField(label="被移送人姓名", max_length=50, error_messages=REQ)
    id_number = IdNumberField(label="身份证号码", required=False)
    phone = PhoneField(label="联系电话", required=False)
    clue_summary = forms.CharField(label="移送情况", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                                   error_messages=REQ)
    on = DateField(label="收到日期", initial=clock.today)

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
