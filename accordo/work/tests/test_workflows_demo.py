"""The demo workflows: a template, a running workflow half-way, a finished bulk start, mail and workflow rules."""

from __future__ import annotations

from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.testing.factories import LabelFactory, OrganisationFactory
from accordo.work import demo_workflows
from accordo.work.models import MailTemplate, SignalRule, Task, Workflow, WorkflowBatch, WorkflowTemplate


def test_it_seeds_the_demo_workflows_once(accountant, firm_admin):
    bakery = OrganisationFactory(name=demo_workflows.BAKERY)
    mkb = LabelFactory(name="MKB")
    mkb.organisations.add(bakery, OrganisationFactory(name="Installatiebedrijf"))
    ctx = RequestContext.system("seed_demo")
    demo_workflows.seed(admin=firm_admin, accountant=accountant, ctx=ctx)
    events = Event.objects.count()
    demo_workflows.seed(admin=firm_admin, accountant=accountant, ctx=ctx)
    assert Event.objects.count() == events

    template = WorkflowTemplate.objects.get(name="Jaarrekening")
    assert template.steps.count() == 5 and template.steps.get(position=1).for_client
    running = Workflow.objects.get(name="Jaarrekening 2025", organisation=bakery)
    assert (running.status, running.steps_done, running.steps_total) == ("running", 2, 5)
    batch = WorkflowBatch.objects.get()
    assert (batch.status, batch.total, batch.started) == ("done", 2, 2)
    assert set(Workflow.objects.filter(batch=batch).values_list("status", flat=True)) == {"done"}
    assert Task.objects.filter(workflow__batch=batch).exclude(status="done").count() == 0
    mail_rule = SignalRule.objects.get(name=demo_workflows.MAIL_RULE)
    assert mail_rule.active and mail_rule.mail_template == MailTemplate.objects.get(name="Bevestiging ontvangst")
    assert mail_rule.conditions == {"tray": ["verkoop"]}
    workflow_rule = SignalRule.objects.get(name=demo_workflows.WORKFLOW_RULE)
    assert not workflow_rule.active and workflow_rule.workflow_template == template
