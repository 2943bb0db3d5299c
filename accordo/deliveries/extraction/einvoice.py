"""E-invoice XML: recognise the syntax and read it exactly."""

from __future__ import annotations

from django.utils.translation import gettext as _
from lxml import etree

from accordo.deliveries.extraction import cii, ubl
from accordo.deliveries.extraction.data import ExtractionError, InvoiceData
from accordo.deliveries.extraction.xmlsafe import parse_xml

SBDH_NS = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"


def _unwrap(root: etree._Element) -> etree._Element:
    """The business document inside a Peppol transport envelope (SBDH), or ``root`` itself."""
    if root.tag != f"{{{SBDH_NS}}}StandardBusinessDocument":
        return root
    body = [child for child in root if isinstance(child.tag, str) and not child.tag.startswith(f"{{{SBDH_NS}}}")]
    return body[0] if body else root


def read_xml(data: bytes, *, embedded: bool) -> InvoiceData:
    """Parse and read a UBL or CII invoice or credit note; ExtractionError for anything else."""
    root = _unwrap(parse_xml(data))
    if ubl.is_ubl(root):
        return ubl.read_ubl(root, source="pdf-ubl" if embedded else "ubl")
    if cii.is_cii(root):
        return cii.read_cii(root, source="pdf-cii" if embedded else "cii")
    raise ExtractionError(_("The XML file is not an e-invoice (UBL or UN/CEFACT Cross Industry Invoice)."))


def extract_from_xml(data: bytes) -> InvoiceData:
    """The exact invoice data of a UBL (Peppol BIS 3) or CII (Factur-X, ZUGFeRD 2) invoice or credit note.

    Raises ExtractionError, with a message for the user, for XML that is too large, malformed,
    carries a DTD (XXE, entity expansion) or is not an e-invoice.
    """
    return read_xml(data, embedded=False)
