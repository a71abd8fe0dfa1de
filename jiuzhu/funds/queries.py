"""Reads for the finance screens (style.md bullet 22); access is checked by the views first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from jiuzhu.accounts.access import memberships_of
from jiuzhu.accounts.models import Capability, User
from jiuzhu.cases.models import AidCase
from jiuzhu.funds.models import (
    Budget,
    Contribution,
    LedgerEntry,
    Payment,
    Recovery,
    RecoveryEntry,
    StatementImport,
    StatementLine,
)
from jiuzhu.orgs.models import Organisation


@dataclass
class BudgetExecution:
    """A budget's totals, the ratios finance staff look at, and its ledger."""

    budget: Budget
    entries: list[LedgerEntry]

    @property
    def paid_of_allocated(self) -> Decimal | None:
        b = self.budget
        return (b.net_paid / b.allocated * 100).quantize(Decimal("0.1")) if b.allocated else None

    @property
    def committed_of_budget(self) -> Decimal | None:
        b = self.budget
        return (b.committed / b.budgeted * 100).quantize(Decimal("0.1")) if b.budgeted else None


def budget_execution(org: Organisation, year: int) -> BudgetExecution:
    """Return ORG's budget of YEAR (empty if none yet) with its ledger: two queries."""
    budget = Budget.objects.select_related("org").filter(org=org, fiscal_year=year).first()
    if budget is None:
        return BudgetExecution(Budget(org=org, fiscal_year=year), [])
    entries = list(LedgerEntry.objects.filter(budget=budget).select_related("actor", "case", "payment")
                   .order_by("happened_on", "pk"))
    return BudgetExecution(budget, entries)


def finance_orgs(user: User) -> list[Organisation]:
    """Return the organisations whose budgets USER keeps (a finance membership there)."""
    return [m.org for m in memberships_of(user) if Capability.FINANCE in m.capabilities]


def readable_org(user: User, org: Organisation) -> bool:
    """Return whether USER may read ORG's budget: finance staff of ORG or of an ancestor."""
    return any(org.path.startswith(o.path) for o in finance_orgs(user))


def payments_due(user: User) -> QuerySet[Payment]:
    """Return the open payments USER's procuratorates must make, earliest first."""
    orgs = [o.pk for o in finance_orgs(user)]
    return (Payment.objects.filter(budget__org_id__in=orgs, status__in=[Payment.Status.SCHEDULED,
                                                                        Payment.Status.ORDERED])
            .select_related("case", "budget__org").order_by("due_on", "pk"))


def orderable_payments(org: Organisation) -> QuerySet[Payment]:
    """Return ORG's payments that may go on a payment order list."""
    return (Payment.objects.filter(budget__org=org, status__in=[Payment.Status.SCHEDULED, Payment.Status.ORDERED])
            .select_related("case").order_by("due_on", "pk"))


def case_funds(case: AidCase) -> tuple[list[Contribution], list[Payment]]:
    """Return a case's contribution lines and payments for the case page's panel."""
    contributions = list(Contribution.objects.filter(case=case).select_related("org").order_by("pk"))
    payments = list(Payment.objects.filter(case=case).select_related("budget__org")
                    .order_by("instalment_no", "pk"))
    return contributions, payments


def statements(org: Organisation) -> list[StatementImport]:
    """Return ORG's recent statement imports."""
    return list(StatementImport.objects.filter(org=org).select_related("imported_by")[:20])


def unmatched_lines(org: Organisation) -> QuerySet[StatementLine]:
    """Return ORG's statement lines that still need a person."""
    return (StatementLine.objects.filter(statement__org=org, status=StatementLine.Status.UNMATCHED)
            .select_related("statement").order_by("value_date", "pk"))


def case_recovery(case: AidCase) -> tuple[Recovery | None, list[RecoveryEntry]]:
    """Return a case's recovery (if any) and its entries for the recovery screen: two queries."""
    recovery = Recovery.objects.select_related("budget__org", "created_by").filter(case=case).first()
    if recovery is None:
        return None, []
    return recovery, list(recovery.entries.select_related("actor").order_by("happened_on", "pk"))


def recovered_by_org(org: Organisation, date_from: dt.date, date_to: dt.date) -> list[dict[str, Any]]:
    """Return the aid recovered (money received back) by each procuratorate in ORG's scope in the period.

    Rows: code, name, cases (recoveries with a receipt in the period), amount_yuan (Decimal); ordered by
    code. One query; for the statistics (domain.md §4.3: the ledger and the statistics reflect recovery).
    """
    rows = (RecoveryEntry.objects.filter(kind=RecoveryEntry.Kind.RECEIPT, happened_on__gte=date_from,
                                         happened_on__lte=date_to,
                                         recovery__budget__org__path__startswith=org.path)
            .values_list("recovery__budget__org__code", "recovery__budget__org__name", "recovery_id", "amount"))
    out: dict[str, dict[str, Any]] = {}
    for code, name, recovery_id, amount in rows:  # summed in Python: SQLite sums decimals as floats
        row = out.setdefault(code or "", {"code": code, "name": name, "cases": set(), "amount_yuan": Decimal(0)})
        row["cases"].add(recovery_id)
        row["amount_yuan"] += amount
    return [{**r, "cases": len(r["cases"])} for _, r in sorted(out.items())]


def unpaid_aid(case: AidCase) -> Decimal:
    """Return the decided aid of CASE not yet paid: decided − paid (net of returns) − recovery due.

    A returned instalment that was never reissued leaves money owed to the applicant; a recovery
    decided on the case (追回) takes its amount off what is still owed. One query at most.
    """
    if not case.decided_amount:
        return Decimal(0)
    recovery = Recovery.objects.filter(case=case).values_list("amount_due", flat=True).first() or Decimal(0)
    return max(Decimal(0), case.decided_amount - (case.paid_amount or Decimal(0)) - recovery)
