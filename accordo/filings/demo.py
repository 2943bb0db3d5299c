"""The demo's tax returns and assessments (idempotent; called by the demo seed after the approvals).

- every offered return of the approvals demo gets its return (the 'filings' consumer is run over the
  history, as the worker would);
- Bakkerij De Zon: VPB 2024 submitted with a conform final assessment; VPB 2023 with a final
  assessment that differs, its objection deadline in the calendar (and a task for the tax advisor
  once the rules run);
- J.P. de Vries: IB 2024 submitted with a conform provisional assessment (a refund).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.core.consumers import consumer_run
from accordo.core.context import RequestContext
from accordo.filings import services
from accordo.filings.models import Assessment, ReturnStatus, TaxReturn

BAKERY = "Bakkerij De Zon B.V."
PERSON = "J.P. de Vries"


def _return(accountant: User, ctx: RequestContext, organisation: Organisation, type: str, period: str,
            amount: str) -> TaxReturn:  # fmt: skip
    """The demo return, made and submitted when it is not there yet."""
    tax_return = TaxReturn.objects.filter(organisation=organisation, type=type, period=period).first()
    if tax_return is None:
        tax_return = services.return_create(
            actor=accountant, ctx=ctx, organisation=organisation, type=type, period=period, amount=Decimal(amount)
        )
    if tax_return.status == ReturnStatus.IN_PREPARATION:
        tax_return = services.return_move(actor=accountant, ctx=ctx, tax_return=tax_return, status="submitted")
    if tax_return.status == ReturnStatus.APPROVED:
        tax_return = services.return_move(actor=accountant, ctx=ctx, tax_return=tax_return, status="submitted")
    return tax_return


def _assess(accountant: User, ctx: RequestContext, tax_return: TaxReturn, *, kind: str, amount: str,
            days_ago: int, number: str) -> None:  # fmt: skip
    if Assessment.objects.filter(tax_return=tax_return, kind=kind).exists():
        return
    services.assessment_record(
        actor=accountant, ctx=ctx, tax_return=tax_return, kind=kind, amount=Decimal(amount), number=number,
        dagtekening=timezone.localdate() - datetime.timedelta(days=days_ago),
    )  # fmt: skip


def seed(*, admin: User, accountant: User, client: User, ctx: RequestContext) -> None:
    consumer_run("filings")  # the returns of the demo's offered approvals
    bakery = Organisation.objects.get(name=BAKERY)
    person = Organisation.objects.get(name=PERSON)

    vpb_2024 = _return(accountant, ctx, bakery, "vpb", "2024", "18642.00")
    if vpb_2024.amount is None:
        vpb_2024 = services.return_update(actor=accountant, ctx=ctx, tax_return=vpb_2024, amount=Decimal("18642.00"))
    _assess(accountant, ctx, vpb_2024, kind="final", amount="18646.00", days_ago=20, number="8123.45.678.V.42")

    vpb_2023 = _return(accountant, ctx, bakery, "vpb", "2023", "16210.00")
    _assess(accountant, ctx, vpb_2023, kind="final", amount="17985.00", days_ago=12, number="8123.45.678.V.34")

    ib_2024 = _return(accountant, ctx, person, "ib", "2024", "-412.00")
    _assess(accountant, ctx, ib_2024, kind="provisional", amount="-412.00", days_ago=30, number="1234.56.789.H.46")
