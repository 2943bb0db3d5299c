"""Every page of tax returns and assessments, as the person who uses it, passes axe on a desktop and a
phone and never scrolls sideways."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.core.context import RequestContext
from accordo.e2e.axe import checked
from accordo.e2e.flows import follow, log_in, log_in_staff, visit
from accordo.e2e.test_pages_a11y import PHONE
from accordo.e2e.test_pages_a11y_dossier import _fits
from accordo.filings import services
from accordo.filings.models import ReturnStatus, TaxReturn

pytestmark = pytest.mark.browser

SCREENS = [pytest.param("desktop"), pytest.param("phone", marks=pytest.mark.browser_context_args(**PHONE))]
CTX = RequestContext(ip="192.0.2.1", user_agent="test")


@pytest.fixture
def world(organisation: Organisation, accountant: User, live_server: LiveServer, settings) -> SimpleNamespace:
    """A submitted return with a conform and a not-conform assessment, and one in preparation."""
    settings.SITE_URL = live_server.url
    assessed = TaxReturn.objects.create(
        organisation=organisation, type="vpb", period="2024", period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 12, 31), status=ReturnStatus.SUBMITTED, amount=Decimal("18642.00"),
    )  # fmt: skip
    today = datetime.date.today()
    for amount, days in (("18645.00", 30), ("19800.00", 5)):
        services.assessment_record(
            actor=accountant, ctx=CTX, tax_return=assessed, kind="final", amount=Decimal(amount),
            dagtekening=today - datetime.timedelta(days=days), number="8123.45.678.V.42",
        )  # fmt: skip
    fresh = services.return_create(actor=accountant, ctx=CTX, organisation=organisation, type="ob", period="2026-Q3")
    return SimpleNamespace(organisation=organisation, returns=[assessed, fresh])


@pytest.mark.parametrize("screen", SCREENS)
def test_it_serves_accessible_staff_pages_of_filings(
    page: Page, live_server: LiveServer, accountant: User, world: SimpleNamespace, screen: str
) -> None:
    base, organisation = live_server.url, world.organisation
    log_in_staff(page, base, accountant)
    visit(page, f"{base}/staff/filings/")
    assert page.locator("main tbody a[href^='/staff/filings/returns/']").count() == 2
    _fits(page, screen)
    visit(page, f"{base}/staff/filings/?type=vpb&status=submitted&year=2024&outcome=not_conform")
    _fits(page, screen)
    follow(page, "/staff/filings/progress/")
    _fits(page, screen)
    follow(page, "/staff/filings/")
    follow(page, "/staff/filings/import/")
    _fits(page, screen)
    bad = b"organisation;type;period;kind;amount;dagtekening\nx;y;z;q;1;2\n"
    page.set_input_files("#id_file", {"name": "a.csv", "mimeType": "text/csv", "buffer": bad})
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    checked(page)
    assert page.locator("main table").count() == 1  # the report of the refused rows
    _fits(page, screen)
    visit(page, f"{base}/staff/organisations/{organisation.public_id}/")
    follow(page, f"/staff/filings/organisations/{organisation.public_id}/")
    _fits(page, screen)
    follow(page, f"/staff/filings/organisations/{organisation.public_id}/new/")
    _fits(page, screen)
    for tax_return in world.returns:
        visit(page, f"{base}/staff/filings/returns/{tax_return.public_id}/")
        _fits(page, screen)
    follow(page, f"/staff/filings/returns/{world.returns[-1].public_id}/assessments/new/")
    _fits(page, screen)


@pytest.mark.parametrize("screen", SCREENS)
def test_it_serves_accessible_client_pages_of_filings(
    page: Page, live_server: LiveServer, client_owner: User, world: SimpleNamespace, screen: str
) -> None:
    base, organisation = live_server.url, world.organisation
    log_in(page, base, client_owner.email)
    visit(page, f"{base}/portal/{organisation.public_id}/")
    follow(page, f"/portal/filings/{organisation.public_id}/")
    assert page.locator("main time").count() >= 3  # two dates of assessments and an objection deadline
    _fits(page, screen)
