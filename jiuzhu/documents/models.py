"""Official documents of an aid case (domain.md §7): templates, 文号 sequences, issued documents, service.

An issued document is frozen: its .docx is rendered once, stored with its SHA-256 and never rendered
again. A correction issues a new version that points at the old one, which becomes superseded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from jiuzhu.people.fields import EncryptedTextField


class Kind(models.TextChoices):
    """The documents Jiuzhu produces, with their domain.md §7 ids."""

    NOTICE = "notice", "国家司法救助告知书"  # D1: the right to apply; served on the person notified
    ORAL_RECORD = "oral_record", "口头申请笔录"  # D3: record of an oral application; signed by the applicant
    MATERIALS_LIST = "materials_list", "申请材料清单"  # D4: receipt for the materials handed in
    SUPPLEMENT_NOTICE = "supplement_notice", "补正通知书"  # D5: what is missing; 30 days to supplement
    ACCEPTANCE_NOTICE = "acceptance_notice", "受理通知书"  # D6: the application is accepted
    REVIEW_REPORT = "review_report", "审查报告"  # D10: the procurator's report, X1–X6 and the amount
    APPROVAL_FORM = "approval_form", "审批表"  # D11: internal approval sheet
    GRANT_DECISION = "grant_decision", "国家司法救助决定书"  # D12: the decision to grant aid
    REFUSAL_DECISION = "refusal_decision", "不予救助决定书"  # D13: the refusal, with grounds and explanation
    SERVICE_RECEIPT = "service_receipt", "送达回证"  # D14: signed by whoever receives a served document
    PAYMENT_RECEIPT = "payment_receipt", "救助金领取凭证"  # D15: signed by the payee
    ENTRUSTMENT_AGREEMENT = "entrustment_agreement", "资金代管委托协议"  # D16: procuratorate, guardian, custodian
    REFERRAL_LETTER = "referral_letter", "转介移送函"  # "1+N": to a partner agency, minimum personal data


# Kinds that carry a 文号: the documents the procuratorate sends out in its own name (notices and
# decisions). Records, lists, internal reports and forms, and receipts carry the case number only.
NUMBERED_KINDS = frozenset({Kind.NOTICE, Kind.SUPPLEMENT_NOTICE, Kind.ACCEPTANCE_NOTICE, Kind.GRANT_DECISION,
                            Kind.REFUSAL_DECISION, Kind.REFERRAL_LETTER})


def _template_path(instance: DocumentTemplate, filename: str) -> str:
    scope = f"org-{instance.org_id}" if instance.org_id else "national"
    return f"documents/templates/{scope}/{instance.kind}-v{instance.version}.docx"


def _docx_path(instance: IssuedDocument, filename: str) -> str:
    return f"documents/{instance.case_id}/{instance.kind}-{instance.docx_sha256}.docx"


def _pdf_path(instance: IssuedDocument, filename: str) -> str:
    return f"documents/{instance.case_id}/{instance.kind}-{instance.docx_sha256}.pdf"


class DocumentTemplate(models.Model):
    """A .docx (docxtpl placeholders) for one kind; org=None is the national default.

    The active template of the nearest organisation up the tree wins; an administrator replaces a
    template by uploading a new version, which becomes the active one (actions.upload_template).
    """

    kind = models.CharField("文书种类", max_length=30, choices=Kind.choices)
    org = models.ForeignKey("orgs.Organisation", verbose_name="适用机构", null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+",
                            help_text="留空为全国默认模板；指定检察院则适用于该院及其下级院")
    file = models.FileField("模板文件（.docx）", upload_to=_template_path, max_length=200)
    sha256 = models.CharField(max_length=64, editable=False)
    placeholders = models.JSONField("占位符", default=list, editable=False)
    version = models.PositiveIntegerField("版本", editable=False)
    note = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")  # null: built by the system
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "文书模板"
        verbose_name_plural = "文书模板"
        ordering = ["kind", "org", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], condition=Q(org__isnull=True),
                                    name="documents_documenttemplate_unique_national_version",
                                    violation_error_message="该文书的全国默认模板已有此版本。"),
            models.UniqueConstraint(fields=["kind", "org", "version"], condition=Q(org__isnull=False),
                                    name="documents_documenttemplate_unique_org_version",
                                    violation_error_message="该检察院的此种文书模板已有此版本。"),
            models.UniqueConstraint(fields=["kind"], condition=Q(org__isnull=True, is_active=True),
                                    name="documents_documenttemplate_one_active_national",
                                    violation_error_message="每种文书只能有一个启用的全国默认模板。"),
            models.UniqueConstraint(fields=["kind", "org"], condition=Q(org__isnull=False, is_active=True),
                                    name="documents_documenttemplate_one_active_per_org",
                                    violation_error_message="每个检察院的每种文书只能有一个启用的模板。"),
            models.CheckConstraint(condition=Q(version__gte=1), name="documents_documenttemplate_version_positive",
                                   violation_error_message="版本号从1开始。"),
        ]

    def __str__(self) -> str:
        scope = self.org.name if self.org_id and self.org else "全国默认"
        return f"{self.get_kind_display()}（{scope} 第{self.version}版）"


class NumberPattern(models.Model):
    """How an organisation's 文号 for one kind reads, e.g. `{short}检控救决〔{year}〕{n}号`.

    Looked up from the issuing procuratorate up the tree (nearest wins; org=None is the national
    row), else the built-in default of numbering.DEFAULT_PATTERNS.
    """

    org = models.ForeignKey("orgs.Organisation", verbose_name="适用机构", null=True, blank=True,
                            on_delete=models.CASCADE, related_name="+", help_text="留空为全国默认")
    kind = models.CharField("文书种类", max_length=30, choices=[(k.value, k.label) for k in Kind
                                                            if k in NUMBERED_KINDS])
    pattern = models.CharField("文号格式", max_length=80,
                               help_text="可用：{short} 机关代字，{year} 年份，{n} 序号，{code} 机构代码")

    class Meta:
        verbose_name = "文号格式"
        verbose_name_plural = "文号格式"
        ordering = ["kind", "org"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(org__isnull=True),
                                    name="documents_numberpattern_unique_national",
                                    violation_error_message="该文书已有全国默认文号格式。"),
            models.UniqueConstraint(fields=["org", "kind"], condition=Q(org__isnull=False),
                                    name="documents_numberpattern_unique_org",
                                    violation_error_message="该检察院的此种文书已有文号格式。"),
        ]

    def __str__(self) -> str:
        return self.pattern


class IssuerCode(models.Model):
    """The procuratorate's 机关代字 in its 文号 (山 for 山南市人民检察院); its own, never inherited."""

    org = models.OneToOneField("orgs.Organisation", verbose_name="检察院", on_delete=models.CASCADE,
                               related_name="+")
    code = models.CharField("机关代字", max_length=10)

    class Meta:
        verbose_name = "机关代字"
        verbose_name_plural = "机关代字"
        ordering = ["org"]

    def __str__(self) -> str:
        return self.code


class NumberSequence(models.Model):
    """The last 文号 serial used per procuratorate, year and kind; locked while a document is issued."""

    org = models.ForeignKey("orgs.Organisation", verbose_name="检察院", on_delete=models.PROTECT,
                            related_name="+")
    year = models.PositiveIntegerField("年份")
    kind = models.CharField("文书种类", max_length=30, choices=Kind.choices)
    last = models.PositiveIntegerField("已用最大序号", default=0)

    class Meta:
        verbose_name = "文号序列"
        verbose_name_plural = "文号序列"
        ordering = ["org", "-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "kind"], name="documents_numbersequence_unique",
                                    violation_error_message="该文号序列已存在。"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id}/{self.year}/{self.kind}: {self.last}"


class IssuedDocument(models.Model):
    """One version of one official document of a case, frozen with the hash of its files."""

    class Status(models.TextChoices):
        ISSUED = "issued", "有效"  # the current version
        SUPERSEDED = "superseded", "已更正作废"  # replaced by a correction; kept in the file

    case = models.ForeignKey("cases.AidCase", verbose_name="案件", on_delete=models.PROTECT,
                             related_name="documents")
    org = models.ForeignKey("orgs.Organisation", verbose_name="制发检察院", on_delete=models.PROTECT,
                            related_name="+")
    kind = models.CharField("文书种类", max_length=30, choices=Kind.choices)
    # What the document is about, when a case may have several of a kind ("opinion:12",
    # "event:40", "document:7", "instalment:2"); blank for a once-per-case document.
    subject = models.CharField(max_length=40, blank=True)
    number = models.CharField("文号", max_length=60, blank=True)
    serial = models.PositiveIntegerField("序号", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    replaces = models.OneToOneField("self", verbose_name="更正的文书", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="replaced_by")
    correction_reason = models.CharField("更正原因", max_length=200, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.ISSUED)
    docx = models.FileField("Word文件", upload_to=_docx_path, max_length=200)
    docx_sha256 = models.CharField(max_length=64)
    pdf = models.FileField("PDF文件", upload_to=_pdf_path, max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_converted_at = models.DateTimeField("PDF生成时间", null=True, blank=True)
    pdf_error = models.CharField("PDF生成错误", max_length=300, blank=True)
    template = models.ForeignKey(DocumentTemplate, verbose_name="模板", on_delete=models.PROTECT, related_name="+")
    # The fields the document was filled with; personal identifiers only masked (CONTRIBUTING:
    # never in clear in the database). `extra` is what the issuer typed in (payment method, …).
    context = models.JSONField("填充内容（脱敏）", default=dict)
    extra = models.JSONField("补充内容", default=dict, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="制作人", on_delete=models.PROTECT,
                                  related_name="+")
    issued_at = models.DateTimeField("制作时间")

    class Meta:
        verbose_name = "已制作文书"
        verbose_name_plural = "已制作文书"
        ordering = ["case", "issued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["org", "number", "version"], condition=~Q(number=""),
                                    name="documents_issueddocument_unique_number",
                                    violation_error_message="该检察院已使用此文号。"),
            models.UniqueConstraint(fields=["org", "number"], condition=Q(status="issued") & ~Q(number=""),
                                    name="documents_issueddocument_one_current_per_number",
                                    violation_error_message="此文号已有有效文书。"),
            # Never issue the same document twice: one current version per case, kind and subject.
            models.UniqueConstraint(fields=["case", "kind", "subject"], condition=Q(status="issued"),
                                    name="documents_issueddocument_one_current_per_subject",
                                    violation_error_message="本案已制作该文书；如需修改请更正。"),
            models.CheckConstraint(condition=Q(version__gte=1), name="documents_issueddocument_version_positive",
                                   violation_error_message="版本号从1开始。"),
            models.CheckConstraint(
                condition=Q(version=1, replaces__isnull=True) | Q(version__gt=1, replaces__isnull=False),
                name="documents_issueddocument_correction_links_previous",
                violation_error_message="更正版本须指向被更正的文书。"),
            models.CheckConstraint(
                condition=Q(kind__in=sorted(NUMBERED_KINDS)) | Q(number=""),
                name="documents_issueddocument_number_only_when_numbered",
                violation_error_message="该种文书不编文号。"),
            models.CheckConstraint(condition=~Q(docx_sha256=""), name="documents_issueddocument_has_hash",
                                   violation_error_message="文书须有校验值。"),
        ]
        indexes = [
            # documents_for_case(): the case page's list of documents.
            models.Index(fields=["case", "issued_at"], name="documents_issueddoc_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number or self.case_id} 第{self.version}版"

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.ISSUED


class ServiceRecord(models.Model):
    """How and when an issued document reached its recipient (D14, the signed 送达回证)."""

    class Method(models.TextChoices):
        DIRECT = "direct", "直接送达"  # handed to the recipient, who signs
        POST = "post", "邮寄送达（检察专递）"  # procuratorial express mail; the postal receipt is kept
        PROXY = "proxy", "代为签收"  # a family member or agent signs for the recipient
        ELECTRONIC = "electronic", "电子送达"  # with the recipient's consent

    document = models.ForeignKey(IssuedDocument, verbose_name="文书", on_delete=models.PROTECT,
                                 related_name="services")
    method = models.CharField("送达方式", max_length=20, choices=Method.choices)
    served_on = models.DateField("送达日期")
    recipient = models.CharField("受送达人", max_length=50)
    signer_name = models.CharField("签收人", max_length=50, blank=True)
    signer_relationship = models.CharField("签收人与受送达人关系", max_length=30, blank=True)
    signer_id_number = EncryptedTextField("签收人身份证号码", context="documents.servicerecord.signer_id_number")
    signer_id_masked = models.CharField("签收人身份证号码（脱敏）", max_length=18, blank=True, editable=False)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("登记时间")
    # An interpreter, when the person spoke through one (issue 16): ID encrypted, shown masked.
    interpreter_name = models.CharField("翻译人员", max_length=50, blank=True)
    interpreter_id_number = EncryptedTextField("翻译人员身份证号码", context="documents.servicerecord.interpreter_id_number")
    interpreter_id_masked = models.CharField("翻译人员身份证号码（脱敏）", max_length=18, blank=True, editable=False)
    interpreter_language = models.CharField("翻译语言", max_length=10, blank=True,
                                            choices=[("bo", "藏语"), ("other", "其他语言")])

    class Meta:
        verbose_name = "送达记录"
        verbose_name_plural = "送达记录"
        ordering = ["document", "served_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="proxy") | (~Q(signer_name="") & ~Q(signer_relationship="")),
                name="documents_servicerecord_proxy_has_signer",
                violation_error_message="代为签收须写明签收人及其与受送达人的关系。"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.served_on}"
