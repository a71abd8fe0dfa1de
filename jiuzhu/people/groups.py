"""The key groups a person may belong to (domain.md §11; the person categories of contracts §3).

Used by the rules (eligibility, the amount's factors), by the case's group tags and by the statistics.
"""

from __future__ import annotations

from django.db import models


class Group(models.TextChoices):
    """Key groups (domain.md §11; the person categories of contracts §3)."""

    WOMAN = "妇女", "妇女"
    MINOR = "未成年人", "未成年人"
    DISABLED = "残疾人", "残疾人"
    VETERAN = "退役军人", "退役军人"
    IMPOVERISHED = "因案致贫", "因案致贫"
    MONITORED = "防返贫监测对象", "防返贫监测对象"
    PETITIONER = "涉法涉诉信访人", "涉法涉诉信访人"
    RURAL = "农村困难群众", "农村困难群众"
    DIBAO = "低保户", "低保户"
    ELDERLY = "老年人", "老年人"
