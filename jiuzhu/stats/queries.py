"""The figures of contracts §4, computed in the database with a fixed number of aggregate queries.

One function, `compute()`, serves `jiuzhu stats`, the statistics screen, the Excel exports and the
press release, so they can never disagree. Definitions (contracts §4):

- a case *counts* when it was decided 救助 with its decision date in [from, to] and the scope holds its
  lead procuratorate or any procuratorate that paid part of it;
- the money of a case is its contribution lines (funds.Contribution); a case without lines was paid
  wholly by its lead procuratorate;
- amounts are the part paid by procuratorates in scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from jiuzhu.cases.access import joint_cases_outside
from jiuzhu.cases.models import AidCase, CaseGroup, Group
from jiuzhu.funds.models import Contribution, Payment
from jiuzhu.orgs.models import Organisation
from jiuzhu.support.models import Service, ServiceKind

ZERO = Decimal("0.00")


def _money(value: Any) -> Decimal:
    return (value or ZERO).quantize(Decimal("0.01"))


class StatsInputError(ValueError):
    """Bad input to a statistics command or screen; the message is Chinese and shown as it is."""


def find_org(value: str) -> Organisation:
    """Return the procuratorate with code or exact full name VALUE (contracts §1)."""
    value = (value or "").strip()
    org = Organisation.objects.filter(Q(code=value) | Q(name=value), kind=Organisation.Kind.PROCURATORATE).first()
    if org is None:
        raise StatsInputError(f"找不到检察院“{value}”：请填写六位机构代码或检察院全称。")
    return org


def top_org() -> Organisation:
    """Return the top procuratorate in the database (the root of the tree)."""
    org = (Organisation.objects.filter(kind=Organisation.Kind.PROCURATORATE, parent__isnull=True)
           .order_by("path").first())
    if org is None:
        raise StatsInputError("数据库中还没有检察院，请先载入机构（jiuzhu load-demo --orgs-only）。")
    return org


def parse_day(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise StatsInputError(f"{what}“{value}”不是有效日期，请按 YYYY-MM-DD 填写。") from None


def parse_period(start: str, end: str) -> tuple[dt.date, dt.date]:
    a, b = parse_day(start, "起始日期"), parse_day(end, "截止日期")
    if b < a:
        raise StatsInputError(f"截止日期{b}早于起始日期{a}。")
    return a, b


def scope_ids(org: Organisation) -> list[int]:
    """The ids of ORG's subtree: `…_id IN (…)` lets the database use each table's index of the
    procuratorate instead of joining the organisations to match their paths row by row."""
    return list(Organisation.objects.filter(path__startswith=org.path).values_list("pk", flat=True))


Scope = tuple[list[int], list[int]]  # the subtree's ids, and the cases led outside it that it paid towards


def scope_of(org: Organisation) -> Scope:
    """ORG's scope in two queries; `compute()` reads it once and hands it to its parts."""
    ids = scope_ids(org)
    # The joint cases led outside (the same list as the case scope's, cases.access): usually none.
    return ids, joint_cases_outside(ids)


def counting_cases(org: Organisation, start: dt.date, end: dt.date, scope: Scope | None = None) -> QuerySet[AidCase]:
    """Return the cases that count for ORG's scope in [START, END] (contracts §4)."""
    ids, joint = scope or scope_of(org)
    in_scope = Q(handling_org_id__in=ids) | Q(pk__in=joint) if joint else Q(handling_org_id__in=ids)
    return AidCase.objects.filter(decision=AidCase.Decision.GRANT, decided_on__gte=start, decided_on__lte=end).filter(
        in_scope)


def refused_cases(org: Organisation, start: dt.date, end: dt.date, scope: Scope | None = None) -> QuerySet[AidCase]:
    return AidCase.objects.filter(decision=AidCase.Decision.REFUSE, decided_on__gte=start, decided_on__lte=end,
                                  handling_org_id__in=(scope or (scope_ids(org), []))[0])


def joint_case_ids() -> QuerySet[Any]:
    """The ids of cases paid by two or more procuratorates (a GROUP BY … HAVING subquery)."""
    return (Contribution.objects.values("case_id").annotate(n=Count("org_id", distinct=True))
            .filter(n__gte=2).values("case_id"))


def paid_in_scope(org: Organisation, start: dt.date, end: dt.date) -> tuple[Decimal, Decimal]:
    """Return what procuratorates in ORG's scope have actually paid out towards the cases that count in
    [START, END], and the part of it for joint cases: the press release says 发放 only of this (the §4
    amount is the aid decided). A payment counts while it stands paid (not returned, not cancelled); a case
    with no payment rows (a ledger import) counts its in-scope share once its 发放日期 is recorded."""
    path = org.path
    base = counting_cases(org, start, end)
    joint_ids = joint_case_ids()
    paid = Payment.objects.filter(case__in=base, budget__org__path__startswith=path, status=Payment.Status.PAID)
    settled = base.filter(payments__isnull=True, paid_amount__gte=F("decided_amount"))
    lines = Contribution.objects.filter(case__in=settled, org__path__startswith=path)
    unlined = settled.filter(handling_org__path__startswith=path, contributions__isnull=True)

    def total(rows: QuerySet[Any]) -> Decimal:
        return _money(rows.aggregate(a=Sum("amount"))["a"])

    joint = total(paid.filter(case__in=joint_ids)) + total(lines.filter(case__in=joint_ids))
    # A case without contribution lines was its lead's alone, so never joint.
    alone = _money(unlined.aggregate(a=Sum("decided_amount"))["a"])
    return total(paid) + total(lines) + alone, joint


@dataclass
class Stats:
    """The §4 object, plus the org rows' names for the screen."""

    org: Organisation
    start: dt.date
    end: dt.date
    cases: int = 0
    persons: int = 0
    amount: Decimal = ZERO
    refused: int = 0
    joint: dict[str, Any] = field(default_factory=dict)
    by_year: list[dict[str, Any]] = field(default_factory=list)
    by_org: list[dict[str, Any]] = field(default_factory=list)
    by_group: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: dict[str, int] = field(default_factory=dict)
    joint_orgs: list[str] = field(default_factory=list)  # names of the procuratorates in the joint cases

    def as_json(self) -> dict[str, Any]:
        """Return exactly the object of contracts §4 (amounts as 2-place decimal strings)."""
        return {
            "org": {"code": self.org.code, "name": self.org.name},
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "cases": self.cases,
            "persons": self.persons,
            "amount_yuan": f"{self.amount:.2f}",
            "refused": self.refused,
            "joint": {"cases": self.joint["cases"], "persons": self.joint["persons"],
                      "amount_yuan": f"{self.joint['amount']:.2f}"},
            "by_year": [{"year": r["year"], "cases": r["cases"], "persons": r["persons"],
                         "amount_yuan": f"{r['amount']:.2f}"} for r in self.by_year],
            "by_org": [{"code": r["code"], "name": r["name"], "cases": r["cases"],
                        "amount_yuan": f"{r['amount']:.2f}"} for r in self.by_org],
            "by_group": {g: {"persons": v["persons"], "amount_yuan": f"{v['amount']:.2f}"}
                         for g, v in self.by_group.items()},
            "services": dict(self.services),
        }


def compute(org: Organisation, start: dt.date, end: dt.date) -> Stats:
    """Return the statistics of ORG's scope for [START, END] in a fixed number of queries (21: 19 aggregates, the scope's ids and joint cases)."""
    scope = scope_of(org)
    ids = scope[0]
    base = counting_cases(org, start, end, scope)
    # The contribution lines of counting cases paid by procuratorates in scope, and the counting cases
    # without any line whose lead (in scope) therefore paid it all.
    lines = Contribution.objects.filter(case__in=base, org_id__in=ids)
    unlined = base.filter(handling_org_id__in=ids, contributions__isnull=True)

    s = Stats(org=org, start=start, end=end)
    head = base.aggregate(cases=Count("pk", distinct=True), persons=Count("applicant_id", distinct=True))
    s.cases, s.persons = head["cases"], head["persons"]
    s.amount = _money(lines.aggregate(a=Sum("amount"))["a"]) + _money(unlined.aggregate(a=Sum("decided_amount"))["a"])
    s.refused = refused_cases(org, start, end, scope).count()

    joint_ids = joint_case_ids()
    joint = base.filter(pk__in=joint_ids)
    jh = joint.aggregate(cases=Count("pk", distinct=True), persons=Count("applicant_id", distinct=True))
    s.joint = {"cases": jh["cases"], "persons": jh["persons"],
               "amount": _money(lines.filter(case__in=joint_ids).aggregate(a=Sum("amount"))["a"])}
    s.joint_orgs = list(Organisation.objects.filter(aid_contributions__case__in=joint).distinct()
                        .order_by("code").values_list("name", flat=True))

    # By year of the decision date.
    years: dict[int, dict[str, Any]] = {}
    for r1 in (base.annotate(y=ExtractYear("decided_on")).values("y")
               .annotate(cases=Count("pk", distinct=True), persons=Count("applicant_id", distinct=True))):
        years[r1["y"]] = {"year": r1["y"], "cases": r1["cases"], "persons": r1["persons"], "amount": ZERO}
    for r2 in lines.annotate(y=ExtractYear("case__decided_on")).values("y").annotate(a=Sum("amount")):
        years[r2["y"]]["amount"] += _money(r2["a"])
    for r3 in unlined.annotate(y=ExtractYear("decided_on")).values("y").annotate(a=Sum("decided_amount")):
        years[r3["y"]]["amount"] += _money(r3["a"])
    s.by_year = [years[y] for y in sorted(years)]

    # By procuratorate in scope: cases it led or paid towards, money it paid.
    orgs: dict[int, dict[str, Any]] = {}

    def row(org_id: int) -> dict[str, Any]:
        return orgs.setdefault(org_id, {"org_id": org_id, "cases": 0, "amount": ZERO})

    for r4 in base.filter(handling_org_id__in=ids).values("handling_org_id").annotate(n=Count("pk")):
        row(r4["handling_org_id"])["cases"] += r4["n"]
    for r5 in lines.values("org_id").annotate(n=Count("case_id", distinct=True), a=Sum("amount")):
        row(r5["org_id"])["cases"] += r5["n"]
        row(r5["org_id"])["amount"] += _money(r5["a"])
    # A lead that also paid was counted twice above.
    for r6 in lines.filter(org_id=F("case__handling_org_id")).values("org_id").annotate(n=Count("case_id", distinct=True)):
        row(r6["org_id"])["cases"] -= r6["n"]
    for r7 in unlined.values("handling_org_id").annotate(a=Sum("decided_amount")):
        row(r7["handling_org_id"])["amount"] += _money(r7["a"])
    names = {o.pk: o for o in Organisation.objects.filter(pk__in=list(orgs)).only("pk", "code", "name", "path")}
    s.by_org = sorted(({**o, "code": names[o["org_id"]].code, "name": names[o["org_id"]].name}
                       for o in orgs.values()), key=lambda o: o["code"] or "")

    # By key group: distinct persons and the in-scope money of their counting cases.
    groups: dict[str, dict[str, Any]] = {}
    for r9 in (CaseGroup.objects.filter(case__in=base).values("group")
               .annotate(persons=Count("case__applicant", distinct=True))):
        groups[r9["group"]] = {"persons": r9["persons"], "amount": ZERO}
    for r10 in lines.values("case__groups__group").annotate(a=Sum("amount")):
        if r10["case__groups__group"] in groups:
            groups[r10["case__groups__group"]]["amount"] += _money(r10["a"])
    for r11 in unlined.values("groups__group").annotate(a=Sum("decided_amount")):
        if r11["groups__group"] in groups:
            groups[r11["groups__group"]]["amount"] += _money(r11["a"])
    order = list(Group.values)
    s.by_group = {g: groups[g] for g in sorted(groups, key=order.index)}

    # Services: person-times by kind, recorded in scope and dated in the period.
    s.services = {ServiceKind.COUNSELLING.label: 0, ServiceKind.LEGAL.label: 0}
    for r12 in (Service.objects.filter(provided_on__gte=start, provided_on__lte=end, org_id__in=ids)
                .values("kind").annotate(n=Sum("person_times")).order_by("kind")):
        s.services[ServiceKind(r12["kind"]).label] = s.services.get(ServiceKind(r12["kind"]).label, 0) + r12["n"]
    return s


# ---------------------------------------------------------------------------------------------
# The screen's further figures (beyond contracts §4): each a fixed number of aggregate queries.


def accepted(org: Organisation, start: dt.date, end: dt.date) -> dict[str, int]:
    """受理件数 and 其中主动救助: applications accepted in the period by procuratorates in scope."""
    r = AidCase.objects.filter(accepted_on__gte=start, accepted_on__lte=end,
                               handling_org_id__in=scope_ids(org)).aggregate(
        accepted=Count("pk"), ex_officio=Count("pk", filter=Q(is_ex_officio=True)))
    return {"accepted": r["accepted"], "ex_officio": r["ex_officio"]}


def report_units(org: Organisation, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The upward report's rows below the total, which add up to it: ORG's own cases (本级, "own": True), then
    each procuratorate directly below ORG with its subtree, by code. A counting case (with its person, key
    groups and joint flag) belongs to the row of the procuratorate that handles it (a case handled outside the
    scope and paid towards from inside: the row of its first paying procuratorate in scope); 受理 and 不予救助
    likewise; money to the row of the procuratorate that paid it. Six queries, in Python from there on."""
    children = list(Organisation.objects.filter(parent=org, kind=Organisation.Kind.PROCURATORATE).order_by("code"))
    units: list[dict[str, Any]] = [
        {"org": o, "own": o == org, "path": o.path, "accepted": 0, "ex_officio": 0, "cases": 0, "persons": set(),
         "amount": ZERO, "refused": 0, "joint": 0, "groups": {}} for o in [org, *children]]

    def unit(path: str) -> dict[str, Any] | None:
        if path == org.path:
            return units[0]
        return next((u for u in units[1:] if path.startswith(u["path"])), None)

    base = counting_cases(org, start, end)
    cases = list(base.values("pk", "applicant_id", "handling_org__path", "decided_amount"))
    lines: dict[int, list[tuple[str, Decimal]]] = {}
    for line in Contribution.objects.filter(case__in=base).values("case_id", "org__path", "amount").order_by("org__path"):
        lines.setdefault(line["case_id"], []).append((line["org__path"], line["amount"]))
    groups: dict[int, list[str]] = {}
    for tag in CaseGroup.objects.filter(case__in=base).values("case_id", "group"):
        groups.setdefault(tag["case_id"], []).append(tag["group"])
    group_persons: dict[tuple[int, str], set[Any]] = {}
    for c in cases:
        paid: list[tuple[dict[str, Any] | None, Any]] = [
            (unit(p), amount) for p, amount in lines.get(c["pk"], []) if p.startswith(org.path)]
        if not lines.get(c["pk"]):
            paid = [(unit(c["handling_org__path"]), c["decided_amount"])]
        home = unit(c["handling_org__path"]) or paid[0][0]
        assert home is not None
        home["cases"] += 1
        home["persons"].add(c["applicant_id"])
        home["joint"] += len({p for p, _ in lines.get(c["pk"], [])}) >= 2
        for g in groups.get(c["pk"], []):
            group_persons.setdefault((id(home), g), set()).add(c["applicant_id"])
            home["groups"].setdefault(g, [0, ZERO])
        for payer, amount in paid:
            assert payer is not None
            payer["amount"] += _money(amount)
            for g in groups.get(c["pk"], []):
                payer["groups"].setdefault(g, [0, ZERO])[1] += _money(amount)
    for r in refused_cases(org, start, end).values("handling_org__path").annotate(n=Count("pk")):
        if (u := unit(r["handling_org__path"])) is not None:
            u["refused"] += r["n"]
    for r in (AidCase.objects.filter(accepted_on__gte=start, accepted_on__lte=end, handling_org__path__startswith=org.path)
              .values("handling_org__path").annotate(n=Count("pk"), ex=Count("pk", filter=Q(is_ex_officio=True)))):
        if (u := unit(r["handling_org__path"])) is not None:
            u["accepted"] += r["n"]
            u["ex_officio"] += r["ex"]
    for u in units:
        u["persons"] = len(u["persons"])
        u["groups"] = {g: (len(group_persons.get((id(u), g), set())), amount) for g, (_, amount) in u["groups"].items()}
    return units


def sources(org: Organisation, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Where the clues raised in the period came from (channel), with each one's share in per cent."""
    from jiuzhu.cases.models import Channel

    rows = list(AidCase.objects.filter(raised_on__gte=start, raised_on__lte=end, handling_org_id__in=scope_ids(org))
                .values("channel").annotate(n=Count("pk")).order_by("-n", "channel"))
    total = sum(r["n"] for r in rows)
    return [{"channel": r["channel"], "label": Channel(r["channel"]).label, "cases": r["n"],
             "share": (Decimal(r["n"] * 100) / total).quantize(Decimal("0.1")) if total else ZERO} for r in rows]


def budgets(org: Organisation, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Budget execution of the fiscal years in the period, summed over the procuratorates in scope."""
    from jiuzhu.funds.models import Budget

    out = []
    for r in (Budget.objects.filter(org_id__in=scope_ids(org), fiscal_year__gte=start.year,
                                    fiscal_year__lte=end.year).values("fiscal_year")
              .annotate(b_total=Sum(F("appropriated") + F("supplemented")), b_allocated=Sum("allocated"),
                        b_committed=Sum("committed"), b_paid=Sum(F("paid") - F("returned")))
              .order_by("fiscal_year")):
        budgeted = _money(r["b_total"])
        out.append({"year": r["fiscal_year"], "budgeted": budgeted, "allocated": _money(r["b_allocated"]),
                    "committed": _money(r["b_committed"]), "paid": _money(r["b_paid"]),
                    "rate": (_money(r["b_paid"]) * 100 / budgeted).quantize(Decimal("0.1")) if budgeted else None,
                    "commit_rate": ((_money(r["b_committed"]) * 100 / budgeted).quantize(Decimal("0.1"))
                                    if budgeted else None)})
    return out


def timing(org: Organisation, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Average days from application to decision and to payment, over the counting cases (one query).

    The dates are read as rows (three small columns per case) because date arithmetic in SQL differs
    between SQLite and PostgreSQL; the query count stays one whatever the number of cases.
    """
    to_decision: list[int] = []
    to_payment: list[int] = []
    for applied, decided, paid in counting_cases(org, start, end).filter(applied_on__isnull=False).values_list(
            "applied_on", "decided_on", "paid_on"):
        if applied is None or decided is None:
            continue
        to_decision.append((decided - applied).days)
        if paid:
            to_payment.append((paid - applied).days)

    def summary(values: list[int]) -> dict[str, Any]:
        if not values:
            return {"n": 0, "mean": None, "median": None, "max": None}
        ordered = sorted(values)
        mid = len(ordered) // 2
        median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
        return {"n": len(values), "mean": round(sum(values) / len(values), 1), "median": median, "max": ordered[-1]}

    return {"decision": summary(to_decision), "payment": summary(to_payment)}


def deadlines(org: Organisation, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Deadline compliance: statutory time limits met in the period on time or late, and those now overdue."""
    from jiuzhu.cases.models import Deadline
    from jiuzhu.lib import clock

    today = clock.today()
    done = {r["kind"]: r for r in Deadline.objects.filter(
        case__handling_org_id__in=scope_ids(org), completed_on__gte=start, completed_on__lte=end,
        outcome=Deadline.Outcome.DONE).values("kind").annotate(
        total=Count("pk"), on_time=Count("pk", filter=Q(completed_on__lte=F("due_on"))))}
    overdue = dict(Deadline.objects.filter(case__handling_org_id__in=scope_ids(org), completed_on__isnull=True,
                                           paused_on__isnull=True, due_on__lt=today)
                   .values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    out = []
    for kind, label in Deadline.Kind.choices:
        r = done.get(kind, {"total": 0, "on_time": 0})
        if not r["total"] and not overdue.get(kind):
            continue
        out.append({"kind": kind, "label": label, "total": r["total"], "on_time": r["on_time"],
                    "late": r["total"] - r["on_time"], "overdue_now": overdue.get(kind, 0),
                    "rate": (Decimal(r["on_time"] * 100) / r["total"]).quantize(Decimal("0.1")) if r["total"] else None})
    return out


def drill_down(org: Organisation, start: dt.date, end: dt.date, *, kind: str = "cases", year: int | None = None,
               member: Organisation | None = None, group: str = "") -> QuerySet[AidCase]:
    """The cases behind one figure: KIND cases|joint|refused, narrowed to a YEAR, a procuratorate that led or
    paid (MEMBER, in scope) or a key GROUP. The caller intersects it with what the user may see."""
    if kind == "refused":
        qs = refused_cases(org, start, end)
    else:
        qs = counting_cases(org, start, end)
        if kind == "joint":
            qs = qs.filter(pk__in=joint_case_ids())
    if year:
        qs = qs.filter(decided_on__year=year)
    if member is not None:
        qs = qs.filter(Q(handling_org=member) | Q(pk__in=Contribution.objects.filter(org=member).values("case_id")))
    if group:
        qs = qs.filter(pk__in=CaseGroup.objects.filter(group=group).values("case_id"))
    return qs
