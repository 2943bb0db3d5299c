"""Period labels of returns ("2025", "2025-Q3", "2025-07") and the dates they cover."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})\s*[-/ ]?\s*[QqKk]([1-4])$")
_MONTH = re.compile(r"^(\d{4})\s*[-/]\s*(\d{1,2})$")


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime.date
    end: datetime.date


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def period_parse(text: str) -> Period | None:
    """The period a label names: a year, a quarter (2025-Q3, 2025 K3) or a month (2025-07); None if not."""
    text = (text or "").strip()
    if m := _YEAR.match(text):
        year = int(m[1])
        return Period(str(year), datetime.date(year, 1, 1), datetime.date(year, 12, 31)) if year >= 1900 else None
    if m := _QUARTER.match(text):
        year, quarter = int(m[1]), int(m[2])
        first = 3 * quarter - 2
        return Period(f"{year}-Q{quarter}", datetime.date(year, first, 1), _month_end(year, first + 2))
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            return None
        return Period(f"{year}-{month:02d}", datetime.date(year, month, 1), _month_end(year, month))
    return None
