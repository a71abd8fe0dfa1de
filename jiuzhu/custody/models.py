"""Third-party custody of aid money (资金代管, domain.md §8): custodian organisations and their staff,
one entrustment agreement per case, the custody sub-ledger (deposits and releases), release requests
approved by both the procurator and the custodian, and the custodian's periodic reports.

The agreement's running totals and the CustodyEntry rows are written by the same action in the same
transaction (custody/actions.py); the constraints below keep the balance from going negative.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from jiuzhu.lib.models import AppendOnly
from jiuzhu.people.fields import EncryptedTextField

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}


class Custodian(models.Model):
    """An organisation that keeps a beneficiary's aid money and pays it out on approved uses."""

    class Kind(models.TextChoices):
        BANK = "bank", "银行"
        VILLAGE = "village", "村（居）民委员会"
        TOWNSHIP = "township", "乡镇综治中心"
        NOTARY = "notary", "公证处"
        SOCIAL_WORK = "social_work", "社会工作服务机构"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    area = models.ForeignKey("orgs.Organisation", verbose_name="登记检察院", on_delete=models.PROTECT,
                             related_name="custodians")
    contact = models.CharField("联系人", max_length=50, blank=True)
    bank_name = models.CharField("代管账户开户银行", max_length=100)
    account = EncryptedTextField("代管账户账号")
    account_masked = models.CharField("代管账户（脱敏）", max_length=40)
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "代管机构"
        verbose_name_plural = "代管机构"
        ordering = ["area__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="custody_custodian_unique_name",
                                    violation_error_message="该检察院已登记同名代管机构。"),
        ]

    def __str__(self) -> str:
        return self.name


class CustodianStaff(models.Model):
    """A user who acts for a custodian in the custody portal (and only there)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                             related_name="custodian_links")
    custodian = models.ForeignKey(Custodian, verbose_name="代管机构", on_delete=models.CASCADE, related_name="staff")

    class Meta:
        verbose_name = "代管机构人员"
        verbose_name_plural = "代管机构人员"
        ordering = ["custodian", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "custodian"], name="custody_staff_unique",
                                    violation_error_message="该用户已是该代管机构人员。"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.custodian}"


class EntrustmentAgreement(models.Model):
    """The one custody entrustment agreement of a case (资金代管委托协议; 一案一委托)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "代管中"
        SUSPENDED = "suspended", "暂停支取"
        ENDED = "ended", "代管结束"

    case = models.OneToOneField("cases.AidCase", verbose_name="案件", on_delete=models.PROTECT,
                                related_name="entrustment")
    custodian = models.ForeignKey(Custodian, verbose_name="代管机构", on_delete=models.PROTECT,
                                  related_name="agreements")
    guardian_name = models.CharField("监护人/委托人", max_length=50)
    amount = models.DecimalField("代管金额(元)", **MONEY)
    purposes = models.TextField("资金用途")
    release_schedule = models.TextField("支取计划")
    suspend_conditions = models.TextField("暂停或变更支取的情形")
    signed_on = models.DateField("签订日期")
    ends_on = models.DateField("代管期限至")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.ACTIVE)
    deposited = models.DecimalField("已存入(元)", default=0, **MONEY)
    released = models.DecimalField("已支取(元)", default=0, **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "资金代管委托协议"
        verbose_name_plural = "资金代管委托协议"
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="custody_agreement_amount_positive",
                                   violation_error_message="代管金额必须大于零。"),
            models.CheckConstraint(condition=Q(deposited__gte=0, released__gte=0),
                                   name="custody_agreement_totals_nonnegative",
                                   violation_error_message="代管金额不能为负数。"),
            # The balance never goes below zero: nothing is released that was not deposited.
            models.CheckConstraint(condition=Q(released__lte=F("deposited")), name="custody_agreement_balance",
                                   violation_error_message="代管余额不足：支取金额不能超过已存入金额。"),
            models.CheckConstraint(condition=Q(deposited__lte=F("amount")), name="custody_agreement_within_amount",
                                   violation_error_message="存入金额不能超过协议代管金额。"),
        ]
        indexes = [
            # The custodian portal's list: the agreements of one custodian.
            models.Index(fields=["custodian", "status"], name="custody_agreement_cust_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.custodian_id}"

    @property
    def balance(self) -> Any:
        return self.deposited - self.released


class ReleaseRequest(models.Model):
    """One proposed use of custody money: purpose and evidence, approved by both sides, then paid out."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "待审核"
        APPROVED = "approved", "双方已同意"
        RELEASED = "released", "已支取"
        REJECTED = "rejected", "不同意"

    agreement = models.ForeignKey(EntrustmentAgreement, verbose_name="协议", on_delete=models.PROTECT,
                                  related_name="releases")
    amount = models.DecimalField("金额(元)", **MONEY)
    purpose = models.CharField("用途", max_length=200)
    evidence = models.FileField("凭证", upload_to="custody/evidence/%Y/", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请登记人", on_delete=models.PROTECT,
                                     related_name="+")
    requested_on = models.DateField("申请日期")
    procurator_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="检察官审核", null=True,
                                               blank=True, on_delete=models.PROTECT, related_name="+")
    custodian_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="代管机构审核", null=True,
                                              blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.REQUESTED)
    released_on = models.DateField("支取日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "代管资金支取"
        verbose_name_plural = "代管资金支取"
        ordering = ["agreement", "requested_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="custody_release_amount_positive",
                                   violation_error_message="支取金额必须大于零。"),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "released"])
                | Q(procurator_approved_by__isnull=False, custodian_approved_by__isnull=False),
                name="custody_release_both_approved", violation_error_message="支取须经检察官和代管机构双方同意。"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.amount} {self.purpose}"


class CustodyEntry(AppendOnly, models.Model):
    """One movement on a case's custody sub-ledger. Rows are only ever added."""

    RECORD_NAME = "代管台账记录"

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", "存入"  # the funds payment to the custodian
        RELEASE = "release", "支取"  # an approved use paid out by the custodian

    agreement = models.ForeignKey(EntrustmentAgreement, verbose_name="协议", on_delete=models.PROTECT,
                                  related_name="entries")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    amount = models.DecimalField("金额(元)", **MONEY)
    balance_after = models.DecimalField("余额(元)", **MONEY)
    payment = models.ForeignKey("funds.Payment", verbose_name="付款", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="custody_entries")
    release = models.OneToOneField(ReleaseRequest, verbose_name="支取", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="entry")
    happened_on = models.DateField("发生日期")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT,
                              related_name="+")
    created_at = models.DateTimeField("记账时间")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "代管台账"
        verbose_name_plural = "代管台账"
        ordering = ["agreement", "happened_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="custody_entry_amount_positive",
                                   violation_error_message="台账金额必须大于零。"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="custody_entry_balance_nonnegative",
                                   violation_error_message="代管余额不能为负数。"),
            models.UniqueConstraint(fields=["payment"], condition=Q(kind="deposit"),
                                    name="custody_entry_deposit_once",
                                    violation_error_message="该笔付款已存入代管账户。"),
        ]

    def __str__(self) -> str:
        return f"{self.happened_on} {self.get_kind_display()} {self.amount}"



class CustodianReport(models.Model):
    """A custodian's periodic report on the money it keeps for a case."""

    agreement = models.ForeignKey(EntrustmentAgreement, verbose_name="协议", on_delete=models.PROTECT,
                                  related_name="reports")
    period_from = models.DateField("报告期起")
    period_to = models.DateField("报告期止")
    content = models.TextField("使用与监管情况")
    balance = models.DecimalField("报告时余额(元)", **MONEY)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报告人", on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField("报告时间")

    class Meta:
        verbose_name = "代管情况报告"
        verbose_name_plural = "代管情况报告"
        ordering = ["agreement", "period_to", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(period_to__gte=F("period_from")), name="custody_report_period",
                                   violation_error_message="报告期止不能早于报告期起。"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.period_from}–{self.period_to}"
