"""Revealing a case party's personal data: only within the case scope, only with a reason, always audited.

Personal data is masked on every screen; a user with REVEAL_PII may see one field of a person who is a
party to a case they may see, after giving a reason (audit.record_reveal). Contact and bank details
another procuratorate entered for its own case stay hidden from a user who cannot see that case.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.models import Capability, User
from jiuzhu.audit.actions import record_reveal
from jiuzhu.cases.access import cases_visible_to
from jiuzhu.cases.models import AidCase
from jiuzhu.people.models import Person

REVEALABLE = {"id_number": "身份证号码", "phone": "联系电话", "address": "住址", "bank_account": "银行账号"}


def has_cases_outside(person: Person, user: User) -> bool:
    mine = cases_visible_to(user).filter(parties__person=person).values("pk")
    return AidCase.objects.filter(parties__person=person).exclude(pk__in=mine).exists()


def reveal(person: Person, field: str, *, acting_user: User, reason: str, case: Any = None) -> str:
    """Return the full value of a personal-data FIELD and record who saw it, when and why."""
    if field not in REVEALABLE:
        raise ValidationError("该信息不能查看。")
    if not has_capability(acting_user, Capability.REVEAL_PII):
        raise PermissionDenied("您没有查看完整个人信息的权限。")
    # The person must be a party to a case this user may see (the reveal enforces its own scope).
    visible = cases_visible_to(acting_user).filter(parties__person=person)
    if case is not None:
        visible = visible.filter(pk=case.pk)
    if not visible.exists():
        raise PermissionDenied("该当事人不在您的办案范围内。")
    # Contact and bank details may have been entered by another procuratorate for another case: they
    # are shown only to a user who may see every case of this person. (The ID number is what the
    # user's own case was registered with.)
    if field != "id_number" and has_cases_outside(person, acting_user):
        raise PermissionDenied("该当事人的联系方式由其他检察院登记，您无权查看。")
    if not reason.strip():
        raise ValidationError("请填写查看理由。")
    record_reveal(acting_user=acting_user, person=person, field=field, reason=reason.strip(), case=case)
    return str(getattr(person, field))
