"""The worklist filter's select, rendered in Python, is the HTML Django's templates render."""

from __future__ import annotations

from django import forms
from django.test.html import parse_html
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.cases.forms import QuickSelect, WorklistFilter

labels = st.text(alphabet=st.sampled_from("甲乙拉萨县院<>&\"' ab1"), min_size=0, max_size=8)


@settings(deadline=None)  # the first example loads Django's form templates
@given(st.lists(labels, min_size=1, max_size=6), st.integers(-1, 6), st.booleans())
def test_it_renders_what_djangos_select_renders(names, chosen, invalid) -> None:
    choices = [("", "全部")] + [(str(i), name) for i, name in enumerate(names)]
    value = str(chosen) if chosen >= 0 else None
    attrs = {"id": "id_org", "class": "form-select" + (" is-invalid" if invalid else "")}
    django = forms.Select(choices=choices).render("org", value, attrs=attrs)
    quick = QuickSelect(choices=choices).render("org", value, attrs=attrs)
    assert parse_html(quick) == parse_html(django)


def test_the_worklist_filter_uses_it_and_keeps_the_choice() -> None:
    html = str(WorklistFilter({"status": "paid", "org": ""}, orgs=[]).as_div())
    assert '<option value="paid" selected>已发放</option>' in html or '<option value="paid" selected>' in html
    assert all(isinstance(WorklistFilter(orgs=[]).fields[f].widget, QuickSelect) for f in ("view", "status", "org", "group"))
