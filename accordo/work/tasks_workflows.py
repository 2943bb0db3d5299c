"""Huey jobs of the work app (see tasks.py): bulk workflow starts."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from accordo.work.models import WorkflowBatch

__all__ = ["workflow_batch_job"]


@db_task(retries=2, retry_delay=30)
def workflow_batch_job(batch_id: int) -> None:
    """Run a queued bulk start (re-read by id; a second run starts nothing twice)."""
    from accordo.work.services_workflows import workflow_batch_run

    batch = WorkflowBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status == WorkflowBatch.Status.DONE:
        return
    workflow_batch_run(batch=batch)
