"""In-app notifications to staff (SMS and delivery states come with the portal issue)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """A message to one user, e.g. an overdue step on a case they handle or supervise."""

    class Kind(models.TextChoices):
        OVERDUE = "overdue", "办理期限已届满"
        DUE_SOON = "due_soon", "办理期限即将届满"
        LAPSED = "lapsed", "申请视为放弃"
        CALENDAR = "calendar", "工作日历缺少年份"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    case = models.ForeignKey("cases.AidCase", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    text = models.CharField("内容", max_length=300)
    # Makes the daily sweep idempotent: the same reminder is never created twice.
    dedupe_key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The unread count in the page header.
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.text
