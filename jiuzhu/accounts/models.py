"""Users and their memberships (user × organisation × role)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Capability(models.TextChoices):
    """What a role allows; access.py and the actions read these, never role names."""

    VIEW_CASES = "view_cases", "查看救助案件"
    HANDLE_CASES = "handle_cases", "办理救助案件"
    RAISE_CLUES = "raise_clues", "移送线索、告知权利"
    APPROVE = "approve", "审批"
    APPROVE_ADVANCE = "approve_advance", "审批先行救助"
    REVEAL_PII = "reveal_pii", "查看完整个人信息"
    FINANCE = "finance", "资金管理"
    VIEW_STATS = "view_stats", "查看统计"
    ADMINISTER = "administer", "系统管理"


class Role(models.TextChoices):
    KONGSHEN = "kongshen", "控申检察官"  # handles aid cases end to end
    DEPT_HEAD = "dept_head", "部门负责人"  # head of the complaint-and-appeal department; approves
    DEPUTY_CHIEF = "deputy_chief", "分管副检察长"  # approves; approves advance aid
    CHIEF = "chief", "检察长"  # approves
    CASE_PROSECUTOR = "case_prosecutor", "办案部门检察官"  # raises clues, notifies the right to apply
    FINANCE = "finance", "财务人员"  # budget and payments (funds issue)
    STATS = "stats", "统计查询"  # read-only figures
    ADMIN = "admin", "系统管理员"  # users and settings; may not handle or approve cases
    # Outside users with narrow portals: they see no case through the staff scope; their portals check
    # their own link (custody.CustodianStaff, support.PartnerStaff) instead.
    CUSTODIAN = "custodian", "代管机构人员"
    PARTNER = "partner", "协作单位人员"


C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.KONGSHEN: frozenset({C.VIEW_CASES, C.HANDLE_CASES, C.RAISE_CLUES, C.REVEAL_PII, C.VIEW_STATS}),
    Role.DEPT_HEAD: frozenset({C.VIEW_CASES, C.HANDLE_CASES, C.RAISE_CLUES, C.APPROVE, C.REVEAL_PII,
                               C.VIEW_STATS}),
    Role.DEPUTY_CHIEF: frozenset({C.VIEW_CASES, C.APPROVE, C.APPROVE_ADVANCE, C.REVEAL_PII, C.VIEW_STATS}),
    Role.CHIEF: frozenset({C.VIEW_CASES, C.APPROVE, C.APPROVE_ADVANCE, C.REVEAL_PII, C.VIEW_STATS}),
    Role.CASE_PROSECUTOR: frozenset({C.RAISE_CLUES}),
    Role.FINANCE: frozenset({C.VIEW_CASES, C.FINANCE, C.REVEAL_PII, C.VIEW_STATS}),  # pays: needs accounts
    Role.STATS: frozenset({C.VIEW_STATS}),
    Role.ADMIN: frozenset({C.ADMINISTER}),
    Role.CUSTODIAN: frozenset(),
    Role.PARTNER: frozenset(),
}


# The charter: a system administrator manages users and settings and never handles or approves cases.
CASE_CAPABILITIES = frozenset({C.VIEW_CASES, C.HANDLE_CASES, C.RAISE_CLUES, C.APPROVE, C.APPROVE_ADVANCE,
                               C.REVEAL_PII, C.FINANCE})
ADMIN_CONFLICT_MESSAGE = "系统管理员不能同时担任办案、审批或财务岗位；请为其另设账号。"


def admin_role_conflict(roles: set[str]) -> bool:
    """Return whether ROLES (one user's) combine the administrator's role with a case role."""
    return Role.ADMIN in roles and any(ROLE_CAPABILITIES.get(r, frozenset()) & CASE_CAPABILITIES for r in roles)


class User(AbstractUser):
    """A person who logs in to Jiuzhu (staff now; partners and custodians later)."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username


class Membership(models.Model):
    """A user's role in one organisation; a user may hold several."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="memberships")
    org = models.ForeignKey("orgs.Organisation", verbose_name="机构", on_delete=models.PROTECT,
                            related_name="memberships")
    department = models.ForeignKey("orgs.Department", verbose_name="部门", null=True, blank=True,
                                   on_delete=models.SET_NULL)
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    is_active = models.BooleanField("有效", default=True)
    # Four-eyes: a grant of an approving (or administering) role made in the admin is held inactive
    # until a second administrator confirms it (accounts/grants.py).
    requested_by = models.ForeignKey(User, verbose_name="授权申请人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(User, verbose_name="授权确认人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        ordering = ["user__username", "org__path", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "org", "role"], name="accounts_membership_unique_role",
                                    violation_error_message="该用户在该机构已有此角色。"),
        ]
        indexes = [
            # Used by access.memberships_of() on every request.
            models.Index(fields=["user", "is_active"], name="accounts_membership_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.org.display_name} · {self.get_role_display()}"

    @property
    def capabilities(self) -> frozenset[str]:
        return ROLE_CAPABILITIES.get(self.role, frozenset())

    def clean(self) -> None:
        """Refuse to make a system administrator a case handler or approver (or the reverse)."""
        from django.core.exceptions import ValidationError

        if self.user_id is None or not self.role:
            return
        others = {m.role for m in Membership.objects.filter(user_id=self.user_id).exclude(pk=self.pk)}
        if admin_role_conflict({self.role, *others}):
            raise ValidationError(ADMIN_CONFLICT_MESSAGE)

    @property
    def is_pending(self) -> bool:
        """Return whether this grant waits for a second administrator's confirmation."""
        return self.requested_by_id is not None and self.confirmed_at is None


class PendingGrant(Membership):
    """A membership waiting for a second administrator's confirmation (the admin's confirm screen)."""

    class Meta:
        proxy = True
        verbose_name = "待确认授权"
        verbose_name_plural = "待确认授权"

# Login security records of django-axes and django-otp, under Chinese names in the admin
# (proxies: the tables stay the packages' own; see admin_security.py).
from axes.models import AccessAttempt  # noqa: E402
from django_otp.plugins.otp_static.models import StaticDevice  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402


class LoginLockout(AccessAttempt):
    class Meta:
        proxy = True
        verbose_name = "登录锁定"
        verbose_name_plural = "登录锁定"


class AuthenticatorDevice(TOTPDevice):
    class Meta:
        proxy = True
        verbose_name = "两步验证设备"
        verbose_name_plural = "两步验证设备"


class BackupCodeDevice(StaticDevice):
    class Meta:
        proxy = True
        verbose_name = "备用验证码"
        verbose_name_plural = "备用验证码"
