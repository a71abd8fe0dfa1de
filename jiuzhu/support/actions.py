"""Support actions: every write goes through here, in one transaction with its audit row."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from jiuzhu.accounts.access import can_write_case, has_capability
from jiuzhu.accounts.models import Capability, User
from jiuzhu.lib import clock
from jiuzhu.orgs.models import Organisation
from jiuzhu.support.models import Service, ServiceKind


def record_service(org: Organisation, *, acting_user: User, kind: str, provided_on: dt.date,
                   person_times: int = 1, case=None, provider: str = "", notes: str = "") -> Service:
    """Record person-times of a service given by (or through) ORG, for CASE when there is one."""
    if case is not None:
        if case.handling_org_id != org.pk or not can_write_case(acting_user, case):
            raise PermissionDenied("您无权为该案件登记帮扶服务。")
    elif not has_capability(acting_user, Capability.HANDLE_CASES, org):
        raise PermissionDenied("您无权为该检察院登记帮扶服务。")
    if kind not in ServiceKind.values:
        raise ValidationError({"kind": "请选择服务类型。"})
    if person_times < 1:
        raise ValidationError({"person_times": "服务人次至少为1。"})
    if provided_on > clock.today():
        raise ValidationError({"provided_on": "服务日期不能晚于今天。"})
    with transaction.atomic():
        service = Service.objects.create(org=org, case=case, kind=kind, provided_on=provided_on,
                                         person_times=person_times, provider=provider, notes=notes,
                                         recorded_by=acting_user)
        if case is not None:
            from jiuzhu.cases.actions import _event

            _event(case, "record_service", acting_user=acting_user, note=f"{service.get_kind_display()}"
                   f" {person_times}人次", kind_code=kind, provided_on=provided_on, service=service.pk)
    return service
