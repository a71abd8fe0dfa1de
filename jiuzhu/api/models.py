"""Clients of the integration API (the 12309 platform, the unified case system) and their calls."""

from __future__ import annotations

from django.db import models


class Scope(models.TextChoices):
    SUBMIT = "submit", "提交申请和线索"
    READ_CASES = "read_cases", "查询案件状态和期限"
    READ_STATS = "read_stats", "查询统计数据"


class ApiClient(models.Model):
    """Another system allowed to call the API, bound to one procuratorate and a set of scopes.

    The token is shown once when issued; only its SHA-256 is stored (`token_hash`), with its first
    characters (`prefix`) to recognise it in lists.
    """

    name = models.CharField("名称", max_length=80)
    org = models.ForeignKey("orgs.Organisation", verbose_name="所属检察院", on_delete=models.PROTECT,
                            related_name="api_clients")
    scopes = models.JSONField("权限范围", default=list, blank=True)
    prefix = models.CharField("令牌前缀", max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    rate_per_minute = models.PositiveIntegerField("每分钟调用上限", default=60)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间")
    last_used_at = models.DateTimeField("最近调用", null=True, blank=True)

    class Meta:
        verbose_name = "接口客户端"
        verbose_name_plural = "接口客户端"
        ordering = ["org__path", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"


class ApiCallLog(models.Model):
    """One call to the API: who, when, what, the answer's status (the audit trail of the API)."""

    client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.PROTECT, related_name="calls")
    at = models.DateTimeField("时间")
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=200)
    status = models.PositiveSmallIntegerField("状态码")
    ip = models.CharField(max_length=45, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "接口调用记录"
        verbose_name_plural = "接口调用记录"
        ordering = ["-at", "-pk"]
        indexes = [
            # The rate limit (a client's calls in the last minute) and a client's call history.
            models.Index(fields=["client", "at"], name="api_calllog_client_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.method} {self.path} {self.status}"
