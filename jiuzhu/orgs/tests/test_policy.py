"""Settings as data: per-procuratorate over per-province over the default; the admin validates."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jiuzhu.orgs.admin import OrgSettingForm
from jiuzhu.orgs.models import OrgSetting
from jiuzhu.orgs.policy import SETTINGS, get_setting, get_settings

KEY = "deadline.decision_working_days"


def test_it_falls_back_from_the_procuratorate_to_the_province_to_the_default(world) -> None:
    county, city, region = world.orgs["540528"], world.orgs["540500"], world.orgs["540000"]
    assert get_setting(county, KEY) == SETTINGS[KEY].default == 10
    OrgSetting.objects.create(org=region, key=KEY, value=15)
    assert get_setting(county, KEY) == 15
    OrgSetting.objects.create(org=city, key=KEY, value=12)
    assert get_setting(county, KEY) == 12
    OrgSetting.objects.create(org=county, key=KEY, value=8)
    assert get_settings(county, [KEY, "deadline.supplement_days"]) == {KEY: 8, "deadline.supplement_days": 30}
    assert get_setting(world.orgs["540527"], KEY) == 12


def test_it_refuses_a_stored_value_of_the_wrong_type(world) -> None:
    OrgSetting.objects.create(org=world.orgs["540528"], key=KEY, value="ten")
    with pytest.raises(ValidationError):
        get_setting(world.orgs["540528"], KEY)


@pytest.mark.parametrize(("value", "message"), [("0", "不能小于"), ('"ten"', "类型不正确"), ("true", "类型不正确")])
def test_the_admin_form_explains_a_bad_value(world, value, message) -> None:
    form = OrgSettingForm(data={"org": world.orgs["540000"].pk, "key": KEY, "value": value, "note": ""})
    assert not form.is_valid()
    assert message in str(form.errors["value"])


def test_the_admin_form_accepts_a_good_value(world) -> None:
    form = OrgSettingForm(data={"org": world.orgs["540000"].pk, "key": KEY, "value": "12", "note": "省院通知"})
    assert form.is_valid(), form.errors
    assert form.save().value == 12
