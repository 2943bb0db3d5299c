"""The demo planning board (idempotent): tasks in every column, through the same services the pages use.

- for accountant@demo.accordo.nl at Bakkerij De Zon: to do, in progress, waiting, done, and one
  overdue; one caused by the bakery's creation (its card links to the organisation);
- for the tax advisor of J.P. de Vries (the demo admin), through the role;
- one for the client: klant@demo.accordo.nl delivers the bank statements of Bakkerij De Zon;
- one for the assistant's role, which nobody holds: unassigned, to pick up from the board.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.work import services
from accordo.work.models import Task

BAKERY = "Bakkerij De Zon B.V."
PERSON = "J.P. de Vries"
# (title, organisation, who: "accountant" / "client" / a role, status, due in days)
TASKS: list[tuple[str, str, str, str, int]] = [
    ("BTW-aangifte Q3 controleren", BAKERY, "accountant", "todo", 5),
    ("Loonaangifte oktober indienen", BAKERY, "accountant", "todo", -3),
    ("Jaarrekening 2025 samenstellen", BAKERY, "accountant", "doing", 14),
    ("Wachten op de leasecontracten", BAKERY, "accountant", "waiting", 7),
    ("Beginbalans 2025 afgestemd", BAKERY, "accountant", "done", -2),
    ("Lever de bankafschriften van september aan", BAKERY, "client", "todo", 7),
    ("Aangifte IB 2025 voorbereiden", PERSON, "tax_advisor", "doing", 21),
    ("Kilometerregistratie nalopen", PERSON, "assistant", "todo", 10),
]
CAUSED = ("Nieuwe klant: dossier inrichten", BAKERY, "accountant", "todo", 2)


def seed(*, admin: User, accountant: User, client: User, ctx: RequestContext, **_: Any) -> int:
    """Make the demo tasks that are missing; returns how many it made."""
    today = timezone.localdate()
    made = 0
    for title, org_name, who, status, days in [*TASKS, CAUSED]:
        organisation = Organisation.objects.filter(name=org_name).first()
        if organisation is None or Task.objects.filter(title=title, organisation=organisation).exists():
            continue
        source = None
        if (title, org_name, who, status, days) == CAUSED:
            source = Event.objects.filter(
                verb="organisation.created", target_type="clients.organisation", target_id=str(organisation.public_id)
            ).first()
        task = services.task_create(
            actor=None if source else accountant,
            ctx=ctx,
            title=title,
            organisation=organisation,
            assignee=accountant if who == "accountant" else client if who == "client" else None,
            assignee_role=who if who not in ("accountant", "client") else "",
            for_client=who == "client",
            due_date=today + datetime.timedelta(days=days),
            source_event=source,
        )
        if status != Task.Status.OPEN:
            services.task_move(actor=accountant, ctx=ctx, task=task, status=status)
        made += 1
    return made
