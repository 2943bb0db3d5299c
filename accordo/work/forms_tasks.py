"""Forms of the planning board and of tasks: filters in the query string, new task, move, assign."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accordo.accounts.models import User
from accordo.clients.models import AssignmentRole, Label, Organisation
from accordo.work.models import Task
from accordo.work.selectors import BoardFilters

ISO_WEEK = re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")
WHEN_CHOICES = [
    ("", _("Any time")),
    ("overdue", _("Overdue")),
    ("this", _("This week")),
    ("next", _("Next week")),
]


def staff_choices() -> list[tuple[str, str]]:
    """Active staff members as (public id, name) — one query."""
    people = User.objects.filter(is_active=True).exclude(staff_role="").order_by("full_name", "email")
    return [(str(u.public_id), u.display_name) for u in people.only("public_id", "full_name", "email")]


class BoardFilterForm(forms.Form):
    """The board's filters, read from the query string; an empty form means "my tasks"."""

    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    when = forms.ChoiceField(label=_("Due"), choices=WHEN_CHOICES, required=False)
    week = forms.CharField(
        label=_("Week"), required=False, widget=forms.TextInput(attrs={"type": "week"}), max_length=8
    )
    label = forms.ChoiceField(label=_("Label"), required=False)
    client = forms.CharField(
        label=_("Client"), required=False, max_length=100, widget=forms.TextInput(attrs={"type": "search"})
    )
    organisation = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, staff: list[tuple[str, str]], labels: list[Label], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = [(f"role:{value}", str(label)) for value, label in AssignmentRole.choices]
        assignee, label = self.fields["assignee"], self.fields["label"]
        assert isinstance(assignee, forms.ChoiceField) and isinstance(label, forms.ChoiceField)
        assignee.choices = [
            ("me", _("My tasks")),
            ("anyone", _("Everybody")),
            ("unassigned", _("Nobody (unassigned)")),
            (_("Role"), roles),
            (_("Person"), staff),
        ]
        label.choices = [("", _("All labels"))] + [(str(lb.public_id), lb.name) for lb in labels]
        self.labels = {str(lb.public_id): lb for lb in labels}

    def clean_week(self) -> str:
        week = str(self.cleaned_data.get("week") or "").strip()
        if week and not ISO_WEEK.match(week):
            raise ValidationError(_("Choose a week like 2026-W48."), code="week")
        return week

    def filters(self, viewer: User) -> BoardFilters:
        """The filters to apply; call after ``is_valid()`` (invalid input falls back to "my tasks")."""
        if not self.is_bound or not self.is_valid():
            return BoardFilters(viewer=viewer)
        data = self.cleaned_data
        assignee = data["assignee"] or "me"
        person = None
        if assignee not in ("me", "anyone", "unassigned") and not assignee.startswith("role:"):
            person = User.objects.filter(public_id=assignee).exclude(staff_role="").first()
            if person == viewer:
                assignee, person = "me", None
        organisation = None
        if data["organisation"]:
            organisation = Organisation.objects.filter(public_id=data["organisation"]).first()
        return BoardFilters(
            viewer=viewer,
            assignee=assignee,
            person=person,
            week=data["week"] or data["when"] or "",
            organisation=organisation,
            label=self.labels.get(data["label"] or ""),
            client=(data["client"] or "").strip(),
        )


class MoveForm(forms.Form):
    """Move a card: the new status, and the status the mover saw (a stale move answers 409)."""

    status = forms.ChoiceField(label=_("Move to"), choices=Task.Status.choices)
    seen = forms.ChoiceField(choices=Task.Status.choices, widget=forms.HiddenInput)


class TaskForm(forms.Form):
    """A new task for a member of staff (a person or a role), or for one of the client's users."""

    title = forms.CharField(label=_("Title"), max_length=200)
    organisation = forms.ModelChoiceField(
        label=_("Client"),
        queryset=Organisation.objects.order_by("name", "id"),
        to_field_name="public_id",
        required=False,
        empty_label=_("No client"),
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=User.objects.filter(is_active=True).exclude(staff_role="").order_by("full_name", "email"),
        to_field_name="public_id",
        required=False,
        empty_label=_("Nobody yet"),
    )
    assignee_role = forms.ChoiceField(
        label=_("Or the client's"),
        choices=[("", _("No role")), *AssignmentRole.choices],
        required=False,
        help_text=_("The staff member assigned to the client in this role gets the task."),
    )
    for_client = forms.BooleanField(label=_("A task for the client"), required=False)
    client_user = forms.ModelChoiceField(
        label=_("Client user"),
        queryset=User.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("Any of the client's users"),
        help_text=_("Only for a task for the client: a user of the chosen client."),
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, organisation: Organisation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisation is None and self.is_bound:
            chosen = self.data.get("organisation")
            try:
                organisation = Organisation.objects.filter(public_id=chosen).first() if chosen else None
            except ValidationError:
                organisation = None
        client_user = self.fields["client_user"]
        assert isinstance(client_user, forms.ModelChoiceField)
        if organisation is not None:
            client_user.queryset = User.objects.filter(memberships__organisation=organisation, is_active=True).order_by(
                "full_name", "email"
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("for_client"):
            if data.get("organisation") is None:
                self.add_error("organisation", _("A task for the client needs a client."))
            if data.get("assignee") or data.get("assignee_role"):
                self.add_error("for_client", _("A task for the client goes to a client user, not to staff."))
        elif data.get("client_user"):
            self.add_error("client_user", _("Tick 'A task for the client' to give it to a client user."))
        if data.get("assignee") and data.get("assignee_role"):
            self.add_error("assignee_role", _("Give the task to either a person or a role."))
        if data.get("assignee_role") and data.get("organisation") is None:
            self.add_error("assignee_role", _("A role is resolved through a client: choose one."))
        return data


class AssignForm(forms.Form):
    """Give a task to somebody else: staff, or (a task for the client) one of the client's users."""

    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), to_field_name="public_id", required=False
    )

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        if task.for_client:
            field.queryset = User.objects.filter(memberships__organisation=task.organisation, is_active=True)
            field.empty_label = str(_("Any of the client's users"))
        else:
            field.queryset = User.objects.filter(is_active=True).exclude(staff_role="")
            field.empty_label = str(_("Nobody"))
        field.queryset = field.queryset.order_by("full_name", "email")
        field.initial = str(task.assignee.public_id) if task.assignee else None
