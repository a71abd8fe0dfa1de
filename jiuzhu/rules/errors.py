"""Domain exceptions of the aid rules; every message is Chinese and names what was wrong."""

from __future__ import annotations


class RulesError(Exception):
    """A rule could not be applied to the facts given; str(error) is the Chinese message."""


class NoWageBase(RulesError):
    """The wage-base table has no figure for the province and year a cap needs."""

    def __init__(self, *, province_code: str, province_name: str, year: int) -> None:
        self.province_code, self.province_name, self.year = province_code, province_name, year
        where = f"{province_name}（{province_code}）" if province_name else f"区划代码{province_code}"
        super().__init__(f"{where}没有{year}年的职工月平均工资基数，请系统管理员在“工资基数”中录入。")


class AssessError(RulesError):
    """The facts given to `assess` are malformed; the message names the field."""


class AmountFactsError(RulesError):
    """The inputs of an amount calculation are malformed; the message names the input."""
