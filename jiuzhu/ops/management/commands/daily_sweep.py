from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jiuzhu.ops.tasks import daily_sweep, schedule_next, sweep


class Command(BaseCommand):
    help = "立即执行每日期限检查（视为放弃、逾期提醒）；--enqueue 交由后台任务执行并安排每日运行。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enqueue", action="store_true", help="放入后台任务队列，而不是立即执行")

    def handle(self, *args: Any, enqueue: bool = False, **options: Any) -> None:
        if enqueue:
            daily_sweep.enqueue()
            schedule_next()
            self.stdout.write("已放入后台任务队列。")
            return
        result = sweep()
        self.stdout.write(f"视为放弃 {result['abandoned']} 件，逾期提醒 {result['reminded']} 项，"
                          f"通知 {result['notifications']} 条。")
