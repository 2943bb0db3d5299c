"""Background jobs of approvals: filing an approved set with its certificate, the daily reminder
and expiry sweeps."""

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
    """Hourly (so a stopped worker catches up): due reminders once each, then expiry."""
    with lock_task("approvals-sweep"):
        services.approvals_remind_due()
        services.approvals_expire()
