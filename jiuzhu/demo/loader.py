"""Loading the Shannan demo: the stages in one direction (world → rules → history → this year → 1+N →
portal → statistics). Each stage module imports only `world` and the apps; this module imports them all."""

from __future__ import annotations

import random

from django.db import transaction
from faker import Faker

from jiuzhu.cases.models import AidCase
from jiuzhu.demo import data
from jiuzhu.demo.accounts import DEMO_USERNAME, demo_accounts, enrol_demo_accounts
from jiuzhu.demo.current import load_current
from jiuzhu.demo.history import load_history
from jiuzhu.demo.portal import load_portal
from jiuzhu.demo.rules import load_demo_rules
from jiuzhu.demo.stats import load_stats_demo
from jiuzhu.demo.support import load_support
from jiuzhu.demo.world import (
    GROUNDS_NONE,
    MEETING,
    Demo,
    DemoError,
    approve_route,
    approver_for,
    load_budgets,
    load_custodians,
    load_orgs_and_staff,
    pay_through_funds,
)
from jiuzhu.orgs.models import Organisation


def load(*, orgs_only: bool = False, seed: int = 20230607, with_2fa: bool = False) -> Demo:
    """Load the demo into an empty, migrated database (WITH_2FA: every demo account gets a TOTP device)."""
    if AidCase.objects.exists():
        raise DemoError("数据库中已有救助案件，演示数据只能载入空数据库。")
    if Organisation.objects.filter(code__in=[o[0] for o in data.ORGS]).exists():
        raise DemoError("数据库中已有演示机构；如需重新载入，请使用新的空数据库。")
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    demo = Demo(rng=random.Random(seed), fake=fake)
    with transaction.atomic():
        load_orgs_and_staff(demo)
        load_demo_rules()
    if with_2fa:
        enrol_demo_accounts()
    if orgs_only:
        return demo
    load_budgets(demo)
    load_custodians(demo)
    load_history(demo)
    load_current(demo)
    load_support(demo)
    load_portal(demo)
    load_stats_demo(demo)
    return demo


# The names tests and commands import from here (the demo's one public face).
__all__ = ["DEMO_USERNAME", "GROUNDS_NONE", "MEETING", "Demo", "DemoError", "approve_route", "approver_for", "demo_accounts",
           "enrol_demo_accounts", "load", "pay_through_funds"]
