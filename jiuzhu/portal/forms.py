"""The portal's forms: the login by SMS code, and one form per step of the application."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from jiuzhu.cases.forms import AttachmentForm, IdNumberField
from jiuzhu.cases.models import Attachment
from jiuzhu.orgs.models import Organisation

REQUIRED = {"required": "此项必须填写。"}


class PhoneForm(forms.Form):
    phone = forms.CharField(label="手机号码", max_length=20, error_messages={"required": "请输入手机号码。"},
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}))


class CodeForm(PhoneForm):
    code = forms.CharField(label="短信验证码", max_length=6, error_messages={"required": "请输入短信验证码。"},
                           widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                         "autocomplete": "one-time-code"}))


class ApplicantForm(forms.Form):
    CAPACITIES = [("self", "本人（被害人或其近亲属）"), ("legal_rep", "法定代理人（如未成年人的父母）"),
                  ("agent", "受委托的代理人（须有授权委托书）")]
    capacity = forms.ChoiceField(label="您以什么身份申请", choices=CAPACITIES, widget=forms.RadioSelect,
                                 error_messages=REQUIRED)
    name = forms.CharField(label="申请人姓名", max_length=50, error_messages=REQUIRED)
    id_number = IdNumberField(label="申请人身份证号码", error_messages=REQUIRED)
    relationship = forms.CharField(label="与被害人的关系", max_length=30, required=False,
                                   help_text="本人是被害人的，可不填；例如：配偶、父亲、女儿、受托律师。")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("capacity") in ("legal_rep", "agent") and not (data.get("relationship") or "").strip():
            self.add_error("relationship", "代理人申请的，请写明与被害人的关系。")
        return data


class VictimForm(forms.Form):
    same_as_applicant = forms.BooleanField(label="被害人就是申请人本人", required=False)
    victim_name = forms.CharField(label="被害人姓名", max_length=50, required=False)
    victim_id_number = IdNumberField(label="被害人身份证号码", required=False)
    victim_condition = forms.ChoiceField(label="被害人现在的情况", choices=[
        ("injured", "受伤"), ("disabled", "致残"), ("deceased", "死亡"), ("property", "财产损失"),
        ("other", "其他")], error_messages=REQUIRED)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("same_as_applicant") and not (data.get("victim_name") or "").strip():
            self.add_error("victim_name", "请填写被害人姓名（本人是被害人的，请勾选上面一项）。")
        return data


def _org_choices() -> list[tuple[str, str]]:
    return [(o.code or "", o.name) for o in Organisation.objects.order_by("path") if o.code]


class CaseForm(forms.Form):
    org = forms.ChoiceField(label="办理原案件的检察院", error_messages=REQUIRED,
                            help_text="向办理案件的检察院申请；不清楚的，选择案件发生地的县（区）检察院。")
    original_case_number = forms.CharField(label="原案件案号", max_length=80, required=False,
                                           help_text="可在起诉书、判决书等文书上找到；没有可以不填。")
    charge = forms.CharField(label="案件类型或罪名", max_length=80, required=False,
                             help_text="例如：故意伤害、交通肇事。")
    what_happened = forms.CharField(label="简要说明发生了什么", max_length=2000, error_messages=REQUIRED,
                                    widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", "请选择")] + _org_choices()  # type: ignore[attr-defined]


def _money(label: str, **kw: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False,
                              error_messages={"invalid": "请输入金额（元），例如 3000 或 3000.50。",
                                              "min_value": "金额不能为负数。",
                                              "max_decimal_places": "金额最多保留两位小数。",
                                              "max_digits": "金额过大，请核对。"}, **kw)


class HarmForm(forms.Form):
    harm = forms.CharField(label="受到的伤害或损失", max_length=2000, error_messages=REQUIRED,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="例如：受伤住院、留下残疾、家人去世、财产被骗。")
    medical_costs = _money("已经花费的医疗费用（元）")
    family = forms.CharField(label="家庭生活情况", max_length=2000, error_messages=REQUIRED,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="家里有几口人、靠什么生活、现在遇到什么困难。")
    household_size = forms.IntegerField(label="家庭人口数", min_value=1, max_value=30, required=False,
                                        error_messages={"invalid": "请输入人数。", "min_value": "人数至少为1。",
                                                        "max_value": "人数过多，请核对。"})
    monthly_income = _money("家庭每月收入（元）")


class ReceivedForm(forms.Form):
    compensation_yuan = _money("已经得到的赔偿（元）", help_text="加害人或保险公司已经赔偿的钱；没有填0。")
    other_aid = forms.CharField(label="已经得到的其他救助", max_length=1000, required=False,
                                widget=forms.Textarea(attrs={"rows": 2}),
                                help_text="例如：低保、医疗救助、临时救助；没有可以不填。")


class BankForm(forms.Form):
    address = forms.CharField(label="现住址", max_length=200, error_messages=REQUIRED)
    account_holder = forms.CharField(label="收款人姓名", max_length=50, error_messages=REQUIRED)
    bank_name = forms.CharField(label="开户银行", max_length=60, error_messages=REQUIRED,
                                help_text="例如：中国农业银行加查县支行。")
    bank_account = forms.CharField(label="银行账号", max_length=40, error_messages=REQUIRED)

    def clean_bank_account(self) -> str:
        value = re.sub(r"\s", "", self.cleaned_data["bank_account"])
        if not re.fullmatch(r"\d{12,30}", value):
            raise ValidationError("银行账号应为12至30位数字。")
        return value


class MaterialForm(AttachmentForm):
    """One material: the staff form's type and content checks, with a plain-language list of kinds."""

    KINDS = [(k, v) for k, v in Attachment.Kind.choices if k not in ("record",)]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = self.KINDS  # type: ignore[attr-defined]
        self.fields["kind"].label = "这是什么材料"
        self.fields["file"].label = "选择文件（照片或PDF）"
        self.fields["file"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"
        del self.fields["note"]

    def clean_file(self) -> Any:
        f = super().clean_file()
        if f.jiuzhu_content_type not in ("application/pdf", "image/jpeg", "image/png"):
            raise ValidationError("请上传照片（JPG、PNG）或 PDF 文件。")
        return f


class SubmitForm(forms.Form):
    declaration = forms.BooleanField(
        label="我保证所填内容和所交材料真实；如有虚假，愿意退回救助金并承担法律责任。",
        error_messages={"required": "请阅读并勾选承诺后再提交。"})


# The steps in order: key, title, form (None: the materials page).
STEPS: list[tuple[str, str, type[forms.Form] | None]] = [
    ("applicant", "申请人", ApplicantForm),
    ("victim", "被害人", VictimForm),
    ("case", "原案件", CaseForm),
    ("harm", "损害和家庭情况", HarmForm),
    ("received", "已获赔偿和救助", ReceivedForm),
    ("bank", "住址和收款账户", BankForm),
    ("materials", "上传材料", None),
]
STEP_KEYS = [s[0] for s in STEPS]
