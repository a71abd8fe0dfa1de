"""Forms of the statistics screens (shape only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from jiuzhu.lib import clock
from jiuzhu.lib.dates import DateField


class PeriodForm(forms.Form):
    """The period and scope picker; the scope choices are the user's procuratorates only."""

    org = forms.ChoiceField(label="统计范围")
    start = DateField(label="起始日期", past=False)
    end = DateField(label="截止日期", past=False)
    compare_start = DateField(label="对比期间自", required=False, past=False)
    compare_end = DateField(label="至", required=False, past=False, what="对比期间截止日期")

    def __init__(self, data: Any, *, orgs: list[Any]) -> None:
        today = clock.today()
        initial = {"org": orgs[0].code if orgs else "", "start": dt.date(today.year, 1, 1), "end": today}
        merged = {**{k: str(v) for k, v in initial.items()}, **{k: v for k, v in (data or {}).items() if v}}
        super().__init__(merged)
        self.fields["org"].choices = [(o.code, ("　" * (o.path.count("/") - 2)) + o.name) for o in orgs]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        if d.get("start") and d.get("end") and d["end"] < d["start"]:
            raise forms.ValidationError("截止日期不能早于起始日期。")
        a, b = d.get("compare_start"), d.get("compare_end")
        if bool(a) != bool(b):
            raise forms.ValidationError("对比期间须同时填写起止日期。")
        if a and b and b < a:
            raise forms.ValidationError("对比期间的截止日期不能早于起始日期。")
        return d


class LedgerUploadForm(forms.Form):
    file = forms.FileField(label="台账工作簿（.xlsx）")

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 Excel 工作簿（.xlsx）。")
        if f.size > 20 * 1024 * 1024:
            raise forms.ValidationError("文件超过20MB，请分年度拆分后导入。")
        return f
