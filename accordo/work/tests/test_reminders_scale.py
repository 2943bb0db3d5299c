"""The sweep reads through the index the day's candidates only, whatever the table holds."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accordo.approvals.models import Reminder
from accordo.bench import reminder_bench
from accordo.core.events import verify_chain
from accordo.core.models import Event
from accordo.testing.factories import MembershipFactory, OrganisationFactory
from accordo.work import services_reminders as reminders
from accordo.work.models import ReminderSent, Task

SCHEDULES = importlib.import_module("accordo.work.migrations.0004_default_reminder_schedules")


@pytest.fixture(autouse=True)
def _schedules(db):
    SCHEDULES.forwards(apps, None)


@pytest.fixture
def organisations():
    orgs = [OrganisationFactory() for _ in range(5)]
    for org in orgs[:3]:
        MembershipFactory(organisation=org, role="owner")
    return orgs


def test_the_sweep_reads_through_the_status_and_due_date_index(organisations):
    today = timezone.localdate()
    reminder_bench._insert([o.pk for o in organisations], 20_000, today, reminder_bench.random.Random(1))
    plan = reminder_bench._candidate_plan(today)
    assert "task_status_due" in plan and "SCAN work_task" not in plan.replace("USING INDEX", "")


def test_the_bench_sweeps_twice_and_leaves_the_dataset_as_it_was(transactional_db, organisations):
    """Committing for real (no test transaction around it), so the mails go out after each commit."""
    events = Event.objects.count()
    result = reminder_bench.measure(tasks=20_000)
    assert result["task_reminders_sent"] > 0 and result["task_mails"] >= result["task_reminders_sent"]
    assert result["task_candidates_read"] < 2_000 and result["second_sweep_sent"] == 0
    assert result["index_used"]
    assert not Task.objects.exists() and not ReminderSent.objects.exists() and not Reminder.objects.exists()
    # The log is append-only: the reminders' events stay, one per reminder, and the chain holds.
    assert Event.objects.count() == events + result["events_added"] == events + result["task_reminders_sent"]
    assert verify_chain()[1] is None


def test_more_rows_do_not_mean_more_queries(organisations):
    today = timezone.localdate()

    def sweep_queries(rows: int) -> tuple[int, int]:
        Task.objects.all().delete()
        ReminderSent.objects.all().delete()
        reminder_bench._insert([o.pk for o in organisations], rows, today, reminder_bench.random.Random(rows))
        Task.objects.update(status=Task.Status.DONE)  # nothing to send: only the reads are counted
        with CaptureQueriesContext(connection) as captured:
            result = reminders.client_tasks_remind_due(today=today + datetime.timedelta(days=1))
        return len(captured), result.sent

    assert sweep_queries(2_000) == sweep_queries(20_000)
