"""The demo's current work: cases in every state, with deadlines due soon and overdue.

Dates are counted back from today, so a freshly loaded demo always has something due and overdue.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jiuzhu.accounts.models import Role
from jiuzhu.calendar.workdays import add_working_days
from jiuzhu.cases import actions
from jiuzhu.cases.models import AidCase, Channel, OriginalCase, Record
from jiuzhu.demo.world import GROUNDS_NONE, Demo, _case_number, approve_route, back
from jiuzhu.lib import clock


class Walk:
    """Drives one current case step by step, each step on its own date."""

    def __init__(self, demo: Demo, code: str, start: dt.date, *, groups: list[str] | None = None,
                 channel: str = Channel.CASE_DEPARTMENT, person: dict[str, Any] | None = None,
                 summary: str = "办案中发现被害人受伤致生活困难，加害人无赔偿能力。") -> None:
        self.demo, self.code, self.day, self.step = demo, code, start, 0
        self.handler = demo.user(code, Role.KONGSHEN)
        self.approver = demo.approver(code)
        raiser = demo.staff.get((code, Role.CASE_PROSECUTOR), self.handler)
        with clock.travel(start):
            self.case = actions.raise_clue(
                demo.orgs[code], acting_user=raiser if channel == Channel.CASE_DEPARTMENT else self.handler,
                channel=channel, original_case_number=_case_number(demo, code, start),
                charge=demo.rng.choice(["故意伤害罪", "交通肇事罪", "抢劫罪", "强奸罪"]),
                stage=OriginalCase.Stage.PROSECUTION_REVIEW, offender_ability=OriginalCase.OffenderAbility.UNABLE,
                groups=groups or [], clue_summary=summary,
                **(person or demo.person(code, on=start)))
        self.raiser = raiser

    def at(self, day: dt.date) -> Walk:
        if day > self.day:
            self.day, self.step = day, 0
        return self

    def route(self, **kwargs: Any) -> Walk:
        """Take the whole approval route on this walk's date, ending with the decision."""
        self.step += 1
        moment = timezone.make_aware(dt.datetime.combine(self.day, dt.time(9, 30)) + dt.timedelta(minutes=7 * self.step))
        with clock.travel(moment):
            approve_route(self.demo, self.case, **kwargs)
        self.case.refresh_from_db()
        return self

    def issue(self, kind: str) -> Walk:
        """Issue an official document of KIND for the case (its PDF follows in the worker)."""
        from jiuzhu.documents.actions import issue_document

        self.step += 1
        moment = timezone.make_aware(dt.datetime.combine(self.day, dt.time(9, 30)) + dt.timedelta(minutes=7 * self.step))
        with clock.travel(moment):
            issue_document(self.case, kind, acting_user=self.handler)
        return self

    def serve_all(self, recipient: str = "") -> Walk:
        """Record, on this walk's date, the service of every document issued and not yet served (送达回证)."""
        from jiuzhu.documents.actions import record_service
        from jiuzhu.documents.context import SPECS
        from jiuzhu.documents.models import IssuedDocument

        name = recipient or (self.case.applicant.name if self.case.applicant else "申请人")
        for doc in IssuedDocument.objects.filter(case=self.case, status=IssuedDocument.Status.ISSUED,
                                                 services__isnull=True).order_by("issued_at", "pk"):
            if SPECS[doc.kind].servable:
                self.step += 1
                moment = timezone.make_aware(dt.datetime.combine(self.day, dt.time(9, 30))
                                             + dt.timedelta(minutes=7 * self.step))
                with clock.travel(moment):
                    record_service(doc, acting_user=self.handler, method="direct", served_on=self.day, recipient=name)
        return self

    def pay(self, *, custody: bool = False) -> Walk:
        """Plan and pay the case's aid through the funds app (ledger rows on each payer's budget)."""
        from jiuzhu.demo.world import pay_through_funds

        self.step += 1
        moment = timezone.make_aware(dt.datetime.combine(self.day, dt.time(9, 30)) + dt.timedelta(minutes=7 * self.step))
        with clock.travel(moment):
            pay_through_funds(self.demo, self.case, custody=custody)
        self.case.refresh_from_db()
        return self

    def do(self, name: str, **kwargs: Any) -> Walk:
        user = kwargs.pop("acting_user", None) or self.handler
        # Steps on the same day happen a few minutes apart, so the timeline keeps their order.
        self.step += 1
        moment = timezone.make_aware(dt.datetime.combine(self.day, dt.time(9, 30)) + dt.timedelta(minutes=7 * self.step))
        with clock.travel(moment):
            getattr(actions, name)(self.case, acting_user=user, **kwargs)
        self.case.refresh_from_db()
        return self


# One walk per stage a case can be at: each helper takes a fresh case one stage further.


def _applied(demo: Demo, code: str, start: dt.date, **kw: Any) -> Walk:
    w = Walk(demo, code, start, **kw)
    w.do("notify_right", acting_user=w.raiser, manner="written")
    return w.do("register_application", form=AidCase.ApplicationForm.WRITTEN)


def _reviewing(demo: Demo, code: str, start: dt.date, **kw: Any) -> Walk:
    w = _applied(demo, code, start, **kw)
    return w.at(add_working_days(start, 1)).do("accept").do("start_review")


def _pending(demo: Demo, code: str, start: dt.date, amount: str, **kw: Any) -> Walk:
    w = _reviewing(demo, code, start, **kw)
    w.at(add_working_days(start, 2)).do(
        "add_record", kind=Record.Kind.HOME_VISIT, held_on=add_working_days(start, 2),
        content="入户走访：家中主要劳动力受伤，无稳定收入，村委会出具生活困难证明。", participants="承办检察官、村委会主任")
    return w.at(add_working_days(start, 3)).do(
        "submit_opinion", category="E1", grounds=GROUNDS_NONE, recommendation="grant",
        reasoning="申请人符合2021年细则第七条第一项情形，经逐项审查不存在不予救助情形，建议救助。",
        proposed_amount=Decimal(amount))


def _granted(demo: Demo, code: str, start: dt.date, amount: str, **kw: Any) -> Walk:
    w = _pending(demo, code, start, amount, **kw)
    return (w.at(add_working_days(start, 5)).route(amount=Decimal(amount), reasons="符合救助条件，决定予以救助。")
            .issue("grant_decision"))


def _paid(demo: Demo, code: str, start: dt.date, amount: str, **kw: Any) -> Walk:
    w = _granted(demo, code, start, amount, **kw)
    name = w.case.applicant.name if w.case.applicant else ""
    w.at(add_working_days(start, 6)).do("serve_decision", method="direct", recipient=name)
    w.at(add_working_days(start, 8)).do("record_funds")
    return w.at(add_working_days(start, 9)).pay()


def load_current(demo: Demo) -> None:
    """Create the current (this year's) cases, none of which changes the seed's figures."""
    _intake_and_review(demo)
    _approval_and_decision(demo)
    _payment_and_after(demo)


def _intake_and_review(demo: Demo) -> None:
    """线索, 已告知, 已申请, 待补正, 视为放弃, 已受理, 审查中."""
    t = clock.today()
    p = demo.person
    wd = lambda n: back(t, n)  # noqa: E731

    # 线索 and 已告知
    Walk(demo, "540528", t - dt.timedelta(days=1), groups=["妇女"], person=p("540528", female=True, on=t))
    Walk(demo, "540527", wd(3), channel=Channel.PARTNER, summary="县妇联移送：被害妇女因案致贫。",
         groups=["妇女", "因案致贫"], person=p("540527", female=True, on=t)) \
        .do("notify_right", manner="oral")
    # 已申请: the 5-working-day check due soon, and one overdue
    _applied(demo, "540528", wd(3), groups=["农村困难群众"])
    _applied(demo, "540524", wd(8), groups=["残疾人"])
    # 待补正: running, and one whose 30 days ran out (the worker's first sweep lapses it)
    _applied(demo, "540528", t - dt.timedelta(days=12)).at(t - dt.timedelta(days=10)).do(
        "request_supplement", missing="村（居）委会出具的生活困难证明；医疗费用票据。")
    _applied(demo, "540522", t - dt.timedelta(days=40)).at(t - dt.timedelta(days=38)).do(
        "request_supplement", missing="伤情鉴定意见书。")
    # 视为放弃 (already lapsed)
    _applied(demo, "540526", t - dt.timedelta(days=60)).at(t - dt.timedelta(days=58)).do(
        "request_supplement", missing="身份证明、生活困难证明。").at(t - dt.timedelta(days=20)).do(
        "deem_abandoned", acting_user=demo.user("540526", Role.KONGSHEN))
    # 已受理 (decision due) and one overdue
    _applied(demo, "540528", wd(5), groups=["退役军人"], person=p("540528", female=False, on=t)).at(wd(4)).do("accept")
    _applied(demo, "540500", wd(16), groups=["因案致贫"]).at(wd(14)).do("accept")
    # 审查中: one with a minor victim (masked outside the case file), one due soon
    _reviewing(demo, "540528", wd(6), groups=["未成年人"], person=p("540528", age=12, on=t)).at(wd(2)).do(
        "add_record", kind=Record.Kind.INVESTIGATION, held_on=wd(2),
        content="询问被害人监护人，了解治疗费用及家庭收入情况。", participants="承办检察官、被害人祖母")
    _reviewing(demo, "540527", wd(9), groups=["农村困难群众"])


def _approval_and_decision(demo: Demo) -> None:
    """待审批, 决定救助 and 不予救助."""
    t = clock.today()
    p = demo.person
    wd = lambda n: back(t, n)  # noqa: E731
    # 待审批
    _pending(demo, "540528", wd(7), "20000", groups=["妇女", "因案致贫"], person=p("540528", female=True, on=t))
    _pending(demo, "540500", wd(6), "30000", groups=["残疾人"])
    # 决定救助 and 不予救助
    _granted(demo, "540528", wd(9), "15000", groups=["老年人"], person=p("540528", age=72, on=t))
    w = _reviewing(demo, "540531", wd(10))
    grounds = dict(GROUNDS_NONE)
    grounds["X5"] = {"present": True, "note": "申请人生活困难系长期疾病所致，与本案无关。"}
    w.at(wd(7)).do("submit_opinion", category="E1", grounds=grounds, recommendation="refuse",
                   reasoning="生活困难非案件原因所导致，建议不予救助，并协调民政部门给予临时救助。")
    w.at(wd(5)).issue("review_report").route(grounds=["X5"], refuse="经审查，您的生活困难并非本案所致，依照规定不予救助。我院已将您的情况告知县民政局，可申请临时救助。").issue("refusal_decision")


def _payment_and_after(demo: Demo) -> None:
    """送达, 资金到位, 发放, 回访, 结案, 归档; custody; advance aid."""
    t = clock.today()
    p = demo.person
    wd = lambda n: back(t, n)  # noqa: E731
    # 已送达 → 待发放 (payment notice overdue) → 已发放 → 回访 → 结案 → 归档
    g = _granted(demo, "540528", wd(14), "12000", groups=["因案致贫"])
    g.at(wd(8)).do("serve_decision", method="post", recipient=g.case.applicant.name if g.case.applicant else "")
    pay = _granted(demo, "540528", wd(16), "18000", groups=["妇女"], person=p("540528", female=True, on=t))
    pay.at(wd(10)).do("serve_decision", method="direct", recipient="本人")
    pay.at(wd(6)).do("record_funds")
    fraud = _paid(demo, "540524", wd(20), "10000", groups=["低保户"])
    _recovery(demo, fraud.case, wd(6), wd(3))
    # 回访: paid some seven months ago; the first visit (planned from the payment) was held on time and moved the
    # case to 回访; the six-month visit is overdue (洛扎县's worklist shows it).
    fu = _paid(demo, "540527", wd(160), "25000", groups=["妇女", "因案致贫"], person=p("540527", female=True, on=t))
    _first_visit(fu, "救助金已用于医疗和子女就学，生活基本稳定；需协调教育部门落实助学。")
    c = _paid(demo, "540528", wd(45), "8000", groups=["退役军人"], person=p("540528", female=False, on=t))
    c.at(wd(30)).do("close", summary="救助金已发放，回访情况良好，案件办结。")
    _archived_with_paper_trail(demo, "540500", wd(60), "20000", wd(20), wd(15), groups=["残疾人"])
    # 代管: a minor's aid paid to the county bank's custody account, one use paid out, one awaiting the
    # custodian's approval (jiacha_custodian sees it in the portal)
    cu = _granted(demo, "540528", wd(30), "30000", groups=["未成年人"], person=p("540528", age=10, on=t))
    cu.at(wd(24)).do("serve_decision", method="direct", recipient="监护人")
    cu.at(wd(22)).do("record_funds")
    cu.at(wd(21)).pay(custody=True)
    with clock.travel(wd(21)):
        from jiuzhu.documents.actions import issue_document

        issue_document(cu.case, "entrustment_agreement", acting_user=demo.user("540528", Role.KONGSHEN))
    _custody_uses(demo, cu.case, wd(12), wd(2))
    # 先行救助: requested, and approved (committed on the county's budget, paid by finance the next
    # working day through funds) awaiting the formalities
    r = _reviewing(demo, "540502", wd(2), summary="被害人重伤住院，生命垂危，无力支付救治费用。")
    r.do("request_advance", amount=Decimal("10000"), urgency="被害人重伤住院抢救，家属无力承担医疗费用，情况紧急。")
    ad = Walk(demo, "540528", wd(4), summary="被害人重伤急需救治。", groups=["农村困难群众"])
    ad.at(wd(4)).do("request_advance", amount=Decimal("8000"), urgency="被害人伤情危重，急需手术费用。")
    ad.at(wd(3)).do("approve_advance", acting_user=demo.user("540528", Role.DEPUTY_CHIEF), amount=Decimal("8000"),
                    bank_name="中国农业银行加查县支行", account=f"62284802{ad.case.pk:011d}")
    with clock.travel(wd(2)):
        from jiuzhu.funds.actions import pay as pay_payment
        from jiuzhu.funds.models import Payment

        advance = Payment.objects.get(case=ad.case, is_advance=True)
        pay_payment(advance, acting_user=demo.user("540528", Role.FINANCE),
                    bank_reference=f"NY{wd(2):%Y%m%d}{advance.pk:06d}")


def _archived_with_paper_trail(demo: Demo, code: str, start: dt.date, amount: str, closed: dt.date,
                               archived: dt.date, **kw: Any) -> Walk:
    """A case carried to 已归档 with its whole dossier: every document made on the day of its step and served
    (受理通知书, 审查报告, 审批表 with the approvals, 决定书, 救助金领取凭证), the payment, the visits held."""
    from jiuzhu.support.models import Visit

    day = lambda n: add_working_days(start, n)  # noqa: E731
    w = _applied(demo, code, start, **kw)
    w.at(day(1)).do("accept").issue("acceptance_notice").serve_all().do("start_review")
    w.at(day(2)).do("add_record", kind=Record.Kind.HOME_VISIT, held_on=day(2),
                    content="入户走访：申请人因伤致残，丧失主要劳动能力，家庭无稳定收入，村委会出具生活困难证明。",
                    participants="承办检察官、村委会主任")
    w.at(day(3)).do("submit_opinion", category="E1", grounds=GROUNDS_NONE, recommendation="grant",
                    reasoning="申请人符合2021年细则第七条第一项情形，经逐项审查不存在不予救助情形，建议救助。",
                    proposed_amount=Decimal(amount)).issue("review_report")
    w.at(day(5)).route(amount=Decimal(amount), reasons="符合救助条件，决定予以救助。")  # the 审批表 comes with it
    w.issue("grant_decision")
    name = w.case.applicant.name if w.case.applicant else ""
    w.at(day(6)).do("serve_decision", method="direct", recipient=name).serve_all()
    w.at(day(8)).do("record_funds")
    w.at(day(9)).pay().issue("payment_receipt").serve_all()
    for visit in Visit.objects.filter(case=w.case, held_on__isnull=True, due_on__lte=closed).order_by("due_on"):
        with clock.travel(visit.due_on):
            from jiuzhu.support.actions import record_visit

            record_visit(visit, acting_user=w.handler, held_on=visit.due_on, method=Visit.Method.HOME,
                         living="伤情稳定，生活基本有保障。", funds_use="救助金用于康复治疗和基本生活。")
    w.at(closed).do("close", summary="救助金已全部发放，文书均已送达，回访情况良好，案件办结。")
    return w.at(archived).do("archive", archive_number=f"{code}-{clock.today().year}-归001")


def _first_visit(walk: Walk, living: str) -> None:
    """Record the first of the visits planned from the payment: the case enters 回访 (the one path)."""
    from jiuzhu.support.actions import record_visit
    from jiuzhu.support.models import Visit

    visit = Visit.objects.filter(case=walk.case, held_on__isnull=True).order_by("due_on").first()
    assert visit is not None, "visits are planned when the aid is paid"
    with clock.travel(visit.due_on):
        record_visit(visit, acting_user=walk.handler, held_on=visit.due_on,
                     method=Visit.Method.HOME, living=living, funds_use="用于医疗费用和子女就学。")


def _custody_uses(demo: Demo, case: AidCase, paid_day: dt.date, pending_day: dt.date) -> None:
    """One use paid out under the case's agreement and one proposed, awaiting the custodian's approval."""
    from jiuzhu.custody.actions import approve_release, confirm_release, request_release
    from jiuzhu.custody.models import CustodianStaff, EntrustmentAgreement

    a = EntrustmentAgreement.objects.get(case=case)
    staff = CustodianStaff.objects.filter(custodian=a.custodian).select_related("user").first()
    handler = demo.user(case.handling_org.code or "", Role.KONGSHEN)
    with clock.travel(paid_day):
        r = request_release(a, acting_user=handler, amount=Decimal("3000"), purpose="康复治疗费用（凭医院票据）")
        if staff is not None:
            approve_release(r, acting_user=staff.user)
            confirm_release(r, acting_user=staff.user)
    with clock.travel(pending_day):
        request_release(a, acting_user=handler, amount=Decimal("2500"), purpose="2026年秋季学期住宿费及生活费")


def _recovery(demo: Demo, case: AidCase, decided: dt.date, received: dt.date) -> None:
    """Aid found obtained by concealment: recovery decided, part paid back, a liability note."""
    from jiuzhu.funds.actions import add_liability_note, open_recovery, record_recovery_receipt

    code = case.handling_org.code or ""
    handler = demo.user(code, Role.KONGSHEN)
    with clock.travel(decided):
        r = open_recovery(case, acting_user=handler, ground="concealment",
                          facts="回访核查发现申请人隐瞒已获得肇事方赔偿款6万元的事实，不符合救助条件。",
                          amount_due=case.paid_amount, document_number=f"琼检追〔{decided.year}〕1号")
        add_liability_note(r, acting_user=handler, note="已对申请人进行训诫，责令退回救助金；未发现工作人员违纪问题。")
    with clock.travel(received):
        record_recovery_receipt(r, acting_user=demo.user(code, Role.FINANCE), amount=Decimal("4000"),
                                document_number="退款收据0001", note="申请人首次退回")
