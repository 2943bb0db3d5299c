"""Invoice extraction for deliveries (SPEC §4): exact for e-invoices, suggestions from text.

Pure functions, no models. ``extract_file`` sniffs the content (never the file name): XML is
read as UBL (Peppol BIS 3) or CII (Factur-X, ZUGFeRD 2), and so is an e-invoice embedded in a
PDF; ``suggest_from_text`` works on the text of any other PDF or photo.
"""

from __future__ import annotations

import os

from django.utils.translation import gettext as _

from accordo.deliveries.extraction.data import (
    JSON_KEYS,
    MAX_PDF_BYTES,
    MAX_XML_BYTES,
    ExtractionError,
    InvoiceData,
    Source,
)
from accordo.deliveries.extraction.einvoice import extract_from_xml
from accordo.deliveries.extraction.pdf import extract_from_pdf, pdf_text
from accordo.deliveries.extraction.text import suggest_from_text

__all__ = [
    "JSON_KEYS",
    "MAX_PDF_BYTES",
    "MAX_XML_BYTES",
    "ExtractionError",
    "InvoiceData",
    "Source",
    "extract_file",
    "extract_from_pdf",
    "extract_from_xml",
    "pdf_text",
    "sniff",
    "suggest_from_text",
]

SNIFF_BYTES = 1024
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def sniff(head: bytes) -> str | None:
    """ "pdf", "xml" or None, from the first bytes of a file."""
    if b"%PDF-" in head[:SNIFF_BYTES]:
        return "pdf"
    for bom in _BOMS:
        if head.startswith(bom):
            return "xml"
    stripped = head.lstrip()
    if stripped.startswith(b"<") or stripped.startswith(b"<\x00") or stripped.startswith(b"\x00<"):
        return "xml"
    return None


def extract_file(path: str | os.PathLike[str]) -> InvoiceData | None:
    """The exact invoice data of an e-invoice file: UBL or CII XML, or a PDF with an embedded e-invoice.

    Returns None for a PDF without one (its text can then go to ``suggest_from_text``). Raises
    ExtractionError for content that is neither XML nor PDF, for XML over MAX_XML_BYTES and for
    broken or non-invoice XML; OSError when the file cannot be opened.
    """
    with open(path, "rb") as handle:
        kind = sniff(handle.read(SNIFF_BYTES))
        handle.seek(0)
        if kind == "xml":
            data = handle.read(MAX_XML_BYTES + 1)
            return extract_from_xml(data)
        if kind == "pdf":
            return extract_from_pdf(handle)
    raise ExtractionError(_("The file is neither an XML e-invoice nor a PDF."))
