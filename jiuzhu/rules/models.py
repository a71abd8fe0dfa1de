"""Reference data of the aid rules: wage bases (the cap's unit) and approval routes by amount."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from jiuzhu.rules.validators import COLLECTIVE, validate_approval_steps


class WageBase(models.Model):
    """A province's average monthly wage of employees for one year: the unit of the aid cap.

    The cap is `amount.cap_months` (36) × the figure of the year before the decision, for the
    province of the handling procuratorate (domain.md §5). Maintained by administrators from the
    provincial statistical bulletins.
    """

    class Statistic(models.TextChoices):
        # Which published figure a province uses is UNCONFIRMED (domain.md §5): recorded per row.
        ALL_URBAN = "all_urban", "全口径城镇单位就业人员平均工资"  # what Beijing courts use [S45]
        NON_PRIVATE_ON_POST = "non_private_on_post", "城镇非私营单位在岗职工平均工资"  # the older series
        NON_PRIVATE_EMPLOYED = "non_private_employed", "城镇非私营单位就业人员平均工资"  # the bulletins' headline
        OTHER = "other", "其他（见备注）"  # a provincial figure of another kind, described in the note

    province_code = models.CharField(
        "省级区划代码", max_length=6,
        validators=[RegexValidator(r"^[0-9]{2}0000$", "应为六位省级区划代码，例如 540000。")],
        help_text="省、自治区、直辖市的六位行政区划代码，例如西藏自治区为 540000。",
    )
    year = models.PositiveSmallIntegerField("统计年度", help_text="工资所属年度；作出救助决定时使用上一年度的数据。")
    statistic = models.CharField("统计口径", max_length=30, choices=Statistic.choices,
                                 default=Statistic.NON_PRIVATE_EMPLOYED)
    monthly_amount = models.DecimalField("职工月平均工资（元）", max_digits=12, decimal_places=2,
                                         help_text="年平均工资 ÷ 12，保留两位小数。")
    source = models.CharField("数据来源", max_length=200, help_text="统计公报或文件名称、发布日期。")
    is_illustrative = models.BooleanField("示例数据", default=False, help_text="示例数据，待管理员核实。")
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "工资基数"
        verbose_name_plural = "工资基数"
        ordering = ["province_code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["province_code", "year"], name="rules_wagebase_unique_province_year",
                                    violation_error_message="该省份该年度已有工资基数。"),
            models.CheckConstraint(condition=Q(monthly_amount__gt=0), name="rules_wagebase_positive_amount",
                                   violation_error_message="职工月平均工资必须大于0。"),
            models.CheckConstraint(condition=Q(province_code__regex=r"^[0-9]{2}0000$"),
                                   name="rules_wagebase_province_code",
                                   violation_error_message="省级区划代码应为六位数字，后四位为0。"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="rules_wagebase_year_range",
                                   violation_error_message="统计年度应在2000年至2100年之间。"),
        ]

    def __str__(self) -> str:
        return f"{self.province_code} {self.year}年 {self.monthly_amount}元/月"


class ApprovalRule(models.Model):
    """Who approves an aid decision of at least `min_amount` yuan in `org`'s scope.

    The nearest organisation (itself, then up the tree) that has any rules decides; among its rules
    the one with the greatest `min_amount` not above the amount applies. Without any rule the
    defaults of `rules.approval` apply (domain.md §6 step 8, UNCONFIRMED).
    """

    org = models.ForeignKey("orgs.Organisation", verbose_name="适用机构", on_delete=models.CASCADE,
                            related_name="approval_rules", limit_choices_to={"kind": "procuratorate"},
                            help_text="规则适用于该院及其下级院，下级院有自己的规则时以下级院为准。")
    min_amount = models.DecimalField("金额起点（元，含）", max_digits=12, decimal_places=2, default=0,
                                     help_text="救助金额达到此数（含本数）时适用本规则。")
    steps = models.JSONField(
        "审批步骤", validators=[validate_approval_steps],
        help_text=("按顺序列出审批角色代码，例如 [\"dept_head\", \"deputy_chief\"]。dept_head＝部门负责人，"
                   f"deputy_chief＝分管副检察长，chief＝检察长，{COLLECTIVE}＝集体决定（检察长办公会等）。"),
    )
    collective = models.BooleanField("最后提交集体决定", default=False,
                                     help_text="勾选后在最后增加集体决定环节（名称见设置“集体决定机构名称”）。")
    note = models.CharField("依据/说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "审批规则"
        verbose_name_plural = "审批规则"
        ordering = ["org__path", "min_amount"]
        constraints = [
            models.UniqueConstraint(fields=["org", "min_amount"], name="rules_approvalrule_unique_min_amount",
                                    violation_error_message="该机构已有相同金额起点的审批规则。"),
            models.CheckConstraint(condition=Q(min_amount__gte=0), name="rules_approvalrule_min_amount_not_negative",
                                   violation_error_message="金额起点不能为负数。"),
        ]

    def __str__(self) -> str:
        return f"{self.org} · {self.min_amount}元起 · {'→'.join(self.step_codes)}"

    @property
    def step_codes(self) -> list[str]:
        """Return the steps with the collective decision last when `collective` is set."""
        steps = [s for s in self.steps if isinstance(s, str)] if isinstance(self.steps, list) else []
        if self.collective and COLLECTIVE not in steps:
            steps.append(COLLECTIVE)
        return steps
