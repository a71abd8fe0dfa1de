"""Support screens: staff pages (access → form → action → redirect) and the partner's narrow pages."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jiuzhu.accounts.access import orgs_with
from jiuzhu.accounts.models import Capability, User
from jiuzhu.cases.access import get_case_for_user
from jiuzhu.lib.actionviews import add_error_to_form, run_form
from jiuzhu.lib.netaddr import client_ip
from jiuzhu.lib.params import int_id
from jiuzhu.support import actions, forms, queries
from jiuzhu.support.models import (
    PartnerAgency,
    Referral,
    ScreeningList,
    ScreeningMatch,
    Visit,
)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _support_tab(case: Any) -> str:
    return reverse("cases:detail", args=[case.pk]) + "#support"


# ---------------------------------------------------------------------------------------------
# Staff: referrals, plan, services, visits.


def referral_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = get_case_for_user(user, pk, write=True)
    form = forms.ReferralForm(request.POST or None, agencies=queries.agencies_for(case))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            referral, link = actions.send_referral(
                case, acting_user=user, agency=d["agency"], measures=d["measures"], situation=d["situation"],
                basis=d["basis"], basis_note=d["basis_note"], shared_fields=d["shared_fields"])
        except ValidationError as e:
            add_error_to_form(form, e)
        else:
            from jiuzhu.documents.actions import issue_document
            from jiuzhu.documents.models import Kind

            letter = issue_document(case, Kind.REFERRAL_LETTER, acting_user=user, extra={"referral": referral.pk})
            return _show_link(request, referral, link, sent=True, letter=letter)
    return render(request, "support/referral_new.html", {"case": case, "form": form})


def _show_link(request: HttpRequest, referral: Referral, link: str, *, sent: bool, letter: Any = None) -> HttpResponse:
    import segno

    url = request.build_absolute_uri(reverse("support:respond", args=[link]))
    # The QR code holds the link and nothing else (a partner at the counter scans it); drawn here as inline SVG,
    # shown once like the link (no image URL that would carry the secret).
    qr = segno.make(url, error="m").svg_inline(scale=4, border=3, title="反馈链接二维码")
    return render(request, "support/referral_link.html", {"referral": referral, "case": referral.case, "url": url,
                                                          "sent": sent, "letter": letter, "qr_svg": qr})


@require_POST
def referral_link(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    referral = Referral.objects.select_related("agency").filter(pk=pk).first()
    if referral is None:
        raise Http404("移送记录不存在")
    referral.case = get_case_for_user(user, referral.case_id, write=True)
    link = actions.renew_link(referral, acting_user=user)
    return _show_link(request, referral, link, sent=False)


def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = get_case_for_user(user, pk, write=True)
    plan = getattr(case, "support_plan", None) if hasattr(case, "support_plan") else None
    initial = {"needs": plan.needs, "measures": plan.measures} if plan else None
    form = forms.PlanForm(request.POST or None, initial=initial)
    if done := run_form(request, form, lambda d: actions.save_plan(case, acting_user=user, **d),
                        success="帮扶方案已保存。", redirect_to=_support_tab(case)):
        return done
    return render(request, "support/form.html", {"case": case, "form": form, "title": "帮扶方案（一案一策）"})


@require_POST
def subtypes(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = get_case_for_user(user, pk, write=True)
    from jiuzhu.cases.models import CaseGroup

    groups = set(CaseGroup.objects.filter(case=case).values_list("group", flat=True))
    try:
        actions.set_group_subtypes(case, acting_user=user,
                                   subtypes={g: request.POST.get(g, "") for g in groups if g in request.POST})
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, "人员类别细分已保存。")
    return redirect(reverse("cases:detail", args=[case.pk]) + "#support")


def service_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = get_case_for_user(user, pk, write=True)
    form = forms.ServiceForm(request.POST or None)
    if done := run_form(request, form, lambda d: actions.record_service(case.handling_org, acting_user=user,
                                                                        case=case, **d),
                        success="帮扶服务已登记。", redirect_to=_support_tab(case)):
        return done
    return render(request, "support/form.html", {"case": case, "form": form, "title": "登记帮扶服务"})


@require_POST
def visits_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = get_case_for_user(user, pk, write=True)
    try:
        new = actions.schedule_visits(case, acting_user=user)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, f"已安排{len(new)}次回访。" if new else "回访计划已存在。")
    return redirect(reverse("cases:detail", args=[case.pk]) + "#support")


def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    visit = Visit.objects.filter(pk=pk).first()
    if visit is None:
        raise Http404("回访不存在")
    case = get_case_for_user(user, visit.case_id, write=True)
    visit.case = case
    form = forms.VisitForm(request.POST or None, agencies=queries.agencies_for(case))
    if done := run_form(request, form, lambda d: actions.record_visit(visit, acting_user=user, **d),
                        success="回访已登记。", redirect_to=_support_tab(case)):
        return done
    return render(request, "support/visit.html", {"case": case, "visit": visit, "form": form})


def partner_clue(request: HttpRequest) -> HttpResponse:
    """Staff register a clue sent in by a partner agency; it enters the clue list with its source."""
    from jiuzhu.cases.actions import raise_clue
    from jiuzhu.cases.models import Channel

    user = _user(request)
    orgs = orgs_with(user, Capability.HANDLE_CASES)
    if not orgs:
        raise PermissionDenied("您无权登记救助线索。")
    agencies = PartnerAgency.objects.filter(org__in=orgs, is_active=True).select_related("org")
    form = forms.PartnerClueForm(request.POST or None, agencies=agencies)
    def register(d: dict[str, Any]) -> Any:
        return raise_clue(d["agency"].org, acting_user=user, channel=Channel.PARTNER, person_name=d["person_name"],
                          id_number=d["id_number"], phone=d["phone"], clue_summary=d["clue_summary"], on=d["on"],
                          source_detail=f"{d['agency'].name}移送")

    if done := run_form(request, form, register,
                        success=lambda case: f"已登记{case.source_detail.removesuffix('移送')}移送的线索 {case.number}。",
                        redirect_to=lambda case: ("cases:detail", case.pk)):
        return done
    return render(request, "support/form.html", {"form": form, "title": "登记协作单位移送的线索"})


# ---------------------------------------------------------------------------------------------
# Screening.


def _read_rows(upload: Any) -> list[tuple[str, str, str]]:
    """Rows of (name, ID number, note) from an .xlsx or .csv file with a header row."""
    name = (upload.name or "").lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(upload, read_only=True, data_only=True)
        except Exception:
            raise ValidationError("无法读取该Excel文件。") from None
        raw = [[("" if c is None else str(c)).strip() for c in row] for row in wb.active.iter_rows(values_only=True)]
    elif name.endswith(".csv"):
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("CSV文件应为UTF-8编码。") from None
        raw = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise ValidationError("请上传 .xlsx 或 .csv 文件。")
    if not raw:
        raise ValidationError("文件为空。")
    header = raw[0]
    try:
        i_name, i_id = header.index("姓名"), header.index("身份证号码")
    except ValueError:
        raise ValidationError("第一行应为列名，至少包括“姓名”和“身份证号码”。") from None
    i_note = header.index("情况") if "情况" in header else None
    def cell(row: list[str], i: int | None) -> str:
        return row[i] if i is not None and i < len(row) else ""
    return [(cell(r, i_name), cell(r, i_id), cell(r, i_note)) for r in raw[1:] if any(r)]


def screening(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    orgs = orgs_with(user, Capability.HANDLE_CASES) + orgs_with(user, Capability.ADMINISTER)
    if not orgs:
        raise PermissionDenied("您无权使用名单筛查。")
    from jiuzhu.orgs.models import Organisation

    form = forms.ScreeningUploadForm(request.POST or None, request.FILES or None,
                                     orgs=Organisation.objects.filter(pk__in=[o.pk for o in orgs]))
    if done := run_form(request, form, lambda d: actions.import_screening_list(
            d["org"], acting_user=user, source=d["source"], name=d["name"], rows=_read_rows(d["file"])),
            success=lambda lst: f"已导入名单“{lst.name}”{lst.row_count}人，保存至{lst.purge_after:%Y-%m-%d}。",
            redirect_to="support:screening"):
        return done
    lists = list(queries.screening_lists(orgs))
    return render(request, "support/screening.html", {
        "form": form, "lists": lists, "matches": list(queries.screening_matches(orgs)[:500]),
        "hardship": [x for x in lists if x.source == ScreeningList.Source.HARDSHIP and not x.purged_on],
        "victims": [x for x in lists if x.source == ScreeningList.Source.VICTIMS and not x.purged_on],
    })


@require_POST
def screening_run(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    orgs = orgs_with(user, Capability.HANDLE_CASES)
    h = ScreeningList.objects.filter(pk=int_id(request.POST.get("hardship")) or 0, org__in=orgs).first()
    v = ScreeningList.objects.filter(pk=int_id(request.POST.get("victims")) or 0, org__in=orgs).first()
    if h is None or v is None:
        messages.error(request, "请选择一份困难群众名单和一份被害人名单。")
        return redirect("support:screening")
    try:
        n = actions.run_screening(h, v, acting_user=user)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, f"比对完成：新发现{n}人同时在两份名单中。")
    return redirect("support:screening")


@require_POST
def screening_match(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    match = ScreeningMatch.objects.select_related("hardship_row__list__org").filter(
        pk=pk, hardship_row__list__org__in=orgs_with(user, Capability.HANDLE_CASES)).first()
    if match is None:
        raise Http404("筛查结果不存在")
    try:
        if action == "clue":
            case = actions.turn_into_clue(match, acting_user=user)
            messages.success(request, f"已转为救助线索 {case.number}。")
            return redirect("cases:detail", pk=case.pk)
        if action == "dismiss":
            actions.dismiss_match(match, acting_user=user)
            messages.success(request, "已标记为不予处理。")
        else:
            raise Http404("操作不存在")
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    return redirect("support:screening")


# ---------------------------------------------------------------------------------------------
# The partner's side: a signed link (no account) or a partner account's narrow portal.


def partner_view(referral: Referral) -> dict[str, Any]:
    """What the partner may see of a referral: only the shared fields, never the ID number."""
    # The partner's 经办人 is remembered for the link: the last one who answered is filled in (issue 13).
    initial = {"responder": referral.responder} if referral.responder else None
    return {"referral": referral, "shown": queries.shared_with_partner(referral), "org": referral.case.handling_org,
            "taken": list(referral.taken.all()), "answer_form": forms.AnswerForm(initial=initial),
            "measure_form": forms.MeasureForm(initial=initial)}


def _partner_post(request: HttpRequest, referral: Referral, *, responder: str | None,
                  acting_user: User | None = None) -> dict[str, Any] | None:
    """Apply the partner's POST; return None on success, else the page context with the bound form's errors."""
    action = request.POST.get("action", "")
    data = request.POST.copy()
    if responder is not None:
        data["responder"] = responder
    ctx = partner_view(referral)
    form: Any = forms.MeasureForm(data) if action == "measure" else forms.AnswerForm(data)
    key = "measure_form" if action == "measure" else "answer_form"
    if action not in PARTNER_ACTIONS:
        form.add_error(None, "操作不正确。")
    elif form.is_valid():
        d = form.cleaned_data
        try:
            if action == "receive":
                actions.partner_receive(referral, responder=d["responder"], acting_user=acting_user)
            elif action in ("accept", "decline"):
                actions.partner_answer(referral, accept=action == "accept", note=d["note"], responder=d["responder"],
                                       acting_user=acting_user)
            else:
                actions.partner_record_measure(referral, measure=d["measure"], taken_on=d["taken_on"],
                                               amount=d["amount"], note=d["note"], done=d["done"],
                                               responder=d["responder"], acting_user=acting_user)
        except ValidationError as e:
            add_error_to_form(form, e)
        else:
            messages.success(request, "已提交，谢谢您的反馈。")
            return None
    ctx[key] = form
    ctx["errors"] = [e for errs in form.errors.values() for e in errs]
    return ctx


PARTNER_ACTIONS = ("receive", "accept", "decline", "measure")


@login_not_required
def respond(request: HttpRequest, signed: str) -> HttpResponse:
    """The partner's page behind a signed link: every open and submit audited, limited per link and address."""
    ip = client_ip(request)
    too_many = {"reason": "访问过于频繁，请十分钟后再试。"}
    try:
        referral = actions.referral_from_link(signed)
    except actions.LinkError as e:
        if e.referral is not None:  # a genuine link, replaced or expired: the try is audited too
            if actions.link_rate_limited(e.referral, e.link, ip):
                return render(request, "support/link_invalid.html", too_many, status=429)
            actions.audit_link(e.referral, e.link, action="refused", ip=ip, ok=False)
        return render(request, "support/link_invalid.html", {"reason": str(e)}, status=403)
    link = referral.token_hash[:16]  # = actions.link_key(the link's secret)
    if actions.link_rate_limited(referral, link, ip):
        return render(request, "support/link_invalid.html", too_many, status=429)
    if request.method == "POST":
        ctx = _partner_post(request, referral, responder=None)
        action = request.POST.get("action", "")
        actions.audit_link(referral, link, action=action if action in PARTNER_ACTIONS else "submit", ip=ip,
                           ok=ctx is None)
        if ctx is None:
            return redirect("support:respond", signed=signed)
    else:
        actions.audit_link(referral, link, action="open", ip=ip)
        ctx = partner_view(referral)
    return render(request, "support/respond.html", {**ctx, "public": True})


def partner_home(request: HttpRequest) -> HttpResponse:
    agency = queries.partner_agency_of(_user(request))
    if agency is None:
        raise PermissionDenied("您不是协作单位的用户。")
    return render(request, "support/partner_home.html", {"agency": agency,
                                                         "referrals": list(queries.referrals_for_partner(agency))})


def partner_referral(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    agency = queries.partner_agency_of(user)
    if agency is None:
        raise PermissionDenied("您不是协作单位的用户。")
    referral = queries.referrals_for_partner(agency).filter(pk=pk).first()
    if referral is None:
        raise Http404("移送记录不存在")
    if request.method == "POST":
        ctx = _partner_post(request, referral, responder=user.full_name or user.username)
        if ctx is None:
            return redirect("support:partner_referral", pk=pk)
    else:
        ctx = partner_view(referral)
    return render(request, "support/respond.html", {**ctx, "public": False})



def referral_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff record a partner's feedback received on paper or by phone (the partner's person as responder)."""
    user = _user(request)
    referral = Referral.objects.select_related("agency").filter(pk=pk).first()
    if referral is None:
        raise Http404("移送记录不存在")
    referral.case = get_case_for_user(user, referral.case_id, write=True)
    if request.method == "POST":
        ctx = _partner_post(request, referral, responder=None, acting_user=user)
        if ctx is None:
            return redirect(reverse("cases:detail", args=[referral.case_id]) + "#support")
    else:
        ctx = partner_view(referral)
    return render(request, "support/respond.html", {**ctx, "public": True, "staff": True})
