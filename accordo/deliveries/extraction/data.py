"""The result of an extraction and the one error it raises."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

# "ubl": a UBL file; "pdf-ubl": UBL embedded in a PDF; "cii"/"pdf-cii": the same for UN/CEFACT
# Cross Industry Invoice (Factur-X, ZUGFeRD, XRechnung CII); "text": suggestions from plain text.
Source = Literal["ubl", "pdf-ubl", "cii", "pdf-cii", "text"]

JSON_KEYS = (
    "supplier_name",
    "supplier_vat",
    "iban",
    "invoice_number",
    "issue_date",
    "due_date",
    "currency",
    "net_total",
    "vat_total",
    "payable_total",
    "is_credit_note",
)

MAX_XML_BYTES = 20 * 1024 * 1024
MAX_PDF_BYTES = 100 * 1024 * 1024


class ExtractionError(ValueError):
    """The file cannot be read as an invoice; ``str(error)`` is a translated message for the user."""


@dataclass(frozen=True)
class InvoiceData:
    """Invoice fields read from an e-invoice (exact) or found in text (suggestions).

    Amounts are reported as the document states them: a credit note's totals are usually
    positive and ``is_credit_note`` tells the direction; nothing is negated here. ``vat_total``
    is in the document currency. ``supplier_vat`` is compacted (no spaces or dots, upper case)
    but for e-invoices not checked, as the file is the authority; ``iban`` is always validated.
    """

    supplier_name: str | None
    supplier_vat: str | None
    iban: str | None
    invoice_number: str | None
    issue_date: datetime.date | None
    due_date: datetime.date | None
    currency: str | None
    net_total: Decimal | None
    vat_total: Decimal | None
    payable_total: Decimal | None
    is_credit_note: bool
    source: Source

    def as_json(self) -> dict[str, str | bool | None]:
        """The eleven fields as JSON-ready values: ISO dates, decimals as strings, None as null."""
        out: dict[str, str | bool | None] = {}
        for key in JSON_KEYS:
            value = getattr(self, key)
            if isinstance(value, datetime.date):
                out[key] = value.isoformat()
            elif isinstance(value, Decimal):
                out[key] = format(value, "f")
            else:
                out[key] = value
        return out
