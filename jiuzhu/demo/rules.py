"""Illustrative wage bases for the Shannan demo (Tibet, 540000), so every demo decision has a cap.

Tibet's published figures were not at hand (domain.md §5, §16 item 8): the monthly figures below
are plausible round numbers near the non-private urban average wage of those years (about
¥108,000 a year in 2017 rising towards ¥140,000 in 2024, ÷ 12), marked as example data for an
administrator to replace from the statistical bulletins.
"""

from __future__ import annotations

from decimal import Decimal

from jiuzhu.rules.actions import record_wage_base
from jiuzhu.rules.models import WageBase

TIBET = "540000"
SOURCE = "示例数据（待管理员按统计公报核实）"
# year → illustrative monthly base (yuan). Decisions of year Y use the row of Y − 1.
ILLUSTRATIVE_TIBET_MONTHLY: dict[int, Decimal] = {
    2017: Decimal("9000.00"),
    2018: Decimal("9420.00"),
    2019: Decimal("9800.00"),
    2020: Decimal("10300.00"),
    2021: Decimal("10650.00"),
    2022: Decimal("10950.00"),
    2023: Decimal("11300.00"),
    2024: Decimal("11600.00"),
    2025: Decimal("11900.00"),
    2026: Decimal("12200.00"),
}


def load_demo_rules() -> list[WageBase]:
    """Create (or refresh) Tibet's illustrative wage bases for 2017–2026; return them oldest first."""
    return [
        record_wage_base(province_code=TIBET, year=year, monthly_amount=amount, source=SOURCE,
                         statistic=WageBase.Statistic.NON_PRIVATE_EMPLOYED, is_illustrative=True,
                         note=f"按年平均工资约{amount * 12:.0f}元 ÷ 12 估算，仅供演示。")
        for year, amount in sorted(ILLUSTRATIVE_TIBET_MONTHLY.items())
    ]
