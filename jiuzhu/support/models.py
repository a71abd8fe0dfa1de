"""Support beyond the money (domain.md §10): services given to aided people ("1+N").

A service is counted in person-times (人次) and belongs to the procuratorate that recorded it; the
statistics (contracts §4 `services`) sum person-times by kind over the services dated in a period.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


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
