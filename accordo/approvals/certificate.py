"""The approval certificate: a branded PDF that summarises an approval and its evidence.

The module is pure: the approvals services turn an approval, its documents and its events into a
``CertificateData`` and file the bytes ``render_certificate`` returns. WeasyPrint never touches the
network or the disk here: the only URLs it may open are ``data:`` URIs (the firm's logo), so a
crafted name, statement or user agent can neither fetch a URL nor read a local file.
"""

from __future__ import annotations

import base64
import re
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from PIL import ImageFile
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Importing WeasyPrint switches Pillow to accepting truncated images, for the whole process. Our
# file checks (accordo.dossier.fileproc) rely on Pillow refusing them, and the only image a
# certificate embeds is the firm's logo, checked at upload: put Pillow's safe default back.
ImageFile.LOAD_TRUNCATED_IMAGES = False

TEMPLATE = "approvals/certificate.html"
# Evidence times are shown in the firm's legal time zone (NL and BE share it), with the UTC offset.
TIME_ZONE = ZoneInfo("Europe/Amsterdam")
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_PRIMARY = "#1d4e89"
DEFAULT_ACCENT = "#f2a541"
LOGO_TYPES = frozenset({"image/png", "image/jpeg"})  # what the firm settings accept
USER_AGENT_LENGTH = 90
_USER_AGENT_NOISE = re.compile(r"^Mozilla/5\.0\s*|\(KHTML, like Gecko\)\s*|AppleWebKit/\S+\s*")


@dataclass(frozen=True)
class CertificateDocument:
    name: str
    size: int
    sha256: str
    pages: int | None


@dataclass(frozen=True)
class CertificateEvent:
    at: datetime
    label: str
    actor: str
    ip: str | None
    user_agent: str
    mfa_passed: bool
    detail: str  # e.g. the reason of a rejection, or "document viewed: <name> <sha256>"


@dataclass(frozen=True)
class CertificateData:
    firm_name: str
    firm_primary_color: str
    firm_accent_color: str
    firm_logo: bytes | None
    firm_logo_mime: str | None
    firm_signature: str
    organisation_name: str
    organisation_identifiers: list[tuple[str, str]]
    approval_title: str
    approval_type_label: str
    period: str
    reference: str  # the approval's public id
    outcome_label: str  # "Approved", "Rejected", "Read and confirmed", ...
    decided_at: datetime | None
    decided_by: list[str]
    statement: str  # the exact text agreed to
    documents: list[CertificateDocument]
    events: list[CertificateEvent]
    event_chain: tuple[int, str] | None  # sequence number and hash of the last event included
    language: str


class DataOnlyFetcher(URLFetcher):
    """Opens ``data:`` URIs and refuses everything else (http, file, relative paths, ...)."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url[:5].lower() != "data:":
            raise ValueError(f"The certificate loads no external resources: {url[:60]!r}")
        meta, comma, payload = url[5:].partition(",")
        if not comma:
            raise ValueError("Malformed data: URI")
        mime, *params = meta.split(";")
        if "base64" in (p.strip().lower() for p in params):
            body = base64.b64decode(payload, validate=True)  # binascii.Error is a ValueError
        else:
            body = urllib.parse.unquote_to_bytes(payload)
        return URLFetcherResponse(url, body, {"Content-Type": mime.strip() or "text/plain"})


def render_certificate(data: CertificateData, *, generated_at: datetime | None = None) -> bytes:
    """Render the certificate of one approval as an A4 PDF in ``data.language``."""
    generated_at = generated_at or timezone.now()
    with translation.override(data.language):
        html = render_to_string(TEMPLATE, certificate_context(data, generated_at=generated_at))
    pdf = HTML(string=html, base_url=None, url_fetcher=DataOnlyFetcher()).write_pdf()
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return pdf


def certificate_context(data: CertificateData, *, generated_at: datetime) -> dict[str, Any]:
    """The template context: every time formatted, every colour and the logo checked."""
    return {
        "data": data,
        "language": data.language,
        "primary": _colour(data.firm_primary_color, DEFAULT_PRIMARY),
        "accent": _colour(data.firm_accent_color, DEFAULT_ACCENT),
        "logo_uri": _logo_uri(data.firm_logo, data.firm_logo_mime),
        "decided_at": _stamp(data.decided_at) if data.decided_at else "",
        "documents": data.documents,
        "events": [
            {
                "at": _stamp(event.at),
                "label": event.label,
                "actor": event.actor,
                "ip": event.ip or "",
                "user_agent": short_user_agent(event.user_agent),
                "mfa_passed": event.mfa_passed,
                "detail": event.detail,
            }
            for event in data.events
        ],
        "generated_at": _stamp(generated_at),
        "generated_iso": generated_at.astimezone(UTC).isoformat(timespec="seconds"),
        # Filled by CSS counters in the running footer; the translated sentence stays one msgid.
        "page_number": mark_safe('<span class="page-number"></span>'),  # noqa: S308 (constant markup)
        "page_count": mark_safe('<span class="page-count"></span>'),  # noqa: S308 (constant markup)
    }


def short_user_agent(user_agent: str) -> str:
    """The user agent without the tokens every browser sends, cut to a readable length."""
    text = _USER_AGENT_NOISE.sub("", " ".join(user_agent.split())).strip()
    if len(text) > USER_AGENT_LENGTH:
        text = text[: USER_AGENT_LENGTH - 1].rstrip() + "…"
    return text


def _stamp(moment: datetime) -> str:
    """E.g. ``2026-03-14 10:15:42 (UTC+01:00)``: local time, seconds, and the offset in force."""
    if timezone.is_naive(moment):
        raise ValueError("Certificate times must be timezone-aware")
    local = moment.astimezone(TIME_ZONE)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} (UTC{offset[:3]}:{offset[3:]})"


def _colour(value: str, default: str) -> str:
    return value if HEX_COLOUR.fullmatch(value or "") else default


def _logo_uri(logo: bytes | None, mime: str | None) -> str:
    if not logo or mime not in LOGO_TYPES:
        return ""
    return f"data:{mime};base64,{base64.b64encode(logo).decode('ascii')}"
