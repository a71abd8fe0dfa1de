"""Settings as data: every rule the law leaves to provinces or procuratorates (domain.md §15)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from jiuzhu.orgs import validators as rv
from jiuzhu.orgs.models import Organisation, OrgSetting


@dataclass(frozen=True)
class SettingDef:
    key: str
    label: str
    default: Any
    kind: type
    minimum: int | None = None
    source: str = ""
    # Checks what `kind` cannot (list items, structure); raises ValidationError with a Chinese message.
    validator: Callable[[Any], None] | None = None


SETTINGS: dict[str, SettingDef] = {
    d.key: d
    for d in [
        SettingDef("deadline.supplement_notice_working_days", "告知补正期限（工作日）", 5, int, 1,
                   "2016细则；domain.md §6 步骤4（UNCONFIRMED 于2021细则）"),
        SettingDef("deadline.supplement_days", "申请人补正期限（日）", 30, int, 1,
                   "2016细则；逾期视为放弃"),
        SettingDef("deadline.decision_working_days", "受理后作出决定期限（工作日）", 10, int, 1,
                   "2014意见"),
        SettingDef("deadline.clue_transfer_working_days", "办案部门发现后移送控告申诉部门的期限（工作日）", 5, int, 1,
                   "地方做法：5个工作日内移送 [S19]；全国未明确；UNCONFIRMED"),
        SettingDef("deadline.payment_notice_working_days", "资金到位后通知领取期限（工作日）", 2, int, 1,
                   "2014意见"),
        SettingDef("deadline.due_soon_working_days", "工作台“即将到期”提前量（工作日）", 2, int, 0, "本系统"),
        # Amount and approval rules (jiuzhu/rules; domain.md §5, §6 step 8, §15).
        SettingDef("amount.cap_months", "救助金额上限（月数，乘以上一年度职工月平均工资）", 36, int, 1,
                   "2014意见、2016细则：一般不超过36个月；按省设置（domain.md §5）"),
        SettingDef("amount.minimum_yuan", "单件最低救助金额（元，0 为不设）", 0, int, 0,
                   "地方做法，例如一般不低于3000元 [S46]；UNCONFIRMED"),
        SettingDef("amount.per_case_cap_yuan", "单件救助金额上限（元，0 为不设）", 0, int, 0,
                   "地方做法，例如某地州单件不超过50000元 [S65]；与36个月上限取较低者；UNCONFIRMED"),
        SettingDef("amount.key_group_extra_percent", "重点人群上浮比例（%，0 为不上浮）", 0, int, 0,
                   "地方做法：未成年人、残疾人、困难妇女、军人军属可适当提高 [S46]；UNCONFIRMED"),
        SettingDef("amount.key_group_extra_groups", "适用上浮比例的人员类别", ["未成年人", "残疾人", "妇女", "退役军人"],
                   list, None, "地方做法 [S46]；UNCONFIRMED", rv.validate_groups),
        SettingDef("amount.hardship_tiers", "困难程度档次（按36个月上限的百分比）", [], list, None,
                   "地方做法：分三档等 [S46]；UNCONFIRMED。例：[{\"name\": \"一档\", \"percent_of_cap\": 30}]",
                   rv.validate_hardship_tiers),
        SettingDef("approval.collective_threshold_yuan", "需集体决定的救助金额（元，达到即提交）", 10000, int, 0,
                   "地方实施办法：1万元以上提交检察长办公会或党组 [S46]；domain.md §5、§6 步骤8；UNCONFIRMED"),
        SettingDef("approval.step_working_days", "每个审批环节的办理期限（工作日）", 3, int, 1,
                   "本系统默认；UNCONFIRMED"),
        SettingDef("approval.exceed_cap_steps", "突破限额时增加的审批环节", ["chief", "collective"], list, None,
                   "“依照相关规定报批”，全国未明确 [S15][S1]；默认检察长及集体决定；UNCONFIRMED",
                   rv.validate_exceed_cap_steps),
        SettingDef("approval.collective_body", "集体决定机构名称", "检察长办公会", str, None,
                   "检察长办公会或检察委员会/党组 [S46]；UNCONFIRMED", rv.validate_non_blank),
        SettingDef("advance.max_months", "先行救助金额上限（月数，乘以月平均工资）", 3, int, 1,
                   "法院做法：一般不超过3个月，必要时6个月 [S44]；检察院 UNCONFIRMED"),
        # Aid funds (jiuzhu/funds; domain.md §8, §9).
        SettingDef("funds.over_budget", "决定金额超出未承诺预算时（block 不能决定 / warn 提示并可申请财政追加）", "warn",
                   str, None, "本系统默认提示；UNCONFIRMED", rv.validate_over_budget),
        SettingDef("funds.statement_match_days", "银行对账按金额匹配时允许的日期偏差（日）", 5, int, 0, "本系统"),
        SettingDef("funds.recover_refused_advance", "先行救助后决定不予救助的，自动登记追回已发放的先行救助金", True, bool,
                   None, "法院做法：不予救助的追回已发放款项 [S44]；检察院 UNCONFIRMED"),
        # "1+N" support (jiuzhu/support; domain.md §10, §15).
        SettingDef("support.referral_feedback_working_days", "协作单位反馈期限（工作日）", 5, int, 1,
                   "地方做法：5个工作日内移送/反馈 [S19][S49]；全国未明确；UNCONFIRMED"),
        SettingDef("support.referral_escalate_working_days", "反馈逾期多少个工作日后提请部门负责人", 3, int, 0,
                   "本系统默认；UNCONFIRMED"),
        SettingDef("support.referral_link_days", "协作单位反馈链接有效期（日）", 30, int, 1, "本系统默认"),
        SettingDef("support.visit_months", "回访时间（救助金发放后第几个月）", [1, 6, 12], list, None,
                   "本系统默认；各地回访做法不一；UNCONFIRMED", rv.validate_month_list),
        SettingDef("support.priority_groups", "工作台优先关注的人员类别（按先后排序）",
                   ["未成年人", "残疾人", "退役军人", "妇女", "防返贫监测对象", "涉法涉诉信访人"], list, None,
                   "五类重点人群及困难妇女 [S74][S25]；顺序为本系统默认；UNCONFIRMED", rv.validate_groups),
        SettingDef("support.screening_retention_days", "外部筛查名单保存期限（日）", 90, int, 1,
                   "本系统默认（最少必要、到期清除）；UNCONFIRMED"),
        # Messages to applicants (jiuzhu/cases/applicant_sms.py; online applicants: the portal's messages).
        SettingDef("notify.applicant_sms", "向来访等非网上申请的申请人发送短信（受理、决定、发放；登记有手机号码时）", True,
                   bool, None, "本系统默认：与网上申请人相同的告知"),
        # Statistics (jiuzhu/stats): published figures never identify a person.
        SettingDef("stats.min_group_size", "统计公开时人员类别的最少人数（不足时只显示“不足N人”、不显示金额；0 为不限制）", 3,
                   int, 0, "本系统默认；UNCONFIRMED"),
    ]
}


def check_value(definition: SettingDef, value: Any) -> Any:
    if not isinstance(value, definition.kind) or isinstance(value, bool) and definition.kind is int:
        raise ValidationError(f"“{definition.label}”的值类型不正确。")
    if definition.minimum is not None and value < definition.minimum:  # type: ignore[operator]
        raise ValidationError(f"“{definition.label}”不能小于 {definition.minimum}。")
    if definition.validator is not None:
        try:
            definition.validator(value)
        except ValidationError as e:
            raise ValidationError(f"“{definition.label}”：{'；'.join(e.messages)}") from None
    return value


def get_setting(org: Organisation, key: str) -> Any:
    """Return the value of setting KEY for ORG: its own, else the nearest ancestor's, else the default."""
    definition = SETTINGS[key]
    ids = org.ancestor_ids()
    rows = {s.org_id: s.value for s in OrgSetting.objects.filter(org_id__in=ids, key=key)}
    for org_id in reversed(ids):
        if org_id in rows:
            return check_value(definition, rows[org_id])
    return definition.default


def get_settings(org: Organisation, keys: list[str]) -> dict[str, Any]:
    """Return several settings for ORG in one query."""
    ids = org.ancestor_ids()
    found: dict[str, dict[int, Any]] = {}
    for s in OrgSetting.objects.filter(org_id__in=ids, key__in=keys):
        found.setdefault(s.key, {})[s.org_id] = s.value
    result = {}
    for key in keys:
        rows = found.get(key, {})
        value = next((rows[i] for i in reversed(ids) if i in rows), SETTINGS[key].default)
        result[key] = check_value(SETTINGS[key], value)
    return result
