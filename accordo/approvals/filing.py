"""Filing a decided approval (SPEC §5): the approved documents and the approval certificate go into
the dossier, in a folder by type and year (e.g. ``Aangiften/2025``). Runs in the worker.

The certificate is built from the approval's own events (every event whose target is the approval
or one of its temporary links), so it shows exactly what the log holds, ending with the last
event's sequence number and hash for anyone who wants to check it against ``verify_events``.
"""

from __future__ import annotations

import hashlib
import io
import re

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pypdf import PdfReader

from accordo.approvals.certificate import CertificateData, CertificateDocument, CertificateEvent, render_certificate
from accordo.approvals.models import PUBLICATION_TYPES, TAX_RETURNS, Approval, ApprovalType, Decider, TemporaryLink
from accordo.clients.selectors import firm_get
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.core.models import Event
from accordo.core.timeline import verb_label
from accordo.dossier.models import Document, Folder
from accordo.dossier.services import document_add_stored, folder_path_ensure

YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
CERTIFICATE_MIME = "application/pdf"


def folder_path(approval: Approval) -> str:
    """``Aangiften/2025`` for tax returns, ``Jaarrapporten/2025`` for annual accounts, etc. The year is the
    period's when it names one, else the year of the decision."""
    found = YEAR.search(approval.period)
    year = found.group(0) if found else str(timezone.localtime(approval.decided_at or timezone.now()).year)
    with translation.override(settings.LANGUAGE_CODE):
        # The names of the default folder template (dossier migration 0003) in the firm's language.
        if approval.type in TAX_RETURNS:
            top = _("Tax returns")
        elif approval.type in PUBLICATION_TYPES:
            top = _("Publication documents")
        elif approval.type == ApprovalType.ANNUAL_ACCOUNTS:
            top = _("Annual reports")
        elif approval.type in (ApprovalType.QUOTATION, ApprovalType.ENGAGEMENT):
            top = _("Agreements")
        else:
            top = _("Correspondence")
    return f"{top}/{year}"


def approval_events(approval: Approval) -> list[Event]:
    link_ids = [str(pk) for pk in TemporaryLink.objects.filter(approval=approval).values_list("public_id", flat=True)]
    return list(
        Event.objects.filter(
            Q(target_type="approvals.approval", target_id=str(approval.public_id))
            | Q(target_type="approvals.temporarylink", target_id__in=link_ids)
        )
        .select_related("actor")
        .order_by("seq")
    )


def _detail(event: Event) -> str:
    data = event.data or {}
    if event.verb == "approval.document_viewed":
        return f"{data.get('name', '')} SHA-256 {data.get('sha256', '')}"
    if event.verb == "approval.rejected":
        return str(data.get("reason", ""))
    if event.verb == "approval.emailed":
        return str(data.get("to", ""))
    if event.verb == "approval.approved":
        return _("by e-mailed one-time code") if data.get("email_code") else ""
    if event.verb == "approval.withdrawn":
        return str(data.get("reason", ""))
    return ""


def _actor(event: Event) -> str:
    if event.actor is not None:
        return event.actor.full_name or event.actor.email
    return event.actor_label or _("system")


def _pages(data: bytes) -> int | None:
    try:
        return len(PdfReader(io.BytesIO(data)).pages)
    except Exception:  # an unreadable PDF still gets a certificate; only its page count is missing
        return None


def certificate_data(approval: Approval) -> CertificateData:
    firm = firm_get()
    organisation = approval.organisation
    logo, logo_mime = None, None
    if firm.logo:
        with firm.logo.open("rb") as handle:
            logo = handle.read()
        logo_mime = "image/png" if logo.startswith(b"\x89PNG") else "image/jpeg"
    documents = []
    for document in approval.documents.all():
        with document.file.open("rb") as handle:
            pages = _pages(handle.read()) if document.mime == "application/pdf" else None
        documents.append(
            CertificateDocument(name=document.name, size=document.size, sha256=document.sha256, pages=pages)
        )
    events = approval_events(approval)
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        history = [
            CertificateEvent(
                at=event.created_at,
                label=verb_label(event.verb),
                actor=_actor(event),
                ip=event.ip,
                user_agent=event.user_agent,
                mfa_passed=event.mfa_passed,
                detail=_detail(event),
            )
            for event in events
        ]
        if approval.mode == Approval.Mode.READ:
            outcome = _("Read and confirmed")
        else:
            outcome = str(Approval.Status(approval.status).label)
        deciders = Decider.objects.filter(approval=approval).exclude(decision=Decider.Decision.PENDING)
        identifiers = [
            (label, value)
            for label, value in (
                (_("KvK number"), organisation.kvk_number),
                (_("RSIN"), organisation.rsin),
                (_("VAT number"), organisation.vat_number),
                (_("enterprise number (KBO)"), organisation.kbo_number),
            )
            if value
        ]
        return CertificateData(
            firm_name=firm.name,
            firm_primary_color=firm.primary_color,
            firm_accent_color=firm.accent_color,
            firm_logo=logo,
            firm_logo_mime=logo_mime,
            firm_signature=firm.email_signature,
            organisation_name=organisation.name,
            organisation_identifiers=identifiers,
            approval_title=approval.title,
            approval_type_label=str(ApprovalType(approval.type).label),
            period=approval.period,
            reference=str(approval.public_id),
            outcome_label=outcome,
            decided_at=approval.decided_at,
            decided_by=[d.user.full_name or d.user.email for d in deciders.select_related("user")],
            statement=approval.statement,
            documents=documents,
            events=history,
            event_chain=(events[-1].seq, events[-1].hash) if events else None,
            language=language,
        )


def approval_file(approval: Approval) -> Document | None:
    """File an approved set and its certificate; safe to run twice (a filed approval is left alone)."""
    approval = Approval.objects.select_related("organisation", "offered_by").get(pk=approval.pk)
    if approval.status != Approval.Status.APPROVED or approval.certificate_id:
        return None
    pdf = render_certificate(certificate_data(approval))
    sha = hashlib.sha256(pdf).hexdigest()
    path = f"approvals/{approval.organisation.public_id}/certificate-{sha[:16]}.pdf"
    stored = default_storage.save(path, ContentFile(pdf))
    try:
        with transaction.atomic():
            locked = Approval.objects.select_for_update().get(pk=approval.pk)
            if locked.certificate_id:
                default_storage.delete(stored)
                return None
            folder = folder_path_ensure(
                organisation=approval.organisation, path=folder_path(approval), open_to_client=True
            )
            ctx = RequestContext.system("filing")
            filed = []
            for document in approval.documents.all():
                if _already_there(folder, document.name, document.sha256):
                    continue
                document_add_stored(
                    actor=None, ctx=ctx, folder=folder, name=document.name, stored_name=document.file.name,
                    size=document.size, mime=document.mime, sha256=document.sha256,
                    uploaded_by=approval.offered_by, data={"approval": str(approval.public_id)},
                )  # fmt: skip
                filed.append(document.name)
            title = approval.title if approval.period in approval.title else f"{approval.title} {approval.period}"
            with translation.override(settings.LANGUAGE_CODE):
                name = _("Approval certificate %(title)s.pdf") % {"title": title}
            version = document_add_stored(
                actor=None, ctx=ctx, folder=folder, name=name.replace("/", "-"), stored_name=stored,
                size=len(pdf), mime=CERTIFICATE_MIME, sha256=sha, uploaded_by=approval.offered_by,
                data={"approval": str(approval.public_id), "certificate": True},
            )  # fmt: skip
            Approval.objects.filter(pk=approval.pk).update(certificate=version.document, updated_at=timezone.now())
            event_record(
                actor=None, ctx=ctx, verb="approval.filed", target=approval, organisation=approval.organisation,
                data={"folder": folder_path(approval), "documents": filed, "certificate": version.document.name,
                      "certificate_sha256": sha},
            )  # fmt: skip
            return version.document
    except BaseException:
        if not Document.objects.filter(versions__file=stored).exists():
            default_storage.delete(stored)
        raise


def _already_there(folder: Folder, name: str, sha256: str) -> bool:
    """The same bytes under the same name in the folder already (offered from the dossier): no new version."""
    document = Document.objects.filter(folder=folder, name__iexact=name, deleted_at=None).select_related("current")
    found = document.first()
    return found is not None and found.current is not None and found.current.sha256 == sha256
