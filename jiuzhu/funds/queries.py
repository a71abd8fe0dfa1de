"""Reads for the finance screens (style.md bullet 22); access is checked by the views first."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from jiuzhu.accounts.access import memberships_of
from jiuzhu.accounts.models import Capability, User
from jiuzhu.cases.models import AidCase
from jiuzhu.funds.models import Budget, Contribution, LedgerEntry, Payment, StatementImport, StatementLine
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
