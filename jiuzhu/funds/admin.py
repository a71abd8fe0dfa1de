"""Funds rows are written by the actions only: the admin shows them read-only."""

from __future__ import annotations

from django.contrib import admin

from jiuzhu.accounts.admin_scope import ScopedReadOnlyAdmin
from jiuzhu.funds.models import Budget, Contribution, LedgerEntry, Payment, StatementImport, StatementLine


class ReadOnlyAdmin(ScopedReadOnlyAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = ["org", "fiscal_year", "appropriated", "supplemented", "allocated", "committed", "paid",
                    "returned", "recovered"]
    list_filter = ["fiscal_year"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    scope_field = "budget__org"
    list_display = ["happened_on", "budget", "kind", "amount", "case", "payment", "document_number", "actor"]
    list_filter = ["kind"]


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ["case", "org", "amount", "decision_number"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    scope_field = "budget__org"
    list_display = ["reference", "case", "instalment_no", "amount", "due_on", "payee_name", "account_masked",
                    "status", "bank_reference"]
    list_filter = ["status"]
    exclude = ["account"]  # the full account number is never shown in the admin


@admin.register(StatementImport)
class StatementImportAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "org", "imported_by", "imported_at"]


@admin.register(StatementLine)
class StatementLineAdmin(ReadOnlyAdmin):
    scope_field = "statement__org"
    list_display = ["statement", "row_number", "bank_reference", "amount", "value_date", "status", "matched_payment"]
    list_filter = ["status"]
