"""Task pages for staff: a new task, one task (its cause, object, history, move and assign forms)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accordo.clients.models import Organisation
from accordo.core.access import AuthedRequest, staff_required
from accordo.core.context import ctx_from_request
from accordo.core.models import Event
from accordo.core.timeline import verb_label
from accordo.work import services
from accordo.work.access import access_staff_task
from accordo.work.forms_tasks import AssignForm, MoveForm, TaskForm
from accordo.work.models import Task
from accordo.work.selectors import target_url, task_events
from accordo.work.views_board import refuse, wants_json


def _preset_organisation(request: AuthedRequest) -> Organisation | None:
    chosen = request.GET.get("organisation", "")
    try:
        return Organisation.objects.filter(public_id=chosen).first() if chosen else None
    except ValidationError:
        return None


# The fields a client change carries over (never the CSRF token: it would land in a URL).
INCLUDED = ",".join(f"#id_{name}" for name in ("title", "assignee", "assignee_role", "for_client", "due_date"))


@require_http_methods(["GET", "POST"])
@staff_required
def task_new(request: AuthedRequest) -> HttpResponse:
    """A new task; from a client's page the client comes preset (``?organisation=``)."""
    preset = _preset_organisation(request) if request.method == "GET" else None
    # Choosing a client reloads the form (htmx, keeping what was typed) to offer that client's users.
    initial = {name: request.GET[name] for name in TaskForm.base_fields if name in request.GET}
    form = TaskForm(request.POST or None, organisation=preset, initial=initial)
    form.fields["organisation"].widget.attrs.update(
        {"hx-get": reverse("work:task_new"), "hx-trigger": "change", "hx-include": INCLUDED,
         "hx-target": "main", "hx-select": "main", "hx-swap": "outerHTML"}
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.task_create(
                actor=request.user,
                ctx=ctx_from_request(request),
                title=data["title"],
                organisation=data["organisation"],
                assignee=data["client_user"] if data["for_client"] else data["assignee"],
                assignee_role=data["assignee_role"] or "",
                for_client=data["for_client"],
                due_date=data["due_date"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, _("Task created."))
            return redirect("work:task", task.public_id)
    return render(request, "work/tasks/new.html", {"form": form}, status=400 if form.errors else 200)


def _change(event: Event) -> str:
    """A history line's detail: old → new status (as labels) or assignee."""
    old, new = event.data.get("old"), event.data.get("new")
    if event.verb == "task.moved":
        labels = dict(Task.Status.choices)
        old, new = labels.get(old, old), labels.get(new, new)
    if old is None and new is None:
        return ""
    nobody = _("nobody")
    return f"{old or nobody} → {new or nobody}"


def _detail_context(task: Task, **forms: Any) -> dict[str, Any]:
    source = task.source_event
    return {
        "task": task,
        "source_label": verb_label(source.verb) if source else "",
        "target_url": target_url(task),
        "events": [(event, _change(event)) for event in task_events(task)],
        "move_form": forms.get("move_form") or MoveForm(initial={"status": task.status, "seen": task.status}),
        "assign_form": forms.get("assign_form") or AssignForm(task=task),
        "statuses": Task.Status.choices,
    }


@require_GET
@staff_required
def task_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    task = access_staff_task(request.user, public_id)
    return render(request, "work/tasks/detail.html", _detail_context(task))


@require_POST
@staff_required
def task_assign(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Give the task to another person (or to nobody); 400 for somebody who cannot take it."""
    task = access_staff_task(request.user, public_id)
    form = AssignForm(request.POST, task=task)
    if not form.is_valid():
        if wants_json(request):
            return refuse(request, task, _("Choose somebody who can take this task."), 400)
        return render(request, "work/tasks/detail.html", _detail_context(task, assign_form=form), status=400)
    try:
        services.task_assign(
            actor=request.user, ctx=ctx_from_request(request), task=task, assignee=form.cleaned_data["assignee"]
        )
    except ValidationError as error:
        return refuse(request, task, error.messages[0], 409 if error.code == "state" else 400)
    messages.success(request, _("Task assigned."))
    return redirect("work:task", task.public_id)
