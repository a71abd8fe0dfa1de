"""A ledger import started from the web: the uploaded workbook, its progress and its outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class LedgerImport(models.Model):
    """One upload of a case ledger (contracts §3), checked and imported by a background task."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        CHECKING = "checking", "检查中"
        IMPORTING = "importing", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "有错误，未导入"

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("上传时间")
    file_name = models.CharField("文件名", max_length=200)
    # The uploaded workbook (at most 20 MB, LedgerUploadForm), in the encrypted private store (the worker
    # shares it: it writes the documents' PDFs there too). It holds ID numbers: deleted when the import
    # ends, done or failed (purge_payload); counts and the message stay.
    upload = models.FileField("台账文件", upload_to="imports/ledger/%Y/", max_length=200, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField("已处理行数", default=0)
    total = models.PositiveIntegerField("总行数", default=0)
    imported = models.PositiveIntegerField("导入件数", default=0)
    skipped = models.PositiveIntegerField("跳过件数（已存在）", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    message = models.TextField("结果说明", blank=True)
    # The input rows with an 错误 column (so with ID numbers): encrypted like every stored file, and
    # deleted by its owner (import_errors_delete) or with the import.
    errors_workbook = models.FileField("错误清单", upload_to="imports/ledger-errors/%Y/", max_length=200, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "台账导入"
        verbose_name_plural = "台账导入"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=models.F("total")), name="stats_ledgerimport_done_within_total",
                                   violation_error_message="已处理行数不能超过总行数。"),
        ]
        indexes = [
            # import_start: the user's recent imports.
            models.Index(fields=["created_by", "created_at"], name="stats_ledgerimport_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} {self.get_status_display()}"

    @property
    def percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.FAILED):
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
