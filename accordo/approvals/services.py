"""Writes of approvals: offer, open, view a document, decide, withdraw, re-offer. Each is evidence.

Every event of an approval carries the SHA-256 of each document as offered, and decisions carry
the exact statement agreed to and whether the person passed 2FA (the request context says so).
A decided approval never changes: every transition checks the current status in the database.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accordo.accounts.models import User
from accordo.approvals.models import (
    PUBLICATION_TYPES,
    TAX_RETURNS,
    Approval,
    ApprovalDocument,
    ApprovalType,
    Decider,
    Reminder,
    Submission,
)
from accordo.clients.models import MemberRole, Membership, Organisation, Tier
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.dossier.fileproc import safe_filename
from accordo.work.models import ReminderSchedule
from accordo.work.services_reminders import (
    APPROVAL_DEFAULT,
    Rules,
    SweepResult,
    batches,
    candidate_due_dates,
    due_point,
    latest_point,
    schedule_rules,
)

DECIDING_ROLES = (MemberRole.OWNER, MemberRole.APPROVER)


class ApprovalStateError(ValidationError):
    """The approval (or this person's part in it) was decided, withdrawn or superseded already."""


@dataclass(frozen=True)
class OfferedFile:
    """A document to offer: its bytes (a Django File), name, size, type and SHA-256."""

    file: File[bytes]
    name: str
    size: int
    mime: str
    sha256: str


def statement_for(approval: Approval, documents: list[OfferedFile]) -> str:
    """The exact sentence a decider agrees to, in the firm's language, naming every document."""
    with translation.override(settings.LANGUAGE_CODE):
        names = "; ".join(f"{d.name} (SHA-256 {d.sha256})" for d in documents)
        what = ApprovalType(approval.type).label
        if approval.mode == Approval.Mode.READ:
            return _(
                "I confirm that I have read the following documents of %(organisation)s for %(what)s %(period)s: "
                "%(documents)s."
            ) % {
                "organisation": approval.organisation.name,
                "what": what,
                "period": approval.period,
                "documents": names,
            }
        return _(
            "On behalf of %(organisation)s I approve %(what)s %(period)s as set out in the following documents, "
            "and I confirm that they are complete and correct to the best of my knowledge: %(documents)s."
        ) % {"organisation": approval.organisation.name, "what": what, "period": approval.period, "documents": names}


def _documents_data(approval: Approval) -> list[dict[str, Any]]:
    return [{"name": d.name, "sha256": d.sha256, "size": d.size} for d in approval.documents.all()]


def approval_offer(
    *,
    actor: User,
    ctx: RequestContext,
    organisation: Organisation,
    type: str,
    period: str,
    title: str,
    documents: list[OfferedFile],
    deciders: list[User],
    mode: str = Approval.Mode.APPROVE,
    rule: str = Approval.Rule.ANY,
    amount: Decimal | None = None,
    notes: str = "",
    due_date: datetime.date | None = None,
    supersedes: Approval | None = None,
) -> Approval:
    """Offer documents to an organisation's owners/approvers (staff). Files are stored first."""
    if not actor.is_firm_staff:
        raise PermissionError("only firm staff offer approvals")
    if organisation.tier == Tier.STANDARD:
        raise ValidationError(
            _(
                "%(organisation)s is on the Standard service tier, which has no approvals. "
                "Change its tier to Collaborate or Collaborate extended first."
            )
            % {"organisation": organisation.name},
            code="tier",
        )
    if not documents:
        raise ValidationError(_("Add at least one document."), code="documents")
    if not deciders:
        raise ValidationError(_("Choose who decides."), code="deciders")
    allowed = set(
        Membership.objects.filter(organisation=organisation, role__in=DECIDING_ROLES).values_list("user_id", flat=True)
    )
    if any(user.pk not in allowed for user in deciders):
        raise ValidationError(_("Only owners and approvers of this client can decide."), code="deciders")
    stored: list[str] = []
    try:
        names = [default_storage.save(f"approvals/{organisation.public_id}/{d.sha256[:16]}", d.file) for d in documents]
        stored = names
        with transaction.atomic():
            approval = Approval(
                organisation=organisation,
                type=type,
                period=period.strip()[:20],
                title=title.strip()[:200],
                amount=amount,
                notes=notes.strip(),
                due_date=due_date,
                mode=mode,
                rule=rule,
                offered_by=actor,
                supersedes=supersedes,
            )
            approval.statement = statement_for(approval, documents)
            approval.save()
            if supersedes is not None:
                updated = Approval.objects.filter(pk=supersedes.pk, status=Approval.Status.OFFERED).update(
                    status=Approval.Status.SUPERSEDED, updated_at=timezone.now()
                )
                if not updated:
                    raise ApprovalStateError(_("Only an approval that is still waiting can get a new version."))
                event_record(
                    actor=actor, ctx=ctx, verb="approval.superseded", target=supersedes, organisation=organisation,
                    data={"by": str(approval.public_id)},
                )  # fmt: skip
            ApprovalDocument.objects.bulk_create(
                [
                    ApprovalDocument(
                        approval=approval,
                        position=i,
                        name=safe_filename(d.name),
                        file=name,
                        size=d.size,
                        mime=d.mime,
                        sha256=d.sha256,
                    )
                    for i, (d, name) in enumerate(zip(documents, names, strict=True))
                ]
            )
            Decider.objects.bulk_create([Decider(approval=approval, user=user) for user in deciders])
            event_record(
                actor=actor,
                ctx=ctx,
                verb="approval.offered",
                target=approval,
                organisation=organisation,
                data={
                    "type": approval.type,
                    "period": approval.period,
                    "mode": approval.mode,
                    "rule": approval.rule,
                    "due_date": due_date.isoformat() if due_date else None,
                    "deciders": [u.email for u in deciders],
                    "documents": _documents_data(approval),
                    "statement": approval.statement,
                    "supersedes": str(supersedes.public_id) if supersedes else None,
                },
            )
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return approval


def _decider(approval: Approval, user: User) -> Decider:
    decider = Decider.objects.filter(approval=approval, user=user).first()
    if decider is None:
        raise PermissionError("this person does not decide on this approval")
    return decider


@transaction.atomic
def approval_opened(*, actor: User, ctx: RequestContext, approval: Approval) -> None:
    """A decider (or member) opened the approval: evidence of what was put before them."""
    event_record(
        actor=actor, ctx=ctx, verb="approval.opened", target=approval, organisation=approval.organisation,
        data={"documents": _documents_data(approval)},
    )  # fmt: skip


@transaction.atomic
def approval_document_viewed(*, actor: User, ctx: RequestContext, document: ApprovalDocument) -> None:
    """A document of an approval was shown; the hash is of the bytes as stored and sent."""
    approval = document.approval
    event_record(
        actor=actor, ctx=ctx, verb="approval.document_viewed", target=approval, organisation=approval.organisation,
        data={"name": document.name, "sha256": document.sha256},
    )  # fmt: skip


@transaction.atomic
def approval_decide(
    *,
    actor: User,
    ctx: RequestContext,
    approval: Approval,
    approve: bool,
    statement: str,
    reason: str = "",
    mfa_required: bool = False,
    via: dict[str, Any] | None = None,
) -> Approval:
    """Record one person's decision; "any one": the first decision settles it, "all": every one must.

    ``statement`` is what the person saw and agreed to; it must be the offer's exact statement.
    The approval row is locked first, so two decisions at once are taken one after the other and
    a decided approval can never be decided again.
    """
    approval = Approval.objects.select_for_update().select_related("organisation").get(pk=approval.pk)
    decider = _decider(approval, actor)
    if approval.status != Approval.Status.OFFERED or decider.decision != Decider.Decision.PENDING:
        raise ApprovalStateError(_("This approval has already been decided or is no longer open."), code="state")
    if approve and statement != approval.statement:
        raise ValidationError(_("The statement you agreed to is not the one of this offer. Reload the page."))
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError(_("Give the reason for rejecting."), code="reason")
    if approve and mfa_required and not ctx.mfa_passed:
        raise ValidationError(_("Confirm with your second factor before approving."), code="mfa")
    now = timezone.now()
    decision = Decider.Decision.APPROVED if approve else Decider.Decision.REJECTED
    Decider.objects.filter(pk=decider.pk, decision=Decider.Decision.PENDING).update(
        decision=decision, decided_at=now, reason=reason[:4000]
    )
    pending = Decider.objects.filter(approval=approval, decision=Decider.Decision.PENDING).exists()
    final = (not approve) or approval.rule == Approval.Rule.ANY or not pending
    if final:
        status = Approval.Status.APPROVED if approve else Approval.Status.REJECTED
        Approval.objects.filter(pk=approval.pk, status=Approval.Status.OFFERED).update(
            status=status, decided_at=now, updated_at=now
        )
        approval.status, approval.decided_at = status, now
    event_record(
        actor=actor,
        ctx=ctx,
        verb="approval.approved" if approve else "approval.rejected",
        target=approval,
        organisation=approval.organisation,
        data={
            "statement": approval.statement if approve else "",
            "reason": reason[:4000],
            "documents": _documents_data(approval),
            "final": final,
            "decided_on": date_format(timezone.localtime(now), "DATETIME_FORMAT"),
            **(via or {}),
        },
    )
    if final and approve:
        _submission_ready(actor=actor, ctx=ctx, approval=approval)
    return approval


def _submission_ready(*, actor: User, ctx: RequestContext, approval: Approval) -> None:
    """A final approval of a tax return or of publication documents enters the submission outbox."""
    if approval.mode != Approval.Mode.APPROVE:
        return
    if approval.type in TAX_RETURNS:
        channel = Submission.Channel.TAX_OFFICE
    elif approval.type in PUBLICATION_TYPES:
        channel = Submission.Channel.KVK
    else:
        return
    submission = Submission.objects.create(approval=approval, organisation=approval.organisation, channel=channel)
    event_record(
        actor=actor, ctx=ctx, verb="submission.ready", target=submission, organisation=approval.organisation,
        data={"approval": str(approval.public_id), "channel": channel, "type": approval.type,
              "period": approval.period},
    )  # fmt: skip


@transaction.atomic
def approval_withdraw(*, actor: User, ctx: RequestContext, approval: Approval, reason: str = "") -> None:
    """Staff take back an offer that is still waiting; the documents and history stay."""
    if not actor.is_firm_staff:
        raise PermissionError("only firm staff withdraw approvals")
    updated = Approval.objects.filter(pk=approval.pk, status=Approval.Status.OFFERED).update(
        status=Approval.Status.WITHDRAWN, updated_at=timezone.now()
    )
    if not updated:
        raise ApprovalStateError(_("This approval has already been decided or is no longer open."), code="state")
    event_record(
        actor=actor, ctx=ctx, verb="approval.withdrawn", target=approval, organisation=approval.organisation,
        data={"reason": reason.strip()[:4000]},
    )  # fmt: skip


@transaction.atomic
def approval_remind(*, actor: User | None, ctx: RequestContext, approval: Approval, key: str = "") -> bool:
    """Record a reminder (staff's, or the schedule's ``key``); the worker mails the pending deciders.

    A scheduled key is sent once only: False when it was sent already.
    """
    if actor is not None and not actor.is_firm_staff:
        raise PermissionError("only firm staff remind")
    approval = Approval.objects.select_for_update().select_related("organisation").get(pk=approval.pk)
    if approval.status != Approval.Status.OFFERED:
        raise ApprovalStateError(_("This approval has already been decided or is no longer open."), code="state")
    if not key:
        key = f"manual-{Reminder.objects.filter(approval=approval, key__startswith='manual-').count() + 1}"
    elif Reminder.objects.filter(approval=approval, key=key).exists():
        return False
    Reminder.objects.create(approval=approval, key=key)
    pending = list(
        Decider.objects.filter(approval=approval, decision=Decider.Decision.PENDING).values_list(
            "user__email", flat=True
        )
    )
    event_record(
        actor=actor, ctx=ctx, verb="approval.reminded", target=approval, organisation=approval.organisation,
        data={"key": key, "to": pending, "due_date": approval.due_date.isoformat() if approval.due_date else None},
    )  # fmt: skip
    return True


def reminder_key(approval: Approval, today: datetime.date, rules: Rules = APPROVAL_DEFAULT) -> str:
    """The schedule's latest reminder on or before ``today`` (by default 3 days before the due date,
    the day after it, then every 7 days), as ``before-<days>`` or ``after-<days>``. Empty when none
    is due (no due date, too early, or the point came before the offer itself)."""
    if approval.due_date is None:
        return ""
    point = latest_point(rules, approval.due_date, today)
    if point is None or timezone.localtime(approval.created_at).date() >= point.date:
        return ""
    return f"before-{-point.days}" if point.kind == "before" else f"after-{point.days}"


def approvals_remind_due(*, today: datetime.date | None = None) -> int:
    """The scheduled approval reminders due ``today``, sent once each: how many went out."""
    return approvals_remind_scheduled(today=today).sent


def approvals_remind_scheduled(*, today: datetime.date | None = None) -> SweepResult:
    """The periodic sweep on the firm's "approval" schedule (none when it is switched off): every
    waiting approval whose reminder is due gets it once. Reads only approvals whose due date has a
    point today (or on the missed day before), see accordo.work.services_reminders."""
    today = today or timezone.localdate()
    result = SweepResult()
    rules = schedule_rules(ReminderSchedule.Kind.APPROVAL)
    if rules is None:
        return result
    waiting = list(
        Approval.objects.filter(status=Approval.Status.OFFERED, due_date__in=candidate_due_dates(rules, today))
    )
    result.candidates = len(waiting)
    keys: dict[int, str] = {}
    for approval in waiting:
        assert approval.due_date is not None
        if due_point(rules, approval.due_date, today, approval.created_at) is not None:
            keys[approval.pk] = reminder_key(approval, today, rules)
    sent = set(
        Reminder.objects.filter(approval_id__in=list(keys)).values_list("approval_id", "key")
    ) if keys else set()  # fmt: skip
    for batch in batches([a for a in waiting if keys.get(a.pk) and (a.pk, keys[a.pk]) not in sent]):
        with transaction.atomic():
            for approval in batch:
                try:
                    if approval_remind(actor=None, ctx=RequestContext.system("reminders"), approval=approval,
                                       key=keys[approval.pk]):  # fmt: skip
                        result.sent += 1
                except ApprovalStateError:
                    continue  # decided or withdrawn since it was read
    return result


def approvals_expire(*, today: datetime.date | None = None) -> int:
    """The periodic sweep: waiting approvals past their due date by the firm's days expire."""
    from accordo.clients.selectors import firm_get

    today = today or timezone.localdate()
    limit = today - datetime.timedelta(days=firm_get().approval_expire_days)
    expired = 0
    waiting = Approval.objects.filter(status=Approval.Status.OFFERED, due_date__lt=limit).select_related("organisation")
    for approval in waiting.iterator():
        with transaction.atomic():
            if not Approval.objects.filter(pk=approval.pk, status=Approval.Status.OFFERED).update(
                status=Approval.Status.EXPIRED, updated_at=timezone.now()
            ):
                continue
            event_record(
                actor=None, ctx=RequestContext.system("expiry"), verb="approval.expired", target=approval,
                organisation=approval.organisation, data={"due_date": str(approval.due_date)},
            )  # fmt: skip
            expired += 1
    return expired


@transaction.atomic
def approval_emailed(*, approval: Approval, to: str, link: bool) -> None:
    """Evidence that the offer (or a reminder) was mailed to ``to`` (recorded by the worker after sending)."""
    event_record(
        actor=None, ctx=RequestContext.system("mail"), verb="approval.emailed", target=approval,
        organisation=approval.organisation, data={"to": to, "temporary_link": link},
    )  # fmt: skip
