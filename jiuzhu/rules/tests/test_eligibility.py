"""Eligibility categories, refusal grounds and key groups as data (domain.md §3, §4.1, §11)."""

from __future__ import annotations

import datetime as dt

from jiuzhu.cases.models import Category, Group, RefusalGround
from jiuzhu.rules import eligibility as el


def test_it_has_the_seven_categories_and_six_grounds_of_the_forms() -> None:
    assert list(el.CATEGORIES) == Category.values == ["E1", "E2", "E3", "E4", "E5", "E6", "E7"]
    assert list(el.GROUNDS) == RefusalGround.values == ["X1", "X2", "X3", "X4", "X5", "X6"]
    for c in el.CATEGORIES.values():
        assert c.conditions and c.text and "第七条" in c.basis
        assert c.reason() == el.Reason(c.code, f"{c.text}（{c.basis}）。")


def test_it_keeps_the_2016_and_2014_categories_for_older_cases() -> None:
    assert list(el.CATEGORIES_2016) == Category.values
    assert "危及生命" in el.CATEGORIES_2016["E2"].text and "危及生命" not in el.CATEGORIES["E2"].text
    assert len(el.CATEGORIES_2014) == 8 and "赡养费" in el.CATEGORIES_2014["O6"].text
    assert el.categories_in_force(dt.date(2015, 1, 1))[0] == "2014"
    assert el.categories_in_force(dt.date(2018, 1, 1))[0] == "2016"
    assert el.categories_in_force(dt.date(2021, 12, 31)) == ("2021", el.CATEGORIES)


def test_it_judges_eligible_unless_a_ground_is_present() -> None:
    assert el.judge("E3", []) == (True, [el.category_reason("E3")])
    eligible, reasons = el.judge("E3", ["X4", "X2"])
    assert not eligible and [r.code for r in reasons] == ["E3", "X2", "X4"]
    assert reasons[1].as_dict() == {"code": "X2", "text": "申请人无正当理由，拒绝配合查明案件事实，一般不予救助"
                                                         "（《人民检察院开展国家司法救助工作细则》第八条）。"}


def test_it_describes_every_person_category_as_a_key_group() -> None:
    assert set(el.KEY_GROUPS) == set(Group.values)
    assert len(el.KEY_GROUPS[Group.MINOR].subtypes) == 8
    assert [s.code for s in el.KEY_GROUPS[Group.WOMAN].subtypes] == ["W1", "W2", "W3", "W4", "W5", "W+1", "W+2"]
    assert [s.name for s in el.KEY_GROUPS[Group.MONITORED].subtypes] == ["脱贫不稳定户", "边缘易致贫户", "突发严重困难户"]
    assert [s.name for s in el.KEY_GROUPS[Group.DISABLED].subtypes] == ["一级", "二级", "三级", "四级"]
    assert len(el.RURAL_CATEGORIES) == 6
    assert set(el.RURAL_CATEGORY_GROUPS) == {s.code for s in el.RURAL_CATEGORIES}
    assert set(el.RURAL_CATEGORY_GROUPS.values()) <= set(Group.values)
    assert "息诉息访" in el.KEY_GROUPS[Group.PETITIONER].note
