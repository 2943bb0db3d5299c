"""Writes of workflow templates (SPEC §10): a template's name and ordered steps, firm administrators only.

A step is for a role of the client's assigned staff or for the client, due a number of days after
the start. Changing a template changes the workflows started from then on; running workflows keep
their tasks. Positions are unique per template, so reordering goes through a free range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accordo.accounts.models import User
from accordo.clients.models import AssignmentRole
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.work.models import WorkflowStep, WorkflowTemplate

MAX_OFFSET_DAYS = 730
CLIENT = "client"  # the "who" of a step done by the client


class WorkflowStateError(ValidationError):
    """The workflow, batch or step was changed in the meantime."""


@dataclass(frozen=True)
class StepSpec:
    title: str
    who: str  # an AssignmentRole value or CLIENT
    due_offset_days: int = 0


def _admin_only(actor: User) -> None:
    if not actor.is_firm_admin:
        raise PermissionError("only firm administrators manage workflow templates")


def step_clean(spec: StepSpec) -> StepSpec:
    """A step's fields checked: a title, a role or the client, an offset within two years."""
    title = spec.title.strip()
    if not title:
        raise ValidationError(_("Give the step a title."), code="title")
    if spec.who != CLIENT and spec.who not in AssignmentRole.values:
        raise ValidationError(_("Choose who does the step: a role or the client."), code="who")
    if not 0 <= int(spec.due_offset_days) <= MAX_OFFSET_DAYS:
        raise ValidationError(
            _("A step is due between 0 and %(max)s days after the start.") % {"max": MAX_OFFSET_DAYS},
            code="due_offset_days",
        )
    return StepSpec(title[:200], spec.who, int(spec.due_offset_days))


def _step_fields(spec: StepSpec) -> dict[str, Any]:
    client = spec.who == CLIENT
    return {
        "title": spec.title,
        "assignee_role": "" if client else spec.who,
        "for_client": client,
        "due_offset_days": spec.due_offset_days,
    }


def step_who(step: WorkflowStep) -> str:
    return CLIENT if step.for_client else step.assignee_role


def _template_data(template: WorkflowTemplate) -> dict[str, Any]:
    return {
        "name": template.name,
        "active": template.active,
        "steps": [
            {"title": s.title, "who": step_who(s), "due_offset_days": s.due_offset_days}
            for s in template.steps.order_by("position")
        ],
    }


def _name_clean(name: str, *, exclude: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the template a name."), code="name")
    same = WorkflowTemplate.objects.filter(name__iexact=name)
    if (same.exclude(pk=exclude) if exclude else same).exists():
        raise ValidationError(_("A workflow template with this name exists already."), code="name")
    return name[:150]


@transaction.atomic
def workflow_template_create(
    *,
    actor: User,
    ctx: RequestContext,
    name: str,
    steps: Sequence[StepSpec],
    description: str = "",
    active: bool = True,
) -> WorkflowTemplate:
    """Add a template with its ordered steps (at least one); firm administrators."""
    _admin_only(actor)
    name = _name_clean(name)
    cleaned = [step_clean(s) for s in steps]
    if not cleaned:
        raise ValidationError(_("A workflow needs at least one step."), code="steps")
    template = WorkflowTemplate.objects.create(name=name, description=description.strip(), active=active)
    WorkflowStep.objects.bulk_create(
        WorkflowStep(template=template, position=i, **_step_fields(s)) for i, s in enumerate(cleaned, start=1)
    )
    event_record(actor=actor, ctx=ctx, verb="workflow.template_created", target=template, data=_template_data(template))
    return template


def _locked(template: WorkflowTemplate) -> WorkflowTemplate:
    return WorkflowTemplate.objects.select_for_update().get(pk=template.pk)


def _changed(actor: User, ctx: RequestContext, template: WorkflowTemplate, before: dict[str, Any]) -> dict[str, Any]:
    after = _template_data(template)
    diff = {key: {"old": before[key], "new": after[key]} for key in after if before[key] != after[key]}
    if diff:
        event_record(
            actor=actor,
            ctx=ctx,
            verb="workflow.template_changed",
            target=template,
            data={"name": template.name, "changes": diff},
        )
    return diff


@transaction.atomic
def workflow_template_update(
    *, actor: User, ctx: RequestContext, template: WorkflowTemplate, name: str, description: str, active: bool
) -> dict[str, Any]:
    """Rename, describe, (de)activate a template; its started workflows keep their tasks."""
    _admin_only(actor)
    template = _locked(template)
    before = _template_data(template)
    template.name = _name_clean(name, exclude=template.pk)
    template.description = description.strip()
    template.active = active
    template.save()
    return _changed(actor, ctx, template, before)


@transaction.atomic
def workflow_step_add(*, actor: User, ctx: RequestContext, template: WorkflowTemplate, spec: StepSpec) -> WorkflowStep:
    """Add a step at the end of a template."""
    _admin_only(actor)
    spec = step_clean(spec)
    template = _locked(template)
    before = _template_data(template)
    last = template.steps.aggregate(last=Max("position"))["last"] or 0
    step = WorkflowStep.objects.create(template=template, position=last + 1, **_step_fields(spec))
    _changed(actor, ctx, template, before)
    return step


@transaction.atomic
def workflow_step_remove(*, actor: User, ctx: RequestContext, step: WorkflowStep) -> None:
    """Remove a step (never the last one); the steps after it move up."""
    _admin_only(actor)
    template = _locked(step.template)
    before = _template_data(template)
    steps = list(template.steps.order_by("position"))
    if len(steps) <= 1:
        raise ValidationError(_("A workflow needs at least one step."), code="steps")
    WorkflowStep.objects.filter(pk=step.pk).delete()
    _renumber([s for s in steps if s.pk != step.pk])
    _changed(actor, ctx, template, before)


def _renumber(steps: list[WorkflowStep]) -> None:
    """Give ``steps`` the positions 1..n in this order (through a free range: positions are unique)."""
    offset = 1000
    for i, s in enumerate(steps, start=1):
        WorkflowStep.objects.filter(pk=s.pk).update(position=offset + i)
    for i, s in enumerate(steps, start=1):
        WorkflowStep.objects.filter(pk=s.pk).update(position=i)


@transaction.atomic
def workflow_step_move(*, actor: User, ctx: RequestContext, step: WorkflowStep, up: bool) -> None:
    """Move a step one place up or down (nothing at either end)."""
    _admin_only(actor)
    template = _locked(step.template)
    before = _template_data(template)
    steps = list(template.steps.order_by("position"))
    index = next((i for i, s in enumerate(steps) if s.pk == step.pk), None)
    if index is None:
        raise WorkflowStateError(_("This step was removed in the meantime. Reload the page."), code="state")
    other = index - 1 if up else index + 1
    if not 0 <= other < len(steps):
        return
    steps[index], steps[other] = steps[other], steps[index]
    _renumber(steps)
    _changed(actor, ctx, template, before)


@transaction.atomic
def workflow_template_delete(*, actor: User, ctx: RequestContext, template: WorkflowTemplate) -> None:
    """Remove a template nobody used; one with workflows or rules is refused (deactivate it instead)."""
    _admin_only(actor)
    template = _locked(template)
    if template.workflows.exists() or template.batches.exists():
        raise ValidationError(
            _("This template was started already; deactivate it instead of deleting it."), code="in_use"
        )
    rules = list(template.rules.values_list("name", flat=True))
    if rules:
        raise ValidationError(
            _("Signal rules start this template: %(rules)s. Change those rules first.") % {"rules": ", ".join(rules)},
            code="in_use",
        )
    event_record(actor=actor, ctx=ctx, verb="workflow.template_deleted", target=template, data=_template_data(template))
    template.delete()
