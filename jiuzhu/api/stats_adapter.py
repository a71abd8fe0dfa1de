"""The statistics of contracts §4 for the API: the same computation as `jiuzhu stats` and the screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiuzhu.orgs.models import Organisation


def compute(org: Organisation, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """Return the §4 object of ORG's scope for [DATE_FROM, DATE_TO]."""
    from jiuzhu.stats.queries import compute as stats

    return stats(org, date_from, date_to).as_json()
