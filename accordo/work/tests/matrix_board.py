"""Objects this part of the app adds to the access matrix's world (accordo/tests/test_access_matrix.py)."""

from __future__ import annotations

import datetime
from typing import Any

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.work.models import Task


def objects(*, organisation: Organisation, client_owner: User, accountant: User) -> dict[str, Any]:
    """Keyed by names the matrix's OBJECT_KWARGS read as ``w.extra[name]``: rows only, no events."""
    due = datetime.date.today() + datetime.timedelta(days=7)
    board_task = Task.objects.create(
        title="Matrix: controle BTW", organisation=organisation, assignee=accountant, due_date=due
    )
    client_task = Task.objects.create(
        title="Matrix: lever bankafschriften aan",
        organisation=organisation,
        assignee=client_owner,
        for_client=True,
        due_date=due,
    )
    return {"board_task": board_task, "client_task": client_task}
