from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from jiuzhu.orgs.models import Organisation
from jiuzhu.support.actions import record_service
from jiuzhu.support.models import Service, ServiceKind

pytestmark = pytest.mark.django_db


def test_record_service_on_a_case_adds_an_event(world):
    case = world.to("accepted", "540528")
    user = world.user("540528", "kongshen")
    service = record_service(case.handling_org, acting_user=user, case=case, kind=ServiceKind.COUNSELLING,
                             provided_on=case.raised_on, person_times=2, provider="心理咨询师")
    assert service.person_times == 2
    assert case.events.filter(action="record_service").count() == 1


def test_record_service_refuses_bad_input_and_other_orgs(world):
    case = world.to("accepted", "540528")
    outsider = world.user("540527", "kongshen")
    with pytest.raises(PermissionDenied):
        record_service(case.handling_org, acting_user=outsider, case=case, kind=ServiceKind.LEGAL,
                       provided_on=dt.date(2026, 11, 2))
    user = world.user("540528", "kongshen")
    with pytest.raises(ValidationError):
        record_service(case.handling_org, acting_user=user, case=case, kind="massage",
                       provided_on=dt.date(2026, 11, 2))
    with pytest.raises(ValidationError):
        record_service(case.handling_org, acting_user=user, case=case, kind=ServiceKind.LEGAL,
                       provided_on=dt.date(2026, 11, 2), person_times=0)
    assert not Service.objects.exists()


def test_demo_holds_the_seeds_services(demo_loaded):
    period = Service.objects.filter(provided_on__range=(dt.date(2018, 1, 1), dt.date(2023, 6, 7)),
                                    org__path__startswith=Organisation.objects.get(code="540500").path)
    totals = dict(period.values_list("kind").annotate(n=Sum("person_times")))
    assert totals == {ServiceKind.COUNSELLING: 2, ServiceKind.LEGAL: 14}
