"""Huey jobs of the work app's reminders (see tasks.py): the hourly sweep and the staff digest."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from accordo.work import services_reminders


@db_periodic_task(crontab(minute="12", hour="*"))
def reminders_sweep() -> None:
    """Hourly: every active schedule's due reminders (approvals, tasks for clients), once each.

    Running it again, or on two workers, sends nothing twice (the keys); the lock only saves work.
    """
    with lock_task("reminders-sweep"):
        services_reminders.reminders_sweep()


@db_periodic_task(crontab(minute="30", hour="6-11"))
def staff_digest() -> None:
    """At 06:30, and hourly until noon for a worker that was down then: each staff member's digest,
    at most once a day (its key)."""
    with lock_task("staff-digest"):
        services_reminders.digests_send()
