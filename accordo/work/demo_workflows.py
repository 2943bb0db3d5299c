"""The demo workflows, e-mail template and rules (idempotent), through the same services the pages use.

- the "Jaarrekening" template: collect documents (client) → prepare (assistant) → review
  (accountant) → offer for approval (accountant) → file at the KvK (assistant);
- "Jaarrekening 2025" running for Bakkerij De Zon, its first two steps done;
- one finished bulk start "Jaarrekening 2024" for the MKB clients;
- the e-mail template "Bevestiging ontvangst" and an active rule sending it when a client delivers
  in the Verkoop tray; an inactive rule that starts the Jaarrekening when annual accounts are approved.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from accordo.accounts.models import User
from accordo.clients.models import Label, Organisation
from accordo.core.context import RequestContext
from accordo.work import services, services_mail
from accordo.work import services_workflows as wf
from accordo.work.models import MailTemplate, SignalRule, Task, Workflow, WorkflowBatch, WorkflowTemplate

BAKERY = "Bakkerij De Zon B.V."
TEMPLATE = "Jaarrekening"
STEPS = [
    wf.StepSpec("Stukken voor de jaarrekening aanleveren", "client", 14),
    wf.StepSpec("Jaarrekening opstellen", "assistant", 35),
    wf.StepSpec("Jaarrekening beoordelen", "accountant", 45),
    wf.StepSpec("Jaarrekening ter accordering aanbieden", "accountant", 50),
    wf.StepSpec("Jaarrekening deponeren bij de KvK", "assistant", 60),
]
MAIL = (
    "Bevestiging ontvangst",
    "We hebben uw stukken ontvangen",
    "Beste {person},\n\n"
    "Dank u wel: {firm} heeft op {date} de stukken van {organisation} ontvangen. "
    "We gaan ermee aan de slag en laten het u weten als we nog iets nodig hebben.\n\n"
    "Met vriendelijke groet,\n{firm}",
)
MAIL_RULE = "Verkoopfacturen: ontvangst bevestigen"
WORKFLOW_RULE = "Jaarrekening akkoord: jaarwerk starten"


def _template(admin: User, ctx: RequestContext) -> WorkflowTemplate:
    existing = WorkflowTemplate.objects.filter(name=TEMPLATE).first()
    if existing is not None:
        return existing
    return wf.workflow_template_create(
        actor=admin,
        ctx=ctx,
        name=TEMPLATE,
        steps=STEPS,
        description="Het jaarwerk van een onderneming, van stukken verzamelen tot deponeren.",
    )


def _running(template: WorkflowTemplate, accountant: User, ctx: RequestContext) -> Workflow:
    bakery = Organisation.objects.get(name=BAKERY)
    workflow = Workflow.objects.filter(template=template, organisation=bakery, name="Jaarrekening 2025").first()
    if workflow is None:
        workflow = wf.workflow_start(
            actor=accountant,
            ctx=ctx,
            template=template,
            organisation=bakery,
            name="Jaarrekening 2025",
            start_date=timezone.localdate() - datetime.timedelta(days=30),
        )
    for task in Task.objects.filter(workflow=workflow, step__position__lte=2).exclude(status=Task.Status.DONE):
        services.task_move(actor=accountant, ctx=ctx, task=task, status=Task.Status.DONE)
    return workflow


def _batch(template: WorkflowTemplate, accountant: User, ctx: RequestContext) -> WorkflowBatch:
    existing = WorkflowBatch.objects.filter(template=template, name="Jaarrekening 2024").first()
    if existing is not None:
        return existing
    mkb = Label.objects.filter(name="MKB").first()
    selection = {"label": [str(mkb.public_id)]} if mkb else {"organisation_kind": ["company"]}
    batch = WorkflowBatch.objects.create(
        template=template,
        name="Jaarrekening 2024",
        start_date=timezone.localdate() - datetime.timedelta(days=300),
        selection=wf.selection_clean(selection),
        created_by=accountant,
    )
    # Run here, not by the worker: the demo is complete when the command ends.
    batch = wf.workflow_batch_run(batch=batch, actor=accountant)
    for task in Task.objects.filter(workflow__batch=batch).exclude(status=Task.Status.DONE):
        services.task_move(actor=accountant, ctx=ctx, task=task, status=Task.Status.DONE)
    return batch


def _mail_rule(admin: User, ctx: RequestContext) -> SignalRule:
    name, subject, body = MAIL
    template = MailTemplate.objects.filter(name=name).first() or services_mail.mail_template_create(
        actor=admin, ctx=ctx, name=name, subject=subject, body=body
    )
    return SignalRule.objects.filter(name=MAIL_RULE).first() or services.rule_create(
        actor=admin,
        ctx=ctx,
        name=MAIL_RULE,
        verb="delivery.received",
        conditions={"tray": ["verkoop"]},
        action=SignalRule.Action.SEND_MAIL,
        mail_template=template,
    )


def _workflow_rule(admin: User, ctx: RequestContext, template: WorkflowTemplate) -> SignalRule:
    return SignalRule.objects.filter(name=WORKFLOW_RULE).first() or services.rule_create(
        actor=admin,
        ctx=ctx,
        name=WORKFLOW_RULE,
        verb="approval.approved",
        conditions={"approval_type": ["annual_accounts"]},
        action=SignalRule.Action.START_WORKFLOW,
        workflow_template=template,
        active=False,
    )


def seed(*, admin: User, accountant: User, ctx: RequestContext, **_: Any) -> dict[str, Any]:
    """Make the demo's workflows, e-mail template and rules (nothing twice)."""
    template = _template(admin, ctx)
    running = _running(template, accountant, ctx)
    batch = _batch(template, accountant, ctx)
    _mail_rule(admin, ctx)
    _workflow_rule(admin, ctx, template)
    return {"template": template, "running": running, "batch": batch}
