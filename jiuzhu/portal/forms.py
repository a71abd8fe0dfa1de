"""The portal's forms: the login by SMS code, and one form per step of the application."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiuzhu.cases.forms import AttachmentForm
from jiuzhu.cases.forms import IdNumberField as StaffIdNumberField
from jiuzhu.orgs.models import Organisation
from jiuzhu.portal.models import PORTAL_KIND_TITLES

REQUIRED = {"required": _("此项必须填写。")}


def _translated() -> bool:
    """True when the portal speaks another language than the staff forms' Chinese messages."""
    from django.conf import settings
    from django.utils import translation

    return translation.get_language() != settings.LANGUAGE_CODE


class PortalForm(forms.Form):
    """Labels end in a full-width colon (申请人姓名：), in either language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.BooleanField):
                field.label_suffix = ""  # a tick box's label is a sentence, not a heading


class IdNumberField(StaffIdNumberField):
    """The staff field's GB 11643 check; its Chinese messages are replaced by one translated message."""

    def clean(self, value: Any) -> str:
        try:
            return super().clean(value)
        except ValidationError as e:
            if getattr(e, "code", None) == "required" or not _translated():
                raise
            raise ValidationError(_("身份证号码不正确，请核对后重新输入（18位，最后一位可能是X）。"),
                                  code="invalid") from e


class PhoneForm(PortalForm):
    phone = forms.CharField(label=_("手机号码"), max_length=20, error_messages={"required": _("请输入手机号码。")},
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}))


class CodeForm(PhoneForm):
    code = forms.CharField(label=_("短信验证码"), max_length=6, error_messages={"required": _("请输入短信验证码。")},
                           widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                         "autocomplete": "one-time-code"}))


class ApplicantForm(PortalForm):
    CAPACITIES = [("self", _("本人（被害人或其近亲属）")), ("legal_rep", _("法定代理人（如未成年人的父母）")),
                  ("agent", _("受委托的代理人（须有授权委托书）"))]
    capacity = forms.ChoiceField(label=_("您以什么身份申请"), choices=CAPACITIES, widget=forms.RadioSelect,
                                 error_messages=REQUIRED)
    name = forms.CharField(label=_("申请人姓名"), max_length=50, error_messages=REQUIRED)
    id_number = IdNumberField(label=_("申请人身份证号码"), error_messages=REQUIRED)
    relationship = forms.CharField(label=_("与被害人的关系"), max_length=30, required=False,
                                   help_text=_("本人是被害人的，可不填；例如：配偶、父亲、女儿、受托律师。"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("capacity") in ("legal_rep", "agent") and not (data.get("relationship") or "").strip():
            self.add_error("relationship", _("代理人申请的，请写明与被害人的关系。"))
        return data


class VictimForm(PortalForm):
    same_as_applicant = forms.BooleanField(label=_("被害人就是申请人本人"), required=False)
    victim_name = forms.CharField(label=_("被害人姓名"), max_length=50, required=False)
    victim_id_number = IdNumberField(label=_("被害人身份证号码"), required=False)
    victim_condition = forms.ChoiceField(label=_("被害人现在的情况"), choices=[
        ("injured", _("受伤")), ("disabled", _("致残")), ("deceased", _("死亡")), ("property", _("财产损失")),
        ("other", _("其他"))], error_messages=REQUIRED)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("same_as_applicant") and not (data.get("victim_name") or "").strip():
            self.add_error("victim_name", _("请填写被害人姓名（本人是被害人的，请勾选上面一项）。"))
        return data


def _org_choices() -> list[tuple[str, str]]:
    return [(o.code or "", o.name) for o in Organisation.objects.order_by("path") if o.code]


class CaseForm(PortalForm):
    org = forms.ChoiceField(label=_("办理原案件的检察院"), error_messages=REQUIRED,
                            help_text=_("向办理案件的检察院申请；不清楚的，选择案件发生地的县（区）检察院。"))
    original_case_number = forms.CharField(label=_("原案件案号"), max_length=80, required=False,
                                           help_text=_("可在起诉书、判决书等文书上找到；没有可以不填。"))
    charge = forms.CharField(label=_("案件类型或罪名"), max_length=80, required=False,
                             help_text=_("例如：故意伤害、交通肇事。"))
    what_happened = forms.CharField(label=_("简要说明发生了什么"), max_length=2000, error_messages=REQUIRED,
                                    widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", _("请选择"))] + _org_choices()  # type: ignore[attr-defined]


def _money(label: Any, **kw: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False,
                              error_messages={"invalid": _("请输入金额（元），例如 3000 或 3000.50。"),
                                              "min_value": _("金额不能为负数。"),
                                              "max_decimal_places": _("金额最多保留两位小数。"),
                                              "max_digits": _("金额过大，请核对。")}, **kw)


class HarmForm(PortalForm):
    harm = forms.CharField(label=_("受到的伤害或损失"), max_length=2000, error_messages=REQUIRED,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("例如：受伤住院、留下残疾、家人去世、财产被骗。"))
    medical_costs = _money(_("已经花费的医疗费用（元）"))
    family = forms.CharField(label=_("家庭生活情况"), max_length=2000, error_messages=REQUIRED,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("家里有几口人、靠什么生活、现在遇到什么困难。"))
    household_size = forms.IntegerField(label=_("家庭人口数"), min_value=1, max_value=30, required=False,
                                        error_messages={"invalid": _("请输入人数。"), "min_value": _("人数至少为1。"),
                                                        "max_value": _("人数过多，请核对。")})
    monthly_income = _money(_("家庭每月收入（元）"))


class ReceivedForm(PortalForm):
    compensation_yuan = _money(_("已经得到的赔偿（元）"), help_text=_("加害人或保险公司已经赔偿的钱；没有填0。"))
    other_aid = forms.CharField(label=_("已经得到的其他救助"), max_length=1000, required=False,
                                widget=forms.Textarea(attrs={"rows": 2}),
                                help_text=_("例如：低保、医疗救助、临时救助；没有可以不填。"))


class BankForm(PortalForm):
    address = forms.CharField(label=_("现住址"), max_length=200, error_messages=REQUIRED)
    account_holder = forms.CharField(label=_("收款人姓名"), max_length=50, error_messages=REQUIRED)
    bank_name = forms.CharField(label=_("开户银行"), max_length=60, error_messages=REQUIRED,
                                help_text=_("例如：中国农业银行加查县支行。"))
    bank_account = forms.CharField(label=_("银行账号"), max_length=40, error_messages=REQUIRED)

    def clean_bank_account(self) -> str:
        value = re.sub(r"\s", "", self.cleaned_data["bank_account"])
        if not re.fullmatch(r"\d{12,30}", value):
            raise ValidationError(_("银行账号应为12至30位数字。"))
        return value


class MaterialForm(AttachmentForm):
    """One material: the staff form's type and content checks, with a plain-language list of kinds."""

    KINDS = list(PORTAL_KIND_TITLES.items())
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = self.KINDS  # type: ignore[attr-defined]
        self.fields["kind"].label = _("这是什么材料")
        self.fields["file"].label = _("选择文件（照片或PDF）")
        self.fields["file"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"
        self.fields["kind"].error_messages["required"] = _("请选择材料类型。")
        self.fields["kind"].error_messages["invalid_choice"] = _("请选择材料类型。")
        self.fields["file"].error_messages |= {"required": _("请选择要上传的文件。"),
                                               "empty": _("上传的文件是空的。")}
        del self.fields["note"]

    def clean_file(self) -> Any:
        try:
            f = super().clean_file()
        except ValidationError as e:
            # The staff form's checks (type, size, content): its precise Chinese message, or in Tibetan.
            from django.conf import settings

            if not _translated():
                raise

            if f"{settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}MB" in " ".join(e.messages):
                raise ValidationError(_("文件不能超过%(mb)sMB。") % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}) from e
            raise ValidationError(_("请上传照片（JPG、PNG）或 PDF 文件，并确认文件没有损坏。")) from e
        if f.jiuzhu_content_type not in ("application/pdf", "image/jpeg", "image/png"):
            raise ValidationError(_("请上传照片（JPG、PNG）或 PDF 文件。"))
        return f


class SubmitForm(PortalForm):
    declaration = forms.BooleanField(
        label=_("我保证所填内容和所交材料真实；如有虚假，愿意退回救助金并承担法律责任。"),
        error_messages={"required": _("请阅读并勾选承诺后再提交。")})


# The steps in order: key, title, form (None: the materials page).
STEPS: list[tuple[str, str, type[forms.Form] | None]] = [
    ("applicant", _("申请人"), ApplicantForm),
    ("victim", _("被害人"), VictimForm),
    ("case", _("原案件"), CaseForm),
    ("harm", _("损害和家庭情况"), HarmForm),
    ("received", _("已获赔偿和救助"), ReceivedForm),
    ("bank", _("住址和收款账户"), BankForm),
    ("materials", _("上传材料"), None),
]
STEP_KEYS = [s[0] for s in STEPS]
