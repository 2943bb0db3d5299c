"""Writes of tax returns and assessments (SPEC §6); each change is an event in the same transaction.

A return's status moves by hand only along ``TRANSITIONS``; the 'filings' consumer moves it
forward as its approval and submission do (``return_advance``), never backwards. Recording an
assessment compares it with the return: within the firm's tolerance it is conform (the return is
assessed, the client is mailed); otherwise the client is told the firm reviews it, and the
objection deadline goes into the organisation's calendar in the same transaction. The events
``assessment.conform`` and ``assessment.not_conform`` are what signal rules react to.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accordo.accounts.models import User
from accordo.approvals.models import Approval
from accordo.clients.models import Organisation
from accordo.clients.selectors import firm_get
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.deadlines.models import Kind, OrganisationDeadline
from accordo.filings.models import STATUS_RANK, Assessment, ReturnStatus, ReturnType, TaxReturn
from accordo.filings.periods import period_parse
from accordo.filings.terms import objection_due

S = ReturnStatus
# What staff may do by hand. "Assessed" is reached only by recording a conform assessment.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.IN_PREPARATION: frozenset({S.FOR_APPROVAL, S.SUBMITTED}),
    S.FOR_APPROVAL: frozenset({S.IN_PREPARATION, S.APPROVED}),
    S.APPROVED: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset(),
    S.ASSESSED: frozenset(),
}


class ReturnStateError(ValidationError):
    """The return is not in a status that allows this (answered with 409)."""


def _staff(actor: User) -> None:
    if not actor.is_firm_staff:
        raise PermissionError("only firm staff work on tax returns")


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@transaction.atomic
def return_create(
    *,
    actor: User | None,
    ctx: RequestContext,
    organisation: Organisation,
    type: str,
    period: str,
    amount: Decimal | None = None,
    status: str = S.IN_PREPARATION,
    approval: Approval | None = None,
) -> TaxReturn:
    """A new return of ``type`` for the period a label names ("2025", "2025-Q3", "2025-07")."""
    if actor is not None:
        _staff(actor)
    if type not in ReturnType.values:
        raise ValidationError(_("Choose a type of return."), code="type")
    parsed = period_parse(period)
    if parsed is None:
        raise ValidationError(_("Enter the period as a year (2025), a quarter (2025-Q3) or a month (2025-07)."))
    if TaxReturn.objects.filter(organisation=organisation, type=type, period_start=parsed.start).exists():
        raise ValidationError(_("This client already has a return of this type for this period."), code="unique")
    try:
        with transaction.atomic():
            tax_return = TaxReturn.objects.create(
                organisation=organisation, type=type, period=parsed.label, period_start=parsed.start,
                period_end=parsed.end, amount=amount, status=status, approval=approval,
                submitted_on=timezone.localdate() if status == S.SUBMITTED else None,
            )  # fmt: skip
    except IntegrityError:
        raise ValidationError(_("This client already has a return of this type for this period."), code="unique")
    event_record(
        actor=actor, ctx=ctx, verb="return.created", target=tax_return, organisation=organisation,
        data={"type": type, "period": parsed.label, "amount": _money(amount), "status": status,
              "approval": str(approval.public_id) if approval else None},
    )  # fmt: skip
    return tax_return


@transaction.atomic
def return_update(*, actor: User, ctx: RequestContext, tax_return: TaxReturn, amount: Decimal | None) -> TaxReturn:
    """Change the return's amount (to pay; negative to receive)."""
    _staff(actor)
    current = TaxReturn.objects.select_for_update().get(pk=tax_return.pk)
    if current.amount == amount:
        return current
    previous = current.amount
    TaxReturn.objects.filter(pk=current.pk).update(amount=amount, updated_at=timezone.now())
    current.amount = amount
    event_record(
        actor=actor, ctx=ctx, verb="return.updated", target=current, organisation=current.organisation,
        data={"amount": [_money(previous), _money(amount)]},
    )  # fmt: skip
    return current


def _status_changes(status: str, current: TaxReturn, on: datetime.date) -> dict[str, Any]:
    changes: dict[str, Any] = {"status": status, "updated_at": timezone.now()}
    if STATUS_RANK[status] >= STATUS_RANK[S.SUBMITTED] and current.submitted_on is None:
        changes["submitted_on"] = on
    return changes


@transaction.atomic
def return_move(*, actor: User, ctx: RequestContext, tax_return: TaxReturn, status: str) -> TaxReturn:
    """Move a return by hand along ``TRANSITIONS``; anything else raises ReturnStateError."""
    _staff(actor)
    current = TaxReturn.objects.select_for_update().get(pk=tax_return.pk)
    if status not in TRANSITIONS.get(current.status, frozenset()):
        raise ReturnStateError(
            _("A return that is “%(current)s” cannot become “%(status)s”.")
            % {"current": S(current.status).label, "status": S(status).label if status in S.values else status},
            code="state",
        )
    previous = current.status
    updated = TaxReturn.objects.filter(pk=current.pk, status=previous).update(
        **_status_changes(status, current, timezone.localdate())
    )
    if updated != 1:
        raise ReturnStateError(_("The return changed meanwhile. Reload the page."), code="state")
    current.refresh_from_db()
    event_record(
        actor=actor, ctx=ctx, verb="return.status_changed", target=current, organisation=current.organisation,
        data={"from": previous, "to": status},
    )  # fmt: skip
    return current


def return_advance(
    *,
    ctx: RequestContext,
    tax_return: TaxReturn,
    status: str,
    on: datetime.date | None = None,
    why: str = "",
    actor: User | None = None,
) -> bool:
    """Move a return forward to ``status`` (the system); False when it is there or further already."""
    with transaction.atomic():
        current = TaxReturn.objects.select_for_update().get(pk=tax_return.pk)
        if STATUS_RANK[current.status] >= STATUS_RANK[status]:
            return False
        previous = current.status
        TaxReturn.objects.filter(pk=current.pk, status=previous).update(
            **_status_changes(status, current, on or timezone.localdate())
        )
        current.refresh_from_db()
        event_record(
            actor=actor, ctx=ctx, verb="return.status_changed", target=current, organisation=current.organisation,
            data={"from": previous, "to": status, "why": why},
        )  # fmt: skip
    tax_return.status, tax_return.submitted_on = current.status, current.submitted_on
    return True


def return_link_approval(*, ctx: RequestContext, approval: Approval) -> TaxReturn | None:
    """The return an offered approval is for, created when missing and linked to it (idempotent).

    A newer offer (a re-offer) takes the link over; an older one never takes it back, so replaying
    the history ends where it ended the first time. None when the approval's period is no period.
    """
    parsed = period_parse(approval.period)
    if parsed is None or approval.type not in ReturnType.values:
        return None
    with transaction.atomic():
        tax_return = (
            TaxReturn.objects.select_for_update(of=("self",))  # PostgreSQL: never lock the nullable side of a join
            .filter(organisation_id=approval.organisation_id, type=approval.type, period_start=parsed.start)
            .select_related("approval")
            .first()
        )
        if tax_return is None:
            return return_create(
                actor=None, ctx=ctx, organisation=approval.organisation, type=approval.type, period=parsed.label,
                amount=approval.amount, status=S.FOR_APPROVAL, approval=approval,
            )  # fmt: skip
        linked = tax_return.approval
        if linked is None or (linked.pk != approval.pk and linked.created_at < approval.created_at):
            changes: dict[str, Any] = {"approval": approval, "updated_at": timezone.now()}
            if approval.amount is not None:
                changes["amount"] = approval.amount
            TaxReturn.objects.filter(pk=tax_return.pk).update(**changes)
            tax_return.refresh_from_db()
            event_record(
                actor=None, ctx=ctx, verb="return.linked", target=tax_return, organisation=approval.organisation,
                data={"approval": str(approval.public_id), "amount": _money(tax_return.amount)},
            )  # fmt: skip
    return_advance(ctx=ctx, tax_return=tax_return, status=S.FOR_APPROVAL, why="approval.offered")
    return tax_return


def _objection_title(tax_return: TaxReturn) -> str:
    # Calendar data, in Dutch like the other generated titles.
    return f"Bezwaartermijn aanslag {tax_return.short_type} {tax_return.period}"[:200]


@transaction.atomic
def assessment_record(
    *,
    actor: User,
    ctx: RequestContext,
    tax_return: TaxReturn,
    kind: str,
    amount: Decimal,
    dagtekening: datetime.date,
    number: str = "",
    source: str = Assessment.Source.MANUAL,
) -> Assessment:
    """Record an assessment and compare it with the return (|difference| ≤ tolerance is conform).

    Conform: the assessment is approved and the return assessed. Not conform: the firm reviews it,
    and the objection deadline is put in the organisation's calendar.
    """
    _staff(actor)
    current = TaxReturn.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=tax_return.pk)
    if kind not in Assessment.Kind.values:
        raise ValidationError(_("Choose the kind of assessment."), code="kind")
    if current.amount is None:
        raise ReturnStateError(
            _("Enter the amount of the return first: an assessment is compared with it."), code="amount"
        )
    difference = amount - current.amount
    conform = abs(difference) <= firm_get().assessment_tolerance
    due = None if conform else objection_due(dagtekening, current.organisation.country)
    assessment = Assessment.objects.create(
        tax_return=current, kind=kind, number=number.strip()[:40], amount=amount, dagtekening=dagtekening,
        difference=difference, outcome=Assessment.Outcome.CONFORM if conform else Assessment.Outcome.NOT_CONFORM,
        status=Assessment.Status.APPROVED if conform else Assessment.Status.UNDER_REVIEW,
        objection_due=due, entered_by=actor, source=source,
    )  # fmt: skip
    data = {
        "return": str(current.public_id), "type": current.type, "period": current.period, "kind": kind,
        "number": assessment.number, "amount": str(amount), "return_amount": str(current.amount),
        "difference": str(difference), "dagtekening": dagtekening.isoformat(), "source": source,
        "objection_due": due.isoformat() if due else None,
    }  # fmt: skip
    organisation = current.organisation
    event_record(actor=actor, ctx=ctx, verb="assessment.recorded", target=assessment, organisation=organisation,
                 data=data)  # fmt: skip
    if conform:
        return_advance(
            actor=actor, ctx=ctx, tax_return=current, status=S.ASSESSED, on=dagtekening, why="assessment.conform"
        )
    else:
        OrganisationDeadline.objects.get_or_create(
            organisation=organisation, kind=Kind.OBJECTION, period_start=dagtekening, source=str(assessment.public_id),
            defaults={"period_end": dagtekening, "due_date": due, "title": _objection_title(current)},
        )  # fmt: skip
    event_record(
        actor=actor, ctx=ctx, verb="assessment.conform" if conform else "assessment.not_conform",
        target=assessment, organisation=organisation, data=data,
    )  # fmt: skip
    return assessment
