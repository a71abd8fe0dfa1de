"""The bad-input corpus on every staff screen (cases, funds, support, custody, intake, statistics), as each
role of the demo staff, over cases at every step: the crawl and the driver are corpus.py's."""

from __future__ import annotations

import os

import pytest

from jiuzhu.cases import actions
from jiuzhu.lib import clock
from jiuzhu.tests_security.corpus import Tally, crawl, drive

pytestmark = pytest.mark.usefixtures("sessions_in_cookies")

# The world: cases at every step, and who looks at them.
STEPS = ["clue", "notified", "applied", "accepted", "under_review", "pending_approval", "granted", "served",
         "awaiting_payment", "paid", "follow_up", "closed"]
ROLES = [("540528", "kongshen"), ("540528", "case_prosecutor"), ("540528", "dept_head"),
         ("540528", "deputy_chief"), ("540528", "chief"), ("540528", "finance"), ("540500", "stats")]


@pytest.fixture
def cases(world):  # type: ignore[no-untyped-def]
    from jiuzhu.documents.actions import ensure_default_templates

    ensure_default_templates()  # run at deploy (else lazily by the first issue, refused or not)
    return [world.to(step) for step in STEPS]


@pytest.fixture
def surfaces(world, cases):  # type: ignore[no-untyped-def]
    """What the other screens need: a custody agreement and its custodian's login, a referral with its
    partner link, an application submitted on the portal (the intake queue). Returns extra start pages
    by user (None: anonymous, the partner's signed link)."""
    from django.test import Client

    from jiuzhu.accounts.models import User
    from jiuzhu.custody.tests.helpers import custodian, entrusted
    from jiuzhu.demo.support import load_partners
    from jiuzhu.portal.tests.helpers import fill_application, login
    from jiuzhu.support import actions as support

    agreement = entrusted(world, custodian(world))
    agencies = load_partners(world.demo)
    agency = next(a for (code, _), a in agencies.items() if code == "540528")
    _, link = support.send_referral(cases[STEPS.index("paid")], acting_user=world.user("540528", "kongshen"),
                                    agency=agency, measures=["dibao"], situation="生活困难。", basis="consent",
                                    basis_note="本人同意")
    # The money screens' later forms: a payment to make, one sent back, a recovery with a receipt,
    # a custody release waiting for the other side, and a decision at the last approval step.
    from decimal import Decimal

    from jiuzhu.custody import actions as custody
    from jiuzhu.demo.loader import MEETING, approver_for
    from jiuzhu.funds import actions as funds

    h, fin = world.user("540528", "kongshen"), world.user("540528", "finance")
    due = world.to("awaiting_payment")
    funds.schedule_payments(due, acting_user=h, plan=[(due.decided_amount, clock.today())], payee_kind="applicant",
                            payee_name="本人", bank_name="中国农业银行", account="6228480000000000001")
    returned = world.to("paid")
    funds.mark_returned(returned.payments.get(is_advance=False), acting_user=fin, reason="账户已注销")
    recovered = world.to("paid")
    r = funds.open_recovery(recovered, acting_user=h, ground="fraud", facts="虚报。", amount_due=Decimal("100"))
    funds.record_recovery_receipt(r, acting_user=fin, amount=Decimal("50"))
    custody.request_release(agreement, acting_user=h, amount=Decimal("100"), purpose="学费")
    final = world.to("pending_approval")
    while (step := final.approval_steps.get(status="pending")) and final.approval_steps.filter(
            opinion=step.opinion, seq__gt=step.seq).exists():
        actions.approve_step(final, acting_user=approver_for(world.demo, "540528", step.role), comment="同意。",
                             meeting={**MEETING, "meeting_date": clock.today()})
    more = [f"/cases/{c.pk}/" for c in (due, returned, recovered, final)] + [
        f"/funds/cases/{recovered.pk}/recovery/", f"/custody/cases/{agreement.case_id}/"]
    applicant = Client()
    login(applicant, "13900139000")
    pk = fill_application(applicant)
    assert applicant.post(f"/apply/a/{pk}/submit/", {"declaration": "on"}).status_code == 302
    more.append(f"/intake/{pk}/")
    return {"more": more,
            User.objects.get(username="cust1"): ["/custody/portal/", f"/custody/portal/{agreement.pk}/"],
            None: [f"/support/r/{link}/"]}


def test_it_survives_the_corpus_on_every_staff_form(world, cases, surfaces, client) -> None:
    tally = Tally()
    client.raise_request_exception = False  # a 500 is counted, and the sweep goes on
    starts = ["/", "/cases/new/", "/funds/", "/stats/", "/support/", "/custody/", "/intake/", "/search/",
              "/documents/", "/support/screening/", "/support/clues/new/", "/stats/import/"]
    more = surfaces.pop("more")
    # Case pages first: they carry most forms, and the crawl stops after `limit` pages a role.
    who = [(world.user(code, role), [f"/cases/{c.pk}/" for c in cases] + more + starts) for code, role in ROLES]
    for user, pages in [*who, *surfaces.items()]:
        client.logout()
        if user is not None:
            client.force_login(user)
        for form in crawl(client, pages, tally):
            drive(client, form, tally)
    print(tally.report("staff"))
    if os.environ.get("JIUZHU_CORPUS_VERBOSE"):
        print("\n".join(sorted(tally.forms)))
    assert len(tally.forms) >= 30, tally.report("staff")  # the crawl found the screens
    assert not tally.failures, "\n".join(tally.failures[:50])

