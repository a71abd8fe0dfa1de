"""Support beyond the money (domain.md §10): services given to aided people ("1+N").

A service is counted in person-times (人次) and belongs to the procuratorate that recorded it; the
statistics (contracts §4 `services`) sum person-times by kind over the services dated in a period.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from jiuzhu.people.fields import EncryptedTextField


class ServiceKind(models.TextChoices):
    """Kinds of service; the labels are the keys of contracts §4 `services`."""

    COUNSELLING = "counselling", "心理疏导"
    LEGAL = "legal", "法律服务"
    CARE = "care", "生活关爱"
    EDUCATION = "education", "教育帮扶"
    EMPLOYMENT = "employment", "就业帮扶"


class Service(models.Model):
    """Person-times of one kind of service given on one day, by or through one procuratorate."""

    org = models.ForeignKey("orgs.Organisation", verbose_name="记录检察院", on_delete=models.PROTECT,
                            related_name="services")
    case = models.ForeignKey("cases.AidCase", verbose_name="救助案件", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="services")
    kind = models.CharField("服务类型", max_length=20, choices=ServiceKind.choices)
    provided_on = models.DateField("服务日期")
    person_times = models.PositiveIntegerField("人次", default=1)
    provider = models.CharField("提供者", max_length=100, blank=True)
    notes = models.TextField("情况记录", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "帮扶服务"
        verbose_name_plural = "帮扶服务"
        ordering = ["-provided_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(person_times__gte=1), name="support_service_person_times_positive",
                                   violation_error_message="服务人次至少为1。"),
        ]
        indexes = [
            # Statistics: services of a scope in a period (joined to the organisation's path).
            models.Index(fields=["provided_on", "org"], name="support_service_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person_times}人次 {self.provided_on}"


# ---------------------------------------------------------------------------------------------
# "1+N": partner agencies, referrals and their feedback (domain.md §10).


class AgencyKind(models.TextChoices):
    """Kinds of partner body (domain.md §10, the Jiangxi 11-agency opinion and county versions)."""

    CIVIL_AFFAIRS = "civil_affairs", "民政"
    EDUCATION = "education", "教育"
    HR_SOCIAL = "hr_social", "人力资源和社会保障"
    MEDICAL = "medical", "医疗保障/卫生健康"
    RURAL = "rural", "乡村振兴/农业农村"
    VETERANS = "veterans", "退役军人事务"
    JUSTICE = "justice", "司法行政（法律援助）"
    POLICE = "police", "公安（户籍）"
    WOMEN = "women", "妇联"
    YOUTH = "youth", "共青团/未成年人保护"
    DISABLED = "disabled", "残联"
    UNION = "union", "总工会/红十字会/慈善组织"


class Measure(models.TextChoices):
    """Measures a referral may ask for, and a partner may record as taken."""

    DIBAO = "dibao", "纳入或调整低保"
    TEMPORARY = "temporary", "临时救助"
    ORPHAN = "orphan", "孤儿/事实无人抚养儿童保障"
    SCHOOLING = "schooling", "就学安置与学费减免"
    MEDICAL = "medical", "医疗救助"
    JOBS = "jobs", "就业帮扶与技能培训"
    SOCIAL_INSURANCE = "social_insurance", "社会保险参保"
    LEGAL_AID = "legal_aid", "法律援助"
    COUNSELLING = "counselling", "心理疏导"
    MONITORING = "monitoring", "纳入防返贫监测与产业帮扶"
    CARE = "care", "生活关爱与走访慰问"
    HOUSEHOLD = "household", "户籍登记"
    OTHER = "other", "其他"


class PartnerAgency(models.Model):
    """A body outside the procuratorates that helps aided people, registered for one area."""

    org = models.ForeignKey("orgs.Organisation", verbose_name="所在地检察院", on_delete=models.PROTECT,
                            related_name="partner_agencies")
    kind = models.CharField("类别", max_length=20, choices=AgencyKind.choices)
    name = models.CharField("单位名称", max_length=100)
    address = models.CharField("办公地址", max_length=200, blank=True)
    phone = models.CharField("单位电话", max_length=40, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "协作单位"
        verbose_name_plural = "协作单位"
        ordering = ["org__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="support_agency_unique_name",
                                    violation_error_message="该地区已有同名协作单位。"),
        ]

    def __str__(self) -> str:
        return self.name


class PartnerContact(models.Model):
    """A contact person at a partner agency (their phone is personal data: encrypted)."""

    agency = models.ForeignKey(PartnerAgency, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField("联系人", max_length=50)
    title = models.CharField("职务", max_length=50, blank=True)
    phone = EncryptedTextField("联系电话", context="support.partnercontact.phone")

    class Meta:
        verbose_name = "协作单位联系人"
        verbose_name_plural = "协作单位联系人"
        ordering = ["agency", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.agency}）"


class PartnerStaff(models.Model):
    """A partner agency's user: a narrow portal showing only their agency's referrals."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_staff")
    agency = models.ForeignKey(PartnerAgency, on_delete=models.CASCADE, related_name="staff")

    class Meta:
        verbose_name = "协作单位账号"
        verbose_name_plural = "协作单位账号"
        ordering = ["agency", "user"]

    def __str__(self) -> str:
        return f"{self.user} · {self.agency}"


class SharedField(models.TextChoices):
    """What of the person a referral may show the partner (never the ID number)."""

    NAME = "name", "姓名"
    SEX_AGE = "sex_age", "性别与年龄"
    PHONE = "phone", "联系电话"
    ADDRESS = "address", "住址"
    HOUSEHOLD = "household", "户籍所在地"
    GROUPS = "groups", "人员类别"


class Referral(models.Model):
    """A request from a procuratorate to a partner agency to help the person of a case (转介)."""

    class Status(models.TextChoices):
        SENT = "sent", "已发送"
        RECEIVED = "received", "已接收"
        ACCEPTED = "accepted", "已采纳"
        DECLINED = "declined", "未采纳"
        DONE = "done", "已落实"

    class Basis(models.TextChoices):
        CONSENT = "consent", "当事人书面同意"
        LAW = "law", "法定职责（法律依据）"

    OPEN = (Status.SENT, Status.RECEIVED, Status.ACCEPTED)

    case = models.ForeignKey("cases.AidCase", verbose_name="救助案件", on_delete=models.PROTECT,
                             related_name="referrals")
    agency = models.ForeignKey(PartnerAgency, verbose_name="协作单位", on_delete=models.PROTECT,
                               related_name="referrals")
    measures = models.JSONField("请求帮扶事项", default=list)
    situation = models.TextField("情况说明（向协作单位提供）")
    basis = models.CharField("移送依据", max_length=10, choices=Basis.choices)
    basis_note = models.CharField("依据说明", max_length=200, blank=True)
    shared_fields = models.JSONField("提供的个人信息", default=list)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SENT)
    sent_on = models.DateField("移送日期")
    due_on = models.DateField("反馈期限")
    received_on = models.DateField("接收日期", null=True, blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    done_on = models.DateField("落实日期", null=True, blank=True)
    answer_note = models.TextField("答复意见", blank=True)
    responder = models.CharField("答复人", max_length=50, blank=True)
    # The secret of the signed link: only its SHA-256 is kept; a new link replaces the old one.
    token_hash = models.CharField(max_length=64, editable=False)
    last_reminded_on = models.DateField("最近提醒日", null=True, blank=True)
    escalated_on = models.DateField("提请部门负责人日期", null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="移送人", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "转介移送"
        verbose_name_plural = "转介移送"
        ordering = ["-sent_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gte=models.F("sent_on")), name="support_referral_due_after_sent",
                                   violation_error_message="反馈期限不能早于移送日期。"),
        ]
        indexes = [
            # Worklist and sweep: open referrals whose feedback deadline has passed.
            models.Index(fields=["status", "due_on"], name="support_referral_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def feedback_given(self) -> bool:
        """Whether the partner has answered (accepted or declined): what the feedback deadline asks."""
        return self.status in (self.Status.ACCEPTED, self.Status.DECLINED, self.Status.DONE)

    def measure_labels(self) -> list[str]:
        return [Measure(m).label for m in self.measures if m in Measure.values]


class ReferralMeasure(models.Model):
    """A measure the partner agency recorded as taken for a referral."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="taken")
    measure = models.CharField("帮扶事项", max_length=20, choices=Measure.choices)
    taken_on = models.DateField("落实日期")
    amount = models.DecimalField("金额(元)", max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.CharField("具体情况", max_length=300, blank=True)
    recorded_by = models.CharField("记录人", max_length=50, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "落实措施"
        verbose_name_plural = "落实措施"
        ordering = ["taken_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0),
                                   name="support_measure_amount_positive", violation_error_message="金额应大于0。"),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.taken_on}"


# ---------------------------------------------------------------------------------------------
# Support plan and follow-up visits.


class SupportPlan(models.Model):
    """The case's support plan (一案一策): needs found and the measures planned."""

    case = models.OneToOneField("cases.AidCase", on_delete=models.CASCADE, related_name="support_plan")
    needs = models.TextField("帮扶需求")
    measures = models.TextField("帮扶措施")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="制定人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_on = models.DateField("制定日期")

    class Meta:
        verbose_name = "帮扶方案"
        verbose_name_plural = "帮扶方案"
        ordering = ["-updated_on"]

    def __str__(self) -> str:
        return f"帮扶方案 {self.case_id}"


class Visit(models.Model):
    """A scheduled follow-up visit (回访) and, once held, what it found."""

    class Method(models.TextChoices):
        HOME = "home", "上门回访"
        PHONE = "phone", "电话回访"

    case = models.ForeignKey("cases.AidCase", on_delete=models.CASCADE, related_name="visits")
    months_after = models.PositiveSmallIntegerField("发放后月数")
    due_on = models.DateField("应回访日期")
    held_on = models.DateField("回访日期", null=True, blank=True)
    method = models.CharField("方式", max_length=10, choices=Method.choices, blank=True)
    living = models.TextField("生活状况", blank=True)
    funds_use = models.TextField("救助金使用情况", blank=True)
    new_needs = models.TextField("新的需求", blank=True)
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回访人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    last_reminded_on = models.DateField("最近提醒日", null=True, blank=True)

    class Meta:
        verbose_name = "回访"
        verbose_name_plural = "回访"
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "months_after"], name="support_visit_unique_slot",
                                    violation_error_message="该回访已在计划中。"),
        ]
        indexes = [
            # Worklist and sweep: visits not yet held whose date has passed.
            models.Index(fields=["held_on", "due_on"], name="support_visit_due_idx"),
            # The worklist's support panel (queries.overdue_visits, "逾期未回访"): the visits not held, earliest
            # first, walked in date order and stopped at the panel's cap; only the few open visits, not the
            # held ones of ten years.
            models.Index(fields=["due_on"], name="support_visit_overdue_idx", condition=Q(held_on__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"回访（发放后{self.months_after}个月）"


# ---------------------------------------------------------------------------------------------
# Screening: lists from other bodies matched by the ID number's blind index.


class ScreeningList(models.Model):
    """A list imported from another body, kept until `purge_after` (a setting), then emptied."""

    class Source(models.TextChoices):
        HARDSHIP = "hardship", "困难群众名单（民政低保/特困、乡村振兴监测对象等）"
        VICTIMS = "victims", "被害人名单（办案部门）"

    org = models.ForeignKey("orgs.Organisation", verbose_name="检察院", on_delete=models.PROTECT,
                            related_name="screening_lists")
    source = models.CharField("名单类型", max_length=10, choices=Source.choices)
    name = models.CharField("名单名称（来源单位）", max_length=100)
    row_count = models.PositiveIntegerField("人数", default=0)
    imported_on = models.DateField("导入日期")
    purge_after = models.DateField("保存至")
    purged_on = models.DateField("已清除日期", null=True, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "筛查名单"
        verbose_name_plural = "筛查名单"
        ordering = ["-imported_on", "-pk"]
        indexes = [
            # The worker's purge: lists past their retention date not yet purged.
            models.Index(fields=["purged_on", "purge_after"], name="support_list_purge_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class ScreeningRow(models.Model):
    """One person of an imported list: the ID number encrypted, its blind index for matching."""

    list = models.ForeignKey(ScreeningList, on_delete=models.CASCADE, related_name="rows")
    row_no = models.PositiveIntegerField("行号")
    name = models.CharField("姓名", max_length=50)
    id_number = EncryptedTextField("身份证号码", context="support.screeningrow.id_number")
    id_bidx = models.CharField(max_length=64)
    id_masked = models.CharField("身份证号码（脱敏）", max_length=18)
    note = models.CharField("情况", max_length=200, blank=True)

    class Meta:
        verbose_name = "筛查名单人员"
        verbose_name_plural = "筛查名单人员"
        ordering = ["list", "row_no"]
        indexes = [
            # Matching two lists: a join on the blind index.
            models.Index(fields=["id_bidx", "list"], name="support_row_bidx_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.list} 第{self.row_no}行"


class ScreeningMatch(models.Model):
    """A person found on a hardship list and on a victims list: who may qualify, for staff to review."""

    class Status(models.TextChoices):
        PENDING = "pending", "待核查"
        CLUE = "clue", "已转为线索"
        DISMISSED = "dismissed", "不予处理"

    hardship_row = models.ForeignKey(ScreeningRow, on_delete=models.CASCADE, related_name="+")
    victim_row = models.ForeignKey(ScreeningRow, on_delete=models.CASCADE, related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    case = models.ForeignKey("cases.AidCase", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    found_on = models.DateField("发现日期")

    class Meta:
        verbose_name = "筛查结果"
        verbose_name_plural = "筛查结果"
        ordering = ["status", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["hardship_row", "victim_row"], name="support_match_unique_pair",
                                    violation_error_message="该比对结果已存在。"),
        ]

    def __str__(self) -> str:
        return f"{self.hardship_row.name}（{self.get_status_display()}）"
