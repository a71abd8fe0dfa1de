"""Project-wide pytest fixtures: Playwright drives Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach Google's hosts, which this
# machine's closed network refuses.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",  # Chromium's own widgets (date fields, file inputs) in Chinese, as users see them
]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the translation catalogues (.po → .mo) when missing or stale, as set-up does (scripts/test)."""
    from jiuzhu.lib.i18n import compile_catalogues

    compile_catalogues()


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    """Override of pytest-playwright's fixture: launch /usr/bin/chromium with the flags above."""
    return {"executable_path": CHROMIUM, "args": list(CHROMIUM_ARGS)}


@pytest.fixture(scope="session", autouse=True)
def _django_allow_async_unsafe() -> None:
    # Playwright's sync API runs an event loop in the test's thread; Django would then refuse ORM
    # calls (live_server, django_db) as "async unsafe".
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


# ---------------------------------------------------------------------------------------------
# Personas (style.md bullet 33): the demo's procuratorates and staff, built through the real actions.


class World:
    """The 14 procuratorates of contracts §1 and their demo staff, with helpers to build cases."""

    def __init__(self) -> None:
        import random

        from faker import Faker

        from jiuzhu.demo.loader import Demo, load_orgs_and_staff

        fake = Faker("zh_CN")
        fake.seed_instance(1)
        self.demo = Demo(rng=random.Random(1), fake=fake)
        load_orgs_and_staff(self.demo)
        from jiuzhu.demo.rules import load_demo_rules

        load_demo_rules()
        self.orgs = self.demo.orgs

    def user(self, code: str, role: str):  # type: ignore[no-untyped-def]
        return self.demo.user(code, role)

    def person(self, code: str = "540528", **kw):  # type: ignore[no-untyped-def]
        from jiuzhu.lib import clock

        return self.demo.person(code, on=clock.today(), **kw)

    def clue(self, code: str = "540528", *, groups: list[str] | None = None, person: dict | None = None,
             channel: str = "case_department", **kw):  # type: ignore[no-untyped-def]
        """Raise a clue in CODE as its case-department prosecutor (CHANNEL: where it came from)."""
        from jiuzhu.cases import actions

        return actions.raise_clue(self.orgs[code], acting_user=self.user(code, "case_prosecutor"),
                                  channel=channel, groups=groups or [],
                                  clue_summary="办案中发现被害人生活困难。", **(person or self.person(code)), **kw)

    def to(self, status: str, code: str = "540528", *, amount: str = "10000", **kw):  # type: ignore[no-untyped-def]
        """Return a new case of CODE taken through the real actions to STATUS."""
        from decimal import Decimal

        from jiuzhu.cases import actions
        from jiuzhu.demo.loader import GROUNDS_NONE, approve_route

        h = self.user(code, "kongshen")
        case = self.clue(code, **kw)
        steps = [
            ("notified", lambda: actions.notify_right(case, acting_user=self.user(code, "case_prosecutor"),
                                                      manner="written")),
            ("applied", lambda: actions.register_application(case, acting_user=h, form="written")),
            ("accepted", lambda: actions.accept(case, acting_user=h)),
            ("under_review", lambda: actions.start_review(case, acting_user=h)),
            ("pending_approval", lambda: actions.submit_opinion(
                case, acting_user=h, category="E1", grounds=GROUNDS_NONE, recommendation="grant",
                reasoning="建议救助。", proposed_amount=Decimal(amount))),
            ("granted", lambda: approve_route(self.demo, case, amount=Decimal(amount), reasons="予以救助。")),
            ("served", lambda: actions.serve_decision(case, acting_user=h, method="direct", recipient="本人")),
            ("awaiting_payment", lambda: (self.ensure_cash(case), actions.record_funds(case, acting_user=h))),
            ("paid", lambda: self.pay_in_full(case)),
            ("follow_up", lambda: self.first_visit(case)),
            ("closed", lambda: actions.close(case, acting_user=h, summary="办结。")),
            ("archived", lambda: (self.paper_trail(case), actions.archive(case, acting_user=h, archive_number="A-1"))),
        ]
        if case.status == status:
            return case
        for target, step in steps:
            step()
            if target == status:
                return case
        raise ValueError(status)


    def paper_trail(self, case):  # type: ignore[no-untyped-def]
        """Make the decision document and record the service of every servable document (archive rules)."""
        from jiuzhu.documents.actions import issue_document, record_service
        from jiuzhu.documents.context import SPECS
        from jiuzhu.documents.models import IssuedDocument
        from jiuzhu.lib import clock

        h = self.user(case.handling_org.code, "kongshen")
        kind = "grant_decision" if case.decision == "grant" else "refusal_decision"
        if case.decision and not IssuedDocument.objects.filter(case=case, kind=kind).exists():
            issue_document(case, kind, acting_user=h)
        for doc in IssuedDocument.objects.filter(case=case, status="issued", services__isnull=True):
            if SPECS[doc.kind].servable:
                record_service(doc, acting_user=h, method="direct", served_on=clock.today(), recipient="本人")
        return case

    def first_visit(self, case):  # type: ignore[no-untyped-def]
        """Record the first visit planned from the payment (the one path into 回访)."""
        from jiuzhu.support.actions import record_visit

        visit = case.visits.filter(held_on__isnull=True).order_by("due_on").first()
        record_visit(visit, acting_user=self.user(case.handling_org.code, "kongshen"), held_on=case.paid_on,
                     method="phone", living="生活稳定。")
        case.refresh_from_db()
        return case

    def ensure_cash(self, case):  # type: ignore[no-untyped-def]
        """Have each contributor's finance staff allocate what the case needs (as the demo's budgets do)."""
        from decimal import Decimal

        from jiuzhu.funds import actions as funds
        from jiuzhu.funds.models import Budget, Contribution

        for c in Contribution.objects.filter(case=case).select_related("org"):
            b = Budget.objects.get(pk=c.budget_id)
            short = c.amount - b.available_cash
            if short > 0:
                fin = self.user(c.org.code, "finance")
                room = b.budgeted - b.allocated
                if room < short:
                    funds.add_supplement(c.org, b.fiscal_year, acting_user=fin, amount=short - room)
                funds.record_allocation(c.org, b.fiscal_year, acting_user=fin, amount=Decimal(short),
                                        document_number="测试核拨")

    def pay_in_full(self, case, *, payee_kind: str = "applicant", payee_name: str = "本人"):  # type: ignore[no-untyped-def]
        """Plan the case's payment as one sum and have finance pay it through the funds app."""
        from jiuzhu.funds import actions as funds
        from jiuzhu.funds.models import Payment
        from jiuzhu.lib import clock

        code = case.handling_org.code
        case.refresh_from_db()
        if not Payment.objects.filter(case=case, is_advance=False).exists():  # the advance is instalment 0
            funds.schedule_payments(case, acting_user=self.user(code, "kongshen"),
                                    plan=[(case.decided_amount - case.paid_amount, clock.today())],
                                    payee_kind=payee_kind, payee_name=payee_name, bank_name="中国农业银行",
                                    account="6228480000000000001")
        for p in Payment.objects.filter(case=case, status__in=["scheduled", "ordered"]).select_related("budget__org"):
            funds.pay(p, acting_user=self.user(p.budget.org.code, "finance"), bank_reference=f"B-{p.reference}")
        case.refresh_from_db()
        return case


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    """The demo's organisations and staff (no cases)."""
    return World()


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Load the Shannan demo once for a module's tests, inside a transaction rolled back afterwards.

    The block is marked as a test case's own (as Django's TestCase does), so the demo's durable
    actions may run inside it; rolling back leaves the test database exactly as it was.
    """
    from django.db import connection, transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        connection.atomic_blocks[-1]._from_testcase = True
        try:
            call_command("load-demo", verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
