"""Safe XML parsing and the value parsers shared by the UBL and CII readers."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from lxml import etree
from stdnum import iban as stdnum_iban

from accordo.deliveries.extraction.data import MAX_XML_BYTES, ExtractionError

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?")
_SEPARATORS = re.compile(r"[\s.\-]+")
# A document type declaration is never needed by an e-invoice and is how XXE and entity expansion
# ("billion laughs") attacks come in; it is refused before and after parsing.
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes) -> etree._Element:
    """The root element of ``data``; raises ExtractionError for too large, malformed or DTD-carrying XML."""
    if len(data) > MAX_XML_BYTES:
        raise ExtractionError(
            _("The XML file is larger than %(limit)d MB.") % {"limit": MAX_XML_BYTES // (1024 * 1024)}
        )
    upper = data.upper()
    if any(marker in upper for marker in _DTD_MARKERS):
        raise ExtractionError(_("The XML file contains a document type declaration, which is not allowed."))
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError:
        raise ExtractionError(_("The file is not well-formed XML."))
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise ExtractionError(_("The XML file contains a document type declaration, which is not allowed."))
    return root


def clean_text(value: str | None) -> str | None:
    """Whitespace-collapsed text, or None when empty."""
    if value is None:
        return None
    collapsed = " ".join(value.split())
    return collapsed or None


def parse_amount(value: str | None, field: str) -> Decimal | None:
    """An xsd:decimal as Decimal; malformed values are a broken e-invoice."""
    text = clean_text(value)
    if text is None:
        return None
    if not _DECIMAL.fullmatch(text):
        raise ExtractionError(_("The amount in %(field)s is not a number: %(value)s") % {"field": field, "value": text})
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already excludes these
        raise ExtractionError(_("The amount in %(field)s is not a number: %(value)s") % {"field": field, "value": text})


def make_date(year: int, month: int, day: int, field: str, text: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ExtractionError(_("The date in %(field)s is not valid: %(value)s") % {"field": field, "value": text})


def parse_iso_date(value: str | None, field: str) -> datetime.date | None:
    """An xsd:date (an optional time zone is ignored) as a date."""
    text = clean_text(value)
    if text is None:
        return None
    match = _DATE.fullmatch(text)
    if match is None:
        raise ExtractionError(_("The date in %(field)s is not valid: %(value)s") % {"field": field, "value": text})
    return make_date(int(match[1]), int(match[2]), int(match[3]), field, text)


def compact_vat(value: str | None) -> str | None:
    """A VAT number without spaces, dots or dashes, upper case; not validated."""
    text = clean_text(value)
    if text is None:
        return None
    return _SEPARATORS.sub("", text).upper() or None


def valid_iban(value: str | None) -> str | None:
    """The compact IBAN when ``value`` is a valid one, else None."""
    text = clean_text(value)
    if text is None:
        return None
    compact: str = stdnum_iban.compact(text)
    return compact if stdnum_iban.is_valid(compact) else None


def currency_code(value: str | None) -> str | None:
    """An ISO 4217 code (three letters), upper case, or None."""
    text = clean_text(value)
    if text is None or not re.fullmatch(r"[A-Za-z]{3}", text):
        return None
    return text.upper()
