"""Huey jobs of the work app's reminders (see tasks.py): the hourly sweep and the staff digest."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from accordo.work import services_reminders

DIGEST_FIRST_HOUR, DIGEST_LAST_HOUR = 6, 11


def local_hour() -> int:
    return timezone.localtime().hour


@db_periodic_task(crontab(minute="12", hour="*"))
def reminders_sweep() -> None:
    """Hourly: every active schedule's due reminders (approvals, tasks for clients), once each.

    Running it again, or on two workers, sends nothing twice (the keys); the lock only saves work.
    """
    with lock_task("reminders-sweep"):
        services_reminders.reminders_sweep()


@db_periodic_task(crontab(minute="30"))
def staff_digest() -> None:
    """At 06:30 local time (huey's crontab runs in UTC, so the hour is checked here), and hourly until
    noon for a worker that was down then: each staff member's digest, at most once a day (its key)."""
    if not DIGEST_FIRST_HOUR <= local_hour() <= DIGEST_LAST_HOUR:
        return
    with lock_task("staff-digest"):
        services_reminders.digests_send()
