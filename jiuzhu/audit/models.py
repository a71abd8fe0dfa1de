"""The audit trail: every reveal of personal data, download and export, with who, when and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jiuzhu.audit.chain import Chained, ChainedQuerySet, ChainHead, chain_constraints  # noqa: F401 - ChainHead's home


class AuditEntry(Chained, models.Model):
    """One audited act. Rows are only ever added, each chained to the one before (audit/chain.py)."""

    RECORD_NAME = "审计记录"
    CHAIN_TABLE = "audit"
    CHAIN_FIELDS = ("kind", "actor_id", "at", "case_id", "person_id", "field", "reason", "detail")

    class Kind(models.TextChoices):
        REVEAL = "reveal", "查看完整个人信息"
        DOWNLOAD = "download", "下载附件"
        EXPORT = "export", "导出"
        SEARCH = "search", "按身份证号检索"
        # Staff login (issue 11 finding 3/9). A failed login is recorded against the account it named.
        LOGIN = "login", "登录"
        LOGOUT = "logout", "退出登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKOUT = "lockout", "账号锁定"
        UNLOCK = "unlock", "解除锁定"
        OTP_ENROL = "otp_enrol", "启用两步验证"
        OTP_VERIFY = "otp_verify", "两步验证通过"
        OTP_FAILED = "otp_failed", "两步验证失败"
        OTP_BACKUP = "otp_backup", "使用备用验证码"
        OTP_RESET = "otp_reset", "重置两步验证"
        PARTNER_LINK = "partner_link", "协作单位反馈链接"  # opens and submits through a signed referral link
        ADMIN = "admin", "后台管理"  # every add/change/delete/action in the admin, with the field-by-field diff

    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    # null: no signed-in user (a failed login, the system).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间")
    case = models.ForeignKey("cases.AidCase", verbose_name="案件", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", verbose_name="当事人", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    field = models.CharField("信息项", max_length=40, blank=True)
    reason = models.CharField("理由", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    # The hash chain (audit/chain.py): the organisation whose trail this is, the place in its chain
    # and the HMAC linking the row to the one before.
    org = models.ForeignKey("orgs.Organisation", verbose_name="所属机构", null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")
    seq = models.BigIntegerField("链序号", default=0, editable=False)
    hash = models.CharField("链哈希", max_length=64, blank=True, editable=False)

    objects = ChainedQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-pk"]
        indexes = [
            # Used by the case page's "who saw what" list and by audits of one person.
            models.Index(fields=["case", "-at"], name="audit_entry_case_idx"),
            models.Index(fields=["person", "-at"], name="audit_entry_person_idx"),
        ]
        constraints = chain_constraints("audit_entry")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_kind_display()} {self.field}"

    def chain_org_id(self) -> int | None:
        if self.org_id is None and self.case_id is not None:
            return self.case.handling_org_id  # type: ignore[union-attr,no-any-return]
        return self.org_id  # type: ignore[no-any-return]
