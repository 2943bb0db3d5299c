"""Signal rules and workflows in the browser: an admin's rule turns a client's delivery into a task;
a bulk workflow start shows its progress until 100 %."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import cast

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accordo.accounts.models import User
from accordo.clients.models import Label, Organisation
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.core.tasks import dispatch_events
from accordo.deliveries.models import Delivery, Tray
from accordo.e2e.axe import checked
from accordo.e2e.flows import follow, log_in, log_in_staff, path_of, submit, visit
from accordo.e2e.test_journey_deliveries import SLOW, invoice_pdf, picked
from accordo.testing.factories import AssignmentFactory, OrganisationFactory, StaffFactory, enrol_totp
from accordo.work import services_workflows as wf
from accordo.work.models import SignalRule, Task, Workflow, WorkflowBatch
from accordo.work.tests.test_engine import deliver

pytestmark = pytest.mark.browser
Browse = Callable[[], Page]
CTX = RequestContext.system("e2e")


@pytest.fixture
def assistant(organisation: Organisation) -> User:
    user = cast(User, StaffFactory(email="assistent@firm.test", staff_role="assistant", full_name="Sanne Assistent"))
    AssignmentFactory(organisation=organisation, user=user, role="assistant")
    enrol_totp(user)
    return user


def test_an_admins_rule_turns_a_receipt_delivered_in_bonnen_into_a_task_for_the_assistant(
    browse: Browse, live_server: LiveServer, firm_admin: User, client_owner: User, organisation: Organisation,
    assistant: User,
) -> None:  # fmt: skip
    """
    GIVEN an organisation labelled "Horeca" with an assigned assistant
    WHEN an admin adds, on the rules pages, "a delivery in Bonnen for Horeca → a task for the assistant
         due in 2 days", and the client delivers a receipt in the Bonnen tray of the portal
    THEN after the event dispatcher ran, the assistant has that task for the organisation, due in 2 days,
         finds it on the planning board and moves it to done, which is recorded.
    """
    base = live_server.url
    horeca = Label.objects.get_or_create(name="Horeca")[0]
    horeca.organisations.add(organisation)
    elsewhere = cast(Organisation, OrganisationFactory(name="Zonder label B.V."))
    dispatch_events()  # the rules consumer starts after the events of the setup

    admin = browse()
    log_in_staff(admin, base, firm_admin)
    visit(admin, f"{base}/staff/work/admin/rules/")
    follow(admin, "/staff/work/admin/rules/new/")
    admin.fill("input[name=name]", "Bonnen horeca")
    admin.select_option("select[name=verb]", "delivery.received")
    admin.check("input[name=tray][value=bonnen]")
    admin.check(f"input[name=label][value='{horeca.public_id}']")
    admin.select_option("select[name=action]", "create_task")
    expect(admin.locator("[data-for-action=send_mail]")).to_be_hidden()
    admin.fill("input[name=task_title]", "Verwerk de bonnen")
    admin.select_option("select[name=assignee_role]", "assistant")
    admin.fill("input[name=due_offset_days]", "2")
    submit(admin, "form[data-rule-form] button[type=submit]")
    assert path_of(admin) == "/staff/work/admin/rules/"
    assert admin.locator("main tbody", has_text="Bonnen horeca").count() == 1
    rule = SignalRule.objects.get(name="Bonnen horeca")
    assert rule.conditions == {"label": [str(horeca.public_id)], "tray": ["bonnen"]}

    person = browse()
    log_in(person, base, client_owner.email)
    deliveries = f"/portal/{organisation.public_id}/deliveries/"
    visit(person, base + deliveries)
    person.select_option("select[name=tray]", value=str(Tray.objects.get(slug="bonnen").public_id))
    with person.expect_navigation(timeout=SLOW):  # the widget reloads the page when the file is in
        person.set_input_files("#deliver-files", [picked("bon-42.pdf", "application/pdf", invoice_pdf())])
    checked(person)
    delivery = Delivery.objects.get(organisation=organisation)
    assert delivery.tray.slug == "bonnen"
    deliver(None, elsewhere, tray="bonnen", data=b"%PDF-1.4 bon elders")  # no label: no task

    dispatch_events()
    task = Task.objects.get(title="Verwerk de bonnen")
    received = delivery.created_at
    assert task.organisation == organisation and task.assignee == assistant and task.assignee_role == "assistant"
    assert task.due_date == timezone.localdate(received) + datetime.timedelta(days=2)
    assert not Task.objects.filter(title="Verwerk de bonnen", organisation=elsewhere).exists()
    visit(admin, f"{base}/staff/work/admin/rules/")
    assert "1" in admin.locator("main tbody tr", has_text="Bonnen horeca").inner_text()

    # The assistant finds it on the planning board ("my tasks") and moves it to done with its own form.
    board = browse()
    log_in_staff(board, base, assistant)
    follow(board, "/staff/work/board/")
    card = board.locator(f'[data-column="todo"] #card-{task.public_id}')
    assert card.count() == 1 and "Verwerk de bonnen" in card.inner_text()
    board.select_option(f"#m-{task.public_id}", "done")
    board.locator(f"#card-{task.public_id} form button[type=submit]").click()
    for _ in range(50):  # the board moves the card once the server answered
        if Task.objects.get(pk=task.pk).status == "done":
            break
        board.wait_for_timeout(100)
    task.refresh_from_db()
    assert task.status == "done" and task.done_at is not None
    moved = Event.objects.get(verb="task.moved", target_id=str(task.public_id))
    assert moved.actor == assistant and moved.data["old"] == "todo" and moved.data["new"] == "done"
    visit(board, f"{base}/staff/work/board/")
    assert board.locator(f'[data-column="done"] #card-{task.public_id}').count() == 1


def test_a_bulk_workflow_start_shows_its_progress_up_to_100_percent(
    browse: Browse, live_server: LiveServer, firm_admin: User, accountant: User, organisation: Organisation
) -> None:
    """
    GIVEN a workflow template and clients labelled "Jaarwerk"
    WHEN staff start it for the label on the bulk page
    THEN the batch page's progress bar stands at 100 % with every client started; and a batch that
         is still running has a bar that follows it (htmx polling) until it reaches 100 %.
    """
    base = live_server.url
    template = wf.workflow_template_create(
        actor=firm_admin, ctx=CTX, name="Jaarrekening",
        steps=[wf.StepSpec("Stukken aanleveren", "client", 14), wf.StepSpec("Samenstellen", "assistant", 30)],
    )  # fmt: skip
    label = Label.objects.get_or_create(name="Jaarwerk")[0]
    label.organisations.add(
        organisation, *[cast(Organisation, OrganisationFactory(name=f"Klant {i}")) for i in range(5)]
    )

    staff = browse()
    log_in_staff(staff, base, accountant)
    visit(staff, f"{base}/staff/work/admin/workflows/")
    follow(staff, "/staff/work/admin/workflows/bulk/")
    staff.select_option("select[name=template]", str(template.public_id))
    staff.fill("input[name=name]", "Jaarrekening 2025")
    staff.fill("input[name=start_date]", "2026-01-05")
    staff.check(f"input[name=label][value='{label.public_id}']")
    submit(staff, "main form button[type=submit]")
    batch = WorkflowBatch.objects.get()
    assert path_of(staff) == f"/staff/work/admin/workflows/batches/{batch.public_id}/"
    bar = staff.locator("#batch-progress progress")
    expect(bar).to_have_attribute("aria-valuenow", "100", timeout=SLOW)
    assert Workflow.objects.filter(batch=batch).count() == 6
    follow(staff, f"/staff/work/admin/workflows/?batch={batch.public_id}")
    assert staff.locator("main tbody tr").count() == 6

    running = WorkflowBatch.objects.create(
        template=template, name="Jaarrekening 2026", start_date=datetime.date(2027, 1, 4), total=6,
        status=WorkflowBatch.Status.RUNNING,
    )  # fmt: skip
    visit(staff, f"{base}/staff/work/admin/workflows/batches/{running.public_id}/")
    expect(staff.locator("#batch-progress progress")).to_have_attribute("aria-valuenow", "0")
    wf.workflow_batch_run(batch=running)  # the worker gets to it while the page is open
    expect(staff.locator("#batch-progress progress")).to_have_attribute("aria-valuenow", "100", timeout=10_000)
    expect(staff.locator("#batch-progress")).not_to_have_attribute("hx-trigger", "every 1s")
    checked(staff)
