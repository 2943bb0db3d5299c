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

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["assignee", "status", "due_date"], name="task_assignee_status_due"),
            models.Index(fields=["status", "due_date"], name="task_status_due"),
            models.Index(fields=["organisation", "status"], name="task_org_status"),
        ]

    def __str__(self) -> str:
        return self.title


class SignalRule(BaseModel):
    """On an event with ``verb`` whose conditions match → an action (for now: create a task).

    ``conditions`` holds any of ``tier``, ``label`` (a label's public id), ``organisation_kind``,
    ``tray`` (a tray's slug) and ``approval_type``; each a value or a list of values, all must match.
    """

    class Action(models.TextChoices):
        CREATE_TASK = "create_task", _("Create a task")

    name = models.CharField(_("name"), max_length=150)
    active = models.BooleanField(_("active"), default=True)
    verb = models.CharField(_("event"), max_length=80)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, default=Action.CREATE_TASK)
    task_title = models.CharField(_("task title"), max_length=200)
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

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("signal rule")
        verbose_name_plural = _("signal rules")
        indexes = [models.Index(fields=["verb", "active"], name="rule_verb_active")]

    def __str__(self) -> str:
        return self.name


class RuleFiring(models.Model):
    """That ``rule`` acted on ``event``: at most once (the unique constraint), with the task it made."""

    rule = models.ForeignKey(SignalRule, on_delete=models.CASCADE, related_name="firings")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "event"], name="rulefiring_unique")]

    def __str__(self) -> str:
        return f"{self.rule_id}@{self.event_id}"
