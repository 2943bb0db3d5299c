"""Staff pages of approvals: offer and re-offer, one approval with its evidence, the overview of all."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.http import HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accordo.approvals import links, services
from accordo.approvals.access import (
    access_staff_approval,
    access_staff_approval_document,
    access_staff_link,
)
from accordo.approvals.forms import BulkForm, OfferForm, WithdrawForm, offer_initial
from accordo.approvals.models import Approval, TemporaryLink
from accordo.approvals.selectors import (
    PDF,
    approval_deciders,
    approval_events,
    approval_links,
    deciding_memberships,
    dossier_pdfs,
    submission_of,
)
from accordo.approvals.services import ApprovalStateError, OfferedFile
from accordo.clients.access import access_staff_organisation
from accordo.clients.models import Organisation
from accordo.core.access import AuthedRequest, staff_required
from accordo.core.context import ctx_from_request
from accordo.dossier.fileproc import safe_filename
from accordo.dossier.uploads import HashedUpload
from accordo.dossier.views.common import first_error, received_files, send_version

BULK_MAX = 200


def _back(approval: Approval) -> HttpResponse:
    return redirect("approvals_staff:approval", approval.public_id)


def _uploads(request: AuthedRequest) -> tuple[list[HashedUpload], str, int]:
    """The uploaded PDFs of an offer (none is fine: PDFs may come from the dossier), or why not."""
    if not request.FILES and getattr(request, "upload_rejected", None) is None:
        return [], "", 200
    files, refused = received_files(request)
    if refused is not None:
        return [], refused.content.decode(), refused.status_code
    for upload in files:
        if upload.sniffed_mime != PDF:
            for each in files:
                each.close()
            message = _("“%(name)s” is not a PDF. Only PDF files can be offered for approval.") % {
                "name": safe_filename(upload.name or "")
            }
            return [], message, 400
    return files, "", 200


def _offer(request: AuthedRequest, organisation: Organisation, form: OfferForm, uploads: list[HashedUpload],
           supersedes: Approval | None) -> Approval:  # fmt: skip
    """Call the offer service with the uploads and the picked dossier versions, as they are stored."""
    offered = [
        OfferedFile(file=u, name=u.name or "document.pdf", size=u.size or 0, mime=u.sniffed_mime, sha256=u.sha256)
        for u in uploads
    ]
    opened: list[File[bytes]] = []
    try:
        for document in form.chosen_documents():
            version = document.current
            assert version is not None  # only documents with a current PDF are choices
            version.file.open("rb")
            opened.append(version.file)
            offered.append(OfferedFile(version.file, document.name, version.size, version.mime, version.sha256))
        data = form.cleaned_data
        return services.approval_offer(
            actor=request.user,
            ctx=ctx_from_request(request),
            organisation=organisation,
            type=data["type"],
            period=data["period"],
            title=data["title"],
            documents=offered,
            deciders=form.chosen_deciders(),
            mode=data["mode"],
            rule=data["rule"],
            amount=data["amount"],
            notes=data["notes"],
            due_date=data["due_date"],
            supersedes=supersedes,
        )
    finally:
        for file in opened:
            file.close()


def _offer_page(request: AuthedRequest, organisation: Organisation, *, supersedes: Approval | None = None,
                like: Approval | None = None) -> HttpResponse:  # fmt: skip
    """The offer form (a new offer, or a new version of ``supersedes``); nothing is stored on bad input."""
    memberships = deciding_memberships(organisation)
    earlier = supersedes or like
    form = OfferForm(
        request.POST if request.method == "POST" else None,
        memberships=memberships,
        documents=dossier_pdfs(organisation),
        initial=offer_initial(earlier, memberships) if earlier is not None else None,
    )
    status = 200
    if request.method == "POST":
        uploads, refusal, status = _uploads(request)
        try:
            if refusal:
                form.add_error(None, refusal)
            elif form.is_valid():
                if not uploads and not form.cleaned_data["documents"]:
                    form.add_error(None, _("Add at least one PDF: upload it or pick it from the dossier."))
                else:
                    approval = _offer(request, organisation, form, uploads, supersedes)
                    messages.success(request, _("Offered for approval."))
                    return _back(approval)
        except ValidationError as error:
            form.add_error(None, first_error(error))
        finally:
            for upload in uploads:
                upload.close()
        status = status if refusal else 400
    return render(
        request,
        "approvals/staff/offer.html",
        {"form": form, "organisation": organisation, "supersedes": supersedes, "memberships": memberships},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def offer(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Offer documents of an organisation for approval; ``?like=<approval>`` fills the form from an earlier one."""
    organisation = access_staff_organisation(request.user, public_id)
    like = None
    if request.GET.get("like"):
        like = access_staff_approval(request.user, request.GET["like"])
        if like.organisation_id != organisation.pk:
            like = None
    return _offer_page(request, organisation, like=like)


@require_http_methods(["GET", "POST"])
@staff_required
def reoffer(request: AuthedRequest, public_id: str) -> HttpResponse:
    """A new version of a waiting approval: new files, the old offer kept and marked superseded."""
    approval = access_staff_approval(request.user, public_id)
    if approval.status != Approval.Status.OFFERED:
        messages.error(request, _("Only an approval that is still waiting can get a new version."))
        return _back(approval)
    return _offer_page(request, approval.organisation, supersedes=approval)


@require_GET
@staff_required
def approval_page(request: AuthedRequest, public_id: str) -> HttpResponse:
    approval = access_staff_approval(request.user, public_id)
    temporary = approval_links(approval)
    rows: list[tuple[TemporaryLink, str]] = []
    for link in temporary:
        link.approval = approval
        try:
            links.link_usable_check(link)
            rows.append((link, ""))
        except links.LinkDead as dead:
            rows.append((link, dead.reason))
    submission = submission_of(approval)
    events = approval_events(approval, temporary, submission)
    for event in events:
        to = event.data.get("to")
        event.shown_to = ", ".join(to) if isinstance(to, list) else (to or "")  # type: ignore[attr-defined]
    return render(
        request,
        "approvals/staff/approval.html",
        {
            "approval": approval,
            "organisation": approval.organisation,
            "documents": list(approval.documents.all()),
            "deciders": approval_deciders(approval),
            "links": rows,
            "submission": submission,
            "superseded_by": Approval.objects.filter(supersedes=approval).only("public_id").first(),
            "events": events,
            "withdraw_form": WithdrawForm(),
        },
    )


@require_GET
@staff_required
@xframe_options_sameorigin
def document_file(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    """A document of an approval exactly as offered: inline (``?inline=1``) or as a download."""
    document = access_staff_approval_document(request.user, public_id)
    return send_version(document, inline=request.GET.get("inline") == "1", name=document.name)


@require_POST
@staff_required
def remind(request: AuthedRequest, public_id: str) -> HttpResponse:
    approval = access_staff_approval(request.user, public_id)
    try:
        services.approval_remind(actor=request.user, ctx=ctx_from_request(request), approval=approval)
    except ValidationError as error:
        messages.error(request, first_error(error))
    else:
        messages.success(request, _("A reminder goes out to everyone who has not decided yet."))
    return _back(approval)


@require_POST
@staff_required
def withdraw(request: AuthedRequest, public_id: str) -> HttpResponse:
    approval = access_staff_approval(request.user, public_id)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(form.errors["reason"][0]))
        return _back(approval)
    try:
        services.approval_withdraw(
            actor=request.user, ctx=ctx_from_request(request), approval=approval, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, first_error(error))
    else:
        messages.success(request, _("The approval was withdrawn."))
    return _back(approval)


@require_POST
@staff_required
def link_revoke(request: AuthedRequest, public_id: str) -> HttpResponse:
    link = access_staff_link(request.user, public_id)
    try:
        links.link_revoke(actor=request.user, ctx=ctx_from_request(request), link=link)
    except ValidationError as error:
        messages.error(request, first_error(error))
    else:
        messages.success(request, _("The temporary link no longer works."))
    if link.approval is not None:
        return _back(link.approval)
    if link.document is not None:
        return redirect("dossier:staff_document", link.document.public_id)
    return redirect("staff:organisation_detail", link.organisation.public_id)


@require_POST
@staff_required
def bulk(request: AuthedRequest) -> HttpResponse:
    """Remind or withdraw the approvals chosen on the overview; those no longer waiting are skipped."""
    form = BulkForm(request.POST)
    filters = QueryDict(request.POST.get("filters", "")).urlencode()  # re-encoded: only a query string
    back = redirect(reverse("approvals_staff:overview") + (f"?{filters}" if filters else ""))
    chosen = [access_staff_approval(request.user, p) for p in request.POST.getlist("approval")[:BULK_MAX]]
    if not form.is_valid() or not chosen:
        messages.error(request, _("Choose at least one approval and an action."))
        return back
    reason = form.cleaned_data["reason"].strip()
    withdrawing = form.cleaned_data["action"] == "withdraw"
    if withdrawing and not reason:
        messages.error(request, _("Give the reason for withdrawing."))
        return back
    ctx = ctx_from_request(request)
    done = skipped = 0
    for approval in chosen:
        try:
            if withdrawing:
                services.approval_withdraw(actor=request.user, ctx=ctx, approval=approval, reason=reason)
            else:
                services.approval_remind(actor=request.user, ctx=ctx, approval=approval)
            done += 1
        except ApprovalStateError:
            skipped += 1
    if withdrawing:
        text = ngettext("%(count)d approval withdrawn.", "%(count)d approvals withdrawn.", done)
    else:
        text = ngettext("%(count)d reminder sent.", "%(count)d reminders sent.", done)
    messages.success(request, text % {"count": done})
    if skipped:
        messages.warning(
            request,
            ngettext("%(count)d was skipped: no longer waiting.", "%(count)d were skipped: no longer waiting.", skipped)
            % {"count": skipped},
        )
    return back
