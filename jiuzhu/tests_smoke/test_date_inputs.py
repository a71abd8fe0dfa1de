"""Every date input renders its value as yyyy-mm-dd (issue 13).

`<input type=date>` accepts only an ISO value; Chromium shows an empty field for "2026/12/03", which is what
Django's zh_Hans locale wrote as the first input format. This walks every form class of the project (any module,
any app), renders each of its date fields with a date and with the field's own initial value, and checks the ISO
value, the date input type and the one date policy (`jiuzhu.lib.dates.DateField`). The admin's date widget and a
bare Django DateInput (what a ModelForm builds) render ISO too, through jiuzhu/formats/.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import re

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.utils import formats, translation

import jiuzhu
from jiuzhu.lib import dates

SKIP = re.compile(r"(^jiuzhu\.(settings.*|wsgi|manage|conftest|testing)$)|(\.tests(\.|$))|(\.migrations(\.|$))"
                  r"|(\.management\.commands\.)")
DAY = dt.date(2026, 12, 3)


def _all_form_classes() -> list[type[forms.BaseForm]]:
    for info in pkgutil.walk_packages(jiuzhu.__path__, "jiuzhu."):
        if not SKIP.search(info.name):
            importlib.import_module(info.name)
    seen: set[type] = set()
    todo: list[type] = [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return sorted((c for c in seen if c.__module__.startswith("jiuzhu.") and hasattr(c, "base_fields")),
                  key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _date_fields() -> list[tuple[str, str, forms.Field]]:
    out = []
    for cls in _all_form_classes():
        for name, field in cls.base_fields.items():  # type: ignore[attr-defined]
            if isinstance(field, forms.DateField):
                out.append((f"{cls.__module__}.{cls.__qualname__}", name, field))
    return out


def _value(html: str) -> str | None:
    found = re.search(r'\bvalue="([^"]*)"', html)
    return found.group(1) if found else None


def test_it_finds_the_date_fields_of_every_app() -> None:
    fields = _date_fields()
    apps = {where.split(".")[1] for where, _, _ in fields}
    # The forms the issue names are among them, and every app with dates.
    names = {(where.rsplit(".", 1)[1], name) for where, name, _ in fields}
    assert {("ServiceForm", "provided_on"), ("VisitForm", "held_on"), ("MeasureForm", "taken_on"),
            ("PartnerClueForm", "on")} <= names
    assert {"cases", "funds", "custody", "support", "documents", "stats"} <= apps
    assert len(fields) >= 40


@pytest.mark.parametrize(("where", "name", "field"), _date_fields(), ids=lambda x: x if isinstance(x, str) else "")
def test_it_renders_every_date_field_as_an_iso_date_input(where: str, name: str, field: forms.Field) -> None:
    with translation.override("zh-hans"):
        assert isinstance(field, dates.DateField), f"{where}.{name} is not jiuzhu.lib.dates.DateField"
        html = field.widget.render(name, field.prepare_value(DAY))
        assert 'type="date"' in html, html
        assert _value(html) == "2026-12-03", html
        initial = field.initial() if callable(field.initial) else field.initial
        if initial is not None:
            html = field.widget.render(name, field.prepare_value(initial))
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", _value(html) or ""), html
            assert _value(html) == initial.isoformat()


def test_it_renders_iso_in_other_date_widgets_and_still_reads_slashes() -> None:
    with translation.override("zh-hans"):
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%Y-%m-%d"
        assert _value(forms.DateInput().render("d", DAY)) == "2026-12-03"
        assert _value(AdminDateWidget().render("d", DAY)) == "2026-12-03"
        assert forms.DateField().clean("2026/12/03") == DAY
        assert dates.DateField(past=False).clean("2026-12-03") == DAY
        # The display format stays Chinese.
        assert formats.date_format(DAY) == "2026年12月3日"


@pytest.mark.django_db
def test_it_renders_iso_in_the_admin_forms_of_models_with_dates(rf, admin_user) -> None:
    request = rf.get("/admin/")
    request.user = admin_user
    checked = 0
    with translation.override("zh-hans"):
        for model, model_admin in admin.site._registry.items():
            date_fields = [f.name for f in model._meta.get_fields()
                           if getattr(f, "get_internal_type", lambda: "")() == "DateField" and f.editable]
            if not date_fields:
                continue
            for name in date_fields:
                db_field = model._meta.get_field(name)
                formfield = model_admin.formfield_for_dbfield(db_field, request=request)
                if formfield is None:
                    continue
                assert _value(formfield.widget.render(name, DAY)) == "2026-12-03", (model, name)
                checked += 1
    assert checked >= 5
