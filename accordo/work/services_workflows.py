"""Writes of workflows (SPEC §10): starting one or in bulk, progress, cancelling (templates: see _templates).

Starting a workflow makes one task per step (due ``start_date + offset``; a role resolved through the
organisation's assigned staff, a client step for the client without assignee). A bulk start runs in
chunks: each chunk is one transaction that makes its workflows and tasks with ``bulk_create`` and
resolves the roles with one query, and skips organisations that already have a workflow of the
template with that name, so running a batch again makes nothing twice.

Progress lives on the workflow (``steps_done``), counted with F expressions in the transaction that
moves a task to done or back (``workflow_task_moved``). Cancelling a workflow keeps its tasks as
they are: work that was started is not thrown away; staff close what is left on the board.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accordo.accounts.models import User
from accordo.clients.models import Label, Organisation, StaffAssignment, Tier
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.core.models import Event
from accordo.core.rawinsert import insert_rows
from accordo.work.models import Task, Workflow, WorkflowBatch, WorkflowStep, WorkflowTemplate
from accordo.work.services_workflow_templates import (  # noqa: F401 (the templates' writes, here too)
    CLIENT,
    MAX_OFFSET_DAYS,
    StepSpec,
    WorkflowStateError,
    step_clean,
    step_who,
    workflow_step_add,
    workflow_step_move,
    workflow_step_remove,
    workflow_template_create,
    workflow_template_delete,
    workflow_template_update,
)

CHUNK = 2000  # organisations per transaction (and per progress step); 500 took 4.8 s for 10,000, 2000 2.9 s
# A bulk start records one ``workflow.bulk_started`` event per chunk naming its organisations: an event
# per organisation made 10,000 starts take 62 s on SQLite (the chain head is locked and hashed per
# event); one or a rule's start records ``workflow.started`` on the organisation's timeline.
EVENT_PER_WORKFLOW = False
SELECTION_KEYS = ("label", "tier", "organisation_kind")


def _staff_only(actor: User | None) -> None:
    if actor is not None and not actor.is_firm_staff:
        raise PermissionError("only firm staff start workflows")


# --- starting ----------------------------------------------------------------------------------


def _startable(template: WorkflowTemplate) -> list[WorkflowStep]:
    steps = list(template.steps.order_by("position"))
    if not template.active or not steps:
        raise ValidationError(_("Choose an active workflow template with steps."), code="template")
    return steps


def _workflow_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the workflow a name, e.g. “Jaarrekening 2025”."), code="name")
    return name[:150]


@dataclass
class ChunkResult:
    started: int
    workflows: list[Workflow]  # loaded only when they get an event each
    skipped: int  # organisations that had a workflow of the template with this name from elsewhere
    already: int  # organisations started by this same batch before (a re-run)


WORKFLOW_COLUMNS = (
    "public_id", "created_at", "updated_at", "template", "organisation", "name", "start_date", "status", "batch",
    "source_event", "created_by", "steps_total", "steps_done",
)  # fmt: skip
TASK_COLUMNS = (
    "public_id", "created_at", "updated_at", "title", "organisation", "assignee", "assignee_role", "for_client",
    "due_date", "status", "target_type", "target_id", "source_event", "created_by", "workflow", "step",
)  # fmt: skip


def _db(model: type[Model], name: str, value: Any) -> Any:
    """``value`` of field ``name`` as this database stores it (dates, times, uuids differ per backend)."""
    return model._meta.get_field(name).get_db_prep_save(value, connection)  # type: ignore[union-attr]


def _start_chunk(
    *,
    actor: User | None,
    ctx: RequestContext,
    template: WorkflowTemplate,
    steps: list[WorkflowStep],
    organisation_ids: list[int],
    name: str,
    start_date: datetime.date,
    batch: WorkflowBatch | None = None,
    source_event: Event | None = None,
) -> ChunkResult:
    """Start ``template`` for each organisation that has no workflow of it named ``name`` (one transaction)."""
    existing = dict(
        Workflow.objects.filter(template=template, name=name, organisation_id__in=organisation_ids).values_list(
            "organisation_id", "batch_id"
        )
    )
    already = sum(1 for b in existing.values() if batch is not None and b == batch.pk)
    todo = [pk for pk in organisation_ids if pk not in existing]
    if not todo:
        return ChunkResult(0, [], len(existing) - already, already)
    native_uuid = connection.features.has_native_uuid_field
    public_ids = {pk: uuid.uuid4() for pk in todo}
    now = _db(Workflow, "created_at", timezone.now())
    start = _db(Workflow, "start_date", start_date)
    insert_rows(
        Workflow,
        WORKFLOW_COLUMNS,
        [
            (public_ids[pk] if native_uuid else public_ids[pk].hex, now, now, template.pk, pk, name, start,
             str(Workflow.Status.RUNNING),
             batch.pk if batch else None, source_event.pk if source_event else None,
             actor.pk if actor else None, len(steps), 0)
            for pk in todo
        ],
    )  # fmt: skip
    made = dict(
        Workflow.objects.filter(template=template, name=name, organisation_id__in=todo).values_list(
            "organisation_id", "pk"
        )
    )
    roles = {s.assignee_role for s in steps if s.assignee_role and not s.for_client}
    holders: dict[tuple[int, str], int] = {}
    if roles:
        for org_id, role, user_id in StaffAssignment.objects.filter(
            organisation_id__in=todo, role__in=roles, user__is_active=True
        ).values_list("organisation_id", "role", "user_id"):
            holders[(org_id, role)] = user_id
    dues = {s.pk: _db(Task, "due_date", start_date + datetime.timedelta(days=s.due_offset_days)) for s in steps}
    insert_rows(
        Task,
        TASK_COLUMNS,
        [
            (uuid.uuid4() if native_uuid else uuid.uuid4().hex, now, now, step.title, org,
             None if step.for_client else holders.get((org, step.assignee_role)),
             "" if step.for_client else step.assignee_role, step.for_client, dues[step.pk], str(Task.Status.OPEN),
             "work.workflow", str(public_ids[org]), source_event.pk if source_event else None,
             actor.pk if actor else None, made[org], step.pk)
            for org in todo
            for step in steps
        ],
    )  # fmt: skip
    base: dict[str, Any] = {"template": template.name, "name": name, "start_date": start_date.isoformat()}
    if batch is not None:
        base["batch"] = str(batch.public_id)
    if source_event is not None:
        base["source_event"] = source_event.seq
    workflows: list[Workflow] = []
    if EVENT_PER_WORKFLOW or batch is None:
        workflows = list(Workflow.objects.filter(pk__in=made.values()).select_related("organisation"))
        for workflow in workflows:
            event_record(
                actor=actor,
                ctx=ctx,
                verb="workflow.started",
                target=workflow,
                organisation=workflow.organisation,
                data={**base, "steps": len(steps)},
            )
    else:
        event_record(
            actor=actor,
            ctx=ctx,
            verb="workflow.bulk_started",
            target=batch,
            data={**base, "steps": len(steps), "organisations": todo},
        )
    return ChunkResult(len(todo), workflows, len(existing) - already, already)


def workflow_start(
    *,
    actor: User | None,
    ctx: RequestContext,
    template: WorkflowTemplate,
    organisation: Organisation,
    name: str,
    start_date: datetime.date,
    source_event: Event | None = None,
) -> Workflow:
    """Start ``template`` for one organisation: its tasks, one per step; refused when it runs already."""
    _staff_only(actor)
    name = _workflow_name(name)
    steps = _startable(template)
    try:
        with transaction.atomic():
            result = _start_chunk(
                actor=actor,
                ctx=ctx,
                template=template,
                steps=steps,
                organisation_ids=[organisation.pk],
                name=name,
                start_date=start_date,
                source_event=source_event,
            )
    except IntegrityError:  # started by somebody else at the same moment
        result = ChunkResult(0, [], 1, 0)
    if not result.started:
        raise ValidationError(
            _("%(organisation)s already has the workflow “%(name)s”.") % {"organisation": organisation, "name": name},
            code="exists",
        )
    return result.workflows[0]


# --- bulk -----------------------------------------------------------------------------------------


def selection_clean(selection: dict[str, Any]) -> dict[str, list[str]]:
    """Which organisations a bulk start is for: any of label (public ids), tier, organisation kind."""
    unknown = set(selection) - set(SELECTION_KEYS)
    if unknown:
        raise ValidationError(_("Unknown selection: %(names)s") % {"names": ", ".join(sorted(unknown))})
    cleaned = {k: sorted({str(v) for v in (vs if isinstance(vs, list) else [vs])}) for k, vs in selection.items() if vs}
    allowed = {"tier": set(Tier.values), "organisation_kind": set(Organisation.Kind.values)}
    for key, values in cleaned.items():
        if key == "label":
            try:
                found = {str(p) for p in Label.objects.filter(public_id__in=values).values_list("public_id", flat=True)}
            except ValidationError:
                found = set()
            wrong = [v for v in values if v not in found]
        else:
            wrong = [v for v in values if v not in allowed[key]]
        if wrong:
            raise ValidationError(_("Unknown value in the selection: %(values)s") % {"values": ", ".join(wrong)})
    return cleaned


def selected_organisations(selection: dict[str, list[str]]) -> QuerySet[Organisation]:
    """The organisations a cleaned selection names (all of them when it is empty)."""
    qs = Organisation.objects.all()
    if selection.get("label"):
        qs = qs.filter(labels__public_id__in=selection["label"])
    if selection.get("tier"):
        qs = qs.filter(tier__in=selection["tier"])
    if selection.get("organisation_kind"):
        qs = qs.filter(kind__in=selection["organisation_kind"])
    return qs.distinct()


@transaction.atomic
def workflow_batch_create(
    *,
    actor: User,
    ctx: RequestContext,
    template: WorkflowTemplate,
    name: str,
    start_date: datetime.date,
    selection: dict[str, Any],
) -> WorkflowBatch:
    """Queue a bulk start; the worker runs it after commit (``workflow_batch_job``)."""
    _staff_only(actor)
    name = _workflow_name(name)
    _startable(template)
    cleaned = selection_clean(selection)
    total = selected_organisations(cleaned).count()
    if not total:
        raise ValidationError(_("No client matches this selection."), code="selection")
    batch = WorkflowBatch.objects.create(
        template=template, name=name, start_date=start_date, selection=cleaned, total=total, created_by=actor
    )
    event_record(
        actor=actor,
        ctx=ctx,
        verb="workflow.batch_queued",
        target=batch,
        data={"template": template.name, "name": name, "selection": cleaned, "total": total},
    )
    from accordo.work.tasks_workflows import workflow_batch_job

    transaction.on_commit(lambda: workflow_batch_job(batch.pk))
    return batch


def _organisation_chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _run_chunk(
    batch: WorkflowBatch, steps: list[WorkflowStep], chunk: list[int], *, actor: User | None, ctx: RequestContext
) -> None:
    """One chunk in one transaction with its progress; once more when someone started one of them meanwhile."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                result = _start_chunk(
                    actor=actor,
                    ctx=ctx,
                    template=batch.template,
                    steps=steps,
                    organisation_ids=chunk,
                    name=batch.name,
                    start_date=batch.start_date,
                    batch=batch,
                )
                WorkflowBatch.objects.filter(pk=batch.pk).update(
                    started=F("started") + result.started + result.already,
                    skipped=F("skipped") + result.skipped,
                    updated_at=timezone.now(),
                )
            return
        except IntegrityError:  # a workflow of this name was started for one of them at the same time
            if attempt == 2:
                raise


def workflow_batch_run(*, batch: WorkflowBatch, actor: User | None = None) -> WorkflowBatch:
    """Start the batch's workflow for every selected organisation, chunk by chunk, with progress.

    Safe to run again (after a crash or on a retry): organisations started before are counted, not
    started twice. A failure marks the batch failed with the error and is raised again.
    """
    claimed = WorkflowBatch.objects.filter(
        pk=batch.pk, status__in=[WorkflowBatch.Status.QUEUED, WorkflowBatch.Status.RUNNING, WorkflowBatch.Status.FAILED]
    ).update(status=WorkflowBatch.Status.RUNNING, started=0, skipped=0, error="", updated_at=timezone.now())
    if not claimed:
        return WorkflowBatch.objects.get(pk=batch.pk)
    batch = WorkflowBatch.objects.select_related("template").get(pk=batch.pk)
    ctx = RequestContext.system("workflows")
    try:
        steps = list(batch.template.steps.order_by("position"))
        ids = list(selected_organisations(batch.selection).order_by("pk").values_list("pk", flat=True))
        WorkflowBatch.objects.filter(pk=batch.pk).update(total=len(ids))
        for chunk in _organisation_chunks(ids):
            _run_chunk(batch, steps, chunk, actor=actor or batch.created_by, ctx=ctx)
        with transaction.atomic():
            WorkflowBatch.objects.filter(pk=batch.pk).update(
                status=WorkflowBatch.Status.DONE, finished_at=timezone.now()
            )
            batch.refresh_from_db()
            event_record(
                actor=None,
                ctx=ctx,
                verb="workflow.batch_done",
                target=batch,
                data={"name": batch.name, "total": batch.total, "started": batch.started, "skipped": batch.skipped},
            )
    except Exception as exc:
        WorkflowBatch.objects.filter(pk=batch.pk).update(
            status=WorkflowBatch.Status.FAILED, error=repr(exc)[:2000], finished_at=timezone.now()
        )
        raise
    return batch


# --- progress --------------------------------------------------------------------------------------


def workflow_task_moved(*, actor: User | None, ctx: RequestContext, task: Task, old: str, new: str) -> None:
    """Count a workflow's step done (or not done again) in the mover's transaction; finish or reopen it."""
    if task.workflow_id is None:
        return
    done = Task.Status.DONE
    if new == done and old != done:
        Workflow.objects.filter(pk=task.workflow_id).update(steps_done=F("steps_done") + 1)
        finished = Workflow.objects.filter(
            pk=task.workflow_id, status=Workflow.Status.RUNNING, steps_done__gte=F("steps_total")
        ).update(status=Workflow.Status.DONE, finished_at=timezone.now(), updated_at=timezone.now())
        verb = "workflow.completed" if finished else ""
    elif old == done and new != done:
        Workflow.objects.filter(pk=task.workflow_id, steps_done__gt=0).update(steps_done=F("steps_done") - 1)
        reopened = Workflow.objects.filter(pk=task.workflow_id, status=Workflow.Status.DONE).update(
            status=Workflow.Status.RUNNING, finished_at=None, updated_at=timezone.now()
        )
        verb = "workflow.reopened" if reopened else ""
    else:
        return
    if verb:
        workflow = Workflow.objects.select_related("organisation").get(pk=task.workflow_id)
        event_record(
            actor=actor,
            ctx=ctx,
            verb=verb,
            target=workflow,
            organisation=workflow.organisation,
            data={"name": workflow.name, "task": task.title},
        )


@transaction.atomic
def workflow_cancel(*, actor: User, ctx: RequestContext, workflow: Workflow) -> Workflow:
    """Stop a running workflow; its tasks stay as they are (open ones are for staff to close or keep)."""
    _staff_only(actor)
    updated = Workflow.objects.filter(pk=workflow.pk, status=Workflow.Status.RUNNING).update(
        status=Workflow.Status.CANCELLED, finished_at=timezone.now(), updated_at=timezone.now()
    )
    if updated != 1:
        raise WorkflowStateError(_("This workflow is not running any more."), code="state")
    workflow.refresh_from_db()
    open_tasks = workflow.tasks.exclude(status=Task.Status.DONE).count()
    event_record(
        actor=actor,
        ctx=ctx,
        verb="workflow.cancelled",
        target=workflow,
        organisation=workflow.organisation,
        data={"name": workflow.name, "open_tasks": open_tasks},
    )
    return workflow
