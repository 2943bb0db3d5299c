"""Background jobs of the core: the event dispatcher."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, lock_task
from huey.exceptions import TaskLockedException

from accordo.core.consumers import CONSUMER_NAMES, consumer_run


@db_task(retries=5, retry_delay=15)
def dispatch_events() -> int:
    """Run every consumer of the event log up to the newest event (safe to run twice)."""
    total = 0
    for name in CONSUMER_NAMES:
        try:
            with lock_task(f"events-consumer-{name}"):
                total += consumer_run(name)
        except TaskLockedException:
            # Another worker is reading this consumer's events; look again shortly for the rest.
            dispatch_events.schedule(delay=3)
    return total


@db_periodic_task(crontab(minute="*"))
def dispatch_events_periodic() -> None:
    """Catch up once a minute, in case an after-commit dispatch was lost with a dying worker."""
    dispatch_events.call_local()


def dispatch_events_soon() -> None:
    """Enqueue one dispatcher run (used by event_record after commit)."""
    if HUEY.immediate:
        dispatch_events.call_local()
    else:
        dispatch_events()
