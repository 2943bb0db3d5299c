"""Every page of approvals, the outbox and temporary links, as the person who uses it, passes axe on a
desktop and a phone and never scrolls sideways."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from accordo.accounts.models import User
from accordo.approvals import links, services
from accordo.approvals.models import Approval
from accordo.clients.models import Organisation, Tier
from accordo.dossier.models import Folder
from accordo.dossier.services import folders_from_template
from accordo.e2e.axe import checked
from accordo.e2e.flows import follow, log_in, log_in_staff, visit
from accordo.e2e.test_journey_approvals import _offer
from accordo.e2e.test_journey_dossier import CTX, add_document
from accordo.e2e.test_pages_a11y import PHONE
from accordo.e2e.test_pages_a11y_dossier import _fits

pytestmark = pytest.mark.browser

SCREENS = [pytest.param("desktop"), pytest.param("phone", marks=pytest.mark.browser_context_args(**PHONE))]


@pytest.fixture
def world(
    organisation: Organisation,
    other_organisation: Organisation,
    firm_admin: User,
    accountant: User,
    client_owner: User,
    other_member: User,
    live_server: LiveServer,
    settings,
) -> SimpleNamespace:
    """Approvals waiting, approved (in the outbox) and rejected; a Collaborate client with a link;
    a Standard-tier report sent as a download link."""
    settings.SITE_URL = live_server.url
    folders_from_template(organisation)
    waiting = _offer(accountant, organisation, client_owner, "Aangifte IB 2025")
    approved = _offer(accountant, organisation, client_owner, "Aangifte VPB 2024")
    services.approval_decide(actor=client_owner, ctx=CTX, approval=approved, approve=True, statement=approved.statement)
    rejected = _offer(accountant, organisation, client_owner, "Aangifte OB 2026-Q3")
    services.approval_decide(
        actor=client_owner, ctx=CTX, approval=rejected, approve=False, statement="", reason="Oven ontbreekt"
    )
    reports = Folder.objects.get(organisation=organisation, parent=None, name="Jaarrapporten")
    report = add_document(firm_admin, reports, "jaarrapport-2025.pdf", "Jaarrapport 2025", organisation.name)

    other_organisation.tier = Tier.COLLABORATE
    other_organisation.save(update_fields=["tier"])
    elsewhere = _offer(accountant, other_organisation, other_member, "Jaarrekening 2025")
    approval_link = links.link_create(
        actor=accountant, ctx=CTX, organisation=other_organisation, recipient=other_member, approval=elsewhere
    )
    document_link = links.link_create(
        actor=accountant, ctx=CTX, organisation=organisation, recipient=client_owner, document=report
    )
    dead_link = links.link_create(
        actor=accountant, ctx=CTX, organisation=organisation, recipient=client_owner, document=report
    )
    links.link_revoke(actor=accountant, ctx=CTX, link=dead_link)
    return SimpleNamespace(
        organisation=organisation,
        approvals=[waiting, approved, rejected],
        waiting=waiting,
        report=report,
        links=[links.link_url(approval_link), links.link_url(document_link)],
        dead=links.link_url(dead_link),
    )


@pytest.mark.parametrize("screen", SCREENS)
def test_it_serves_accessible_staff_pages_of_approvals(
    page: Page, live_server: LiveServer, firm_admin: User, world: SimpleNamespace, screen: str
) -> None:
    base, organisation = live_server.url, world.organisation
    log_in_staff(page, base, firm_admin)
    follow(page, "/staff/approvals/")
    assert page.locator("main tbody a[href^='/staff/approvals/']").count() >= 3
    _fits(page, screen)
    for approval in world.approvals:
        visit(page, f"{base}/staff/approvals/{approval.public_id}/")
        _fits(page, screen)
    follow(page, "/staff/approvals/outbox/")
    _fits(page, screen)
    visit(page, f"{base}/staff/organisations/{organisation.public_id}/")
    follow(page, f"/staff/approvals/offer/{organisation.public_id}/")
    _fits(page, screen)
    visit(page, f"{base}/staff/approvals/{world.waiting.public_id}/")
    follow(page, f"/staff/approvals/{world.waiting.public_id}/reoffer/")
    _fits(page, screen)
    visit(page, f"{base}/staff/dossier/documents/{world.report.public_id}/")
    assert page.locator("main form[action$='/send-link/']").count() == 1
    _fits(page, screen)


@pytest.mark.parametrize("screen", SCREENS)
def test_it_serves_accessible_client_pages_of_approvals(
    page: Page, live_server: LiveServer, client_owner: User, world: SimpleNamespace, screen: str
) -> None:
    base, organisation = live_server.url, world.organisation
    log_in(page, base, client_owner.email)
    assert page.locator(f"main a[href='/portal/approvals/{world.waiting.public_id}/']").count() == 1
    _fits(page, screen)
    visit(page, f"{base}/portal/approvals/organisations/{organisation.public_id}/")
    _fits(page, screen)
    for approval in world.approvals:
        visit(page, f"{base}/portal/approvals/{approval.public_id}/")
        _fits(page, screen)
    assert Approval.objects.get(pk=world.waiting.pk).status == Approval.Status.OFFERED


@pytest.mark.parametrize("screen", SCREENS)
def test_it_serves_accessible_temporary_link_pages(
    page: Page, live_server: LiveServer, world: SimpleNamespace, screen: str
) -> None:
    for url in world.links:
        visit(page, url)
        _fits(page, screen)
    response = page.goto(world.dead)
    assert response is not None and response.status == 410
    checked(page)
    _fits(page, screen)
