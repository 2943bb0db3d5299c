"""Objects this part of the app adds to the access matrix's world (accordo/tests/test_access_matrix.py)."""

from __future__ import annotations

import datetime
from typing import Any

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.work.models import MailTemplate, SignalRule, Workflow, WorkflowBatch, WorkflowStep, WorkflowTemplate


def objects(*, organisation: Organisation, client_owner: User, accountant: User) -> dict[str, Any]:
    """Keyed by names the matrix's OBJECT_KWARGS read as ``w.extra[name]``: rows only, no events."""
    mail_template = MailTemplate.objects.create(name="Matrix", subject="Hallo {organisation}", body="Tekst")
    template = WorkflowTemplate.objects.create(name="Matrix-jaarrekening")
    step = WorkflowStep.objects.create(template=template, position=1, title="Samenstellen", assignee_role="assistant")
    WorkflowStep.objects.create(template=template, position=2, title="Beoordelen", assignee_role="accountant")
    rule = SignalRule.objects.create(
        name="Matrix-regel", verb="delivery.received", action="send_mail", mail_template=mail_template
    )
    start = datetime.date(2026, 1, 5)
    batch = WorkflowBatch.objects.create(template=template, name="Matrix 2025", start_date=start, total=1)
    workflow = Workflow.objects.create(
        template=template, organisation=organisation, name="Matrix 2025", start_date=start, batch=batch, steps_total=2
    )
    return {
        "rule": rule,
        "mail_template": mail_template,
        "workflow_template": template,
        "workflow_step": step,
        "workflow_batch": batch,
        "workflow": workflow,
    }
