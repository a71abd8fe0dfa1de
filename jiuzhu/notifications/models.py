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
        NEW_APPLICATION = "new_application", "新的网上申请"

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


class MessageTemplate(models.Model):
    """The wording of one kind of outbound message; an administrator edits it in the admin.

    The text is a Python format string: `{receipt}`, `{case_number}`, `{org}`, `{decision}`, `{missing}`, `{due}`, `{amount}`,
    `{code}` and `{minutes}` are filled in where the kind has them (unknown names are left as written).
    """

    key = models.CharField("消息种类", max_length=40)
    language = models.CharField("语言", max_length=10, default="zh-hans",
                                choices=[("zh-hans", "简体中文"), ("bo", "藏文（བོད་ཡིག）")])
    channel = models.CharField("发送渠道", max_length=10, default="sms")
    text = models.TextField("消息内容")
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "消息模板"
        verbose_name_plural = "消息模板"
        ordering = ["key", "language"]
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="notifications_template_unique_key_language",
                                    violation_error_message="该消息种类在此语言下已有模板。"),
        ]

    def __str__(self) -> str:
        return self.key


class OutboundMessage(models.Model):
    """One message to one recipient (an applicant's SMS, a staff SMS) and its delivery state.

    Rows are written inside the action's transaction; the message is sent only after the commit,
    by the worker (`deliver_message`), so a rolled-back action never sends anything.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    key = models.CharField("消息种类", max_length=40)
    channel = models.CharField("发送渠道", max_length=10, default="sms")
    # The recipient's number, encrypted; the masked form is what lists show.
    to = models.BinaryField(null=True, editable=False)
    to_masked = models.CharField("接收号码", max_length=20)
    text = models.CharField("内容", max_length=500)
    language = models.CharField("语言", max_length=10, default="zh-hans",
                                choices=[("zh-hans", "简体中文"), ("bo", "藏文（བོད་ཡིག）")])
    case = models.ForeignKey("cases.AidCase", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Makes each message idempotent: one event never produces two messages.
    dedupe_key = models.CharField(max_length=120, unique=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    error = models.CharField("错误", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "外发消息"
        verbose_name_plural = "外发消息"
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The retry sweep: messages still queued or failed.
            models.Index(fields=["state", "created_at"], name="notif_outbound_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.to_masked} ({self.get_state_display()})"
