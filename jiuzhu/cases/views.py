"""Staff screens for aid cases: access → form → action → redirect (style.md bullet 28)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jiuzhu.accounts.access import has_capability, memberships_of, orgs_with
from jiuzhu.accounts.models import Capability, Role, User
from jiuzhu.audit.actions import record as audit
from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases import actions, forms, queries
from jiuzhu.cases.access import get_case_for_user, may_take
from jiuzhu.cases.lifecycle import MOVES
from jiuzhu.cases.models import AidCase, Attachment
from jiuzhu.cases.reveal import REVEALABLE, reveal
from jiuzhu.lib import clock
from jiuzhu.lib.actionviews import run_form
from jiuzhu.orgs.policy import get_setting
from jiuzhu.people.models import Person


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _messages_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def worklist(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not memberships_of(user):
        return render(request, "cases/no_role.html", status=403)
    if not any(Capability.VIEW_CASES in m.capabilities or Capability.RAISE_CLUES in m.capabilities
               for m in memberships_of(user)):
        if any(m.role == Role.CUSTODIAN for m in memberships_of(user)):  # custodians: their portal only
            return redirect("custody:portal")
        mine = memberships_of(user)
        if (any(Capability.VIEW_STATS in m.capabilities for m in mine)
                and not any(Capability.ADMINISTER in m.capabilities or m.role == Role.PARTNER for m in mine)):
            return redirect("stats:index")  # statistics users: the statistics screen is their home
        return render(request, "cases/home_other.html", {"calendar_warning": _calendar_warning(user)})
    orgs = queries.orgs_in_scope(user)
    form = forms.WorklistFilter(request.GET or None, orgs=orgs)
    filters: dict[str, Any] = {}
    if form.is_valid():
        d = form.cleaned_data
        filters = {"view": d["view"] or "open", "status": d["status"], "org_id": d["org"], "group": d["group"],
                   "date_from": d["date_from"], "date_to": d["date_to"]}
    due_soon = get_setting(memberships_of(user)[0].org, "deadline.due_soon_working_days")
    qs = queries.worklist(user, due_soon_days=due_soon, **filters)
    try:
        page = queries.worklist_page(qs, after=request.GET.get("after", ""), before=request.GET.get("before", ""))
        page_error = ""
    except queries.CursorError:
        page, page_error = queries.worklist_page(qs), "翻页位置无效，已回到第一页。"
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    return render(request, "cases/worklist.html", {
        "form": form, "page": page, "page_error": page_error, "today": clock.today(), "query": query.urlencode(),
        "view": filters.get("view", "open"), "can_raise": bool(orgs_with(user, Capability.RAISE_CLUES)),
    })


def _calendar_warning(user: User) -> str | None:
    if not has_capability(user, Capability.ADMINISTER):
        return None
    from jiuzhu.calendar.queries import missing_years_warning

    return missing_years_warning(clock.today())


def worklist_export(request: HttpRequest) -> HttpResponse:
    """The worklist as an Excel file: masked personal data, and an audit row."""
    from openpyxl import Workbook

    from jiuzhu.lib import xlsx

    user = _user(request)
    if not any(Capability.VIEW_CASES in m.capabilities or Capability.RAISE_CLUES in m.capabilities
               for m in memberships_of(user)):
        raise PermissionDenied("您的岗位不能导出案件。")
    form = forms.WorklistFilter(request.GET or None, orgs=queries.orgs_in_scope(user))
    filters: dict[str, Any] = {"view": "open"}
    if form.is_bound:
        if not form.is_valid():
            raise PermissionDenied("筛选条件不正确：" + "；".join(str(e) for errs in form.errors.values() for e in errs))
        d = form.cleaned_data
        filters = {"view": d["view"] or "open", "status": d["status"], "org_id": d["org"], "group": d["group"],
                   "date_from": d["date_from"], "date_to": d["date_to"]}
    qs = queries.worklist(user, **filters)
    wb = Workbook()
    ws = wb.active
    ws.title = "救助案件"
    xlsx.append(ws, ["案件编号", "承办院", "申请人", "身份证号码", "人员类别", "状态", "线索来源", "线索日期",
               "决定日期", "决定金额(元)", "承办人", "最近期限"])
    count = 0
    for case in qs.iterator(chunk_size=500):
        a = case.applicant
        xlsx.append(ws, [case.number, case.handling_org.name, a.display_name if a else "", a.id_number_masked if a else "",
                   "、".join(g.group for g in case.groups.all()), case.get_status_display(),
                   case.get_channel_display(), case.raised_on, case.decided_on, case.decided_amount,
                   str(case.handler or ""), case.next_due])
        count += 1
    audit(AuditEntry.Kind.EXPORT, acting_user=user, reason="导出工作台案件清单", rows=count)
    response = HttpResponse(xlsx.to_bytes(wb),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="jiuzhu-cases-{clock.today():%Y%m%d}.xlsx"'
    return response


def case_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    orgs = {o.pk: o for o in orgs_with(user, Capability.RAISE_CLUES) + orgs_with(user, Capability.HANDLE_CASES)}
    if not orgs:
        raise PermissionDenied("您无权登记救助线索。")
    form = forms.ClueForm(request.POST or None, orgs=list(orgs.values()))
    if done := run_form(request, form, lambda d: actions.raise_clue(
            d["org"], acting_user=user, channel=d["channel"], person_name=d["person_name"],
            id_number=d["id_number"], phone=d["phone"], address=d["address"],
            original_case_number=d["original_case_number"], charge=d["charge"], stage=d["stage"],
            offender_ability=d["offender_ability"], clue_summary=d["clue_summary"], groups=d["groups"],
            on=d["on"], source_detail=d["source_detail"], found_on=d["found_on"],
            applicant_language=d["applicant_language"] or "zh-hans"),
            success=lambda case: f"已登记救助线索 {case.number}。", redirect_to=lambda case: ("cases:detail", case.pk)):
        return done
    return render(request, "cases/new.html", {"form": form})


def walk_in_new(request: HttpRequest) -> HttpResponse:
    """来访申请: the case and the application of a person at the counter, in one step."""
    user = _user(request)
    orgs = orgs_with(user, Capability.HANDLE_CASES)
    if not orgs:
        raise PermissionDenied("您无权登记来访申请。")
    form = forms.WalkInForm(request.POST or None, orgs=orgs)
    if done := run_form(request, form, lambda d: actions.register_walk_in(
            d["org"], acting_user=user, person_name=d["person_name"], id_number=d["id_number"], phone=d["phone"],
            address=d["address"], original_case_number=d["original_case_number"], charge=d["charge"],
            stage=d["stage"], offender_ability=d["offender_ability"], groups=d["groups"],
            clue_summary=d["clue_summary"], form=d["form"], oral_record=d["oral_record"], on=d["on"],
            note=d["note"], applicant_language=d["applicant_language"] or "zh-hans",
            interpreter_name=d["interpreter_name"],
            interpreter_id_number=d["interpreter_id_number"], interpreter_language=d["interpreter_language"]),
            success=lambda case: f"已登记来访申请 {case.number}：请在5个工作日内审查材料，决定受理或通知补正。",
            redirect_to=lambda case: ("cases:detail", case.pk)):
        return done
    return render(request, "cases/walk_in.html", {"form": form})


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = queries.case_for_page(user, pk)
    events = list(case.events.all())
    return render(request, "cases/detail.html", {
        "case": case, "moves": queries.next_moves(user, case), "events": events,
        "parties": list(case.parties.all()), "deadlines": list(case.deadlines.all()),
        "attachments": list(case.attachments.all()), "records": list(case.records.all()),
        "opinion": next(iter(case.opinions.all()), None), "today": clock.today(),
        "can_write": has_capability(user, Capability.HANDLE_CASES, case.handling_org),
        "can_reveal": has_capability(user, Capability.REVEAL_PII),
        "attachment_form": forms.AttachmentForm(), "revealable": REVEALABLE,
    })


# Each action: its form, and how the cleaned data calls the action.
ActionCall = Callable[[AidCase, User, dict[str, Any]], Any]
ACTION_FORMS: dict[str, tuple[type[Any], ActionCall]] = {
    "notify_right": (forms.NotifyForm, lambda c, u, d: actions.notify_right(
        c, acting_user=u, manner=d["manner"], on=d["on"], note=d["note"])),
    "register_application": (forms.ApplicationForm, lambda c, u, d: actions.register_application(
        c, acting_user=u, form=d["form"], on=d["on"], oral_record=d["oral_record"], note=d["note"],
        interpreter_name=d["interpreter_name"], interpreter_id_number=d["interpreter_id_number"],
        interpreter_language=d["interpreter_language"])),
    "request_supplement": (forms.SupplementRequestForm, lambda c, u, d: actions.request_supplement(
        c, acting_user=u, missing=d["missing"], on=d["on"])),
    "receive_supplement": (forms.DatedNoteForm, lambda c, u, d: actions.receive_supplement(
        c, acting_user=u, on=d["on"], note=d["note"])),
    "deem_abandoned": (forms.DatedNoteForm, lambda c, u, d: actions.deem_abandoned(c, acting_user=u, on=d["on"])),
    "accept": (forms.AcceptForm, lambda c, u, d: actions.accept(c, acting_user=u, on=d["on"], note=d["note"],
                                                                serve_notice=d["serve_notice"])),
    "start_review": (forms.NoteForm, lambda c, u, d: actions.start_review(c, acting_user=u, note=d["note"])),
    "add_record": (forms.RecordForm, lambda c, u, d: actions.add_record(
        c, acting_user=u, kind=d["kind"], held_on=d["held_on"], content=d["content"], place=d["place"],
        participants=d["participants"], interpreter_name=d["interpreter_name"],
        interpreter_id_number=d["interpreter_id_number"], interpreter_language=d["interpreter_language"])),
    "submit_opinion": (forms.OpinionForm, lambda c, u, d: actions.submit_opinion(
        c, acting_user=u, category=d["category"], grounds=d["grounds"], recommendation=d["recommendation"],
        reasoning=d["reasoning"], proposed_amount=d["proposed_amount"], exceed_cap_reason=d["exceed_cap_reason"],
        calculation=d["calculation"])),
    "approve_step": (forms.ApproveStepForm, lambda c, u, d: actions.approve_step(
        c, acting_user=u, comment=d["comment"], meeting=d["meeting"])),
    "return_opinion": (forms.ReturnForm, lambda c, u, d: actions.return_opinion(
        c, acting_user=u, comments=d["comments"])),
    "decide_grant": (forms.GrantForm, lambda c, u, d: actions.decide_grant(
        c, acting_user=u, amount=d["amount"], reasons=d["reasons"], on=d["on"], meeting=d["meeting"],
        duplicate_override=d["duplicate_override"])),
    "decide_refuse": (forms.RefuseForm, lambda c, u, d: actions.decide_refuse(
        c, acting_user=u, reasons=d["reasons"], grounds=d["grounds"], on=d["on"], meeting=d["meeting"])),
    "serve_decision": (forms.ServeForm, lambda c, u, d: actions.serve_decision(
        c, acting_user=u, method=d["method"], recipient=d["recipient"], on=d["on"], note=d["note"],
        relationship=d["relationship"])),
    "record_funds": (forms.DatedNoteForm, lambda c, u, d: actions.record_funds(
        c, acting_user=u, on=d["on"], note=d["note"])),
    "close": (forms.CloseForm, lambda c, u, d: actions.close(c, acting_user=u, summary=d["summary"], on=d["on"])),
    "archive": (forms.ArchiveForm, lambda c, u, d: actions.archive(
        c, acting_user=u, archive_number=d["archive_number"], on=d["on"])),
    "request_advance": (forms.AdvanceRequestForm, lambda c, u, d: actions.request_advance(
        c, acting_user=u, amount=d["amount"], urgency=d["urgency"])),
    "approve_advance": (forms.AdvanceApproveForm, lambda c, u, d: actions.approve_advance(
        c, acting_user=u, amount=d["amount"], on=d["on"], note=d["note"], payee_kind=d["payee_kind"],
        payee_name=d["payee_name"], bank_name=d["bank_name"], account=d["account"])),
    "refuse_advance": (forms.ReturnForm, lambda c, u, d: actions.refuse_advance(
        c, acting_user=u, reasons=d["comments"])),
    "complete_formalities": (forms.FormalitiesForm, lambda c, u, d: actions.complete_formalities(
        c, acting_user=u, form=d["form"], on=d["on"], note=d["note"])),
    "assign_handler": (forms.AssignForm, lambda c, u, d: actions.assign_handler(
        c, acting_user=u, handler=d["handler"])),
}


def _initial(case: AidCase, action: str) -> dict[str, Any]:
    if action == "decide_grant":
        return {"amount": case.proposed_amount}
    if action == "serve_decision":
        return {"recipient": case.applicant.name if case.applicant else ""}
    if action == "approve_advance":
        return {"amount": case.advance_amount}
    return {}


def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    if action not in ACTION_FORMS:
        raise Http404("没有这项操作")
    case = get_case_for_user(user, pk)
    move = MOVES[action]
    # The step's own check (the one the action applies): finance records the funds of a case it cannot handle.
    if not may_take(user, case, action):
        raise PermissionDenied(f"您无权在本案执行“{move.label}”。")
    if request.method != "POST" and action not in {m.name for m in queries.next_moves(user, case)}:
        raise PermissionDenied(f"您现在不能在本案执行“{move.label}”。")
    form_class, call = ACTION_FORMS[action]
    kwargs: dict[str, Any] = {}
    if form_class is forms.AssignForm:
        kwargs["handlers"] = User.objects.filter(
            memberships__org=case.handling_org, memberships__is_active=True,
            memberships__role__in=[Role.KONGSHEN, Role.DEPT_HEAD]).distinct()
    form = form_class(request.POST or None, initial=_initial(case, action), **kwargs)
    step = case.approval_steps.filter(status="pending").select_related("opinion").first()
    if isinstance(form, forms.MeetingFields) and (step is None or step.role != "collective"):
        for name in ("meeting_date", "attendees", "minutes"):
            form.fields.pop(name)
    calculation = None
    if action == "submit_opinion" and request.method == "POST" and "calculate" in request.POST:
        calculation = _calculate(case, request.POST)
        form = form_class(initial=request.POST.dict())
        form.is_bound = False
    elif request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if isinstance(form, forms.OpinionForm):
            data["grounds"] = form.grounds()
            data["calculation"] = form.calculation()
        if isinstance(form, forms.MeetingFields):
            data["meeting"] = form.meeting()
        try:
            call(case, user, data)
        except ValidationError as e:
            for m in _messages_of(e):
                form.add_error(None, m)
        else:
            messages.success(request, f"已完成：{move.label}。")
            _over_budget_warning(request, case, action)
            return redirect("cases:detail", pk=case.pk)
    if calculation is not None:
        context_status = 200
    else:
        context_status = 400 if request.method == "POST" else 200
    context: dict[str, Any] = {"case": case, "move": move, "form": form, "step": step, "calculation": calculation,
                               "opinion": step.opinion if step else None,
                               "route": list(step.opinion.steps.all()) if step else []}
    if action == "submit_opinion":
        context["cap"] = _cap_or_none(case)
    return render(request, "cases/action.html", context, status=context_status)


def _over_budget_warning(request: HttpRequest, case: AidCase, action: str) -> None:
    """Show the funds app's over-budget warning (setting funds.over_budget = warn) after a commitment."""
    kinds = {"approve_advance": "funds_advance", "decide_grant": "funds_commit"}
    if action not in kinds:
        return
    event = case.events.filter(action=kinds[action]).order_by("-at", "-pk").first()
    if event is not None and event.data.get("warnings"):
        messages.warning(request, event.data["warnings"])


def _calculate(case: AidCase, data: Any) -> dict[str, Any]:
    """Run the amount calculator on the factors typed so far (the 测算 button); change nothing."""
    from jiuzhu.rules.amount import AmountFacts, calculate
    from jiuzhu.rules.errors import RulesError

    factors = forms.FactorsForm(data)
    if not factors.is_valid():
        return {"errors": [f"{factors.fields[k].label}：{e}" for k, errs in factors.errors.items() for e in errs]}
    d = factors.cleaned_data
    facts = AmountFacts(
        proposed_yuan=d["proposed_amount"], harm_yuan=d["harm_yuan"],
        fault_percent=d["fault_percent"], family_monthly_income_yuan=d["family_monthly_income_yuan"],
        household_size=d["household_size"], local_living_cost_yuan=d["local_living_cost_yuan"],
        compensation_received_yuan=d["compensation_received_yuan"], court_damages_yuan=d["court_damages_yuan"],
        key_groups=tuple(case.groups.values_list("group", flat=True)))
    try:
        result = calculate(case.handling_org, clock.today(), facts)
    except RulesError as e:
        return {"errors": [str(e)]}
    return {"explanations": list(result.explanations), "over_cap": result.over_cap,
            "over_court_damages": result.over_court_damages, "ceiling": result.ceiling_yuan,
            "route": list(result.route.labels)}


def _cap_or_none(case: AidCase) -> Any:
    from jiuzhu.rules.amount import cap_for
    from jiuzhu.rules.errors import NoWageBase

    try:
        return cap_for(case.handling_org, clock.today())
    except NoWageBase as e:
        return str(e)


def applicant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = get_case_for_user(user, pk, write=True)
    if not has_capability(user, Capability.HANDLE_CASES, case.handling_org):
        raise PermissionDenied("您无权修改申请人信息。")
    form = forms.ApplicantForm(request.POST or None,
                               initial={"groups": list(case.groups.values_list("group", flat=True)),
                                        "ethnicity": case.applicant.ethnicity if case.applicant else "",
                                        "bank_name": case.applicant.bank_name if case.applicant else "",
                                        "applicant_language": case.applicant_language})
    if done := run_form(request, form, lambda d: actions.update_applicant(case, acting_user=user, **d),
                        success=lambda person: _account_warned(request, person.bank_account, "已更新申请人信息。"),
                        redirect_to=("cases:detail", case.pk)):
        return done
    return render(request, "cases/applicant.html", {"case": case, "form": form})


def _account_warned(request: HttpRequest, account: str, done: str) -> str:
    """DONE, after a warning when ACCOUNT is a card number that fails the Luhn check (accepted, not refused)."""
    from jiuzhu.lib.money import account_warning

    if warning := account_warning(account):
        messages.warning(request, warning)
    return done


def party_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a victim, agent, legal representative or family member to the case."""
    user = _user(request)
    case = get_case_for_user(user, pk, write=True)
    form = forms.PartyForm(request.POST or None)
    if done := run_form(request, form, lambda d: actions.add_party(case, acting_user=user, **d),
                        success="已添加当事人。", redirect_to=reverse("cases:detail", kwargs={"pk": case.pk}) + "#parties"):
        return done
    return render(request, "cases/party.html", {"case": case, "form": form},
                  status=400 if request.method == "POST" else 200)


@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = get_case_for_user(user, pk, write=True)
    if not has_capability(user, Capability.HANDLE_CASES, case.handling_org) or not case.is_open:
        raise PermissionDenied("您不能向该案件上传材料。")
    form = forms.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return redirect(reverse("cases:detail", kwargs={"pk": case.pk}) + "#materials")
    att = actions.add_attachment(case, acting_user=user, file=form.cleaned_data["file"],
                                 kind=form.cleaned_data["kind"], note=form.cleaned_data["note"])
    messages.success(request, f"已上传：{att.original_name}")
    return redirect(reverse("cases:detail", kwargs={"pk": case.pk}) + "#materials")


def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    user = _user(request)
    case = get_case_for_user(user, pk)
    if not has_capability(user, Capability.REVEAL_PII):
        raise PermissionDenied("材料含有个人敏感信息，您无权下载。")
    att = Attachment.objects.filter(case=case, pk=attachment_pk).first()
    if att is None:
        raise Http404("材料不存在")
    audit(AuditEntry.Kind.DOWNLOAD, acting_user=user, case=case, field=att.original_name,
          attachment=att.pk)
    response = FileResponse(att.file.open("rb"), content_type=att.content_type, as_attachment=True,
                            filename=att.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def reveal_field(request: HttpRequest, pk: int, person_pk: int, field: str) -> HttpResponse:
    """Show one full personal-data value after the user gives a reason (and record it)."""
    user = _user(request)
    case = get_case_for_user(user, pk)
    person = Person.objects.filter(pk=person_pk, case_parts__case=case).first()
    if person is None or field not in REVEALABLE:
        raise Http404("信息不存在")
    form = forms.RevealForm(request.POST or None)
    value = None
    if request.method == "POST" and form.is_valid():
        try:
            value = reveal(person, field, acting_user=user, reason=form.cleaned_data["reason"], case=case)
        except ValidationError as e:
            form.add_error(None, e.messages)
    return render(request, "cases/reveal.html", {"case": case, "person": person, "field": field,
                                                 "label": REVEALABLE[field], "form": form, "value": value})


def search(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    # POST, so that an ID number searched for never lands in a URL, a log line or the browser history.
    q = (request.POST.get("q") or request.GET.get("q") or "").strip()
    if len(q) > 60:
        return render(request, "cases/search.html", {"q": q[:60], "results": [], "by_id": False,
                                                     "error": "检索词不能超过60个字。"}, status=400)
    if "\x00" in q:  # PostgreSQL refuses NUL in a text comparison (a 500 the bad-input corpus found)
        return render(request, "cases/search.html", {"q": q.replace("\x00", ""), "results": [], "by_id": False,
                                                     "error": "检索词含有不能识别的字符。"}, status=400)
    results, by_id = queries.search(user, q)
    if by_id:
        from jiuzhu.people.idcard import mask_id_number, normalise

        audit(AuditEntry.Kind.SEARCH, acting_user=user, reason="按身份证号码检索",
              searched=mask_id_number(normalise(q)))
    return render(request, "cases/search.html", {"q": "" if by_id else q, "results": list(results), "by_id": by_id,
                                                 "searched": bool(q)})


def notifications(request: HttpRequest) -> HttpResponse:
    from jiuzhu.notifications.actions import mark_all_read
    from jiuzhu.notifications.models import Notification

    user = _user(request)
    items = list(Notification.objects.filter(recipient=user).select_related("case")[:100])
    if request.method == "POST":
        mark_all_read(user)
        return redirect("cases:notifications")
    return render(request, "cases/notifications.html", {"items": items})


