"""Support actions: every write goes through here, in one transaction with its audit row."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.models import Capability, User
from jiuzhu.calendar import workdays
from jiuzhu.cases.access import can_write_case
from jiuzhu.lib import clock, dates
from jiuzhu.lib.params import int_id
from jiuzhu.orgs.models import Organisation
from jiuzhu.orgs.policy import get_setting
from jiuzhu.people import idcard
from jiuzhu.people.actions import id_blind_index
from jiuzhu.support.models import (
    Measure,
    PartnerAgency,
    Referral,
    ReferralMeasure,
    ScreeningList,
    ScreeningMatch,
    ScreeningRow,
    Service,
    ServiceKind,
    SharedField,
    SupportPlan,
    Visit,
)


def record_service(org: Organisation, *, acting_user: User, kind: str, provided_on: dt.date,
                   person_times: int = 1, case=None, provider: str = "", notes: str = "") -> Service:
    """Record person-times of a service given by (or through) ORG, for CASE when there is one."""
    if case is not None:
        if case.handling_org_id != org.pk or not can_write_case(acting_user, case):
            raise PermissionDenied("您无权为该案件登记帮扶服务。")
    elif not has_capability(acting_user, Capability.HANDLE_CASES, org):
        raise PermissionDenied("您无权为该检察院登记帮扶服务。")
    if kind not in ServiceKind.values:
        raise ValidationError({"kind": "请选择服务类型。"})
    if person_times < 1:
        raise ValidationError({"person_times": "服务人次至少为1。"})
    if message := dates.problem(provided_on, what="服务日期",
                                not_before=case.raised_on if case is not None else None, not_before_what="线索日期"):
        raise ValidationError({"provided_on": message})
    with transaction.atomic():
        service = Service.objects.create(org=org, case=case, kind=kind, provided_on=provided_on,
                                         person_times=person_times, provider=provider, notes=notes,
                                         recorded_by=acting_user)
        if case is not None:
            from jiuzhu.cases.actions import log_event

            log_event(case, "record_service", acting_user=acting_user, note=f"{service.get_kind_display()}"
                   f" {person_times}人次", kind_code=kind, provided_on=provided_on, service=service.pk)
    return service


# ---------------------------------------------------------------------------------------------
# Referrals to partner agencies and their feedback (domain.md §10).

LINK_SALT = "jiuzhu.support.referral-link"


class LinkError(Exception):
    """A referral link that is tampered with, expired or replaced: nothing may be done through it.

    `referral` is the referral a genuine (signed) but replaced or expired link names, else None, and `link`
    that link's key (see link_key)."""

    def __init__(self, message: str, referral: Referral | None = None, link: str = "") -> None:
        super().__init__(message)
        self.referral, self.link = referral, link


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _signed_link(referral: Referral, token: str) -> str:
    # Signed with the project's clock (not time.time()), so expiry follows clock.travel() in tests and the demo.
    issued = signing.b62_encode(int(clock.now().timestamp()))
    return signing.Signer(salt=LINK_SALT).sign(f"{referral.pk}.{token}.{issued}")


def _agency_serves(agency: PartnerAgency, org: Organisation) -> bool:
    """An agency helps cases of its own area, and of the areas below it (a city bureau for a county)."""
    return org.path.startswith(agency.org.path) or agency.org.path.startswith(org.path)


def _case_event(case, action: str, *, acting_user: User | None, note: str, **data) -> None:  # type: ignore[no-untyped-def]
    from jiuzhu.cases.actions import log_event

    log_event(case, action, acting_user=acting_user, note=note, **data)


def send_referral(case, *, acting_user: User, agency: PartnerAgency, measures: list[str],  # type: ignore[no-untyped-def]
                  situation: str, basis: str, basis_note: str = "", shared_fields: list[str] | None = None,
                  on: dt.date | None = None) -> tuple[Referral, str]:
    """Refer the person of CASE to AGENCY; return the referral and its signed link (shown once)."""
    if not can_write_case(acting_user, case):
        raise PermissionDenied("您无权为该案件移送协作单位。")
    errors: dict[str, str] = {}
    if not agency.is_active or not _agency_serves(agency, case.handling_org):
        errors["agency"] = "请选择本地区在用的协作单位。"
    if not measures or any(m not in Measure.values for m in measures):
        errors["measures"] = "请选择请求帮扶的事项。"
    if not situation.strip():
        errors["situation"] = "请填写向协作单位说明的情况。"
    if basis not in Referral.Basis.values:
        errors["basis"] = "请选择移送依据（当事人同意或法律依据）。"
    elif basis == Referral.Basis.LAW and not basis_note.strip():
        errors["basis_note"] = "依据法律移送时请写明法律依据。"
    shared = list(dict.fromkeys(shared_fields or []))
    if any(f not in SharedField.values for f in shared):
        errors["shared_fields"] = "提供的个人信息项目不正确。"
    day = on or clock.today()
    if message := dates.problem(day, what="移送日期", not_before=case.raised_on, not_before_what="线索日期"):
        errors["on"] = message
    if errors:
        raise ValidationError(errors)
    days = get_setting(case.handling_org, "support.referral_feedback_working_days")
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        referral = Referral.objects.create(
            case=case, agency=agency, measures=list(dict.fromkeys(measures)), situation=situation.strip(),
            basis=basis, basis_note=basis_note.strip(), shared_fields=shared, sent_on=day,
            due_on=workdays.add_working_days(day, days), token_hash=_token_hash(token), sent_by=acting_user)
        _case_event(case, "send_referral", acting_user=acting_user, note=f"移送{agency.name}："
                    f"{'、'.join(referral.measure_labels())}", referral=referral.pk, due_on=referral.due_on)
    return referral, _signed_link(referral, token)


def renew_link(referral: Referral, *, acting_user: User) -> str:
    """Issue a new link for REFERRAL; the old one stops working."""
    if not can_write_case(acting_user, referral.case):
        raise PermissionDenied("您无权为该案件移送协作单位。")
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(token_hash=_token_hash(token))
        _case_event(referral.case, "renew_referral_link", acting_user=acting_user,
                    note=f"重新生成{referral.agency.name}的反馈链接（原链接作废）", referral=referral.pk)
    return _signed_link(referral, token)


def referral_from_link(signed: str) -> Referral:
    """Return the referral a signed link opens; LinkError when it is tampered, replaced or expired."""
    try:
        value = signing.Signer(salt=LINK_SALT).unsign(signed)
    except signing.BadSignature:
        raise LinkError("链接无效：链接不完整或已被改动。") from None
    pk, token, issued = (value.split(".") + ["", "", ""])[:3]
    referral = (Referral.objects.select_related("agency", "case", "case__handling_org", "case__applicant")
                .filter(pk=int_id(pk) or 0).first())
    if referral is None or not hmac.compare_digest(referral.token_hash, _token_hash(token)):
        raise LinkError("链接无效：该链接已作废，请联系移送的检察院获取新链接。", referral, link_key(token))
    days = get_setting(referral.case.handling_org, "support.referral_link_days")
    age = clock.now().timestamp() - signing.b62_decode(issued)
    if age > days * 86400:
        raise LinkError(f"链接已过期（有效期{days}日），请联系移送的检察院获取新链接。", referral, link_key(token))
    return referral


# ---------------------------------------------------------------------------------------------
# The signed link's audit trail and rate limit. A link has no user: its rows name the link (a prefix of
# the hash of its secret, never the secret), the referral and the agency, and the system actor below.
# The partner's own data never appears in clear: the responder's name stays out, the client address is
# kept as a keyed hash (for the limit) and masked to its network (for a reader).

LINK_ACTOR_USERNAME = "system-partner-link"
LINK_REQUESTS_PER_10MIN = 30  # per link and client address: a person answering needs a handful


def link_actor() -> User:
    """The system user that audit rows of signed links name as actor (inactive, no password: cannot log in)."""
    user, created = User.objects.get_or_create(username=LINK_ACTOR_USERNAME,
                                               defaults={"full_name": "协作单位反馈链接（系统）", "is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def link_key(token: str) -> str:
    """What audit rows call a link: the first 16 hex digits of the hash of its secret (never the secret)."""
    return _token_hash(token)[:16]


def _masked_ip(ip: str) -> str:
    import ipaddress

    try:
        return str(ipaddress.ip_network(f"{ip}/{24 if ':' not in ip else 48}", strict=False))
    except ValueError:
        return "—"


def link_rate_limited(referral: Referral, link: str, ip: str) -> bool:
    """Whether this link has been used LINK_REQUESTS_PER_10MIN times from IP in the last ten minutes.

    Counts the link's audit rows in the database, so the limit holds across every worker process."""
    from jiuzhu.audit.models import AuditEntry
    from jiuzhu.lib import crypto

    return AuditEntry.objects.filter(
        kind=AuditEntry.Kind.PARTNER_LINK, case=referral.case, at__gte=clock.now() - dt.timedelta(minutes=10),
        detail__link=link, detail__ip=crypto.blind_index(ip, context="support.link.ip"),
    ).count() >= LINK_REQUESTS_PER_10MIN


def audit_link(referral: Referral, link: str, *, action: str, ip: str, ok: bool = True) -> None:
    """One audit row for an open or a submit through REFERRAL's signed link (or a refused try with an old one)."""
    from jiuzhu.audit.actions import record
    from jiuzhu.audit.models import AuditEntry
    from jiuzhu.lib import crypto

    record(AuditEntry.Kind.PARTNER_LINK, acting_user=link_actor(), case=referral.case, field=action,
           reason=f"{referral.agency.name}通过反馈链接" + ("查看移送" if action == "open" else "提交反馈"),
           referral=referral.pk, agency=referral.agency_id, link=link, action=action, ok=ok,
           ip=crypto.blind_index(ip, context="support.link.ip"), network=_masked_ip(ip))


def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().select_related("agency", "case").get(pk=referral.pk)


def _may_record(referral: Referral, acting_user: User | None) -> None:
    """Staff recording a partner's paper or phone feedback must be able to change the case."""
    if acting_user is not None and not can_write_case(acting_user, referral.case):
        raise PermissionDenied("您无权代为登记该移送的反馈。")


def _responder(responder: str) -> str:
    responder = responder.strip()
    if not responder or len(responder) > 50:
        raise ValidationError({"responder": "请填写经办人姓名（1至50个字）。"})
    return responder


def partner_receive(referral: Referral, *, responder: str, acting_user: User | None = None) -> Referral:
    """The partner confirms receipt (已接收)."""
    _may_record(referral, acting_user)
    who = _responder(responder)
    with transaction.atomic():
        r = _locked(referral)
        if r.status != Referral.Status.SENT:
            raise ValidationError("该移送已确认接收。")
        r.status, r.received_on, r.responder = Referral.Status.RECEIVED, clock.today(), who
        r.save(update_fields=["status", "received_on", "responder"])
        _case_event(r.case, "referral_received", acting_user=acting_user, note=f"{r.agency.name}（{who}）确认接收移送",
                    referral=r.pk)
    return r


def partner_answer(referral: Referral, *, accept: bool, note: str = "", responder: str,
                   acting_user: User | None = None) -> Referral:
    """The partner accepts (已采纳) or declines (未采纳, with reasons)."""
    _may_record(referral, acting_user)
    who = _responder(responder)
    if not accept and not note.strip():
        raise ValidationError({"note": "不予采纳时请说明理由。"})
    with transaction.atomic():
        r = _locked(referral)
        if r.status not in (Referral.Status.SENT, Referral.Status.RECEIVED):
            raise ValidationError("该移送已经答复。")
        today = clock.today()
        r.received_on = r.received_on or today
        r.status = Referral.Status.ACCEPTED if accept else Referral.Status.DECLINED
        r.answered_on, r.answer_note, r.responder = today, note.strip(), who
        r.save(update_fields=["status", "received_on", "answered_on", "answer_note", "responder"])
        _case_event(r.case, "referral_answered", acting_user=acting_user,
                    note=f"{r.agency.name}（{who}）{r.get_status_display()}" + (f"：{r.answer_note}" if r.answer_note else ""),
                    referral=r.pk)
    return r


def partner_record_measure(referral: Referral, *, measure: str, taken_on: dt.date, responder: str,
                           amount: Decimal | None = None, note: str = "", done: bool = False,
                           acting_user: User | None = None) -> ReferralMeasure:
    """The partner records a measure taken; DONE marks the referral 已落实."""
    _may_record(referral, acting_user)
    who = _responder(responder)
    errors: dict[str, str] = {}
    if measure not in Measure.values:
        errors["measure"] = "请选择落实的帮扶事项。"
    if message := dates.problem(taken_on, what="落实日期"):
        errors["taken_on"] = message
    if amount is not None and amount <= 0:
        errors["amount"] = "金额应大于0。"
    if len(note) > 300:
        errors["note"] = "具体情况不超过300字。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        r = _locked(referral)
        if r.status not in (Referral.Status.ACCEPTED, Referral.Status.DONE):
            raise ValidationError("请先采纳该移送，再登记落实情况。")
        if taken_on < r.sent_on:
            raise ValidationError({"taken_on": "落实日期不能早于移送日期。"})
        row = ReferralMeasure.objects.create(referral=r, measure=measure, taken_on=taken_on, amount=amount,
                                             note=note.strip(), recorded_by=who)
        r.responder = who  # remembered for the link's next submit
        if done and r.status != Referral.Status.DONE:
            r.status, r.done_on = Referral.Status.DONE, clock.today()
            r.save(update_fields=["status", "done_on", "responder"])
        else:
            r.save(update_fields=["responder"])
        _case_event(r.case, "referral_measure", acting_user=acting_user,
                    note=f"{r.agency.name}（{who}）落实：{row.get_measure_display()}"
                    + (f" {amount}元" if amount else "") + ("，已全部落实" if done else ""),
                    referral=r.pk, taken_on=taken_on)
    return row


# ---------------------------------------------------------------------------------------------
# Support plan and follow-up visits.


def save_plan(case, *, acting_user: User, needs: str, measures: str) -> SupportPlan:  # type: ignore[no-untyped-def]
    """Write (or rewrite) the case's support plan (一案一策)."""
    if not can_write_case(acting_user, case):
        raise PermissionDenied("您无权制定该案件的帮扶方案。")
    if not needs.strip() or not measures.strip():
        raise ValidationError("请填写帮扶需求和帮扶措施。")
    with transaction.atomic():
        plan, _ = SupportPlan.objects.update_or_create(case=case, defaults={
            "needs": needs.strip(), "measures": measures.strip(), "updated_by": acting_user,
            "updated_on": clock.today()})
        _case_event(case, "save_support_plan", acting_user=acting_user, note="制定/修改帮扶方案（一案一策）")
    return plan


def add_months(day: dt.date, months: int) -> dt.date:
    """DAY plus MONTHS calendar months (the last day of a shorter month when needed)."""
    import calendar

    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule_visits(case, *, acting_user: User | None) -> list[Visit]:  # type: ignore[no-untyped-def]
    """Plan the follow-up visits of a paid case (setting support.visit_months); idempotent."""
    if acting_user is not None and not can_write_case(acting_user, case):
        raise PermissionDenied("您无权安排该案件的回访。")
    if not case.paid_on:
        raise ValidationError("救助金发放后才能安排回访。")
    months = get_setting(case.handling_org, "support.visit_months")
    with transaction.atomic():
        have = set(Visit.objects.filter(case=case).values_list("months_after", flat=True))
        new = [Visit(case=case, months_after=m, due_on=add_months(case.paid_on, m)) for m in months if m not in have]
        Visit.objects.bulk_create(new, ignore_conflicts=True)
        if new:
            _case_event(case, "schedule_visits", acting_user=acting_user,
                        note="安排回访：发放后第" + "、".join(str(v.months_after) for v in new) + "个月")
    return new


def _enter_follow_up(case, *, acting_user: User, on: dt.date, note: str) -> None:  # type: ignore[no-untyped-def]
    """The first visit held moves a paid case to 回访 (the one path into follow-up). While aid is still owed
    (an instalment plan, a returned payment) the visit is recorded and the case stays 已发放 until a later visit."""
    from jiuzhu.cases.actions import enter_follow_up
    from jiuzhu.cases.models import Status

    case.refresh_from_db(fields=["status"])
    if case.status != Status.PAID:
        return
    try:
        with transaction.atomic():
            enter_follow_up(case, acting_user=acting_user, on=on, note=f"首次回访：{note}")
    except ValidationError:
        pass


def on_aid_paid(event: Any) -> None:
    """Subscriber (cases.events.AidPaid): the aid is paid, so the follow-up visits are planned now."""
    schedule_visits(event.case, acting_user=None)


def on_case_closed(event: Any) -> None:
    """Subscriber (cases.events.CaseClosed): visits planned and not held are dropped when the case is closed
    (the closing checklist listed them); the case's history says which."""
    pending = Visit.objects.filter(case=event.case, held_on__isnull=True)
    months = [v.months_after for v in pending.order_by("months_after")]
    if months:
        pending.delete()
        _case_event(event.case, "cancel_visits", acting_user=event.acting_user,
                    note="结案，取消未进行的回访：发放后第" + "、".join(map(str, months)) + "个月")


def record_visit(visit: Visit, *, acting_user: User, held_on: dt.date, method: str, living: str,
                 funds_use: str = "", new_needs: str = "", service_kind: str = "",
                 refer_to: PartnerAgency | None = None, refer_measures: list[str] | None = None) -> Visit:
    """Record a held visit; a new need may turn at once into a service or a referral (same transaction)."""
    case = visit.case
    if not can_write_case(acting_user, case):
        raise PermissionDenied("您无权登记该案件的回访。")
    errors: dict[str, str] = {}
    if method not in Visit.Method.values:
        errors["method"] = "请选择回访方式。"
    if not living.strip():
        errors["living"] = "请填写生活状况。"
    if message := dates.problem(held_on, what="回访日期", not_before=case.paid_on, not_before_what="发放日期"):
        errors["held_on"] = message
    if (service_kind or refer_to) and not new_needs.strip():
        errors["new_needs"] = "转为帮扶服务或移送前，请填写新的需求。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        v = Visit.objects.select_for_update().get(pk=visit.pk)
        if v.held_on is not None:
            raise ValidationError("该次回访已登记。")
        v.held_on, v.method, v.living, v.funds_use, v.new_needs, v.visited_by = (
            held_on, method, living.strip(), funds_use.strip(), new_needs.strip(), acting_user)
        v.save()
        _case_event(case, "record_visit", acting_user=acting_user,
                    note=f"{v.get_method_display()}（发放后{v.months_after}个月）", held_on=held_on)
        _enter_follow_up(case, acting_user=acting_user, on=held_on, note=living.strip())
        if service_kind:
            record_service(case.handling_org, acting_user=acting_user, case=case, kind=service_kind,
                           provided_on=held_on, provider="回访时提供", notes=new_needs.strip())
        if refer_to is not None:
            send_referral(case, acting_user=acting_user, agency=refer_to, measures=refer_measures or [],
                          situation=new_needs.strip(), basis=Referral.Basis.CONSENT,
                          basis_note="回访时当事人同意", shared_fields=[SharedField.NAME, SharedField.PHONE,
                                                                     SharedField.ADDRESS])
    return v


# ---------------------------------------------------------------------------------------------
# Screening lists (matching by the ID number's blind index; purged after the retention setting).


def import_screening_list(org: Organisation, *, acting_user: User, source: str, name: str,
                          rows: list[tuple[str, str, str]]) -> ScreeningList:
    """Import ROWS (name, ID number, note) all or nothing; bad rows raise one error listing them all."""
    if not (has_capability(acting_user, Capability.ADMINISTER, org)
            or has_capability(acting_user, Capability.HANDLE_CASES, org)):
        raise PermissionDenied("您无权为该检察院导入筛查名单。")
    if source not in ScreeningList.Source.values:
        raise ValidationError("请选择名单类型。")
    if not name.strip():
        raise ValidationError("请填写名单名称（来源单位）。")
    if not rows:
        raise ValidationError("名单中没有人员。")
    today = clock.today()
    bad: list[str] = []
    parsed: list[tuple[int, str, str, str]] = []
    for n, (person, raw_id, note) in enumerate(rows, start=2):
        person = (person or "").strip()
        if not person or len(person) > 50:
            bad.append(f"第{n}行 姓名: 应为1至50个字")
            continue
        try:
            value = idcard.parse_id_number(raw_id or "", today=today).value
        except ValidationError as e:
            bad.append(f"第{n}行 身份证号码: {'；'.join(e.messages)}")
            continue
        parsed.append((n, person, value, (note or "").strip()[:200]))
    if bad:
        raise ValidationError(bad[:50] + ([f"……共{len(bad)}行有误"] if len(bad) > 50 else []))
    days = get_setting(org, "support.screening_retention_days")
    with transaction.atomic():
        lst = ScreeningList.objects.create(org=org, source=source, name=name.strip(), row_count=len(parsed),
                                           imported_on=today, purge_after=today + dt.timedelta(days=days),
                                           imported_by=acting_user)
        ScreeningRow.objects.bulk_create(
            [ScreeningRow(list=lst, row_no=n, name=person, id_number=value, id_bidx=id_blind_index(value),
                          id_masked=idcard.mask_id_number(value), note=note) for n, person, value, note in parsed],
            batch_size=2000)
    return lst


def run_screening(hardship: ScreeningList, victims: ScreeningList, *, acting_user: User) -> int:
    """Match HARDSHIP against VICTIMS by blind index; return the number of new matches (bounded queries)."""
    for lst in (hardship, victims):
        if not has_capability(acting_user, Capability.HANDLE_CASES, lst.org):
            raise PermissionDenied("您无权核查该检察院的筛查名单。")
    if hardship.source != ScreeningList.Source.HARDSHIP or victims.source != ScreeningList.Source.VICTIMS:
        raise ValidationError("请选择一份困难群众名单和一份被害人名单。")
    if hardship.purged_on or victims.purged_on:
        raise ValidationError("名单已过保存期限并已清除。")
    today = clock.today()
    # A fixed number of queries whatever the size of the lists: joins on the blind index, one bulk insert.
    pairs = ScreeningRow.objects.filter(list=hardship, id_bidx__in=ScreeningRow.objects.filter(list=victims)
                                        .values("id_bidx")).values_list("pk", "id_bidx")
    victim_pk = dict(ScreeningRow.objects.filter(list=victims, id_bidx__in=ScreeningRow.objects.filter(list=hardship)
                                                 .values("id_bidx")).values_list("id_bidx", "pk"))
    with transaction.atomic():
        seen = set(ScreeningMatch.objects.filter(hardship_row__list_id=hardship.pk)
                   .values_list("hardship_row_id", "victim_row_id"))
        matches = [ScreeningMatch(hardship_row_id=pk, victim_row_id=victim_pk[b], found_on=today) for pk, b in pairs
                   if (pk, victim_pk[b]) not in seen]
        ScreeningMatch.objects.bulk_create(matches, ignore_conflicts=True, batch_size=2000)
    return len(matches)


def turn_into_clue(match: ScreeningMatch, *, acting_user: User):  # type: ignore[no-untyped-def]
    """Raise a clue for a screened person (channel: partner, source: the hardship list)."""
    from jiuzhu.cases.actions import raise_clue
    from jiuzhu.cases.models import Channel

    m = ScreeningMatch.objects.select_related("hardship_row__list__org", "victim_row").get(pk=match.pk)
    if m.status != ScreeningMatch.Status.PENDING:
        raise ValidationError("该筛查结果已处理。")
    row, org = m.hardship_row, m.hardship_row.list.org
    # raise_clue is a durable transaction of its own; the match is then claimed by a compare-and-set.
    case = raise_clue(org, acting_user=acting_user, channel=Channel.PARTNER, person_name=row.name,
                      id_number=str(row.id_number), source_detail=f"名单筛查：{row.list.name}"[:120],
                      clue_summary=f"名单筛查发现：{row.note or '困难群众'}；同时为被害人（{m.victim_row.note or '办案部门名单'}）。")
    ScreeningMatch.objects.filter(pk=m.pk, status=ScreeningMatch.Status.PENDING).update(
        status=ScreeningMatch.Status.CLUE, case=case)
    return case


def dismiss_match(match: ScreeningMatch, *, acting_user: User) -> None:
    if not has_capability(acting_user, Capability.HANDLE_CASES, match.hardship_row.list.org):
        raise PermissionDenied("您无权处理该筛查结果。")
    ScreeningMatch.objects.filter(pk=match.pk, status=ScreeningMatch.Status.PENDING).update(
        status=ScreeningMatch.Status.DISMISSED)


def purge_expired_lists(today: dt.date | None = None) -> int:
    """Empty the imported lists whose retention has ended (the worker's daily sweep); return how many."""
    today = today or clock.today()
    ids = list(ScreeningList.objects.filter(purged_on__isnull=True, purge_after__lt=today).values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        ScreeningRow.objects.filter(list_id__in=ids).delete()
        ScreeningList.objects.filter(pk__in=ids).update(purged_on=today)
    return len(ids)


# ---------------------------------------------------------------------------------------------
# Key-group subtypes (domain.md §11; the subtypes are data in rules/eligibility.py).


def set_group_subtypes(case, *, acting_user: User, subtypes: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Set the subtype of each of CASE's key groups (e.g. the women's "5+2", a disability grade)."""
    from jiuzhu.cases.models import CaseGroup
    from jiuzhu.rules.eligibility import KEY_GROUPS

    if not can_write_case(acting_user, case):
        raise PermissionDenied("您无权修改该案件的人员类别。")
    tags = {g.group: g for g in CaseGroup.objects.filter(case=case)}
    errors = {}
    for group, code in subtypes.items():
        allowed = {s.code for s in KEY_GROUPS[group].subtypes} if group in KEY_GROUPS else set()
        if group not in tags:
            errors[group] = f"本案未标注人员类别“{group}”。"
        elif code and code not in allowed:
            errors[group] = f"“{group}”的细分不正确。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        changed = []
        for group, code in subtypes.items():
            if tags[group].subtype != code:
                CaseGroup.objects.filter(pk=tags[group].pk).update(subtype=code)
                changed.append(f"{group}：{subtype_label(group, code) or '未细分'}")
        if changed:
            _case_event(case, "set_group_subtypes", acting_user=acting_user, note="人员类别细分 " + "；".join(changed))


def subtype_label(group: str, code: str) -> str:
    from jiuzhu.rules.eligibility import KEY_GROUPS

    kg = KEY_GROUPS.get(group)
    return next((s.name for s in kg.subtypes if s.code == code), "") if kg and code else ""
