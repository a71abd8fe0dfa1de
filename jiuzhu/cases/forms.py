"""Forms check the shape of input; the actions enforce the domain rules (style.md bullet 17)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from jiuzhu.cases.models import (
    AidCase,
    Attachment,
    CaseParty,
    Category,
    Channel,
    Group,
    OriginalCase,
    Record,
    RefusalGround,
)
from jiuzhu.lib import clock
from jiuzhu.lib.dates import DateField
from jiuzhu.people import idcard
from jiuzhu.people.interpreters import InterpreterFieldsForm
from jiuzhu.people.phones import PhoneField


class AmountField(forms.DecimalField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        kwargs.setdefault("error_messages", {
            "invalid": "请输入金额（元），最多两位小数。", "max_decimal_places": "金额最多保留两位小数。",
            "min_value": "金额必须大于零。", "max_digits": "金额过大。", "required": "请填写金额。"})
        super().__init__(*args, **kwargs)


class IdNumberField(forms.CharField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value:
            return ""
        return idcard.parse_id_number(value).value


class CaseOriginFields(forms.Form):
    """The fields a clue and a walk-in application share: the procuratorate, the person, the original case
    and the groups. Each form adds its own (the person's name, phone and summary differ in label and help)
    and lists its order in field_order (Django would put these base fields first)."""

    org: forms.ModelChoiceField = forms.ModelChoiceField(label="承办院", queryset=None, empty_label=None)  # type: ignore[arg-type]
    id_number = IdNumberField(label="身份证号码", required=False, help_text="可暂不填写，受理前须补全")
    address = forms.CharField(label="住址", max_length=200, required=False)
    original_case_number = forms.CharField(label="原案件案号", max_length=80, required=False)
    charge = forms.CharField(label="案由/罪名", max_length=80, required=False)
    stage = forms.ChoiceField(label="诉讼阶段", choices=[("", "—")] + OriginalCase.Stage.choices, required=False)
    offender_ability = forms.ChoiceField(label="加害人赔偿能力", choices=OriginalCase.OffenderAbility.choices)
    groups = forms.MultipleChoiceField(label="人员类别", choices=Group.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, orgs: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from jiuzhu.orgs.models import Organisation

        self.fields["org"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in orgs])  # type: ignore[attr-defined]


# The person and the original case, in the order both forms show them (after org and the form's own first fields).
_PERSON_AND_ORIGIN = ["person_name", "id_number", "phone", "address", "original_case_number", "charge", "stage",
                      "offender_ability", "groups", "clue_summary"]


class ClueForm(CaseOriginFields):
    field_order = ["org", "channel", "source_detail", *_PERSON_AND_ORIGIN, "applicant_language", "on", "found_on"]

    channel = forms.ChoiceField(label="线索来源", choices=[c for c in Channel.choices if c[0] != Channel.LEDGER])
    source_detail = forms.CharField(label="来源说明", max_length=120, required=False,
                                    help_text="如移送部门、协作单位名称、12309登记号")
    person_name = forms.CharField(label="当事人姓名", max_length=50)
    phone = PhoneField(label="联系电话", required=False)
    clue_summary = forms.CharField(label="线索情况", widget=forms.Textarea(attrs={"rows": 4}))
    applicant_language = forms.ChoiceField(
        label="申请人使用语言", choices=AidCase._meta.get_field("applicant_language").choices, initial="zh-hans",
        required=False, help_text="选择藏文的，短信用藏文发送，交给申请人的文书汉藏双语（以汉文为准）")
    on = DateField(label="线索日期", required=False)
    found_on = DateField(label="发现日期", required=False,
                         help_text="办案部门移送时填写：办案中发现当事人可能需要救助的日期（应在5个工作日内移送）")


class WalkInForm(CaseOriginFields, InterpreterFieldsForm):
    """来访申请: the person at the counter and their application, made into a case in one step."""

    field_order = ["org", *_PERSON_AND_ORIGIN, "form", "oral_record", "on", "note", "applicant_language"]

    person_name = forms.CharField(label="申请人姓名", max_length=50)
    phone = PhoneField(label="联系电话", required=False, help_text="登记手机号码的，受理、决定和发放时发送短信告知")
    clue_summary = forms.CharField(label="来访情况", widget=forms.Textarea(attrs={"rows": 4}),
                                   help_text="申请人陈述的案件和生活困难情况")
    form = forms.ChoiceField(label="申请方式", choices=AidCase.ApplicationForm.choices)
    oral_record = forms.CharField(label="口头申请笔录", widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                  help_text="口头申请时必填：申请人陈述、所提交材料")
    on = DateField(label="来访（申请）日期", required=False, initial=clock.today)
    note = forms.CharField(label="备注", required=False, max_length=500)
    applicant_language = forms.ChoiceField(
        label="申请人使用语言", choices=AidCase._meta.get_field("applicant_language").choices, initial="zh-hans",
        required=False, help_text="短信和交给申请人的文书按此语言发送（藏文的附汉文）。")


class NotifyForm(forms.Form):
    manner = forms.ChoiceField(label="告知方式", choices=[("written", "书面告知（国家司法救助告知书）"),
                                                      ("oral", "口头告知（记录在案）")])
    on = DateField(label="告知日期", required=False)
    note = forms.CharField(label="告知情况", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ApplicationForm(InterpreterFieldsForm):
    form = forms.ChoiceField(label="申请方式", choices=AidCase.ApplicationForm.choices)
    on = DateField(label="申请日期", required=False)
    oral_record = forms.CharField(label="口头申请笔录", widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                  help_text="口头申请时必填：申请人陈述、所提交材料")
    note = forms.CharField(label="备注", required=False, max_length=500)


class SupplementRequestForm(forms.Form):
    missing = forms.CharField(label="需补正的材料", widget=forms.Textarea(attrs={"rows": 3}))
    on = DateField(label="通知日期", required=False)


class DatedNoteForm(forms.Form):
    on = DateField(label="日期", required=False)
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AcceptForm(DatedNoteForm):
    """受理: with the applicant at the counter, the 受理通知书 may be handed over on the spot."""

    serve_notice = forms.BooleanField(
        label="受理通知书当场送达申请人", required=False,
        help_text="申请人在场的，勾选后系统制作受理通知书，并在该文书上登记当场送达（直接送达）。")


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class RecordForm(InterpreterFieldsForm):
    kind = forms.ChoiceField(label="类型", choices=[c for c in Record.Kind.choices
                                                   if c[0] in ("investigation", "home_visit", "follow_up")])
    held_on = DateField(label="日期")
    place = forms.CharField(label="地点", max_length=120, required=False)
    participants = forms.CharField(label="参加人员", max_length=200, required=False)
    content = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 6}))


class FactorsForm(forms.Form):
    """The calculator's factors and the proposal: what the review screen's 测算 button uses."""

    proposed_amount = AmountField(label="拟救助金额（元）", required=False)
    harm_yuan = AmountField(label="实际损害（元）", required=False)
    fault_percent = forms.DecimalField(label="申请人过错比例（%）", required=False, min_value=0, max_value=100,
                                       decimal_places=0)
    family_monthly_income_yuan = AmountField(label="家庭月收入（元）", required=False, min_value=0)
    household_size = forms.IntegerField(label="家庭人口", required=False, min_value=1, max_value=30)
    # The legal factor (domain.md §5, [S1]): 维持当地基本生活水平所必需的最低支出, not the 低保 standard; the same
    # term as the calculation's result text (rules/amount.py).
    local_living_cost_yuan = AmountField(label="当地基本生活费用（元/人·月）", required=False,
                                         help_text="维持当地基本生活水平所必需的最低支出")
    compensation_received_yuan = AmountField(label="已获赔偿或救助（元）", required=False, min_value=0)
    court_damages_yuan = AmountField(label="依法应判赔偿数额（元）", required=False,
                                     help_text="填写时作为救助金额的绝对上限")

    FACTORS = ["harm_yuan", "fault_percent", "family_monthly_income_yuan", "household_size",
               "local_living_cost_yuan", "compensation_received_yuan", "court_damages_yuan"]

    def calculation(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in self.FACTORS if self.cleaned_data.get(k) not in (None, "")}


class OpinionForm(FactorsForm):
    category = forms.ChoiceField(label="救助情形", choices=Category.choices)
    recommendation = forms.ChoiceField(label="审查意见", choices=[("grant", "建议救助"), ("refuse", "建议不予救助")],
                                       widget=forms.RadioSelect)
    proposed_amount = AmountField(label="拟救助金额（元）", required=False)
    exceed_cap_reason = forms.CharField(
        label="突破限额理由", widget=forms.Textarea(attrs={"rows": 2}), required=False,
        help_text="拟救助金额超过救助限额时必填：案件损失特别重大或生活特别困难等")
    reasoning = forms.CharField(label="审查理由", widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in RefusalGround.choices:
            self.fields[f"{code}_present"] = forms.TypedChoiceField(
                label=label, choices=[("no", "不存在"), ("yes", "存在")], coerce=lambda v: v == "yes",
                widget=forms.RadioSelect, error_messages={"required": f"请审查{code}情形。"})
            self.fields[f"{code}_note"] = forms.CharField(label=f"{code} 审查说明", required=False, max_length=500)

    def grounds(self) -> dict[str, dict[str, Any]]:
        return {code: {"present": self.cleaned_data[f"{code}_present"], "note": self.cleaned_data[f"{code}_note"]}
                for code in RefusalGround.values}

    def ground_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"{c}_present"], self[f"{c}_note"]) for c in RefusalGround.values]


class MeetingFields(forms.Form):
    """The record of a collective decision (检察长办公会 / 检察委员会), asked for on that step only."""

    meeting_date = DateField(label="会议日期", required=False)
    attendees = forms.CharField(label="参会人员", max_length=300, required=False)
    minutes = forms.CharField(label="会议纪要", widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def meeting(self) -> dict[str, Any] | None:
        d = self.cleaned_data
        if not (d.get("meeting_date") or d.get("minutes") or d.get("attendees")):
            return None
        return {"meeting_date": d.get("meeting_date"), "attendees": d.get("attendees", ""),
                "minutes": d.get("minutes", "")}


class ApproveStepForm(MeetingFields):
    comment = forms.CharField(label="审批意见", widget=forms.Textarea(attrs={"rows": 3}), initial="同意。")

    field_order = ["comment", "meeting_date", "attendees", "minutes"]


class ReturnForm(forms.Form):
    comments = forms.CharField(label="退回意见", widget=forms.Textarea(attrs={"rows": 3}))


class GrantForm(MeetingFields):
    amount = AmountField(label="决定救助金额（元）")
    reasons = forms.CharField(label="决定理由", widget=forms.Textarea(attrs={"rows": 4}))
    on = DateField(label="决定日期", required=False)
    duplicate_override = forms.CharField(
        label="重复救助说明", widget=forms.Textarea(attrs={"rows": 2}), required=False,
        help_text="仅当系统发现同一申请人在同一案件中已获救助或正在申请、而仍决定救助时填写理由")

    field_order = ["amount", "reasons", "on", "meeting_date", "attendees", "minutes", "duplicate_override"]


class RefuseForm(MeetingFields):
    grounds = forms.MultipleChoiceField(label="不予救助的依据", choices=RefusalGround.choices + [
        ("not_eligible", "不符合救助条件")], widget=forms.CheckboxSelectMultiple)
    reasons = forms.CharField(label="理由（向申请人解释说明）", widget=forms.Textarea(attrs={"rows": 4}))
    on = DateField(label="决定日期", required=False)

    field_order = ["grounds", "reasons", "on", "meeting_date", "attendees", "minutes"]


class ServeForm(forms.Form):
    method = forms.ChoiceField(label="送达方式", choices=[("direct", "直接送达"), ("post", "检察专递邮寄送达"),
                                                      ("proxy", "代为签收")])
    recipient = forms.CharField(label="签收人", max_length=50)
    relationship = forms.CharField(label="签收人与申请人关系", max_length=30, required=False,
                                   help_text="代为签收时填写。")
    on = DateField(label="送达日期", required=False)
    note = forms.CharField(label="备注", required=False, max_length=500)


class CloseForm(forms.Form):
    summary = forms.CharField(label="结案说明", widget=forms.Textarea(attrs={"rows": 3}))
    on = DateField(label="结案日期", required=False)


class ArchiveForm(forms.Form):
    archive_number = forms.CharField(label="档案号", max_length=40)
    on = DateField(label="归档日期", required=False)


class AdvanceRequestForm(forms.Form):
    amount = AmountField(label="拟先行救助金额（元）")
    urgency = forms.CharField(label="紧急情况说明", widget=forms.Textarea(attrs={"rows": 3}))


class AdvanceApproveForm(forms.Form):
    amount = AmountField(label="批准金额（元）")
    on = DateField(label="批准日期", required=False)
    note = forms.CharField(label="审批意见", required=False, max_length=500)
    # The payment finance makes (funds): by default to the applicant's recorded account.
    payee_kind = forms.ChoiceField(label="收款人类型", choices=[("applicant", "申请人本人"), ("guardian", "监护人")])
    payee_name = forms.CharField(label="收款人", required=False, max_length=100,
                                 help_text="留空：申请人本人。")
    bank_name = forms.CharField(label="开户银行", required=False, max_length=100)
    account = forms.CharField(label="银行账号", required=False, max_length=40,
                              widget=forms.TextInput(attrs={"autocomplete": "off"}),
                              help_text="留空：使用申请人登记的银行账户。批准后由财务部门通过资金台账支付。")


class FormalitiesForm(forms.Form):
    form = forms.ChoiceField(label="申请方式", choices=AidCase.ApplicationForm.choices)
    on = DateField(label="补办日期", required=False)
    note = forms.CharField(label="说明", required=False, max_length=500)


class AssignForm(forms.Form):
    handler: forms.ModelChoiceField = forms.ModelChoiceField(label="承办人", queryset=None, empty_label=None)  # type: ignore[arg-type]

    def __init__(self, *args: Any, handlers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers  # type: ignore[attr-defined]


class ApplicantForm(forms.Form):
    applicant_language = forms.ChoiceField(
        label="申请人使用语言", choices=AidCase._meta.get_field("applicant_language").choices, required=False,
        help_text="选择藏文的，短信用藏文发送，交给申请人的文书汉藏双语（以汉文为准）")
    id_number = IdNumberField(label="身份证号码", required=False, help_text="留空则不修改")
    phone = PhoneField(label="联系电话", required=False, help_text="留空则不修改")
    address = forms.CharField(label="住址", max_length=200, required=False, help_text="留空则不修改")
    ethnicity = forms.CharField(label="民族", max_length=20, required=False)
    bank_name = forms.CharField(label="开户银行", max_length=60, required=False)
    bank_account = forms.RegexField(label="银行账号", regex=r"^[0-9]{8,30}$", required=False,
                                    error_messages={"invalid": "银行账号应为8至30位数字。"}, help_text="留空则不修改")
    groups = forms.MultipleChoiceField(label="人员类别", choices=Group.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)


# Magic numbers of the accepted upload types: the extension alone is not trusted.
_SIGNATURES = {
    ".pdf": [b"%PDF-"],
    ".jpg": [b"\xff\xd8\xff"], ".jpeg": [b"\xff\xd8\xff"],
    ".png": [b"\x89PNG\r\n\x1a\n"],
    ".docx": [b"PK\x03\x04"], ".xlsx": [b"PK\x03\x04"],
}
CONTENT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
                 ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def upload_extension(name: str | None) -> str:
    """The lower-case extension of an uploaded file's name, with its dot ("" when none)."""
    name = name or ""
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


def content_matches(f: Any, ext: str) -> bool:
    """Whether F's first bytes are those of an EXT file (every upload is sniffed: the name is not trusted)."""
    head = f.read(16)
    f.seek(0)
    return any(head.startswith(sig) for sig in _SIGNATURES.get(ext, []))


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label="材料类型", choices=Attachment.Kind.choices)
    file = forms.FileField(label="文件", error_messages={"required": "请选择要上传的文件。",
                                                       "empty": "上传的文件是空的。"})
    note = forms.CharField(label="说明", max_length=200, required=False)

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        ext = upload_extension(f.name)
        if ext not in _SIGNATURES:
            raise ValidationError("只能上传 PDF、JPG、PNG、Word（.docx）或 Excel（.xlsx）文件。")
        if f.size > settings.ATTACHMENT_MAX_BYTES:
            raise ValidationError(f"文件不能超过{settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}MB。")
        if not content_matches(f, ext):
            raise ValidationError("文件内容与扩展名不符，请上传真实的文件。")
        f.jiuzhu_content_type = CONTENT_TYPES[ext]
        return f


class PartyForm(forms.Form):
    role = forms.ChoiceField(label="身份", choices=[c for c in CaseParty.Role.choices if c[0] != "applicant"])
    name = forms.CharField(label="姓名", max_length=50)
    id_number = IdNumberField(label="身份证号码", required=False)
    relationship = forms.CharField(label="与被害人关系", max_length=30, required=False)
    phone = PhoneField(label="联系电话", required=False)
    address = forms.CharField(label="住址", max_length=200, required=False)


class RevealForm(forms.Form):
    reason = forms.CharField(label="查看理由", max_length=200, error_messages={"required": "请填写查看理由。"})


class QuickSelect(forms.Select):
    """A select rendered in Python, the same HTML as Django's template (select.html, option.html, attrs.html).

    The worklist's filter renders its choices on every page view (a province's 101 procuratorates, the 18
    states): one template include per option cost more than the page's rows.
    """

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> str:
        from django.forms.utils import flatatt
        from django.utils.html import format_html
        from django.utils.safestring import mark_safe

        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for _, options, _ in widget["optgroups"]:
            parts += [format_html('<option value="{}"{}>{}</option>', str(o["value"]), flatatt(o["attrs"]), o["label"])
                      for o in options]
        return mark_safe("".join(parts) + "</select>")  # noqa: S308 - every part escaped by format_html


class WorklistFilter(forms.Form):
    VIEWS = [("open", "全部在办"), ("mine", "我承办的"), ("to_approve", "待我审批"), ("due_soon", "即将到期"),
             ("overdue", "已逾期"), ("payments_due", "待发放救助金"), ("all", "全部（含已结）")]
    view = forms.ChoiceField(label="范围", choices=VIEWS, required=False, widget=QuickSelect)
    status = forms.ChoiceField(label="状态", required=False, widget=QuickSelect)
    org = forms.ChoiceField(label="检察院", required=False, widget=QuickSelect)
    group = forms.ChoiceField(label="人员类别", choices=[("", "全部")] + Group.choices, required=False,
                              widget=QuickSelect)
    date_from = DateField(label="线索日期自", required=False, past=False)
    date_to = DateField(label="至", required=False, past=False, what="截止日期")

    def __init__(self, *args: Any, orgs: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from jiuzhu.cases.models import Status

        self.fields["status"].choices = [("", "全部")] + Status.choices  # type: ignore[attr-defined]
        self.fields["org"].choices = [("", "全部")] + [(str(o.pk), o.name) for o in orgs]  # type: ignore[attr-defined]
