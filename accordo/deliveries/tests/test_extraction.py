import datetime
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import gettext
from fpdf import FPDF
from pypdf import PdfWriter

from accordo.deliveries.extraction import (
    JSON_KEYS,
    MAX_XML_BYTES,
    ExtractionError,
    InvoiceData,
    extract_file,
    extract_from_pdf,
    extract_from_xml,
    pdf_text,
    sniff,
    suggest_from_text,
    xmlsafe,
)
from accordo.testing.samples import SAMPLES_DIR

SAMPLES = SAMPLES_DIR / "ubl"
FILES = Path(__file__).parent / "files"
PEPPOL_NL = FILES / "peppol_nl_invoice.xml"
CII_NL = FILES / "cii_nl_invoice.xml"

# What each public sample file states (ConnectingEurope/eInvoicing-EN16931, EUPL-1.2).
SAMPLE_VALUES = {
    "en16931_ubl-tc434-example1.xml": {
        "supplier_name": "De Koksmaat",  # no PartyName: the RegistrationName
        "supplier_vat": "NL820098395B01",  # stated as NL8200.98.395.B.01
        "iban": "NL57RABO0107307510",  # the first of two PaymentMeans, stated with spaces
        "invoice_number": "12115118",
        "issue_date": "2015-01-09",
        "due_date": "2015-01-09",
        "currency": "EUR",
        "net_total": "229.60",
        "vat_total": "20.73",
        "payable_total": "250.33",
        "is_credit_note": False,
    },
    "en16931_ubl-tc434-creditnote1.xml": {
        "supplier_name": "My Supplier Company N.V.",
        "supplier_vat": "BE0000000196",
        "iban": "BE91000000143476",
        "invoice_number": "018304 / 28865",
        "issue_date": "2019-09-23",
        "due_date": None,
        "currency": "EUR",
        "net_total": "100.11",
        "vat_total": "0.00",
        "payable_total": "100.11",
        "is_credit_note": True,
    },
}

PEPPOL_NL_VALUES = {
    "supplier_name": "Van den Berg Drukwerk",
    "supplier_vat": "NL004495445B01",
    "iban": "NL91ABNA0417164300",
    "invoice_number": "VB-2026-0117",
    "issue_date": "2026-03-02",
    "due_date": "2026-04-01",
    "currency": "EUR",
    "net_total": "283.00",
    "vat_total": "39.87",
    "payable_total": "322.87",
    "is_credit_note": False,
}

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>&xxe;</cbc:ID>
</Invoice>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol5;</Invoice>"""

DUTCH_INVOICE_LINES = [
    "Van den Berg Drukwerk B.V.",
    "Oudegracht 12, 3511 AB Utrecht",
    "KvK 12345678   Btw-nummer: NL004495445B01",
    "IBAN: NL91 ABNA 0417 1643 00   BIC: ABNANL2A",
    "FACTUUR",
    "Factuurnummer: 2026-0042",
    "Factuurdatum: 5 maart 2026",
    "Vervaldatum: 04-04-2026",
    "Aan: Bakkerij Peeters, uw btw-nummer BE0403170701",
    "Omschrijving          Aantal    Prijs       Bedrag",
    "Onderhoud drukpers    1         € 1.000,00  € 1.000,00",
    "Subtotaal                                   € 1.000,00",
    "Btw 21%                                     € 210,00",
    "Totaal te betalen                           € 1.210,00",
]


def ubl_bytes() -> bytes:
    return PEPPOL_NL.read_bytes()


def pdf_with_attachments(attachments: dict[str, bytes]) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    for name, content in attachments.items():
        writer.add_attachment(name, content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_pdf(lines: list[str]) -> bytes:
    pdf = FPDF()
    pdf.core_fonts_encoding = "windows-1252"
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in lines:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# --- UBL -----------------------------------------------------------------------------------------


def test_it_knows_every_sample_file():
    assert sorted(p.name for p in SAMPLES.glob("*.xml")) == sorted(SAMPLE_VALUES)


@pytest.mark.parametrize("name", sorted(SAMPLE_VALUES))
def test_it_reads_the_values_each_sample_file_states(name):
    data = extract_file(SAMPLES / name)
    assert data is not None
    assert data.source == "ubl"
    assert data.as_json() == SAMPLE_VALUES[name]


def test_it_reads_amounts_as_decimals_and_dates_as_dates():
    data = extract_from_xml((SAMPLES / "en16931_ubl-tc434-example1.xml").read_bytes())
    assert data.payable_total == Decimal("250.33")
    assert data.net_total == Decimal("229.60")
    assert data.issue_date == datetime.date(2015, 1, 9)


def test_it_reports_a_credit_notes_amounts_as_stated():
    data = extract_from_xml((SAMPLES / "en16931_ubl-tc434-creditnote1.xml").read_bytes())
    assert data.is_credit_note is True
    assert data.payable_total == Decimal("100.11")


def test_it_reads_a_peppol_invoice_with_two_vat_rates():
    data = extract_from_xml(ubl_bytes())
    assert data.as_json() == PEPPOL_NL_VALUES
    assert data.source == "ubl"
    assert data.vat_total == Decimal("25.20") + Decimal("14.67")


def test_it_takes_the_vat_total_in_the_document_currency():
    xml = ubl_bytes().replace(
        b"<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>",
        b"<cbc:DocumentCurrencyCode>USD</cbc:DocumentCurrencyCode><cbc:TaxCurrencyCode>EUR</cbc:TaxCurrencyCode>",
    )
    xml = xml.replace(b'currencyID="EUR"', b'currencyID="USD"')
    tax_in_eur = b'<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">36.50</cbc:TaxAmount></cac:TaxTotal>'
    xml = xml.replace(b"<cac:TaxTotal>", tax_in_eur + b"<cac:TaxTotal>", 1)
    data = extract_from_xml(xml)
    assert data.currency == "USD"
    assert data.vat_total == Decimal("39.87")


def test_it_reads_an_invoice_inside_a_peppol_transport_envelope():
    body = ubl_bytes().split(b"?>", 1)[1]
    envelope = (
        b'<StandardBusinessDocument xmlns="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">'
        b"<StandardBusinessDocumentHeader><HeaderVersion>1.0</HeaderVersion></StandardBusinessDocumentHeader>"
        + body
        + b"</StandardBusinessDocument>"
    )
    assert extract_from_xml(envelope).as_json() == PEPPOL_NL_VALUES


def test_it_treats_invoice_type_code_381_as_a_credit_note():
    xml = ubl_bytes().replace(b"<cbc:InvoiceTypeCode>380<", b"<cbc:InvoiceTypeCode>381<")
    assert extract_from_xml(xml).is_credit_note is True


def test_it_reads_a_credit_notes_due_date_from_payment_means():
    xml = (SAMPLES / "en16931_ubl-tc434-creditnote1.xml").read_bytes()
    xml = xml.replace(
        b"<cbc:PaymentMeansCode>1</cbc:PaymentMeansCode>",
        b"<cbc:PaymentMeansCode>1</cbc:PaymentMeansCode><cbc:PaymentDueDate>2019-10-23</cbc:PaymentDueDate>",
    )
    assert extract_from_xml(xml).due_date == datetime.date(2019, 10, 23)


def test_it_leaves_out_an_invalid_iban():
    xml = ubl_bytes().replace(b"NL91 ABNA 0417 1643 00", b"NL92 ABNA 0417 1643 00")
    data = extract_from_xml(xml)
    assert data.iban is None
    assert data.payable_total == Decimal("322.87")


def test_it_falls_back_to_the_registration_name():
    xml = ubl_bytes().replace(b"<cbc:Name>Van den Berg Drukwerk</cbc:Name>", b"")
    assert extract_from_xml(xml).supplier_name == "Van den Berg Drukwerk B.V."


def test_it_refuses_a_malformed_amount():
    xml = ubl_bytes().replace(b">322.87</cbc:PayableAmount>", b">322,87</cbc:PayableAmount>")
    with pytest.raises(ExtractionError, match="PayableAmount"):
        extract_from_xml(xml)


def test_it_refuses_an_invalid_date():
    xml = ubl_bytes().replace(b"2026-04-01", b"2026-02-30")
    with pytest.raises(ExtractionError, match="DueDate"):
        extract_from_xml(xml)


# --- CII (Factur-X, ZUGFeRD 2) -----------------------------------------------------------------------


def test_it_reads_a_cross_industry_invoice():
    data = extract_from_xml(CII_NL.read_bytes())
    assert data.source == "cii"
    # The same invoice as the UBL one: the trading name, the VA (not the FC) tax id, EUR VAT total.
    assert data.as_json() == PEPPOL_NL_VALUES


def test_it_treats_cii_type_code_381_as_a_credit_note():
    xml = CII_NL.read_bytes().replace(b"<ram:TypeCode>380<", b"<ram:TypeCode>381<")
    assert extract_from_xml(xml).is_credit_note is True


def test_it_reads_factur_x_embedded_in_a_pdf():
    data = extract_from_pdf(io.BytesIO(pdf_with_attachments({"factur-x.xml": CII_NL.read_bytes()})))
    assert data is not None
    assert (data.source, data.supplier_vat, data.due_date) == ("pdf-cii", "NL004495445B01", datetime.date(2026, 4, 1))


# --- refusals ------------------------------------------------------------------------------------


def test_it_refuses_an_external_entity(tmp_path):
    with pytest.raises(ExtractionError, match="document type declaration"):
        extract_from_xml(XXE)
    path = tmp_path / "xxe.xml"
    path.write_bytes(XXE)
    with pytest.raises(ExtractionError):
        extract_file(path)


def test_it_refuses_an_external_entity_in_utf16():
    with pytest.raises(ExtractionError, match="document type declaration"):
        extract_from_xml(XXE.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16"))


def test_it_refuses_billion_laughs():
    with pytest.raises(ExtractionError, match="document type declaration"):
        extract_from_xml(BILLION_LAUGHS)


@pytest.mark.parametrize("xml", [XXE, BILLION_LAUGHS])
def test_it_refuses_a_dtd_even_past_the_byte_scan(monkeypatch, xml):
    monkeypatch.setattr(xmlsafe, "_DTD_MARKERS", ())
    with pytest.raises(ExtractionError, match="document type declaration"):
        extract_from_xml(xml)


def test_it_refuses_xml_that_is_not_ubl():
    camt = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>'
    with pytest.raises(ExtractionError, match="not an e-invoice"):
        extract_from_xml(camt)


def test_it_refuses_malformed_xml():
    with pytest.raises(ExtractionError, match="not well-formed"):
        extract_from_xml(ubl_bytes()[:-200])


def test_it_refuses_xml_over_the_size_limit():
    with pytest.raises(ExtractionError, match="larger than 20 MB"):
        extract_from_xml(b"<a>" + b" " * MAX_XML_BYTES + b"</a>")


def test_it_refuses_garbage_bytes(tmp_path):
    path = tmp_path / "invoice.xml"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ExtractionError, match="neither an XML e-invoice nor a PDF"):
        extract_file(path)
    with pytest.raises(ExtractionError, match="not a readable PDF"):
        extract_from_pdf(io.BytesIO(b"%PDF-1.7\n" + bytes(range(256)) * 4))


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\r\n%PDF-1.4", "pdf"),
        (b"<?xml version='1.0'?><Invoice/>", "xml"),
        (b"\xef\xbb\xbf<Invoice/>", "xml"),
        ("<Invoice/>".encode("utf-16"), "xml"),
        (b"  \n<Invoice/>", "xml"),
        (b"\xff\xd8\xff\xe0JFIF", None),
        (b"PK\x03\x04", None),
        (b"", None),
    ],
)
def test_it_sniffs_the_kind_of_file_from_its_first_bytes(head, kind):
    assert sniff(head) == kind


# --- PDF -----------------------------------------------------------------------------------------


def test_it_reads_ubl_embedded_in_a_pdf():
    data = extract_from_pdf(io.BytesIO(pdf_with_attachments({"VB-2026-0117.xml": ubl_bytes()})))
    assert data is not None
    assert data.source == "pdf-ubl"
    assert data.as_json() == PEPPOL_NL_VALUES


def test_it_reads_an_embedded_invoice_from_a_pdf_file_by_content(tmp_path):
    path = tmp_path / "scan.xml"  # the name lies: it is a PDF
    path.write_bytes(pdf_with_attachments({"notes.txt": b"not xml", "factur-x.xml": ubl_bytes()}))
    data = extract_file(path)
    assert data is not None
    assert (data.source, data.payable_total) == ("pdf-ubl", Decimal("322.87"))


def test_it_reads_ubl_xml_by_content_whatever_its_name(tmp_path):
    path = tmp_path / "invoice.pdf"
    path.write_bytes(ubl_bytes())
    data = extract_file(path)
    assert data is not None
    assert (data.source, data.invoice_number) == ("ubl", "VB-2026-0117")


def test_it_skips_embedded_xml_that_is_not_an_invoice():
    pdf = pdf_with_attachments({"metadata.xml": b"<metadata><title>x</title></metadata>", "invoice.xml": ubl_bytes()})
    data = extract_from_pdf(io.BytesIO(pdf))
    assert data is not None
    assert data.supplier_vat == "NL004495445B01"


def test_it_says_when_a_pdf_is_protected_with_a_password():
    writer = PdfWriter(clone_from=io.BytesIO(pdf_with_attachments({"invoice.xml": ubl_bytes()})))
    writer.encrypt(user_password="geheim", owner_password="nog-geheimer", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ExtractionError, match="protected with a password"):
        extract_from_pdf(io.BytesIO(out.getvalue()))


def test_it_finds_nothing_in_a_pdf_without_an_e_invoice(tmp_path):
    path = tmp_path / "plain.pdf"
    path.write_bytes(pdf_with_attachments({"metadata.xml": b"<metadata/>", "xxe.xml": XXE}))
    assert extract_from_pdf(path) is None
    assert extract_file(path) is None


# --- text suggestions ----------------------------------------------------------------------------


def test_it_suggests_from_a_dutch_text_pdf():
    text = pdf_text(io.BytesIO(text_pdf(DUTCH_INVOICE_LINES)))
    data = suggest_from_text(text)
    assert data.source == "text"
    assert data.as_json() == {
        "supplier_name": None,
        "supplier_vat": "NL004495445B01",
        "iban": "NL91ABNA0417164300",
        "invoice_number": "2026-0042",
        "issue_date": "2026-03-05",
        "due_date": "2026-04-04",
        "currency": "EUR",
        "net_total": "1000.00",
        "vat_total": "210.00",
        "payable_total": "1210.00",
        "is_credit_note": False,
    }


def test_it_suggests_from_belgian_french_text():
    text = "\n".join(
        [
            "SRL Dupont - TVA BE 0403.170.701",
            "Facture n° F/2026/117",
            "Date de facture : 12/02/2026",
            "Date d'échéance : 1er mars 2026",
            "Total HT\t1\u00a0234,56 EUR",
            "TVA 21 %\t259,26 EUR",
            "Total à payer\t1\u00a0493,82 EUR",
            "Compte : BE21 0012 3456 7803",
        ]
    )
    data = suggest_from_text(text)
    assert data.supplier_vat == "BE0403170701"
    assert data.invoice_number == "F/2026/117"
    assert data.issue_date == datetime.date(2026, 2, 12)
    assert data.due_date == datetime.date(2026, 3, 1)
    assert (data.net_total, data.vat_total, data.payable_total) == (
        Decimal("1234.56"),
        Decimal("259.26"),
        Decimal("1493.82"),
    )
    assert data.iban == "BE21001234567803"


def test_it_reads_a_header_row_of_labels_over_a_row_of_values():
    text = (
        "Factuurnummer Factuurdatum Vervaldatum Klantnummer\n"
        "F2026-118 12-01-2026 11-02-2026 K-1002\n"
        "Totaal excl. btw   Btw   Totaal te betalen\n"
        "€ 100,00   € 21,00   € 121,00\n"
    )
    data = suggest_from_text(text)
    assert data.invoice_number == "F2026-118"
    assert (data.issue_date, data.due_date) == (datetime.date(2026, 1, 12), datetime.date(2026, 2, 11))
    # Three amounts under three labels cannot be told apart in plain text: no guess beats a wrong one.
    assert (data.net_total, data.vat_total, data.payable_total) == (None, None, None)


def test_it_reads_labels_above_their_values():
    text = "Invoice no.\nINV-7781\nInvoice Date    Due Date\n2026-01-15      2026-02-14\nTotal due\nEUR 12.50\n"
    data = suggest_from_text(text)
    assert data.invoice_number == "INV-7781"
    assert (data.issue_date, data.due_date) == (datetime.date(2026, 1, 15), datetime.date(2026, 2, 14))
    assert (data.payable_total, data.currency) == (Decimal("12.50"), "EUR")


@pytest.mark.parametrize(
    ("line", "amount"),
    [
        ("Totaal: 1.234,56", "1234.56"),
        ("Totaal € 1 234,56", "1234.56"),
        ("Totaal\u00a0€\u00a01\u202f234,56", "1234.56"),
        ("Total EUR 12.50", "12.50"),
        ("Totaal 12,50 €", "12.50"),
        ("Te betalen: € 25,-", "25.00"),
        ("Total due: 1,234.56", "1234.56"),
        ("TOTAAL €1.234.567,89", "1234567.89"),
        ("Totaal EUR 300", "300.00"),
    ],
)
def test_it_reads_dutch_and_belgian_number_formats(line, amount):
    assert suggest_from_text(line).payable_total == Decimal(amount)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Factuurdatum: 05-03-2026", datetime.date(2026, 3, 5)),
        ("Factuurdatum: 5/3/2026", datetime.date(2026, 3, 5)),
        ("Factuurdatum 05.03.2026", datetime.date(2026, 3, 5)),
        ("Datum: 5 maart 2026", datetime.date(2026, 3, 5)),
        ("Date : 5 mars 2026", datetime.date(2026, 3, 5)),
        ("Date de facture : 1er août 2026", datetime.date(2026, 8, 1)),
        ("Invoice date: 5 March 2026", datetime.date(2026, 3, 5)),
        ("Invoice date: March 5, 2026", datetime.date(2026, 3, 5)),
        ("Invoice date: 2026-03-05", datetime.date(2026, 3, 5)),
        ("Datum: 5 mrt. 2026", datetime.date(2026, 3, 5)),
    ],
)
def test_it_reads_dates_in_dutch_french_english_and_iso(line, expected):
    assert suggest_from_text(line).issue_date == expected


def test_it_does_not_take_dates_or_percentages_for_amounts():
    data = suggest_from_text("Totaal 21% 12-03-2026")
    assert data.payable_total is None
    assert data.issue_date == datetime.date(2026, 3, 12)


def test_it_ignores_ibans_and_vat_numbers_with_wrong_check_digits():
    data = suggest_from_text("IBAN NL92 ABNA 0417 1643 00\nBTW NL004495446B01\nBTW BE0403170702")
    assert (data.iban, data.supplier_vat) == (None, None)


def test_it_does_not_suggest_the_customers_vat_number_or_account():
    text = "Uw btw-nummer: BE0403170701\nWordt afgeschreven van uw rekening BE21 0012 3456 7803\nBtw NL004495445B01"
    data = suggest_from_text(text)
    assert (data.supplier_vat, data.iban) == ("NL004495445B01", None)


def test_it_takes_the_account_the_customer_is_asked_to_pay_into():
    data = suggest_from_text("Gelieve uw betaling over te maken op IBAN NL91 ABNA 0417 1643 00")
    assert data.iban == "NL91ABNA0417164300"


def test_it_derives_the_due_date_from_the_payment_term():
    data = suggest_from_text("Factuurdatum: 01-03-2026\nBetaling binnen 14 dagen na factuurdatum.")
    assert data.due_date == datetime.date(2026, 3, 15)


def test_it_does_not_take_a_delivery_term_for_a_payment_term():
    data = suggest_from_text("Factuurdatum: 01-03-2026\nLevering binnen 5 dagen.")
    assert (data.issue_date, data.due_date) == (datetime.date(2026, 3, 1), None)


def test_it_does_not_flag_an_invoice_that_mentions_credit_notes_in_a_sentence():
    text = "FACTUUR\nTotaal te betalen € 50,00\nBij retour van goederen ontvangt u binnen 14 dagen een creditnota."
    assert suggest_from_text(text).is_credit_note is False


def test_it_flags_a_credit_note_text():
    data = suggest_from_text("CREDITNOTA\nCreditnotanummer: CN-12\nTotaal te betalen € -50,00")
    assert data.is_credit_note is True
    assert (data.invoice_number, data.payable_total) == ("CN-12", Decimal("-50.00"))


def test_it_stays_fast_on_huge_junk_text():
    junk = "NL12 1.234 € 1 21-" * 20_000 + "\n" + "Totaal " + "9 " * 100_000
    data = suggest_from_text(junk)
    assert (data.iban, data.supplier_vat, data.invoice_number) == (None, None, None)


def test_it_suggests_nothing_for_empty_text():
    data = suggest_from_text("")
    assert data == InvoiceData(
        supplier_name=None,
        supplier_vat=None,
        iban=None,
        invoice_number=None,
        issue_date=None,
        due_date=None,
        currency=None,
        net_total=None,
        vat_total=None,
        payable_total=None,
        is_credit_note=False,
        source="text",
    )


# --- the command ---------------------------------------------------------------------------------


def test_it_prints_the_eleven_keys_as_json():
    out = io.StringIO()
    call_command("extract_invoice", str(PEPPOL_NL), stdout=out)
    printed = json.loads(out.getvalue())
    assert list(printed) == list(JSON_KEYS)
    assert printed == PEPPOL_NL_VALUES


def test_it_prints_suggestions_for_a_pdf_without_e_invoice(tmp_path):
    path = tmp_path / "factuur.pdf"
    path.write_bytes(text_pdf(DUTCH_INVOICE_LINES))
    out = io.StringIO()
    call_command("extract_invoice", str(path), stdout=out)
    printed = json.loads(out.getvalue())
    assert (printed["payable_total"], printed["due_date"], printed["supplier_name"]) == ("1210.00", "2026-04-04", None)


def test_it_fails_clearly_for_unsupported_or_missing_files(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    with pytest.raises(CommandError, match="neither an XML e-invoice nor a PDF") as unsupported:
        call_command("extract_invoice", str(path))
    assert unsupported.value.returncode == 1
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("extract_invoice", str(tmp_path / "missing.xml"))


def test_it_exits_with_code_1_and_a_message_on_stderr(tmp_path):
    path = tmp_path / "not-an-invoice.xml"
    path.write_bytes(b"<html><body>hello</body></html>")
    result = subprocess.run(
        [sys.executable, "manage.py", "extract_invoice", str(path)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    # A command speaks the firm's language (LANGUAGE_CODE), whatever the test has active.
    with translation.override(settings.LANGUAGE_CODE):
        expected = gettext("The XML file is not an e-invoice (UBL or UN/CEFACT Cross Industry Invoice).")
    assert expected in result.stderr
