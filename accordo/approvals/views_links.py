"""Temporary-link pages (SPEC §5, §14): no login; the signed token in the URL is the key.

Opening the page counts one open; the documents, the code request and the decision are requests
from that opened page and count none (``links.link_session_check``). An approval link shows what
the portal shows — summary, documents inline, the exact statement — and decides with a one-time
code e-mailed to the recipient. A document link (Standard tier reports) offers one download. An
unknown or tampered token is a 404, a link that no longer works a 410 saying why. Every answer
keeps the token out of referrers, search engines and caches.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from accordo.approvals import links
from accordo.approvals.access_portal import access_link_document
from accordo.approvals.forms_decide import ApproveForm, RejectForm
from accordo.approvals.models import Approval, ApprovalDocument, Decider, TemporaryLink
from accordo.approvals.services import ApprovalStateError
from accordo.approvals.views_portal import amount_summary, shown_documents
from accordo.core.context import ctx_from_request
from accordo.dossier.views.common import first_error, send_version


def private(response: HttpResponseBase) -> HttpResponseBase:
    """The token is in the URL: never sent to another site as a referrer, indexed or kept in a cache.

    ``same-origin``, not ``no-referrer``: with no referrer at all browsers send ``Origin: null`` on
    the page's own form posts, which the CSRF check (rightly) refuses.
    """
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


def masked_email(email: str) -> str:
    """o•••@example.test: enough for the recipient to recognise, not to read off the page."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def _code_label() -> str:
    return _("Code from the e-mail")


def _pending_decider(link: TemporaryLink) -> Decider | None:
    if link.approval_id is None:
        return None
    return Decider.objects.filter(
        approval_id=link.approval_id, user_id=link.recipient_id, decision=Decider.Decision.PENDING
    ).first()


def _check(link: TemporaryLink) -> None:
    """Everything but the open count (LinkDead); a recipient who has decided is done with the link too
    (``links.link_usable_check`` says so)."""
    links.link_session_check(link)


def _dead(request: HttpRequest, reason: str) -> HttpResponseBase:
    return private(render(request, "approvals/links/dead.html", {"reason": reason}, status=410))


def _urls(link: TemporaryLink, token: str) -> dict[str, str]:
    args = [link.public_id, token]
    return {name: reverse(f"links:{name}", args=args) for name in ("open", "code", "approve", "reject", "download")}


def _render(
    request: HttpRequest,
    link: TemporaryLink,
    token: str,
    *,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponseBase:
    context: dict[str, object] = {"link": link, "urls": _urls(link, token), "organisation": link.organisation}
    if link.document is not None:
        context["document"] = link.document
        context["version"] = link.document.current
        return private(render(request, "approvals/links/document.html", context, status=status))
    approval = link.approval
    assert approval is not None  # a link serves an approval or a document (database constraint)
    approval.organisation = link.organisation

    def urls(document: ApprovalDocument) -> tuple[str, str]:
        args = [link.public_id, token, document.public_id]
        return reverse("links:document", args=args), reverse("links:document_download", args=args)

    context.update(
        {
            "approval": approval,
            "amount": amount_summary(approval),
            "documents": shown_documents(approval, urls),
            "can_decide": _pending_decider(link) is not None,
            "approve_form": approve_form or ApproveForm(approval=approval, code_label=_code_label()),
            "reject_form": reject_form or RejectForm(code_label=_code_label()),
            "masked_email": masked_email(link.recipient.email),
            "code_minutes": links.CODE_MINUTES,
            "notice": notice,
            "error": error,
        }
    )
    return private(render(request, "approvals/links/approval.html", context, status=status))


@require_GET
def link_open(request: HttpRequest, public_id: str, token: str) -> HttpResponseBase:
    link = links.link_for_token(public_id, token)
    try:
        _check(link)
        links.link_opened(ctx=ctx_from_request(request), link=link)
    except links.LinkDead as dead:
        return _dead(request, dead.reason)
    return _render(request, link, token)


@require_POST
def link_code(request: HttpRequest, public_id: str, token: str) -> HttpResponseBase:
    """E-mail a fresh one-time code to the recipient; the page comes back without counting an open."""
    link = links.link_for_token(public_id, token)
    if link.approval_id is None:
        raise Http404
    try:
        _check(link)
        links.link_code_send(ctx=ctx_from_request(request), link=link)
    except links.LinkDead as dead:
        return _dead(request, dead.reason)
    except links.CodeRefused as refused:
        return _render(request, link, token, error=refused.messages[0], status=429)
    notice = _("A code was sent to %(email)s. It is valid for %(minutes)d minutes.") % {
        "email": masked_email(link.recipient.email),
        "minutes": links.CODE_MINUTES,
    }
    return _render(request, link, token, notice=notice)


def _decide(request: HttpRequest, public_id: str, token: str, *, approve: bool) -> HttpResponseBase:
    link = links.link_for_token(public_id, token)
    if link.approval is None:
        raise Http404
    try:
        _check(link)
    except links.LinkDead as dead:
        return _dead(request, dead.reason)
    if _pending_decider(link) is None:
        return _render(request, link, token, error=_("You are not asked to decide on this."), status=403)
    approval: Approval = link.approval
    form: ApproveForm | RejectForm
    if approve:
        form = ApproveForm(request.POST, approval=approval, code_label=_code_label())
    else:
        form = RejectForm(request.POST, code_label=_code_label())
    forms = {"approve_form": form} if approve else {"reject_form": form}
    if not form.is_valid():
        return _render(request, link, token, status=400, **forms)  # type: ignore[arg-type]
    try:
        approval = links.link_decide(
            ctx=ctx_from_request(request),
            link=link,
            code=form.cleaned_data["code"],
            approve=approve,
            statement=form.cleaned_data["statement"] if approve else approval.statement,
            reason="" if approve else form.cleaned_data["reason"],
        )
    except links.LinkDead as dead:
        return _dead(request, dead.reason)
    except links.CodeRefused as error:
        form.add_error("code", first_error(error))
        return _render(request, link, token, status=400, **forms)  # type: ignore[arg-type]
    except ApprovalStateError as error:
        return _render(request, link, token, error=first_error(error), status=409)
    except ValidationError as error:
        form.add_error(None, first_error(error))
        return _render(request, link, token, status=400, **forms)  # type: ignore[arg-type]
    except PermissionError:
        return _render(request, link, token, error=_("You are not asked to decide on this."), status=403)
    return private(
        render(
            request,
            "approvals/links/done.html",
            {"approval": approval, "approved": approve, "organisation": link.organisation},
        )
    )


@require_POST
def link_approve(request: HttpRequest, public_id: str, token: str) -> HttpResponseBase:
    return _decide(request, public_id, token, approve=True)


@require_POST
def link_reject(request: HttpRequest, public_id: str, token: str) -> HttpResponseBase:
    return _decide(request, public_id, token, approve=False)


def _document(request: HttpRequest, public_id: str, token: str, document_id: str, *, inline: bool) -> HttpResponseBase:
    link = links.link_for_token(public_id, token)
    document = access_link_document(link, document_id)
    try:
        _check(link)
        links.link_document_viewed(ctx=ctx_from_request(request), link=link, document=document)
    except links.LinkDead as dead:
        return _dead(request, dead.reason)
    return private(send_version(document, inline=inline, name=document.name))


@require_GET
@xframe_options_sameorigin
def link_document(request: HttpRequest, public_id: str, token: str, document_id: str) -> HttpResponseBase:
    """A document of the link's approval, shown in the page's frame."""
    return _document(request, public_id, token, document_id, inline=True)


@require_GET
def link_document_download(request: HttpRequest, public_id: str, token: str, document_id: str) -> HttpResponseBase:
    return _document(request, public_id, token, document_id, inline=False)


@require_GET
def link_download(request: HttpRequest, public_id: str, token: str) -> HttpResponseBase:
    """The current version of a document link's dossier document, as a download."""
    link = links.link_for_token(public_id, token)
    if link.document is None or link.document.current is None:
        raise Http404
    try:
        _check(link)
        links.link_document_downloaded(ctx=ctx_from_request(request), link=link)
    except links.LinkDead as dead:
        return _dead(request, dead.reason)
    return private(send_version(link.document.current, inline=False, name=link.document.name))
