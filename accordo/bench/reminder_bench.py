"""The reminder sweep over a million tasks for clients: its time follows the day's candidates, not the table.

Inserts ``tasks`` tasks for clients of the seeded organisations (due dates spread over two years
around today; future ones mostly open, past ones mostly done, as in a firm that works), times one
full sweep of every schedule and a second one (which must send nothing), then removes everything
it added — tasks, reminder keys and approval reminders — so the dataset is as before, except the
event log: it is append-only, so the sweep's ``task.reminded`` / ``approval.reminded`` events stay
(the chain remains valid; they name tasks that are gone). Mails are rendered (that is the sweep's
work) but kept in a list, not queued: nothing leaves the machine.
"""

from __future__ import annotations

import datetime
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from accordo.approvals.models import Reminder
from accordo.clients.models import Organisation
from accordo.core import tasks as core_tasks
from accordo.core.models import EventChainHead
from accordo.core.rawinsert import insert_rows
from accordo.work import services_reminders
from accordo.work.models import ReminderSchedule, ReminderSent, Task

TASKS = 1_000_000
MARK = "bench.reminder"  # target_type of the inserted tasks: how they are found again
SPREAD_DAYS = 365
OPEN_FUTURE = 0.5
OPEN_PAST = 0.01


def _insert(organisation_ids: list[int], count: int, today: datetime.date, rng: random.Random) -> None:
    """``count`` tasks for clients, spread over due dates around ``today``, in batches of 20,000."""
    ops = connection.ops
    names = ("public_id", "created_at", "updated_at", "title", "organisation", "assignee_role", "for_client",
             "due_date", "status", "target_type", "target_id")  # fmt: skip
    made = ops.adapt_datetimefield_value(timezone.now() - datetime.timedelta(days=2 * SPREAD_DAYS))
    days = {
        offset: ops.adapt_datefield_value(today + datetime.timedelta(days=offset))
        for offset in range(-SPREAD_DAYS, SPREAD_DAYS + 1)
    }
    uuid_field = Task._meta.get_field("public_id")

    def rows() -> Iterator[tuple[Any, ...]]:
        for n in range(count):
            offset = rng.randint(-SPREAD_DAYS, SPREAD_DAYS)
            is_open = rng.random() < (OPEN_FUTURE if offset >= 0 else OPEN_PAST)
            yield (
                uuid_field.get_db_prep_value(uuid.uuid4(), connection), made, made, "Lever de stukken aan",
                organisation_ids[n % len(organisation_ids)], "", True, days[offset],
                Task.Status.OPEN if is_open else Task.Status.DONE, MARK, "",
            )  # fmt: skip

    insert_rows(Task, names, rows(), batch=20_000)


@contextmanager
def _contained() -> Iterator[list[Any]]:
    """Rendered mails are kept in a list instead of being queued for the worker (whose delivery is
    not the sweep's time, and must not reach a real server); the event consumers are not woken."""
    outbox: list[Any] = []
    send_later, dispatch = services_reminders.mail_send_later, core_tasks.dispatch_events_soon
    services_reminders.mail_send_later = outbox.append  # type: ignore[assignment]
    core_tasks.dispatch_events_soon = lambda: None
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            yield outbox
    finally:
        services_reminders.mail_send_later, core_tasks.dispatch_events_soon = send_later, dispatch


def _warm(organisation: Organisation, today: datetime.date) -> None:
    """What a running worker has loaded already: the modules of every kind, the URLs, the templates."""
    services_reminders.reminders_sweep(today=today - datetime.timedelta(days=20 * SPREAD_DAYS))
    task = Task(title="warm", organisation=organisation, due_date=today)
    services_reminders.mail_render(
        to=["warm@bench.test"], template="task_reminder", language="nl",
        context={"task": task, "organisation": organisation, "overdue": False,
                 "link": services_reminders._portal_tasks_link(task)},
    )  # fmt: skip


def _candidate_plan(today: datetime.date) -> str:
    """The database's plan for the sweep's read: it must go through the (status, due_date) index."""
    rules = services_reminders.schedule_rules(ReminderSchedule.Kind.CLIENT_TASK)
    if rules is None:
        return ""
    query = Task.objects.filter(
        for_client=True, status__in=services_reminders.OPEN_STATUSES,
        due_date__in=services_reminders.candidate_due_dates(rules, today),
    )  # fmt: skip
    return query.explain()


def measure(tasks: int = TASKS, today: datetime.date | None = None) -> dict[str, Any]:
    """Insert ``tasks`` tasks for clients, time two sweeps, remove it all again."""
    today = today or timezone.localdate()
    rng = random.Random(20261122)
    organisation_ids = list(Organisation.objects.order_by("id").values_list("id", flat=True))
    if not organisation_ids:
        return {"error": "no organisations seeded"}
    events_before = EventChainHead.objects.filter(pk=1).values_list("last_seq", flat=True).first() or 0
    last_sent = ReminderSent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    last_reminder = Reminder.objects.order_by("-id").values_list("id", flat=True).first() or 0
    started = time.perf_counter()
    with transaction.atomic():
        _insert(organisation_ids, tasks, today, rng)
    inserted = time.perf_counter() - started
    try:
        with _contained() as outbox:
            _warm(Organisation.objects.get(pk=organisation_ids[0]), today)
            started = time.perf_counter()
            first = services_reminders.reminders_sweep(today=today)
            first_seconds = time.perf_counter() - started
            mails = len(outbox)
            started = time.perf_counter()
            second = services_reminders.reminders_sweep(today=today)
            second_seconds = time.perf_counter() - started
            # A day whose candidate due dates hold none of the rows: the read alone, with a full table.
            started = time.perf_counter()
            empty = services_reminders.reminders_sweep(today=today + datetime.timedelta(days=5 * SPREAD_DAYS))
            empty_seconds = time.perf_counter() - started
        plan = _candidate_plan(today)
    finally:
        with transaction.atomic():
            ReminderSent.objects.filter(id__gt=last_sent).delete()
            Reminder.objects.filter(id__gt=last_reminder).delete()
            Task.objects.filter(target_type=MARK)._raw_delete(Task.objects.db)
    kinds = ReminderSchedule.Kind
    return {
        "tasks_inserted": tasks,
        "seconds_insert": round(inserted, 1),
        "seconds_sweep": round(first_seconds, 2),
        "task_candidates_read": first[kinds.CLIENT_TASK].candidates,
        "task_reminders_sent": first[kinds.CLIENT_TASK].sent,
        "task_mails": mails,
        "approval_candidates_read": first[kinds.APPROVAL].candidates,
        "approval_reminders_sent": first[kinds.APPROVAL].sent,
        "seconds_second_sweep": round(second_seconds, 2),
        "second_sweep_sent": second[kinds.CLIENT_TASK].sent + second[kinds.APPROVAL].sent,
        "seconds_sweep_nothing_due": round(empty_seconds, 3),
        "nothing_due_candidates_read": empty[kinds.CLIENT_TASK].candidates,
        "index_used": "task_status_due" in plan,
        "events_added": (EventChainHead.objects.filter(pk=1).values_list("last_seq", flat=True).first() or 0)
        - events_before,
    }
