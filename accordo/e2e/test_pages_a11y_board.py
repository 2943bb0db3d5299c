"""The planning board, task pages, staff home and the client's tasks pass axe on a desktop and a phone
and never scroll sideways (the board's columns stack on a phone)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.core.context import RequestContext
from accordo.e2e.axe import checked
from accordo.e2e.flows import follow, log_in, log_in_staff, visit
from accordo.e2e.test_pages_a11y import PHONE
from accordo.e2e.test_pages_a11y_dossier import _fits
from accordo.work import services

pytestmark = pytest.mark.browser

SCREENS = [pytest.param("desktop"), pytest.param("phone", marks=pytest.mark.browser_context_args(**PHONE))]
CTX = RequestContext(ip="192.0.2.51")


@pytest.fixture
def world(organisation: Organisation, accountant: User, client_owner: User) -> SimpleNamespace:
    """Tasks in every column, one overdue, one about the organisation, one for the client."""
    today = timezone.localdate()
    tasks = []
    for n, status in enumerate(["todo", "todo", "doing", "waiting", "done"]):
        task = services.task_create(
            actor=accountant,
            ctx=CTX,
            title=f"Een wat langere taaknaam die op een telefoon moet afbreken {n}",
            organisation=organisation,
            assignee=accountant,
            due_date=today + datetime.timedelta(days=n - 1),
        )
        if status != "todo":
            services.task_move(actor=accountant, ctx=CTX, task=task, status=status)
        tasks.append(task)
    client_task = services.task_create(actor=accountant, ctx=CTX, title="Bankafschriften aanleveren",
                                       organisation=organisation, for_client=True, assignee=client_owner,
                                       due_date=today - datetime.timedelta(days=3))  # fmt: skip
    return SimpleNamespace(organisation=organisation, tasks=tasks, client_task=client_task)


@pytest.mark.parametrize("screen", SCREENS)
def test_it_serves_accessible_staff_pages_of_the_board(
    page: Page, live_server: LiveServer, accountant: User, world: SimpleNamespace, screen: str
) -> None:
    base = live_server.url
    log_in_staff(page, base, accountant)
    _fits(page, screen)  # the staff home
    follow(page, "/staff/work/board/")
    assert page.locator(".board-card").count() == 5  # mine; the client task is not
    _fits(page, screen)
    if screen == "phone":  # the columns stack: each as wide as the page
        lefts = page.locator("[data-column]").evaluate_all("cols => cols.map(c => c.getBoundingClientRect().left)")
        assert len(set(lefts)) == 1, lefts
    visit(page, f"{base}/staff/work/board/?assignee=anyone&when=overdue")
    _fits(page, screen)
    visit(page, f"{base}/staff/work/board/column/?status=todo")
    _fits(page, screen)
    visit(page, f"{base}/staff/work/tasks/{world.tasks[0].public_id}/")
    _fits(page, screen)
    visit(page, f"{base}/staff/work/tasks/{world.client_task.public_id}/")
    _fits(page, screen)
    visit(page, f"{base}/staff/work/tasks/new/?organisation={world.organisation.public_id}")
    _fits(page, screen)
    visit(page, f"{base}/staff/work/tasks/new/")
    page.fill("#id_title", "Bankafschriften")
    assert page.locator("#id_client_user option").count() == 1  # no client chosen: nobody to offer
    page.select_option("#id_organisation", str(world.organisation.public_id))  # htmx reloads the form
    page.wait_for_function("document.querySelectorAll('#id_client_user option').length > 1")
    assert page.input_value("#id_title") == "Bankafschriften"
    checked(page)
    visit(page, f"{base}/staff/organisations/{world.organisation.public_id}/")
    _fits(page, screen)


@pytest.mark.parametrize("screen", SCREENS)
def test_it_serves_accessible_client_tasks(
    page: Page, live_server: LiveServer, client_owner: User, world: SimpleNamespace, screen: str
) -> None:
    base = live_server.url
    log_in(page, base, client_owner.email)
    visit(page, f"{base}/portal/{world.organisation.public_id}/")
    _fits(page, screen)
    follow(page, f"/portal/work/{world.organisation.public_id}/tasks/")
    assert page.locator(f"form[action='/portal/work/tasks/{world.client_task.public_id}/done/']").count() == 1
    _fits(page, screen)
