"""The 'filings' consumer of the event log: returns follow their approval and submission.

An offered approval of a return type finds (or creates) its return and links it, "for approval";
the final approval makes it "approved", the submission's "submitted" makes it "submitted". Every
step only moves a return forward and is safe to run again, so the consumer may replay history.
"""

from __future__ import annotations

from accordo.approvals.models import TAX_RETURNS, Approval
from accordo.core.consumers import on_event
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.filings.models import ReturnStatus, TaxReturn
from accordo.filings.services import return_advance, return_link_approval

CTX = RequestContext.system("filings")


def _approval(public_id: str) -> Approval | None:
    if not public_id:
        return None
    return Approval.objects.select_related("organisation").filter(public_id=public_id).first()


@on_event("filings", "approval.offered")
def link_an_offered_return(event: Event) -> None:
    approval = _approval(event.target_id) if event.target_type == "approvals.approval" else None
    if approval is None or approval.type not in TAX_RETURNS or approval.mode != Approval.Mode.APPROVE:
        return
    return_link_approval(ctx=CTX, approval=approval)


def _advance(approval_id: str, status: str, why: str) -> None:
    for tax_return in TaxReturn.objects.filter(approval__public_id=approval_id):
        return_advance(ctx=CTX, tax_return=tax_return, status=status, why=why)


@on_event("filings", "approval.approved")
def follow_an_approval(event: Event) -> None:
    if event.target_type == "approvals.approval" and event.data.get("final"):
        _advance(event.target_id, ReturnStatus.APPROVED, "approval.approved")


@on_event("filings", "submission.submitted")
def follow_a_submission(event: Event) -> None:
    if approval_id := str(event.data.get("approval") or ""):
        _advance(approval_id, ReturnStatus.SUBMITTED, "submission.submitted")
