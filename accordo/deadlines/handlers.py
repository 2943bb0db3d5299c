"""Keeping calendars in step with the organisations' profiles (run by the 'calendar' consumer)."""

from __future__ import annotations

from accordo.clients.models import Organisation
from accordo.core.consumers import on_event
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.deadlines.services import PROFILE_FIELDS, calendar_generate


@on_event("calendar", "organisation.created", "organisation.updated", "client.data_changed")
def regenerate_on_profile_change(event: Event) -> None:
    """A new organisation gets its calendar; a changed country, legal form, VAT frequency or
    financial year regenerates it (the client may change some of these fields too).

    Reads the organisation as it is now, so a replayed or late event does no harm.
    """
    if event.organisation_id is None:
        return
    if event.verb != "organisation.created" and not PROFILE_FIELDS & set(event.data.get("changes") or {}):
        return
    organisation = Organisation.objects.filter(pk=event.organisation_id).first()
    if organisation is None:
        return
    calendar_generate(actor=None, ctx=RequestContext.system("calendar"), organisation=organisation)
