"""Object access checks of approvals for client users and temporary links (STYLE.md rule 1).

A client user reaches an approval, and its documents, only through a portal membership of the
approval's organisation (the Collaborate extended tier); every member may look, only the deciders
decide (the services check that). A temporary link reaches only its own approval's documents.
Missing and forbidden both raise Http404.
"""

from __future__ import annotations

import uuid

from django.http import Http404

from accordo.accounts.models import User
from accordo.approvals.models import Approval, ApprovalDocument, TemporaryLink
from accordo.clients.models import Membership
from accordo.core.access import public_id_or_404


def _portal_membership(user: User, organisation_id: int) -> Membership:
    membership = Membership.objects.portal().filter(user=user, organisation_id=organisation_id).first()
    if membership is None:
        raise Http404
    return membership


def access_client_approval(user: User, public_id: uuid.UUID | str) -> tuple[Approval, Membership]:
    """An approval of an organisation the user has a portal membership of, with that membership."""
    if not user.is_authenticated:
        raise Http404
    approval = Approval.objects.select_related("organisation").filter(public_id=public_id_or_404(public_id)).first()
    if approval is None:
        raise Http404
    return approval, _portal_membership(user, approval.organisation_id)


def access_client_approval_document(user: User, public_id: uuid.UUID | str) -> ApprovalDocument:
    """A document of an approval the user may see (as ``access_client_approval``)."""
    if not user.is_authenticated:
        raise Http404
    document = (
        ApprovalDocument.objects.select_related("approval", "approval__organisation")
        .filter(public_id=public_id_or_404(public_id))
        .first()
    )
    if document is None:
        raise Http404
    _portal_membership(user, document.approval.organisation_id)
    return document


def access_link_document(link: TemporaryLink, public_id: uuid.UUID | str) -> ApprovalDocument:
    """A document of the link's own approval; any other document (or a document link) is not found."""
    if link.approval_id is None:
        raise Http404
    document = ApprovalDocument.objects.filter(
        public_id=public_id_or_404(public_id), approval_id=link.approval_id
    ).first()
    if document is None:
        raise Http404
    document.approval = link.approval  # type: ignore[assignment]  # already loaded with the link
    return document
