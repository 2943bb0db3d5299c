"""How long generating the deadline calendars of every seeded organisation takes (goal: 10,000 in ≤ 5 s)."""

from __future__ import annotations

import time
from typing import Any

from accordo.core.context import RequestContext
from accordo.deadlines.models import OrganisationDeadline
from accordo.deadlines.services import calendars_generate_all

GOAL_SECONDS = 5.0


def measure() -> dict[str, Any]:
    """A fresh generation (no rows yet), then a second run that finds everything in place."""
    ctx = RequestContext.system("bench")
    OrganisationDeadline.objects.all().delete()
    started = time.perf_counter()
    counts = calendars_generate_all(actor=None, ctx=ctx)
    fresh = time.perf_counter() - started
    started = time.perf_counter()
    calendars_generate_all(actor=None, ctx=ctx)
    unchanged = time.perf_counter() - started
    return {
        "deadlines": counts.added,
        "seconds_fresh": round(fresh, 2),
        "seconds_unchanged": round(unchanged, 2),
        "goal_seconds": GOAL_SECONDS,
    }
