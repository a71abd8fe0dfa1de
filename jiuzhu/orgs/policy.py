"""Settings as data: every rule the law leaves to provinces or procuratorates (domain.md §15)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from jiuzhu.orgs.models import Organisation, OrgSetting


@dataclass(frozen=True)
class SettingDef:
    key: str
    label: str
    default: Any
    kind: type
    minimum: int | None = None
    source: str = ""


SETTINGS: dict[str, SettingDef] = {
    d.key: d
    for d in [
        SettingDef("deadline.supplement_notice_working_days", "告知补正期限（工作日）", 5, int, 1,
                   "2016细则；domain.md §6 步骤4（UNCONFIRMED 于2021细则）"),
        SettingDef("deadline.supplement_days", "申请人补正期限（日）", 30, int, 1,
                   "2016细则；逾期视为放弃"),
        SettingDef("deadline.decision_working_days", "受理后作出决定期限（工作日）", 10, int, 1,
                   "2014意见"),
        SettingDef("deadline.payment_notice_working_days", "资金到位后通知领取期限（工作日）", 2, int, 1,
                   "2014意见"),
        SettingDef("deadline.due_soon_working_days", "工作台“即将到期”提前量（工作日）", 2, int, 0, "本系统"),
    ]
}


def check_value(definition: SettingDef, value: Any) -> Any:
    if not isinstance(value, definition.kind) or isinstance(value, bool) and definition.kind is int:
        raise ValidationError(f"“{definition.label}”的值类型不正确。")
    if definition.minimum is not None and value < definition.minimum:  # type: ignore[operator]
        raise ValidationError(f"“{definition.label}”不能小于 {definition.minimum}。")
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
