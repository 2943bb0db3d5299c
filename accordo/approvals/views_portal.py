"""Client pages of approvals: an organisation's approvals, one approval with its documents, decide.

Opening an approval and showing each of its documents are evidence (SPEC §5): the page records
``approval.opened``, every document request ``approval.document_viewed`` with the hash of the
bytes sent. Only a pending decider sees the decision forms; approving posts back the exact
statement shown and, when the user has TOTP, a fresh code (step-up, see ``stepup``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from accordo.approvals import services
from accordo.approvals.access_portal import access_client_approval, access_client_approval_document
from accordo.approvals.forms_decide import ApproveForm, RejectForm
from accordo.approvals.models import Approval, ApprovalDocument, Decider
from accordo.approvals.selectors_portal import approvals_of
from accordo.approvals.services import ApprovalStateError
from accordo.approvals.stepup import StepUp, step_up_for, step_up_verify
from accordo.clients.access import access_client_organisation
from accordo.clients.models import Membership
from accordo.clients.selectors import firm_for_request, memberships_of
from accordo.core.access import AuthedRequest, login_required
from accordo.core.context import ctx_from_request
from accordo.dossier.views.common import INLINE_MIMES, first_error, send_version

PAGE_SIZE = 50


@require_GET
@login_required
def approvals_page(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Every approval of one organisation; any member may look."""
    organisation, membership = access_client_organisation(request.user, public_id)
    page = Paginator(approvals_of(organisation, request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "approvals/portal/approvals.html",
        {
            "organisation": organisation,
            "membership": membership,
            "memberships": list(memberships_of(request.user)),
            "page": page,
        },
    )


def amount_summary(approval: Approval) -> tuple[str, object] | None:
    """("Amount to pay" or "Amount to receive", the positive amount), or None without an amount."""
    if approval.amount is None:
        return None
    if approval.amount < 0:
        return _("Amount to receive"), -approval.amount
    return _("Amount to pay"), approval.amount


class ShownDocument(NamedTuple):
    """A document of the approval page with where to show it inline and where to download it."""

    document: ApprovalDocument
    view_url: str
    download_url: str
    inline: bool


def shown_documents(approval: Approval, urls: Callable[[ApprovalDocument], tuple[str, str]]) -> list[ShownDocument]:
    shown = []
    for document in approval.documents.all():
        view_url, download_url = urls(document)
        shown.append(ShownDocument(document, view_url, download_url, document.mime in INLINE_MIMES))
    return shown


def _portal_urls(document: ApprovalDocument) -> tuple[str, str]:
    return (
        reverse("approvals_portal:document", args=[document.public_id]),
        reverse("approvals_portal:document_download", args=[document.public_id]),
    )


def code_label(step_up: StepUp) -> str | None:
    return _("Code from your authenticator app (or a recovery code)") if step_up.has_totp else None


def _render(
    request: AuthedRequest,
    approval: Approval,
    membership: Membership,
    *,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    deciders = list(approval.deciders.select_related("user").order_by("id"))
    mine = next((d for d in deciders if d.user_id == request.user.pk), None)
    can_decide = (
        approval.status == Approval.Status.OFFERED
        and mine is not None
        and mine.decision == Decider.Decision.PENDING
        and membership.can_decide
    )
    step_up = step_up_for(request.user, firm_for_request(request))
    return render(
        request,
        "approvals/portal/approval.html",
        {
            "organisation": approval.organisation,
            "membership": membership,
            "memberships": list(memberships_of(request.user)),
            "approval": approval,
            "amount": amount_summary(approval),
            "documents": shown_documents(approval, _portal_urls),
            "deciders": deciders,
            "mine": mine,
            "can_decide": can_decide,
            "step_up": step_up,
            "newer": Approval.objects.filter(supersedes=approval).only("public_id").first(),
            "approve_form": approve_form or ApproveForm(approval=approval, code_label=code_label(step_up)),
            "reject_form": reject_form or RejectForm(),
            "error": error,
        },
        status=status,
    )


@require_GET
@login_required
def approval_page(request: AuthedRequest, public_id: str) -> HttpResponse:
    approval, membership = access_client_approval(request.user, public_id)
    services.approval_opened(actor=request.user, ctx=ctx_from_request(request), approval=approval)
    return _render(request, approval, membership)


def _refusal(request: AuthedRequest, approval: Approval, membership: Membership) -> HttpResponse | None:
    """A clear answer, before anything is checked or used up, when this person cannot decide now."""
    mine = Decider.objects.filter(approval=approval, user=request.user).first()
    if mine is None or not membership.can_decide:
        return _render(request, approval, membership, error=_("You are not asked to decide on this."), status=403)
    if approval.status != Approval.Status.OFFERED or mine.decision != Decider.Decision.PENDING:
        error = _("This approval has already been decided or is no longer open.")
        return _render(request, approval, membership, error=error, status=409)
    return None


def _decided(request: AuthedRequest, approval: Approval, approve: bool) -> HttpResponse:
    if not approve:
        messages.success(request, _("Your rejection and its reason were sent to the firm."))
    elif approval.mode == Approval.Mode.READ:
        messages.success(request, _("Thank you: you confirmed that you have read the documents."))
    else:
        messages.success(request, _("Thank you: your approval is recorded."))
    return redirect("approvals_portal:approval", approval.public_id)


@require_POST
@login_required
def approval_approve(request: AuthedRequest, public_id: str) -> HttpResponse:
    approval, membership = access_client_approval(request.user, public_id)
    refused = _refusal(request, approval, membership)
    if refused is not None:
        return refused
    step_up = step_up_for(request.user, firm_for_request(request))
    form = ApproveForm(request.POST, approval=approval, code_label=code_label(step_up))
    if not form.is_valid():
        return _render(request, approval, membership, approve_form=form, status=400)
    passed = False
    if step_up.has_totp:
        problem = step_up_verify(request, request.user, form.cleaned_data["code"])
        if problem is not None:
            form.add_error("code", problem)
            return _render(request, approval, membership, approve_form=form, status=400)
        passed = True
    try:
        approval = services.approval_decide(
            actor=request.user,
            ctx=dataclasses.replace(ctx_from_request(request), mfa_passed=passed),
            approval=approval,
            approve=True,
            statement=form.cleaned_data["statement"],
            mfa_required=step_up.required,
        )
    except ApprovalStateError as error:
        return _render(request, approval, membership, error=first_error(error), status=409)
    except ValidationError as error:
        if step_up.blocked:  # no approve form on the page: say it above
            return _render(request, approval, membership, error=first_error(error), status=400)
        form.add_error(None, first_error(error))
        return _render(request, approval, membership, approve_form=form, status=400)
    return _decided(request, approval, approve=True)


@require_POST
@login_required
def approval_reject(request: AuthedRequest, public_id: str) -> HttpResponse:
    approval, membership = access_client_approval(request.user, public_id)
    refused = _refusal(request, approval, membership)
    if refused is not None:
        return refused
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _render(request, approval, membership, reject_form=form, status=400)
    try:
        approval = services.approval_decide(
            actor=request.user,
            ctx=dataclasses.replace(ctx_from_request(request), mfa_passed=False),
            approval=approval,
            approve=False,
            statement=approval.statement,
            reason=form.cleaned_data["reason"],
        )
    except ApprovalStateError as error:
        return _render(request, approval, membership, error=first_error(error), status=409)
    except ValidationError as error:
        form.add_error(None, first_error(error))
        return _render(request, approval, membership, reject_form=form, status=400)
    return _decided(request, approval, approve=False)


@require_GET
@login_required
@xframe_options_sameorigin
def document_view(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    """A document shown inside the approval page (PDFs and pictures inline, anything else downloads)."""
    document = access_client_approval_document(request.user, public_id)
    services.approval_document_viewed(actor=request.user, ctx=ctx_from_request(request), document=document)
    return send_version(document, inline=True, name=document.name)


@require_GET
@login_required
def document_download(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    document = access_client_approval_document(request.user, public_id)
    services.approval_document_viewed(actor=request.user, ctx=ctx_from_request(request), document=document)
    return send_version(document, inline=False, name=document.name)
