"""Forms of the work administration: signal rules, e-mail templates, workflow templates and starts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accordo.accounts.models import User
from accordo.approvals.models import ApprovalType
from accordo.clients.models import AssignmentRole, Label, Organisation, Tier
from accordo.core.timeline import verb_label
from accordo.deliveries.models import Tray
from accordo.work.models import MailTemplate, SignalRule, WorkflowTemplate
from accordo.work.services import MAX_DUE_OFFSET_DAYS, signal_verbs
from accordo.work.services_mail import PLACEHOLDERS
from accordo.work.services_workflows import CLIENT, MAX_OFFSET_DAYS, StepSpec, step_who

CONDITION_FIELDS = ("tier", "label", "organisation_kind", "tray", "approval_type")


def who_choices() -> list[tuple[str, Any]]:
    return [*AssignmentRole.choices, (CLIENT, _("The client"))]


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class LabelChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Label.objects.order_by("name"), to_field_name="public_id", **kwargs)


class RuleForm(forms.Form):
    """A rule: its event, the conditions as lists to tick, and the fields of its action."""

    name = forms.CharField(label=_("Name"), max_length=150)
    verb = forms.ChoiceField(label=_("When this happens"))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    tier = forms.MultipleChoiceField(
        label=_("Service tier"), choices=Tier.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    label = LabelChoiceField(label=_("Label"), required=False, widget=forms.CheckboxSelectMultiple)
    organisation_kind = forms.MultipleChoiceField(
        label=_("Kind of client"),
        choices=Organisation.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tray = forms.MultipleChoiceField(label=_("Tray"), required=False, widget=forms.CheckboxSelectMultiple)
    approval_type = forms.MultipleChoiceField(
        label=_("Approval type"), choices=ApprovalType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    action = forms.ChoiceField(label=_("Then"), choices=SignalRule.Action.choices)
    task_title = forms.CharField(label=_("Task title"), max_length=200, required=False)
    assignee_role = forms.ChoiceField(
        label=_("For the client's"), choices=[("", _("— a person instead —")), *AssignmentRole.choices], required=False
    )
    assignee = StaffChoiceField(
        label=_("Or for this person"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— nobody —"),
        to_field_name="public_id",
    )
    due_offset_days = forms.IntegerField(
        label=_("Due after (days)"), min_value=0, max_value=MAX_DUE_OFFSET_DAYS, initial=0, required=False
    )
    mail_template = forms.ModelChoiceField(
        label=_("E-mail template"), queryset=MailTemplate.objects.none(), required=False, to_field_name="public_id"
    )
    workflow_template = forms.ModelChoiceField(
        label=_("Workflow template"),
        queryset=WorkflowTemplate.objects.none(),
        required=False,
        to_field_name="public_id",
    )

    def __init__(self, *args: Any, rule: SignalRule | None = None, **kwargs: Any) -> None:
        if rule is not None and "initial" not in kwargs:
            kwargs["initial"] = rule_initial(rule)
        super().__init__(*args, **kwargs)
        verbs = signal_verbs()
        if rule is not None and rule.verb not in dict(verbs):
            verbs.append((rule.verb, verb_label(rule.verb)))
        self.fields["verb"].choices = verbs  # type: ignore[attr-defined]
        self.fields["tray"].choices = list(Tray.objects.order_by("position", "name").values_list("slug", "name"))  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = (  # type: ignore[attr-defined]
            User.objects.exclude(staff_role="").filter(is_active=True).order_by("full_name", "email")
        )  # type: ignore[attr-defined]
        self.fields["mail_template"].queryset = MailTemplate.objects.order_by("name")  # type: ignore[attr-defined]
        active = WorkflowTemplate.objects.filter(active=True)
        if rule is not None and rule.workflow_template_id:
            active = active | WorkflowTemplate.objects.filter(pk=rule.workflow_template_id)
        self.fields["workflow_template"].queryset = active.order_by("name")  # type: ignore[attr-defined]

    def conditions(self) -> dict[str, list[str]]:
        data = self.cleaned_data
        found: dict[str, list[str]] = {}
        for key in CONDITION_FIELDS:
            values = data.get(key) or []
            if key == "label":
                values = [str(label.public_id) for label in values]
            if values:
                found[key] = list(values)
        return found

    def service_fields(self) -> dict[str, Any]:
        """What the rule services take, from the cleaned form."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "verb": data["verb"],
            "active": data["active"],
            "conditions": self.conditions(),
            "action": data["action"],
            "task_title": data["task_title"],
            "assignee_role": data["assignee_role"],
            "assignee": data["assignee"],
            "due_offset_days": data["due_offset_days"] or 0,
            "mail_template": data["mail_template"],
            "workflow_template": data["workflow_template"],
        }


def rule_initial(rule: SignalRule) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "name": rule.name,
        "verb": rule.verb,
        "active": rule.active,
        "action": rule.action,
        "task_title": rule.task_title,
        "assignee_role": rule.assignee_role,
        "assignee": rule.assignee.public_id if rule.assignee else None,
        "due_offset_days": rule.due_offset_days,
        "mail_template": rule.mail_template.public_id if rule.mail_template else None,
        "workflow_template": rule.workflow_template.public_id if rule.workflow_template else None,
    }
    for key in CONDITION_FIELDS:
        value = (rule.conditions or {}).get(key)
        if value:
            initial[key] = value if isinstance(value, list) else [value]
    return initial


class MailTemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        self.fields["body"].help_text = gettext("You can use: %(names)s") % {"names": names}


class TemplateForm(forms.Form):
    """A workflow template's own fields."""

    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    active = forms.BooleanField(label=_("Active (can be started)"), required=False, initial=True)


class StepForm(forms.Form):
    title = forms.CharField(label=_("Step"), max_length=200)
    who = forms.ChoiceField(label=_("Who does it"), choices=who_choices)
    due_offset_days = forms.IntegerField(
        label=_("Due after (days from the start)"), min_value=0, max_value=MAX_OFFSET_DAYS, initial=0
    )

    def spec(self) -> StepSpec:
        data = self.cleaned_data
        return StepSpec(data["title"], data["who"], data["due_offset_days"])


def step_initial(step: Any) -> dict[str, Any]:
    return {"title": step.title, "who": step_who(step), "due_offset_days": step.due_offset_days}


class StartForm(forms.Form):
    """Start a workflow for one client."""

    template = forms.ModelChoiceField(
        label=_("Workflow"), queryset=WorkflowTemplate.objects.none(), to_field_name="public_id"
    )
    name = forms.CharField(label=_("Name"), max_length=150, help_text=_("For example “Jaarrekening 2025”."))
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"start_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = WorkflowTemplate.objects.filter(active=True).order_by("name")  # type: ignore[attr-defined]


class BulkStartForm(StartForm):
    """Start a workflow for every client in a selection (none ticked: every client)."""

    label = LabelChoiceField(label=_("With label"), required=False, widget=forms.CheckboxSelectMultiple)
    tier = forms.MultipleChoiceField(
        label=_("Service tier"), choices=Tier.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    organisation_kind = forms.MultipleChoiceField(
        label=_("Kind of client"),
        choices=Organisation.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def selection(self) -> dict[str, list[str]]:
        data = self.cleaned_data
        found: dict[str, list[str]] = {}
        if data.get("label"):
            found["label"] = [str(label.public_id) for label in data["label"]]
        for key in ("tier", "organisation_kind"):
            if data.get(key):
                found[key] = list(data[key])
        return found


class WorkflowFilterForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Workflow"),
        queryset=WorkflowTemplate.objects.order_by("name"),
        required=False,
        to_field_name="public_id",
        empty_label=_("All"),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))]
    )  # choices set below, from the model
    batch = forms.UUIDField(required=False, widget=forms.HiddenInput)
    organisation = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from accordo.work.models import Workflow

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *Workflow.Status.choices]  # type: ignore[attr-defined]
