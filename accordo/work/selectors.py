"""Reads of work: the planning board's filtered columns, a task's history, the staff home's lists.

Tasks are firm-wide for staff (every staff member sees every task); clients see only their own
organisation's tasks for the client (``client_tasks``), reached through a portal membership.
Every list here costs a fixed number of queries, whatever the number of tasks.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accordo.accounts.models import User
from accordo.approvals.models import Approval
from accordo.clients.models import Label, Organisation, StaffAssignment
from accordo.core.models import Event
from accordo.deliveries.models import Delivery
from accordo.work.models import Task

COLUMN_SIZE = 30  # cards a column shows on the board; "show all" pages through the rest
DONE_RECENT_DAYS = 14
OPEN_STATUSES = (Task.Status.OPEN, Task.Status.DOING, Task.Status.WAITING)
# What a card shows: a board renders many, so only these columns are read.
CARD_FIELDS = (
    "public_id", "title", "status", "due_date", "done_at", "assignee_role", "for_client", "target_type", "target_id",
    "organisation__public_id", "organisation__name", "assignee__public_id", "assignee__full_name", "assignee__email",
    "workflow__name",
)  # fmt: skip
# Where a task's object is shown to staff: its target_type (as on events) → URL name taking its public id.
TARGET_URLS = {
    "approvals.approval": "approvals_staff:approval",
    "deliveries.delivery": "deliveries:staff_delivery",
    "clients.organisation": "staff:organisation_detail",
}


@dataclass(frozen=True)
class BoardFilters:
    """What the board shows. ``assignee`` is "me", "anyone", "unassigned", "role:<role>" or a user.

    ``week`` is "", "overdue", "this", "next" or an ISO week ("2026-W48").
    """

    viewer: User
    assignee: str = "me"
    person: User | None = None
    week: str = ""
    organisation: Organisation | None = None
    label: Label | None = None
    client: str = ""  # part of a client's name


def week_range(week: str, today: datetime.date | None = None) -> tuple[datetime.date, datetime.date] | None:
    """The Monday and Sunday of "this", "next" or an ISO week ("2026-W48"); None for anything else."""
    today = today or timezone.localdate()
    if week in ("this", "next"):
        monday = today - datetime.timedelta(days=today.weekday())
        if week == "next":
            monday += datetime.timedelta(days=7)
        return monday, monday + datetime.timedelta(days=6)
    try:
        year, number = week.split("-W")
        monday = datetime.date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        return None
    return monday, monday + datetime.timedelta(days=6)


def tasks_filtered(filters: BoardFilters) -> QuerySet[Task]:
    """Every task matching the board's filters (any status, done ones of any age)."""
    qs = Task.objects.all()
    if filters.assignee == "me":
        qs = qs.filter(assignee=filters.viewer)
    elif filters.assignee == "unassigned":
        qs = qs.filter(assignee=None)
    elif filters.assignee.startswith("role:"):
        qs = qs.filter(assignee_role=filters.assignee.removeprefix("role:"))
    elif filters.person is not None:
        qs = qs.filter(assignee=filters.person)
    if filters.week == "overdue":
        qs = qs.filter(due_date__lt=timezone.localdate()).exclude(status=Task.Status.DONE)
    elif filters.week:
        span = week_range(filters.week)
        if span is not None:
            qs = qs.filter(due_date__range=span)
    if filters.organisation is not None:
        qs = qs.filter(organisation=filters.organisation)
    if filters.label is not None:
        qs = qs.filter(organisation__labels=filters.label)
    if filters.client:
        named = Organisation.objects.filter(name__icontains=filters.client).values("id")
        qs = qs.filter(organisation_id__in=Subquery(named))
    return qs


def done_cutoff() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=DONE_RECENT_DAYS)


def on_board(qs: QuerySet[Task]) -> QuerySet[Task]:
    """Leave out tasks done longer ago than DONE_RECENT_DAYS: the board shows recent work only."""
    return qs.filter(~Q(status=Task.Status.DONE) | Q(done_at__gte=done_cutoff()))


def board_counts(filters: BoardFilters) -> dict[str, int]:
    """How many tasks each column holds: one grouped query."""
    counts = dict.fromkeys(Task.Status.values, 0)
    rows = on_board(tasks_filtered(filters)).order_by().values_list("status").annotate(n=Count("id"))
    for status, n in rows:
        counts[status] = n
    return counts


def column_tasks(filters: BoardFilters, status: str) -> QuerySet[Task]:
    """One column's cards, soonest due first (undated last), with what a card shows."""
    qs = on_board(tasks_filtered(filters)).filter(status=status)
    qs = qs.select_related("organisation", "assignee", "workflow").only(*CARD_FIELDS)
    if filters.organisation is not None or filters.client:
        # One client has few tasks: an order no index can give makes SQLite read them through the
        # (organisation, status) index and sort, instead of walking every task of the status by date.
        return qs.order_by(Coalesce("due_date", Value(datetime.date.max)), "id")
    return qs.order_by(F("due_date").asc(nulls_last=True), "id")


def board_columns(filters: BoardFilters, limit: int = COLUMN_SIZE) -> list[tuple[str, str, int, list[Task]]]:
    """(status, label, count, first ``limit`` cards) per column: one count query and one per column."""
    counts = board_counts(filters)
    return [
        (status, str(label), counts[status], list(column_tasks(filters, status)[:limit]) if counts[status] else [])
        for status, label in Task.Status.choices
    ]


def target_url(task: Task) -> str | None:
    """The staff page of the object the task is about, when there is one."""
    name = TARGET_URLS.get(task.target_type)
    if not name or not task.target_id:
        return None
    try:
        return reverse(name, args=[task.target_id])
    except NoReverseMatch:
        return None


def task_events(task: Task, limit: int = 100) -> list[Event]:
    """The task's own history (created, moved, assigned), oldest first."""
    qs = Event.objects.filter(target_type=Task._meta.label_lower, target_id=str(task.public_id))
    return list(qs.select_related("actor").order_by("seq")[:limit])


def organisation_open_tasks(organisation: Organisation, limit: int = 10) -> list[Task]:
    """An organisation's open tasks (staff and client ones), soonest due first."""
    qs = Task.objects.filter(organisation=organisation, status__in=OPEN_STATUSES).select_related("assignee")
    return list(qs.order_by(F("due_date").asc(nulls_last=True), "id")[:limit])


def client_tasks(organisation: Organisation) -> QuerySet[Task]:
    """The organisation's tasks for the client: open ones first (soonest due), then done (newest first)."""
    qs = Task.objects.filter(organisation=organisation, for_client=True).select_related("assignee")
    order = Case(When(status=Task.Status.DONE, then=Value(1)), default=Value(0), output_field=IntegerField())
    return qs.order_by(order, F("due_date").asc(nulls_last=True), "-done_at", "id")


@dataclass
class StaffHome:
    """What the staff home shows beside its counts: my tasks and what waits on clients."""

    my_open: list[Task]
    overdue_count: int
    overdue: list[Task]
    approvals_waiting: list[Approval]
    deliveries_returned: list[Delivery]
    client_tasks_open: list[Task]
    scoped: bool  # True: only the organisations I am assigned to


def _soonest(qs: QuerySet[Task], limit: int) -> list[Task]:
    """The ``limit`` soonest due open tasks of ``qs``: one query per open status, each read in the order
    of the (assignee, status, due date) index and cut short, then merged (no sort of every open task)."""
    found: list[Task] = []
    for status in OPEN_STATUSES:
        found += qs.filter(status=status).order_by(F("due_date").asc(nulls_last=True), "id")[:limit]
    found.sort(key=lambda t: (t.due_date is None, t.due_date or datetime.date.min, t.pk))
    return found[:limit]


def staff_home_data(user: User, *, limit: int = 6) -> StaffHome:
    """My open and overdue tasks, and what waits on clients of my organisations (all when I have none)."""
    today = timezone.localdate()
    mine = Task.objects.filter(assignee=user, status__in=OPEN_STATUSES).select_related("organisation")
    soonest = (F("due_date").asc(nulls_last=True), "id")
    overdue = mine.filter(due_date__lt=today)
    my_orgs = StaffAssignment.objects.filter(user=user).values("organisation_id")
    scoped = my_orgs.exists()

    def scope(qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs.filter(organisation_id__in=Subquery(my_orgs)) if scoped else qs

    approvals = scope(Approval.objects.filter(status=Approval.Status.OFFERED)).select_related("organisation")
    deliveries = scope(Delivery.objects.filter(status=Delivery.Status.RETURNED)).select_related("organisation")
    waiting_tasks = scope(Task.objects.filter(for_client=True, status__in=OPEN_STATUSES)).select_related(
        "organisation", "assignee"
    )
    return StaffHome(
        my_open=_soonest(mine, limit),
        overdue_count=overdue.count(),
        overdue=_soonest(overdue, limit),
        approvals_waiting=list(approvals.order_by(F("due_date").asc(nulls_last=True), "id")[:limit]),
        deliveries_returned=list(deliveries.order_by("-updated_at", "-id")[:limit]),
        client_tasks_open=list(waiting_tasks.order_by(*soonest)[:limit]),
        scoped=scoped,
    )
