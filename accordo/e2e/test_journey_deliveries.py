"""A client delivers three files at once in the browser; staff process them; the client finds them filed."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import FilePayload, Page, expect
from pytest_django.live_server_helper import LiveServer

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.deliveries.models import Delivery, Tray
from accordo.dossier.models import Document, Folder
from accordo.dossier.services import folders_from_template
from accordo.e2e.axe import checked
from accordo.e2e.flows import follow, log_in, log_in_staff, path_of, submit, visit
from accordo.testing.samples import SAMPLES_DIR

pytestmark = pytest.mark.browser
Browse = Callable[[], Page]  # the ``browse`` fixture: a new person's page

UBL = SAMPLES_DIR / "ubl" / "en16931_ubl-tc434-example1.xml"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SLOW = 90_000  # ms: an upload answers after the live server has read it (OCR included)
PDF_NAME = "factuur-F-2026-0042.pdf"
PHOTO_NAME = "kassabon.jpg"


# --- files a client has at hand -----------------------------------------------------------------


def invoice_pdf() -> bytes:
    """A supplier's PDF invoice with a text layer."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    for line in ("Factuur", "Factuurnummer: F-2026-0042", "Te betalen: EUR 1.234,56"):
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def receipt_jpeg() -> bytes:
    """A phone photo of a till receipt: big dark text on white."""
    image = Image.new("RGB", (900, 600), "white")
    draw = ImageDraw.Draw(image)
    draw.text((80, 120), "KASSABON", font=ImageFont.truetype(FONT, 96), fill=(20, 20, 20))
    draw.text((80, 330), "TOTAAL 12,50", font=ImageFont.truetype(FONT, 80), fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def picked(name: str, mime: str, data: bytes) -> FilePayload:
    """A file as ``set_input_files`` takes it without touching the disk."""
    return {"name": name, "mimeType": mime, "buffer": data}


@pytest.fixture
def dossier_of(organisation: Organisation) -> Organisation:
    """The organisation with the firm's template folders, as staff create every client."""
    folders_from_template(organisation)
    return organisation


def folder_at(organisation: Organisation, path: str) -> Folder:
    parent = None
    for name in path.split("/"):
        parent = Folder.objects.get(organisation=organisation, parent=parent, name=name, deleted_at=None)
    assert parent is not None
    return parent


def archived(delivery: Delivery) -> Document:
    """The dossier document a processed delivery was filed as."""
    assert delivery.archived_id is not None, delivery
    return Document.objects.get(pk=delivery.archived_id)


def drop_files(page: Page, selector: str, files: list[FilePayload]) -> None:
    """Drag files from the desktop onto ``selector``: drag events carrying real File objects."""
    payload = [{"name": f["name"], "type": f["mimeType"], "b64": base64.b64encode(f["buffer"]).decode()} for f in files]
    data = page.evaluate_handle(
        """(files) => {
            const transfer = new DataTransfer();
            for (const f of files) {
                const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
                transfer.items.add(new File([bytes], f.name, {type: f.type}));
            }
            return transfer;
        }""",
        payload,
    )
    for event in ("dragenter", "dragover", "drop"):
        page.dispatch_event(selector, event, {"dataTransfer": data})


def upload_box_state(page: Page) -> list[dict[str, Any]]:
    return page.eval_on_selector_all(
        ".upload-list li",
        "(rows) => rows.map((li) => ({name: li.querySelector('.upload-name').textContent,"
        " done: li.classList.contains('upload-done'), note: li.querySelector('.upload-note').textContent,"
        " bar: li.querySelector('progress') ? li.querySelector('progress').value : null}))",
    )


# --- journeys -------------------------------------------------------------------------------------


def test_a_client_delivers_three_files_at_once_and_finds_them_filed_after_processing(
    browse: Browse, live_server: LiveServer, client_owner: User, accountant: User, dossier_of: Organisation
) -> None:
    """
    GIVEN a client owner of an organisation whose dossier has the firm's template folders
    WHEN they drag a PDF invoice, a receipt photo and a UBL e-invoice at once onto the Inkoop tray,
         staff process one on its page and the other two together from the queue
    THEN every file has its own progress bar and is received, the UBL amounts are read exactly,
         all three show processed to the client and sit in Administratie/<year>/Inkoop.
    """
    base, organisation = live_server.url, dossier_of
    home = f"/portal/{organisation.public_id}/"
    deliveries_url = f"{home}deliveries/"
    inkoop = Tray.objects.get(slug="inkoop")

    person = browse()
    log_in(person, base, client_owner.email)
    follow(person, home)
    follow(person, deliveries_url)
    assert person.locator("main tbody a[href^='/portal/deliveries/']").count() == 0
    person.select_option("select[name=tray]", value=str(inkoop.public_id))
    files = [
        picked(PDF_NAME, "application/pdf", invoice_pdf()),
        picked(PHOTO_NAME, "image/jpeg", receipt_jpeg()),
        picked(UBL.name, "application/xml", UBL.read_bytes()),
    ]
    box = person.locator("[data-upload]")
    done_text = box.get_attribute("data-done")
    with person.expect_navigation(timeout=SLOW):  # the widget reloads the page when all are in
        drop_files(person, "[data-upload] .dropzone", files)  # dragged in from the desktop
        expect(box.locator(".upload-list li progress")).to_have_count(3)
        expect(box.locator(".upload-list li.upload-done")).to_have_count(3, timeout=SLOW)
        rows = upload_box_state(person)
    checked(person)
    assert path_of(person) == deliveries_url
    assert sorted(r["name"] for r in rows) == sorted([PDF_NAME, PHOTO_NAME, UBL.name])
    assert all(r["done"] and r["note"] == done_text and r["bar"] == 100 for r in rows), rows

    delivered = {d.original_name: d for d in Delivery.objects.filter(organisation=organisation)}
    assert sorted(delivered) == sorted([PDF_NAME, PHOTO_NAME, UBL.name])
    assert {d.tray_id for d in delivered.values()} == {inkoop.pk}
    assert {d.delivered_by_id for d in delivered.values()} == {client_owner.pk}
    links = person.locator("main tbody a[href^='/portal/deliveries/']")
    assert sorted(links.evaluate_all("(as) => as.map((a) => a.getAttribute('href'))")) == sorted(
        f"/portal/deliveries/{d.public_id}/" for d in delivered.values()
    )
    assert person.locator("main tbody .status-received").count() == 3

    ubl = delivered[UBL.name]
    follow(person, f"/portal/deliveries/{ubl.public_id}/")
    data = person.locator("main dl.data").inner_text()
    assert "De Koksmaat" in data and "250.33" in data
    assert person.locator("main dl.data dd.amount").inner_text().split() == ["EUR", "250.33"]

    staff = browse()
    log_in_staff(staff, base, accountant)
    follow(staff, "/staff/deliveries/")
    for delivery in delivered.values():
        assert staff.locator(f'main tbody a[href="/staff/deliveries/{delivery.public_id}/"]').count() == 1
    first, *others = delivered[PDF_NAME], delivered[PHOTO_NAME], ubl
    follow(staff, f"/staff/deliveries/{first.public_id}/")
    submit(staff, f'form[action="/staff/deliveries/{first.public_id}/process/"] button[type=submit]')
    assert path_of(staff) == f"/staff/deliveries/{first.public_id}/"
    assert staff.locator("main .status-processed").count() == 1
    follow(staff, "/staff/deliveries/")
    assert staff.locator(f'main tbody a[href="/staff/deliveries/{first.public_id}/"]').count() == 0
    for delivery in others:
        staff.check(f'main input[name=delivery][value="{delivery.public_id}"]')
    submit(staff, 'form[action="/staff/deliveries/bulk/process/"] button[type=submit]')
    assert path_of(staff) == "/staff/deliveries/"
    assert staff.locator("main tbody a[href^='/staff/deliveries/']").count() == 0
    processed = {d.original_name: d for d in Delivery.objects.filter(organisation=organisation)}
    assert {d.status for d in processed.values()} == {"processed"}
    assert {d.processed_by_id for d in processed.values()} == {accountant.pk}

    visit(person, base + deliveries_url)
    assert person.locator("main tbody .status-processed").count() == 3

    this_year = timezone.localtime(min(d.created_at for d in processed.values())).year
    filed = {"2015": [UBL.name], str(this_year): [PDF_NAME, PHOTO_NAME]}  # the UBL invoice is of 2015
    administratie = folder_at(organisation, "Administratie")
    follow(person, home)
    follow(person, f"/portal/{organisation.public_id}/dossier/")
    for year, names in filed.items():
        follow(person, f"/portal/dossier/folders/{administratie.public_id}/")
        follow(person, f"/portal/dossier/folders/{folder_at(organisation, f'Administratie/{year}').public_id}/")
        inkoop_folder = folder_at(organisation, f"Administratie/{year}/Inkoop")
        follow(person, f"/portal/dossier/folders/{inkoop_folder.public_id}/")
        for name in names:
            document = archived(processed[name])
            assert document.folder_id == inkoop_folder.pk and document.name == name
            assert person.locator(f'main a[href="/portal/dossier/documents/{document.public_id}/"]').count() == 1
    photo = archived(processed[PHOTO_NAME])
    follow(person, f"/portal/dossier/documents/{photo.public_id}/")
    image = person.locator(f'main img[src="/portal/dossier/documents/{photo.public_id}/preview/"]')
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("(img) => img.naturalWidth") == 900


def test_a_file_over_the_limit_is_refused_in_the_browser_before_any_transfer(
    browse: Browse, live_server: LiveServer, client_owner: User, organisation: Organisation
) -> None:
    """
    GIVEN the deliveries page with the widget's limit lowered to 1,000 bytes
    WHEN the client picks a 5 kB file
    THEN its row says it is too large, no request leaves the browser and nothing is delivered.
    """
    deliveries_url = f"/portal/{organisation.public_id}/deliveries/"
    person = browse()
    log_in(person, live_server.url, client_owner.email)
    visit(person, live_server.url + deliveries_url)
    posts: list[str] = []
    person.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    box = person.locator("[data-upload]")
    box.evaluate("(box) => box.setAttribute('data-max-bytes', '1000')")
    person.set_input_files("#deliver-files", [picked("groot.pdf", "application/pdf", b"%PDF-1.4\n" + b"x" * 5000)])
    error = box.locator(".upload-list li.upload-error")
    expect(error).to_have_count(1)
    expect(error.locator(".upload-note")).to_have_text(box.get_attribute("data-too-large") or "?")
    assert error.locator("progress").count() == 0
    person.wait_for_timeout(1000)  # a reload would come 600 ms after the last answer
    assert path_of(person) == deliveries_url and posts == []
    assert not Delivery.objects.exists()
    checked(person)  # the error row is accessible too
