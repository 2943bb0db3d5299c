"""How long the approval certificate takes: a typical one (5 documents, 20 events) rendered a few times.

Every run is timed, the first one included: it pays WeasyPrint's font set-up, as the first
certificate a worker renders does, and shows up as ``seconds_max``.
"""

from __future__ import annotations

import hashlib
import io
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from pypdf import PdfReader

from accordo.approvals.certificate import CertificateData, CertificateDocument, CertificateEvent, render_certificate

USER_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15"
)
STATEMENT = (
    "Ik heb de aangifte inkomstenbelasting 2025 en de bijlagen gelezen. Ik verklaar dat de aangifte "
    "naar mijn beste weten volledig en juist is, en ik geef het kantoor opdracht haar namens mij in "
    "te dienen bij de Belastingdienst."
)


def typical_certificate(documents: int = 5, events: int = 20, language: str = "nl") -> CertificateData:
    """A realistic certificate: an income-tax return with its appendices, viewed and approved."""
    start = datetime(2026, 3, 14, 9, 15, 42, tzinfo=UTC)
    docs = [
        CertificateDocument(
            name=f"Aangifte IB 2025 - bijlage {i + 1}.pdf",
            size=180_000 + 37_411 * i,
            sha256=hashlib.sha256(f"document {i}".encode()).hexdigest(),
            pages=2 + i,
        )
        for i in range(documents)
    ]
    history = [
        CertificateEvent(
            at=start + timedelta(minutes=7 * i, seconds=i),
            label=["Offered", "E-mailed", "Viewed", "Reminded"][i % 4],
            actor="Jan de Vries" if i % 4 != 1 else "system",
            ip=f"192.0.2.{10 + i}",
            user_agent=USER_AGENT,
            mfa_passed=i % 4 == 2,
            detail=f"document viewed: {docs[i % documents].name} {docs[i % documents].sha256}" if i % 4 == 2 else "",
        )
        for i in range(events)
    ]
    return CertificateData(
        firm_name="Van Dijk & Partners Accountants",
        firm_primary_color="#1d4e89",
        firm_accent_color="#f2a541",
        firm_logo=None,
        firm_logo_mime=None,
        firm_signature="Van Dijk & Partners Accountants\nStationsplein 1, 3511 ED Utrecht\n030 123 45 67",
        organisation_name="Bakkerij De Korenaar B.V.",
        organisation_identifiers=[("KvK", "12345678"), ("RSIN", "123456782")],
        approval_title="Aangifte inkomstenbelasting 2025",
        approval_type_label="Income-tax return (IB)",
        period="2025",
        reference="5f0c9a6e-8a8f-4a51-9d59-0e1c7c7b8a11",
        outcome_label="Approved",
        decided_at=start + timedelta(days=2),
        decided_by=["Jan de Vries"],
        statement=STATEMENT,
        documents=docs,
        events=history,
        event_chain=(48_213, hashlib.sha256(b"last event").hexdigest()),
        language=language,
    )


def measure(runs: int = 5) -> dict[str, Any]:
    """Render the typical certificate ``runs`` times: median and slowest time, and its page count."""
    data = typical_certificate()
    seconds = []
    pdf = b""
    for _ in range(max(runs, 1)):
        started = time.perf_counter()
        pdf = render_certificate(data)
        seconds.append(time.perf_counter() - started)
    return {
        "seconds_p50": round(statistics.median(seconds), 3),
        "seconds_max": round(max(seconds), 3),
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
    }
