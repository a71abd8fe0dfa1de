"""The statistics screen, its drill-down and exports, the press-release paragraph and the web ledger import."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from jiuzhu.accounts.access import has_capability, memberships_of
from jiuzhu.accounts.models import Capability, User
from jiuzhu.audit.actions import record as audit
from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases.access import cases_visible_to
from jiuzhu.cases.models import Group
from jiuzhu.lib import clock, dates
from jiuzhu.orgs.models import Organisation
from jiuzhu.orgs.policy import get_setting
from jiuzhu.stats import exports, press, queries
from jiuzhu.stats.forms import LedgerUploadForm, PeriodForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def stats_orgs(user: User) -> list[Organisation]:
    """The procuratorates whose figures USER may see: the scope of each VIEW_STATS membership (one query)."""
    roots = [m.org for m in memberships_of(user) if Capability.VIEW_STATS in m.capabilities]
    if not roots:
        return []
    q = Q(pk__in=[])
    for r in roots:
        q |= Q(path__startswith=r.path)
    return list(Organisation.objects.filter(q, kind=Organisation.Kind.PROCURATORATE).order_by("path"))


def _period(request: HttpRequest) -> tuple[PeriodForm, Organisation, dt.date, dt.date, list[Organisation]]:
    orgs = stats_orgs(_user(request))
    if not orgs:
        raise PermissionDenied("您的岗位不能查看统计。")
    form = PeriodForm(request.GET, orgs=orgs)
    if not form.is_valid():
        # An org outside the user's scope is not a choice: it does not exist for them.
        if "org" in form.errors:
            raise Http404("统计范围不存在")
        org = next((o for o in orgs if o.code == form.cleaned_data.get("org")), orgs[0])
        return form, org, dt.date(clock.today().year, 1, 1), clock.today(), orgs
    d = form.cleaned_data
    org = next(o for o in orgs if o.code == d["org"])
    return form, org, d["start"], d["end"], orgs


def _group_rows(s: queries.Stats, minimum: int) -> list[dict[str, Any]]:
    """The by-group rows as published: a group of fewer than MINIMUM persons shows no exact count or amount."""
    rows = []
    for g, v in s.by_group.items():
        small = bool(minimum) and v["persons"] < minimum
        rows.append({"group": g, "persons": v["persons"], "amount": v["amount"], "small": small,
                     "shown_persons": f"不足{minimum}人" if small else str(v["persons"]),
                     "shown_amount": "—" if small else v["amount"]})
    return rows


def index(request: HttpRequest) -> HttpResponse:
    form, org, start, end, orgs = _period(request)
    s = queries.compute(org, start, end)
    minimum = get_setting(org, "stats.min_group_size")
    groups = _group_rows(s, minimum)
    compare = None
    if form.is_valid() and form.cleaned_data.get("compare_start"):
        compare = (form.cleaned_data["compare_start"], form.cleaned_data["compare_end"])
    paragraph = press.paragraph(org, start, end, compare=compare, current=s)
    extra: dict[str, Any] = {"accepted": queries.accepted(org, start, end), "sources": queries.sources(org, start, end),
             "budgets": queries.budgets(org, start, end), "timing": queries.timing(org, start, end),
             "deadlines": queries.deadlines(org, start, end)}
    query = {"org": org.code, "start": start.isoformat(), "end": end.isoformat()}
    from urllib.parse import urlencode

    qs = urlencode(query)
    chart = {
        "years": [r["year"] for r in s.by_year], "year_cases": [r["cases"] for r in s.by_year],
        "year_amount": [float(r["amount"] / 10000) for r in s.by_year],
        "orgs": [r["name"].removesuffix("人民检察院") for r in s.by_org], "org_cases": [r["cases"] for r in s.by_org],
        "org_amount": [float(r["amount"] / 10000) for r in s.by_org],
        "groups": [r["group"] for r in groups if not r["small"]],
        "group_persons": [r["persons"] for r in groups if not r["small"]],
        "services": [{"name": k, "value": v} for k, v in s.services.items()],
        "sources": [{"name": r["label"], "value": r["cases"]} for r in extra["sources"]],
        "budget_years": [r["year"] for r in extra["budgets"]],
        "budgeted": [float(r["budgeted"] / 10000) for r in extra["budgets"]],
        "paid": [float(r["paid"] / 10000) for r in extra["budgets"]],
    }
    from jiuzhu.stats.actions import may_import

    can_import = may_import(_user(request))
    return render(request, "stats/index.html", {
        "form": form, "org": org, "start": start, "end": end, "s": s, "groups": groups, "minimum": minimum,
        "paragraph": paragraph, "chart": chart, "qs": qs, "can_import": can_import,
        "presets": _presets(), **extra,
    })


def _presets() -> list[tuple[str, str, str]]:
    today = clock.today()
    y = today.year
    return [("本年", f"{y}-01-01", today.isoformat()), ("上年", f"{y - 1}-01-01", f"{y - 1}-12-31"),
            ("近五年", f"{y - 4}-01-01", today.isoformat()), ("2018年以来", "2018-01-01", today.isoformat())]


def drill(request: HttpRequest) -> HttpResponse:
    """The cases behind a figure, limited to what the user may see of them (no personal data shown)."""
    form, org, start, end, orgs = _period(request)
    kind = request.GET.get("kind", "cases")
    if kind not in ("cases", "joint", "refused"):
        raise Http404("没有该统计项")
    year = request.GET.get("year") or ""
    group = request.GET.get("group") or ""
    member_code = request.GET.get("member") or ""
    # A year is four ASCII digits ("²".isdigit() is true; int() of 20 digits overflowed the date lookup).
    if group and group not in Group.values or year and dates.parse_year(year) is None:
        raise Http404("没有该统计项")
    member = None
    if member_code:
        member = next((o for o in orgs if o.code == member_code and o.path.startswith(org.path)), None)
        if member is None:
            raise Http404("统计范围不存在")
    qs = queries.drill_down(org, start, end, kind=kind, year=dates.parse_year(year) if year else None, member=member, group=group)
    user = _user(request)
    visible = set(cases_visible_to(user).filter(pk__in=qs.values("pk")).values_list("pk", flat=True))
    qs = (qs.select_related("handling_org").prefetch_related("groups")
          .only("pk", "number", "handling_org__name", "handling_org__code", "decided_on", "decided_amount",
                "decision", "channel", "is_ex_officio").order_by("-decided_on", "-pk"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    minimum = get_setting(org, "stats.min_group_size")
    if group and minimum and page.paginator.count < minimum and not has_capability(user, Capability.VIEW_CASES):
        raise PermissionDenied(f"该类别人数不足{minimum}人，不提供明细。")
    labels = {"cases": "救助案件", "joint": "联合救助案件", "refused": "不予救助案件"}
    what = labels[kind] + (f" · {year}年" if year else "") + (f" · {member.name}" if member else "") + \
        (f" · {group}" if group else "")
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "stats/drill.html", {"org": org, "start": start, "end": end, "page": page,
                                                "visible": visible, "what": what, "query": params.urlencode()})


def export(request: HttpRequest, table: str) -> HttpResponse:
    """Each statistics table as an Excel file in the layout a procuratorate reports upwards."""
    form, org, start, end, orgs = _period(request)
    makers = {"report": exports.report_workbook, "years": exports.years_workbook, "orgs": exports.orgs_workbook,
              "groups": exports.groups_workbook}
    if table not in makers:
        raise Http404("没有该报表")
    members = [o for o in orgs if o.path.startswith(org.path)]
    data = makers[table](org, start, end, members=members, minimum=get_setting(org, "stats.min_group_size"))
    audit(AuditEntry.Kind.EXPORT, acting_user=_user(request), reason=f"导出统计报表（{table}）{org.name} {start}至{end}",
          rows=0)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="jiuzhu-stats-{table}-{org.code}-{start}-{end}.xlsx"'
    return response


def ledger_export(request: HttpRequest) -> HttpResponse:
    """The ledger (contracts §3) with full ID numbers: only for staff who may see full personal data; audited."""
    from jiuzhu.stats import ledger

    form, org, start, end, orgs = _period(request)
    user = _user(request)
    if not any(Capability.REVEAL_PII in m.capabilities and org.path.startswith(m.org.path)
               for m in memberships_of(user)):
        raise PermissionDenied("导出台账含完整身份证号码，须有查看完整个人信息的权限。")
    data, n = ledger.ledger_workbook(org, start, end)
    audit(AuditEntry.Kind.EXPORT, acting_user=user, reason=f"导出司法救助案件台账 {org.name} {start}至{end}", rows=n)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="jiuzhu-ledger-{org.code}-{start}-{end}.xlsx"'
    return response


# ---------------------------------------------------------------------------------------------
# The web ledger import


def import_start(request: HttpRequest) -> HttpResponse:
    from jiuzhu.stats import actions

    user = _user(request)
    if not actions.may_import(user):
        raise PermissionDenied("您的岗位不能导入台账。")
    form = LedgerUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = actions.start_import(form.cleaned_data["file"], acting_user=user)
        return redirect("stats:import", pk=job.pk)
    recent = actions.imports_of(user)[:10]
    return render(request, "stats/import.html", {"form": form, "recent": recent})


def _job(request: HttpRequest, pk: int) -> Any:
    from jiuzhu.stats.models import LedgerImport

    job = LedgerImport.objects.filter(pk=pk, created_by=_user(request)).first()
    if job is None:
        raise Http404("没有该导入任务")
    return job


def import_page(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "stats/import_job.html", {"job": _job(request, pk)})


def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job(request, pk)
    return JsonResponse({"status": job.status, "label": job.get_status_display(), "done": job.done, "total": job.total,
                         "percent": job.percent, "message": job.message, "imported": job.imported,
                         "skipped": job.skipped, "errors": job.error_count,
                         "errors_url": reverse("stats:import_errors", args=[job.pk]) if job.errors_workbook else ""})


def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    from django.http import FileResponse

    from jiuzhu.stats import actions

    job = _job(request, pk)
    if not job.errors_workbook:
        raise Http404("该导入没有错误清单")
    if request.method == "POST":  # the owner deletes it (it lists every row, ID numbers included)
        actions.delete_errors(job)
        messages.success(request, "错误清单已删除。")
        return redirect("stats:import", pk=job.pk)
    return FileResponse(job.errors_workbook.open("rb"), content_type=XLSX, as_attachment=True,
                        filename=f"ledger-{job.pk}.errors.xlsx")


