"""Objects this part of the app adds to the access matrix's world (accordo/tests/test_access_matrix.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.filings.models import ReturnStatus, TaxReturn


def objects(*, organisation: Organisation, client_owner: User, accountant: User) -> dict[str, Any]:
    """Keyed by names the matrix's OBJECT_KWARGS read as ``w.extra[name]``."""
    tax_return = TaxReturn.objects.create(
        organisation=organisation, type="ib", period="2025", period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31), status=ReturnStatus.SUBMITTED, amount=Decimal("1234.00"),
    )  # fmt: skip
    return {"tax_return": tax_return}
