"""Writes of work: tasks (create, move, assign) and signal rules (create, update, delete, fire).

Every write records its event in the same transaction. A rule fires at most once per event: the
``RuleFiring`` row is claimed first, under a unique (rule, event) constraint, and what the rule does
(a task, a workflow, e-mails queued for after the commit) happens in the same transaction, so a
worker that dies half-way leaves either all of it or none.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accordo.accounts.models import User
from accordo.approvals.models import ApprovalType
from accordo.clients.models import AssignmentRole, Label, Membership, Organisation, StaffAssignment, Tier
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.core.models import Event
from accordo.deliveries.models import Tray
from accordo.work import services_mail, services_workflows
from accordo.work.models import MailTemplate, RuleFiring, SignalRule, Task, Workflow, WorkflowTemplate

# Events of work itself never trigger rules: a rule on "task.created" would feed itself.
OWN_VERB_PREFIXES = ("task.", "rule.", "workflow.", "mailtemplate.")
# The events a firm can choose for a rule (SPEC §10), in one place; labels come from the timeline.
# Verbs of parts not built yet are offered once they have a timeline label (see ``signal_verbs``).
SIGNAL_VERBS = (
    "client.data_changed",
    "delivery.received",
    "delivery.answered",
    "approval.opened",
    "approval.approved",
    "approval.rejected",
    "approval.expired",
    "submission.submitted",
    "submission.accepted",
    "submission.rejected",
    "assessment.recorded",
    "assessment.not_conform",
    "assessment.conform",
    "document.viewed",
    "document.downloaded",
    "invitation.accepted",
    "organisation.created",
    "organisation.tier_changed",
    "calendar.generated",
    "message.received",
    "request.submitted",
    "questionnaire.submitted",
    "document_request.fulfilled",
)
CONDITION_KEYS = ("tier", "label", "organisation_kind", "tray", "approval_type")
VERB_PATTERN = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
MAX_DUE_OFFSET_DAYS = 365


class TaskStateError(ValidationError):
    """Someone else changed the task in the meantime (another click, another worker)."""


def _staff_only(actor: User | None) -> None:
    if actor is not None and not actor.is_firm_staff:
        raise PermissionError("only firm staff manage tasks")


def _admin_only(actor: User) -> None:
    if not actor.is_firm_admin:
        raise PermissionError("only firm administrators manage signal rules")


def _check_assignee(assignee: User | None, *, for_client: bool, organisation: Organisation | None) -> None:
    if assignee is None:
        return
    if not assignee.is_active:
        raise ValidationError(_("%(person)s can no longer log in.") % {"person": assignee}, code="assignee")
    if for_client:
        if organisation is None or not Membership.objects.filter(user=assignee, organisation=organisation).exists():
            raise ValidationError(_("A task for the client goes to one of the client's users."), code="assignee")
    elif not assignee.is_firm_staff:
        raise ValidationError(_("A task for the firm goes to a member of staff."), code="assignee")


def role_holder(organisation: Organisation | None, role: str) -> User | None:
    """The active staff member assigned to ``organisation`` in ``role``, if any."""
    if organisation is None or not role:
        return None
    assignment = (
        StaffAssignment.objects.filter(organisation=organisation, role=role, user__is_active=True)
        .select_related("user")
        .first()
    )
    return assignment.user if assignment else None


@transaction.atomic
def task_create(
    *,
    actor: User | None,
    ctx: RequestContext,
    title: str,
    organisation: Organisation | None = None,
    assignee: User | None = None,
    assignee_role: str = "",
    for_client: bool = False,
    due_date: datetime.date | None = None,
    source_event: Event | None = None,
    data: dict[str, Any] | None = None,
) -> Task:
    """Create a task for a person, or for a role resolved through the organisation's assigned staff.

    A task caused by an event links to it and to the event's object. A role nobody holds leaves the
    task unassigned (with its role), to be picked up from the board.
    """
    _staff_only(actor)
    title = title.strip()
    if not title:
        raise ValidationError(_("Give the task a title."), code="title")
    if assignee_role and assignee_role not in AssignmentRole.values:
        raise ValidationError(_("Choose a valid role."), code="assignee_role")
    if for_client and (organisation is None or assignee_role):
        raise ValidationError(_("A task for the client belongs to a client, not to a staff role."), code="for_client")
    _check_assignee(assignee, for_client=for_client, organisation=organisation)
    if assignee is None and assignee_role:
        assignee = role_holder(organisation, assignee_role)
    task = Task.objects.create(
        title=title[:200],
        organisation=organisation,
        assignee=assignee,
        assignee_role=assignee_role,
        for_client=for_client,
        due_date=due_date,
        target_type=source_event.target_type if source_event else "",
        target_id=source_event.target_id if source_event else "",
        source_event=source_event,
        created_by=actor,
    )
    event_record(
        actor=actor,
        ctx=ctx,
        verb="task.created",
        target=task,
        organisation=organisation,
        data={
            "title": task.title,
            "assignee": assignee.email if assignee else None,
            "assignee_role": assignee_role,
            "for_client": for_client,
            "due_date": due_date.isoformat() if due_date else None,
            "source_event": source_event.seq if source_event else None,
            **(data or {}),
        },
    )
    return task


@transaction.atomic
def task_move(*, actor: User, ctx: RequestContext, task: Task, status: str) -> Task:
    """Move a task to another status (a column of the board); done stamps ``done_at``.

    The move only happens from the status the mover saw, so two moves at once cannot both win.
    """
    if not (actor.is_firm_staff or (task.for_client and task.assignee_id == actor.pk)):
        raise PermissionError("this person may not move this task")
    if status not in Task.Status.values:
        raise ValidationError(_("Choose a valid status."), code="status")
    old = task.status
    if status == old:
        return task
    now = timezone.now()
    done_at = now if status == Task.Status.DONE else None
    updated = Task.objects.filter(pk=task.pk, status=old).update(status=status, done_at=done_at, updated_at=now)
    if updated != 1:
        raise TaskStateError(_("This task was changed in the meantime. Reload the page."), code="state")
    task.status, task.done_at, task.updated_at = status, done_at, now
    event_record(
        actor=actor,
        ctx=ctx,
        verb="task.moved",
        target=task,
        organisation=task.organisation,
        data={"title": task.title, "old": old, "new": status},
    )
    services_workflows.workflow_task_moved(actor=actor, ctx=ctx, task=task, old=old, new=status)
    return task


@transaction.atomic
def task_assign(*, actor: User, ctx: RequestContext, task: Task, assignee: User | None) -> Task:
    """Give a task to another person (or to nobody); from the assignee the mover saw."""
    _staff_only(actor)
    _check_assignee(assignee, for_client=task.for_client, organisation=task.organisation)
    old_id = task.assignee_id
    new_id = assignee.pk if assignee else None
    if old_id == new_id:
        return task
    old_email = User.objects.filter(pk=old_id).values_list("email", flat=True).first() if old_id else None
    now = timezone.now()
    updated = Task.objects.filter(pk=task.pk, assignee_id=old_id).update(assignee=assignee, updated_at=now)
    if updated != 1:
        raise TaskStateError(_("This task was changed in the meantime. Reload the page."), code="state")
    task.assignee, task.updated_at = assignee, now
    event_record(
        actor=actor,
        ctx=ctx,
        verb="task.assigned",
        target=task,
        organisation=task.organisation,
        data={"title": task.title, "old": old_email, "new": assignee.email if assignee else None},
    )
    return task


# --- signal rules ------------------------------------------------------------------------------


def _values(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str) and v for v in items):
        raise ValidationError(_("A condition needs one or more values."), code="conditions")
    return sorted(set(items))


def conditions_clean(conditions: dict[str, Any]) -> dict[str, list[str]]:
    """Check a rule's conditions; each becomes a sorted list of known values."""
    unknown = set(conditions) - set(CONDITION_KEYS)
    if unknown:
        raise ValidationError(
            _("Unknown condition: %(names)s") % {"names": ", ".join(sorted(unknown))}, code="conditions"
        )
    cleaned = {key: _values(value) for key, value in conditions.items()}
    known: dict[str, set[str]] = {}
    if "tier" in cleaned:
        known["tier"] = set(Tier.values)
    if "organisation_kind" in cleaned:
        known["organisation_kind"] = set(Organisation.Kind.values)
    if "approval_type" in cleaned:
        known["approval_type"] = set(ApprovalType.values)
    if "tray" in cleaned:
        known["tray"] = set(Tray.objects.filter(slug__in=cleaned["tray"]).values_list("slug", flat=True))
    if "label" in cleaned:
        try:
            found = Label.objects.filter(public_id__in=cleaned["label"]).values_list("public_id", flat=True)
            known["label"] = {str(p) for p in found}
        except ValidationError:  # not a uuid
            known["label"] = set()
    for key, allowed in known.items():
        wrong = [v for v in cleaned[key] if v not in allowed]
        if wrong:
            raise ValidationError(
                _("Unknown value for %(condition)s: %(values)s") % {"condition": key, "values": ", ".join(wrong)},
                code="conditions",
            )
    return cleaned


def signal_verbs() -> list[tuple[str, str]]:
    """The events a rule can start on, as (verb, translated label): those of ``SIGNAL_VERBS`` the system records."""
    from accordo.core.timeline import VERB_LABELS

    return [(verb, str(VERB_LABELS[verb])) for verb in SIGNAL_VERBS if verb in VERB_LABELS]


def _task_clean(fields: dict[str, Any]) -> None:
    fields["task_title"] = str(fields["task_title"] or "").strip()
    if not fields["task_title"]:
        raise ValidationError(_("Give the task a title."), code="task_title")
    role, assignee = fields["assignee_role"], fields["assignee"]
    if bool(role) == bool(assignee):
        raise ValidationError(_("Give the task to either a role or a person."), code="assignee")
    if role and role not in AssignmentRole.values:
        raise ValidationError(_("Choose a valid role."), code="assignee_role")
    _check_assignee(assignee, for_client=False, organisation=None)
    if not 0 <= int(fields["due_offset_days"]) <= MAX_DUE_OFFSET_DAYS:
        raise ValidationError(
            _("A task is due between 0 and %(max)s days after the event.") % {"max": MAX_DUE_OFFSET_DAYS},
            code="due_offset_days",
        )
    fields["due_offset_days"] = int(fields["due_offset_days"])
    fields["mail_template"] = fields["workflow_template"] = None


def _rule_clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Check a rule's fields for its action; the fields another action uses are emptied."""
    fields["name"] = str(fields["name"]).strip()
    if not fields["name"]:
        raise ValidationError(_("Give the rule a name."), code="name")
    verb = str(fields["verb"]).strip()
    if not VERB_PATTERN.match(verb) or verb.startswith(OWN_VERB_PREFIXES):
        raise ValidationError(_("Choose an event that can start a rule."), code="verb")
    fields["verb"] = verb
    if not isinstance(fields["conditions"] or {}, dict):
        raise ValidationError(_("Conditions are pairs of a name and values."), code="conditions")
    fields["conditions"] = conditions_clean(fields["conditions"] or {})
    action = fields["action"]
    if action == SignalRule.Action.CREATE_TASK:
        _task_clean(fields)
        return fields
    if action not in SignalRule.Action.values:
        raise ValidationError(_("Choose what the rule does."), code="action")
    mail_template: MailTemplate | None = fields["mail_template"]
    workflow_template: WorkflowTemplate | None = fields["workflow_template"]
    if action == SignalRule.Action.SEND_MAIL:
        if mail_template is None:
            raise ValidationError(_("Choose the e-mail template the rule sends."), code="mail_template")
        workflow_template = None
    else:
        if workflow_template is None or not workflow_template.active or not workflow_template.steps.exists():
            raise ValidationError(_("Choose an active workflow template with steps."), code="workflow_template")
        mail_template = None
    fields.update(
        task_title="",
        assignee_role="",
        assignee=None,
        due_offset_days=0,
        mail_template=mail_template,
        workflow_template=workflow_template,
    )
    return fields


def _rule_data(rule: SignalRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "active": rule.active,
        "verb": rule.verb,
        "conditions": rule.conditions,
        "action": rule.action,
        "task_title": rule.task_title,
        "assignee_role": rule.assignee_role,
        "assignee": rule.assignee.email if rule.assignee else None,
        "due_offset_days": rule.due_offset_days,
        "mail_template": rule.mail_template.name if rule.mail_template else None,
        "workflow_template": rule.workflow_template.name if rule.workflow_template else None,
    }


@transaction.atomic
def rule_create(
    *,
    actor: User,
    ctx: RequestContext,
    name: str,
    verb: str,
    task_title: str = "",
    conditions: dict[str, Any] | None = None,
    action: str = SignalRule.Action.CREATE_TASK,
    assignee_role: str = "",
    assignee: User | None = None,
    due_offset_days: int = 0,
    mail_template: MailTemplate | None = None,
    workflow_template: WorkflowTemplate | None = None,
    active: bool = True,
) -> SignalRule:
    """Add a signal rule (firm administrators): on ``verb`` with ``conditions`` → a task, an e-mail or a workflow."""
    _admin_only(actor)
    fields = _rule_clean(
        {
            "name": name,
            "verb": verb,
            "conditions": conditions,
            "action": action,
            "task_title": task_title,
            "assignee_role": assignee_role,
            "assignee": assignee,
            "due_offset_days": due_offset_days,
            "mail_template": mail_template,
            "workflow_template": workflow_template,
        }
    )
    rule = SignalRule.objects.create(active=active, **fields)
    event_record(actor=actor, ctx=ctx, verb="rule.created", target=rule, data=_rule_data(rule))
    return rule


RULE_FIELDS = (
    "name",
    "active",
    "verb",
    "conditions",
    "action",
    "task_title",
    "assignee_role",
    "assignee",
    "due_offset_days",
    "mail_template",
    "workflow_template",
)


@transaction.atomic
def rule_update(*, actor: User, ctx: RequestContext, rule: SignalRule, changes: dict[str, Any]) -> dict[str, Any]:
    """Change a rule (firm administrators); records old → new and returns that diff."""
    _admin_only(actor)
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"not fields of a rule: {sorted(unknown)}")
    rule = (
        SignalRule.objects.select_for_update(of=("self",))
        .select_related("assignee", "mail_template", "workflow_template")
        .get(pk=rule.pk)
    )
    before = _rule_data(rule)
    fields = _rule_clean({key: changes.get(key, getattr(rule, key)) for key in RULE_FIELDS if key != "active"})
    for key, value in fields.items():
        setattr(rule, key, value)
    if "active" in changes:
        rule.active = bool(changes["active"])
    after = _rule_data(rule)
    diff = {key: {"old": before[key], "new": after[key]} for key in after if before[key] != after[key]}
    if not diff:
        return diff
    rule.save()
    event_record(actor=actor, ctx=ctx, verb="rule.updated", target=rule, data={"name": rule.name, "changes": diff})
    return diff


@transaction.atomic
def rule_delete(*, actor: User, ctx: RequestContext, rule: SignalRule) -> None:
    """Remove a rule (firm administrators); the tasks, mails and workflows it made stay."""
    _admin_only(actor)
    event_record(actor=actor, ctx=ctx, verb="rule.deleted", target=rule, data=_rule_data(rule))
    rule.delete()


def _fire_task(rule: SignalRule, event: Event) -> Task:
    person = rule.assignee
    assignee = person if person is not None and person.is_active and person.is_firm_staff else None
    due = timezone.localdate(event.created_at) + datetime.timedelta(days=rule.due_offset_days)
    return task_create(
        actor=None,
        ctx=RequestContext.system("rules"),
        title=rule.task_title,
        organisation=event.organisation,
        assignee=assignee,
        assignee_role=rule.assignee_role if assignee is None else "",
        due_date=due,
        source_event=event,
        data={"rule": str(rule.public_id), "rule_name": rule.name},
    )


def _fire_mail(rule: SignalRule, event: Event) -> None:
    organisation, template = event.organisation, rule.mail_template
    if organisation is None or template is None:
        return
    recipients = services_mail.rule_mail_send(template=template, organisation=organisation, event=event)
    event_record(
        actor=None,
        ctx=RequestContext.system("rules"),
        verb="rule.mail_sent" if recipients else "rule.mail_skipped",
        target=rule,
        organisation=organisation,
        data={
            "rule_name": rule.name,
            "template": template.name,
            "recipients": recipients,
            "source_event": event.seq,
        },
    )


def rule_workflow_name(template: WorkflowTemplate, event: Event) -> str:
    """A rule's workflow is named after the event's period, or else its day: one per period or day."""
    period = event.data.get("period") if isinstance(event.data, dict) else None
    when = str(period) if period else timezone.localdate(event.created_at).isoformat()
    return f"{template.name} {when}"[:150]


def _fire_workflow(rule: SignalRule, event: Event) -> Workflow | None:
    organisation, template = event.organisation, rule.workflow_template
    if organisation is None or template is None or not template.active:
        return None
    name = rule_workflow_name(template, event)
    existing = Workflow.objects.filter(template=template, organisation=organisation, name=name).first()
    if existing is not None:
        return existing
    try:
        return services_workflows.workflow_start(
            actor=None,
            ctx=RequestContext.system("rules"),
            template=template,
            organisation=organisation,
            name=name,
            start_date=timezone.localdate(event.created_at),
            source_event=event,
        )
    except ValidationError:  # no steps any more, or started at this same moment elsewhere
        return Workflow.objects.filter(template=template, organisation=organisation, name=name).first()


def rule_fire(*, rule: SignalRule, event: Event) -> RuleFiring | None:
    """Do what the rule does for ``event``, exactly once; None when the rule fired for it before."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                firing = RuleFiring.objects.create(rule=rule, event=event)
        except IntegrityError:
            return None
        if rule.action == SignalRule.Action.SEND_MAIL:
            _fire_mail(rule, event)
        elif rule.action == SignalRule.Action.START_WORKFLOW:
            firing.workflow = _fire_workflow(rule, event)
        else:
            firing.task = _fire_task(rule, event)
        firing.save(update_fields=["task", "workflow"])
    return firing


# --- client tasks (planning board) -------------------------------------------------------------


@transaction.atomic
def task_complete_by_client(*, actor: User, ctx: RequestContext, task: Task, membership: Membership) -> Task:
    """A client user marks a task for the client done: its assignee, or, when nobody of the client
    is assigned, any member who may deliver (owner, approver, contributor); viewers never.

    From the status the user saw, like ``task_move``; recorded as ``task.moved`` with ``by_client``.
    """
    if (
        not task.for_client
        or membership.user_id != actor.pk
        or membership.organisation_id != task.organisation_id
        or not membership.can_deliver
        or task.assignee_id not in (None, actor.pk)
    ):
        raise PermissionError("this person may not complete this task")
    old = task.status
    if old == Task.Status.DONE:
        raise TaskStateError(_("This task is already done."), code="state")
    now = timezone.now()
    updated = Task.objects.filter(pk=task.pk, status=old, assignee_id=task.assignee_id).update(
        status=Task.Status.DONE, done_at=now, updated_at=now
    )
    if updated != 1:
        raise TaskStateError(_("This task was changed in the meantime. Reload the page."), code="state")
    task.status, task.done_at, task.updated_at = Task.Status.DONE, now, now
    event_record(
        actor=actor,
        ctx=ctx,
        verb="task.moved",
        target=task,
        organisation=task.organisation,
        data={"title": task.title, "old": old, "new": Task.Status.DONE, "by_client": True},
    )
    services_workflows.workflow_task_moved(actor=actor, ctx=ctx, task=task, old=old, new=Task.Status.DONE)
    return task
