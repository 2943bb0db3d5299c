"""Workflow services: templates with ordered steps, starting one or in bulk, progress and cancelling."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from accordo.clients.models import Tier
from accordo.core.models import Event
from accordo.testing.factories import AssignmentFactory, LabelFactory, OrganisationFactory
from accordo.work import services
from accordo.work import services_workflows as wf
from accordo.work.models import Task, Workflow, WorkflowBatch, WorkflowStep, WorkflowTemplate
from accordo.work.services_workflows import StepSpec
from accordo.work.tests.test_services import CTX

START = datetime.date(2026, 1, 5)
STEPS = [
    StepSpec("Stukken aanleveren", "client", 14),
    StepSpec("Samenstellen", "assistant", 30),
    StepSpec("Beoordelen", "accountant", 40),
]


@pytest.fixture
def template(firm_admin) -> WorkflowTemplate:
    return wf.workflow_template_create(actor=firm_admin, ctx=CTX, name="Jaarrekening", steps=STEPS)


def _positions(template: WorkflowTemplate) -> list[str]:
    return list(template.steps.order_by("position").values_list("title", flat=True))


def test_an_admin_makes_a_template_with_ordered_steps(firm_admin, template):
    steps = list(template.steps.order_by("position"))
    assert [(s.position, s.title, s.assignee_role, s.for_client, s.due_offset_days) for s in steps] == [
        (1, "Stukken aanleveren", "", True, 14),
        (2, "Samenstellen", "assistant", False, 30),
        (3, "Beoordelen", "accountant", False, 40),
    ]
    event = Event.objects.get(verb="workflow.template_created")
    assert event.actor == firm_admin and event.data["steps"][0] == {
        "title": "Stukken aanleveren",
        "who": "client",
        "due_offset_days": 14,
    }


@pytest.mark.parametrize(
    ("name", "steps", "message"),
    [
        ("", STEPS, "name"),
        ("Jaarrekening", STEPS, "exists already"),
        ("Nieuw", [], "at least one step"),
        ("Nieuw", [StepSpec(" ", "assistant")], "title"),
        ("Nieuw", [StepSpec("X", "boss")], "who does the step"),
        ("Nieuw", [StepSpec("X", "assistant", 800)], "between 0 and 730"),
    ],
)
def test_it_refuses_a_template_that_cannot_work(firm_admin, template, name, steps, message):
    with pytest.raises(ValidationError, match=message):
        wf.workflow_template_create(actor=firm_admin, ctx=CTX, name=name, steps=steps)
    assert WorkflowTemplate.objects.count() == 1 and WorkflowStep.objects.count() == 3


def test_only_admins_manage_templates(accountant):
    with pytest.raises(PermissionError):
        wf.workflow_template_create(actor=accountant, ctx=CTX, name="X", steps=STEPS)


def test_steps_are_added_moved_and_removed_but_never_the_last(firm_admin, template):
    wf.workflow_step_add(actor=firm_admin, ctx=CTX, template=template, spec=StepSpec("Deponeren", "assistant", 60))
    last = template.steps.get(title="Deponeren")
    wf.workflow_step_move(actor=firm_admin, ctx=CTX, step=last, up=True)
    assert _positions(template) == ["Stukken aanleveren", "Samenstellen", "Deponeren", "Beoordelen"]
    first = template.steps.get(title="Stukken aanleveren")
    wf.workflow_step_move(actor=firm_admin, ctx=CTX, step=first, up=True)  # already first: nothing
    wf.workflow_step_move(actor=firm_admin, ctx=CTX, step=first, up=False)
    assert _positions(template) == ["Samenstellen", "Stukken aanleveren", "Deponeren", "Beoordelen"]
    for title in ("Samenstellen", "Stukken aanleveren", "Deponeren"):
        wf.workflow_step_remove(actor=firm_admin, ctx=CTX, step=template.steps.get(title=title))
    with pytest.raises(ValidationError, match="at least one step"):
        wf.workflow_step_remove(actor=firm_admin, ctx=CTX, step=template.steps.get())
    assert list(template.steps.values_list("position", "title")) == [(1, "Beoordelen")]
    assert Event.objects.filter(verb="workflow.template_changed").count() == 6


def test_starting_for_one_client_makes_a_task_per_step(accountant, template, organisation, assistant, responsible):
    workflow = wf.workflow_start(
        actor=accountant,
        ctx=CTX,
        template=template,
        organisation=organisation,
        name="Jaarrekening 2025",
        start_date=START,
    )
    tasks = list(workflow.tasks.order_by("step__position"))
    assert [(t.title, t.assignee, t.assignee_role, t.for_client, t.due_date) for t in tasks] == [
        ("Stukken aanleveren", None, "", True, START + datetime.timedelta(days=14)),
        ("Samenstellen", assistant, "assistant", False, START + datetime.timedelta(days=30)),
        ("Beoordelen", responsible, "accountant", False, START + datetime.timedelta(days=40)),
    ]
    assert all(t.organisation == organisation and t.target_id == str(workflow.public_id) for t in tasks)
    assert (workflow.steps_total, workflow.steps_done, workflow.status) == (3, 0, "running")
    event = Event.objects.get(verb="workflow.started")
    assert event.organisation == organisation and event.actor == accountant
    with pytest.raises(ValidationError, match="already has the workflow"):
        wf.workflow_start(
            actor=accountant, ctx=CTX, template=template, organisation=organisation, name="Jaarrekening 2025",
            start_date=START,
        )  # fmt: skip
    assert Workflow.objects.count() == 1 and Task.objects.count() == 3


def test_an_inactive_template_does_not_start(accountant, template, organisation):
    template.active = False
    template.save()
    with pytest.raises(ValidationError, match="active workflow template"):
        wf.workflow_start(actor=accountant, ctx=CTX, template=template, organisation=organisation, name="X",
                          start_date=START)  # fmt: skip


def _done(actor, task: Task) -> None:
    services.task_move(actor=actor, ctx=CTX, task=task, status="done")


def test_progress_counts_done_steps_completes_and_reopens(accountant, template, organisation):
    workflow = wf.workflow_start(actor=accountant, ctx=CTX, template=template, organisation=organisation,
                                 name="J", start_date=START)  # fmt: skip
    first, second, third = workflow.tasks.order_by("step__position")
    _done(accountant, first)
    services.task_move(actor=accountant, ctx=CTX, task=second, status="doing")
    workflow.refresh_from_db()
    assert workflow.steps_done == 1 and workflow.status == "running"
    # Two people each move a task they loaded before the other's move: nothing is lost.
    stale_second, stale_third = Task.objects.get(pk=second.pk), Task.objects.get(pk=third.pk)
    _done(accountant, stale_second)
    _done(accountant, stale_third)
    workflow.refresh_from_db()
    assert (workflow.steps_done, workflow.status) == (3, "done") and workflow.finished_at is not None
    assert Event.objects.get(verb="workflow.completed").organisation == organisation
    services.task_move(actor=accountant, ctx=CTX, task=stale_third, status="todo")
    workflow.refresh_from_db()
    assert (workflow.steps_done, workflow.status, workflow.finished_at) == (2, "running", None)
    assert Event.objects.filter(verb="workflow.reopened").count() == 1


def test_cancelling_keeps_the_tasks(accountant, template, organisation):
    workflow = wf.workflow_start(actor=accountant, ctx=CTX, template=template, organisation=organisation,
                                 name="J", start_date=START)  # fmt: skip
    wf.workflow_cancel(actor=accountant, ctx=CTX, workflow=workflow)
    assert workflow.status == "cancelled" and workflow.tasks.count() == 3
    assert Event.objects.get(verb="workflow.cancelled").data["open_tasks"] == 3
    with pytest.raises(wf.WorkflowStateError):
        wf.workflow_cancel(actor=accountant, ctx=CTX, workflow=workflow)
    _done(accountant, workflow.tasks.first())
    workflow.refresh_from_db()
    assert workflow.status == "cancelled" and workflow.steps_done == 1


def test_a_bulk_start_runs_after_commit_and_skips_what_exists(
    accountant, template, organisation, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(wf, "CHUNK", 2)
    label = LabelFactory(name="Jaarwerk")
    chosen = [OrganisationFactory(name=f"Klant {i}") for i in range(4)]
    label.organisations.add(*chosen)
    OrganisationFactory(name="Niet gekozen")
    AssignmentFactory(organisation=chosen[0], role="assistant")
    wf.workflow_start(actor=accountant, ctx=CTX, template=template, organisation=chosen[1], name="Jaarrekening 2025",
                      start_date=START)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        batch = wf.workflow_batch_create(
            actor=accountant, ctx=CTX, template=template, name="Jaarrekening 2025", start_date=START,
            selection={"label": [str(label.public_id)]},
        )  # fmt: skip
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.started, batch.skipped) == ("done", 4, 3, 1)
    assert Workflow.objects.filter(batch=batch).count() == 3 and Task.objects.count() == 12
    assert Task.objects.get(organisation=chosen[0], step__title="Samenstellen").assignee is not None
    assert Event.objects.filter(verb="workflow.started").count() == 1  # the one started alone
    bulk = Event.objects.filter(verb="workflow.bulk_started").order_by("seq")  # one per chunk (of 2 here)
    assert [sorted(e.data["organisations"]) for e in bulk] == [[chosen[0].pk], sorted([chosen[2].pk, chosen[3].pk])]
    assert Event.objects.get(verb="workflow.batch_done").data["started"] == 3

    wf.workflow_batch_run(batch=batch)  # done: nothing happens
    WorkflowBatch.objects.filter(pk=batch.pk).update(status="failed")
    batch = wf.workflow_batch_run(batch=batch)  # a re-run counts its own workflows, makes none
    assert (batch.status, batch.started, batch.skipped) == ("done", 3, 1)
    assert Workflow.objects.count() == 4 and Task.objects.count() == 12


def test_a_bulk_start_refuses_a_bad_selection(accountant, template, organisation):
    with pytest.raises(ValidationError, match="Unknown value"):
        wf.workflow_batch_create(actor=accountant, ctx=CTX, template=template, name="J", start_date=START,
                                 selection={"tier": ["gold"]})  # fmt: skip
    organisation.tier = Tier.STANDARD
    organisation.save()
    with pytest.raises(ValidationError, match="No client"):
        wf.workflow_batch_create(actor=accountant, ctx=CTX, template=template, name="J", start_date=START,
                                 selection={"tier": ["collaborate"]})  # fmt: skip
    assert not WorkflowBatch.objects.exists() and not Event.objects.filter(verb__startswith="workflow.b").exists()


def test_a_failing_bulk_start_is_marked_failed_with_the_error(accountant, template, organisation, monkeypatch):
    batch = WorkflowBatch.objects.create(template=template, name="J", start_date=START, total=1)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(wf, "_start_chunk", broken)
    with pytest.raises(RuntimeError):
        wf.workflow_batch_run(batch=batch)
    batch.refresh_from_db()
    assert batch.status == "failed" and "disk full" in batch.error


def test_a_used_template_cannot_be_deleted(firm_admin, accountant, template, organisation):
    wf.workflow_start(actor=accountant, ctx=CTX, template=template, organisation=organisation, name="J",
                      start_date=START)  # fmt: skip
    with pytest.raises(ValidationError, match="deactivate"):
        wf.workflow_template_delete(actor=firm_admin, ctx=CTX, template=template)
    unused = wf.workflow_template_create(actor=firm_admin, ctx=CTX, name="Leeg", steps=STEPS[:1])
    wf.workflow_template_delete(actor=firm_admin, ctx=CTX, template=unused)
    assert not WorkflowTemplate.objects.filter(name="Leeg").exists()


def test_the_job_runs_a_queued_batch_once(accountant, template, organisation):
    from accordo.work.tasks_workflows import workflow_batch_job

    batch = WorkflowBatch.objects.create(template=template, name="J", start_date=START, total=1)
    workflow_batch_job.call_local(batch.pk)
    workflow_batch_job.call_local(batch.pk)  # done: nothing again
    workflow_batch_job.call_local(0)  # gone: nothing
    batch.refresh_from_db()
    assert (batch.status, batch.started) == ("done", 1)
    assert Workflow.objects.count() == 1 and Event.objects.filter(verb="workflow.batch_done").count() == 1
