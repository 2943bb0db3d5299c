"""The demo's deadline calendars: one for every demo organisation (idempotent; called by the demo seed)."""

from __future__ import annotations

from accordo.accounts.models import User
from accordo.core.context import RequestContext
from accordo.deadlines.services import calendars_generate_all


def seed(*, admin: User, ctx: RequestContext, **_: object) -> None:
    """Generate (or bring up to date) every organisation's calendar; a second run changes nothing."""
    calendars_generate_all(actor=admin, ctx=ctx)
