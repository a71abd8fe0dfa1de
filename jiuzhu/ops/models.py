"""Operations rows: the background workers' heartbeats (read by /readyz and the orphan reaper)."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per running `jiuzhu db_worker`, touched every few seconds by a thread in the worker."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "后台任务进程心跳"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
