"""The demo's world and its building blocks: the Shannan procuratorates and staff, budgets, custodians, and
the helpers every stage uses to walk a case (approve_route, pay_through_funds, walk_to_paid)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from faker import Faker

from jiuzhu.accounts.actions import create_staff_user
from jiuzhu.accounts.models import Role, User
from jiuzhu.calendar.workdays import add_working_days, is_working_day
from jiuzhu.cases import actions
from jiuzhu.cases.models import AidCase, Channel, OriginalCase, Record
from jiuzhu.demo import data
from jiuzhu.lib import clock
from jiuzhu.lib.money import luhn_check_digit
from jiuzhu.orgs.actions import create_department, create_organisation
from jiuzhu.orgs.models import Department, Organisation
from jiuzhu.people.idcard import check_digit

CHARGES = ["故意伤害罪", "交通肇事罪", "抢劫罪", "故意杀人罪", "强奸罪", "诈骗罪", "盗窃罪", "寻衅滋事罪"]
GROUNDS_NONE = {code: {"present": False, "note": "经审查不存在该情形"} for code in
                ["X1", "X2", "X3", "X4", "X5", "X6"]}


def card_number(body: str) -> str:
    """A demo bank card number: BODY (18 digits) and its Luhn check digit, as real debit cards carry."""
    return body + luhn_check_digit(body)


@dataclass
class Demo:
    """The state of one demo load: organisations and staff by code and role."""

    rng: random.Random
    fake: Faker
    orgs: dict[str, Organisation] = field(default_factory=dict)
    staff: dict[tuple[str, str], User] = field(default_factory=dict)
    custodians: dict[str, Any] = field(default_factory=dict)  # county code → custody.Custodian
    id_seq: int = 0

    def user(self, code: str, role: str) -> User:
        return self.staff[(code, role)]

    def approver(self, code: str) -> User:
        return self.staff.get((code, Role.DEPT_HEAD)) or self.staff[(code, Role.DEPUTY_CHIEF)]

    def id_number(self, code: str, birth: dt.date, female: bool) -> str:
        self.id_seq += 1
        seq = (self.id_seq * 2 + (0 if female else 1)) % 1000
        area = code if code != "540500" else "540502"
        first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
        return first17 + check_digit(first17)

    def person(self, code: str, *, female: bool | None = None, age: int | None = None,
               on: dt.date) -> dict[str, Any]:
        female = self.rng.random() < 0.5 if female is None else female
        given = self.rng.choice(data.TIBETAN_GIVEN)
        name = given + self.rng.choice(data.TIBETAN_FEMALE if female else data.TIBETAN_MALE)
        age = age if age is not None else self.rng.randint(22, 70)
        birth = dt.date(on.year - age, self.rng.randint(1, 12), self.rng.randint(1, 28))
        return {"person_name": name, "id_number": self.id_number(code, birth, female),
                "phone": f"1{self.rng.choice(['38', '39', '59', '89', '91'])}{self.rng.randint(10000000, 99999999)}",
                "address": f"西藏自治区{self.orgs[code].name.replace('人民检察院', '')}某乡某村{self.rng.randint(1, 40)}号"}



def load_orgs_and_staff(demo: Demo) -> None:
    """Create the 14 procuratorates of contracts §1 with their departments and demo staff."""
    password = make_password(data.DEMO_PASSWORD)  # hashed once: ~90 users share it
    for code, name, parent, level, slug in data.ORGS:
        org = create_organisation(name=name, code=code, parent=demo.orgs.get(parent or ""), level=level)
        demo.orgs[code] = org
        depts: dict[str, Department] = {kind: create_department(org, kind=kind) for kind in
                 [Department.Kind.COMPLAINT, Department.Kind.CASE, Department.Kind.FINANCE,
                  Department.Kind.LEADERSHIP, Department.Kind.OFFICE]}
        for role in data.ROLES_BY_LEVEL[level]:
            user = create_staff_user(
                f"{slug}_{role}", password=password, full_name=demo.fake.name(), org=org, role=role,
                department=depts[data.ROLE_DEPARTMENT[role]])
            demo.staff[(code, role)] = user



def _at(day: dt.date) -> Any:
    return clock.travel(day)



def walk_to_paid(demo: Demo, code: str, *, raised: dt.date, amount: Decimal, groups: list[str],
                 person: dict[str, Any], channel: str = Channel.CASE_DEPARTMENT, source: str = "",
                 close: bool = True, method: str = AidCase.PaymentMethod.LUMP_SUM,
                 contributions: list[tuple[Organisation, Decimal]] | None = None) -> AidCase:
    """Take one case from clue to paid (and on to archive) on the dates a real case would have: the decision
    document is made and served, as the archive rules require (documents.dossier)."""
    from jiuzhu.documents.actions import issue_document, record_service

    org = demo.orgs[code]
    raiser = demo.user(code, Role.CASE_PROSECUTOR) if (code, Role.CASE_PROSECUTOR) in demo.staff \
        else demo.user(code, Role.KONGSHEN)
    handler = demo.user(code, Role.KONGSHEN)
    days = [add_working_days(raised, n) for n in (0, 1, 2, 4, 5, 8, 9, 12, 13, 20, 25)]
    with _at(days[0]):
        case = actions.raise_clue(
            org, acting_user=raiser, channel=channel, original_case_number=_case_number(demo, code, raised),
            charge=demo.rng.choice(CHARGES), stage=OriginalCase.Stage.PROSECUTION_REVIEW,
            offender_ability=OriginalCase.OffenderAbility.UNABLE, groups=groups, source_detail=source,
            clue_summary="办案中发现被害人因案致生活困难，加害人无赔偿能力。",
            found_on=days[0] - dt.timedelta(days=3) if channel == Channel.CASE_DEPARTMENT else None, **person)
        actions.notify_right(case, acting_user=raiser, manner="written")
    with _at(days[1]):
        actions.register_application(case, acting_user=handler, form=AidCase.ApplicationForm.WRITTEN)
    with _at(days[2]):
        actions.accept(case, acting_user=handler)
        actions.start_review(case, acting_user=handler)
    with _at(days[3]):
        actions.add_record(case, acting_user=handler, kind=Record.Kind.HOME_VISIT, held_on=days[3],
                           content="入户走访，核实家庭收入与生活困难情况属实。", participants="承办检察官、村委会干部")
    with _at(days[4]):
        actions.submit_opinion(case, acting_user=handler, category="E1", grounds=GROUNDS_NONE,
                               recommendation="grant", reasoning="符合救助条件，建议予以救助。",
                               proposed_amount=amount)
    with _at(days[5]):
        approve_route(demo, case, amount=amount, contributions=contributions)
        decision = issue_document(case, "grant_decision", acting_user=handler)
    with _at(days[6]):
        actions.serve_decision(case, acting_user=handler, method="direct", recipient=person["person_name"])
        record_service(decision, acting_user=handler, method="direct", served_on=days[6],
                       recipient=person["person_name"])
    with _at(days[7]):
        actions.record_funds(case, acting_user=demo.user(code, Role.FINANCE))
    with _at(days[8]):
        pay_through_funds(demo, case, custody=method == AidCase.PaymentMethod.CUSTODY)
    if close:
        with _at(days[9]):
            actions.close(case, acting_user=handler, summary="救助金已发放，案件办结。")
        with _at(days[10]):
            actions.archive(case, acting_user=handler, archive_number=f"{code}-{raised.year}-归{case.pk:04d}")
    return case



CUSTODIANS = [
    ("540527", "洛扎县拉康镇村民委员会", "village", "luozha_custodian"),
    ("540527", "中国农业银行洛扎县支行", "bank", "luozha_bank_custodian"),
    ("540528", "中国农业银行加查县支行", "bank", "jiacha_custodian"),
    ("540528", "加查县安绕镇综治中心", "township", "jiacha_township_custodian"),
    ("540500", "山南市未成年人保护社会工作服务中心", "social_work", ""),
    ("540502", "山南市雪域公证处", "notary", ""),
    ("540521", "扎囊县桑耶镇综治中心", "township", ""),
    ("540522", "贡嘎县社会工作服务中心", "social_work", ""),
    ("540523", "桑日县桑日镇村民委员会", "village", ""),
    ("540524", "琼结县琼结镇综治中心", "township", ""),
    ("540525", "曲松县曲松镇村民委员会", "village", ""),
    ("540526", "措美县措美镇村民委员会", "village", ""),
    ("540529", "隆子县隆子镇综治中心", "township", ""),
    ("540530", "错那市错那镇村民委员会", "village", ""),
    ("540531", "浪卡子县浪卡子镇村民委员会", "village", ""),
]



GUARDIANS = ["次仁卓玛", "扎西顿珠", "格桑央金", "达瓦次仁", "拉巴普赤"]



def load_custodians(demo: Demo) -> None:
    """Register the custodians (each by its county's complaint procurator) and their demo accounts."""
    from jiuzhu.custody.actions import add_custodian_staff, register_custodian

    password = make_password(data.DEMO_PASSWORD)
    slugs = {code: slug for code, _, _, _, slug in data.ORGS}
    for i, (code, name, kind, username) in enumerate(CUSTODIANS):
        username = username or f"{slugs[code]}_custodian"  # every custodian has one demo login
        handler = demo.user(code, Role.KONGSHEN)
        with _at(dt.date(2018, 1, 10)):
            custodian = register_custodian(demo.orgs[code], acting_user=handler, name=name, kind=kind,
                                           bank_name="中国农业银行" + demo.orgs[code].name[:-5] + "支行",
                                           account=f"62284809{i + 1:011d}", contact="代管专管员")
            add_custodian_staff(custodian, acting_user=handler, username=username, password=password,
                                full_name=demo.fake.name())
        demo.custodians.setdefault(code, custodian)



def entrust(demo: Demo, case: AidCase) -> Any:
    """Sign the case's custody entrustment agreement with its county's custodian (today)."""
    from jiuzhu.custody.actions import create_agreement

    code = case.handling_org.code or ""
    assert case.decided_amount is not None
    return create_agreement(
        case, acting_user=demo.user(code, Role.KONGSHEN), custodian=demo.custodians[code],
        guardian_name=GUARDIANS[case.pk % len(GUARDIANS)], amount=case.decided_amount,
        purposes="用于受助未成年人的生活、教育和医疗康复支出，专款专用。",
        release_schedule="每学期开学前凭学校收费通知支取学杂费；医疗康复支出凭票据支取；余款于受助人年满十八周岁时一次性支付。",
        suspend_conditions="（一）资金未用于约定用途的；（二）监护人发生变更或不履行监护职责的；（三）受助人情况发生重大变化的。",
        ends_on=clock.today().replace(year=clock.today().year + 6))



def pay_through_funds(demo: Demo, case: AidCase, *, custody: bool = False) -> None:
    """Plan the case's aid as one sum and have each paying procuratorate's finance staff pay it today.

    A minor's aid goes to the county's custodian (third-party custody, jiuzhu/custody) under the case's
    entrustment agreement; otherwise to the applicant's own account.
    """
    from jiuzhu.funds.actions import pay, schedule_payments
    from jiuzhu.funds.models import Contribution, Payment

    code = case.handling_org.code or ""
    applicant = case.applicant.name if case.applicant else "申请人"
    payee_kind, payee, bank = Payment.PayeeKind.APPLICANT, applicant, "中国农业银行" + case.handling_org.name[:-5] + "支行"
    account = card_number(f"6228480{case.pk:011d}")
    if custody:
        agreement = entrust(demo, case)
        custodian = agreement.custodian
        payee_kind, payee, bank, account = Payment.PayeeKind.CUSTODIAN, custodian.name, custodian.bank_name, \
            custodian.account
    # One instalment per contributing procuratorate (joint aid: each pays its own share).
    plan = [(c.amount, clock.today()) for c in Contribution.objects.filter(case=case).order_by("pk")]
    payments = schedule_payments(case, acting_user=demo.user(code, Role.KONGSHEN), plan=plan, payee_kind=payee_kind,
                                 payee_name=payee, bank_name=bank, account=account)
    for p in payments:
        org_code = p.budget.org.code or ""
        pay(p, acting_user=demo.user(org_code, Role.FINANCE), bank_reference=f"NY{clock.today():%Y%m%d}{p.pk:06d}")



MEETING = {"attendees": "检察长、副检察长、控告申诉检察部门负责人、承办检察官",
           "minutes": "会议听取承办检察官汇报，经集体研究，同意审查意见。"}



def approver_for(demo: Demo, code: str, role: str) -> User:
    """Return the demo user who takes an approval step of ROLE in CODE (the chief records a collective one)."""
    return demo.user(code, Role.CHIEF if role == "collective" else role)



def approve_route(demo: Demo, case: AidCase, *, amount: Decimal | None = None, refuse: str = "",
                  grounds: list[str] | None = None, reasons: str = "符合国家司法救助条件，决定予以救助。",
                  contributions: list[tuple[Organisation, Decimal]] | None = None) -> AidCase:
    """Take every step of the case's approval route, ending with the decision (grant, or refuse)."""
    from jiuzhu.cases.models import ApprovalStep

    code = case.handling_org.code or ""
    while True:
        step = case.approval_steps.get(status=ApprovalStep.Status.PENDING)
        user = approver_for(demo, code, step.role)
        meeting = {**MEETING, "meeting_date": clock.today()} if step.role == "collective" else None
        if case.approval_steps.filter(opinion=step.opinion, seq__gt=step.seq).exists():
            actions.approve_step(case, acting_user=user, comment="同意。", meeting=meeting)
            continue
        if refuse:
            return actions.decide_refuse(case, acting_user=user, reasons=refuse, grounds=grounds, meeting=meeting)
        assert amount is not None
        return actions.decide_grant(case, acting_user=user, amount=amount, reasons=reasons, meeting=meeting,
                                    contributions=contributions)



def load_budgets(demo: Demo) -> None:
    """Each procuratorate's annual aid budget, allocated by the finance bureau in January (invented)."""
    from jiuzhu.funds.actions import record_allocation, set_budget

    for code, org in demo.orgs.items():
        if (code, Role.FINANCE) not in demo.staff:
            continue
        finance = demo.user(code, Role.FINANCE)
        amount = Decimal("600000") if code == "540500" else Decimal("200000")
        for year in range(2018, clock.today().year + 1):
            with _at(dt.date(year, 1, 15)):
                set_budget(org, year, acting_user=finance, amount=amount, document_number=f"山财预〔{year}〕1号")
                record_allocation(org, year, acting_user=finance, amount=amount,
                                  document_number=f"山财行〔{year}〕{code[-2:]}号")



def _case_number(demo: Demo, code: str, day: dt.date) -> str:
    short = demo.orgs[code].name.replace("人民检察院", "")[:2]
    return f"{short}检刑诉〔{day.year}〕{demo.rng.randint(1, 300)}号"



class DemoError(Exception):
    pass


def back(today: dt.date, working_days: int) -> dt.date:
    """Return the date WORKING_DAYS working days before TODAY."""
    day = today
    while working_days > 0:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            working_days -= 1
    return day
