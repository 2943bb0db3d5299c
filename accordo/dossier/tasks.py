"""Ingestion in the worker: text, OCR, thumbnail and search index of each new version, step by step.

Each step writes the version's status row (the UI shows it); the last writes an event through the
service. Safe to run twice: a version already done is left alone. Unexpected errors are retried;
a file that cannot be read (encrypted, corrupt, too large) fails at once with its reason.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import translation
from huey.contrib.djhuey import db_task

from accordo.dossier import fileproc as files
from accordo.dossier import search
from accordo.dossier.models import DocumentVersion
from accordo.dossier.services import version_finish, version_step

log = logging.getLogger(__name__)
RETRIES = 2
IMAGE_MIMES = {"image/png", "image/jpeg", "image/tiff", "image/webp", "image/gif", "image/bmp"}


@contextlib.contextmanager
def local_copy(name: str) -> Iterator[Path]:
    """The stored file as a local temporary file (streamed in 1 MB chunks; S3 works the same)."""
    with default_storage.open(name, "rb") as source, tempfile.NamedTemporaryFile(prefix="accordo-") as target:
        shutil.copyfileobj(source, target, 1024 * 1024)
        target.flush()
        yield Path(target.name)


def _text_of(version: DocumentVersion, path: Path) -> tuple[str, str, int | None]:
    """(text, source, pages) of a file; OCR where a PDF has no text layer, and for images."""
    if version.mime == "application/pdf":
        info = files.pdf_info(path)
        if info.encrypted:
            raise files.EncryptedFile()
        if info.corrupt:
            raise files.CorruptFile()
        if not files.needs_ocr(info):
            return info.text, DocumentVersion.TextSource.PDF, info.pages
        version_step(version, "ocr")
        return files.ocr_pdf(path), DocumentVersion.TextSource.OCR, info.pages
    if version.mime in IMAGE_MIMES:
        files.image_guard(path)
        version_step(version, "ocr")
        return files.ocr_image(path), DocumentVersion.TextSource.OCR, 1
    if version.mime.startswith("text/") and version.size <= 2 * 1024 * 1024:
        return path.read_text(encoding="utf-8", errors="replace"), DocumentVersion.TextSource.PLAIN, None
    return "", DocumentVersion.TextSource.NONE, None


def ingest(version_id: int) -> None:
    """Run every step for one version (the worker calls this through ``ingest_version``)."""
    version = DocumentVersion.objects.select_related("document").filter(pk=version_id).first()
    if version is None or version.status == DocumentVersion.Status.DONE:
        return
    version_step(version, "text")
    try:
        with local_copy(version.file.name) as path:
            if version.text_source:  # read before it came here (an archived delivery): keep it
                text, source, pages = version.text, version.text_source, version.pages
            else:
                text, source, pages = _text_of(version, path)
            version_step(version, "thumbnail")
            thumb = files.thumbnail(path, version.mime)
    except files.FileProcessingError as error:
        with translation.override(None):  # kept as the message id; each reader sees it in their language
            reason = str(error.message)
        version_finish(version, text="", source="", pages=None, thumbnail=None, error=reason)
        search.index_document(version.document_id)
        return
    thumbnail = ContentFile(thumb, name="thumb.webp") if thumb else None
    version_step(version, "index")
    version_finish(version, text=text, source=source, pages=pages, thumbnail=thumbnail, error="")
    search.index_document(version.document_id)


@db_task(retries=RETRIES, retry_delay=20)
def ingest_version(version_id: int) -> None:
    """Worker job: ingest one version; after the last retry the status row says why it failed."""
    try:
        ingest(version_id)
    except Exception as error:
        version = DocumentVersion.objects.filter(pk=version_id).first()
        if version is None:
            return
        attempts = version.attempts + 1
        DocumentVersion.objects.filter(pk=version_id).update(attempts=attempts)
        log.exception("ingesting version %s failed (attempt %s)", version_id, attempts)
        if attempts > RETRIES:
            version_finish(version, text="", source="", pages=None, thumbnail=None, error=type(error).__name__)
            return
        raise
