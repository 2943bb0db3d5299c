"""Progress against the tax advisers' extension scheme (uitstelregeling belastingconsulenten).

Under the scheme a firm may file its clients' IB and VPB returns of year T after the normal
deadline, provided a growing share of them is filed by fixed dates. The milestones below are the
ones the issue gives ("30 % by the end of August T+1 rising to 100 % by the end of April T+2") with
the intermediate steps of the Belastingdienst's published scheme as summarised by Taxence
(https://taxence.nl/?p=54280, "Beconregeling"); the same milestones are used for VPB. Firms should
check each year's letter from the Belastingdienst: the percentages can change.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from accordo.filings.models import ReturnType, TaxReturn

# (month, day, year offset from T, cumulative share of the year's returns filed by then)
MILESTONES: tuple[tuple[int, int, int, Decimal], ...] = (
    (8, 31, 1, Decimal("0.30")),
    (10, 31, 1, Decimal("0.50")),
    (12, 31, 1, Decimal("0.75")),
    (4, 30, 2, Decimal("1.00")),
)
SCHEME_TYPES = (ReturnType.IB, ReturnType.VPB)


@dataclass(frozen=True)
class Milestone:
    date: datetime.date
    target: Decimal
    filed: int
    share: Decimal | None  # None when there are no returns
    state: str  # "on_track", "behind", "upcoming"


@dataclass(frozen=True)
class TypeProgress:
    type: str
    label: str
    total: int
    filed_now: int
    milestones: list[Milestone]


def _share(filed: int, total: int) -> Decimal | None:
    return (Decimal(filed) / Decimal(total)).quantize(Decimal("0.001")) if total else None


def scheme_progress(year: int, *, today: datetime.date) -> list[TypeProgress]:
    """Per type (IB, VPB) of year ``year``: how many returns are filed by each milestone (one query)."""
    dates = [datetime.date(year + offset, month, day) for month, day, offset, _target in MILESTONES]
    counts = {
        f"by{i}": Count("id", filter=Q(submitted_on__isnull=False, submitted_on__lte=min(d, today)))
        for i, d in enumerate(dates)
    }
    rows = {
        row["type"]: row
        for row in TaxReturn.objects.filter(type__in=SCHEME_TYPES, period_start__year=year)
        .values("type")
        .annotate(total=Count("id"), filed=Count("id", filter=Q(submitted_on__isnull=False)), **counts)
        .order_by()
    }
    result = []
    for kind in SCHEME_TYPES:
        row = rows.get(kind.value, {})
        total = row.get("total", 0)
        milestones = []
        next_seen = False
        for i, (d, (_m, _d, _o, target)) in enumerate(zip(dates, MILESTONES, strict=True)):
            filed = row.get(f"by{i}", 0)
            share = _share(filed, total)
            if share is not None and share >= target:
                state = "on_track"
            elif d < today or not next_seen:
                state = "behind"
            else:
                state = "upcoming"
            if d >= today:
                next_seen = True
            milestones.append(Milestone(d, target, filed, share, state))
        result.append(TypeProgress(kind.value, str(kind.label), total, row.get("filed", 0), milestones))
    return result
