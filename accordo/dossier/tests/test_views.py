"""The dossier's pages: upload, versions, visibility, preview/download events, the bin, bad input."""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation
from fpdf import FPDF

from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.dossier import services
from accordo.dossier.models import Document, DocumentVersion, Folder
from accordo.dossier.uploads import HashingUploadHandler

CTX = RequestContext(ip="192.0.2.1")


def _pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=text)
    return bytes(pdf.output())


def _upload(client, folder, name: str, data: bytes, **extra):
    file = io.BytesIO(data)
    file.name = name
    return client.post(
        reverse("dossier:staff_folder_upload", args=[folder.public_id]),
        {"size": str(len(data)), "file": file, **extra},
        HTTP_ACCEPT="application/json",
    )


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["accordo_language"] = "en"


@pytest.fixture
def folder(organisation):
    return Folder.objects.create(organisation=organisation, name="Jaarrapporten", open_to_client=True)


@pytest.fixture
def closed_folder(organisation):
    return Folder.objects.create(organisation=organisation, name="ID-bewijzen", open_to_client=False)


@pytest.fixture
def staff(client, accountant):
    client.force_login(accountant)
    return client


def test_it_uploads_a_pdf_reads_its_text_and_makes_it_searchable(staff, folder, django_capture_on_commit_callbacks):
    data = _pdf("Jaarrekening 2025 Bakkerij")
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(staff, folder, "jaarrekening-2025.pdf", data)
    assert response.status_code == 200, response.content
    assert response.json()["ok"] is True
    version = DocumentVersion.objects.get()
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert version.size == len(data)
    assert version.mime == "application/pdf"
    assert version.uploaded_by.email == "accountant@firm.test"
    assert version.status == DocumentVersion.Status.DONE  # the worker ran (immediate in tests)
    assert "Jaarrekening 2025" in version.text and version.text_source == "pdf"
    assert version.pages == 1 and version.thumbnail
    with default_storage.open(version.file.name, "rb") as stored:
        assert stored.read() == data
    verbs = list(Event.objects.order_by("seq").values_list("verb", flat=True))
    assert verbs == ["document.uploaded", "document.processed"]
    page = staff.get(reverse("dossier:staff_search"), {"q": "bakkerij"})
    assert "jaarrekening-2025.pdf" in page.content.decode()


def test_it_makes_a_new_version_under_the_same_name_and_keeps_the_old(staff, folder):
    _upload(staff, folder, "balans.pdf", _pdf("eerste"))
    _upload(staff, folder, "Balans.pdf", _pdf("tweede"))
    document = Document.objects.get()
    assert [v.number for v in document.versions.order_by("number")] == [1, 2]
    assert document.current.number == 2
    first = document.versions.get(number=1)
    old = staff.get(reverse("dossier:staff_version_download", args=[first.public_id]))
    assert old.status_code == 200
    assert b"".join(old.streaming_content).startswith(b"%PDF")
    assert Event.objects.filter(verb="document.version_added").count() == 1


def test_it_refuses_a_file_over_the_limit_and_keeps_nothing(staff, folder, monkeypatch, settings):
    monkeypatch.setattr(HashingUploadHandler, "max_bytes", 1000)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    response = _upload(staff, folder, "groot.pdf", b"%PDF-1.4\n" + b"x" * 5000)
    assert response.status_code == 413
    assert "larger than" in response.json()["error"]
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert not Event.objects.exists()


def test_it_refuses_an_empty_file(staff, folder):
    response = _upload(staff, folder, "leeg.pdf", b"")
    assert response.status_code == 400
    assert "empty" in response.json()["error"]
    assert not Document.objects.exists()


def test_it_refuses_an_upload_cut_off_halfway(staff, folder):
    data = _pdf("afgebroken")
    file = io.BytesIO(data[: len(data) // 2])
    file.name = "half.pdf"
    response = staff.post(
        reverse("dossier:staff_folder_upload", args=[folder.public_id]),
        {"size": str(len(data)), "file": file},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert "interrupted" in response.json()["error"]
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("a\x00b.pdf", "ab.pdf"),
        ("<script>alert(1)</script>.pdf", None),
        ("😀 factuur.pdf", "😀 factuur.pdf"),
        ("x" * 300 + ".pdf", None),
    ],
)
def test_it_cleans_hostile_file_names(staff, folder, given, expected):
    response = _upload(staff, folder, given, _pdf("naam"))
    assert response.status_code == 200, response.content
    name = Document.objects.get().name
    if expected:
        assert name == expected
    assert "/" not in name and "\x00" not in name and "<" not in name and len(name) <= 200
    assert name.endswith(".pdf") or expected == "passwd"
    version = DocumentVersion.objects.get()
    assert version.file.name.startswith(f"dossier/{folder.organisation.public_id}/")


def test_it_trusts_the_bytes_not_the_extension(staff, folder):
    png = _png()
    _upload(staff, folder, "factuur.pdf", png)
    assert DocumentVersion.objects.get().mime == "image/png"


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_client_sees_open_folders_and_published_items_only(client, client_owner, accountant, folder, closed_folder):
    shown = _document(accountant, folder, "jaarrekening.pdf")
    later = _document(accountant, folder, "concept.pdf", visible_from=timezone.now() + datetime.timedelta(days=3))
    hidden = _document(accountant, closed_folder, "paspoort.pdf")
    client.force_login(client_owner)
    root = client.get(reverse("dossier:client_root", args=[folder.organisation.public_id])).content.decode()
    assert "Jaarrapporten" in root and "ID-bewijzen" not in root
    page = client.get(reverse("dossier:client_folder", args=[folder.public_id])).content.decode()
    assert "jaarrekening.pdf" in page and "concept.pdf" not in page
    assert client.get(reverse("dossier:client_folder", args=[closed_folder.public_id])).status_code == 404
    for document in (later, hidden):
        for name in ("dossier:client_document", "dossier:client_preview", "dossier:client_download"):
            assert client.get(reverse(name, args=[document.public_id])).status_code == 404
    assert client.get(reverse("dossier:client_download", args=[shown.public_id])).status_code == 200


def test_a_client_view_and_download_are_events(client, client_owner, accountant, folder):
    document = _document(accountant, folder, "jaarrekening.pdf")
    client.force_login(client_owner)
    preview = client.get(reverse("dossier:client_preview", args=[document.public_id]))
    assert preview.status_code == 200
    assert preview["Content-Disposition"].startswith("inline")
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    download = client.get(reverse("dossier:client_download", args=[document.public_id]))
    assert download["Content-Disposition"].startswith("attachment")
    events = list(Event.objects.filter(actor=client_owner).order_by("seq").values_list("verb", "data"))
    assert [v for v, _d in events] == ["document.viewed", "document.downloaded"]
    assert events[0][1]["sha256"] == document.current.sha256


def test_a_subfolder_of_a_closed_folder_stays_hidden(client, client_owner, accountant, closed_folder):
    inner = Folder.objects.create(
        organisation=closed_folder.organisation, parent=closed_folder, name="Open maar verstopt", open_to_client=True
    )
    document = _document(accountant, inner, "geheim.pdf")
    client.force_login(client_owner)
    assert client.get(reverse("dossier:client_folder", args=[inner.public_id])).status_code == 404
    assert client.get(reverse("dossier:client_download", args=[document.public_id])).status_code == 404


def test_deleting_a_folder_moves_it_to_the_bin_and_restoring_brings_all_back(staff, accountant, folder):
    document = _document(accountant, folder, "jaarrekening.pdf")
    response = staff.post(reverse("dossier:staff_folder_delete", args=[folder.public_id]))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.deleted_at is not None
    assert staff.get(reverse("dossier:staff_document", args=[document.public_id])).status_code == 404
    bin_page = staff.get(reverse("dossier:staff_bin", args=[folder.organisation.public_id])).content.decode()
    assert "Jaarrapporten" in bin_page and "jaarrekening.pdf" in bin_page
    assert default_storage.exists(document.current.file.name)  # the file is never lost
    staff.post(reverse("dossier:staff_folder_restore", args=[folder.public_id]))
    document.refresh_from_db()
    assert document.deleted_at is None
    assert list(Event.objects.filter(verb__startswith="folder.").order_by("seq").values_list("verb", flat=True)) == [
        "folder.deleted",
        "folder.restored",
    ]


def test_staff_rename_move_and_schedule_a_document(staff, accountant, folder, closed_folder):
    document = _document(accountant, folder, "jaarrekening.pdf")
    response = staff.post(
        reverse("dossier:staff_document_edit", args=[document.public_id]),
        {"name": "Jaarrekening 2025.pdf", "folder": str(closed_folder.public_id), "visible_from": "2030-01-01T09:00"},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.name == "Jaarrekening 2025.pdf" and document.folder == closed_folder
    assert document.visible_from.year == 2030
    event = Event.objects.get(verb="document.changed")
    assert set(event.data["changes"]) == {"name", "folder", "visible_from"}


def test_a_folder_cannot_move_into_itself(staff, accountant, folder):
    inner = Folder.objects.create(organisation=folder.organisation, parent=folder, name="Binnen")
    response = staff.post(
        reverse("dossier:staff_folder_edit", args=[folder.public_id]),
        {"name": folder.name, "parent": str(inner.public_id)},
        follow=True,
    )
    assert "Check the folder" in response.content.decode()  # not even offered as a choice
    with translation.override("en"), pytest.raises(ValidationError, match="into itself"):
        services.folder_update(
            actor=accountant, ctx=CTX, folder=folder, name=folder.name, open_to_client=True, parent=inner
        )
    folder.refresh_from_db()
    assert folder.parent is None


def test_the_folder_page_reads_in_constant_queries(staff, accountant, folder):
    for n in range(3):
        _document(accountant, folder, f"doc-{n}.pdf")
    url = reverse("dossier:staff_folder", args=[folder.public_id])
    for _ in range(2):  # warm up: session, the firm row and its per-process copy
        staff.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        staff.get(url)
    for n in range(3, 30):
        _document(accountant, folder, f"doc-{n}.pdf")
    with CaptureQueriesContext(connection) as many:
        assert "doc-29.pdf" in staff.get(url).content.decode()
    assert len(few.captured_queries) == len(many.captured_queries), [q["sql"][:90] for q in few.captured_queries]


def _document(actor, folder, name: str, visible_from=None) -> Document:
    data = _pdf(name)
    upload = ContentFile(data, name=name)
    upload.sha256 = hashlib.sha256(data).hexdigest()  # type: ignore[attr-defined]
    upload.sniffed_mime = "application/pdf"  # type: ignore[attr-defined]
    version = services.document_upload(
        actor=actor,
        ctx=CTX,
        folder=folder,
        upload=upload,
        visible_from=visible_from,  # type: ignore[arg-type]
    )
    return Document.objects.select_related("current").get(pk=version.document_id)


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(_pdf("geheim"))).pages:
        writer.add_page(page)
    writer.encrypt(user_password="wachtwoord", owner_password="eigenaar")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _zip() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "inhoud")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "status", "reason"),
    [
        ("versleuteld.pdf", _encrypted_pdf, "failed", "password"),
        ("kapot.pdf", lambda: _pdf("kapot")[:300], "failed", "damaged"),
        (
            "bom.png",
            lambda: __import__("accordo.dossier.tests.test_files", fromlist=["x"]).png_bomb(30_000, 30_000),
            "failed",
            "too large",
        ),
        ("archief.zip", _zip, "done", ""),
    ],
)
def test_hostile_files_are_kept_and_say_why_they_cannot_be_read(
    staff, folder, django_capture_on_commit_callbacks, name, make, status, reason
):
    """GIVEN a file that cannot be read WHEN staff upload it THEN it is stored (200), the worker
    marks it with the reason, no text is indexed, and nothing fails with a 5xx."""
    data = make()
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(staff, folder, name, data)
    assert response.status_code == 200, response.content
    version = DocumentVersion.objects.get()
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert version.status == status, version.error
    assert reason in version.error.lower()  # the message id, shown translated
    assert version.text == ""
    page = staff.get(reverse("dossier:staff_folder", args=[folder.public_id]))
    assert page.status_code == 200 and name in page.content.decode()


def test_the_same_bytes_under_the_same_name_add_no_version(staff, folder):
    data = _pdf("eenmaal")
    _upload(staff, folder, "balans.pdf", data)
    again = _upload(staff, folder, "balans.pdf", data)
    assert again.status_code == 200 and again.json()["files"][0]["unchanged"] is True
    assert DocumentVersion.objects.count() == 1
    assert Event.objects.filter(verb__startswith="document.").count() == 1
    assert len(list(default_storage.listdir(f"dossier/{folder.organisation.public_id}")[1])) == 1
