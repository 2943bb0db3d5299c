"""Work (SPEC §10): tasks for staff and clients, and the signal rules that turn events into tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accordo.clients.models import AssignmentRole, Organisation
from accordo.core.models import BaseModel, Event


class Task(BaseModel):
    """A piece of work with a due date, for a person or a role of the organisation's assigned staff.

    ``target_type``/``target_id`` name the object it is about (as on events), ``source_event`` the
    event that caused it (a signal rule's task).
    """

    class Status(models.TextChoices):
        OPEN = "todo", _("To do")
        DOING = "doing", _("In progress")
        WAITING = "waiting", _("Waiting")
        DONE = "done", _("Done")

    title = models.CharField(_("title"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("client")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        verbose_name=_("assignee"),
    )
    assignee_role = models.CharField(_("role"), max_length=20, choices=AssignmentRole.choices, blank=True)
    for_client = models.BooleanField(_("for the client"), default=False)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    source_event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    workflow = models.ForeignKey(
        "Workflow", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("workflow")
    )
    step = models.ForeignKey("WorkflowStep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["assignee", "status", "due_date"], name="task_assignee_status_due"),
            models.Index(fields=["status", "due_date"], name="task_status_due"),
            models.Index(fields=["organisation", "status"], name="task_org_status"),
            models.Index(fields=["workflow", "status"], name="task_workflow_status"),
        ]

    def __str__(self) -> str:
        return self.title


class MailTemplate(BaseModel):
    """A branded e-mail the firm writes once and sends to a client's users (by a signal rule).

    ``subject`` and ``body`` are plain text with placeholders (``{organisation}``, ``{firm}``, ...)
    filled in when it is sent; the firm's branding wraps it.
    """

    name = models.CharField(_("name"), max_length=150, unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")

    def __str__(self) -> str:
        return self.name


class WorkflowTemplate(BaseModel):
    """Ordered steps of a recurring piece of work (e.g. "Jaarrekening"); starting one makes its tasks."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("workflow template")
        verbose_name_plural = _("workflow templates")

    def __str__(self) -> str:
        return self.name


class WorkflowStep(BaseModel):
    """One step of a template: a task for a role (or the client), due ``due_offset_days`` after the start."""

    template = models.ForeignKey(WorkflowTemplate, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    assignee_role = models.CharField(_("role"), max_length=20, choices=AssignmentRole.choices, blank=True)
    for_client = models.BooleanField(_("for the client"), default=False)
    due_offset_days = models.PositiveSmallIntegerField(_("due after (days)"), default=0)

    class Meta:
        ordering = ["template", "position"]
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        constraints = [models.UniqueConstraint(fields=["template", "position"], name="workflowstep_unique_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class WorkflowBatch(BaseModel):
    """Starting a template for many organisations at once, run by the worker with visible progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    template = models.ForeignKey(WorkflowTemplate, on_delete=models.PROTECT, related_name="batches")
    name = models.CharField(_("name"), max_length=150)
    start_date = models.DateField(_("start date"))
    selection = models.JSONField(_("selection"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    started = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bulk workflow start")

    def __str__(self) -> str:
        return self.name


class Workflow(BaseModel):
    """A template started for one organisation: its tasks carry the steps; progress is their share done."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    template = models.ForeignKey(WorkflowTemplate, on_delete=models.PROTECT, related_name="workflows")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="workflows")
    name = models.CharField(_("name"), max_length=150)
    start_date = models.DateField(_("start date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    batch = models.ForeignKey(WorkflowBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="workflows")
    source_event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    steps_total = models.PositiveSmallIntegerField(default=0)
    steps_done = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("workflow")
        verbose_name_plural = _("workflows")
        constraints = [
            # Starting the same workflow twice for an organisation (a bulk start re-run) makes nothing new.
            models.UniqueConstraint(fields=["template", "organisation", "name"], name="workflow_unique_name")
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="workflow_status_created")]

    def __str__(self) -> str:
        return self.name


class SignalRule(BaseModel):
    """On an event with ``verb`` whose conditions match → an action: a task, an e-mail or a workflow.

    ``conditions`` holds any of ``tier``, ``label`` (a label's public id), ``organisation_kind``,
    ``tray`` (a tray's slug) and ``approval_type``; each a value or a list of values, all must match.
    """

    class Action(models.TextChoices):
        CREATE_TASK = "create_task", _("Create a task")
        SEND_MAIL = "send_mail", _("Send an e-mail to the client")
        START_WORKFLOW = "start_workflow", _("Start a workflow")

    name = models.CharField(_("name"), max_length=150)
    active = models.BooleanField(_("active"), default=True)
    verb = models.CharField(_("event"), max_length=80)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, default=Action.CREATE_TASK)
    task_title = models.CharField(_("task title"), max_length=200, blank=True)
    assignee_role = models.CharField(_("role"), max_length=20, choices=AssignmentRole.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assignee"),
    )
    due_offset_days = models.PositiveSmallIntegerField(_("due after (days)"), default=0)
    mail_template = models.ForeignKey(
        MailTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rules",
        verbose_name=_("e-mail template"),
    )
    workflow_template = models.ForeignKey(
        WorkflowTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rules",
        verbose_name=_("workflow template"),
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("signal rule")
        verbose_name_plural = _("signal rules")
        indexes = [models.Index(fields=["verb", "active"], name="rule_verb_active")]

    def __str__(self) -> str:
        return self.name


class RuleFiring(models.Model):
    """That ``rule`` acted on ``event``: at most once (the unique constraint), with what it made."""

    rule = models.ForeignKey(SignalRule, on_delete=models.CASCADE, related_name="firings")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    workflow = models.ForeignKey(Workflow, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "event"], name="rulefiring_unique")]

    def __str__(self) -> str:
        return f"{self.rule_id}@{self.event_id}"


class ReminderSchedule(BaseModel):
    """When the firm reminds (SPEC §10): days before the due date, days after, then every N days.

    One schedule per kind of thing that waits on a client; a kind without a row is never reminded.
    """

    class Kind(models.TextChoices):
        APPROVAL = "approval", _("Approvals")
        DOCUMENT_REQUEST = "document_request", _("Document requests")
        QUESTIONNAIRE = "questionnaire", _("Questionnaires")
        CLIENT_TASK = "client_task", _("Tasks for clients")

    kind = models.CharField(_("for"), max_length=20, choices=Kind.choices, unique=True)
    days_before = models.JSONField(_("days before the due date"), default=list, blank=True)
    days_after = models.JSONField(_("days after the due date"), default=list, blank=True)
    repeat_every_days = models.PositiveSmallIntegerField(_("then every (days)"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("reminder schedule")
        verbose_name_plural = _("reminder schedules")

    def __str__(self) -> str:
        return self.kind


class ReminderSent(models.Model):
    """A reminder or digest that went out, under a key that makes sending it twice impossible.

    Keys look like ``client_task:<task public id>:before:7`` or ``digest:<user public id>:2026-11-23``.
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
