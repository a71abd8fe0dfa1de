from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.audit.chain import head_key, verify_chain
from jiuzhu.audit.models import AuditEntry, ChainHead
from jiuzhu.orgs.models import Organisation


def chained_models() -> list[tuple[str, Any]]:
    """Every hash-chained table: the audit trail first, then each installed model built on Chained
    (the case events), found through the app registry so the audit app imports none of them."""
    from django.apps import apps

    from jiuzhu.audit.chain import Chained

    others = [m for m in apps.get_models() if issubclass(m, Chained) and m is not AuditEntry]
    return [("审计记录", AuditEntry)] + [(str(m._meta.verbose_name), m) for m in others]


class Command(BaseCommand):
    help = ("逐条核对审计记录与案件日志的哈希链（每个机构一条链），报告每条链的第一个断点；"
            "全部完好时退出码为 0，否则非 0。")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", default="", help="只核对该检察院（机构代码或全称）的链")

    def handle(self, *args: Any, org: str = "", **options: Any) -> None:
        only: Organisation | None = None
        if org:
            only = Organisation.objects.filter(code=org).first() or Organisation.objects.filter(name=org).first()
            if only is None:
                raise CommandError(f"找不到机构：{org}")
        names = dict(Organisation.objects.values_list("pk", "name"))
        broken, total = [], 0
        for label, model in chained_models():
            if only is not None:
                org_ids: list[int | None] = [only.pk]
            else:
                found = set(model.objects.values_list("org_id", flat=True).distinct())
                found |= set(ChainHead.objects.filter(table=model.CHAIN_TABLE).values_list("org_id", flat=True))
                org_ids = sorted(found, key=lambda o: (o is not None, o or 0))
            for org_id in org_ids:
                org_label = names.get(org_id, f"机构 {org_id}") if org_id is not None else "无所属机构"
                n, bad = verify_chain(model, org_id, org_label)
                total += n
                if bad is None:
                    head = ChainHead.objects.filter(key=head_key(model.CHAIN_TABLE, org_id)).first()
                    at = f"，链头 序号 {head.seq} 哈希 {head.hash[:16]}" if head else ""
                    self.stdout.write(f"✓ {label}（{model.CHAIN_TABLE}）{org_label}：{n} 条，链完好{at}")
                else:
                    broken.append(bad)
                    self.stderr.write(f"✗ {label}：第一个断点 —— {bad}")
        if broken:
            raise CommandError(f"{len(broken)} 条链有断点（共核对 {total} 条记录）。")
        self.stdout.write(f"全部完好：共核对 {total} 条记录。")
