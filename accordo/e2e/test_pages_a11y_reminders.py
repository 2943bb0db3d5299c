"""The reminder schedule pages, as a firm administrator uses them, pass axe on a desktop and a phone
(also with a refused form) and never scroll sideways."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from accordo.accounts.models import User
from accordo.e2e.flows import follow, log_in_staff, submit, visit
from accordo.e2e.test_pages_a11y import PHONE
from accordo.e2e.test_pages_a11y_dossier import _fits
from accordo.work.models import ReminderSchedule

pytestmark = pytest.mark.browser

SCREENS = [pytest.param("desktop"), pytest.param("phone", marks=pytest.mark.browser_context_args(**PHONE))]
SCHEDULES = importlib.import_module("accordo.work.migrations.0004_default_reminder_schedules")


@pytest.mark.parametrize("screen", SCREENS)
def test_it_serves_accessible_reminder_schedule_pages(
    page: Page, live_server: LiveServer, firm_admin: User, screen: str
) -> None:
    SCHEDULES.forwards(apps, None)  # an earlier live-server test may have emptied the table
    schedule = ReminderSchedule.objects.get(kind="client_task")
    base = live_server.url
    log_in_staff(page, base, firm_admin)
    visit(page, f"{base}/staff/reminders/")
    _fits(page, screen)
    follow(page, f"/staff/reminders/{schedule.public_id}/")
    _fits(page, screen)
    page.fill("input[name=days_before]", "7, 7")
    submit(page)  # refused (400): the message is shown and checked by axe
    assert page.locator(".error").count() == 1
    _fits(page, screen)
    page.fill("input[name=days_before]", "14, 1")
    submit(page)
    assert page.url.endswith("/staff/reminders/")
    assert page.locator("main td", has_text="14, 1").count() == 1
    _fits(page, screen)
    schedule.refresh_from_db()
    assert schedule.days_before == [14, 1]
