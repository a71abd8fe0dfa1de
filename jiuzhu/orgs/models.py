"""Organisations: procuratorates in a tree, their departments, partner agencies and custodians."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Organisation(models.Model):
    """A procuratorate, partner agency or custodian; procuratorates form a tree by `parent`."""

    class Kind(models.TextChoices):
        PROCURATORATE = "procuratorate", "人民检察院"
        PARTNER = "partner", "协作单位"  # a "1+N" partner agency (education, civil affairs, …)
        CUSTODIAN = "custodian", "资金代管机构"  # bank, village committee, notary … holding aid money

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"  # the region's / province's procuratorate
        CITY = "city", "市级"
        COUNTY = "county", "县级"
        OTHER = "other", "其他"  # partners and custodians

    code = models.CharField(
        "机构代码", max_length=6, unique=True, null=True, blank=True,
        help_text="六位行政区划代码（检察院必填）",
    )
    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.PROCURATORATE)
    level = models.CharField("层级", max_length=10, choices=Level.choices, default=Level.COUNTY)
    parent = models.ForeignKey(
        "self", verbose_name="上级机构", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of primary keys, "/1/2/5/": the scope of an organisation is every row whose
    # path starts with its own. Maintained by actions.create_organisation / move.
    path = models.CharField(max_length=255, editable=False, db_index=True)
    province_code = models.CharField("省级区划代码", max_length=6, blank=True, editable=False)
    area_code = models.CharField(
        "所在区划代码", max_length=6, blank=True, help_text="协作单位、代管机构所在的行政区划"
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="procuratorate") | Q(code__regex=r"^[0-9]{6}$"),
                name="orgs_organisation_procuratorate_has_code",
                violation_error_message="检察院必须有六位数字的机构代码。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def ancestor_ids(self) -> list[int]:
        """Return the primary keys from the root down to this organisation, itself included."""
        return [int(p) for p in self.path.strip("/").split("/") if p]


class Department(models.Model):
    """A department inside a procuratorate."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", "控告申诉检察部门"  # accepts, reviews, proposes and pays aid
        CASE = "case", "办案部门"  # prosecution, arrest review, civil/administrative, juvenile…
        FINANCE = "finance", "计划财务装备部门"  # budget, funds requests, payment support
        LEADERSHIP = "leadership", "院领导"  # chief and deputy chief procurators
        OFFICE = "office", "办公室"  # administration of users and settings

    org = models.ForeignKey(Organisation, verbose_name="所属检察院", on_delete=models.CASCADE,
                            related_name="departments")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    name = models.CharField("名称", max_length=60)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["org__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="orgs_department_unique_name",
                                    violation_error_message="同一检察院的部门名称不能重复。"),
        ]

    def __str__(self) -> str:
        return f"{self.org.display_name}{self.name}"


class OrgSetting(models.Model):
    """A rule the law leaves to provinces or procuratorates, set for one organisation's scope.

    Looked up from the organisation up to the root; the first one found wins, else the default in
    `orgs.policy.SETTINGS`. A setting on the province's procuratorate is the per-province value.
    """

    org = models.ForeignKey(Organisation, verbose_name="适用机构", on_delete=models.CASCADE,
                            related_name="settings")
    key = models.CharField("设置项", max_length=80)
    value = models.JSONField("值")
    note = models.CharField("依据/说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "业务设置"
        verbose_name_plural = "业务设置"
        ordering = ["org__path", "key"]
        constraints = [
            models.UniqueConstraint(fields=["org", "key"], name="orgs_orgsetting_unique_key",
                                    violation_error_message="该机构已有此设置项。"),
        ]

    def __str__(self) -> str:
        return f"{self.org.display_name} · {self.key} = {self.value}"
