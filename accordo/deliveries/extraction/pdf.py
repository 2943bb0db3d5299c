"""E-invoices embedded in PDFs (PDF/A-3 attachments, Factur-X / ZUGFeRD style) and PDF text."""

from __future__ import annotations

import io
import os
from typing import BinaryIO

from django.utils.translation import gettext as _
from pypdf import PasswordType, PdfReader
from pypdf.generic import EmbeddedFile

from accordo.deliveries.extraction.data import MAX_PDF_BYTES, MAX_XML_BYTES, ExtractionError, InvoiceData
from accordo.deliveries.extraction.einvoice import read_xml

PathOrFile = str | os.PathLike[str] | BinaryIO
# pypdf raises many kinds of errors on malformed input (its own, ValueError, KeyError, zlib,
# struct, recursion...): every one of them means "this part of the PDF cannot be read".
PDF_ERRORS = (Exception,)
# Names the hybrid formats give their XML; looked at first, then any other .xml attachment.
KNOWN_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml", "ubl.xml", "invoice.xml")
MAX_ATTACHMENTS = 50
MAX_TEXT_PAGES = 20
MAX_TEXT_CHARS = 200_000


def _read_bounded(path_or_file: PathOrFile) -> bytes:
    if isinstance(path_or_file, str | os.PathLike):
        with open(path_or_file, "rb") as handle:
            data = handle.read(MAX_PDF_BYTES + 1)
    else:
        data = path_or_file.read(MAX_PDF_BYTES + 1)
    if len(data) > MAX_PDF_BYTES:
        raise ExtractionError(
            _("The PDF file is larger than %(limit)d MB.") % {"limit": MAX_PDF_BYTES // (1024 * 1024)}
        )
    return data


def open_pdf(path_or_file: PathOrFile) -> PdfReader:
    """A reader for a PDF of bounded size; ExtractionError when it is not a readable PDF."""
    data = _read_bounded(path_or_file)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise ExtractionError(_("The PDF is protected with a password."))
        readable = len(reader.pages) > 0
    except ExtractionError:
        raise
    except PDF_ERRORS:
        readable = False
    if not readable:
        raise ExtractionError(_("The file is not a readable PDF."))
    return reader


def _xml_attachments(reader: PdfReader) -> list[EmbeddedFile]:
    try:
        files = [f for _i, f in zip(range(MAX_ATTACHMENTS), reader.attachment_list, strict=False)]
    except PDF_ERRORS:
        return []
    xml = [f for f in files if f.name.lower().endswith(".xml") or (f.subtype or "").lower().endswith("xml")]
    order = {name: index for index, name in enumerate(KNOWN_NAMES)}
    return sorted(xml, key=lambda f: order.get(f.name.lower(), len(order)))


def _content(attachment: EmbeddedFile) -> bytes | None:
    declared = attachment.size
    if declared is not None and declared > MAX_XML_BYTES:
        return None
    try:
        content = attachment.content
    except PDF_ERRORS:
        return None
    return content if len(content) <= MAX_XML_BYTES else None


def extract_from_pdf(path_or_file: PathOrFile) -> InvoiceData | None:
    """The exact invoice data of an e-invoice embedded in a PDF, or None when it holds none.

    Attachments with the names Factur-X, ZUGFeRD and XRechnung use are tried first, then any
    other XML attachment; one that is not an e-invoice (or is broken) is skipped. Raises
    ExtractionError when the file is not a readable PDF.
    """
    reader = open_pdf(path_or_file)
    for attachment in _xml_attachments(reader):
        content = _content(attachment)
        if content is None:
            continue
        try:
            return read_xml(content, embedded=True)
        except ExtractionError:
            continue
    return None


def pdf_text(path_or_file: PathOrFile) -> str:
    """The text layer of the first pages of a PDF (empty for a scan without OCR)."""
    reader = open_pdf(path_or_file)
    parts: list[str] = []
    size = 0
    try:
        for page in reader.pages[:MAX_TEXT_PAGES]:
            text = page.extract_text() or ""
            parts.append(text)
            size += len(text)
            if size > MAX_TEXT_CHARS:
                break
    except PDF_ERRORS:
        if not parts:
            raise ExtractionError(_("The text of the PDF cannot be read."))
    return "\n".join(parts)[:MAX_TEXT_CHARS]
