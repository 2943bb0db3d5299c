"""Every page of the dossier and deliveries, as the person who uses it, passes axe on a desktop and a phone."""

from __future__ import annotations

from email.message import EmailMessage
from types import SimpleNamespace

import pytest
from django.conf import settings
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.deliveries import mailin
from accordo.deliveries import services as delivery_services
from accordo.deliveries.models import Delivery, QuarantinedMail, Tray
from accordo.dossier import services
from accordo.dossier.demo import upload_of
from accordo.dossier.models import Folder
from accordo.dossier.services import folders_from_template
from accordo.e2e.flows import assert_fits_width, follow, log_in, log_in_staff, path_of, submit, visit
from accordo.e2e.test_journey_deliveries import (
    UBL,
    invoice_pdf,
    receipt_jpeg,
)
from accordo.e2e.test_journey_dossier import CTX, add_document
from accordo.e2e.test_pages_a11y import PHONE

pytestmark = pytest.mark.browser

SCREENS = [pytest.param("desktop"), pytest.param("phone", marks=pytest.mark.browser_context_args(**PHONE))]


def _delivered(user: User, organisation: Organisation, tray: Tray, name: str, data: bytes) -> Delivery:
    upload = upload_of(data, name)
    return delivery_services.delivery_receive(
        actor=user, ctx=CTX, organisation=organisation, tray=tray, file=upload, name=name, size=len(data),
        mime=upload.sniffed_mime, sha256=upload.sha256, note="Graag voor vrijdag",
    )  # fmt: skip


def _held_mail(organisation: Organisation) -> QuarantinedMail:
    """A stranger's mail with a PDF to the organisation's Inkoop address: held in quarantine."""
    msg = EmailMessage()
    msg["From"] = "onbekend@elders.test"
    msg["To"] = f"{delivery_services.address_of(organisation).token}+inkoop@{settings.MAIL_IN_DOMAIN}"
    msg["Subject"] = "Factuur oktober"
    msg.set_content("Zie bijlage.")
    msg.add_attachment(invoice_pdf(), maintype="application", subtype="pdf", filename="factuur-oktober.pdf")
    [outcome] = mailin.mail_take_in(bytes(msg), [str(msg["To"])])
    assert outcome.quarantined is not None
    return outcome.quarantined


@pytest.fixture
def world(organisation: Organisation, firm_admin: User, client_owner: User) -> SimpleNamespace:
    """A dossier with documents, a bin, deliveries (one read, one returned) and a quarantined mail."""
    folders_from_template(organisation)
    reports = Folder.objects.get(organisation=organisation, parent=None, name="Jaarrapporten")
    report = add_document(firm_admin, reports, "jaarrekening-2025.pdf", "Jaarrekening 2025", "Bakkerij Test B.V.")
    photo = services.document_upload(
        actor=firm_admin, ctx=CTX, folder=reports, upload=upload_of(receipt_jpeg(), "kassabon.jpg")
    ).document
    gone = add_document(firm_admin, reports, "concept-oud.pdf", "Concept")
    services.document_delete(actor=firm_admin, ctx=CTX, document=gone)
    old = services.folder_create(
        actor=firm_admin, ctx=CTX, organisation=organisation, parent=None, name="Oud archief", open_to_client=False
    )
    services.folder_delete(actor=firm_admin, ctx=CTX, folder=old)
    inkoop = Tray.objects.get(slug="inkoop")
    ubl = _delivered(client_owner, organisation, inkoop, UBL.name, UBL.read_bytes())
    returned = _delivered(client_owner, organisation, inkoop, "factuur.pdf", invoice_pdf())
    delivery_services.delivery_return(actor=firm_admin, ctx=CTX, delivery=returned, question="Welk project?")
    return SimpleNamespace(
        organisation=organisation,
        reports=reports,
        documents=[report, photo],
        deliveries=[ubl, returned],
        mail=_held_mail(organisation),
    )


def _fits(page: Page, screen: str) -> None:
    assert_fits_width(page)
    if screen == "phone":
        assert page.evaluate("window.innerWidth") == 390, f"{page.url} is zoomed out to fit wider content"


@pytest.mark.parametrize("screen", SCREENS)
def test_it_serves_accessible_staff_pages_of_the_dossier_and_deliveries(
    page: Page, live_server: LiveServer, firm_admin: User, world: SimpleNamespace, screen: str
) -> None:
    base, organisation = live_server.url, world.organisation
    root = f"/staff/organisations/{organisation.public_id}/dossier/"
    log_in_staff(page, base, firm_admin)
    visit(page, f"{base}/staff/organisations/{organisation.public_id}/")
    follow(page, root)
    _fits(page, screen)
    follow(page, f"/staff/dossier/folders/{world.reports.public_id}/")
    _fits(page, screen)
    for document in world.documents:
        follow(page, f"/staff/dossier/documents/{document.public_id}/")
        _fits(page, screen)
        follow(page, f"/staff/dossier/folders/{world.reports.public_id}/")
    follow(page, root)
    follow(page, f"/staff/organisations/{organisation.public_id}/dossier/bin/")
    assert page.locator("main form[action^='/staff/dossier/']").count() == 2  # a folder and a document
    _fits(page, screen)
    visit(page, base + root)
    page.fill("#dossier-q", "jaarrekening")
    submit(page, "main form[role=search] button[type=submit]")
    assert path_of(page) == "/staff/dossier/search/"
    assert page.locator("main ol.results mark").count() >= 1
    _fits(page, screen)
    follow(page, "/staff/firm/")
    follow(page, "/staff/dossier/template/")
    _fits(page, screen)

    follow(page, "/staff/deliveries/")
    assert page.locator("main tbody a[href^='/staff/deliveries/']").count() == 2  # returned ones stay open
    _fits(page, screen)
    for delivery in world.deliveries:
        visit(page, f"{base}/staff/deliveries/{delivery.public_id}/")
        _fits(page, screen)
    follow(page, "/staff/deliveries/")
    follow(page, "/staff/deliveries/quarantine/")
    _fits(page, screen)
    follow(page, f"/staff/deliveries/quarantine/{world.mail.public_id}/")
    _fits(page, screen)


@pytest.mark.parametrize("screen", SCREENS)
def test_it_serves_accessible_client_pages_of_the_dossier_and_deliveries(
    page: Page, live_server: LiveServer, client_owner: User, world: SimpleNamespace, screen: str
) -> None:
    base, organisation = live_server.url, world.organisation
    home = f"/portal/{organisation.public_id}/"
    log_in(page, base, client_owner.email)
    follow(page, home)
    follow(page, f"{home}dossier/")
    _fits(page, screen)
    follow(page, f"/portal/dossier/folders/{world.reports.public_id}/")
    _fits(page, screen)
    for document in world.documents:
        follow(page, f"/portal/dossier/documents/{document.public_id}/")
        _fits(page, screen)
        follow(page, f"/portal/dossier/folders/{world.reports.public_id}/")
    visit(page, f"{base}{home}dossier/")
    page.fill("#client-q", "jaarrekening")
    submit(page, "main form[role=search] button[type=submit]")
    assert path_of(page) == "/portal/dossier/search/"
    assert page.locator("main ol.results mark").count() >= 1
    _fits(page, screen)

    follow(page, "/portal/")
    follow(page, home)
    follow(page, f"{home}deliveries/")
    assert page.locator("main tbody a[href^='/portal/deliveries/']").count() == 2
    _fits(page, screen)
    for delivery in world.deliveries:
        follow(page, f"/portal/deliveries/{delivery.public_id}/")
        _fits(page, screen)
        follow(page, f"{home}deliveries/")
