"""Writes of the firm's side of the calendar: payroll tax dates, and tasks started ahead of deadlines.

Payroll tax dates come from the tax office's yearly letter to the firm (SPEC §11); changing them
regenerates the calendars of the organisations with payroll (the 'calendar' consumer). A deadline
starts its task ``Firm.deadline_task_days_ahead`` days before it is due, once: the ``DeadlineTask``
row is claimed under a unique constraint in the same transaction as the task.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accordo.accounts.models import User
from accordo.clients.models import AssignmentRole
from accordo.clients.selectors import firm_get
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.deadlines.models import GENERATED_KINDS, DeadlineTask, OrganisationDeadline, PayrollDate
from accordo.deadlines.selectors import kind_label
from accordo.work.services import task_create

MAX_PAYROLL_TERM = datetime.timedelta(days=120)  # a due date far after its period is a typing error


def _admin_only(actor: User) -> None:
    if not actor.is_firm_admin:
        raise PermissionError("only firm administrators enter payroll tax dates")


@transaction.atomic
def payroll_date_add(
    *, actor: User, ctx: RequestContext, period_start: datetime.date, due_date: datetime.date
) -> PayrollDate:
    """Enter one payroll tax period (its first day) and its due date from the tax office's letter."""
    _admin_only(actor)
    if due_date <= period_start:
        raise ValidationError(_("The due date comes after the start of the period."), code="due_date")
    if due_date - period_start > MAX_PAYROLL_TERM:
        raise ValidationError(_("The due date is more than four months after the period starts."), code="due_date")
    if PayrollDate.objects.filter(period_start=period_start).exists():
        raise ValidationError(_("A period starting on this day exists already."), code="period_start")
    row = PayrollDate.objects.create(period_start=period_start, due_date=due_date)
    event_record(
        actor=actor,
        ctx=ctx,
        verb="payroll_dates.changed",
        data={"added": {"period_start": period_start.isoformat(), "due_date": due_date.isoformat()}},
    )
    return row


@transaction.atomic
def payroll_date_remove(*, actor: User, ctx: RequestContext, row: PayrollDate) -> None:
    """Remove an entered payroll tax period (a typing error, a corrected letter)."""
    _admin_only(actor)
    if PayrollDate.objects.filter(pk=row.pk).delete()[0] != 1:
        return
    event_record(
        actor=actor,
        ctx=ctx,
        verb="payroll_dates.changed",
        data={"removed": {"period_start": row.period_start.isoformat(), "due_date": row.due_date.isoformat()}},
    )


def _task_title(deadline: OrganisationDeadline) -> str:
    label = deadline.title or kind_label(deadline.kind, deadline.organisation.country)
    if deadline.period_start == deadline.period_end:
        return _("%(deadline)s, due %(due)s") % {"deadline": label, "due": date_format(deadline.due_date)}
    return _("%(deadline)s %(start)s – %(end)s, due %(due)s") % {
        "deadline": label,
        "start": date_format(deadline.period_start, "SHORT_DATE_FORMAT"),
        "end": date_format(deadline.period_end, "SHORT_DATE_FORMAT"),
        "due": date_format(deadline.due_date),
    }


def deadline_tasks_start(*, today: datetime.date | None = None) -> int:
    """Start a task for every generated deadline due within the firm's days ahead; return how many.

    Each deadline starts its task once (a re-run, or a second worker, makes nothing new); a deadline
    found later (a changed profile) still gets its task while it lies ahead. Tasks go to the firm's
    chosen role of the organisation's assigned staff, titled in the firm's language.
    """
    firm = firm_get()
    days = firm.deadline_task_days_ahead
    if not days:
        return 0
    today = today or timezone.localdate()
    role = firm.deadline_task_role if firm.deadline_task_role in AssignmentRole.values else AssignmentRole.ACCOUNTANT
    started = DeadlineTask.objects.filter(
        organisation=OuterRef("organisation"),
        kind=OuterRef("kind"),
        period_start=OuterRef("period_start"),
        source=OuterRef("source"),
    )
    deadlines = (
        OrganisationDeadline.objects.filter(
            due_date__gte=today, due_date__lte=today + datetime.timedelta(days=days), kind__in=GENERATED_KINDS
        )
        .exclude(Exists(started))
        .select_related("organisation")
        .order_by("due_date", "organisation_id", "kind")
    )
    ctx = RequestContext.system("deadlines")
    made = 0
    with translation.override(settings.LANGUAGE_CODE):
        for deadline in deadlines.iterator(chunk_size=500):
            try:
                with transaction.atomic():
                    claim = DeadlineTask.objects.create(
                        organisation=deadline.organisation,
                        kind=deadline.kind,
                        period_start=deadline.period_start,
                        source=deadline.source,
                    )
                    claim.task = task_create(
                        actor=None,
                        ctx=ctx,
                        title=_task_title(deadline),
                        organisation=deadline.organisation,
                        assignee_role=role,
                        due_date=deadline.due_date,
                        data={"deadline": deadline.kind, "period_start": deadline.period_start.isoformat()},
                    )
                    claim.save(update_fields=["task"])
            except IntegrityError:
                continue  # another run claimed it first
            made += 1
    return made
