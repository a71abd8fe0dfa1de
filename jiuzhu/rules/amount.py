"""The amount of aid: the cap from the wage base, and the figures of the review screen (domain.md §5).

Money is Decimal with 2 places throughout; a float is refused wherever money enters.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from jiuzhu.orgs.models import Organisation
from jiuzhu.orgs.policy import get_settings
from jiuzhu.people.groups import Group
from jiuzhu.rules.approval import Route, route_for
from jiuzhu.rules.errors import AmountFactsError, NoWageBase, RulesError
from jiuzhu.rules.models import WageBase

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MONEY_TEXT = re.compile(r"[0-9]{1,10}(\.[0-9]{1,2})?")
MAX_MONEY = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)

__all__ = ["AmountFacts", "Calculation", "Cap", "NoWageBase", "TierRange", "calculate", "cap_for",
           "months_cap", "parse_money"]


def quantize(value: Decimal) -> Decimal:
    """Return VALUE rounded half-up to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_money(value: Any, what: str, *, error: type[RulesError] = AmountFactsError,
                positive: bool = False) -> Decimal:
    """Return VALUE (Decimal, int or "123.45") as a Decimal of 2 places; never accept a float.

    WHAT names the field in the Chinese message of ERROR.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise error(f"{what}应是金额数字或字符串（例如 \"50000.00\"），不能是{type(value).__name__}。")
    if isinstance(value, str):
        if not MONEY_TEXT.fullmatch(value.strip()):
            raise error(f"{what}“{value}”不是有效的金额：应为非负数，最多两位小数，例如 \"50000.00\"。")
        amount = Decimal(value.strip())
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    else:
        raise error(f"{what}应是金额数字或字符串（例如 \"50000.00\"）。")
    try:
        if not amount.is_finite() or amount != amount.quantize(CENT):
            raise error(f"{what}“{value}”不是有效的金额：最多两位小数。")
    except InvalidOperation:
        raise error(f"{what}“{value}”不是有效的金额。") from None
    if amount < 0 or (positive and amount == 0):
        raise error(f"{what}必须{'大于' if positive else '不小于'}0：{value}。")
    if amount > MAX_MONEY:
        raise error(f"{what}过大：{value}。")
    return quantize(amount)


def months_cap(base_monthly_yuan: Decimal, months: int) -> Decimal:
    """Return MONTHS × the monthly base, exact to the cent (half-up)."""
    return quantize(base_monthly_yuan * months)


def province_name(province_code: str) -> str:
    """Return the name of a province from its procuratorate (西藏自治区人民检察院 → 西藏自治区), or ""."""
    org = Organisation.objects.filter(kind=Organisation.Kind.PROCURATORATE, code=province_code).first()
    return org.name.removesuffix("人民检察院") if org else ""


@dataclass(frozen=True)
class Cap:
    """The usual upper limit of aid for a decision: cap_months × the province's wage base of base_year."""

    base_year: int
    province_code: str
    base_monthly_yuan: Decimal
    cap_months: int
    cap_yuan: Decimal  # cap_months × base_monthly_yuan (contracts §7)
    statistic: str  # Chinese name of the wage statistic
    is_illustrative: bool  # the base is example data, not yet checked against the bulletin
    per_case_cap_yuan: Decimal | None = None  # local per-case cap (amount.per_case_cap_yuan), if set

    @property
    def effective_cap_yuan(self) -> Decimal:
        """Return the lower of cap_yuan and the local per-case cap."""
        return self.cap_yuan if self.per_case_cap_yuan is None else min(self.cap_yuan, self.per_case_cap_yuan)

    def explanation(self) -> str:
        illustrative = "，示例数据，待管理员核实" if self.is_illustrative else ""
        text = (f"以{self.base_year}年职工月平均工资{self.base_monthly_yuan}元为基数（{self.statistic}{illustrative}），"
                f"一般不超过{self.cap_months}个月，即{self.cap_yuan}元")
        if self.per_case_cap_yuan is not None:
            text += f"；本地单件上限{self.per_case_cap_yuan}元，取较低者{self.effective_cap_yuan}元"
        return text + "。"


def wage_base_for(org: Organisation, year: int) -> WageBase:
    """Return the wage base of ORG's province for YEAR, or raise NoWageBase."""
    base = WageBase.objects.filter(province_code=org.province_code, year=year).first()
    if base is None:
        raise NoWageBase(province_code=org.province_code, province_name=province_name(org.province_code), year=year)
    return base


def cap_for(org: Organisation, decision_date: dt.date) -> Cap:
    """Return the cap for a decision of ORG on DECISION_DATE (base: the province's previous year)."""
    base = wage_base_for(org, decision_date.year - 1)
    settings = get_settings(org, ["amount.cap_months", "amount.per_case_cap_yuan"])
    months = settings["amount.cap_months"]
    cap = months_cap(base.monthly_amount, months)
    per_case = Decimal(settings["amount.per_case_cap_yuan"]) if settings["amount.per_case_cap_yuan"] else None
    return Cap(base_year=base.year, province_code=base.province_code, base_monthly_yuan=quantize(base.monthly_amount),
               cap_months=months, cap_yuan=cap, statistic=WageBase.Statistic(base.statistic).label,
               is_illustrative=base.is_illustrative, per_case_cap_yuan=quantize(per_case) if per_case else None)


def advance_cap_for(org: Organisation, decision_date: dt.date) -> Decimal:
    """Return the ceiling of advance aid (先行救助): advance.max_months × the monthly base (UNCONFIRMED)."""
    base = wage_base_for(org, decision_date.year - 1)
    return months_cap(base.monthly_amount, get_settings(org, ["advance.max_months"])["advance.max_months"])


# ---------------------------------------------------------------------------------------------
# The calculation shown on the review screen (审查报告: base year, base, months, adjustments, cap check).


@dataclass(frozen=True)
class AmountFacts:
    """What the reviewing procurator found; every field is optional except where the screen needs it."""

    proposed_yuan: Decimal | None = None  # the amount proposed
    harm_yuan: Decimal | None = None  # actual harm or loss
    fault_percent: Decimal | None = None  # the applicant's share of fault, 0–100
    family_monthly_income_yuan: Decimal | None = None
    household_size: int | None = None
    local_living_cost_yuan: Decimal | None = None  # minimum monthly cost of basic living per person locally
    compensation_received_yuan: Decimal | None = None  # already paid by the liable party
    court_damages_yuan: Decimal | None = None  # damages a court would award: an absolute ceiling
    key_groups: tuple[str, ...] = ()  # cases.models.Group values
    hardship_tier: str | None = None  # name of a tier of amount.hardship_tiers


@dataclass(frozen=True)
class TierRange:
    """A hardship tier's suggested range: from the previous tier's percentage of the cap to its own."""

    name: str
    percent_from: Decimal
    percent_to: Decimal
    low_yuan: Decimal
    high_yuan: Decimal


@dataclass(frozen=True)
class Calculation:
    """The amount check of one proposal, with Chinese explanations in reading order."""

    facts: AmountFacts
    cap: Cap
    ceiling_yuan: Decimal  # lowest of the cap, the per-case cap and the court-awardable damages
    minimum_yuan: Decimal | None  # local minimum (amount.minimum_yuan), if set
    over_cap: bool  # proposal above cap_yuan: exceeding the cap (突破限额) needs the exceed-cap approval
    over_per_case_cap: bool  # proposal above the local per-case cap
    over_court_damages: bool  # proposal above the court-awardable damages: never allowed
    below_minimum: bool  # proposal below the local minimum
    net_loss_yuan: Decimal | None  # harm less compensation received (not below 0)
    fault_adjusted_loss_yuan: Decimal | None  # net loss less the applicant's share of fault
    per_capita_income_yuan: Decimal | None  # family monthly income / household size
    below_living_cost: bool | None  # per-capita income below the local basic living cost
    tiers: tuple[TierRange, ...]  # every configured tier with its range
    suggested_range: tuple[Decimal, Decimal] | None  # the chosen tier's range, after the key-group extra
    key_group_extra_percent: int  # applied to the suggested range (0: none)
    key_group_extra_groups: tuple[str, ...]  # the facts' groups that earned it
    route: Route  # approval route for the proposal (or 0)
    explanations: tuple[str, ...]


def _facts(facts: AmountFacts, tier_names: list[str]) -> AmountFacts:
    """Return FACTS with money normalised to Decimal(2 places), or raise AmountFactsError."""
    def money(value: Any, what: str, positive: bool = False) -> Decimal | None:
        return None if value is None else parse_money(value, what, positive=positive)

    fault = facts.fault_percent
    if fault is not None:
        if isinstance(fault, bool | float) or not isinstance(fault, int | Decimal | str):
            raise AmountFactsError("过错比例应是 0 到 100 之间的数。")
        try:
            fault = Decimal(str(fault))
        except InvalidOperation:
            raise AmountFactsError(f"过错比例“{facts.fault_percent}”不是数字。") from None
        if not fault.is_finite() or not 0 <= fault <= 100:
            raise AmountFactsError("过错比例应是 0 到 100 之间的数。")
    size = facts.household_size
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
        raise AmountFactsError("家庭人口数应是不小于1的整数。")
    unknown = [g for g in facts.key_groups if g not in Group.values]
    if unknown:
        raise AmountFactsError(f"未知的人员类别：{'、'.join(unknown)}。")
    if facts.hardship_tier is not None and facts.hardship_tier not in tier_names:
        configured = "、".join(tier_names) or "（未设置困难档次）"
        raise AmountFactsError(f"困难档次“{facts.hardship_tier}”不存在；可选：{configured}。")
    return AmountFacts(
        proposed_yuan=money(facts.proposed_yuan, "拟救助金额", positive=True),
        harm_yuan=money(facts.harm_yuan, "实际损害金额"),
        fault_percent=fault,
        family_monthly_income_yuan=money(facts.family_monthly_income_yuan, "家庭月收入"),
        household_size=size,
        local_living_cost_yuan=money(facts.local_living_cost_yuan, "当地基本生活费用"),
        compensation_received_yuan=money(facts.compensation_received_yuan, "已获赔偿金额"),
        court_damages_yuan=money(facts.court_damages_yuan, "依法应判赔偿数额"),
        key_groups=tuple(dict.fromkeys(facts.key_groups)),
        hardship_tier=facts.hardship_tier,
    )


def _tiers(raw: list[dict[str, Any]], cap_yuan: Decimal, ceiling: Decimal) -> tuple[TierRange, ...]:
    tiers, previous = [], Decimal(0)
    for tier in raw:
        percent = Decimal(str(tier["percent_of_cap"]))
        tiers.append(TierRange(tier["name"], previous, percent, min(quantize(cap_yuan * previous / HUNDRED), ceiling),
                               min(quantize(cap_yuan * percent / HUNDRED), ceiling)))
        previous = percent
    return tuple(tiers)


def calculate(org: Organisation, decision_date: dt.date, facts: AmountFacts) -> Calculation:
    """Return the amount check of FACTS for a decision of ORG on DECISION_DATE."""
    s = get_settings(org, ["amount.minimum_yuan", "amount.key_group_extra_percent", "amount.key_group_extra_groups",
                           "amount.hardship_tiers"])
    raw_tiers = list(s["amount.hardship_tiers"])
    f = _facts(facts, [t["name"] for t in raw_tiers])
    cap = cap_for(org, decision_date)
    lines = [f"救助金额{cap.explanation()}"]

    ceiling = cap.effective_cap_yuan
    if f.court_damages_yuan is not None:
        lines.append(f"救助金额不得超过依法应当判决的赔偿数额{f.court_damages_yuan}元。")
        ceiling = min(ceiling, f.court_damages_yuan)
    lines.append(f"本案救助金额一般不超过{ceiling}元。")
    minimum = Decimal(s["amount.minimum_yuan"]) if s["amount.minimum_yuan"] else None
    if minimum is not None:
        minimum = quantize(minimum)
        lines.append(f"本地单件最低救助金额为{minimum}元。")
        if minimum > ceiling:
            lines.append(f"注意：最低救助金额高于本案上限{ceiling}元，以上限为准。")

    net = adjusted = None
    if f.harm_yuan is not None:
        received = f.compensation_received_yuan or Decimal("0.00")
        net = max(f.harm_yuan - received, Decimal("0.00"))
        lines.append(f"实际损害{f.harm_yuan}元，已获赔偿{received}元，尚未弥补的损失{net}元。")
        if f.fault_percent is not None:
            adjusted = quantize(net * (HUNDRED - f.fault_percent) / HUNDRED)
            lines.append(f"申请人过错比例{f.fault_percent.normalize():f}%，按比例扣减后为{adjusted}元。")
    per_capita = below_cost = None
    if f.family_monthly_income_yuan is not None and f.household_size:
        per_capita = quantize(f.family_monthly_income_yuan / f.household_size)
        text = f"家庭月收入{f.family_monthly_income_yuan}元，共{f.household_size}人，人均{per_capita}元"
        if f.local_living_cost_yuan is not None:
            below_cost = per_capita < f.local_living_cost_yuan
            text += f"，{'低于' if below_cost else '不低于'}当地基本生活费用{f.local_living_cost_yuan}元"
        lines.append(text + "。")

    tiers = _tiers(raw_tiers, cap.cap_yuan, ceiling)
    extra_groups = tuple(g for g in f.key_groups if g in s["amount.key_group_extra_groups"])
    extra = s["amount.key_group_extra_percent"] if extra_groups else 0
    suggested = None
    if f.hardship_tier is not None:
        tier = next(t for t in tiers if t.name == f.hardship_tier)
        low, high = tier.low_yuan, tier.high_yuan
        lines.append(f"困难档次“{tier.name}”：上限的{tier.percent_from.normalize():f}%至{tier.percent_to.normalize():f}%，"
                     f"即{low}元至{high}元。")
        if extra:
            low = min(quantize(low * (HUNDRED + extra) / HUNDRED), ceiling)
            high = min(quantize(high * (HUNDRED + extra) / HUNDRED), ceiling)
            lines.append(f"申请人属于{'、'.join(extra_groups)}，按本地规定上浮{extra}%：{low}元至{high}元（不超过上限）。")
        suggested = (low, high)
    elif extra:
        lines.append(f"申请人属于{'、'.join(extra_groups)}，本地规定可上浮{extra}%。")

    proposed = f.proposed_yuan
    over_cap = proposed is not None and proposed > cap.cap_yuan
    over_per_case = proposed is not None and cap.per_case_cap_yuan is not None and proposed > cap.per_case_cap_yuan
    over_damages = (proposed is not None and f.court_damages_yuan is not None and proposed > f.court_damages_yuan)
    below_min = proposed is not None and minimum is not None and proposed < minimum
    route = route_for(org, proposed or Decimal(0), over_cap=over_cap)
    if proposed is not None:
        lines.extend(_proposal_lines(proposed, cap, over_cap, over_per_case, over_damages, below_min, minimum, f))
        lines.append(f"审批：{' → '.join(route.labels)}。")
    return Calculation(
        facts=f, cap=cap, ceiling_yuan=ceiling, minimum_yuan=minimum, over_cap=over_cap,
        over_per_case_cap=over_per_case, over_court_damages=over_damages, below_minimum=below_min,
        net_loss_yuan=net, fault_adjusted_loss_yuan=adjusted, per_capita_income_yuan=per_capita,
        below_living_cost=below_cost, tiers=tiers, suggested_range=suggested, key_group_extra_percent=extra,
        key_group_extra_groups=extra_groups, route=route, explanations=tuple(lines),
    )


def _proposal_lines(proposed: Decimal, cap: Cap, over_cap: bool, over_per_case: bool, over_damages: bool,
                    below_min: bool, minimum: Decimal | None, f: AmountFacts) -> list[str]:
    lines = []
    if over_cap:
        lines.append(f"拟救助{proposed}元，超过{cap.cap_months}个月上限{cap.cap_yuan}元，属于突破限额：仅限损失特别重大或"
                     "生活特别困难的情形，须严格审核并按规定报批。")
    else:
        lines.append(f"拟救助{proposed}元，未超过{cap.cap_months}个月上限{cap.cap_yuan}元。")
    if over_per_case:
        lines.append(f"拟救助金额超过本地单件上限{cap.per_case_cap_yuan}元。")
    if over_damages:
        lines.append(f"拟救助金额超过依法应当判决的赔偿数额{f.court_damages_yuan}元，不得超过该数额。")
    if below_min:
        lines.append(f"拟救助金额低于本地最低救助金额{minimum}元。")
    return lines
