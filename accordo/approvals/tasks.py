"""Background jobs of approvals: filing an approved set with its certificate, and the expiry sweep.

Scheduled approval reminders go out from the work app's reminder sweep
(accordo.work.tasks_reminders), on the firm's "approval" schedule: one place sends them.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from accordo.approvals import filing, services
from accordo.approvals.models import Approval


@db_task(retries=3, retry_delay=30)
def approval_file(approval_id: int) -> None:
    """Render the certificate and file it with the approved documents (safe to run twice)."""
    approval = Approval.objects.filter(pk=approval_id).first()
    if approval is not None:
        filing.approval_file(approval)


@db_periodic_task(crontab(minute="7", hour="*"))
def approvals_sweep() -> None:
    """Hourly (so a stopped worker catches up): waiting approvals past their time expire."""
    with lock_task("approvals-sweep"):
        services.approvals_expire()
