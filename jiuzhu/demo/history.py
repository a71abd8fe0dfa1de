"""The demo's history: the seed's cases 2018–2025 (contracts §5), walked through the actions, with their
custody and services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from jiuzhu.accounts.models import Role
from jiuzhu.calendar.workdays import add_working_days
from jiuzhu.cases import actions
from jiuzhu.cases.models import AidCase, Channel
from jiuzhu.demo import data
from jiuzhu.demo.world import (
    GROUNDS_NONE,
    Demo,
    _at,
    _case_number,
    approve_route,
    walk_to_paid,
)
from jiuzhu.lib import clock


def load_history(demo: Demo) -> None:
    """The historical cases of contracts §6: 2018–2021 and 2022."""
    for i, (code, year, amount) in enumerate(data.HISTORY_2018_2021):
        raised = dt.date(year, 4 + i * 2, 6)
        walk_to_paid(demo, code, raised=raised, amount=amount, groups=["因案致贫"],
                     person=demo.person(code, on=raised))
    # One refusal in 2021 (outside every period of the seed's figures but for the refusal count).
    raised = dt.date(2021, 9, 6)
    _refused_case(demo, "540525", raised)

    plan: list[tuple[str, Decimal, bool]] = [(c, data.JOINT_2022_AMOUNT, True) for c in data.JOINT_2022]
    plan += [(c, Decimal(a), False) for c, a in data.SINGLE_2022]
    demo.rng.shuffle(plan)
    suo_done = False
    joint_cases: list[AidCase] = []
    for i, (code, amount, joint) in enumerate(plan):
        raised = dt.date(2022, 1, 10) + dt.timedelta(days=7 * i)
        groups, person = _groups_and_person(demo, code, raised, i)
        source = ""
        if joint:
            county = JOINT_SPLIT_TEXT.format(county=demo.orgs[code].name)
            source = f"联合救助：{county}"
            if code == "540527" and not suo_done:
                person["person_name"] = "索朗卓玛"
                person["id_number"] = demo.id_number(code, dt.date(1986, 3, 14), True)
                groups = ["妇女", "因案致贫", "农村困难群众"]
                suo_done = True
        split = [(demo.orgs["540500"], data.JOINT_SPLIT["540500"]), (demo.orgs[code], data.JOINT_SPLIT["county"])]
        case = walk_to_paid(demo, code, raised=raised, amount=amount, groups=groups, person=person, source=source,
                            method=AidCase.PaymentMethod.CUSTODY if "未成年人" in groups
                            else AidCase.PaymentMethod.LUMP_SUM, contributions=split if joint else None)
        if joint:
            joint_cases.append(case)
    load_history_services(demo, joint_cases)
    load_custody_history(demo)



def load_custody_history(demo: Demo) -> None:
    """Releases and half-yearly reports under the history's entrustment agreements whose custodian has a
    demo account: each use proposed by the procurator, approved by both sides, paid out by the custodian."""
    from jiuzhu.custody.actions import approve_release, confirm_release, request_release, submit_report
    from jiuzhu.custody.models import CustodianStaff, EntrustmentAgreement

    uses = [(30, "秋季学期学杂费及教辅资料费", Decimal("0.2")), (120, "康复治疗费用（凭医院票据）", Decimal("0.15")),
            (200, "冬季衣物及生活用品", Decimal("0.1"))]
    for a in EntrustmentAgreement.objects.select_related("case__handling_org", "custodian").order_by("pk"):
        staff = CustodianStaff.objects.filter(custodian=a.custodian).select_related("user").first()
        if staff is None:
            continue
        handler = demo.user(a.case.handling_org.code or "", Role.KONGSHEN)
        for days, purpose, share in uses:
            with _at(a.signed_on + dt.timedelta(days=days)):
                r = request_release(a, acting_user=handler, amount=(a.amount * share).quantize(Decimal("0.01")),
                                    purpose=purpose)
                approve_release(r, acting_user=staff.user)
                confirm_release(r, acting_user=staff.user)
        for half in (1, 2):
            end = a.signed_on + dt.timedelta(days=182 * half)
            with _at(end + dt.timedelta(days=5)):
                submit_report(a, acting_user=staff.user, period_from=end - dt.timedelta(days=181), period_to=end,
                              content="代管资金专户存储，支取均经检察官同意并凭票据支付；受助人就学、生活情况良好。")



def load_history_services(demo: Demo, joint_cases: list[AidCase]) -> None:
    """The seed's services (contracts §6): 法律服务 14 person-times, one for each joint case (释法说理 when
    the decision was served), and 心理疏导 2 person-times for 索朗卓玛 and one other joint-case victim."""
    from jiuzhu.support.actions import record_service
    from jiuzhu.support.models import ServiceKind

    for case in joint_cases:
        code = case.handling_org.code or ""
        with _at(case.served_on or case.decided_on):
            record_service(case.handling_org, acting_user=demo.user(code, Role.KONGSHEN), case=case,
                           kind=ServiceKind.LEGAL, provided_on=clock.today(), provider="承办检察官",
                           notes="送达决定时释法说理，告知资金用途与后续帮扶渠道。")
    suo = next(c for c in joint_cases if c.applicant and c.applicant.name == "索朗卓玛")
    other = next(c for c in joint_cases if c != suo)
    for case in (suo, other):
        code = case.handling_org.code or ""
        day = add_working_days(case.decided_on, 10)
        with _at(day):
            record_service(case.handling_org, acting_user=demo.user(code, Role.KONGSHEN), case=case,
                           kind=ServiceKind.COUNSELLING, provided_on=day, provider="县心理咨询志愿者",
                           notes="联系心理咨询师入户开展心理疏导。")



JOINT_SPLIT_TEXT = "山南市人民检察院出资15000元，{county}出资10000元"



def _groups_and_person(demo: Demo, code: str, raised: dt.date, i: int) -> tuple[list[str], dict[str, Any]]:
    kind = i % 7
    if kind == 0:
        return ["妇女", "因案致贫"], demo.person(code, female=True, on=raised)
    if kind == 1:
        return ["未成年人"], demo.person(code, age=demo.rng.randint(8, 16), on=raised)
    if kind == 2:
        return ["残疾人", "农村困难群众"], demo.person(code, on=raised)
    if kind == 3:
        return ["退役军人"], demo.person(code, female=False, age=demo.rng.randint(40, 60), on=raised)
    if kind == 4:
        return ["农村困难群众", "低保户"], demo.person(code, on=raised)
    if kind == 5:
        return ["老年人"], demo.person(code, age=demo.rng.randint(65, 80), on=raised)
    return [], demo.person(code, on=raised)



def _refused_case(demo: Demo, code: str, raised: dt.date) -> AidCase:
    org = demo.orgs[code]
    handler = demo.user(code, Role.KONGSHEN)
    from jiuzhu.documents.actions import issue_document, record_service

    person = demo.person(code, on=raised)
    days = [add_working_days(raised, n) for n in (0, 1, 3, 6, 8, 9, 12, 15)]
    with _at(days[0]):
        case = actions.raise_clue(org, acting_user=handler, channel=Channel.WALK_IN,
                                  original_case_number=_case_number(demo, code, raised), charge="交通肇事罪",
                                  clue_summary="申请人来访申请救助。", **person)
        actions.register_application(case, acting_user=handler, form=AidCase.ApplicationForm.ORAL,
                                     oral_record="申请人口述：因交通事故受伤，请求救助。")
    with _at(days[1]):
        actions.accept(case, acting_user=handler)
        actions.start_review(case, acting_user=handler)
    grounds = dict(GROUNDS_NONE)
    grounds["X4"] = {"present": True, "note": "申请人在诉讼中已与肇事方达成赔偿协议并足额受偿。"}
    with _at(days[3]):
        actions.submit_opinion(case, acting_user=handler, category="E6", grounds=grounds, recommendation="refuse",
                               reasoning="申请人已通过诉讼获得赔偿，生活困难非案件导致，建议不予救助。")
    with _at(days[4]):
        approve_route(demo, case, grounds=["X4", "X5"],
                      refuse="您已通过民事诉讼获得足额赔偿，不符合国家司法救助条件。如生活仍有困难，可向当地民政部门申请社会救助。")
        decision = issue_document(case, "refusal_decision", acting_user=handler)
    with _at(days[5]):
        actions.serve_decision(case, acting_user=handler, method="direct", recipient=person["person_name"])
        record_service(decision, acting_user=handler, method="direct", served_on=days[5],
                       recipient=person["person_name"])
    with _at(days[6]):
        actions.close(case, acting_user=handler, summary="不予救助决定已送达并释法说理。")
    with _at(days[7]):
        actions.archive(case, acting_user=handler, archive_number=f"{code}-{raised.year}-归{case.pk:04d}")
    return case
