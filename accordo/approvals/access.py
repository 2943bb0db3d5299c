"""Object access checks of approvals: missing and forbidden both raise Http404 (STYLE.md rule 1).

Staff see every approval, its documents, temporary links and submission.
"""

from __future__ import annotations

import uuid

from django.http import Http404

from accordo.accounts.models import User
from accordo.approvals.models import Approval, ApprovalDocument, Submission, TemporaryLink
from accordo.core.access import public_id_or_404


def _staff(user: User) -> None:
    if not user.is_authenticated or not user.is_firm_staff:
        raise Http404


def access_staff_approval(user: User, public_id: uuid.UUID | str) -> Approval:
    """Any approval, for firm staff."""
    _staff(user)
    approval = (
        Approval.objects.select_related("organisation", "offered_by", "certificate", "supersedes")
        .filter(public_id=public_id_or_404(public_id))
        .first()
    )
    if approval is None:
        raise Http404
    return approval


def access_staff_approval_document(user: User, public_id: uuid.UUID | str) -> ApprovalDocument:
    """A document of any approval, for firm staff."""
    _staff(user)
    document = ApprovalDocument.objects.select_related("approval").filter(public_id=public_id_or_404(public_id)).first()
    if document is None:
        raise Http404
    return document


def access_staff_link(user: User, public_id: uuid.UUID | str) -> TemporaryLink:
    """Any temporary link, for firm staff."""
    _staff(user)
    link = (
        TemporaryLink.objects.select_related("organisation", "recipient", "approval")
        .filter(public_id=public_id_or_404(public_id))
        .first()
    )
    if link is None:
        raise Http404
    return link


def access_staff_submission(user: User, public_id: uuid.UUID | str) -> Submission:
    """Any entry of the submission outbox, for firm staff."""
    _staff(user)
    submission = (
        Submission.objects.select_related("organisation", "approval")
        .filter(public_id=public_id_or_404(public_id))
        .first()
    )
    if submission is None:
        raise Http404
    return submission
