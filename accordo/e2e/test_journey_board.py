"""The planning board in the browser (SPEC §10): a card dragged from To do to In progress, then moved
to Done with the keyboard only; after a reload it is in Done and its moves are in the event log."""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.e2e.axe import checked
from accordo.e2e.flows import follow, log_in_staff, path_of
from accordo.testing.factories import TEST_PASSWORD, totp_now
from accordo.work import services
from accordo.work.models import Task

pytestmark = pytest.mark.browser
CTX = RequestContext(ip="192.0.2.50")


def _until(check, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    """Poll the page (not the database: the live server may hold SQLite's lock meanwhile)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def _column_of(page: Page, task: Task) -> str:
    return page.locator(f"#card-{task.public_id}").evaluate("card => card.closest('[data-column]').dataset.column")


def _count(page: Page, status: str) -> int:
    return int(page.locator(f'[data-column="{status}"] [data-count]').inner_text())


def test_staff_drag_a_card_to_in_progress_and_move_it_to_done_by_keyboard(
    page: Page, live_server, accountant: User, organisation: Organisation
) -> None:
    """
    GIVEN two tasks of mine on the planning board, one overdue
    WHEN I drag one from To do to In progress, then focus it and press Alt+→ twice
    THEN it is in Done, the counts follow, the moves are announced, and after a reload it is still
         in Done with three task.moved events recorded.
    """
    due = timezone.localdate() + datetime.timedelta(days=3)
    task = services.task_create(actor=accountant, ctx=CTX, title="Jaarrekening 2025 samenstellen",
                                organisation=organisation, assignee=accountant, due_date=due)  # fmt: skip
    services.task_create(actor=accountant, ctx=CTX, title="BTW Q3 controleren", organisation=organisation,
                         assignee=accountant, due_date=timezone.localdate() - datetime.timedelta(days=2))  # fmt: skip
    base = live_server.url
    log_in_staff(page, base, accountant)
    follow(page, "/staff/work/board/")
    assert path_of(page) == "/staff/work/board/"
    assert _column_of(page, task) == "todo" and _count(page, "todo") == 2

    page.locator(f"#card-{task.public_id}").drag_to(page.locator('[data-column="doing"] [data-dropzone]'))
    _until(lambda: _column_of(page, task) == "doing")
    assert Task.objects.get(pk=task.pk).status == "doing"
    assert _count(page, "todo") == 1 and _count(page, "doing") == 1
    _until(lambda: "Jaarrekening 2025 samenstellen" in page.locator("#board-live").inner_text())
    checked(page)

    card = page.locator(f"#card-{task.public_id}")
    card.focus()
    page.keyboard.press("Alt+ArrowRight")
    _until(lambda: _column_of(page, task) == "waiting")  # the page moves it once the server answered
    assert Task.objects.get(pk=task.pk).status == "waiting"
    assert page.evaluate("document.activeElement.id") == f"card-{task.public_id}"  # focus stays on the card
    page.keyboard.press("Alt+ArrowRight")
    _until(lambda: _column_of(page, task) == "done")
    assert Task.objects.get(pk=task.pk).status == "done"
    assert _count(page, "done") == 1 and _count(page, "waiting") == 0

    page.reload()
    checked(page)
    assert _column_of(page, task) == "done"
    moves = Event.objects.filter(verb="task.moved", target_id=str(task.public_id)).order_by("seq")
    assert [(e.data["old"], e.data["new"]) for e in moves] == [
        ("todo", "doing"),
        ("doing", "waiting"),
        ("waiting", "done"),
    ]
    assert all(e.actor_id == accountant.pk for e in moves)


def test_staff_see_a_refused_move_when_a_colleague_moved_the_card_first(
    page: Page, live_server, accountant: User, organisation: Organisation
) -> None:
    """A card moved by someone else since the board loaded stays put, with the reason on the card (409)."""
    task = services.task_create(actor=accountant, ctx=CTX, title="Aangifte OB Q3", assignee=accountant)
    log_in_staff(page, live_server.url, accountant)
    follow(page, "/staff/work/board/")
    services.task_move(actor=accountant, ctx=CTX, task=Task.objects.get(pk=task.pk), status="waiting")
    page.locator(f"#card-{task.public_id}").drag_to(page.locator('[data-column="doing"] [data-dropzone]'))
    note = page.locator(f"#card-{task.public_id} .board-card-error")
    note.wait_for()
    assert note.inner_text() and _column_of(page, task) == "todo"
    checked(page)
    assert Task.objects.get(pk=task.pk).status == "waiting"


def test_staff_move_a_card_without_javascript_through_its_form(
    live_server, accountant: User, organisation: Organisation, new_context
) -> None:
    """The "Move to" form works as a plain form post (JavaScript off): the board comes back with the card moved."""
    task = services.task_create(actor=accountant, ctx=CTX, title="Loonaangifte", assignee=accountant)
    page = new_context(java_script_enabled=False).new_page()
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", accountant.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    page.fill("input[name=code]", totp_now())
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    page.goto(f"{base}/staff/work/board/")
    page.select_option(f"#m-{task.public_id}", "waiting")
    with page.expect_navigation():
        page.locator(f"#card-{task.public_id} form button[type=submit]").click()
    assert path_of(page) == "/staff/work/board/"
    assert Task.objects.get(pk=task.pk).status == "waiting"
    assert page.locator(f'[data-column="waiting"] #card-{task.public_id}').count() == 1
