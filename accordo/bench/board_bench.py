"""The planning board and the staff home at scale: 100,000 tasks over the bench's staff and clients.

``seed_tasks`` tops the task table up with one prepared INSERT per batch (model instances cost
several times as much); ``pages`` lists the pages ``measure.run`` times: the board (warm from the
page cache: gated; and cold), the board of one client, a column page and the staff home.
"""

from __future__ import annotations

import datetime
import random
import uuid
from typing import Any

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accordo.accounts.models import User
from accordo.bench.measure import Page
from accordo.clients.models import AssignmentRole, Organisation
from accordo.core.rawinsert import insert_rows
from accordo.work.models import Task
from accordo.work.selectors import BoardFilters, on_board, tasks_filtered

TASKS = 100_000
BATCH = 5_000
TITLES = [
    "BTW-aangifte controleren", "Jaarrekening samenstellen", "Loonaangifte indienen", "Bankmutaties verwerken",
    "Aangifte IB voorbereiden", "Vragen klant beantwoorden", "Inkoopfacturen boeken", "Vpb-aangifte reviewen",
    "KvK-deponering", "Beginbalans controleren", "ICP-opgaaf", "Afschrijvingen bijwerken",
]  # fmt: skip
# Weights of the columns: most work is open; done work spreads over two months (the board shows 14 days).
STATUSES = [Task.Status.OPEN] * 8 + [Task.Status.DOING] * 4 + [Task.Status.WAITING] * 3 + [Task.Status.DONE] * 5
COLUMNS = (
    "public_id", "created_at", "updated_at", "title", "organisation", "assignee", "assignee_role", "for_client",
    "due_date", "status", "target_type", "target_id", "done_at",
)  # fmt: skip


def _rows(rng: random.Random, count: int, staff: list[int], orgs: list[int]) -> list[tuple[Any, ...]]:
    now = timezone.now()
    today = timezone.localdate()
    ops = connection.ops
    public_id = Task._meta.get_field("public_id")
    days: dict[int, Any] = {}

    def day(offset: int) -> Any:
        if offset not in days:
            days[offset] = ops.adapt_datefield_value(today + datetime.timedelta(days=offset))
        return days[offset]

    stamp = ops.adapt_datetimefield_value(now)
    roles = AssignmentRole.values
    rows = []
    for n in range(count):
        status = rng.choice(STATUSES)
        unassigned = n % 10 == 0
        for_client = n % 20 == 7
        done_at = now - datetime.timedelta(days=rng.randint(0, 60), minutes=n % 1440) if status == "done" else None
        rows.append(
            (
                public_id.get_db_prep_value(uuid.uuid4(), connection),
                stamp,
                stamp,
                rng.choice(TITLES),
                rng.choice(orgs) if n % 25 else None,
                None if unassigned or for_client else staff[n % len(staff)],
                roles[n % len(roles)] if unassigned and not for_client else "",
                for_client,
                None if n % 12 == 5 else day(rng.randint(-60, 120)),
                status,
                "",
                "",
                ops.adapt_datetimefield_value(done_at) if done_at else None,
            )
        )
    return rows


def seed_tasks(count: int = TASKS, *, log: Any = print) -> int:
    """Top the tasks up to ``count`` over the bench's staff, organisations, statuses and due dates.

    Idempotent: run again it adds only what is missing (nothing when ``count`` are there). Returns
    how many it added.
    """
    missing = count - Task.objects.count()
    if missing <= 0:
        return 0
    staff = list(User.objects.exclude(staff_role="").order_by("id").values_list("id", flat=True))
    orgs = list(Organisation.objects.values_list("id", flat=True))
    if not staff or not orgs:
        raise RuntimeError("seed the bench's staff and organisations first")
    rng = random.Random(count)  # noqa: S311  # bench data, not secrets
    with transaction.atomic():
        for start in range(0, missing, BATCH):
            insert_rows(Task, COLUMNS, _rows(rng, min(BATCH, missing - start), staff, orgs), batch=BATCH)
    if log:
        log(f"  tasks: {missing} added ({count} in all)")
    return missing


def pages(data: Any) -> list[Page]:
    """The board (mine, warm and cold), the board of one client, a column page and the staff home."""
    board = reverse("work:board")
    organisation = data.organisation

    def on_the_board(**filters: Any) -> int:
        return on_board(tasks_filtered(BoardFilters(viewer=data.staff, **filters))).count()

    mine = on_the_board()
    of_client = on_the_board(assignee="anyone", organisation=organisation)
    client_url = f"{board}?assignee=anyone&organisation={organisation.public_id}"
    return [
        Page("staff_board", board, "staff", gated=True, rows=mine),
        Page("staff_board_cold", board, "staff", rows=mine, cold=True),
        Page(
            "staff_board_everybody_cold",
            f"{board}?assignee=anyone",
            "staff",
            rows=on_the_board(assignee="anyone"),
            cold=True,
        ),  # fmt: skip
        Page("staff_board_organisation", client_url, "staff", rows=of_client, cold=True),
        Page("staff_board_column_cold", f"{reverse('work:board_column')}?status=todo", "staff", cold=True),
        Page("staff_home", reverse("staff:home"), "staff", gated=True),
        Page("staff_home_cold", reverse("staff:home"), "staff", cold=True),
    ]
