"""The closing checklist and the archive rules (domain.md §6 step 14: the dossier holds the application, the
evidence, the review report, the approval, the decision, the proof of service, the payment voucher, the
referral letters and the visit records).

One function, `checklist()`, reads what is still open in every app that hangs off a case; the close and
archive pages show it, and the archive action refuses with the same items (`refuse_incomplete_dossier`,
subscribed to cases.events.CaseArchiving). Closing is refused only while aid is owed (the funds app's
`refuse_while_unpaid`, the same figure as the checklist's money line); the rest warns at closing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jiuzhu.cases.actions import CaseActionError
from jiuzhu.cases.models import AidCase
from jiuzhu.documents.context import SPECS
from jiuzhu.documents.models import IssuedDocument, Kind


@dataclass(frozen=True)
class Check:
    """One line of the checklist: OK, or what is still open; BLOCKS_CLOSE / BLOCKS_ARCHIVE: refused until done."""

    label: str
    ok: bool
    detail: str
    blocks_close: bool = False
    blocks_archive: bool = False


def checklist(case: AidCase) -> list[Check]:
    """What closing and archiving CASE leave behind, item by item (a fixed number of queries)."""
    from jiuzhu.custody.models import EntrustmentAgreement
    from jiuzhu.funds.queries import unpaid_aid
    from jiuzhu.support.models import Referral, Visit

    docs = list(IssuedDocument.objects.filter(case=case, status=IssuedDocument.Status.ISSUED)
                .prefetch_related("services").order_by("issued_at", "pk"))
    unserved = [d for d in docs if SPECS[d.kind].servable and not d.services.all()]
    checks = [Check("法律文书送达", not unserved,
                    "已制作的文书均已送达。" if not unserved else
                    "未送达：" + "、".join(d.get_kind_display() + (f"（{d.number}）" if d.number else "")
                                         for d in unserved) + "。",
                    blocks_archive=True)]
    if case.decision:
        kind = Kind.GRANT_DECISION if case.decision == AidCase.Decision.GRANT else Kind.REFUSAL_DECISION
        decided = any(d.kind == kind for d in docs)
        checks.append(Check("决定书入卷", decided, f"已制作{Kind(kind).label}。" if decided else
                            f"尚未制作{Kind(kind).label}，归档须有决定书及送达回证。", blocks_archive=True))
    if case.decision == AidCase.Decision.GRANT:
        owed = unpaid_aid(case)
        checks.append(Check("救助金发放", owed <= 0, "决定救助金额已全部发放。" if owed <= 0 else
                            f"尚有 {owed:,.2f} 元救助金未发放或未到账（含已制单未回单、退票未重发），不能结案。",
                            blocks_close=True, blocks_archive=True))
    waiting = list(Referral.objects.filter(case=case).exclude(
        status__in=[Referral.Status.ACCEPTED, Referral.Status.DECLINED, Referral.Status.DONE])
        .select_related("agency").order_by("sent_on", "pk"))
    checks.append(Check("转介反馈", not waiting, "移送的协作单位均已反馈。" if not waiting else
                        "尚未反馈：" + "、".join(r.agency.name for r in waiting) + "。"))
    pending = list(Visit.objects.filter(case=case, held_on__isnull=True).order_by("months_after"))
    checks.append(Check("回访", not pending, "没有待进行的回访。" if not pending else
                        "尚未回访：" + "、".join(f"发放后第{v.months_after}个月（{v.due_on:%Y-%m-%d}）" for v in pending)
                        + "；结案后不再提醒。"))
    agreements = list(EntrustmentAgreement.objects.filter(case=case))
    if agreements:
        held: Any = sum((a.balance for a in agreements), 0)
        checks.append(Check("代管资金余额", held <= 0, "代管资金已全部使用。" if held <= 0 else
                            f"代管账户尚有余额 {held:,.2f} 元，结案后由代管机构继续按协议监管使用。"))
    return checks


def refuse_incomplete_dossier(event: Any) -> None:
    """Subscriber (cases.events.CaseArchiving): the dossier must hold what the archive rules require."""
    missing = [c for c in checklist(event.case) if c.blocks_archive and not c.ok]
    if missing:
        raise CaseActionError("卷宗不完整，不能归档：" + "".join(f"{c.label}——{c.detail}" for c in missing))
