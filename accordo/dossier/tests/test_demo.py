"""The demo seed shows the dossier and deliveries alive: every feature, idempotent, visibility kept."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.core.models import Event
from accordo.deliveries.models import Delivery
from accordo.dossier import demo
from accordo.dossier.fileproc import pdf_info
from accordo.dossier.fileproc.pdf import meaningful_chars
from accordo.dossier.models import Document, DocumentVersion, Folder
from accordo.dossier.tasks import ingest, local_copy


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=StringIO())


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["accordo_language"] = "en"


def _counts() -> tuple[int, ...]:
    return (
        Folder.objects.count(),
        Document.objects.count(),
        DocumentVersion.objects.count(),
        Delivery.objects.count(),
        Event.objects.count(),
    )


def _folder(organisation: str, name: str) -> Folder:
    return Folder.objects.get(organisation__name=organisation, parent=None, name=name, deleted_at=None)


def _path(folder: Folder) -> list[str]:
    names = [folder.name]
    while folder.parent is not None:
        folder = folder.parent
        names.insert(0, folder.name)
    return names


def test_a_second_seed_changes_nothing(seeded):
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first
    jaarrekening = Document.objects.get(name="Jaarrekening 2025 Bakkerij De Zon.pdf")
    assert jaarrekening.versions.count() == 2 and jaarrekening.current is not None
    assert jaarrekening.current.number == 2
    assert Document.objects.filter(organisation__name=demo.PERSON, name="Aangifte IB 2025.pdf").exists()
    verbs = set(Event.objects.values_list("verb", flat=True))
    assert {"document.uploaded", "document.version_added", "delivery.received", "delivery.processing"} <= verbs
    assert {"delivery.processed", "delivery.returned", "delivery.answered", "delivery.data_confirmed"} <= verbs


def test_the_demo_has_a_delivery_in_every_status(seeded):
    bakery = Organisation.objects.get(name=demo.BAKERY)
    deliveries = Delivery.objects.filter(organisation=bakery)
    assert set(deliveries.values_list("status", flat=True)) == set(Delivery.Status.values)
    assert {d.tray.slug for d in deliveries} >= {"inkoop", "bank", "bonnen"}
    returned = deliveries.get(status=Delivery.Status.RETURNED)
    assert returned.question == "Is dit een zakelijke uitgave?"
    assert deliveries.filter(status=Delivery.Status.RECEIVED).exclude(answer="").exists()
    replaced = deliveries.get(status=Delivery.Status.REPLACED)
    assert replaced.replaced_by is not None and replaced.replaced_by.status == Delivery.Status.RECEIVED
    assert deliveries.get(original_name="Factuur 12115118 De Koksmaat.xml").mime in {"text/xml", "application/xml"}
    assert deliveries.get(original_name="Kassabon Makro.jpg").mime == "image/jpeg"
    processed = deliveries.get(status=Delivery.Status.PROCESSED)
    assert processed.extraction == Delivery.Extraction.DONE and processed.confirmed["supplier_name"]
    assert processed.archived is not None
    year = processed.confirmed["issue_date"][:4]
    assert _path(processed.archived.folder) == ["Administratie", year, "Inkoop"]
    assert set(deliveries.values_list("delivered_by__email", flat=True)) == {"klant@demo.accordo.nl"}


def test_the_client_sees_neither_the_future_item_nor_the_id_folder(seeded, client):
    klant = User.objects.get(email="klant@demo.accordo.nl")
    bakery = Organisation.objects.get(name=demo.BAKERY)
    future = Document.objects.get(name=demo.FUTURE_NAME)
    passport = Document.objects.get(name=demo.ID_NAME)
    assert future.visible_from is not None and not future.published
    client.force_login(klant)
    root = client.get(reverse("dossier:client_root", args=[bakery.public_id])).content.decode()
    assert "Jaarrapporten" in root and "Correspondentie" in root and "ID-bewijzen" not in root
    figures = client.get(reverse("dossier:client_folder", args=[future.folder.public_id]))
    assert figures.status_code == 200
    listed = figures.content.decode()
    assert "Kwartaalcijfers Q2 2026.pdf" in listed and demo.FUTURE_NAME not in listed
    assert client.get(reverse("dossier:client_folder", args=[passport.folder.public_id])).status_code == 404
    for document in (future, passport):
        assert client.get(reverse("dossier:client_document", args=[document.public_id])).status_code == 404
    reports = client.get(reverse("dossier:client_folder", args=[_folder(demo.BAKERY, "Jaarrapporten").public_id]))
    assert "Jaarrekening 2025 Bakkerij De Zon.pdf" in reports.content.decode()

    client.force_login(User.objects.get(email="accountant@demo.accordo.nl"))
    staff = client.get(reverse("dossier:staff_folder", args=[passport.folder.public_id]))
    assert staff.status_code == 200 and demo.ID_NAME in staff.content.decode()


def test_the_scanned_letter_can_be_found_only_through_ocr(seeded, client):
    version = DocumentVersion.objects.get(document__name=demo.SCANNED_NAME)
    assert version.mime == "application/pdf"
    with local_copy(version.file.name) as path:
        assert meaningful_chars(pdf_info(path).text) < 5  # no text layer at all

    ingest(version.pk)  # what the worker does after the seed commits

    version.refresh_from_db()
    assert version.status == DocumentVersion.Status.DONE and version.text_source == "ocr"
    text = version.text.lower()
    assert "vennootschapsbelasting" in text and "kwijtschelding" in text
    client.force_login(User.objects.get(email="klant@demo.accordo.nl"))
    found = client.get(reverse("dossier:client_search"), {"q": "kwijtschelding"}).content.decode()
    assert demo.SCANNED_NAME in found


def test_an_organisation_made_before_the_template_gets_its_folders(db):
    call_command("seed_demo", stdout=StringIO())
    bare = Organisation.objects.get(name="Fietsenmaker Snel")
    Folder.objects.filter(organisation=bare).delete()
    call_command("seed_demo", stdout=StringIO())
    assert set(Folder.objects.filter(organisation=bare).values_list("name", flat=True)) >= {"Jaarrapporten", "Inbox"}
