"""The demo's deadline calendars (idempotent; called by the demo seed).

The demo firm takes part in the extension scheme, starts a task 30 days before each deadline, and
has entered this year's payroll tax dates; the bakery has employees.
"""

from __future__ import annotations

import calendar
import datetime

from django.utils import timezone

from accordo.accounts.models import User
from accordo.clients import services as client_services
from accordo.clients.models import Organisation
from accordo.clients.selectors import firm_get
from accordo.core.context import RequestContext
from accordo.deadlines.models import PayrollDate
from accordo.deadlines.services import calendars_generate_all
from accordo.deadlines.services_firm import deadline_tasks_start, payroll_date_add

FIRM_SETTINGS = {"extension_scheme": True, "deadline_task_days_ahead": 30, "deadline_task_role": "accountant"}
WITH_PAYROLL = "Bakkerij De Zon B.V."


def _payroll_dates(admin: User, ctx: RequestContext) -> None:
    """Monthly periods of this year, due the last day of the next month (as the tax office's letter has it)."""
    year = timezone.localdate().year
    for month in range(1, 13):
        start = datetime.date(year, month, 1)
        if PayrollDate.objects.filter(period_start=start).exists():
            continue
        due_year, due_month = (year + 1, 1) if month == 12 else (year, month + 1)
        due = datetime.date(due_year, due_month, calendar.monthrange(due_year, due_month)[1])
        payroll_date_add(actor=admin, ctx=ctx, period_start=start, due_date=due)


def seed(*, admin: User, ctx: RequestContext, **_: object) -> None:
    """Firm settings, payroll dates, every organisation's calendar and the tasks ahead; a second run changes nothing."""
    firm = firm_get()
    changes = {name: value for name, value in FIRM_SETTINGS.items() if getattr(firm, name) != value}
    if changes:
        client_services.firm_update(actor=admin, ctx=ctx, firm=firm, changes=changes)
    _payroll_dates(admin, ctx)
    bakery = Organisation.objects.filter(name=WITH_PAYROLL).first()
    if bakery is not None and not bakery.has_payroll:
        client_services.organisation_update(actor=admin, ctx=ctx, organisation=bakery, changes={"has_payroll": True})
    calendars_generate_all(actor=admin, ctx=ctx)
    deadline_tasks_start()
