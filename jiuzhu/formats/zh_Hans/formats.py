"""Simplified Chinese formats, with ISO dates first for input.

Django's zh_Hans locale puts "%Y/%m/%d" first in DATE_INPUT_FORMATS, and a date widget renders its value in the
first input format. `<input type=date>` accepts only yyyy-mm-dd and shows an empty field for "2026/12/03"
(issue 13). `jiuzhu.lib.dates.DateInput` already renders ISO; this makes every other date widget (the admin's,
a ModelForm's default, a widget a future form builds by hand) render ISO too. The other forms are still read.
Display formats (DATE_FORMAT: 2026年12月3日) stay Django's.
"""

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%n月%j日"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M:%S.%f",
    "%Y年%n月%j日 %H:%M", "%Y年%n月%j日 %H:%M:%S",
]
