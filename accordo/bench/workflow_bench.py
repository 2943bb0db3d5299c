"""How long a bulk workflow start for every seeded organisation takes (goal: 10,000 in ≤ 5 s on SQLite).

The same service the worker's job runs (``workflow_batch_run``), called directly: a 5-step template
started for every organisation, fresh (the bench's earlier workflows removed first), then again
(everything skipped).
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.db import transaction

from accordo.work.models import Task, Workflow, WorkflowBatch, WorkflowStep, WorkflowTemplate
from accordo.work.services_workflows import selected_organisations, workflow_batch_run

GOAL_SECONDS = 5.0
TEMPLATE = "Bench: jaarrekening"
STEPS = [
    ("Stukken aanleveren", "", True, 14),
    ("Samenstellen", "assistant", False, 30),
    ("Beoordelen", "accountant", False, 45),
    ("Ter accordering aanbieden", "accountant", False, 50),
    ("Deponeren bij de KvK", "assistant", False, 60),
]


def bench_template() -> WorkflowTemplate:
    """The bench's 5-step template (made once)."""
    with transaction.atomic():
        template, created = WorkflowTemplate.objects.get_or_create(name=TEMPLATE, defaults={"active": True})
        if created or not template.steps.exists():
            WorkflowStep.objects.bulk_create(
                WorkflowStep(template=template, position=i, title=t, assignee_role=r, for_client=c, due_offset_days=d)
                for i, (t, r, c, d) in enumerate(STEPS, start=1)
            )
    return template


def measure() -> dict[str, Any]:
    """Start the bench template for every organisation, fresh and once more (all skipped)."""
    template = bench_template()
    Task.objects.filter(workflow__template=template).delete()
    Workflow.objects.filter(template=template).delete()
    WorkflowBatch.objects.filter(template=template).delete()
    total = selected_organisations({}).count()
    batch = WorkflowBatch.objects.create(
        template=template, name="Bench 2025", start_date=datetime.date(2026, 1, 5), total=total
    )
    started = time.perf_counter()
    batch = workflow_batch_run(batch=batch)
    fresh = time.perf_counter() - started
    again = WorkflowBatch.objects.create(
        template=template, name="Bench 2025", start_date=datetime.date(2026, 1, 5), total=total
    )
    started = time.perf_counter()
    again = workflow_batch_run(batch=again)
    rerun = time.perf_counter() - started
    return {
        "organisations": batch.total,
        "seconds": round(fresh, 2),
        "tasks": Task.objects.filter(workflow__batch=batch).count(),
        "seconds_all_skipped": round(rerun, 2),
        "skipped_on_rerun": again.skipped,
        "goal_seconds": GOAL_SECONDS,
    }
