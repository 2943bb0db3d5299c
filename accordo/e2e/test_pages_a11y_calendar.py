"""The calendar pages (staff, client, subscription, payroll tax dates) pass axe on a desktop and a
phone and never scroll sideways."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.core.context import RequestContext
from accordo.deadlines.models import OrganisationDeadline, PayrollDate
from accordo.deadlines.services import calendar_generate
from accordo.e2e.flows import log_in, log_in_staff, submit, visit
from accordo.e2e.test_pages_a11y import PHONE
from accordo.e2e.test_pages_a11y_dossier import _fits

pytestmark = pytest.mark.browser

SCREENS = [pytest.param("desktop"), pytest.param("phone", marks=pytest.mark.browser_context_args(**PHONE))]
CTX = RequestContext.system("test")


@pytest.fixture
def calendar(organisation: Organisation) -> Organisation:
    PayrollDate.objects.create(period_start=datetime.date(2026, 1, 1), due_date=datetime.date(2026, 2, 28))
    organisation.has_payroll = True
    organisation.save()
    calendar_generate(actor=None, ctx=CTX, organisation=organisation)
    today = datetime.date.today()
    OrganisationDeadline.objects.create(
        organisation=organisation,
        kind="objection",
        period_start=today,
        period_end=today,
        due_date=today + datetime.timedelta(days=42),
        source="a11y",
        title="Bezwaartermijn aanslag Vpb 2025",
    )
    return organisation


@pytest.mark.parametrize("screen", SCREENS)
def test_it_serves_accessible_staff_calendar_pages(
    page: Page, live_server: LiveServer, firm_admin: User, calendar: Organisation, screen: str
) -> None:
    base = live_server.url
    log_in_staff(page, base, firm_admin)
    visit(page, f"{base}/staff/organisations/{calendar.public_id}/calendar/")
    assert page.get_by_text("Bezwaartermijn aanslag Vpb 2025").count() == 1
    _fits(page, screen)
    visit(page, f"{base}/staff/calendar/payroll-dates/")
    assert page.locator("main table").count() == 1
    _fits(page, screen)
    visit(page, f"{base}/staff/firm/")
    _fits(page, screen)
    visit(page, f"{base}/profile/calendar/")
    _fits(page, screen)


@pytest.mark.parametrize("screen", SCREENS)
def test_it_serves_accessible_client_calendar_pages(
    page: Page, live_server: LiveServer, client_owner: User, calendar: Organisation, screen: str
) -> None:
    base = live_server.url
    log_in(page, base, client_owner.email)
    visit(page, f"{base}/portal/{calendar.public_id}/calendar/")
    assert page.get_by_text("Bezwaartermijn aanslag Vpb 2025").count() == 1
    _fits(page, screen)
    visit(page, f"{base}/profile/calendar/")
    submit(page, "main button[value=create]")
    assert page.locator("#feed-url").count() == 1
    _fits(page, screen)
