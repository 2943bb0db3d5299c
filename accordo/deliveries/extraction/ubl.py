"""UBL 2.x / Peppol BIS Billing 3 invoices and credit notes, read exactly with lxml."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from accordo.deliveries.extraction.data import InvoiceData, Source
from accordo.deliveries.extraction.xmlsafe import (
    clean_text,
    compact_vat,
    currency_code,
    parse_amount,
    parse_iso_date,
    valid_iban,
)

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
ROOTS = {f"{{{INVOICE_NS}}}Invoice": False, f"{{{CREDIT_NOTE_NS}}}CreditNote": True}
# UNTDID 1001 document types that are credit notes, as Peppol allows them on an Invoice root.
CREDIT_TYPE_CODES = {"81", "83", "381", "396", "532"}


def is_ubl(root: etree._Element) -> bool:
    return root.tag in ROOTS


def _text(node: etree._Element | None, path: str) -> str | None:
    if node is None:
        return None
    found = node.find(path, NS)
    return clean_text(found.text) if found is not None else None


def _supplier(root: etree._Element) -> tuple[str | None, str | None]:
    party = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    if party is None:
        return None, None
    name = _text(party, "cac:PartyName/cbc:Name") or _text(party, "cac:PartyLegalEntity/cbc:RegistrationName")
    # TaxScheme "VAT" is the VAT number (BT-31); another scheme is a national tax number (BT-32).
    schemes = party.findall("cac:PartyTaxScheme", NS)
    vat_schemes = [s for s in schemes if (_text(s, "cac:TaxScheme/cbc:ID") or "VAT").upper() == "VAT"]
    vat = next((v for scheme in vat_schemes if (v := compact_vat(_text(scheme, "cbc:CompanyID")))), None)
    return name, vat


def _iban(root: etree._Element) -> str | None:
    for account in root.findall("cac:PaymentMeans/cac:PayeeFinancialAccount", NS):
        iban = valid_iban(_text(account, "cbc:ID"))
        if iban:
            return iban
    return None


def _due_date_text(root: etree._Element) -> str | None:
    for path in ("cbc:DueDate", "cac:PaymentMeans/cbc:PaymentDueDate", "cac:PaymentTerms/cbc:PaymentDueDate"):
        for node in root.findall(path, NS):
            text = clean_text(node.text)
            if text:
                return text
    return None


def _vat_total(root: etree._Element, currency: str | None) -> Decimal | None:
    """The TaxTotal/TaxAmount in the document currency.

    With a separate tax accounting currency (BT-6) a Peppol invoice has two TaxTotals; the one
    in the document currency is the one that adds up with the other totals.
    """
    amounts = [node for node in root.findall("cac:TaxTotal/cbc:TaxAmount", NS) if clean_text(node.text)]
    if not amounts:
        return None
    same = [node for node in amounts if currency_code(node.get("currencyID")) == currency]
    unmarked = [node for node in amounts if node.get("currencyID") is None]
    chosen = same or unmarked or (amounts if len(amounts) == 1 and currency is None else [])
    if not chosen:
        return None
    return parse_amount(chosen[0].text, "TaxTotal/TaxAmount")


def read_ubl(root: etree._Element, *, source: Source) -> InvoiceData:
    """The invoice fields of a parsed UBL Invoice or CreditNote (``is_ubl(root)`` must hold)."""
    is_credit_root = ROOTS[root.tag]
    type_code = _text(root, "cbc:InvoiceTypeCode") or _text(root, "cbc:CreditNoteTypeCode")
    supplier_name, supplier_vat = _supplier(root)
    currency = currency_code(_text(root, "cbc:DocumentCurrencyCode"))
    totals = root.find("cac:LegalMonetaryTotal", NS)
    return InvoiceData(
        supplier_name=supplier_name,
        supplier_vat=supplier_vat,
        iban=_iban(root),
        invoice_number=_text(root, "cbc:ID"),
        issue_date=parse_iso_date(_text(root, "cbc:IssueDate"), "IssueDate"),
        due_date=parse_iso_date(_due_date_text(root), "DueDate"),
        currency=currency,
        net_total=parse_amount(_text(totals, "cbc:TaxExclusiveAmount"), "TaxExclusiveAmount"),
        vat_total=_vat_total(root, currency),
        payable_total=parse_amount(_text(totals, "cbc:PayableAmount"), "PayableAmount"),
        is_credit_note=is_credit_root or type_code in CREDIT_TYPE_CODES,
        source=source,
    )
