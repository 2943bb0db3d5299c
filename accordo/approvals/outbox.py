"""The submission outbox (SPEC §15): approved returns to submit to the tax office and publication
documents to file at the Chamber of Commerce, worked through by staff (and later the API and the
firm's tax software), each status an event."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accordo.accounts.models import User
from accordo.approvals.models import Submission
from accordo.approvals.services import ApprovalStateError
from accordo.core.context import RequestContext
from accordo.core.events import event_record

S = Submission.Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.READY: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.ACCEPTED, S.REJECTED}),
    S.REJECTED: frozenset({S.READY}),
    S.ACCEPTED: frozenset(),
}
VERBS: dict[str, str] = {
    S.READY: "submission.ready",
    S.SUBMITTED: "submission.submitted",
    S.ACCEPTED: "submission.accepted",
    S.REJECTED: "submission.rejected",
}


@transaction.atomic
def submission_advance(
    *, actor: User, ctx: RequestContext, submission: Submission, status: str, reference: str = "", note: str = ""
) -> Submission:
    """Move a submission one step; the current status is read under a row lock and checked."""
    if not actor.is_firm_staff:
        raise PermissionError("only firm staff work the outbox")
    current = Submission.objects.select_for_update().get(pk=submission.pk)
    if status not in TRANSITIONS.get(current.status, frozenset()):
        raise ApprovalStateError(
            _("A submission that is “%(current)s” cannot become “%(status)s”.")
            % {"current": S(current.status).label, "status": S(status).label if status in S.values else status},
            code="state",
        )
    note = note.strip()[:4000]
    reference = reference.strip()[:100]
    if status == S.REJECTED and not note:
        raise ValidationError(_("Say why the submission was rejected."), code="note")
    now = timezone.now()
    changes: dict[str, object] = {"status": status, "updated_at": now}
    if status == S.SUBMITTED:
        changes.update(submitted_at=now, reference=reference or current.reference)
    elif status in (S.ACCEPTED, S.REJECTED):
        changes.update(answered_at=now, note=note)
    previous = current.status
    Submission.objects.filter(pk=current.pk).update(**changes)
    current.refresh_from_db()
    event_record(
        actor=actor, ctx=ctx, verb=VERBS[status], target=current, organisation=submission.organisation,
        data={"from": previous, "reference": current.reference, "note": note,
              "approval": str(current.approval.public_id)},
    )  # fmt: skip
    return current
