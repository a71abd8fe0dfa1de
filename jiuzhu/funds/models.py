"""Aid funds (救助资金): budgets with running totals, the immutable ledger, joint-aid contributions,
payments to applicants and bank statements (domain.md §8, §9).

The running totals on `Budget` and the `LedgerEntry` rows are written by the same action in the same
transaction (funds/actions.py); the database constraints below hold the money invariants whoever writes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from jiuzhu.lib.models import AppendOnly
from jiuzhu.people.fields import EncryptedTextField

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}


class Budget(models.Model):
    """One procuratorate's aid budget for one fiscal year, with running totals of every movement."""

    org = models.ForeignKey("orgs.Organisation", verbose_name="检察院", on_delete=models.PROTECT,
                            related_name="aid_budgets")
    fiscal_year = models.PositiveIntegerField("预算年度")
    appropriated = models.DecimalField("年初预算(元)", default=0, **MONEY)
    supplemented = models.DecimalField("追加预算(元)", default=0, **MONEY)
    allocated = models.DecimalField("财政核拨(元)", default=0, **MONEY)
    committed = models.DecimalField("已决定承诺(元)", default=0, **MONEY)
    paid = models.DecimalField("已支付(元)", default=0, **MONEY)
    returned = models.DecimalField("退票(元)", default=0, **MONEY)
    recovered = models.DecimalField("追回(元)", default=0, **MONEY)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "救助资金预算"
        verbose_name_plural = "救助资金预算"
        ordering = ["org__path", "-fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["org", "fiscal_year"], name="funds_budget_unique_year",
                                    violation_error_message="该检察院该年度的预算已存在。"),
            models.CheckConstraint(
                condition=Q(appropriated__gte=0, supplemented__gte=0, allocated__gte=0, committed__gte=0,
                            paid__gte=0, returned__gte=0, recovered__gte=0),
                name="funds_budget_totals_nonnegative", violation_error_message="预算各项金额不能为负数。"),
            # Nothing is paid beyond what the finance bureau has allocated (net of returned payments).
            models.CheckConstraint(
                condition=Q(paid__lte=F("allocated") + F("returned")),
                name="funds_budget_paid_within_allocated",
                violation_error_message="财政核拨资金不足：支付金额不能超过已核拨金额。"),
            models.CheckConstraint(
                condition=Q(allocated__lte=F("appropriated") + F("supplemented")),
                name="funds_budget_allocated_within_budget",
                violation_error_message="财政核拨金额不能超过年初预算与追加预算之和。"),
            models.CheckConstraint(
                condition=Q(returned__lte=F("paid")),
                name="funds_budget_returned_within_paid", violation_error_message="退票金额不能超过已支付金额。"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id}/{self.fiscal_year}"

    @property
    def budgeted(self) -> Any:
        return self.appropriated + self.supplemented

    @property
    def uncommitted(self) -> Any:
        """The budget not yet promised by decisions (may be negative when decisions went over it)."""
        return self.appropriated + self.supplemented - self.committed

    @property
    def net_paid(self) -> Any:
        return self.paid - self.returned

    @property
    def available_cash(self) -> Any:
        """Allocated money not yet paid out."""
        return self.allocated - self.paid + self.returned


class Contribution(models.Model):
    """One procuratorate's share of a case's aid (joint aid: one line per contributing procuratorate)."""

    case = models.ForeignKey("cases.AidCase", verbose_name="案件", on_delete=models.PROTECT,
                             related_name="contributions")
    org = models.ForeignKey("orgs.Organisation", verbose_name="出资检察院", on_delete=models.PROTECT,
                            related_name="aid_contributions")
    budget = models.ForeignKey(Budget, verbose_name="列支预算", on_delete=models.PROTECT,
                               related_name="contributions")
    amount = models.DecimalField("出资金额(元)", **MONEY)
    decision_number = models.CharField("决定书文号", max_length=60, blank=True)
    # Whether ORG is the case's handling procuratorate (the lead's own line). The others are what makes a
    # case visible outside the lead's subtree (cases.access); the lead never changes, so neither does this.
    is_lead = models.BooleanField("承办院出资", default=False, editable=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "出资"
        verbose_name_plural = "出资"
        ordering = ["case", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "org"], name="funds_contribution_unique_org",
                                    violation_error_message="同一检察院在同一案件中只能有一条出资。"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_contribution_amount_positive",
                                   violation_error_message="出资金额必须大于零。"),
        ]
        indexes = [
            # Statistics "amount paid by procuratorates in scope".
            models.Index(fields=["org", "case"], name="funds_contribution_org_idx"),
            # cases.access: the joint cases a scope sees through the lines of a procuratorate not the lead.
            models.Index(fields=["org", "case"], name="case_scope_joint_line_idx", condition=Q(is_lead=False)),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.org_id} {self.amount}"


class Payment(models.Model):
    """One payment (a lump sum or one instalment) of a case's aid to a payee's bank account."""

    class PayeeKind(models.TextChoices):
        APPLICANT = "applicant", "申请人本人"
        GUARDIAN = "guardian", "监护人"  # a minor's or an incapacitated person's guardian
        CUSTODIAN = "custodian", "代管机构"  # third-party custody (notary, village committee …)

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "待发放"  # in the plan, not yet sent to the bank
        ORDERED = "ordered", "已制单"  # on a payment order list handed to the bank
        PAID = "paid", "已支付"  # the bank paid it (bank reference recorded)
        RETURNED = "returned", "已退票"  # the bank sent it back (wrong account …); may be reissued
        CANCELLED = "cancelled", "已取消"  # taken out of the plan before payment

    LIVE = (Status.SCHEDULED, Status.ORDERED, Status.PAID)

    case = models.ForeignKey("cases.AidCase", verbose_name="案件", on_delete=models.PROTECT,
                             related_name="payments")
    contribution = models.ForeignKey(Contribution, verbose_name="出资", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="payments")
    budget = models.ForeignKey(Budget, verbose_name="列支预算", on_delete=models.PROTECT, related_name="payments")
    instalment_no = models.PositiveSmallIntegerField("期次")  # 0: the advance aid (先行救助) payment
    # Advance aid (先行救助): paid before the decision, committed when the deputy chief approves it.
    is_advance = models.BooleanField("先行救助", default=False)
    amount = models.DecimalField("金额(元)", **MONEY)
    due_on = models.DateField("计划发放日期")
    payee_kind = models.CharField("收款人类型", max_length=20, choices=PayeeKind.choices)
    payee_name = models.CharField("收款人", max_length=100)
    bank_name = models.CharField("开户银行", max_length=100)
    account = EncryptedTextField("银行账号")
    account_masked = models.CharField("银行账号（脱敏）", max_length=40)
    # The idempotency key: "P-<case>-<instalment>-<version>"; a reissue gets the next version.
    reference = models.CharField("付款编号", max_length=40, unique=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    bank_reference = models.CharField("银行流水号", max_length=60, blank=True)
    ordered_on = models.DateField("制单日期", null=True, blank=True)
    paid_on = models.DateField("支付日期", null=True, blank=True)
    returned_on = models.DateField("退票日期", null=True, blank=True)
    return_reason = models.CharField("退票原因", max_length=200, blank=True)
    reissue_of = models.OneToOneField("self", verbose_name="重新发放自", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="reissued_as")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "救助金支付"
        verbose_name_plural = "救助金支付"
        ordering = ["case", "instalment_no", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "instalment_no"],
                                    condition=Q(status__in=["scheduled", "ordered", "paid"]),
                                    name="funds_payment_one_live_per_instalment",
                                    violation_error_message="同一期次只能有一笔有效付款。"),
            models.UniqueConstraint(fields=["bank_reference"], condition=~Q(bank_reference=""),
                                    name="funds_payment_unique_bank_reference",
                                    violation_error_message="该银行流水号已用于另一笔付款。"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_payment_amount_positive",
                                   violation_error_message="付款金额必须大于零。"),
            # The advance is instalment 0; the decided aid's instalments are numbered from 1.
            models.CheckConstraint(condition=Q(is_advance=True, instalment_no=0) | Q(is_advance=False,
                                                                                  instalment_no__gte=1),
                                   name="funds_payment_advance_is_instalment_zero",
                                   violation_error_message="先行救助付款为第0期，决定救助的分期从第1期起。"),
            models.CheckConstraint(
                condition=~Q(status__in=["paid", "returned"]) | (~Q(bank_reference="") & Q(paid_on__isnull=False)),
                name="funds_payment_paid_has_reference", violation_error_message="已支付须有银行流水号和支付日期。"),
        ]
        indexes = [
            # queries.payments_due: open payments by due date.
            models.Index(fields=["due_on"], name="funds_payment_open_due_idx",
                         condition=Q(status__in=["scheduled", "ordered"])),
            # The payment order list and the budget page: payments of one budget by status.
            models.Index(fields=["budget", "status"], name="funds_payment_budget_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.SCHEDULED, self.Status.ORDERED)

    @property
    def account_warning(self) -> str | None:
        """The Luhn warning of a personal card number (not of a custodian's corporate account): lib/money.py."""
        from jiuzhu.lib.money import account_warning

        return account_warning(self.account, personal=self.payee_kind != self.PayeeKind.CUSTODIAN)

    @property
    def instalment_label(self) -> str:
        return "先行救助" if self.is_advance else f"第{self.instalment_no}期"


class LedgerEntry(AppendOnly, models.Model):
    """One money movement on a budget. Rows are only ever added: there is no update or delete path."""

    RECORD_NAME = "台账记录"

    class Kind(models.TextChoices):
        APPROPRIATION = "appropriation", "年初预算"  # the year's aid budget line
        SUPPLEMENT = "supplement", "追加"  # a supplement granted on request (财政追加)
        ALLOCATION = "allocation", "财政核拨"  # money the finance bureau actually put at our disposal
        COMMITMENT = "commitment", "决定承诺"  # a grant decision promises this much of the budget
        RELEASE = "release", "承诺释放"  # a promise given back (decision withdrawn, amount reduced)
        PAYMENT = "payment", "支付"  # the bank paid a payment
        RETURN = "return", "退票"  # the bank sent a payment back
        RECOVERY = "recovery", "追回"  # aid recovered from the recipient (domain.md §4.3)

    # The Budget running total each kind adds to; property tests check sum(rows) == total.
    TOTAL_OF: dict[str, str] = {
        Kind.APPROPRIATION: "appropriated", Kind.SUPPLEMENT: "supplemented", Kind.ALLOCATION: "allocated",
        Kind.PAYMENT: "paid", Kind.RETURN: "returned", Kind.RECOVERY: "recovered",
    }

    budget = models.ForeignKey(Budget, verbose_name="预算", on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    amount = models.DecimalField("金额(元)", **MONEY)
    case = models.ForeignKey("cases.AidCase", verbose_name="案件", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="ledger_entries")
    payment = models.ForeignKey(Payment, verbose_name="付款", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="ledger_entries")
    document_number = models.CharField("文号", max_length=60, blank=True)
    happened_on = models.DateField("发生日期")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT,
                              related_name="+")
    created_at = models.DateTimeField("记账时间")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "资金台账"
        verbose_name_plural = "资金台账"
        ordering = ["happened_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_ledgerentry_amount_positive",
                                   violation_error_message="台账金额必须大于零。"),
            # A payment is paid (and returned) at most once: the last line of defence against paying twice.
            models.UniqueConstraint(fields=["payment", "kind"], condition=Q(kind__in=["payment", "return"]),
                                    name="funds_ledgerentry_once_per_payment",
                                    violation_error_message="该笔付款已记账。"),
        ]
        indexes = [
            # queries.budget_execution: the ledger of one budget in date order.
            models.Index(fields=["budget", "happened_on"], name="funds_ledgerentry_budget_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.happened_on} {self.get_kind_display()} {self.amount}"



class StatementImport(models.Model):
    """One bank statement file imported by finance staff to reconcile payments."""

    org = models.ForeignKey("orgs.Organisation", verbose_name="检察院", on_delete=models.PROTECT,
                            related_name="+")
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT,
                                    related_name="+")
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "银行对账单"
        verbose_name_plural = "银行对账单"
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name


class StatementLine(models.Model):
    """One transaction of a bank statement and the payment it was matched to, if any."""

    class Status(models.TextChoices):
        MATCHED = "matched", "已匹配"  # tied to a payment of ours
        UNMATCHED = "unmatched", "未匹配"  # needs a person to look at it
        RESOLVED = "resolved", "已处理"  # a person explained it (resolution_note)

    statement = models.ForeignKey(StatementImport, verbose_name="对账单", on_delete=models.CASCADE,
                                  related_name="lines")
    row_number = models.PositiveIntegerField("行号")
    bank_reference = models.CharField("交易流水号", max_length=60, blank=True)
    amount = models.DecimalField("金额(元)", **MONEY)
    value_date = models.DateField("交易日期")
    account_tail = models.CharField("收款账号后四位", max_length=4, blank=True)
    payee_name = models.CharField("收款人", max_length=100, blank=True)
    matched_payment = models.ForeignKey(Payment, verbose_name="匹配付款", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="statement_lines")
    status = models.CharField("状态", max_length=20, choices=Status.choices)
    match_note = models.CharField("匹配说明", max_length=200, blank=True)
    resolution_note = models.CharField("处理说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "对账单明细"
        verbose_name_plural = "对账单明细"
        ordering = ["statement", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["matched_payment"], condition=Q(status="matched"),
                                    name="funds_statementline_payment_once",
                                    violation_error_message="该笔付款已与另一条流水匹配。"),
            models.CheckConstraint(condition=~Q(status="matched") | Q(matched_payment__isnull=False),
                                   name="funds_statementline_matched_has_payment",
                                   violation_error_message="已匹配的流水须关联付款。"),
        ]
        indexes = [
            # The statement page's "unmatched" list.
            models.Index(fields=["statement"], name="funds_stmtline_unmatched_idx",
                         condition=Q(status="unmatched")),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}:{self.row_number} {self.amount}"


class Recovery(models.Model):
    """The recovery (追回) of aid paid on a case: aid obtained by fraud or concealment, or advance aid
    later refused (domain.md §4.2, §4.3). One per case; receipts and transfers are RecoveryEntry rows."""

    class Ground(models.TextChoices):
        FRAUD = "fraud", "以欺骗手段骗取救助金"
        CONCEALMENT = "concealment", "隐瞒事实、虚报情况获得救助"
        ADVANCE_REFUSED = "advance_refused", "先行救助后经审查不予救助"
        OTHER = "other", "其他应予追回的情形"

    class Status(models.TextChoices):
        OPEN = "open", "追回中"
        RECOVERED = "recovered", "已全部追回"
        CLOSED = "closed", "已结案（已上缴国库）"

    case = models.OneToOneField("cases.AidCase", verbose_name="案件", on_delete=models.PROTECT,
                                related_name="recovery")
    budget = models.ForeignKey(Budget, verbose_name="记入预算", on_delete=models.PROTECT, related_name="recoveries")
    ground = models.CharField("追回事由", max_length=20, choices=Ground.choices)
    facts = models.TextField("认定事实")
    amount_due = models.DecimalField("应追回金额(元)", **MONEY)
    recovered = models.DecimalField("已追回(元)", default=0, **MONEY)
    transferred = models.DecimalField("已上缴国库(元)", default=0, **MONEY)
    decided_on = models.DateField("决定追回日期")
    document_number = models.CharField("追回决定文号", max_length=60, blank=True)
    liability = models.TextField("责任追究情况", blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "救助金追回"
        verbose_name_plural = "救助金追回"
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_due__gt=0), name="funds_recovery_due_positive",
                                   violation_error_message="应追回金额必须大于零。"),
            models.CheckConstraint(condition=Q(recovered__gte=0, transferred__gte=0) & Q(recovered__lte=F("amount_due")),
                                   name="funds_recovery_within_due", violation_error_message="追回金额不能超过应追回金额。"),
            models.CheckConstraint(condition=Q(transferred__lte=F("recovered")), name="funds_recovery_transfer_within",
                                   violation_error_message="上缴国库金额不能超过已追回金额。"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.amount_due}"

    @property
    def outstanding(self) -> Any:
        return self.amount_due - self.recovered


class RecoveryEntry(AppendOnly, models.Model):
    """One step of a recovery: money received back, money transferred to the treasury, or a liability note.
    Rows are only ever added."""

    RECORD_NAME = "追回记录"

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "收回"
        TRANSFER = "transfer", "上缴国库"
        LIABILITY = "liability", "责任追究"

    recovery = models.ForeignKey(Recovery, verbose_name="追回", on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    amount = models.DecimalField("金额(元)", null=True, blank=True, **MONEY)
    happened_on = models.DateField("日期")
    document_number = models.CharField("票据/文号", max_length=60, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    ledger_entry = models.OneToOneField(LedgerEntry, verbose_name="资金台账", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="recovery_entry")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT,
                              related_name="+")
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "追回记录"
        verbose_name_plural = "追回记录"
        ordering = ["recovery", "happened_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind="liability") | Q(amount__gt=0), name="funds_recoveryentry_amount",
                                   violation_error_message="收回和上缴金额必须大于零。"),
        ]
        indexes = [
            # queries.recovered_by_org: receipts in a period.
            models.Index(fields=["kind", "happened_on"], name="funds_recoveryentry_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.happened_on} {self.get_kind_display()} {self.amount or ''}"

