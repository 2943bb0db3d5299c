"""Deliveries end to end: a client delivers, the worker reads, staff process or return, the client answers."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.conf import settings
from django.urls import reverse
from fpdf import FPDF

from accordo.core.models import Event
from accordo.deliveries.models import Delivery, Tray
from accordo.dossier.models import Document
from accordo.testing.samples import SAMPLES_DIR

UBL = SAMPLES_DIR / "ubl" / "en16931_ubl-tc434-example1.xml"


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["accordo_language"] = "en"


@pytest.fixture
def inkoop():
    return Tray.objects.get(slug="inkoop")


def _deliver(client, organisation, tray, name: str, data: bytes, **extra):
    file = io.BytesIO(data)
    file.name = name
    return client.post(
        reverse("deliveries:client_deliver", args=[organisation.public_id]),
        {"tray": str(tray.public_id), "size": str(len(data)), "file": file, **extra},
        HTTP_ACCEPT="application/json",
    )


def _pdf(*lines: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    for line in lines:
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_a_ubl_invoice_is_read_exactly_and_processed_into_the_dossier(
    client, client_owner, accountant, organisation, inkoop, django_capture_on_commit_callbacks
):
    data = UBL.read_bytes()
    client.force_login(client_owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = _deliver(client, organisation, inkoop, "factuur.xml", data, note="Graag voor vrijdag")
    assert response.status_code == 200, response.content
    delivery = Delivery.objects.get()
    assert delivery.status == "received" and delivery.tray == inkoop
    assert delivery.sha256 == hashlib.sha256(data).hexdigest() and delivery.note == "Graag voor vrijdag"
    assert delivery.extraction == "done" and delivery.extracted_source == "ubl"
    assert delivery.extracted["payable_total"] == "250.33"
    assert delivery.extracted["supplier_name"] == "De Koksmaat"
    page = client.get(reverse("deliveries:client_delivery", args=[delivery.public_id])).content.decode()
    assert "250.33" in page and "De Koksmaat" in page

    client.force_login(accountant)
    queue = client.get(reverse("deliveries:staff_queue")).content.decode()
    assert "factuur.xml" in queue and organisation.name in queue
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("deliveries:staff_delivery_process", args=[delivery.public_id]))
    assert done.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "processed" and delivery.processed_by == accountant
    document = Document.objects.get(pk=delivery.archived_id)
    path = [document.folder.name]
    parent = document.folder.parent
    while parent is not None:
        path.insert(0, parent.name)
        parent = parent.parent
    assert path == ["Administratie", "2015", "Inkoop"]  # the invoice's year
    assert document.current.sha256 == delivery.sha256 and document.current.file.name == delivery.file.name
    events = Event.objects.filter(organisation=organisation).exclude(verb__startswith="task.")  # the rules' task
    verbs = list(events.order_by("seq").values_list("verb", flat=True))
    assert verbs[:2] == ["delivery.received", "delivery.read"]
    assert "delivery.processed" in verbs and "document.archived" in verbs
    client.force_login(client_owner)
    page = client.get(reverse("deliveries:client_delivery", args=[delivery.public_id])).content.decode()
    assert "Processed" in page
    # ... and finds it back in its dossier, where the archive folders were made open to it.
    assert client.get(reverse("dossier:client_document", args=[document.public_id])).status_code == 200


def test_a_pdf_invoice_gets_suggestions_from_its_text(
    client, client_owner, organisation, inkoop, django_capture_on_commit_callbacks
):
    data = _pdf("Factuur", "Factuurnummer: F-2026-0042", "Factuurdatum: 03-11-2026", "Te betalen: EUR 1.234,56")
    client.force_login(client_owner)
    with django_capture_on_commit_callbacks(execute=True):
        _deliver(client, organisation, inkoop, "factuur.pdf", data)
    delivery = Delivery.objects.get()
    assert delivery.extracted_source == "text"
    assert delivery.extracted["invoice_number"] == "F-2026-0042"
    assert delivery.extracted["payable_total"] == "1234.56"
    assert "Te betalen" in delivery.text


def test_staff_return_a_delivery_and_the_client_answers(
    client, client_owner, accountant, organisation, inkoop, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(client_owner)
    _deliver(client, organisation, inkoop, "bon.pdf", _pdf("Bon"))
    delivery = Delivery.objects.get()
    client.force_login(accountant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("deliveries:staff_delivery_return", args=[delivery.public_id]), {"question": "Welk project?"}
        )
    [mail] = [m for m in mailoutbox if m.to == [client_owner.email]]
    assert "Welk project?" in mail.body and str(delivery.public_id) in mail.body
    delivery.refresh_from_db()
    assert delivery.status == "returned" and delivery.question == "Welk project?"
    client.force_login(client_owner)
    page = client.get(reverse("deliveries:client_delivery", args=[delivery.public_id])).content.decode()
    assert "Welk project?" in page
    client.post(reverse("deliveries:client_delivery_answer", args=[delivery.public_id]), {"answer": "Project Zon"})
    delivery.refresh_from_db()
    assert delivery.status == "received" and delivery.answer == "Project Zon"
    assert Event.objects.filter(verb="delivery.answered", actor=client_owner).exists()


def test_the_client_replaces_a_returned_file(client, client_owner, accountant, organisation, inkoop):
    client.force_login(client_owner)
    _deliver(client, organisation, inkoop, "bon.pdf", _pdf("Onleesbaar"))
    old = Delivery.objects.get()
    client.force_login(accountant)
    client.post(reverse("deliveries:staff_delivery_return", args=[old.public_id]), {"question": "Onleesbaar"})
    client.force_login(client_owner)
    response = _deliver(client, organisation, inkoop, "bon-scherp.pdf", _pdf("Scherp"), replaces=str(old.public_id))
    assert response.status_code == 200, response.content
    old.refresh_from_db()
    new = Delivery.objects.exclude(pk=old.pk).get()
    assert old.status == "replaced" and old.replaced_by == new and new.status == "received"
    listing = client.get(reverse("deliveries:client_deliveries", args=[organisation.public_id])).content.decode()
    assert "bon-scherp.pdf" in listing and ">bon.pdf<" not in listing


def test_a_viewer_cannot_deliver(client, client_viewer, organisation, inkoop):
    client.force_login(client_viewer)
    response = _deliver(client, organisation, inkoop, "bon.pdf", _pdf("Bon"))
    assert response.status_code == 403
    assert "look, not deliver" in response.json()["error"]
    assert not Delivery.objects.exists()


def test_an_unknown_tray_is_refused_with_a_message(client, client_owner, organisation, inkoop):
    client.force_login(client_owner)
    inkoop.active = False
    inkoop.save()
    response = _deliver(client, organisation, inkoop, "bon.pdf", _pdf("Bon"))
    assert response.status_code == 400
    assert response.json()["error"]
    assert not Delivery.objects.exists()


def test_processing_twice_cannot_both_win(client, client_owner, accountant, organisation, inkoop):
    client.force_login(client_owner)
    _deliver(client, organisation, inkoop, "bon.pdf", _pdf("Bon"))
    delivery = Delivery.objects.get()
    client.force_login(accountant)
    url = reverse("deliveries:staff_delivery_process", args=[delivery.public_id])
    client.post(url)
    second = client.post(url, follow=True)
    assert "changed in the meantime" in second.content.decode()
    assert Document.objects.count() == 1
    assert Event.objects.filter(verb="delivery.processed").count() == 1


def test_staff_process_in_bulk_from_the_queue(client, client_owner, accountant, organisation, inkoop):
    client.force_login(client_owner)
    for n in range(3):
        _deliver(client, organisation, inkoop, f"bon-{n}.pdf", _pdf(f"Bon {n}"))
    client.force_login(accountant)
    ids = [str(d.public_id) for d in Delivery.objects.all()]
    response = client.post(reverse("deliveries:staff_bulk_process"), {"delivery": ids, "filters": "status=received"})
    assert response.status_code == 302 and response["Location"].endswith("?status=received")
    assert set(Delivery.objects.values_list("status", flat=True)) == {"processed"}
    assert Document.objects.count() == 3


def test_the_queue_filters_and_reads_in_constant_queries(client, client_owner, accountant, organisation, inkoop):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(client_owner)
    _deliver(client, organisation, inkoop, "a.pdf", _pdf("a"))
    client.force_login(accountant)
    url = reverse("deliveries:staff_queue")
    for _ in range(2):
        client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    client.force_login(client_owner)
    for n in range(12):
        _deliver(client, organisation, Tray.objects.get(slug="bonnen"), f"b-{n}.pdf", _pdf(f"b {n}"))
    client.force_login(accountant)
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert "b-11.pdf" in body
    assert len(few.captured_queries) == len(many.captured_queries)
    only_inkoop = client.get(url, {"tray": str(inkoop.public_id)}).content.decode()
    assert "a.pdf" in only_inkoop and "b-1.pdf" not in only_inkoop


def test_the_same_file_twice_is_refused_with_the_first_date(client, client_owner, organisation, inkoop):
    client.force_login(client_owner)
    data = _pdf("Factuur 7")
    assert _deliver(client, organisation, inkoop, "factuur-7.pdf", data).status_code == 200
    again = _deliver(client, organisation, Tray.objects.get(slug="bonnen"), "kopie.pdf", data)
    assert again.status_code == 400
    assert "already delivered" in again.json()["error"] and "factuur-7.pdf" in again.json()["error"]
    assert Delivery.objects.count() == 1


def test_a_tray_without_processing_files_at_once(
    client, client_owner, organisation, django_capture_on_commit_callbacks
):
    overig = Tray.objects.get(slug="overig")
    assert not overig.needs_processing
    client.force_login(client_owner)
    with django_capture_on_commit_callbacks(execute=True):
        _deliver(client, organisation, overig, "notulen.pdf", _pdf("Notulen"))
    delivery = Delivery.objects.get()
    assert delivery.status == "processed" and delivery.processed_by is None
    assert delivery.archived.folder.name == "Overig"
    event = Event.objects.get(verb="delivery.processed")
    assert event.actor is None


def test_an_admin_changes_and_adds_trays(client, firm_admin, inkoop):
    client.force_login(firm_admin)
    prefix = str(inkoop.public_id)
    data = {
        "tray": prefix,
        f"{prefix}-name": "Inkoopfacturen",
        f"{prefix}-slug": "inkoop",
        f"{prefix}-archive_pattern": "Boekhouding/{year}/Inkoop",
        f"{prefix}-needs_processing": "on",
        f"{prefix}-invoice_data": "on",
        f"{prefix}-position": "0",
        f"{prefix}-active": "on",
    }
    assert client.post(reverse("deliveries:staff_trays"), data).status_code == 302
    inkoop.refresh_from_db()
    assert inkoop.name == "Inkoopfacturen" and inkoop.archive_pattern == "Boekhouding/{year}/Inkoop"
    assert Event.objects.get(verb="tray.changed").data["changes"]["name"]["new"] == "Inkoopfacturen"
    bad = {"new-name": "Loon", "new-slug": "inkoop", "new-archive_pattern": "../{jaar}", "new-position": "9"}
    response = client.post(reverse("deliveries:staff_trays"), bad)
    assert response.status_code == 400
    assert not Tray.objects.filter(name="Loon").exists()
    good = {"new-name": "Loon", "new-slug": "loon", "new-archive_pattern": "Loon/{year}", "new-position": "9"}
    assert client.post(reverse("deliveries:staff_trays"), good).status_code == 302
    assert Tray.objects.get(slug="loon").archive_pattern == "Loon/{year}"


def test_the_deliveries_page_shows_the_personal_addresses(client, client_owner, organisation):
    from accordo.deliveries.services import address_of

    client.force_login(client_owner)
    page = client.get(reverse("deliveries:client_deliveries", args=[organisation.public_id])).content.decode()
    token = address_of(organisation).token
    assert f"{token}@{settings.MAIL_IN_DOMAIN}" in page
    assert f"{token}+inkoop@{settings.MAIL_IN_DOMAIN}" in page
    assert 'capture="environment"' in page and 'accept="image/*"' in page


def test_a_question_waits_on_the_client_and_the_queue_count_on_staff_home(
    client, client_owner, accountant, organisation, inkoop
):
    client.force_login(client_owner)
    _deliver(client, organisation, inkoop, "bon.pdf", _pdf("Bon 99"))
    delivery = Delivery.objects.get()
    client.force_login(accountant)
    home = client.get(reverse("staff:home")).content.decode()
    assert reverse("deliveries:staff_queue") in home
    client.post(reverse("deliveries:staff_delivery_return", args=[delivery.public_id]), {"question": "Welke?"})
    client.force_login(client_owner)
    page = client.get(reverse("portal:organisation_home", args=[organisation.public_id])).content.decode()
    assert reverse("deliveries:client_delivery", args=[delivery.public_id]) in page
    assert "bon.pdf" in page
