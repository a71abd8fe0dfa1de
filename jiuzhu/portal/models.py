"""The online applicant portal: one-time codes, applications (drafts and submitted) and their files.

An applicant is not a staff User: they prove control of a mobile number with a one-time SMS code,
and the session then carries the number's blind index. Every application belongs to the number that
created it (`phone_bidx`); nothing else in the portal reaches an application.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiuzhu.cases.models import Attachment
from jiuzhu.people.fields import EncryptedTextField


class OneTimeCode(models.Model):
    """A six-digit SMS code for one number: expires, single use, a few attempts only."""

    phone_bidx = models.CharField(max_length=64)
    # HMAC of number + code: the code itself is never stored, and only fits the number it was sent to.
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    ip = models.CharField(max_length=45, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Verification (latest code of a number) and the sending rate limit (codes in the last hour).
            models.Index(fields=["phone_bidx", "created_at"], name="portal_otp_phone_idx"),
            # The per-address sending rate limit.
            models.Index(fields=["ip", "created_at"], name="portal_otp_ip_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.phone_bidx[:8]}… {self.created_at:%Y-%m-%d %H:%M}"


class OnlineApplication(models.Model):
    """An application (or a clue) handed in online or by another system, until staff register it.

    The applicant's answers, personal data included, are kept encrypted as one JSON document; the
    few columns in clear are those the intake queue lists (a name, the procuratorate, dates).
    """

    class Kind(models.TextChoices):
        APPLICATION = "application", "救助申请"
        CLUE = "clue", "救助线索"

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交，待审查"
        REGISTERED = "registered", "已登记"

    class Source(models.TextChoices):
        PORTAL = "portal", "网上申请平台"
        API = "api", "系统接口"

    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.APPLICATION)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.PORTAL)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT)
    org = models.ForeignKey("orgs.Organisation", verbose_name="受理检察院", null=True, blank=True,
                            on_delete=models.PROTECT, related_name="online_applications")
    phone_bidx = models.CharField(max_length=64, blank=True)
    phone = EncryptedTextField("联系电话", context="portal.onlineapplication.phone")
    applicant_name = models.CharField("申请人", max_length=50, blank=True)
    answers = EncryptedTextField("申请内容", context="portal.onlineapplication.answers")
    step = models.PositiveSmallIntegerField("已填写到第几步", default=0)
    language = models.CharField("申请人使用语言", max_length=10, default="zh-hans",
                                choices=[("zh-hans", "简体中文"), ("bo", "藏文（བོད་ཡིག）")])
    client = models.ForeignKey("api.ApiClient", verbose_name="接口客户端", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="applications")
    client_reference = models.CharField("对方编号", max_length=80, blank=True)
    receipt_number = models.CharField("回执号", max_length=30, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    case = models.OneToOneField("cases.AidCase", verbose_name="救助案件", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="online_application")
    registered_by = models.ForeignKey("accounts.User", verbose_name="登记人", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField("登记时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "网上申请"
        verbose_name_plural = "网上申请"
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["client", "client_reference"], condition=Q(client__isnull=False),
                                    name="portal_application_unique_client_ref",
                                    violation_error_message="该客户端已提交过此编号的申请。"),
            models.UniqueConstraint(fields=["receipt_number"], condition=~Q(receipt_number=""),
                                    name="portal_application_unique_receipt",
                                    violation_error_message="回执号重复。"),
            models.CheckConstraint(condition=Q(state="draft") | Q(org__isnull=False, submitted_at__isnull=False),
                                   name="portal_application_submitted_has_org",
                                   violation_error_message="提交的申请须有受理检察院和提交时间。"),
        ]
        indexes = [
            # The applicant's own list ("my applications").
            models.Index(fields=["phone_bidx", "created_at"], name="portal_app_owner_idx"),
            # The intake queue of a procuratorate: submitted, not yet registered.
            models.Index(fields=["org", "state", "submitted_at"], name="portal_app_intake_idx"),
        ]

    def __str__(self) -> str:
        return self.receipt_number or f"草稿{self.pk}"


def _portal_file_path(instance: PortalFile, filename: str) -> str:
    return f"portal/{instance.application_id}/{instance.sha256[:2]}/{instance.sha256}"


# The kinds of material in the applicant's words and language (the staff screens use Attachment.Kind).
PORTAL_KIND_TITLES = {
    "application": _("申请书"), "identity": _("身份证明"), "harm": _("损害证明（伤情、诊断、医疗票据、死亡证明等）"),
    "hardship": _("生活困难证明"), "compensation": _("获得赔偿或救助情况证明"),
    "relationship": _("关系证明/授权委托书"), "other": _("其他材料"),
}


class PortalFile(models.Model):
    """A file the applicant uploaded (with the application, or answering a request for more)."""

    application = models.ForeignKey(OnlineApplication, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField("材料类型", max_length=20, choices=Attachment.Kind.choices)
    file = models.FileField(upload_to=_portal_file_path, max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    is_supplement = models.BooleanField("补正材料", default=False)
    uploaded_at = models.DateTimeField("上传时间")
    # The copy in the case file once the application is registered.
    attachment = models.OneToOneField("cases.Attachment", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="portal_file")

    class Meta:
        verbose_name = "网上申请材料"
        verbose_name_plural = "网上申请材料"
        ordering = ["application", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def kind_title(self) -> str:
        return str(PORTAL_KIND_TITLES.get(self.kind) or self.get_kind_display())
