"""UN/CEFACT Cross Industry Invoice (EN 16931 CII: Factur-X, ZUGFeRD 2, XRechnung), read exactly."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from lxml import etree

from accordo.deliveries.extraction.data import InvoiceData, Source
from accordo.deliveries.extraction.ubl import CREDIT_TYPE_CODES
from accordo.deliveries.extraction.xmlsafe import (
    clean_text,
    compact_vat,
    currency_code,
    make_date,
    parse_amount,
    parse_iso_date,
    valid_iban,
)

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
NS = {
    "rsm": RSM,
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
ROOT = f"{{{RSM}}}CrossIndustryInvoice"
_TRANSACTION = "rsm:SupplyChainTradeTransaction"
_SELLER = f"{_TRANSACTION}/ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty"
_SETTLEMENT = f"{_TRANSACTION}/ram:ApplicableHeaderTradeSettlement"
_TOTALS = f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"


def is_cii(root: etree._Element) -> bool:
    return bool(root.tag == ROOT)


def _text(node: etree._Element | None, path: str) -> str | None:
    if node is None:
        return None
    found = node.find(path, NS)
    return clean_text(found.text) if found is not None else None


def _date(root: etree._Element, path: str, field: str) -> datetime.date | None:
    """A udt:DateTimeString: format 102 (CCYYMMDD) as EN 16931 requires; ISO is tolerated."""
    node = root.find(f"{path}/udt:DateTimeString", NS)
    text = clean_text(node.text) if node is not None else None
    if text is None:
        return None
    match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if match is None:
        return parse_iso_date(text, field)
    return make_date(int(match[1]), int(match[2]), int(match[3]), field, text)


def _seller(root: etree._Element) -> tuple[str | None, str | None]:
    seller = root.find(_SELLER, NS)
    if seller is None:
        return None, None
    name = _text(seller, "ram:SpecifiedLegalOrganization/ram:TradingBusinessName") or _text(seller, "ram:Name")
    ids = seller.findall("ram:SpecifiedTaxRegistration/ram:ID", NS)
    # schemeID "VA" is the VAT number; "FC" a national tax number, which is not one.
    vat_ids = [node for node in ids if (node.get("schemeID") or "VA").upper() == "VA"]
    vat = next((v for node in vat_ids if (v := compact_vat(node.text))), None)
    return name, vat


def _iban(root: etree._Element) -> str | None:
    path = f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:IBANID"
    return next((iban for node in root.findall(path, NS) if (iban := valid_iban(node.text))), None)


def _vat_total(root: etree._Element, currency: str | None) -> Decimal | None:
    """TaxTotalAmount in the invoice currency (a second one may be in the tax currency)."""
    amounts = [node for node in root.findall(f"{_TOTALS}/ram:TaxTotalAmount", NS) if clean_text(node.text)]
    same = [node for node in amounts if currency_code(node.get("currencyID")) == currency]
    unmarked = [node for node in amounts if node.get("currencyID") is None]
    chosen = same or unmarked
    return parse_amount(chosen[0].text, "TaxTotalAmount") if chosen else None


def read_cii(root: etree._Element, *, source: Source) -> InvoiceData:
    """The invoice fields of a parsed CrossIndustryInvoice (``is_cii(root)`` must hold)."""
    supplier_name, supplier_vat = _seller(root)
    currency = currency_code(_text(root, f"{_SETTLEMENT}/ram:InvoiceCurrencyCode"))
    totals = root.find(_TOTALS, NS)
    issue = _date(root, "rsm:ExchangedDocument/ram:IssueDateTime", "IssueDateTime")
    due = _date(root, f"{_SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime", "DueDateDateTime")
    return InvoiceData(
        supplier_name=supplier_name,
        supplier_vat=supplier_vat,
        iban=_iban(root),
        invoice_number=_text(root, "rsm:ExchangedDocument/ram:ID"),
        issue_date=issue,
        due_date=due,
        currency=currency,
        net_total=parse_amount(_text(totals, "ram:TaxBasisTotalAmount"), "TaxBasisTotalAmount"),
        vat_total=_vat_total(root, currency),
        payable_total=parse_amount(_text(totals, "ram:DuePayableAmount"), "DuePayableAmount"),
        is_credit_note=_text(root, "rsm:ExchangedDocument/ram:TypeCode") in CREDIT_TYPE_CODES,
        source=source,
    )
