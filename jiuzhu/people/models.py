"""Persons: applicants, victims, agents, legal representatives and family members."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from jiuzhu.people import idcard
from jiuzhu.people.fields import EncryptedTextField


class Person(models.Model):
    """A natural person; the resident ID number (through its blind index) is their identity."""

    class Sex(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    # Search by name (cases.queries.search, name LIKE '%…%'): person_name_trgm_idx, a GIN trigram index that
    # people 0002 makes on PostgreSQL only (so it is not in Meta.indexes).
    name = models.CharField("姓名", max_length=50)
    id_number = EncryptedTextField("身份证号码", context="people.person.id_number")
    # HMAC of the ID number: finds the same person (one aid per person per case) and powers search.
    id_number_bidx = models.CharField(max_length=64, null=True, blank=True, editable=False)
    # Area code and last four characters only, so lists never decrypt (540521********123X).
    id_number_masked = models.CharField("身份证号码（脱敏）", max_length=18, blank=True, editable=False)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    phone = EncryptedTextField("联系电话", context="people.person.phone")
    address = EncryptedTextField("住址", context="people.person.address")
    household_registration = models.CharField("户籍所在地（县级）", max_length=60, blank=True)
    bank_name = models.CharField("开户银行", max_length=60, blank=True)
    bank_account = EncryptedTextField("银行账号", context="people.person.bank_account")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "当事人"
        verbose_name_plural = "当事人"
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_bidx"], condition=Q(id_number_bidx__isnull=False),
                name="people_person_unique_id_number",
                violation_error_message="已有相同身份证号码的当事人。",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def age_on(self, day: dt.date) -> int | None:
        return idcard.age_on(self.birth_date, day) if self.birth_date else None

    def is_minor_on(self, day: dt.date) -> bool:
        age = self.age_on(day)
        return age is not None and age < 18

    @property
    def is_minor(self) -> bool:
        from jiuzhu.lib.clock import today

        return self.is_minor_on(today())

    @property
    def display_name(self) -> str:
        """The name as lists show it: a minor's is masked everywhere but the case file."""
        return idcard.mask_name(self.name) if self.is_minor else self.name
