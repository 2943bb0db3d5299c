"""Huey jobs of the calendar: starting tasks ahead of deadlines."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from accordo.deadlines.services_firm import deadline_tasks_start


@db_periodic_task(crontab(minute="15", hour="*"))
def deadline_tasks_sweep() -> None:
    """Hourly (so a stopped worker catches up): the tasks of deadlines now within the firm's days ahead."""
    with lock_task("deadline-tasks"):
        deadline_tasks_start()
