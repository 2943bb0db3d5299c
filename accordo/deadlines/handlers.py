"""Keeping calendars in step with the organisations' profiles (run by the 'calendar' consumer)."""

from __future__ import annotations

from accordo.clients.models import Organisation
from accordo.core.consumers import on_event
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.deadlines.services import FIRM_FIELDS, PROFILE_FIELDS, calendar_generate, calendars_generate_all


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


@on_event("calendar", "firm.updated", "payroll_dates.changed")
def regenerate_on_firm_change(event: Event) -> None:
    """The firm's extension scheme or yearly VAT date changes every calendar; payroll tax dates change
    the calendars of the organisations with payroll. Safe to replay: an unchanged calendar stays as it is.
    """
    ctx = RequestContext.system("calendar")
    if event.verb == "payroll_dates.changed":
        calendars_generate_all(actor=None, ctx=ctx, organisations=Organisation.objects.filter(has_payroll=True))
    elif FIRM_FIELDS & set(event.data.get("changes") or {}):
        calendars_generate_all(actor=None, ctx=ctx)
