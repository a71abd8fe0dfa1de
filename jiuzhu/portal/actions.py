"""Every write of the portal: drafts, files, submission, registration by staff, answering for more.

Applicant-side functions take the application (already checked to belong to the session's number by
`queries.application_for`); staff-side functions take `acting_user=` and check authority first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.models import Capability, Membership, Role, User
from jiuzhu.cases import actions as case_actions
from jiuzhu.cases.models import AidCase, Attachment, CaseEvent, CaseParty, Channel, Status
from jiuzhu.lib import clock
from jiuzhu.lib.i18n import applicant_language
from jiuzhu.notifications import outbound
from jiuzhu.notifications.models import Notification
from jiuzhu.orgs.models import Organisation
from jiuzhu.portal import forms as pforms
from jiuzhu.portal.models import OnlineApplication, PortalFile

logger = logging.getLogger("jiuzhu.portal")
MAX_FILES = 20
PORTAL_USERNAME = "online-portal"


class PortalError(ValidationError):
    """Refused: the message is shown to the applicant (or the client) as it is."""


# ---------------------------------------------------------------------------------------------
# Answers


def answers_of(app: OnlineApplication) -> dict[str, Any]:
    return json.loads(str(app.answers)) if app.answers else {}


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in data.items()}


MAX_DRAFTS = 10


def new_draft(*, phone: str, phone_bidx: str, language: str = "zh-hans") -> OnlineApplication:
    if OnlineApplication.objects.filter(phone_bidx=phone_bidx, state=OnlineApplication.State.DRAFT).count() >= MAX_DRAFTS:
        raise PortalError(_("您已有%(n)s份未提交的草稿，请先继续填写或提交。") % {"n": MAX_DRAFTS})
    now = clock.now()
    return OnlineApplication.objects.create(phone=phone, phone_bidx=phone_bidx, created_at=now, updated_at=now,
                                            answers=json.dumps({}), language=applicant_language(language))


@transaction.atomic
def save_step(app: OnlineApplication, step: str, cleaned: dict[str, Any]) -> OnlineApplication:
    """Keep the answers of one step in the draft (nothing is checked across steps until submission)."""
    app = OnlineApplication.objects.select_for_update().get(pk=app.pk)
    if app.state != OnlineApplication.State.DRAFT:
        raise PortalError(_("申请已经提交，不能再修改。"))
    answers = answers_of(app)
    answers[step] = _jsonable(cleaned)
    app.answers = json.dumps(answers, ensure_ascii=False)
    app.step = max(app.step, pforms.STEP_KEYS.index(step) + 1)
    if step == "applicant":
        app.applicant_name = cleaned["name"]
    if step == "case":
        app.org = Organisation.objects.filter(code=cleaned["org"]).first()
    app.updated_at = clock.now()
    app.save()
    return app


def _store_file(app: OnlineApplication, kind: str, f: Any, *, supplement: bool) -> PortalFile:
    digest = hashlib.sha256()
    for chunk in f.chunks():
        digest.update(chunk)
    f.seek(0)
    pf = PortalFile(application=app, kind=kind, original_name=(f.name or "材料")[:200],
                    content_type=f.jiuzhu_content_type, size=f.size, sha256=digest.hexdigest(),
                    is_supplement=supplement, uploaded_at=clock.now())
    # The file is written before the row: a failed write leaves no row pointing at nothing.
    pf.file.save(pf.original_name, f, save=False)
    pf.save()
    return pf


def add_file(app: OnlineApplication, *, kind: str, f: Any) -> PortalFile:
    """Add a material to a draft (type and content already checked by MaterialForm)."""
    if app.state != OnlineApplication.State.DRAFT:
        raise PortalError(_("申请已经提交，请在“申请进度”页面补充材料。"))
    if app.files.count() >= MAX_FILES:
        raise PortalError(_("最多上传%(n)s份材料。") % {"n": MAX_FILES})
    return _store_file(app, kind, f, supplement=False)


def remove_file(app: OnlineApplication, pk: int) -> None:
    if app.state != OnlineApplication.State.DRAFT:
        raise PortalError(_("申请已经提交，材料不能删除。"))
    pf = app.files.filter(pk=pk).first()
    if pf is not None:
        pf.file.delete(save=False)
        pf.delete()


# ---------------------------------------------------------------------------------------------
# Submission


def problems(app: OnlineApplication) -> list[str]:
    """Return what still stops the draft from being submitted, in plain words (empty: ready)."""
    answers = answers_of(app)
    out = []
    for key, title, form_class in pforms.STEPS:
        if form_class is None:
            continue
        form = form_class(data=answers.get(key) or None)
        if key not in answers or not form.is_valid():
            out.append(_("“%(step)s”一步尚未填写完整。") % {"step": title})
    kinds = set(app.files.values_list("kind", flat=True))
    if not kinds:
        out.append(_("请至少上传一份材料（如身份证明、伤情或诊断证明）。"))
    capacity = (answers.get("applicant") or {}).get("capacity")
    if capacity in ("legal_rep", "agent") and Attachment.Kind.RELATIONSHIP not in kinds:
        out.append(_("代理人申请的，须上传“关系证明/授权委托书”。"))
    return out


def submit(app: OnlineApplication, *, language: str | None = None) -> OnlineApplication:
    """Hand in the draft: it gets a receipt number and enters the intake queue of its procuratorate.

    LANGUAGE: the portal's language at submission (the applicant's language from then on)."""
    with transaction.atomic():
        app = OnlineApplication.objects.select_for_update().get(pk=app.pk)
        if app.state != OnlineApplication.State.DRAFT:
            raise PortalError(_("申请已经提交。"))
        found = problems(app)
        if found:
            raise PortalError(found)
        now = clock.now()
        app.state = OnlineApplication.State.SUBMITTED
        app.submitted_at = now
        app.updated_at = now
        app.receipt_number = f"WS{clock.today():%Y%m%d}{app.pk:06d}"
        if language:
            app.language = applicant_language(language)
        app.save()
        _announce(app)
    return app


def _announce(app: OnlineApplication) -> None:
    """Tell the applicant (receipt SMS) and the procuratorate's staff (in-app; SMS through notifications.signals)."""
    assert app.org is not None
    outbound.queue("receipt", to=str(app.phone), dedupe_key=f"receipt:{app.pk}", receipt=app.receipt_number,
                   org=app.org.name, language=app.language)
    staff = list(Membership.objects.filter(org=app.org, role__in=[Role.KONGSHEN, Role.DEPT_HEAD], is_active=True)
                 .select_related("user"))
    what = "线索" if app.kind == OnlineApplication.Kind.CLUE else "申请"
    Notification.objects.bulk_create([
        Notification(recipient=m.user, kind=Notification.Kind.NEW_APPLICATION, created_at=clock.now(),
                     text=f"收到网上救助{what}（回执号{app.receipt_number}，{app.applicant_name}），请及时审查。",
                     dedupe_key=f"new_application:{app.pk}:{m.user_id}") for m in staff], ignore_conflicts=True)
    for n in Notification.objects.filter(dedupe_key__startswith=f"new_application:{app.pk}:").select_related(
            "recipient"):
        if n.recipient.phone:
            outbound.queue("staff_notice", to=n.recipient.phone, dedupe_key=f"notice:{n.pk}", text=n.text)


# ---------------------------------------------------------------------------------------------
# Staff: registering a submitted application as an aid case


def portal_user() -> User:
    """The inactive account that stands for "the applicant, through the portal" on copied files."""
    user, _ = User.objects.get_or_create(username=PORTAL_USERNAME, defaults={
        "full_name": "申请人（网上提交）", "is_active": False})
    return user


def _copy_files(case: AidCase, files: list[PortalFile], *, by: User) -> None:
    for pf in files:
        att = Attachment(case=case, kind=pf.kind, original_name=pf.original_name, content_type=pf.content_type,
                         size=pf.size, sha256=pf.sha256, note="申请人网上提交" + ("（补正）" if pf.is_supplement else ""),
                         uploaded_by=by, uploaded_at=pf.uploaded_at)
        with pf.file.open("rb") as fh:
            att.file.save(pf.original_name, File(fh), save=False)
        with transaction.atomic():
            att.save()
            CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.ATTACHMENT, action="upload", actor=None,
                                     at=clock.now(), note=f"网上提交 {att.get_kind_display()}：{att.original_name}")
            PortalFile.objects.filter(pk=pf.pk).update(attachment=att)


def _summary(app: OnlineApplication, a: dict[str, Any]) -> str:
    harm, received, case = a.get("harm", {}), a.get("received", {}), a.get("case", {})
    lines = [f"网上申请，回执号{app.receipt_number}。", f"案情：{case.get('what_happened', '')}",
             f"损害情况：{harm.get('harm', '')}" + (f"（医疗费用{harm['medical_costs']}元）"
                                                  if harm.get("medical_costs") else ""),
             f"家庭情况：{harm.get('family', '')}"]
    if harm.get("household_size"):
        income = f"月收入{harm['monthly_income']}元" if harm.get("monthly_income") else "月收入未填"
        lines.append(f"家庭人口{harm['household_size']}人，{income}。")
    lines.append(f"已获赔偿：{received.get('compensation_yuan') or '0'}元；其他救助：{received.get('other_aid') or '无'}")
    return "\n".join(lines)


def _local_day(app: OnlineApplication) -> Any:
    from django.utils import timezone

    return timezone.localdate(app.submitted_at) if app.submitted_at else None


def _raise(app: OnlineApplication, a: dict[str, Any], acting_user: User, applicant: dict[str, Any],
           bank: dict[str, Any], case_a: dict[str, Any], kind_clue: bool) -> AidCase:
    assert app.org is not None
    return case_actions.raise_clue(
        app.org, acting_user=acting_user, channel=Channel.ONLINE, person_name=applicant.get("name", "")
        or app.applicant_name, id_number=applicant.get("id_number", ""), phone=str(app.phone),
        address=bank.get("address", ""), original_case_number=case_a.get("original_case_number", ""),
        charge=case_a.get("charge", ""), clue_summary=_summary(app, a) if not kind_clue else a.get("summary", ""),
        relationship=applicant.get("relationship", "") if applicant.get("capacity") != "self" else "",
        applicant_language=app.language,
        on=_local_day(app), source_detail=f"{app.get_source_display()} 回执号{app.receipt_number}")


def register(app: OnlineApplication, *, acting_user: User, then: str = "", missing: str = "") -> AidCase:
    """Register a submitted application as an aid case (channel 12309 online), then accept it or ask for more.

    Each step is one of the case's own durable actions, so a failure part-way leaves a consistent case
    and calling again resumes from where it stopped.
    """
    if app.org is None or not has_capability(acting_user, Capability.HANDLE_CASES, app.org):
        raise PermissionDenied("您无权登记该检察院的网上申请。")
    if then not in ("", "accept", "supplement"):
        raise PortalError("操作不正确。")
    if then == "supplement" and not missing.strip():
        raise PortalError("请写明需要补正的材料。")
    app.refresh_from_db()
    if app.state == OnlineApplication.State.DRAFT:
        raise PortalError("申请尚未提交。")
    a = answers_of(app)
    if app.case_id is None:
        # Claim the application first (compare-and-set), so two staff registering at once make one case.
        # A claim older than five minutes is a registration that died half-way: it may be taken over.
        from django.db.models import Q

        stale = clock.now() - dt.timedelta(minutes=5)
        claimed = (OnlineApplication.objects.filter(pk=app.pk, case__isnull=True)
                   .filter(Q(registered_at__isnull=True) | Q(registered_at__lt=stale))
                   .update(registered_by=acting_user, registered_at=clock.now()))
        if not claimed:
            raise PortalError("该申请正在由他人登记，请刷新页面后查看。")
        applicant, bank, case_a = a.get("applicant", {}), a.get("bank", {}), a.get("case", {})
        kind_clue = app.kind == OnlineApplication.Kind.CLUE
        try:
            case = _raise(app, a, acting_user, applicant, bank, case_a, kind_clue)
        except BaseException:
            OnlineApplication.objects.filter(pk=app.pk, case__isnull=True).update(registered_by=None,
                                                                                  registered_at=None)
            raise
        with transaction.atomic():
            OnlineApplication.objects.filter(pk=app.pk).update(case=case, state=OnlineApplication.State.REGISTERED)
        app.refresh_from_db()
        if bank.get("bank_account") and case.applicant and not case.applicant.bank_account:
            case_actions.update_applicant(case, acting_user=acting_user, bank_name=bank.get("bank_name", ""),
                                          bank_account=bank["bank_account"])
        victim = a.get("victim", {})
        if victim and not victim.get("same_as_applicant") and victim.get("victim_name"):
            # The relationship the applicant wrote (e.g. 母亲) is hers to the victim: it labels the applicant's
            # row (raise_clue), never the victim's.
            case_actions.add_party(case, acting_user=acting_user, role=CaseParty.Role.VICTIM,
                                   name=victim["victim_name"], id_number=victim.get("victim_id_number", ""))
        _copy_files(case, list(app.files.filter(attachment__isnull=True)), by=portal_user())
    assert app.case_id is not None
    case = AidCase.objects.get(pk=app.case_id)
    if app.kind == OnlineApplication.Kind.CLUE:
        return case
    if case.status == Status.CLUE:
        case_actions.register_application(case, acting_user=acting_user, form=AidCase.ApplicationForm.WRITTEN,
                                          on=_local_day(app),
                                          note=f"网上申请，回执号{app.receipt_number}")
    if then == "accept":
        case_actions.accept(case, acting_user=acting_user)
    elif then == "supplement":
        case_actions.request_supplement(case, acting_user=acting_user, missing=missing)
    return case


# ---------------------------------------------------------------------------------------------
# Applicant: answering a request for more material


def _supplement_request_at(case: AidCase) -> Any:
    ask = CaseEvent.objects.filter(case=case, action="request_supplement").order_by("-at", "-pk").first()
    return ask.at if ask else None


def pending_supplement_files(app: OnlineApplication) -> list[PortalFile]:
    """The supplement files sent since the latest request for more material (shown until she says done)."""
    case = app.case
    if case is None:
        return []
    since = _supplement_request_at(case)
    files = app.files.filter(is_supplement=True)
    if since is not None:
        files = files.filter(uploaded_at__gte=since)
    return list(files.order_by("uploaded_at", "pk"))


def _awaiting(app: OnlineApplication) -> AidCase:
    case = app.case
    if case is None or case.status != Status.AWAITING_SUPPLEMENT:
        raise PortalError(_("目前不需要补充材料。"))
    return case


def add_supplement_file(app: OnlineApplication, *, kind: str, f: Any) -> PortalFile:
    """Send one file answering a request for more material; the request stays open until she says done.

    The file goes into the case file at once (staff see it as it arrives)."""
    case = _awaiting(app)
    if app.files.count() + 1 > MAX_FILES * 2:
        raise PortalError(_("上传的材料过多，请与检察院联系。"))
    pf = _store_file(app, kind, f, supplement=True)
    _copy_files(case, [pf], by=portal_user())
    return pf


def finish_supplement(app: OnlineApplication, note: str = "") -> AidCase:
    """The applicant says she has sent everything: the case resumes and its clocks restart."""
    case = _awaiting(app)
    files = pending_supplement_files(app)
    if not files:
        raise PortalError(_("请先上传补正材料，再点击“补正材料已交齐”。"))
    # The system, on the applicant's behalf: no staff user acts (as with the worker's own actions).
    system: Any = None
    return case_actions.receive_supplement(
        case, acting_user=system, note=f"申请人通过网上申请平台补正材料{len(files)}份。{note}".strip())


def answer_supplement(app: OnlineApplication, uploads: list[tuple[str, Any]], note: str = "") -> AidCase:
    """Send several supplement files and say done in one go (other systems; the portal uses the two steps)."""
    _awaiting(app)
    if not uploads:
        raise PortalError(_("请选择要上传的补正材料。"))
    if app.files.count() + len(uploads) > MAX_FILES * 2:
        raise PortalError(_("上传的材料过多，请与检察院联系。"))
    for kind, f in uploads:
        add_supplement_file(app, kind=kind, f=f)
    return finish_supplement(app, note)


# ---------------------------------------------------------------------------------------------
# Other systems (the integration API): an application or a clue handed over in one call


def validate_sections(sections: dict[str, Any], keys: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Check each section with the screen's own form; return the cleaned answers and field errors."""
    forms_by_key = {k: f for k, _, f in pforms.STEPS if f is not None}
    cleaned: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for key in keys:
        form = forms_by_key[key](data={k: v for k, v in (sections.get(key) or {}).items() if v is not None})
        if form.is_valid():
            cleaned[key] = _jsonable(form.cleaned_data)
        else:
            for field, msgs in form.errors.items():
                for m in msgs:
                    errors.append({"loc": [key] if field == "__all__" else [key, field], "msg": str(m)})
    return cleaned, errors


def submit_from_client(client: Any, *, kind: str, reference: str, org: Organisation, phone: str,
                       answers: dict[str, Any], applicant_name: str) -> tuple[OnlineApplication, bool]:
    """Create a submitted application (or clue) for an API client; the same REFERENCE twice gives the first.

    Returns (application, created).
    """
    from django.db import IntegrityError

    from jiuzhu.portal.otp import phone_index

    existing = OnlineApplication.objects.filter(client=client, client_reference=reference).first()
    if existing is not None:
        return existing, False
    now = clock.now()
    try:
        with transaction.atomic():
            app = OnlineApplication.objects.create(
                kind=kind, source=OnlineApplication.Source.API, state=OnlineApplication.State.SUBMITTED, org=org,
                phone=phone, phone_bidx=phone_index(phone) if phone else "", applicant_name=applicant_name[:50],
                answers=json.dumps(answers, ensure_ascii=False), step=len(pforms.STEPS), client=client,
                client_reference=reference, submitted_at=now, created_at=now, updated_at=now)
            app.receipt_number = f"WS{clock.today():%Y%m%d}{app.pk:06d}"
            app.save(update_fields=["receipt_number"])
            _announce(app)
    except IntegrityError:
        # The same reference at the same moment from two calls: the first one's row answers both.
        return OnlineApplication.objects.get(client=client, client_reference=reference), False
    return app, True
