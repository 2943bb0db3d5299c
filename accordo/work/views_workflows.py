"""Workflow pages: templates and their steps (administrators); starting, following and cancelling (staff)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accordo.clients.access import access_staff_organisation
from accordo.clients.models import Organisation
from accordo.core.access import AuthedRequest, firm_admin_required, public_id_or_404, staff_required
from accordo.core.context import ctx_from_request
from accordo.core.pagecache import cached_page
from accordo.work import services_workflows as wf
from accordo.work.forms_admin import BulkStartForm, StartForm, StepForm, TemplateForm, WorkflowFilterForm
from accordo.work.models import Task, Workflow, WorkflowBatch, WorkflowStep, WorkflowTemplate
from accordo.work.views_admin import message_of

PAGE_SIZE = 50


def _one(qs: Any, public_id: uuid.UUID | str) -> Any:
    found = qs.filter(public_id=public_id_or_404(public_id)).first()
    if found is None:
        raise Http404
    return found


def access_workflow_template(public_id: uuid.UUID | str) -> WorkflowTemplate:
    """A workflow template by public id (administrator views); 404 when missing."""
    template: WorkflowTemplate = _one(WorkflowTemplate.objects.all(), public_id)
    return template


def access_workflow(public_id: uuid.UUID | str) -> Workflow:
    """A workflow by public id (staff see every client's); 404 when missing."""
    workflow: Workflow = _one(Workflow.objects.select_related("template", "organisation", "batch"), public_id)
    return workflow


def access_batch(public_id: uuid.UUID | str) -> WorkflowBatch:
    """A bulk start by public id (staff); 404 when missing."""
    batch: WorkflowBatch = _one(WorkflowBatch.objects.select_related("template", "created_by"), public_id)
    return batch


# --- templates (administrators) -----------------------------------------------------------------------


@require_GET
@firm_admin_required
@cached_page
def template_list(request: AuthedRequest) -> HttpResponse:
    templates = WorkflowTemplate.objects.annotate(
        steps_count=Count("steps", distinct=True),
        running=Count("workflows", filter=Q(workflows__status=Workflow.Status.RUNNING), distinct=True),
    ).order_by("name", "id")
    return render(request, "work/workflows/template_list.html", {"templates": templates})


@require_http_methods(["GET", "POST"])
@firm_admin_required
def template_create(request: AuthedRequest) -> HttpResponse:
    """A new template with its first step; more steps are added on its page."""
    form = TemplateForm(request.POST or None, prefix="t")
    step = StepForm(request.POST or None, prefix="s")
    if request.method == "POST":
        if form.is_valid() and step.is_valid():
            try:
                template = wf.workflow_template_create(
                    actor=request.user, ctx=ctx_from_request(request), steps=[step.spec()], **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, message_of(error))
            else:
                messages.success(request, _("Workflow template added. Add its other steps."))
                return redirect("work_admin:template_edit", template.public_id)
        return render(request, "work/workflows/template_create.html", {"form": form, "step": step}, status=400)
    return render(request, "work/workflows/template_create.html", {"form": form, "step": step})


def _template_page(
    request: AuthedRequest, template: WorkflowTemplate, *, form: TemplateForm | None = None,
    step: StepForm | None = None, status: int = 200,
) -> HttpResponse:  # fmt: skip
    form = form or TemplateForm(
        prefix="t", initial={"name": template.name, "description": template.description, "active": template.active}
    )
    return render(
        request,
        "work/workflows/template_edit.html",
        {
            "template": template,
            "form": form,
            "step": step or StepForm(prefix="s"),
            "steps": list(template.steps.order_by("position")),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@firm_admin_required
def template_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    template = access_workflow_template(public_id)
    if request.method != "POST":
        return _template_page(request, template)
    form = TemplateForm(request.POST, prefix="t")
    if form.is_valid():
        try:
            diff = wf.workflow_template_update(
                actor=request.user, ctx=ctx_from_request(request), template=template, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, message_of(error))
        else:
            messages.success(request, _("Changes saved.") if diff else _("Nothing was changed."))
            return redirect("work_admin:template_edit", template.public_id)
    return _template_page(request, template, form=form, status=400)


@require_POST
@firm_admin_required
def step_add(request: AuthedRequest, public_id: str) -> HttpResponse:
    template = access_workflow_template(public_id)
    step = StepForm(request.POST, prefix="s")
    if step.is_valid():
        try:
            wf.workflow_step_add(actor=request.user, ctx=ctx_from_request(request), template=template, spec=step.spec())
        except ValidationError as error:
            step.add_error(None, message_of(error))
        else:
            messages.success(request, _("Step added."))
            return redirect("work_admin:template_edit", template.public_id)
    return _template_page(request, template, step=step, status=400)


def _step(public_id: str) -> WorkflowStep:
    step: WorkflowStep = _one(WorkflowStep.objects.select_related("template"), public_id)
    return step


@require_POST
@firm_admin_required
def step_move(request: AuthedRequest, public_id: str) -> HttpResponse:
    step = _step(public_id)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return _template_page(request, step.template, status=400)
    try:
        wf.workflow_step_move(actor=request.user, ctx=ctx_from_request(request), step=step, up=direction == "up")
    except ValidationError as error:
        messages.error(request, message_of(error))
    return redirect("work_admin:template_edit", step.template.public_id)


@require_POST
@firm_admin_required
def step_remove(request: AuthedRequest, public_id: str) -> HttpResponse:
    step = _step(public_id)
    try:
        wf.workflow_step_remove(actor=request.user, ctx=ctx_from_request(request), step=step)
    except ValidationError as error:
        messages.error(request, message_of(error))
        return _template_page(request, step.template, status=409)
    messages.success(request, _("Step removed."))
    return redirect("work_admin:template_edit", step.template.public_id)


@require_POST
@firm_admin_required
def template_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    template = access_workflow_template(public_id)
    try:
        wf.workflow_template_delete(actor=request.user, ctx=ctx_from_request(request), template=template)
    except ValidationError as error:
        messages.error(request, message_of(error))
        return _template_page(request, template, status=409)
    messages.success(request, _("Workflow template removed."))
    return redirect("work_admin:template_list")


# --- workflows (staff) ----------------------------------------------------------------------------


def _filtered(form: WorkflowFilterForm) -> tuple[Any, dict[str, Any]]:
    qs = Workflow.objects.select_related("template", "organisation", "batch").order_by("-created_at", "-id")
    shown: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        if data["template"]:
            qs = qs.filter(template=data["template"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["batch"]:
            qs = qs.filter(batch__public_id=data["batch"])
            shown["batch"] = WorkflowBatch.objects.filter(public_id=data["batch"]).first()
        if data["organisation"]:
            qs = qs.filter(organisation__public_id=data["organisation"])
            shown["organisation"] = Organisation.objects.filter(public_id=data["organisation"]).first()
    return qs, shown


@require_GET
@staff_required
@cached_page
def workflow_list(request: AuthedRequest) -> HttpResponse:
    form = WorkflowFilterForm(request.GET or None)
    qs, shown = _filtered(form)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "work/workflows/workflow_list.html",
        {
            "form": form if form.is_bound else WorkflowFilterForm(),
            "page": page,
            "querystring": query.urlencode(),
            "batches": WorkflowBatch.objects.select_related("template")[:5],
            **shown,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
@staff_required
def workflow_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    workflow = access_workflow(public_id)
    tasks = Task.objects.filter(workflow=workflow).select_related("assignee", "step").order_by("step__position", "id")
    return render(request, "work/workflows/workflow_detail.html", {"workflow": workflow, "tasks": tasks})


@require_POST
@staff_required
def workflow_cancel(request: AuthedRequest, public_id: str) -> HttpResponse:
    workflow = access_workflow(public_id)
    try:
        wf.workflow_cancel(actor=request.user, ctx=ctx_from_request(request), workflow=workflow)
    except ValidationError as error:
        messages.error(request, message_of(error))
        return redirect("work_admin:workflow_detail", workflow.public_id)
    messages.success(request, _("Workflow cancelled; its tasks stay on the board."))
    return redirect("work_admin:workflow_detail", workflow.public_id)


@require_http_methods(["GET", "POST"])
@staff_required
def workflow_start(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Start a workflow for one client (from the client's page)."""
    organisation = access_staff_organisation(request.user, public_id)
    form = StartForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                workflow = wf.workflow_start(
                    actor=request.user,
                    ctx=ctx_from_request(request),
                    template=data["template"],
                    organisation=organisation,
                    name=data["name"],
                    start_date=data["start_date"],
                )
            except ValidationError as error:
                form.add_error(None, message_of(error))
            else:
                messages.success(request, _("Workflow started."))
                return redirect("work_admin:workflow_detail", workflow.public_id)
        status = 400
    return render(request, "work/workflows/start.html", {"form": form, "organisation": organisation}, status=status)


@require_GET
@staff_required
def organisation_workflows(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The client's workflows with progress and a start form (a part of the client's page, loaded by htmx)."""
    organisation = access_staff_organisation(request.user, public_id)
    workflows = Workflow.objects.filter(organisation=organisation).select_related("template")[:10]
    return render(
        request,
        "work/workflows/_organisation.html",
        {"organisation": organisation, "workflows": workflows, "form": StartForm(auto_id="wf_%s")},
    )


@require_http_methods(["GET", "POST"])
@staff_required
def bulk_start(request: AuthedRequest) -> HttpResponse:
    """Start a workflow for a selection of clients: a batch the worker runs, with a progress page."""
    form = BulkStartForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                batch = wf.workflow_batch_create(
                    actor=request.user,
                    ctx=ctx_from_request(request),
                    template=data["template"],
                    name=data["name"],
                    start_date=data["start_date"],
                    selection=form.selection(),
                )
            except ValidationError as error:
                form.add_error(None, message_of(error))
            else:
                return redirect("work_admin:batch_detail", batch.public_id)
        status = 400
    return render(request, "work/workflows/bulk_start.html", {"form": form}, status=status)


def _percent(batch: WorkflowBatch) -> int:
    if batch.status == WorkflowBatch.Status.DONE:
        return 100
    if not batch.total:
        return 0
    return min(100, (batch.started + batch.skipped) * 100 // batch.total)


@require_GET
@staff_required
def batch_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    """A bulk start's progress; htmx asks for the progress part again every second while it runs."""
    batch = access_batch(public_id)
    context = {"batch": batch, "percent": _percent(batch)}
    partial = bool(request.headers.get("HX-Request"))
    template = "work/workflows/_batch_progress.html" if partial else "work/workflows/batch_detail.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
