"""The aid case (救助案件): the spine every other capability hangs off."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from jiuzhu.audit.chain import Chained, ChainedQuerySet, chain_constraints
from jiuzhu.people.fields import EncryptedTextField
from jiuzhu.people.groups import Group  # noqa: F401 - the case's group tags; re-exported


class Status(models.TextChoices):
    """The lifecycle of domain.md §6; allowed moves are data in lifecycle.py."""

    CLUE = "clue", "线索"  # someone may qualify; raised by a case department, 12309, a partner…
    NOTIFIED = "notified", "已告知"  # the person was told of their right to apply
    APPLIED = "applied", "已申请"  # written application, or oral with a record; materials being checked
    AWAITING_SUPPLEMENT = "awaiting_supplement", "待补正"  # applicant asked for material; 30-day clock
    ACCEPTED = "accepted", "已受理"  # registered; the 10-working-day decision clock runs
    UNDER_REVIEW = "under_review", "审查中"  # investigation and home visits
    PENDING_APPROVAL = "pending_approval", "待审批"  # review opinion submitted to the approver
    GRANTED = "granted", "决定救助"
    REFUSED = "refused", "不予救助"
    SERVED = "served", "已送达"  # the decision was delivered to the applicant
    AWAITING_PAYMENT = "awaiting_payment", "待发放"  # funds arrived; the 2-working-day notice clock runs
    PAID = "paid", "已发放"
    FOLLOW_UP = "follow_up", "回访"
    CLOSED = "closed", "结案"
    ARCHIVED = "archived", "归档"
    ABANDONED = "abandoned", "视为放弃"  # no supplement within the deadline
    ADVANCE_REQUESTED = "advance_requested", "先行救助待批"  # life in danger: advance aid asked for
    ADVANCE_GRANTED = "advance_granted", "先行救助"  # advance aid approved, committed, paid by finance; formalities follow


OPEN_STATUSES = frozenset(set(Status) - {Status.CLOSED, Status.ARCHIVED, Status.ABANDONED})


class Channel(models.TextChoices):
    CASE_DEPARTMENT = "case_department", "办案部门移送"
    SERVICE_CENTRE = "12309_centre", "12309检察服务中心"
    ONLINE = "online", "12309网上申请"
    WALK_IN = "walk_in", "来访申请"
    PARTNER = "partner", "协作单位移送"
    EX_OFFICIO = "ex_officio", "依职权主动发现"
    LEDGER = "ledger", "历史台账导入"


class Category(models.TextChoices):
    """Eligibility categories of the 2021 Rules, Art. 7 (domain.md §3.1)."""

    E1 = "E1", "E1 刑事被害人受到重伤或严重残疾，因加害人不明、死亡或无赔偿能力等，生活困难"
    E2 = "E2", "E2 刑事被害人身体受到伤害，急需救治，无力承担医疗救治费用"
    E3 = "E3", "E3 刑事被害人死亡或丧失劳动能力，依靠其收入为主要生活来源的近亲属或被扶养人生活困难"
    E4 = "E4", "E4 刑事被害人财产遭受重大损失，无法获得赔偿，生活困难"
    E5 = "E5", "E5 举报人、证人、鉴定人因遭受打击报复受到伤害或重大财产损失，生活困难"
    E6 = "E6", "E6 道路交通事故等民事侵权行为造成人身伤害，无法通过诉讼获得赔偿，生活困难"
    E7 = "E7", "E7 人民检察院根据实际情况认为需要救助的其他情形"


class RefusalGround(models.TextChoices):
    """Grounds on which aid is generally refused (2021 Rules, Art. 8; domain.md §4.1)."""

    X1 = "X1", "X1 对案件发生有重大过错"
    X2 = "X2", "X2 无正当理由拒绝配合查明案件事实"
    X3 = "X3", "X3 故意作虚伪陈述或者伪造证据，妨害诉讼"
    X4 = "X4", "X4 在诉讼中主动放弃民事赔偿请求或者拒绝加害责任人及其近亲属赔偿"
    X5 = "X5", "X5 生活困难非案件原因所导致"
    X6 = "X6", "X6 已经通过社会救助等措施，得到合理补偿、救助"


class OriginalCase(models.Model):
    """The criminal or civil case the aid case arose from (linked by 案号 to the case system)."""

    class Stage(models.TextChoices):
        INVESTIGATION = "investigation", "侦查"
        ARREST_REVIEW = "arrest_review", "审查逮捕"
        PROSECUTION_REVIEW = "prosecution_review", "审查起诉"
        TRIAL = "trial", "审判"
        EXECUTION = "execution", "执行"
        CIVIL_ADMIN = "civil_admin", "民事行政检察"
        APPEAL = "appeal", "控告申诉"
        CONCLUDED = "concluded", "已办结"

    class OffenderAbility(models.TextChoices):
        UNKNOWN = "unknown", "尚不清楚"
        UNIDENTIFIED = "unidentified", "加害人不明"
        DEAD = "dead", "加害人死亡"
        UNABLE = "unable", "无赔偿能力"
        PARTLY = "partly", "赔偿能力不足"
        ABLE = "able", "有赔偿能力"

    org = models.ForeignKey("orgs.Organisation", verbose_name="办案检察院", on_delete=models.PROTECT,
                            related_name="original_cases")
    # Search (cases.queries.search, icontains): original_case_number_trgm_idx on UPPER(case_number), a GIN
    # trigram index that cases 0014 makes on PostgreSQL only.
    case_number = models.CharField("案号", max_length=80)
    case_name = models.CharField("案件名称", max_length=120, blank=True)
    charge = models.CharField("案由/罪名", max_length=80, blank=True)
    stage = models.CharField("诉讼阶段", max_length=30, choices=Stage.choices, blank=True)
    offender_ability = models.CharField("加害人赔偿能力", max_length=20, choices=OffenderAbility.choices,
                                        default=OffenderAbility.UNKNOWN)
    summary = models.TextField("简要案情", blank=True)

    class Meta:
        verbose_name = "原案件"
        verbose_name_plural = "原案件"
        ordering = ["case_number"]
        constraints = [
            models.UniqueConstraint(fields=["org", "case_number"], name="cases_originalcase_unique_number",
                                    violation_error_message="该检察院已登记此案号。"),
        ]

    def __str__(self) -> str:
        return self.case_number


class AidCase(models.Model):
    """One judicial-aid case for one applicant in one original case."""

    class Decision(models.TextChoices):
        GRANT = "grant", "救助"
        REFUSE = "refuse", "不予救助"

    class PaymentMethod(models.TextChoices):
        LUMP_SUM = "lump_sum", "一次性"
        INSTALMENTS = "instalments", "分期"
        CUSTODY = "custody", "第三方代管"

    class ApplicationForm(models.TextChoices):
        WRITTEN = "written", "书面申请"
        ORAL = "oral", "口头申请（制作笔录）"

    # Search (cases.queries.search, icontains): case_number_trgm_idx on UPPER(number), a GIN trigram index that
    # cases 0014 makes on PostgreSQL only.
    number = models.CharField("案件编号", max_length=60)
    # No index of its own: case_worklist_org_due_idx and cases_aidcase_org_status_idx lead with it.
    handling_org = models.ForeignKey("orgs.Organisation", verbose_name="承办院", on_delete=models.PROTECT,
                                     related_name="aid_cases", db_index=False)
    original_case = models.ForeignKey(OriginalCase, verbose_name="原案件", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="aid_cases")
    status = models.CharField("状态", max_length=30, choices=Status.choices, default=Status.CLUE)
    channel = models.CharField("线索来源", max_length=30, choices=Channel.choices)
    source_detail = models.CharField("来源说明", max_length=120, blank=True)
    is_ex_officio = models.BooleanField("主动救助", default=False)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="线索提出人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="承办检察官", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="handled_cases")
    applicant = models.ForeignKey("people.Person", verbose_name="申请人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="applications")
    clue_summary = models.TextField("线索情况", blank=True)
    # The language the applicant reads (issue 16): messages and the papers handed over follow it
    # (Tibetan: bilingual, the Chinese text authoritative). Online: the portal's choice; walk-in: staff.
    applicant_language = models.CharField("申请人使用语言", max_length=10, default="zh-hans",
                                          choices=[("zh-hans", "简体中文"), ("bo", "藏文（བོད་ཡིག）")])
    harm_summary = models.TextField("损害情况", blank=True)
    hardship_summary = models.TextField("生活困难情况", blank=True)

    raised_on = models.DateField("线索日期")
    notified_on = models.DateField("告知日期", null=True, blank=True)
    applied_on = models.DateField("申请日期", null=True, blank=True)
    application_form = models.CharField("申请方式", max_length=10, choices=ApplicationForm.choices, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    category = models.CharField("救助情形", max_length=2, choices=Category.choices, blank=True)
    rules_version = models.CharField("适用规定", max_length=10, default="2021")
    proposed_amount = models.DecimalField("拟救助金额(元)", max_digits=12, decimal_places=2, null=True, blank=True)
    decision = models.CharField("决定结果", max_length=10, choices=Decision.choices, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decided_amount = models.DecimalField("决定救助金额(元)", max_digits=12, decimal_places=2, null=True,
                                         blank=True)
    decision_reasons = models.TextField("决定理由（向申请人说明）", blank=True)
    refusal_grounds = models.JSONField("不予救助依据", default=list, blank=True)  # ["X5", "not_eligible", …]
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="决定人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    served_on = models.DateField("送达日期", null=True, blank=True)
    funds_arrived_on = models.DateField("资金到位日期", null=True, blank=True)
    payment_method = models.CharField("发放方式", max_length=20, choices=PaymentMethod.choices, blank=True)
    paid_amount = models.DecimalField("已发放金额(元)", max_digits=12, decimal_places=2, default=0)
    paid_on = models.DateField("发放日期", null=True, blank=True)
    advance_amount = models.DecimalField("先行救助金额(元)", max_digits=12, decimal_places=2, null=True,
                                         blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    archived_on = models.DateField("归档日期", null=True, blank=True)
    archive_number = models.CharField("档案号", max_length=40, blank=True)
    # The earliest running deadline, kept by cases.deadlines on every change, so the worklist sorts and
    # filters on a column instead of aggregating the deadlines of every case in scope.
    next_due = models.DateField("最近期限", null=True, blank=True, editable=False)
    # The role whose approval the case waits for ("" when none): the approvers' worklist filters on it.
    awaiting_role = models.CharField("待审批人", max_length=20, blank=True, editable=False)
    # Where a supplement request interrupted the case, to resume there when material arrives.
    resume_status = models.CharField(max_length=30, choices=Status.choices, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "救助案件"
        verbose_name_plural = "救助案件"
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["handling_org", "number"], name="cases_aidcase_unique_number",
                                    violation_error_message="该检察院已有相同编号的救助案件。"),
            models.CheckConstraint(
                condition=Q(decided_amount__isnull=True) | Q(decided_amount__gt=0),
                name="cases_aidcase_amount_positive", violation_error_message="救助金额必须大于零。"),
            models.CheckConstraint(
                condition=~Q(decision="grant") | Q(decided_amount__isnull=False, decided_on__isnull=False),
                name="cases_aidcase_grant_has_amount", violation_error_message="决定救助须有金额和决定日期。"),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0) & (Q(decided_amount__isnull=True)
                                                   | Q(paid_amount__lte=models.F("decided_amount"))),
                name="cases_aidcase_paid_within_decision",
                violation_error_message="发放金额不能超过决定救助金额。"),
        ]
        indexes = [
            # Worklist: open cases of a scope by state (the default list, filtered by status).
            models.Index(fields=["handling_org", "status"], name="cases_aidcase_org_status_idx"),
            # Worklist "mine".
            models.Index(fields=["handler", "status"], name="cases_aidcase_handler_idx"),
            # Worklist of a large scope (a province, the nation) in its order, earliest deadline first
            # (next_due ASC NULLS LAST, raised_on DESC, id DESC: keyset paging walks it), and the "due soon" /
            # "overdue" views.
            models.Index(fields=["next_due", "-raised_on", "-id"], name="case_worklist_due_idx"),
            # Worklist of one procuratorate (a county's procurator) in the same order: the page is the first
            # rows of one index range, at any depth (queries.worklist_page).
            models.Index(fields=["handling_org", "next_due", "-raised_on", "-id"], name="case_worklist_org_due_idx"),
            # Statistics and the ledger: decided cases by date.
            models.Index(fields=["decided_on"], name="cases_aidcase_decided_idx",
                         condition=Q(decided_on__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseParty(models.Model):
    """A person's part in an aid case."""

    class Role(models.TextChoices):
        APPLICANT = "applicant", "申请人"
        VICTIM = "victim", "被害人"
        AGENT = "agent", "委托代理人"
        LEGAL_REPRESENTATIVE = "legal_rep", "法定代理人"
        FAMILY = "family", "家庭成员"

    case = models.ForeignKey(AidCase, on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="case_parts")
    role = models.CharField("身份", max_length=20, choices=Role.choices)
    relationship = models.CharField("与被害人关系", max_length=30, blank=True)

    class Meta:
        verbose_name = "案件当事人"
        verbose_name_plural = "案件当事人"
        ordering = ["case", "role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person", "role"], name="cases_caseparty_unique",
                                    violation_error_message="该当事人已以此身份登记。"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.person}"


class CaseGroup(models.Model):
    """A key-group tag of the applicant in this case (a person may be in several groups)."""

    case = models.ForeignKey(AidCase, on_delete=models.CASCADE, related_name="groups")
    group = models.CharField("人员类别", max_length=20, choices=Group.choices)
    subtype = models.CharField("细分", max_length=40, blank=True)

    class Meta:
        verbose_name = "人员类别"
        verbose_name_plural = "人员类别"
        ordering = ["case", "group"]
        constraints = [
            models.UniqueConstraint(fields=["case", "group"], name="cases_casegroup_unique",
                                    violation_error_message="该类别已登记。"),
        ]
        indexes = [
            # Worklist filter "by key group" and the statistics by group.
            models.Index(fields=["group", "case"], name="cases_casegroup_group_idx"),
        ]

    def __str__(self) -> str:
        return self.group


class CaseEvent(Chained, models.Model):
    """One thing that happened to a case: who, when, what and why. Written by actions only.

    Rows are only ever added, each chained to the one before in its procuratorate (audit/chain.py).
    """

    RECORD_NAME = "案件日志"
    CHAIN_TABLE = "case_event"
    CHAIN_FIELDS = ("case_id", "kind", "action", "old_status", "new_status", "actor_id", "at", "note", "data")

    class Kind(models.TextChoices):
        CREATED = "created", "创建"
        TRANSITION = "transition", "状态变更"
        RECORD = "record", "记录"
        ATTACHMENT = "attachment", "上传材料"
        ASSIGNED = "assigned", "指定承办人"
        DEADLINE = "deadline", "期限"

    case = models.ForeignKey(AidCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    action = models.CharField("操作", max_length=40)
    old_status = models.CharField(max_length=30, choices=Status.choices, blank=True)
    new_status = models.CharField(max_length=30, choices=Status.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")  # null: the system (worker)
    at = models.DateTimeField("时间")
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)
    # The hash chain (audit/chain.py): the case's procuratorate when the row was written, the place
    # in that chain and the HMAC linking the row to the one before.
    org = models.ForeignKey("orgs.Organisation", verbose_name="所属检察院", null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")
    seq = models.BigIntegerField("链序号", default=0, editable=False)
    hash = models.CharField("链哈希", max_length=64, blank=True, editable=False)

    objects = ChainedQuerySet.as_manager()

    class Meta:
        verbose_name = "案件日志"
        verbose_name_plural = "案件日志"
        ordering = ["at", "pk"]
        indexes = [
            # The case page's timeline.
            models.Index(fields=["case", "at"], name="cases_caseevent_timeline_idx"),
        ]
        constraints = chain_constraints("cases_caseevent")

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d}"

    def chain_org_id(self) -> int | None:
        return self.case.handling_org_id  # type: ignore[no-any-return]


class Deadline(models.Model):
    """A statutory time limit running on a case; stored, not recomputed on every read."""

    class Kind(models.TextChoices):
        SUPPLEMENT_NOTICE = "supplement_notice", "告知补正"  # tell what is missing: 5 working days
        SUPPLEMENT = "supplement", "申请人补正"  # applicant supplements: 30 days, else abandoned
        DECISION = "decision", "作出决定"  # 10 working days from acceptance
        PAYMENT_NOTICE = "payment_notice", "通知领取救助金"  # 2 working days from funds arriving
        APPROVAL = "approval", "审批"  # each approval step's time limit (setting approval.step_working_days)
        # A case department hands a possible victim to the complaint department: 5 working days from when it
        # found them (setting deadline.clue_transfer_working_days). Recorded complete when the clue is raised.
        CLUE_TRANSFER = "clue_transfer", "办案部门移送线索"

    class Outcome(models.TextChoices):
        DONE = "done", "已完成"  # the step was taken
        LAPSED = "lapsed", "逾期未补正"  # the applicant let the supplement deadline pass
        CANCELLED = "cancelled", "已终止"  # the case left the step (closed, abandoned, advance aid)

    case = models.ForeignKey(AidCase, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField("期限", max_length=30, choices=Kind.choices)
    # Which step a deadline of a repeated kind belongs to ("部门负责人审批"), so the case page can name it.
    step_label = models.CharField("环节", max_length=40, blank=True)
    starts_on = models.DateField("起算日")
    due_on = models.DateField("届满日")
    completed_on = models.DateField("完成日", null=True, blank=True)
    # While a supplement request pauses this clock: when it paused and how many working days were left.
    paused_on = models.DateField("中止日", null=True, blank=True)
    remaining_working_days = models.PositiveIntegerField(null=True, blank=True)
    last_reminded_on = models.DateField("最近提醒日", null=True, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = "办理期限"
        verbose_name_plural = "办理期限"
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], condition=Q(completed_on__isnull=True),
                                    name="cases_deadline_one_open_per_kind",
                                    violation_error_message="同一期限只能有一个在进行中。"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("starts_on")), name="cases_deadline_due_after_start",
                                   violation_error_message="届满日不能早于起算日。"),
        ]
        indexes = [
            # The overdue sweep and the worklist's "due soon / overdue": open, running deadlines by date.
            models.Index(fields=["due_on"], name="cases_deadline_open_due_idx",
                         condition=Q(completed_on__isnull=True, paused_on__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"

    @property
    def is_running(self) -> bool:
        return self.completed_on is None and self.paused_on is None


class Record(models.Model):
    """A written record made in the case: oral application, investigation, home visit, follow-up visit."""

    class Kind(models.TextChoices):
        ORAL_APPLICATION = "oral_application", "口头申请笔录"
        INVESTIGATION = "investigation", "调查笔录"
        HOME_VISIT = "home_visit", "走访记录"
        NOTIFICATION = "notification", "告知记录"
        SERVICE = "service", "送达记录"
        FOLLOW_UP = "follow_up", "回访记录"

    case = models.ForeignKey(AidCase, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField("类型", max_length=30, choices=Kind.choices)
    held_on = models.DateField("日期")
    place = models.CharField("地点", max_length=120, blank=True)
    participants = models.CharField("参加人员", max_length=200, blank=True)
    content = models.TextField("内容")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    # An interpreter, when the person spoke through one (issue 16): ID encrypted, shown masked.
    interpreter_name = models.CharField("翻译人员", max_length=50, blank=True)
    interpreter_id_number = EncryptedTextField("翻译人员身份证号码", context="cases.record.interpreter_id_number")
    interpreter_id_masked = models.CharField("翻译人员身份证号码（脱敏）", max_length=18, blank=True, editable=False)
    interpreter_language = models.CharField("翻译语言", max_length=10, blank=True,
                                            choices=[("bo", "藏语"), ("other", "其他语言")])

    class Meta:
        verbose_name = "笔录/记录"
        verbose_name_plural = "笔录/记录"
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class ReviewOpinion(models.Model):
    """The procurator's review opinion: category, each refusal ground checked, proposal."""

    class Recommendation(models.TextChoices):
        GRANT = "grant", "建议救助"
        REFUSE = "refuse", "建议不予救助"

    case = models.ForeignKey(AidCase, on_delete=models.CASCADE, related_name="opinions")
    category = models.CharField("救助情形", max_length=2, choices=Category.choices)
    # {"X1": {"present": false, "note": "…"}, …}: every ground X1–X6 checked, with reasoning.
    grounds = models.JSONField("不予救助情形审查")
    recommendation = models.CharField("审查意见", max_length=10, choices=Recommendation.choices)
    proposed_amount = models.DecimalField("拟救助金额(元)", max_digits=12, decimal_places=2, null=True, blank=True)
    reasoning = models.TextField("理由")
    # The amount check at submission: the cap (months × the province's wage base of the year before),
    # whether the proposal exceeds it and why that is justified (突破限额), and the calculator's inputs.
    cap_yuan = models.DecimalField("救助限额(元)", max_digits=12, decimal_places=2, null=True, blank=True)
    over_cap = models.BooleanField("突破限额", default=False)
    exceed_cap_reason = models.TextField("突破限额理由", blank=True)
    calculation = models.JSONField("金额测算", default=dict, blank=True)
    # Earlier aid found for the same person or the same original case (one aid per person per case).
    duplicates = models.JSONField("重复救助检查", default=list, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="承办人", on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField("提交时间")

    class Meta:
        verbose_name = "审查意见"
        verbose_name_plural = "审查意见"
        ordering = ["case", "-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(recommendation="grant") | Q(proposed_amount__gt=0),
                name="cases_reviewopinion_grant_has_amount", violation_error_message="建议救助须填写拟救助金额。"),
            models.CheckConstraint(
                condition=Q(over_cap=False) | ~Q(exceed_cap_reason=""),
                name="cases_reviewopinion_over_cap_has_reason", violation_error_message="突破限额须写明理由。"),
        ]

    def __str__(self) -> str:
        return f"{self.get_recommendation_display()} {self.proposed_amount or ''}"

    @property
    def grounds_present(self) -> list[str]:
        return sorted(code for code, v in self.grounds.items() if v.get("present"))


class ApprovalStep(models.Model):
    """One step of the approval route of an opinion; the last step is the decision itself."""

    COLLECTIVE = "collective"  # the collective decision (检察长办公会 / 检察委员会)

    class Status(models.TextChoices):
        WAITING = "waiting", "未到"  # an earlier step has not been taken yet
        PENDING = "pending", "待审批"  # the current step
        APPROVED = "approved", "同意"
        RETURNED = "returned", "退回"  # sent back for revision; later steps are cancelled
        CANCELLED = "cancelled", "撤销"

    case = models.ForeignKey(AidCase, on_delete=models.CASCADE, related_name="approval_steps")
    opinion = models.ForeignKey(ReviewOpinion, on_delete=models.CASCADE, related_name="steps")
    seq = models.PositiveSmallIntegerField("顺序")
    role = models.CharField("审批人", max_length=20)  # accounts.Role code, or "collective"
    label = models.CharField("审批环节", max_length=30)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.WAITING)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    acted_at = models.DateTimeField("审批时间", null=True, blank=True)
    comment = models.TextField("审批意见", blank=True)
    # A collective decision is recorded with its meeting.
    meeting_date = models.DateField("会议日期", null=True, blank=True)
    attendees = models.CharField("参会人员", max_length=300, blank=True)
    minutes = models.TextField("会议纪要", blank=True)

    class Meta:
        verbose_name = "审批环节"
        verbose_name_plural = "审批环节"
        ordering = ["case", "opinion", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["opinion", "seq"], name="cases_approvalstep_unique_seq",
                                    violation_error_message="审批环节顺序重复。"),
            models.UniqueConstraint(fields=["case"], condition=Q(status="pending"),
                                    name="cases_approvalstep_one_pending",
                                    violation_error_message="同一案件只能有一个待审批环节。"),
            models.CheckConstraint(
                condition=~Q(role="collective", status="approved")
                | Q(meeting_date__isnull=False) & ~Q(minutes=""),
                name="cases_approvalstep_collective_has_meeting",
                violation_error_message="集体研究须记录会议日期和纪要。"),
        ]

    def __str__(self) -> str:
        return f"{self.seq}. {self.label} {self.get_status_display()}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    return f"cases/{instance.case_id}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A file in the case (application materials, evidence); kept outside public paths."""

    class Kind(models.TextChoices):
        APPLICATION = "application", "申请书"
        IDENTITY = "identity", "身份证明"
        HARM = "harm", "损害证明（伤情、诊断、医疗票据、死亡证明等）"
        HARDSHIP = "hardship", "生活困难证明"
        COMPENSATION = "compensation", "获得赔偿或救助情况证明"
        RELATIONSHIP = "relationship", "关系证明/授权委托书"
        RECORD = "record", "笔录"
        OTHER = "other", "其他材料"

    case = models.ForeignKey(AidCase, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("材料类型", max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    note = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "案件材料"
        verbose_name_plural = "案件材料"
        ordering = ["case", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class CaseNumberSequence(models.Model):
    """The last case number issued per procuratorate and year (rows are locked while issuing)."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "案件编号序列"
        verbose_name_plural = "案件编号序列"
        ordering = ["org", "year"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="cases_casenumbersequence_unique",
                                    violation_error_message="序列已存在。"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id}/{self.year}: {self.last}"
