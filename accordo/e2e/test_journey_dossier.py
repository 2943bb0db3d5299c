"""The dossier in the browser: a scan found by the word in it, hidden documents that stay hidden."""

from __future__ import annotations

import datetime
import io

import img2pdf
import pytest
from django.utils import timezone
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.core.context import RequestContext
from accordo.dossier import services
from accordo.dossier.demo import upload_of
from accordo.dossier.models import Document, DocumentVersion, Folder
from accordo.e2e.axe import checked
from accordo.e2e.flows import follow, log_in, log_in_staff, path_of, submit, visit
from accordo.e2e.test_journey_deliveries import (
    FONT,
    SLOW,
    Browse,
    picked,
)

pytestmark = pytest.mark.browser

CTX = RequestContext.system("test")
RARE_WORD = "Zonnewijzerkwitantie"
SCAN_NAME = "scan-gemeente.pdf"


def scanned_pdf(*lines: str) -> bytes:
    """A page as a flatbed scanner makes it: a 200 dpi picture of the text in a PDF, no text layer."""
    font = ImageFont.truetype(FONT, 44)
    image = Image.new("L", (1654, 160 + 90 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((120, 100 + 90 * number), line, font=font, fill=0)
    scan = io.BytesIO()
    image.save(scan, format="PNG", dpi=(200, 200))
    return bytes(img2pdf.convert(scan.getvalue()))


def text_pdf(*lines: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    for line in lines:
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def add_document(
    actor: User, folder: Folder, name: str, *lines: str, visible_from: datetime.datetime | None = None
) -> Document:
    """A PDF filed by staff (read and indexed at once: jobs run inline after the commit)."""
    version = services.document_upload(
        actor=actor, ctx=CTX, folder=folder, upload=upload_of(text_pdf(*lines), name), visible_from=visible_from
    )
    version.refresh_from_db()
    assert version.status == DocumentVersion.Status.DONE, version.error
    return version.document


def client_search(page: Page, base: str, organisation: Organisation, words: str) -> Page:
    """Search from the client's dossier page, as the client does."""
    visit(page, f"{base}/portal/{organisation.public_id}/dossier/")
    page.fill("#client-q", words)
    submit(page, "main form[role=search] button[type=submit]")
    assert path_of(page) == "/portal/dossier/search/"
    return page


def found(page: Page, prefix: str) -> list[str]:
    """The document links among the search results, in order."""
    return page.locator(f"main ol.results a[href^='{prefix}']").evaluate_all(
        "(links) => links.map((a) => a.getAttribute('href'))"
    )


@pytest.fixture
def open_folder(organisation: Organisation, accountant: User) -> Folder:
    return services.folder_create(
        actor=accountant, ctx=CTX, organisation=organisation, parent=None, name="Correspondentie", open_to_client=True
    )


def test_staff_upload_a_scan_and_the_client_finds_it_by_a_word_only_ocr_could_read(
    browse: Browse,
    live_server: LiveServer,
    accountant: User,
    client_owner: User,
    organisation: Organisation,
    open_folder: Folder,
) -> None:
    """
    GIVEN a folder open to the client
    WHEN staff upload a scanned PDF without a text layer through the folder page's upload widget
    THEN it is read by OCR and done, and the client's search for a word on the scan finds it, marked.
    """
    base = live_server.url
    folder_url = f"/staff/dossier/folders/{open_folder.public_id}/"
    scan = scanned_pdf("Gemeente Zonnedal", f"{RARE_WORD} 2026", "Bedrag: EUR 75,00")

    staff = browse()
    log_in_staff(staff, base, accountant)
    visit(staff, f"{base}/staff/organisations/{organisation.public_id}/")
    follow(staff, f"/staff/organisations/{organisation.public_id}/dossier/")
    follow(staff, folder_url)
    box = staff.locator("[data-upload]")
    with staff.expect_navigation(timeout=SLOW):  # reloads once the file is in
        staff.set_input_files("#upload-input", [picked(SCAN_NAME, "application/pdf", scan)])
        expect(box.locator(".upload-list li progress")).to_have_count(1)
        expect(box.locator(".upload-list li.upload-done")).to_have_count(1, timeout=SLOW)
    checked(staff)
    assert path_of(staff) == folder_url
    document = Document.objects.get(folder=open_folder, name=SCAN_NAME)
    version = document.current
    assert version is not None and version.status == "done" and version.text_source == "ocr"
    assert RARE_WORD in version.text and version.uploaded_by == accountant
    row = staff.locator("main tbody tr").filter(
        has=staff.locator(f'a[href="/staff/dossier/documents/{document.public_id}/"]')
    )
    assert row.locator(".status-done").count() == 1

    person = browse()
    log_in(person, base, client_owner.email)
    follow(person, f"/portal/{organisation.public_id}/")
    follow(person, f"/portal/{organisation.public_id}/dossier/")
    client_search(person, base, organisation, RARE_WORD.lower())
    assert found(person, "/portal/dossier/documents/") == [f"/portal/dossier/documents/{document.public_id}/"]
    marks = person.locator("main ol.results mark").all_inner_texts()
    assert [m.lower() for m in marks] == [RARE_WORD.lower()], marks
    follow(person, f"/portal/dossier/documents/{document.public_id}/")
    assert person.locator(f'main iframe[src="/portal/dossier/documents/{document.public_id}/preview/"]').count() == 1


def test_closed_folders_and_documents_published_later_stay_hidden_from_the_client(
    browse: Browse,
    live_server: LiveServer,
    accountant: User,
    client_owner: User,
    organisation: Organisation,
    open_folder: Folder,
) -> None:
    """
    GIVEN a closed folder with a document, and in an open folder a document published next week
         beside one published now
    WHEN the client types every address of the hidden ones, browses the folders and searches
    THEN each address is 404, the listings and the search show only the published document,
         while staff see and find both hidden ones.
    """
    base = live_server.url
    closed = services.folder_create(
        actor=accountant, ctx=CTX, organisation=organisation, parent=None, name="ID-bewijzen", open_to_client=False
    )
    secret = add_document(accountant, closed, "paspoort-directeur.pdf", "Paspoort Geheimzegelnummer")
    next_week = timezone.now() + datetime.timedelta(days=7)
    later = add_document(
        accountant, open_folder, "kwartaalcijfers-q4.pdf", "Kwartaal Voorproefjeswinst", visible_from=next_week
    )
    shown = add_document(accountant, open_folder, "brief-zichtbaar.pdf", "Brief Zichtbaarheidsproef")

    person = browse()
    log_in(person, base, client_owner.email)
    follow(person, f"/portal/{organisation.public_id}/")
    follow(person, f"/portal/{organisation.public_id}/dossier/")
    assert person.locator(f'main a[href="/portal/dossier/folders/{open_folder.public_id}/"]').count() == 1
    assert person.locator(f'a[href="/portal/dossier/folders/{closed.public_id}/"]').count() == 0
    follow(person, f"/portal/dossier/folders/{open_folder.public_id}/")
    listed = person.locator("main a[href^='/portal/dossier/documents/']").evaluate_all(
        "(links) => links.map((a) => a.getAttribute('href'))"
    )
    assert sorted(listed) == [
        f"/portal/dossier/documents/{shown.public_id}/",
        f"/portal/dossier/documents/{shown.public_id}/download/",
    ]

    hidden = [f"/portal/dossier/folders/{closed.public_id}/"]
    for document in (secret, later):
        hidden += [f"/portal/dossier/documents/{document.public_id}/{end}" for end in ("", "preview/", "download/")]
    for url in hidden:
        response = person.goto(base + url)
        assert response is not None and response.status == 404, url
        checked(person)

    client_search(person, base, organisation, "zichtbaarheidsproef")
    assert found(person, "/portal/dossier/documents/") == [f"/portal/dossier/documents/{shown.public_id}/"]
    for word in ("geheimzegelnummer", "voorproefjeswinst", "paspoort", "kwartaal"):
        client_search(person, base, organisation, word)
        assert found(person, "/portal/dossier/") == [], word

    staff = browse()
    log_in_staff(staff, base, accountant)
    for word, document in (("geheimzegelnummer", secret), ("voorproefjeswinst", later)):
        visit(staff, f"{base}/staff/dossier/search/?organisation={organisation.public_id}&q={word}")
        assert found(staff, "/staff/dossier/documents/") == [f"/staff/dossier/documents/{document.public_id}/"]
    visit(staff, f"{base}/staff/organisations/{organisation.public_id}/dossier/")
    follow(staff, f"/staff/dossier/folders/{closed.public_id}/")
    follow(staff, f"/staff/dossier/documents/{secret.public_id}/")
    follow(staff, f"/staff/organisations/{organisation.public_id}/dossier/")  # the breadcrumb's root
    follow(staff, f"/staff/dossier/folders/{open_folder.public_id}/")
    assert staff.locator(f'main a[href="/staff/dossier/documents/{later.public_id}/"]').count() == 1
    follow(staff, f"/staff/dossier/documents/{later.public_id}/")
    assert later.current is not None
    assert staff.locator(f'main a[href="/staff/dossier/versions/{later.current.public_id}/download/"]').count() >= 1


def test_a_file_over_the_limit_is_refused_on_the_staff_folder_page_before_any_transfer(
    browse: Browse, live_server: LiveServer, accountant: User, open_folder: Folder
) -> None:
    """
    GIVEN the staff folder page with the widget's limit lowered to 1,000 bytes
    WHEN a 5 kB file is chosen
    THEN its row says it is too large, no request leaves the browser and no document is made.
    """
    folder_url = f"/staff/dossier/folders/{open_folder.public_id}/"
    staff = browse()
    log_in_staff(staff, live_server.url, accountant)
    visit(staff, live_server.url + folder_url)
    posts: list[str] = []
    staff.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    box = staff.locator("[data-upload]")
    box.evaluate("(box) => box.setAttribute('data-max-bytes', '1000')")
    staff.set_input_files("#upload-input", [picked("groot.pdf", "application/pdf", b"%PDF-1.4\n" + b"x" * 5000)])
    error = box.locator(".upload-list li.upload-error")
    expect(error).to_have_count(1)
    expect(error.locator(".upload-note")).to_have_text(box.get_attribute("data-too-large") or "?")
    staff.wait_for_timeout(1000)
    assert path_of(staff) == folder_url and posts == []
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    checked(staff)
