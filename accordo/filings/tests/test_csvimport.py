"""Importing assessments from CSV: every row checked first, all or nothing, a report per row."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.deadlines.models import OrganisationDeadline
from accordo.filings import csvimport
from accordo.filings.csvimport import assessments_import, parse_amount, parse_date
from accordo.filings.models import Assessment, TaxReturn
from accordo.testing.factories import OrganisationFactory

CTX = RequestContext(ip="192.0.2.1", user_agent="test")
HEADER = "organisation;type;period;kind;number;amount;dagtekening\n"
D = datetime.date


@pytest.fixture
def person():
    org = OrganisationFactory(name="J. Jansen", kind="person", kvk_number="", bsn="111222333")
    TaxReturn.objects.create(
        organisation=org, type="ib", period="2025", period_start=D(2025, 1, 1), period_end=D(2025, 12, 31),
        status="submitted", amount=Decimal("-300.00"),
    )  # fmt: skip
    return org


def run(actor, text: str, encoding: str = "utf-8"):
    return assessments_import(actor=actor, ctx=CTX, upload=io.BytesIO(text.encode(encoding)))


@pytest.mark.parametrize(
    ("text", "value"),
    [("1.234,56", "1234.56"), ("1234.56", "1234.56"), ("1234,5", "1234.5"), ("-1.000", "-1000"),
     ("€ 12", "12"), ("1.234.567,00", "1234567.00"), ("0", "0")],
)  # fmt: skip
def test_it_reads_dutch_and_plain_amounts(text, value):
    assert parse_amount(text) == Decimal(value)


@pytest.mark.parametrize("text", ["1,234.56", "abc", "1.2.3", "12,345", ""])
def test_it_refuses_unclear_amounts(text):
    assert parse_amount(text) is None


def test_it_reads_both_date_forms():
    assert parse_date("2026-03-31") == parse_date("31-03-2026") == parse_date("31/03/2026") == D(2026, 3, 31)
    assert parse_date("31-02-2026") is None and parse_date("2026/31/03") is None


def test_it_imports_a_good_file_by_kvk_bsn_and_public_id(accountant, organisation, ib_return, person):
    other = OrganisationFactory()
    TaxReturn.objects.create(
        organisation=other, type="vpb", period="2024", period_start=D(2024, 1, 1), period_end=D(2024, 12, 31),
        status="submitted", amount=Decimal("18642.00"),
    )  # fmt: skip
    text = (
        "\ufefforganisation;type;period;kind;number;amount;dagtekening\n"
        f"{organisation.kvk_number};IB;2025;definitief;1234.56.789.H.56;1.005,00;2026-03-16\n"
        "111 222 333;ib;2025;final;;-300;16-03-2026\n"
        f"{other.public_id};VPB;2024;voorlopig;;21390.00;16-03-2026\n"
    )
    result = run(accountant, text)
    assert result.ok, result.errors
    assert (result.recorded, result.conform, result.not_conform) == (3, 2, 1)
    assert set(Assessment.objects.values_list("source", flat=True)) == {"csv"}
    assert OrganisationDeadline.objects.get(kind="objection").organisation == other
    assert Event.objects.filter(verb="assessment.recorded").count() == 3


def test_it_reads_comma_separated_files(accountant, organisation, ib_return):
    text = "organisation,type,period,kind,amount,dagtekening\n"
    text += f'{organisation.kvk_number},ib,2025,final,"1.000,00",2026-03-16\n'
    result = run(accountant, text)
    assert result.ok and result.recorded == 1


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("99999999;ib;2025;final;;10;2026-03-16", "organisation", "No client"),
        ("{kvk};xx;2025;final;;10;2026-03-16", "type", "Unknown type"),
        ("{kvk};ib;vorig jaar;final;;10;2026-03-16", "period", "year (2025)"),
        ("{kvk};ib;2025;soms;;10;2026-03-16", "kind", "Unknown kind"),
        ("{kvk};ib;2025;final;;tien;2026-03-16", "amount", "Not an amount"),
        ("{kvk};ib;2025;final;;10;16 maart", "dagtekening", "Not a date"),
        ("{kvk};ib;2025;final;;;2026-03-16", "amount", "missing"),
        ("{kvk};vpb;2025;final;;10;2026-03-16", "period", "no return of this type"),
        ("{kvk};ib;2025;final;{long};10;2026-03-16", "number", "longer than 40"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_written(accountant, organisation, ib_return, row, column, message):
    good = f"{organisation.kvk_number};ib;2025;final;;1000;2026-03-16\n"
    text = HEADER + good + row.format(kvk=organisation.kvk_number, long="9" * 41) + "\n"
    events = Event.objects.count()
    result = run(accountant, text)
    assert not result.ok
    [error] = result.errors
    assert (error.row, error.column) == (3, column) and message in error.message
    assert not Assessment.objects.exists() and Event.objects.count() == events


def test_it_refuses_an_assessment_recorded_before_and_a_repeated_row(accountant, organisation, ib_return):
    row = f"{organisation.kvk_number};ib;2025;final;;1000;2026-03-16\n"
    assert run(accountant, HEADER + row).ok
    result = run(accountant, HEADER + row + row)
    assert [(e.row, e.column) for e in result.errors] == [(2, "number"), (3, "number")]
    assert Assessment.objects.count() == 1


def test_it_refuses_a_file_without_the_columns_not_utf8_too_large_or_too_long(accountant, monkeypatch):
    assert (
        "lacks these columns: kind"
        in run(accountant, "organisation;type;period;amount;dagtekening\n").errors[0].message
    )
    assert "not UTF-8" in run(accountant, HEADER + "Çé;ib;2025;final;;1;2026-01-01\n", "utf-16").errors[0].message
    monkeypatch.setattr(csvimport, "MAX_BYTES", 100)
    assert "larger than 2 MB" in run(accountant, HEADER + "x" * 200).errors[0].message
    monkeypatch.setattr(csvimport, "MAX_BYTES", 2 * 1024 * 1024)
    monkeypatch.setattr(csvimport, "MAX_ROWS", 2)
    rows = "".join(f"1234567{i};ib;2025;final;;1;2026-01-01\n" for i in range(3))
    assert "more than 2 rows" in run(accountant, HEADER + rows).errors[0].message


def test_the_page_shows_the_report_with_a_400_and_the_counts_after_success(client, accountant, organisation, ib_return):
    client.force_login(accountant)
    url = reverse("filings_staff:import")
    assert client.get(url).status_code == 200
    bad = SimpleUploadedFile("a.csv", (HEADER + f"{organisation.kvk_number};ib;2025;final;;tien;2026-03-16\n").encode())
    response = client.post(url, {"file": bad})
    assert response.status_code == 400 and "Not an amount" in response.content.decode()
    good = SimpleUploadedFile(
        "a.csv", (HEADER + f"{organisation.kvk_number};ib;2025;final;;1000;2026-03-16\n").encode()
    )
    response = client.post(url, {"file": good})
    assert response.status_code == 200 and "1 assessment recorded" in response.content.decode()
    assert client.post(url, {}).status_code == 400
