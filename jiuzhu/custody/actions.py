"""Every write to third-party custody goes through these functions (one write path).

Each action checks the acting user's authority itself: procurators (HANDLE_CASES in the handling
procuratorate) for the case side, the custodian's own staff (CustodianStaff) for the custodian side.
Agreement rows are locked (`select_for_update`) and the running totals and sub-ledger rows are written
in the same transaction, so the balance cannot go below zero whatever the interleaving.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.actions import create_staff_user
from jiuzhu.accounts.models import Capability, Role, User
from jiuzhu.cases.models import AidCase, CaseEvent
from jiuzhu.custody.models import (
    Custodian,
    CustodianReport,
    CustodianStaff,
    CustodyEntry,
    EntrustmentAgreement,
    ReleaseRequest,
)
from jiuzhu.funds.events import CustodianPaymentPaid
from jiuzhu.lib import clock, dates
from jiuzhu.lib.money import clean_account, clean_amount
from jiuzhu.orgs.models import Organisation
from jiuzhu.people.idcard import mask_tail

RS = ReleaseRequest.Status


class CustodyError(ValidationError):
    """A custody rule refused the action; the message is shown to the user as it is."""


class CustodyPermissionError(PermissionDenied):
    pass


def _amount(value: Any, what: str = "金额") -> Decimal:
    return clean_amount(value, what, error=CustodyError)


def _day(on: dt.date | None, what: str, not_before: dt.date | None = None, **rules: Any) -> dt.date:
    """Today when not given; the one date policy (lib/dates.py) and its order rules."""
    return dates.check(on, what=what, not_before=not_before, error=CustodyError, **rules)


def _require_procurator(user: User, case: AidCase) -> None:
    if not has_capability(user, Capability.HANDLE_CASES, case.handling_org):
        raise CustodyPermissionError("只有承办院控告申诉检察部门的检察官可以办理代管事项。")


def is_custodian_staff(user: User, custodian_id: int) -> bool:
    return CustodianStaff.objects.filter(user=user, custodian_id=custodian_id, user__is_active=True).exists()


def _require_custodian(user: User, agreement: EntrustmentAgreement) -> None:
    if not is_custodian_staff(user, agreement.custodian_id):
        raise CustodyPermissionError("只有受托代管机构的人员可以办理该事项。")


def _event(case: AidCase, action: str, *, acting_user: User, note: str) -> None:
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.RECORD, action=action, actor=acting_user,
                             at=clock.now(), note=note)


def _locked(agreement: EntrustmentAgreement) -> EntrustmentAgreement:
    return (EntrustmentAgreement.objects.select_for_update().select_related("case__handling_org", "custodian")
            .get(pk=agreement.pk))


# ---------------------------------------------------------------------------------------------
# Custodians and their staff


@transaction.atomic(durable=True)
def register_custodian(org: Organisation, *, acting_user: User, name: str, kind: str, bank_name: str, account: str,
                       contact: str = "") -> Custodian:
    """Register a custodian organisation in ORG's area (staff of ORG who handle cases or keep the funds)."""
    if not (has_capability(acting_user, Capability.HANDLE_CASES, org) or has_capability(acting_user, Capability.FINANCE, org)):
        raise CustodyPermissionError(f"您无权为{org.name}登记代管机构。")
    if kind not in Custodian.Kind.values:
        raise CustodyError("请选择代管机构类型。")
    if not name.strip() or not bank_name.strip():
        raise CustodyError("请填写代管机构名称和代管账户开户银行。")
    account = clean_account(account, error=CustodyError)
    if Custodian.objects.filter(area=org, name=name.strip()).exists():
        raise CustodyError("该检察院已登记同名代管机构。")
    return Custodian.objects.create(name=name.strip()[:100], kind=kind, area=org, contact=contact.strip()[:50],
                                    bank_name=bank_name.strip()[:100], account=account,
                                    account_masked=mask_tail(account))


@transaction.atomic(durable=True)
def add_custodian_staff(custodian: Custodian, *, acting_user: User, username: str, password: str,
                        full_name: str) -> User:
    """Create a login for one of CUSTODIAN's staff: a CUSTODIAN membership at the registering procuratorate
    (no capability there) and the link that opens the custody portal."""
    if not has_capability(acting_user, Capability.HANDLE_CASES, custodian.area) and not has_capability(
            acting_user, Capability.ADMINISTER, custodian.area):
        raise CustodyPermissionError("您无权为该代管机构开设账号。")
    if User.objects.filter(username=username).exists():
        raise CustodyError("该用户名已被使用。")
    user = create_staff_user(username, password=password, full_name=full_name, org=custodian.area,
                             role=Role.CUSTODIAN)
    CustodianStaff.objects.create(user=user, custodian=custodian)
    return user


# ---------------------------------------------------------------------------------------------
# The agreement and the deposit


def _sync_deposits(agreement: EntrustmentAgreement, acting_user: User) -> None:
    """Record as deposits the paid funds payments of the case made to this agreement's custodian."""
    from jiuzhu.funds.models import Payment

    paid = (Payment.objects.filter(case_id=agreement.case_id, status=Payment.Status.PAID,
                                   payee_kind=Payment.PayeeKind.CUSTODIAN)
            .exclude(custody_entries__kind=CustodyEntry.Kind.DEPOSIT).order_by("paid_on", "pk"))
    for p in paid:
        try:
            with transaction.atomic():
                EntrustmentAgreement.objects.filter(pk=agreement.pk).update(deposited=F("deposited") + p.amount)
        except IntegrityError:
            raise CustodyError(f"存入金额超过协议代管金额{agreement.amount:,.2f}元，请核对协议。") from None
        agreement.refresh_from_db(fields=["deposited", "released"])
        CustodyEntry.objects.create(agreement=agreement, kind=CustodyEntry.Kind.DEPOSIT, amount=p.amount,
                                    balance_after=agreement.balance, payment=p, happened_on=p.paid_on or clock.today(),
                                    actor=acting_user, created_at=clock.now(), note=f"救助金付款{p.reference}存入代管账户")


@transaction.atomic(savepoint=False)
def payment_to_custodian_paid(payment: Any, *, acting_user: User) -> None:
    """A payment to a custodian was paid (the funds event CustodianPaymentPaid): the sub-ledger's deposit."""
    agreement = EntrustmentAgreement.objects.select_for_update().filter(case_id=payment.case_id).first()
    if agreement is not None:
        _sync_deposits(agreement, acting_user)


def on_custodian_payment_paid(event: CustodianPaymentPaid) -> None:
    """Subscriber (jiuzhu/subscribers.py): the deposit of a payment funds paid to a custodian."""
    payment_to_custodian_paid(event.payment, acting_user=event.acting_user)


@transaction.atomic(durable=True)
def create_agreement(case: AidCase, *, acting_user: User, custodian: Custodian, guardian_name: str, amount: Decimal,
                     purposes: str, release_schedule: str, suspend_conditions: str, ends_on: dt.date,
                     signed_on: dt.date | None = None) -> EntrustmentAgreement:
    """Record the one entrustment agreement of CASE (资金代管委托协议) with its custodian."""
    case = AidCase.objects.select_for_update().select_related("handling_org").get(pk=case.pk)
    _require_procurator(acting_user, case)
    if case.decision != AidCase.Decision.GRANT or not case.decided_amount:
        raise CustodyError("案件尚未决定救助，不能签订资金代管协议。")
    if EntrustmentAgreement.objects.filter(case=case).exists():
        raise CustodyError("本案已签订资金代管委托协议（一案一委托）；如需变更，请在原协议下办理。")
    if not custodian.is_active or not case.handling_org.path.startswith(custodian.area.path) and \
            not custodian.area.path.startswith(case.handling_org.path):
        raise CustodyError("请选择本院辖区内有效的代管机构。")
    amount = _amount(amount, "代管金额")
    if amount > case.decided_amount:
        raise CustodyError(f"代管金额不能超过决定救助金额{case.decided_amount:,.2f}元。")
    for value, label in ((guardian_name, "监护人/委托人"), (purposes, "资金用途"), (release_schedule, "支取计划"),
                         (suspend_conditions, "暂停或变更支取的情形")):
        if not (value or "").strip():
            raise CustodyError(f"请填写{label}。")
    day = _day(signed_on, "签订日期", case.decided_on)
    _day(ends_on, "代管期限", past=False, default_today=False)
    if ends_on <= day:
        raise CustodyError("代管期限应晚于签订日期。")
    try:
        with transaction.atomic():
            agreement = EntrustmentAgreement.objects.create(
                case=case, custodian=custodian, guardian_name=guardian_name.strip()[:50], amount=amount,
                purposes=purposes.strip(), release_schedule=release_schedule.strip(),
                suspend_conditions=suspend_conditions.strip(), signed_on=day, ends_on=ends_on, created_by=acting_user,
                created_at=clock.now())
    except IntegrityError:
        raise CustodyError("本案已签订资金代管委托协议（一案一委托）。") from None
    _sync_deposits(agreement, acting_user)
    _event(case, "custody_agreement", acting_user=acting_user,
           note=f"与{custodian.name}签订资金代管委托协议，代管金额{amount:,.2f}元")
    return agreement


@transaction.atomic(durable=True)
def set_agreement_status(agreement: EntrustmentAgreement, *, acting_user: User, status: str, reason: str
                         ) -> EntrustmentAgreement:
    """Suspend, resume or end custody under the agreement's conditions (the procurator decides)."""
    a = _locked(agreement)
    _require_procurator(acting_user, a.case)
    if status not in EntrustmentAgreement.Status.values:
        raise CustodyError("请选择协议状态。")
    if not reason.strip():
        raise CustodyError("请写明暂停、恢复或结束代管的理由。")
    if status == EntrustmentAgreement.Status.ENDED and a.balance > 0:
        raise CustodyError(f"代管余额{a.balance:,.2f}元尚未支取完毕，不能结束代管。")
    EntrustmentAgreement.objects.filter(pk=a.pk).update(status=status)
    a.status = status
    _event(a.case, "custody_status", acting_user=acting_user,
           note=f"代管协议{EntrustmentAgreement.Status(status).label}：{reason.strip()}")
    return a


# ---------------------------------------------------------------------------------------------
# Releases: requested with purpose and evidence, approved by both sides, then paid out


@transaction.atomic(durable=True)
def request_release(agreement: EntrustmentAgreement, *, acting_user: User, amount: Decimal, purpose: str,
                    evidence: IO[bytes] | None = None, on: dt.date | None = None) -> ReleaseRequest:
    """Propose a use of the custody money (either side may); the one who proposes also approves for their side."""
    a = _locked(agreement)
    procurator = has_capability(acting_user, Capability.HANDLE_CASES, a.case.handling_org)
    custodian = is_custodian_staff(acting_user, a.custodian_id)
    if not (procurator or custodian):
        raise CustodyPermissionError("只有承办检察官或受托代管机构人员可以申请支取。")
    if a.status != EntrustmentAgreement.Status.ACTIVE:
        raise CustodyError(f"协议状态为“{a.get_status_display()}”，不能申请支取。")
    amount = _amount(amount, "支取金额")
    if not purpose.strip():
        raise CustodyError("请写明资金用途。")
    pending = sum((r.amount for r in a.releases.filter(status__in=[RS.REQUESTED, RS.APPROVED])), Decimal(0))
    if amount + pending > a.balance:
        raise CustodyError(f"代管余额{a.balance:,.2f}元（另有待支取{pending:,.2f}元），不足支取{amount:,.2f}元。")
    r = ReleaseRequest(agreement=a, amount=amount, purpose=purpose.strip()[:200], requested_by=acting_user,
                       requested_on=_day(on, "申请日期"),
                       procurator_approved_by=acting_user if procurator else None,
                       custodian_approved_by=acting_user if custodian and not procurator else None)
    if evidence is not None:
        r.evidence.save(getattr(evidence, "name", "evidence")[-80:], evidence, save=False)  # type: ignore[arg-type]
    r.save()
    _event(a.case, "custody_release_requested", acting_user=acting_user,
           note=f"申请支取代管资金{amount:,.2f}元，用途：{r.purpose}")
    return r


@transaction.atomic(durable=True)
def approve_release(release: ReleaseRequest, *, acting_user: User, approve: bool = True, note: str = ""
                    ) -> ReleaseRequest:
    """Approve (or refuse) a proposed use for one side: the procurator's or the custodian's."""
    r = ReleaseRequest.objects.select_for_update().get(pk=release.pk)
    a = _locked(r.agreement)
    if r.status != RS.REQUESTED:
        raise CustodyError(f"该支取申请状态为“{r.get_status_display()}”，不能再审核。")
    if has_capability(acting_user, Capability.HANDLE_CASES, a.case.handling_org):
        side = "procurator"
    elif is_custodian_staff(acting_user, a.custodian_id):
        side = "custodian"
    else:
        raise CustodyPermissionError("只有承办检察官或受托代管机构人员可以审核支取。")
    if not approve:
        if not note.strip():
            raise CustodyError("不同意支取须写明理由。")
        ReleaseRequest.objects.filter(pk=r.pk).update(status=RS.REJECTED, note=note.strip()[:200])
        r.status = RS.REJECTED
        _event(a.case, "custody_release_rejected", acting_user=acting_user, note=f"不同意支取：{note.strip()}")
        return r
    if (side == "procurator" and r.procurator_approved_by_id) or (side == "custodian" and r.custodian_approved_by_id):
        raise CustodyError("您方已同意该支取申请，待另一方审核。")
    if side == "procurator":
        r.procurator_approved_by = acting_user
    else:
        r.custodian_approved_by = acting_user
    if r.procurator_approved_by_id and r.custodian_approved_by_id:
        r.status = RS.APPROVED
    r.save(update_fields=["procurator_approved_by", "custodian_approved_by", "status"])
    _event(a.case, "custody_release_approved", acting_user=acting_user,
           note=("检察官" if side == "procurator" else "代管机构") + f"同意支取{r.amount:,.2f}元")
    return r


@transaction.atomic(durable=True)
def confirm_release(release: ReleaseRequest, *, acting_user: User, on: dt.date | None = None) -> ReleaseRequest:
    """The custodian records that it paid out an approved use: the sub-ledger's release row.

    The agreement row is locked and the total changed with a constraint-checked UPDATE: two
    confirmations at once cannot take the balance below zero.
    """
    r = ReleaseRequest.objects.select_for_update().get(pk=release.pk)
    a = _locked(r.agreement)
    _require_custodian(acting_user, a)
    if r.status == RS.RELEASED:
        return r
    if r.status != RS.APPROVED:
        raise CustodyError("支取须经检察官和代管机构双方同意后才能支付。")
    if a.status != EntrustmentAgreement.Status.ACTIVE:
        raise CustodyError(f"协议状态为“{a.get_status_display()}”，不能支取。")
    day = _day(on, "支取日期", r.requested_on)
    try:
        with transaction.atomic():
            EntrustmentAgreement.objects.filter(pk=a.pk).update(released=F("released") + r.amount)
    except IntegrityError:
        raise CustodyError(f"代管余额{a.balance:,.2f}元，不足支取{r.amount:,.2f}元。") from None
    a.refresh_from_db(fields=["deposited", "released"])
    ReleaseRequest.objects.filter(pk=r.pk).update(status=RS.RELEASED, released_on=day)
    r.status, r.released_on = RS.RELEASED, day
    CustodyEntry.objects.create(agreement=a, kind=CustodyEntry.Kind.RELEASE, amount=r.amount,
                                balance_after=a.balance, release=r, happened_on=day, actor=acting_user,
                                created_at=clock.now(), note=r.purpose)
    _event(a.case, "custody_released", acting_user=acting_user,
           note=f"代管机构支付{r.amount:,.2f}元（{r.purpose}），余额{a.balance:,.2f}元")
    return r


@transaction.atomic(durable=True)
def submit_report(agreement: EntrustmentAgreement, *, acting_user: User, period_from: dt.date, period_to: dt.date,
                  content: str) -> CustodianReport:
    """The custodian's periodic report on the use and supervision of the money."""
    a = _locked(agreement)
    _require_custodian(acting_user, a)
    if period_to < period_from:
        raise CustodyError("报告期止不能早于报告期起。")
    _day(period_from, "报告期起")
    _day(period_to, "报告期止", a.signed_on)
    if not content.strip():
        raise CustodyError("请填写代管资金使用与监管情况。")
    report = CustodianReport.objects.create(agreement=a, period_from=period_from, period_to=period_to,
                                            content=content.strip(), balance=a.balance, submitted_by=acting_user,
                                            submitted_at=clock.now())
    _event(a.case, "custody_report", acting_user=acting_user,
           note=f"代管机构报送{period_from:%Y-%m-%d}至{period_to:%Y-%m-%d}代管情况，余额{a.balance:,.2f}元")
    return report
