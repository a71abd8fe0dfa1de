"""The statistics of contracts §4, computed by jiuzhu.stats (built separately; wired after the merge).

Expected call: `jiuzhu.stats.queries.compute(org, date_from, date_to) -> dict` (the §4 object).
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from jiuzhu.orgs.models import Organisation


class StatsUnavailable(Exception):
    pass


def compute(org: Organisation, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    try:
        queries = importlib.import_module("jiuzhu.stats.queries")
    except ImportError as e:
        raise StatsUnavailable("统计模块尚未启用。") from e
    fn = getattr(queries, "compute", None)
    if fn is None:
        raise StatsUnavailable("统计模块尚未启用。")
    return fn(org, date_from, date_to)
