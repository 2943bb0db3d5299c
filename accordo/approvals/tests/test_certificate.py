"""The approval certificate: evidence a reader can check, rendered without touching network or disk."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.template.loader import render_to_string
from django.utils import translation
from PIL import Image
from pypdf import PdfReader

from accordo.approvals import certificate
from accordo.approvals.certificate import (
    CertificateData,
    CertificateDocument,
    CertificateEvent,
    DataOnlyFetcher,
    certificate_context,
    render_certificate,
    short_user_agent,
)
from accordo.bench.certificate_bench import measure, typical_certificate

LOCALE = Path(__file__).resolve().parents[3] / "locale"
GENERATED = datetime(2026, 3, 20, 16, 4, 5, tzinfo=UTC)
ATTACK = '<img src="file:///etc/passwd">'


def _data(n_documents: int = 2, n_events: int = 3, **changes) -> CertificateData:
    return dataclasses.replace(typical_certificate(n_documents, n_events, language="en"), **changes)


def _pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _text(pdf: bytes) -> str:
    """All text, each run of whitespace one space (cells and long values wrap over lines)."""
    return " ".join(" ".join(_pdf_pages(pdf)).split())


def _squeezed(pdf: bytes) -> str:
    return re.sub(r"\s+", "", " ".join(_pdf_pages(pdf)))


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def compiled_catalogues(tmp_path, settings):
    """Serve the committed .po files, whether or not `make messages` ran."""
    for language in ("nl", "fr", "en"):
        target = tmp_path / language / "LC_MESSAGES" / "django.mo"
        target.parent.mkdir(parents=True)
        with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as po, target.open("wb") as mo:
            write_mo(mo, read_po(po, domain="django"))
    settings.LOCALE_PATHS = [tmp_path]


@pytest.fixture
def fetched(monkeypatch):
    """Every URL WeasyPrint asks the certificate's fetcher for."""
    urls: list[str] = []
    original = DataOnlyFetcher.fetch

    def spy(self, url, headers=None):
        urls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(DataOnlyFetcher, "fetch", spy)
    return urls


def test_it_renders_an_a4_pdf():
    pdf = render_certificate(_data(), generated_at=GENERATED)
    assert pdf.startswith(b"%PDF-")
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_it_shows_the_firm_organisation_and_approval():
    data = _data()
    text = _text(render_certificate(data, generated_at=GENERATED))
    assert "Approval certificate" in text
    for value in [data.firm_name, data.organisation_name, "KvK 12345678", "RSIN 123456782", data.approval_title]:
        assert value in text
    assert data.approval_type_label in text
    assert "Period 2025" in text
    assert data.reference in text


def test_it_shows_the_outcome_with_time_and_people():
    data = _data(outcome_label="Approved", decided_by=["Jan de Vries", "Els Peeters"])
    text = _text(render_certificate(data, generated_at=GENERATED))
    assert "Outcome Approved" in text
    assert "2026-03-16 10:15:42 (UTC+01:00)" in text
    assert "Jan de Vries, Els Peeters" in text


def test_it_lists_every_document_with_its_full_hash():
    data = _data(n_documents=5)
    pdf = render_certificate(data, generated_at=GENERATED)
    text, squeezed = _text(pdf), _squeezed(pdf)
    for document in data.documents:
        assert document.name in text
        assert document.sha256 in squeezed
        assert len(document.sha256) == 64
    assert "Aangifte IB 2025 - bijlage 1.pdf 175.8 KB 180000 B 2" in text


def test_it_shows_the_exact_statement():
    statement = "I approve the return for 2025.\nI confirm it is complete & correct (€ 1.234,56 to pay)."
    text = _text(render_certificate(_data(statement=statement), generated_at=GENERATED))
    assert " ".join(statement.split()) in text


def test_it_lists_every_event_label_time_and_detail():
    start = datetime(2026, 3, 14, 9, 15, 42, tzinfo=UTC)
    events = [
        CertificateEvent(start, "Offered", "Anna Bakker", "192.0.2.1", "curl/8", False, ""),
        CertificateEvent(start + timedelta(days=1), "Viewed", "Jan de Vries", "2001:db8::7", "Firefox/126", True, ""),
        CertificateEvent(
            datetime(2026, 7, 1, 12, 0, 5, tzinfo=UTC), "Rejected", "Jan de Vries", None, "", True, "Wrong year"
        ),
    ]
    text = _text(render_certificate(_data(events=events), generated_at=GENERATED))
    for label in ["Offered", "Viewed", "Rejected", "Wrong year", "Anna Bakker", "192.0.2.1", "curl/8"]:
        assert label in text
    assert "2001:db8::7" in _squeezed(render_certificate(_data(events=events), generated_at=GENERATED))
    assert "2026-03-14 10:15:42 (UTC+01:00)" in text  # winter time in Amsterdam
    assert "2026-07-01 14:00:05 (UTC+02:00)" in text  # summer time


@pytest.mark.parametrize(("mfa_passed", "shown", "absent"), [(True, "yes", "no"), (False, "no", "yes")])
def test_it_shows_whether_2fa_was_passed(mfa_passed, shown, absent):
    events = [dataclasses.replace(event, mfa_passed=mfa_passed) for event in _data(n_events=4).events]
    text = _text(render_certificate(_data(events=events), generated_at=GENERATED))
    assert re.search(rf"\b{shown}\b", text)
    assert not re.search(rf"\b{absent}\b", text)


def test_it_writes_dutch_under_language_nl(compiled_catalogues):
    data = _data(language="nl", events=[dataclasses.replace(e, mfa_passed=False) for e in _data().events])
    with translation.override("en"):  # changing LOCALE_PATHS reset the active language
        text = _text(render_certificate(data, generated_at=GENERATED))
        assert translation.get_language() == "en"
    assert "Accorderingscertificaat" in text
    assert "Approval certificate" not in text
    assert "De exacte verklaring" in text
    assert re.search(r"Pagina 1 van \d", text)
    assert re.search(r"\bnee\b", text)


def test_it_writes_french_under_language_fr(compiled_catalogues):
    text = _text(render_certificate(_data(language="fr"), generated_at=GENERATED))
    assert "Certificat d'approbation" in text
    assert re.search(r"Page 1 sur \d", text)


def test_it_shows_html_in_names_and_statement_as_text():
    name = "<b>Jaarrekening</b>.pdf"
    statement = "<script>alert(1)</script> I <i>agree</i> & sign"
    data = _data(documents=[CertificateDocument(name, 10, "a" * 64, 1)], statement=statement)
    html = render_to_string(certificate.TEMPLATE, certificate_context(data, generated_at=GENERATED))
    assert "&lt;b&gt;Jaarrekening&lt;/b&gt;.pdf" in html
    assert "<script>" not in html
    text = _text(render_certificate(data, generated_at=GENERATED))
    assert name in text
    assert statement in text


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "FILE:///etc/passwd", "http://192.0.2.1/x.png", "https://example.com/logo.png", "logo.png"],
)
def test_it_refuses_every_url_but_data(url):
    with pytest.raises(ValueError):
        DataOnlyFetcher().fetch(url)


def test_it_opens_data_uris():
    response = DataOnlyFetcher().fetch("data:image/png;base64,aGVsbG8=")
    assert response.read() == b"hello"
    assert response.content_type == "image/png"
    assert DataOnlyFetcher().fetch("data:text/plain,a%20b").read() == b"a b"


def test_it_never_fetches_a_url_placed_in_a_field(fetched):
    event = CertificateEvent(GENERATED, ATTACK, ATTACK, ATTACK, ATTACK, True, ATTACK)
    data = _data(
        firm_name=ATTACK,
        firm_primary_color="red; background: url(file:///etc/passwd)",
        firm_accent_color="url(http://192.0.2.1/x)",
        firm_logo=b"<svg/>",
        firm_logo_mime=f"image/svg+xml;{ATTACK}",
        firm_signature=ATTACK,
        organisation_name=ATTACK,
        organisation_identifiers=[(ATTACK, ATTACK)],
        approval_title=ATTACK,
        approval_type_label=ATTACK,
        period=ATTACK,
        reference=ATTACK,
        outcome_label=ATTACK,
        decided_by=[ATTACK],
        statement=ATTACK,
        documents=[CertificateDocument(ATTACK, 1, ATTACK, None)],
        events=[event],
        event_chain=(1, ATTACK),
    )
    pdf = render_certificate(data, generated_at=GENERATED)
    assert pdf.startswith(b"%PDF-")
    assert fetched == []
    assert ATTACK in _text(pdf)
    context = certificate_context(data, generated_at=GENERATED)
    assert (context["primary"], context["accent"], context["logo_uri"]) == ("#1d4e89", "#f2a541", "")


def test_it_embeds_the_logo_as_a_data_uri(fetched):
    pdf = render_certificate(_data(firm_logo=_png(), firm_logo_mime="image/png"), generated_at=GENERATED)
    assert len(fetched) == 1
    assert fetched[0].startswith("data:image/png;base64,")
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1


def test_it_spans_several_pages_with_page_numbers():
    pages = _pdf_pages(render_certificate(_data(n_events=40), generated_at=GENERATED))
    total = len(pages)
    assert total >= 3
    assert f"Page 1 of {total}" in pages[0]
    assert f"Page {total} of {total}" in pages[-1]


def test_it_shows_the_event_chain_anchor():
    anchor = (48_213, hashlib.sha256(b"event 48213").hexdigest())
    pdf = render_certificate(_data(event_chain=anchor), generated_at=GENERATED)
    assert "number 48213 in the firm's hash-chained event log" in _text(pdf)
    assert anchor[1] in _squeezed(pdf)
    unanchored = render_certificate(_data(event_chain=None), generated_at=GENERATED)
    assert "This certificate is not anchored to the event log." in _text(unanchored)


def test_it_shows_the_generation_time_in_the_footer():
    pages = _pdf_pages(render_certificate(_data(n_events=40), generated_at=GENERATED))
    for page in pages:
        assert "Generated on 2026-03-20 17:04:05 (UTC+01:00)" in " ".join(page.split())


def test_it_shows_an_undecided_approval_without_a_decision_time():
    data = _data(outcome_label="Withdrawn", decided_at=None, decided_by=[])
    text = _text(render_certificate(data, generated_at=GENERATED))
    assert "Outcome Withdrawn Decided on — Decided by —" in text


def test_it_refuses_naive_times():
    with pytest.raises(ValueError, match="timezone-aware"):
        render_certificate(_data(decided_at=datetime(2026, 3, 14, 10, 0)), generated_at=GENERATED)


def test_it_shortens_the_user_agent():
    chrome = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36"
    )
    assert short_user_agent(chrome) == "(Windows NT 10.0; Win64; x64) Chrome/126.0.0.0 Safari/537.36"
    long = short_user_agent("x" * 500)
    assert len(long) == certificate.USER_AGENT_LENGTH
    assert long.endswith("…")


def test_it_renders_a_typical_certificate_quickly():
    data = typical_certificate(documents=5, events=15, language="en")
    render_certificate(data)  # the first rendering in a process loads the fonts
    started = time.perf_counter()
    pdf = render_certificate(data)
    seconds = time.perf_counter() - started
    print(f"certificate with 5 documents and 15 events: {seconds:.2f} s, {len(pdf) // 1024} KB")
    assert seconds < 10


def test_it_measures_the_certificate_for_the_bench():
    result = measure(runs=1)
    assert set(result) == {"seconds_p50", "seconds_max", "pages"}
    assert result["pages"] >= 1
    assert 0 < result["seconds_p50"] <= result["seconds_max"]


def test_importing_the_certificate_module_leaves_pillow_refusing_truncated_images():
    from PIL import ImageFile

    import accordo.approvals.certificate  # noqa: F401

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
