"""What the client-side approval tests share: offering an approval the way staff do."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile

from accordo.approvals import services
from accordo.approvals.models import Approval
from accordo.approvals.services import OfferedFile
from accordo.core.context import RequestContext

STAFF_CTX = RequestContext(ip="192.0.2.10", user_agent="staff-browser", mfa_passed=True)
RETURN_PDF = b"%PDF-1.4\n% aangifte VPB 2025\n"
NOTES_PDF = b"%PDF-1.4\n% toelichting\n"


def offered_file(name: str, data: bytes, mime: str = "application/pdf") -> OfferedFile:
    return OfferedFile(ContentFile(data, name=name), name, len(data), mime, hashlib.sha256(data).hexdigest())


def offer(accountant, organisation, deciders, **kwargs) -> Approval:
    kwargs.setdefault("type", "vpb")
    kwargs.setdefault("period", "2025")
    kwargs.setdefault("title", "Aangifte VPB 2025")
    kwargs.setdefault(
        "documents", [offered_file("aangifte.pdf", RETURN_PDF), offered_file("toelichting.pdf", NOTES_PDF)]
    )
    return services.approval_offer(
        actor=accountant, ctx=STAFF_CTX, organisation=organisation, deciders=deciders, **kwargs
    )
