"""Workflow pages: templates and steps (admins), starting one or in bulk, progress, lists with constant queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from accordo.core.models import Event
from accordo.testing.factories import LabelFactory, OrganisationFactory
from accordo.work import services_workflows as wf
from accordo.work.models import Task, Workflow, WorkflowBatch, WorkflowTemplate
from accordo.work.tests.test_rules_admin import _count
from accordo.work.tests.test_services import CTX
from accordo.work.tests.test_workflows import START, STEPS

TEMPLATES = reverse("work_admin:template_list")
WORKFLOWS = reverse("work_admin:workflow_list")
BULK = reverse("work_admin:bulk_start")


@pytest.fixture
def admin_client(client, firm_admin):
    firm_admin.language = "en"
    firm_admin.save()
    client.force_login(firm_admin)
    return client


@pytest.fixture
def staff_client(client, accountant):
    accountant.language = "en"
    accountant.save()
    client.force_login(accountant)
    return client


@pytest.fixture
def template(firm_admin) -> WorkflowTemplate:
    return wf.workflow_template_create(actor=firm_admin, ctx=CTX, name="Jaarrekening", steps=STEPS)


def test_an_admin_makes_a_template_and_arranges_its_steps(admin_client):
    response = admin_client.post(
        reverse("work_admin:template_create"),
        {"t-name": "Aangifte IB", "t-active": "on", "s-title": "Gegevens", "s-who": "client", "s-due_offset_days": "7"},
    )
    template = WorkflowTemplate.objects.get(name="Aangifte IB")
    edit = reverse("work_admin:template_edit", args=[template.public_id])
    assert response.status_code == 302 and response["Location"] == edit
    add = reverse("work_admin:step_add", args=[template.public_id])
    assert (
        admin_client.post(add, {"s-title": "Opstellen", "s-who": "tax_advisor", "s-due_offset_days": "14"}).status_code
        == 302
    )
    second = template.steps.get(title="Opstellen")
    admin_client.post(reverse("work_admin:step_move", args=[second.public_id]), {"direction": "up"})
    assert list(template.steps.order_by("position").values_list("title", flat=True)) == ["Opstellen", "Gegevens"]
    assert (
        admin_client.post(reverse("work_admin:step_move", args=[second.public_id]), {"direction": "x"}).status_code
        == 400
    )
    admin_client.post(reverse("work_admin:step_remove", args=[second.public_id]))
    last = template.steps.get()
    response = admin_client.post(reverse("work_admin:step_remove", args=[last.public_id]))
    assert response.status_code == 409 and "at least one step" in response.content.decode()
    page = admin_client.get(edit).content.decode()
    assert "Gegevens" in page and "Opstellen" not in page
    response = admin_client.post(edit, {"t-name": "Aangifte IB 2", "t-description": "Elk jaar"})
    template.refresh_from_db()
    assert response.status_code == 302 and template.name == "Aangifte IB 2" and not template.active


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"t-name": "", "s-title": "X", "s-who": "assistant", "s-due_offset_days": "1"}, "This field is required"),
        ({"t-name": "N", "s-title": "", "s-who": "assistant", "s-due_offset_days": "1"}, "This field is required"),
        ({"t-name": "N", "s-title": "X", "s-who": "boss", "s-due_offset_days": "1"}, "Select a valid choice"),
        ({"t-name": "N", "s-title": "X", "s-who": "assistant", "s-due_offset_days": "-1"}, "greater than or equal"),
        ({"t-name": "jaarrekening", "s-title": "X", "s-who": "assistant", "s-due_offset_days": "1"}, "exists already"),
    ],
)
def test_a_bad_template_is_refused_whole(admin_client, template, data, message):
    events = Event.objects.count()
    response = admin_client.post(reverse("work_admin:template_create"), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert WorkflowTemplate.objects.count() == 1 and Event.objects.count() == events


def test_staff_start_a_workflow_for_a_client_and_follow_it(staff_client, accountant, template, organisation):
    fragment = staff_client.get(reverse("work_admin:organisation_workflows", args=[organisation.public_id]))
    assert fragment.status_code == 200 and "Start a workflow" in fragment.content.decode()
    start = reverse("work_admin:workflow_start", args=[organisation.public_id])
    data = {"template": str(template.public_id), "name": "Jaarrekening 2025", "start_date": "2026-01-05"}
    response = staff_client.post(start, data)
    workflow = Workflow.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "work_admin:workflow_detail", args=[workflow.public_id]
    )
    again = staff_client.post(start, data)
    assert again.status_code == 400 and "already has the workflow" in again.content.decode()
    assert Workflow.objects.count() == 1
    detail = staff_client.get(response["Location"]).content.decode()
    assert "Samenstellen" in detail and "0 of 3 steps done" in detail
    staff_client.post(reverse("work_admin:workflow_cancel", args=[workflow.public_id]))
    workflow.refresh_from_db()
    assert workflow.status == "cancelled" and Task.objects.filter(workflow=workflow).count() == 3
    assert staff_client.post(reverse("work_admin:workflow_cancel", args=[workflow.public_id])).status_code == 302


def test_the_client_page_loads_its_workflows(staff_client, organisation):
    page = staff_client.get(reverse("staff:organisation_detail", args=[organisation.public_id])).content.decode()
    assert reverse("work_admin:organisation_workflows", args=[organisation.public_id]) in page


def test_a_bulk_start_from_the_page_runs_and_shows_its_progress(
    staff_client, template, organisation, django_capture_on_commit_callbacks
):
    label = LabelFactory(name="Jaarwerk")
    label.organisations.add(organisation, *[OrganisationFactory() for _ in range(3)])
    OrganisationFactory()  # not labelled
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            BULK,
            {
                "template": str(template.public_id),
                "name": "Jaarrekening 2025",
                "start_date": "2026-01-05",
                "label": [str(label.public_id)],
            },
        )
    batch = WorkflowBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "work_admin:batch_detail", args=[batch.public_id]
    )
    page = staff_client.get(response["Location"]).content.decode()
    assert 'value="100"' in page and "4 started, 0 skipped" in page and "every 1s" not in page
    partial = staff_client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="batch-progress"')
    assert Workflow.objects.filter(batch=batch).count() == 4
    listed = staff_client.get(f"{WORKFLOWS}?batch={batch.public_id}").content.decode()
    assert listed.count("/staff/work/admin/workflows/") >= 4


def test_a_running_batch_page_polls(staff_client, template):
    batch = WorkflowBatch.objects.create(template=template, name="J", start_date=START, total=10, started=4)
    page = staff_client.get(reverse("work_admin:batch_detail", args=[batch.public_id])).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'aria-valuenow="40"' in page


def test_a_bulk_start_without_matching_clients_is_refused(staff_client, template, organisation):
    response = staff_client.post(
        BULK,
        {"template": str(template.public_id), "name": "J", "start_date": "2026-01-05", "organisation_kind": ["person"]},
    )
    assert response.status_code == 400 and "No client matches" in response.content.decode()
    assert not WorkflowBatch.objects.exists()


def test_the_workflows_list_takes_the_same_queries_for_more_workflows(staff_client, accountant, template):
    def start(n: int, offset: int) -> None:
        for i in range(n):
            org = OrganisationFactory(name=f"Klant {offset + i}")
            wf.workflow_start(actor=accountant, ctx=CTX, template=template, organisation=org, name="J",
                              start_date=START + datetime.timedelta(days=i))  # fmt: skip

    start(2, 0)
    few = _count(staff_client, WORKFLOWS)
    start(10, 100)
    batch = WorkflowBatch.objects.create(template=template, name="J", start_date=START, total=1)
    Workflow.objects.update(batch=batch)
    assert _count(staff_client, WORKFLOWS) == few
    assert _count(staff_client, f"{WORKFLOWS}?template={template.public_id}&status=running") == few + 1


def test_the_templates_list_takes_the_same_queries_for_more_templates(admin_client, firm_admin, template):
    few = _count(admin_client, TEMPLATES)
    for i in range(8):
        wf.workflow_template_create(actor=firm_admin, ctx=CTX, name=f"T{i}", steps=STEPS)
    assert _count(admin_client, TEMPLATES) == few


@pytest.mark.parametrize("who", ["client_owner", "outsider"])
def test_clients_and_outsiders_cannot_start_workflows(client, request, who, template, organisation):
    client.force_login(request.getfixturevalue(who))
    data = {"template": str(template.public_id), "name": "J", "start_date": "2026-01-05"}
    assert client.post(reverse("work_admin:workflow_start", args=[organisation.public_id]), data).status_code == 404
    assert client.post(BULK, data).status_code == 404
    assert not Workflow.objects.exists() and not WorkflowBatch.objects.exists()


def test_staff_cannot_edit_templates(staff_client, template):
    assert staff_client.get(TEMPLATES).status_code == 404
    step = template.steps.first()
    assert staff_client.post(reverse("work_admin:step_remove", args=[step.public_id])).status_code == 404
    assert template.steps.count() == 3


def test_the_list_shows_one_clients_workflows(staff_client, accountant, template, organisation, other_organisation):
    for org in (organisation, other_organisation):
        wf.workflow_start(actor=accountant, ctx=CTX, template=template, organisation=org, name="J", start_date=START)
    page = staff_client.get(f"{WORKFLOWS}?organisation={organisation.public_id}").content.decode()
    assert f"The workflows of {organisation.name}" in page and other_organisation.name not in page
