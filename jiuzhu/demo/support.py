"""The demo's "1+N" support (contracts §6): Shannan's partner agencies, 索朗卓玛's 2022 referrals to the
education, civil-affairs, rural-revitalisation and women's-federation bodies of 洛扎县 and what each did,
and current (2026) referrals, visits and a support plan. Nothing here changes the seed's figures:
partner measures are not services, and no service is recorded here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password

from jiuzhu.accounts.actions import create_staff_user
from jiuzhu.accounts.models import Role
from jiuzhu.calendar.workdays import add_working_days
from jiuzhu.cases.models import AidCase, Status
from jiuzhu.lib import clock
from jiuzhu.support import actions
from jiuzhu.support.models import AgencyKind, PartnerAgency, PartnerContact, PartnerStaff, Referral, Visit

# Name suffix of each kind of agency in a county (the city's use the same words).
AGENCIES = [
    (AgencyKind.EDUCATION, "教育局"), (AgencyKind.CIVIL_AFFAIRS, "民政局"), (AgencyKind.HR_SOCIAL, "人力资源和社会保障局"),
    (AgencyKind.MEDICAL, "医疗保障局"), (AgencyKind.RURAL, "乡村振兴局"), (AgencyKind.VETERANS, "退役军人事务局"),
    (AgencyKind.JUSTICE, "司法局"), (AgencyKind.WOMEN, "妇联"), (AgencyKind.YOUTH, "团委"), (AgencyKind.DISABLED, "残联"),
]


def area(name: str) -> str:
    """山南市洛扎县人民检察院 → 洛扎县; 山南市人民检察院 → 山南市."""
    base = name.replace("人民检察院", "")
    return base[3:] if base.startswith("山南市") and len(base) > 3 else base


def load_partners(demo: Any) -> dict[tuple[str, str], PartnerAgency]:
    """Register the partner agencies of 山南市 and its counties, with one contact each."""
    out: dict[tuple[str, str], PartnerAgency] = {}
    contacts = []
    for code, org in demo.orgs.items():
        if code == "540000":
            continue
        for kind, suffix in AGENCIES:
            ag = PartnerAgency.objects.create(org=org, kind=kind, name=f"{area(org.name)}{suffix}",
                                              phone=f"0893-{demo.rng.randint(7000000, 7999999)}")
            out[(code, kind)] = ag
            contacts.append(PartnerContact(agency=ag, name=demo.fake.name(), title="科长",
                                           phone=f"139{demo.rng.randint(10000000, 99999999)}"))
    PartnerContact.objects.bulk_create(contacts)
    # The partner portal's demo account: 洛扎县妇联.
    women = out[("540527", AgencyKind.WOMEN)]
    user = create_staff_user("luozha_partner", password=make_password(_password()), full_name=demo.fake.name(),
                             org=demo.orgs["540527"], role=Role.PARTNER)
    PartnerStaff.objects.create(user=user, agency=women)
    return out


def _password() -> str:
    from jiuzhu.demo import data

    return data.DEMO_PASSWORD


def _answer(referral: Referral, day: dt.date, responder: str, measures: list[tuple[str, str, str | None]],
            done_day: dt.date) -> None:
    with clock.travel(day):
        actions.partner_receive(referral, responder=responder)
        actions.partner_answer(referral, accept=True, responder=responder)
    for i, (measure, note, amount) in enumerate(measures):
        with clock.travel(done_day):
            actions.partner_record_measure(referral, measure=measure, taken_on=done_day, responder=responder,
                                           note=note, amount=Decimal(amount) if amount else None,
                                           done=i == len(measures) - 1)


def load_suo_referrals(demo: Any, agencies: dict[tuple[str, str], PartnerAgency]) -> None:
    """索朗卓玛 (洛扎县, 2022): referred to 教育, 民政, 乡村振兴 and 妇联 of 洛扎县 for further help."""
    case = AidCase.objects.get(handling_org=demo.orgs["540527"], applicant__name="索朗卓玛")
    handler = demo.user("540527", Role.KONGSHEN)
    assert case.paid_on is not None
    sent = add_working_days(case.paid_on, 3)
    plan: list[tuple[str, list[str], str, list[tuple[str, str, str | None]]]] = [
        (AgencyKind.EDUCATION, ["schooling"], "申请人之子在读小学，因案家庭困难面临辍学，请协助落实就学资助。",
         [("schooling", "落实义务教育阶段寄宿生生活补助，减免课本费，安排班主任跟踪关注。", "1500")]),
        (AgencyKind.CIVIL_AFFAIRS, ["dibao", "temporary"], "申请人家庭主要劳动力受伤，收入骤降，请按规定审核低保并给予临时救助。",
         [("temporary", "给予临时救助。", "3000"), ("dibao", "经审核纳入农村最低生活保障。", None)]),
        (AgencyKind.RURAL, ["monitoring"], "申请人家庭因案存在返贫风险，请纳入防止返贫监测并落实帮扶。",
         [("monitoring", "纳入防止返贫监测对象（突发严重困难户），安排产业帮扶项目。", None)]),
        (AgencyKind.WOMEN, ["counselling", "care"], "申请人为因案致困妇女，请协助开展心理关爱和生活帮扶。",
         [("care", "妇联执委入户走访慰问，赠送生活物资。", None), ("counselling", "协调心理咨询志愿者开展心理关爱。", None)]),
    ]
    for n, (kind, measures, situation, done) in enumerate(plan):
        with clock.travel(sent):
            referral, _ = actions.send_referral(
                case, acting_user=handler, agency=agencies[("540527", kind)], measures=measures, situation=situation,
                basis=Referral.Basis.CONSENT, basis_note="申请人签署同意书", shared_fields=["name", "phone", "address"])
        _answer(referral, add_working_days(sent, 1 + n % 2), demo.fake.name(), done, add_working_days(sent, 4 + n))


def load_current_support(demo: Any, agencies: dict[tuple[str, str], PartnerAgency]) -> None:
    """This year's work: referrals (one overdue), visits (one overdue, one held), a support plan."""
    today = clock.today()
    cases = list(AidCase.objects.filter(status__in=[Status.PAID, Status.FOLLOW_UP], paid_on__year=today.year)
                 .select_related("handling_org").order_by("paid_on", "pk"))
    for case in cases:
        actions.schedule_visits(case, acting_user=None)
    fu = next((c for c in cases if c.handling_org.code == "540527"), None)
    if fu is None:
        return
    handler = demo.user("540527", Role.KONGSHEN)
    actions.save_plan(fu, acting_user=handler,
                      needs="救助金已用于医疗；子女就学存在困难，本人有就业意愿，心理压力较大。",
                      measures="1. 移送县教育局落实子女就学资助；2. 移送县妇联开展心理关爱；3. 协调县人社局技能培训；4. 按期回访。")
    from jiuzhu.demo.world import back

    overdue_day = back(today, 9)
    with clock.travel(overdue_day):
        actions.send_referral(fu, acting_user=handler, agency=agencies[("540527", AgencyKind.EDUCATION)],
                              measures=["schooling"], situation="申请人之女升入初中，家庭困难，请协助落实就学资助。",
                              basis=Referral.Basis.CONSENT, basis_note="申请人书面同意", shared_fields=["name", "phone"])
    with clock.travel(back(today, 3)):
        women, _ = actions.send_referral(
            fu, acting_user=handler, agency=agencies[("540527", AgencyKind.WOMEN)], measures=["counselling", "care"],
            situation="申请人为因案致困妇女，心理压力较大，请协助开展心理关爱。", basis=Referral.Basis.CONSENT,
            basis_note="申请人书面同意", shared_fields=["name", "phone", "address"])
    with clock.travel(back(today, 2)):
        actions.partner_receive(women, responder="卓嘎")
    with clock.travel(back(today, 1)):
        actions.partner_answer(women, accept=True, responder="卓嘎", note="本周安排执委入户。")
    with clock.travel(back(today, 4)):
        jobs, _ = actions.send_referral(
            fu, acting_user=handler, agency=agencies[("540527", AgencyKind.HR_SOCIAL)], measures=["jobs"],
            situation="申请人有就业意愿，请纳入技能培训。", basis=Referral.Basis.CONSENT, basis_note="申请人书面同意",
            shared_fields=["name", "sex_age", "phone"])
    # Visits: 洛扎县's first visit stays overdue (the worklist shows it); another county's first visit is held early.
    other = next((c for c in cases if c.handling_org.code != "540527" and c.handler is not None), None)
    held = Visit.objects.filter(case=other, held_on__isnull=True).order_by("due_on").first() if other else None
    if held is not None and held.case.handler is not None:
        with clock.travel(back(today, 1)):
            actions.record_visit(held, acting_user=held.case.handler, held_on=back(today, 1), method=Visit.Method.PHONE,
                                 living="生活基本稳定，伤情好转。", funds_use="救助金用于医疗费用和子女学费。")


def load_support(demo: Any) -> None:
    agencies = load_partners(demo)
    load_suo_referrals(demo, agencies)
    load_current_support(demo, agencies)
