"""Timing pages in-process with Django's test client, against the floor of a bare template view."""

from __future__ import annotations

import contextlib
import gc
import statistics
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accordo.bench import dossier_seed, seed
from accordo.clients.models import Label
from accordo.core import pagecache
from accordo.dossier.models import Folder
from accordo.testing.oracles import organisations_for_staff

GATE_RATIO = 1.5
WARMUP = 20


@dataclass
class Page:
    name: str
    url: str
    who: str  # "staff" or "client"
    gated: bool = False
    rows: int | None = None
    cold: bool = False  # rendered afresh every time: the page cache bypassed


@dataclass
class Result:
    name: str
    p50_ms: float
    p95_ms: float
    queries: int
    ratio_to_floor: float
    gated: bool
    rows: int | None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "queries": self.queries,
            "ratio_to_floor": self.ratio_to_floor,
            "gated": self.gated,
        }
        if self.rows is not None:
            data["rows"] = self.rows
        return data


def pages(data: seed.Dataset) -> list[Page]:
    """The measured pages; the floor comes first."""
    from accordo.bench import board_bench  # it builds on this module's Page

    org_list = reverse("staff:organisation_list")
    label = Label.objects.get(name=seed.FILTER_LABEL)
    public_id = data.organisation.public_id
    folder = Folder.objects.get(organisation=data.organisation, name=dossier_seed.FOLDER)

    def matching(**filters: str) -> int:
        return organisations_for_staff(**filters).count()

    return [
        Page("floor", reverse("bench_floor"), "staff"),
        Page("staff_organisation_list", org_list, "staff", gated=True, rows=matching()),
        Page("staff_organisation_list_cold", org_list, "staff", rows=matching(), cold=True),
        Page(
            "staff_organisation_search_common",
            f"{org_list}?q={seed.COMMON_TERM}",
            "staff",
            rows=matching(query=seed.COMMON_TERM),
            cold=True,
        ),
        Page(
            "staff_organisation_search_rare",
            f"{org_list}?q={seed.RARE_TERM}",
            "staff",
            rows=matching(query=seed.RARE_TERM),
            cold=True,
        ),
        Page(
            "staff_organisation_filter_tier_label",
            f"{org_list}?tier={seed.FILTER_TIER}&label={label.public_id}",
            "staff",
            rows=matching(tier=seed.FILTER_TIER, label=str(label.public_id)),
            cold=True,
        ),
        Page("client_home", reverse("portal:home"), "client", gated=True, rows=3),
        Page("staff_organisation_detail", reverse("staff:organisation_detail", args=[public_id]), "staff"),
        Page("staff_organisation_timeline", reverse("staff:organisation_timeline", args=[public_id]), "staff"),
        Page("staff_dossier_folder", reverse("dossier:staff_folder", args=[folder.public_id]), "staff", rows=1000),
        Page("client_dossier_folder", reverse("dossier:client_folder", args=[folder.public_id]), "client", rows=1000),
        Page("staff_delivery_queue", reverse("deliveries:staff_queue"), "staff"),
        *approval_pages(data),
        *board_bench.pages(data),
    ]


def approval_pages(data: seed.Dataset) -> list[Page]:
    """The staff overview of every approval (warm from the page cache: gated; and cold), filtered, the outbox."""
    from accordo.approvals.models import Submission
    from accordo.approvals.selectors import ApprovalFilters, approvals_overview

    overview = reverse("approvals_staff:overview")

    def matching(**filters: Any) -> int:
        return approvals_overview(ApprovalFilters(**filters)).count()

    everything = matching()
    return [
        Page("staff_approvals_overview", overview, "staff", gated=True, rows=everything),
        Page("staff_approvals_overview_cold", overview, "staff", rows=everything, cold=True),
        Page(
            "staff_approvals_waiting_overdue",
            f"{overview}?status=offered&due=overdue",
            "staff",
            rows=matching(status="offered", due="overdue"),
            cold=True,
        ),
        Page(
            "staff_approvals_mine_ib",
            f"{overview}?type=ib&assignee={data.staff.public_id}",
            "staff",
            rows=matching(type="ib", assignee=data.staff),
            cold=True,
        ),
        Page("staff_approvals_outbox", reverse("approvals_staff:outbox"), "staff", rows=Submission.objects.count()),
    ]


def _get(client: Client, url: str, *, cold: bool = False) -> float:
    with pagecache.bypassed() if cold else contextlib.nullcontext():
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code} (expected 200)")
    return elapsed


def run(data: seed.Dataset, *, requests: int, log: Any = print) -> list[Result]:
    """Warm up every page, then time them round-robin so drift hits all pages alike."""
    clients = {"staff": Client(), "client": Client()}
    clients["staff"].force_login(data.staff)
    clients["client"].force_login(data.client)
    measured = pages(data)
    queries: dict[str, int] = {}
    warmup = min(WARMUP, 2 * requests)  # tiny runs (the test) stay quick
    for page in measured:
        client = clients[page.who]
        for _ in range(warmup):
            _get(client, page.url, cold=page.cold)
        with CaptureQueriesContext(connection) as captured:
            _get(client, page.url, cold=page.cold)
        queries[page.name] = len(captured.captured_queries)
    timings: dict[str, list[float]] = {page.name: [] for page in measured}
    # As timeit does: no garbage collection inside a timed request (a pause lands on whichever page
    # runs when it falls due, usually after another page made the garbage); a full one between
    # rounds, and each round starts at another page so none is always the first after it.
    for i in range(requests):
        gc.collect()
        gc.disable()
        try:
            for page in measured[i % len(measured) :] + measured[: i % len(measured)]:
                timings[page.name].append(_get(clients[page.who], page.url, cold=page.cold) * 1000)
        finally:
            gc.enable()
        if log and (i + 1) % 50 == 0:
            log(f"  {i + 1}/{requests} rounds")
    floor_p95 = _p95(timings["floor"])
    return [
        Result(
            name=page.name,
            p50_ms=round(statistics.median(timings[page.name]), 3),
            p95_ms=round(_p95(timings[page.name]), 3),
            queries=queries[page.name],
            ratio_to_floor=round(_p95(timings[page.name]) / floor_p95, 2),
            gated=page.gated,
            rows=page.rows,
        )
        for page in measured
    ]


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def table(results: list[Result]) -> str:
    header = f"{'name':<38} {'p50_ms':>8} {'p95_ms':>8} {'queries':>8} {'ratio_to_floor':>15} {'rows':>7}"
    lines = [header, "-" * len(header)]
    for r in results:
        gate = " *" if r.gated else ""
        rows = "" if r.rows is None else str(r.rows)
        lines.append(
            f"{r.name + gate:<38} {r.p50_ms:>8.2f} {r.p95_ms:>8.2f} {r.queries:>8} {r.ratio_to_floor:>15.2f} {rows:>7}"
        )
    lines.append(f"* gated: p95 must be at most {GATE_RATIO} x the floor's p95")
    return "\n".join(lines)


def failures(results: list[Result]) -> list[Result]:
    floor = next(r for r in results if r.name == "floor")
    return [r for r in results if r.gated and r.p95_ms > GATE_RATIO * floor.p95_ms]
