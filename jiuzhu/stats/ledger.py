"""The case ledger (台账, contracts §3): read and check a workbook, import it in one transaction, write one.

`check()` reads every row and returns the rows or every error (`第N行 列名: 原因`); `import_rows()` is
the ONE import action: it writes every new case of a checked ledger, or nothing. Imported cases are
decided historical cases (channel 历史台账导入, status 结案): the applicant through
people.actions.get_or_create_person (the ID number is the identity), the key groups, the contribution
lines (funds.Contribution; for history the budgets are NOT charged: each line points at the
procuratorate's budget row of the decision's year, created empty when missing, and no ledger entry is
written, so the budget's running totals keep describing only the money managed in Jiuzhu), and the
service person-times as support.Service rows of the 承办院 dated on the decision date.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q

from jiuzhu.accounts.models import Capability, Membership, User
from jiuzhu.audit.chain import seal
from jiuzhu.cases.models import AidCase, CaseEvent, CaseGroup, CaseParty, Category, Channel, Group, Status
from jiuzhu.funds.models import Budget, Contribution
from jiuzhu.lib import bulk, clock
from jiuzhu.lib import dates as policy
from jiuzhu.orgs.models import Organisation
from jiuzhu.people import idcard
from jiuzhu.people.actions import get_or_create_people, id_blind_index
from jiuzhu.stats.ledger_format import (
    BATCH,
    COLUMNS,
    DECISIONS,
    ERROR_COLUMN,
    METHODS,
    REQUIRED,
    SERVICE_COLUMNS,
    LedgerError,  # noqa: F401 - raised by read_workbook() in check(); callers catch ledger.LedgerError
    _amount,
    _count,
    _date,
    _text,
    read_workbook,
)
from jiuzhu.support.models import Service

CATEGORIES, GROUPS = frozenset(Category.values), frozenset(Group.values)  # (`.values` builds a list on each use)


@dataclass
class Row:
    line: int  # the row number in the sheet (the header is row 1)
    number: str
    org: Organisation
    name: str
    id_number: str
    groups: list[str]
    category: str
    accepted_on: dt.date
    decided_on: dt.date
    decision: str
    amount: Decimal | None
    contributions: list[tuple[Organisation, Decimal]]
    method: str
    paid_on: dt.date | None
    services: dict[str, int]
    parsed_id: idcard.IdNumber | None = None  # the ID number as parsed by the check (not parsed again to write)


@dataclass
class Checked:
    header: list[str]
    raw: list[list[Any]]  # the input rows as read (for the errors workbook)
    rows: list[Row] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, column, reason)
    existing: int = 0  # rows whose case is already stored, identical
    new: list[Row] = field(default_factory=list)

    def messages(self) -> list[str]:
        return [f"第{line}行 {col}: {reason}" for line, col, reason in self.errors]


def _orgs() -> dict[str, Organisation]:
    index: dict[str, Organisation] = {}
    for o in Organisation.objects.filter(kind=Organisation.Kind.PROCURATORATE):
        index[o.name] = o
        if o.code:
            index[o.code] = o
    return index


def _import_scopes(user: User | None) -> list[str] | None:
    """The paths of the procuratorates whose ledger USER may import (None: any, the command line)."""
    if user is None:
        return None
    return [m.org.path for m in Membership.objects.filter(user=user, is_active=True).select_related("org")
            if Capability.HANDLE_CASES in m.capabilities or Capability.ADMINISTER in m.capabilities]


def check(data: bytes | IO[bytes], *, acting_user: User | None = None,
          progress: Callable[[int, int], None] | None = None) -> Checked:
    """Read and check every row of the ledger in DATA against the rules of contracts §3."""
    header, raw = read_workbook(data)
    result = Checked(header=header, raw=raw)
    ctx = _RowContext(col={name: header.index(name) for name in COLUMNS if name in header}, orgs=_orgs(),
                      scopes=_import_scopes(acting_user), today=clock.today())
    total = len(raw)
    for i, values in enumerate(raw):
        if progress:
            progress(i, total)
        row = _RowCheck(ctx, values, line=i + 2)
        if not any(row.texts):
            continue
        checked = row.check()
        if checked is None:
            result.errors.extend(row.errors)
        else:
            result.rows.append(checked)
    if progress:
        progress(total, total)
    _compare_with_stored(result)
    return result


@dataclass
class _RowContext:
    """What every row of one ledger is checked against: its columns, the procuratorates, the importer's scope."""

    col: dict[str, int]
    orgs: dict[str, Organisation]
    scopes: list[str] | None
    today: dt.date
    earliest: dt.date = field(default_factory=policy.earliest)  # dates in [earliest, today] pass policy.problem
    seen: dict[tuple[int, str], int] = field(default_factory=dict)  # (org, case number) → first line


class _RowCheck:
    """One ledger row checked column by column; `check()` returns the Row, or None with `errors` filled."""

    def __init__(self, ctx: _RowContext, values: list[Any], *, line: int) -> None:
        self.ctx, self.values, self.line = ctx, values, line
        self.texts = [_text(v) for v in values]  # each cell's text once, not once per rule that reads it
        self.errors: list[tuple[int, str, str]] = []

    def get(self, name: str) -> Any:
        j = self.ctx.col.get(name)
        return self.values[j] if j is not None and j < len(self.values) else None

    def text(self, name: str) -> str:
        j = self.ctx.col.get(name)
        return self.texts[j] if j is not None and j < len(self.texts) else ""

    def bad(self, column: str, reason: str) -> None:
        self.errors.append((self.line, column, reason))

    def check(self) -> Row | None:
        for name in REQUIRED:
            if self.text(name) == "":
                self.bad(name, "必填")
        number = self.text("案件编号")
        org = self._org()
        name = self.text("申请人姓名")
        if len(name) > 50:
            self.bad("申请人姓名", "应为1至50个字符")
        parsed_id = self._id_number()
        id_number = parsed_id.value if parsed_id else ""
        groups = self._groups()
        category = self.text("救助情形").upper()
        if category and category not in CATEGORIES:
            self.bad("救助情形", f"“{category}”应为 E1 至 E7")
        accepted, decided, paid = self._dates()
        decision, amount, method, lines = self._decision(paid)
        services = self._services()
        if org is not None and number:
            key = (org.pk, number)
            if key in self.ctx.seen:
                self.bad("案件编号", f"与第{self.ctx.seen[key]}行重复（同一承办院的案件编号应唯一）")
            self.ctx.seen[key] = self.line
        if self.errors:
            return None
        assert org is not None and accepted and decided
        return Row(line=self.line, number=number, org=org, name=name, id_number=id_number, groups=groups,
                   category=category, accepted_on=accepted, decided_on=decided, decision=decision,
                   amount=amount, contributions=lines, method=method, paid_on=paid, services=services,
                   parsed_id=parsed_id)

    def _org(self) -> Organisation | None:
        org = self.ctx.orgs.get(self.text("承办院"))
        if self.text("承办院") and org is None:
            self.bad("承办院", f"找不到检察院“{self.text('承办院')}”")
        scopes = self.ctx.scopes
        if org is not None and scopes is not None and not any(org.path.startswith(p) for p in scopes):
            self.bad("承办院", f"您无权导入{org.name}的案件")
        return org

    def _id_number(self) -> idcard.IdNumber | None:
        if not self.text("身份证号码"):
            return None
        try:
            return idcard.parse_id_number(self.text("身份证号码"), today=self.ctx.today)
        except ValidationError as e:
            self.bad("身份证号码", e.messages[0])
            return None

    def _groups(self) -> list[str]:
        groups: list[str] = []
        for g in (x.strip() for x in re.split(r"[、,，;；]", self.text("人员类别"))):
            if not g:
                continue
            if g not in GROUPS:
                self.bad("人员类别", f"“{g}”不是规定的人员类别")
            elif g not in groups:
                groups.append(g)
        return groups

    def _dates(self) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
        dates: dict[str, dt.date | None] = {}
        for name in ("受理日期", "决定日期", "发放日期"):
            dates[name] = None
            if self.text(name):
                try:
                    dates[name] = _date(self.get(name))
                except ValueError as e:
                    self.bad(name, str(e))
                    continue
                day = dates[name]
                if day is not None and not self.ctx.earliest <= day <= self.ctx.today and (
                        message := policy.problem(day, what="")):
                    self.bad(name, message.rstrip("。"))
        accepted, decided, paid = dates["受理日期"], dates["决定日期"], dates["发放日期"]
        if accepted and decided and decided < accepted:
            self.bad("决定日期", "不能早于受理日期")
        if decided and paid and paid < decided:
            self.bad("发放日期", "不能早于决定日期")
        return accepted, decided, paid

    def _decision(self, paid: dt.date | None) -> tuple[str, Decimal | None, str, list[tuple[Organisation, Decimal]]]:
        decision_text = self.text("决定结果")
        decision = DECISIONS.get(decision_text, "")
        if decision_text and not decision:
            self.bad("决定结果", "应为“救助”或“不予救助”")
        amount: Decimal | None = None
        method = ""
        lines: list[tuple[Organisation, Decimal]] = []
        amount_text, method_text, joint_text = self.text("救助金额(元)"), self.text("发放方式"), self.text("联合救助出资")
        if decision == AidCase.Decision.GRANT:
            if not amount_text:
                self.bad("救助金额(元)", "决定救助时必填")
            else:
                try:
                    amount = _amount(self.get("救助金额(元)"))
                except ValueError as e:
                    self.bad("救助金额(元)", str(e))
            if not method_text:
                self.bad("发放方式", "决定救助时必填")
            elif method_text not in METHODS:
                self.bad("发放方式", "应为“一次性”“分期”或“第三方代管”")
            else:
                method = METHODS[method_text]
            if joint_text:
                lines = _contributions(joint_text, self.ctx.orgs, amount, self.bad)
        elif decision == AidCase.Decision.REFUSE:
            if amount_text:
                self.bad("救助金额(元)", "不予救助时应为空")
            if joint_text:
                self.bad("联合救助出资", "不予救助时应为空")
            if paid:
                self.bad("发放日期", "不予救助时应为空")
        return decision, amount, method, lines

    def _services(self) -> dict[str, int]:
        services: dict[str, int] = {}
        for column, kind in SERVICE_COLUMNS.items():
            try:
                n = _count(self.get(column))
            except ValueError as e:
                self.bad(column, str(e))
                continue
            if n:
                services[kind] = n
        return services


def _contributions(text: str, orgs: dict[str, Organisation], amount: Decimal | None,
                   bad: Callable[[str, str], None]) -> list[tuple[Organisation, Decimal]]:
    out: list[tuple[Organisation, Decimal]] = []
    for part in (p.strip() for p in re.split(r"[;；]", text) if p.strip()):
        m = re.fullmatch(r"([^:：]+)[:：]\s*([0-9.,]+)", part)
        if not m:
            bad("联合救助出资", f"“{part}”应为“代码:金额”")
            return []
        org = orgs.get(m.group(1).strip())
        if org is None:
            bad("联合救助出资", f"找不到检察院“{m.group(1).strip()}”")
            return []
        try:
            value = _amount(m.group(2))
        except ValueError as e:
            bad("联合救助出资", f"{org.name}：{e}")
            return []
        if any(o.pk == org.pk for o, _ in out):
            bad("联合救助出资", f"{org.name}出现了两次")
            return []
        out.append((org, value))
    total = sum((v for _, v in out), Decimal(0))
    if amount is not None and out and total != amount:
        bad("联合救助出资", f"各院出资合计{total:.2f}元，与救助金额{amount:.2f}元不一致")
        return []
    return out


def _fingerprint_row(row: Row) -> dict[str, Any]:
    lines = [(o.pk, a) for o, a in row.contributions]
    if lines == [(row.org.pk, row.amount)]:
        lines = []  # the lead paying it all, said explicitly
    return {"申请人身份证号码": id_blind_index(row.id_number), "救助情形": row.category,
            "受理日期": row.accepted_on, "决定日期": row.decided_on, "决定结果": row.decision,
            "救助金额(元)": row.amount, "发放方式": row.method, "发放日期": row.paid_on,
            "人员类别": sorted(row.groups), "联合救助出资": sorted(lines)}


def _fingerprint_case(case: AidCase) -> dict[str, Any]:
    lines = [(c.org_id, c.amount) for c in case.contributions.all()]
    if lines == [(case.handling_org_id, case.decided_amount)]:
        lines = []
    return {"申请人身份证号码": case.applicant.id_number_bidx if case.applicant else "", "救助情形": case.category,
            "受理日期": case.accepted_on, "决定日期": case.decided_on, "决定结果": case.decision,
            "救助金额(元)": case.decided_amount,
            # A granted case not yet paid has no method yet; the export writes 一次性 for it.
            "发放方式": case.payment_method or (AidCase.PaymentMethod.LUMP_SUM if case.decision == "grant" else ""),
            "发放日期": case.paid_on,
            "人员类别": sorted(g.group for g in case.groups.all()), "联合救助出资": sorted(lines)}


def _compare_with_stored(result: Checked) -> None:
    """Split the rows into new ones and ones already stored; a stored case that differs is a conflict."""
    if not result.rows:
        return
    wanted = {(row.org.pk, row.number) for row in result.rows}
    # One query (not an OR per row, which SQLite refuses beyond 1000 terms); narrowed in Python.
    candidates = AidCase.objects.filter(handling_org_id__in={k[0] for k in wanted},
                                        number__in={k[1] for k in wanted}).values_list("pk", "handling_org_id", "number")
    ids = [pk for pk, org_id, number in candidates if (org_id, number) in wanted]
    stored = {(c.handling_org_id, c.number): c for c in AidCase.objects.filter(pk__in=ids).select_related("applicant")
              .prefetch_related("groups", Prefetch("contributions", queryset=Contribution.objects.order_by("org_id")))}
    for row in result.rows:
        case = stored.get((row.org.pk, row.number))
        if case is None:
            result.new.append(row)
            continue
        mine, theirs = _fingerprint_row(row), _fingerprint_case(case)
        differ = [k for k in mine if mine[k] != theirs[k]]
        if differ:
            result.errors.append((row.line, "案件编号", f"{row.org.name}已有案件{row.number}，与本行不一致（{'、'.join(differ)}），"
                                  "未覆盖；请核对后修改台账或已有案件"))
        else:
            result.existing += 1
    result.errors.sort()


@transaction.atomic
def import_rows(checked: Checked, *, acting_user: User | None,
                progress: Callable[[int, int], None] | None = None) -> int:
    """Write every new case of a checked ledger in one transaction; return how many were written.

    Set-based: every table is written with multi-row INSERTs through lib.bulk (no model instances),
    in batches of BATCH ledger rows; the case events are sealed into their procuratorates' chains
    once for the whole ledger (one lock per chain), then inserted in that order. A few queries per
    batch, not per row (stats/tests/test_ledger_bulk.py counts them).
    """
    if checked.errors:
        raise ValidationError("台账有错误，未导入任何案件。")
    budgets = _budgets(checked.new)
    now = clock.now()
    actor = acting_user.pk if acting_user is not None else None
    total = len(checked.new)
    events: list[_EventRow] = []
    for first in range(0, total, BATCH):
        chunk = checked.new[first:first + BATCH]
        if progress:
            progress(first, total)
        people = get_or_create_people([(row.name, row.parsed_id or row.id_number) for row in chunk])
        cases = bulk.insert(AidCase, CASE_FIELDS, [_case_values(row, person) for row, person in
                                                   zip(chunk, people, strict=True)], returning=True)
        _write_lines(chunk, cases, people, budgets, actor)
        events.extend(_EventRow(case_id=case, org_id=row.org.pk, actor_id=actor, at=now, line=row.line)
                      for row, case in zip(chunk, cases, strict=True))
    seal(CaseEvent, events, using="default")
    bulk.insert(CaseEvent, EVENT_FIELDS, [e.values() for e in events])
    if progress:
        progress(total, total)
    return total


def _budgets(rows: list[Row]) -> dict[tuple[int, int], int]:
    """The budget row (id) of each (procuratorate, year) the contribution lines point at, found or created
    in three queries (not one get_or_create per procuratorate and year); one created meanwhile is kept."""
    needed = {(o.pk, row.decided_on.year) for row in rows if row.decision == AidCase.Decision.GRANT and row.amount
              for o, _ in (row.contributions or [(row.org, row.amount)])}

    def stored() -> dict[tuple[int, int], int]:
        if not needed:
            return {}
        found = Budget.objects.filter(org_id__in={k[0] for k in needed}, fiscal_year__in={k[1] for k in needed})
        return {(o, y): pk for pk, o, y in found.values_list("pk", "org_id", "fiscal_year") if (o, y) in needed}

    budgets = stored()
    if len(budgets) < len(needed):
        Budget.objects.bulk_create([Budget(org_id=o, fiscal_year=y) for o, y in needed - set(budgets)],
                                   ignore_conflicts=True)
        budgets = stored()
    return budgets


CASE_FIELDS = ("number", "handling_org_id", "status", "channel", "source_detail", "applicant_id", "raised_on",
               "applied_on", "accepted_on", "category", "decision", "decided_on", "decided_amount", "payment_method",
               "paid_amount", "paid_on", "closed_on")


def _case_values(row: Row, person: int) -> tuple[Any, ...]:
    grant = row.decision == AidCase.Decision.GRANT
    return (row.number, row.org.pk, Status.CLOSED.value, Channel.LEDGER.value, "历史台账导入", person, row.accepted_on,
            row.accepted_on, row.accepted_on, row.category, row.decision, row.decided_on, row.amount,
            row.method if grant else "", row.amount if grant and row.paid_on and row.amount else Decimal(0),
            row.paid_on if grant else None, row.paid_on or row.decided_on)


def _write_lines(chunk: list[Row], cases: list[int], people: list[int], budgets: dict[tuple[int, int], int],
                 actor: int | None) -> None:
    """The applicant party, key groups, contribution lines and services of a batch of new cases."""
    pairs = list(zip(chunk, cases, strict=True))
    bulk.insert(CaseParty, ("case_id", "person_id", "role"),
                [(case, person, CaseParty.Role.APPLICANT.value) for case, person in zip(cases, people, strict=True)])
    bulk.insert(CaseGroup, ("case_id", "group"), [(case, g) for row, case in pairs for g in row.groups])
    bulk.insert(Contribution, ("case_id", "org_id", "amount", "budget_id", "is_lead"), [
        (case, o.pk, a, budgets[(o.pk, row.decided_on.year)], o.pk == row.org.pk)
        for row, case in pairs if row.decision == AidCase.Decision.GRANT and row.amount
        for o, a in (row.contributions or [(row.org, row.amount)])])
    bulk.insert(Service, ("org_id", "case_id", "kind", "provided_on", "person_times", "provider", "notes",
                          "recorded_by_id"), [
        (row.org.pk, case, kind, row.decided_on, n, "历史台账", "历史台账导入", actor)
        for row, case in pairs for kind, n in row.services.items()])


EVENT_FIELDS = ("case_id", "kind", "action", "old_status", "new_status", "actor_id", "at", "note", "data", "org_id",
                "seq", "hash")


class _EventRow:
    """The CREATED event of one imported case as chain.seal sees it (a CaseEvent's chain fields and content),
    without building the model instance (nor loading its case for the chain's organisation)."""

    CHAIN_TABLE = CaseEvent.CHAIN_TABLE
    chain_fields = CaseEvent.chain_fields
    chain_content = CaseEvent.chain_content
    kind, action, old_status, new_status = CaseEvent.Kind.CREATED.value, "import_ledger", "", Status.CLOSED.value

    def __init__(self, *, case_id: int, org_id: int, actor_id: int | None, at: dt.datetime, line: int) -> None:
        self.case_id, self.org_id, self.actor_id, self.at = case_id, org_id, actor_id, at
        self.note, self.data = f"历史台账导入（第{line}行）", {"line": line}
        self.seq, self.hash = 0, ""

    def chain_org_id(self) -> int:
        return self.org_id

    def values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in EVENT_FIELDS)


def errors_workbook(checked: Checked) -> bytes:
    """The input rows plus an 错误 column (contracts §3), as an .xlsx."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from jiuzhu.lib import xlsx

    by_line: dict[int, list[str]] = {}
    for line, column, reason in checked.errors:
        by_line.setdefault(line, []).append(f"{column}: {reason}")
    wb = Workbook()
    ws = wb.active
    ws.title = "台账错误"
    xlsx.append(ws, [*checked.header, ERROR_COLUMN])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for i, values in enumerate(checked.raw):
        line = i + 2
        xlsx.append(ws, [*(list(values) + [None] * (len(checked.header) - len(values)))[:len(checked.header)],
                   "；".join(by_line.get(line, []))])
        if line in by_line:
            for cell in ws[ws.max_row]:
                cell.fill = fill
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def ledger_cases(org: Organisation, start: dt.date, end: dt.date) -> Any:
    """The decided cases of ORG's scope in [START, END]: the counting grants and the in-scope refusals."""
    from jiuzhu.stats.queries import counting_cases, refused_cases

    return (AidCase.objects.filter(Q(pk__in=counting_cases(org, start, end).values("pk"))
                                   | Q(pk__in=refused_cases(org, start, end).values("pk")))
            .select_related("handling_org", "applicant")
            .prefetch_related("groups", Prefetch("contributions", queryset=Contribution.objects.select_related("org")
                                                 .order_by("org__code")))
            .order_by("decided_on", "handling_org__code", "number"))


def ledger_rows(org: Organisation, start: dt.date, end: dt.date, warnings: list[str] | None = None
                ) -> Iterable[list[Any]]:
    """The ledger rows (contracts §3 column order) of ORG's scope in [START, END].

    Services recorded in scope and dated in the period are written on the row of their case when the
    case is in the ledger and was handled by the recording procuratorate, else on the first row of that
    procuratorate (the ledger has no other place for them); importing the file thus gives the same
    `services` figures for the period. Services that find no row are reported in WARNINGS.
    """
    cases = list(ledger_cases(org, start, end))
    services: dict[tuple[int | None, int], dict[str, int]] = {}
    for s in Service.objects.filter(provided_on__gte=start, provided_on__lte=end, org__path__startswith=org.path,
                                    kind__in=list(SERVICE_COLUMNS.values())).values("org_id", "case_id", "kind",
                                                                                    "person_times"):
        services.setdefault((s["case_id"], s["org_id"]), {}).setdefault(s["kind"], 0)
        services[(s["case_id"], s["org_id"])][s["kind"]] += s["person_times"]
    in_ledger = {(c.pk, c.handling_org_id) for c in cases}
    first_of_org: dict[int, int] = {}
    for c in cases:
        first_of_org.setdefault(c.handling_org_id, c.pk)
    extra: dict[int, dict[str, int]] = {}
    for (case_id, org_id), kinds in services.items():
        target = case_id if (case_id, org_id) in in_ledger else first_of_org.get(org_id)
        if target is None:
            if warnings is not None:
                warnings.append(f"机构{org_id}的{sum(kinds.values())}人次帮扶服务在本期间没有可写入的台账行。")
            continue
        for kind, n in kinds.items():
            extra.setdefault(target, {}).setdefault(kind, 0)
            extra[target][kind] += n
    for c in cases:
        grant = c.decision == AidCase.Decision.GRANT
        lines = list(c.contributions.all())
        joint = ""
        if grant and lines and not (len(lines) == 1 and lines[0].org_id == c.handling_org_id):
            joint = ";".join(f"{x.org.code}:{x.amount:.2f}" for x in lines)
        person = c.applicant
        if person is None or not person.id_number:
            if warnings is not None:
                warnings.append(f"案件{c.number}的申请人没有身份证号码，该行导入时将被拒绝。")
        kinds = extra.get(c.pk, {})
        yield [c.number, c.handling_org.code, person.name if person else "", person.id_number if person else "",
               "、".join(g.group for g in c.groups.all()), c.category or "E7",
               c.accepted_on or c.applied_on or c.raised_on, c.decided_on, "救助" if grant else "不予救助",
               f"{c.decided_amount:.2f}" if grant and c.decided_amount else None, joint or None,
               (AidCase.PaymentMethod(c.payment_method).label if c.payment_method else "一次性") if grant else None,
               c.paid_on if grant else None, *(kinds.get(kind) or None for kind in SERVICE_COLUMNS.values())]


def ledger_workbook(org: Organisation, start: dt.date, end: dt.date, warnings: list[str] | None = None) -> tuple[bytes, int]:
    """Return the ledger .xlsx of ORG's scope in [START, END] and its number of rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from jiuzhu.lib import xlsx

    wb = Workbook()
    ws = wb.active
    ws.title = "司法救助案件台账"
    xlsx.append(ws, COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    n = 0
    for values in ledger_rows(org, start, end, warnings):
        xlsx.append(ws, values)
        n += 1
    from openpyxl.utils import get_column_letter

    widths = [18, 10, 12, 21, 22, 9, 12, 12, 10, 14, 30, 12, 12] + [14] * len(SERVICE_COLUMNS)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), n
