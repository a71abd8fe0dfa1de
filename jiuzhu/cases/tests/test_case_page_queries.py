"""The case page's queries (issue 15): under 20 in every state of a case, and the same number for a case with one
row of each kind as for a case with many (every list is one query, whatever its length).

The page loads its case with everything it shows (cases.queries.case_for_page) and the panels read from that
(the documents panel's approval route, the support plan, the custody agreement) instead of asking again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jiuzhu.cases import actions
from jiuzhu.cases.models import AidCase, Status
from jiuzhu.lib import clock

BOUND = 19
ACCOUNT = {"bank_name": "中国农业银行加查县支行", "account": "6228480000000000009"}


def _other_states(world) -> dict[str, AidCase]:  # type: ignore[no-untyped-def]
    """The five states World.to() does not reach, through the real actions."""
    from jiuzhu.demo.loader import approve_route

    h, today = world.user("540528", "kongshen"), clock.today()
    made: dict[str, AidCase] = {}
    case = world.to("applied")
    actions.request_supplement(case, acting_user=h, missing="生活困难证明")
    made[Status.AWAITING_SUPPLEMENT] = case
    with clock.travel(today - dt.timedelta(days=50)):
        case = world.to("applied")
    actions.request_supplement(case, acting_user=h, missing="生活困难证明", on=today - dt.timedelta(days=40))
    actions.deem_abandoned(case, acting_user=h)
    made[Status.ABANDONED] = case
    case = world.to("pending_approval")
    made[Status.REFUSED] = approve_route(world.demo, case, refuse="不符合救助条件。")
    case = world.clue()
    actions.request_advance(case, acting_user=h, amount=Decimal(3000), urgency="被害人伤情危重，急需手术费用。")
    made[Status.ADVANCE_REQUESTED] = case
    case = world.clue()
    actions.request_advance(case, acting_user=h, amount=Decimal(3000), urgency="被害人伤情危重，急需手术费用。")
    world.ensure_cash(case)
    actions.approve_advance(case, acting_user=world.user("540528", "deputy_chief"), amount=Decimal(3000), **ACCOUNT)
    made[Status.ADVANCE_GRANTED] = case
    return made


@pytest.fixture(scope="module")
def every_state(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """One case of 加查县 in each of the 18 states, built once for the module, rolled back afterwards."""
    from jiuzhu.conftest import World

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        connection.atomic_blocks[-1]._from_testcase = True
        try:
            world = World()
            made = {s: world.to(s) for s in ("clue", "notified", "applied", "accepted", "under_review",
                                             "pending_approval", "granted", "served", "awaiting_payment", "paid",
                                             "follow_up", "closed", "archived")}
            made.update(_other_states(world))
            for status, case in made.items():
                case.refresh_from_db()
                assert case.status == status, (status, case.status)
            yield world, {s: c.pk for s, c in made.items()}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_every_state_is_covered(every_state) -> None:
    assert set(every_state[1]) == set(Status.values)


@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize(("code", "role"), [("540528", "kongshen"), ("540528", "chief"), ("540500", "dept_head")])
def test_the_case_page_runs_fewer_than_20_queries_in_every_state(every_state, db, status: str, code: str,
                                                                 role: str) -> None:
    world, pks = every_state
    client = Client()
    client.force_login(world.user(code, role))
    sqls = _queries(client, f"/cases/{pks[status]}/")
    assert len(sqls) <= BOUND, (status, len(sqls), "\n".join(s[:140] for s in sqls))
    # Nothing read twice: the panels use the rows the page loaded (opinion, approval steps, plan, agreement).
    for table in ("cases_reviewopinion", "cases_approvalstep", "support_supportplan", "custody_entrustmentagreement"):
        assert sum(s.startswith("SELECT") and f'FROM "{table}"' in s for s in sqls) <= 1, (status, table)


def _fill(world, case: AidCase, n: int) -> None:  # type: ignore[no-untyped-def]
    """Give CASE N more rows of each list the page shows: parties, records (with their events), services,
    referrals with a measure each, attachments."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jiuzhu.support import actions as support_actions
    from jiuzhu.support.tests.helpers import agency, refer

    h, today = world.user("540528", "kongshen"), clock.today()
    ag = agency(world, "540528", name=f"加查县教育局（{case.pk}）")
    for i in range(n):
        p = world.person()
        actions.add_party(case, acting_user=h, role="victim", name=p["person_name"], id_number=p["id_number"])
        actions.add_record(case, acting_user=h, kind="home_visit", held_on=today, content=f"走访{i}")
        support_actions.record_service(case.handling_org, acting_user=h, kind="counselling", provided_on=today,
                                       case=case)
        referral, _ = refer(world, case, ag)
        support_actions.partner_answer(referral, accept=True, responder="学校", acting_user=h)
        support_actions.partner_record_measure(referral, measure="schooling", taken_on=today, responder="学校",
                                               acting_user=h)
        upload = SimpleUploadedFile(f"f{i}.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
        upload.jiuzhu_content_type = "application/pdf"  # what AttachmentForm sets after sniffing the bytes
        actions.add_attachment(case, acting_user=h, kind="other", file=upload)


def test_the_case_page_runs_as_many_queries_for_many_rows_as_for_one(every_state, db) -> None:
    world, _ = every_state  # (one World per database: the module's)
    client = Client()
    client.force_login(world.user("540528", "kongshen"))
    one, many = world.to("follow_up"), world.to("follow_up", groups=["妇女", "老年人"])
    _fill(world, one, 1)
    _fill(world, many, 4)
    few = _queries(client, f"/cases/{one.pk}/")
    assert len(few) <= BOUND, "\n".join(s[:140] for s in few)
    assert len(_queries(client, f"/cases/{many.pk}/")) == len(few)
