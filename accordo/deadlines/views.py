"""Calendar pages: one organisation's deadlines (staff, client), the .ics feed and its settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accordo.clients.access import access_client_organisation, access_staff_organisation
from accordo.clients.selectors import firm_get, memberships_of
from accordo.core.access import AuthedRequest, login_required, staff_required
from accordo.core.context import ctx_from_request
from accordo.deadlines import selectors, services
from accordo.deadlines.ical import AllDayEvent, calendar_document
from accordo.deadlines.models import OrganisationDeadline


@require_GET
@staff_required
def staff_calendar(request: AuthedRequest, public_id: str) -> HttpResponse:
    organisation = access_staff_organisation(request.user, public_id)
    context = {"organisation": organisation, "calendar": selectors.organisation_calendar(organisation)}
    return render(request, "deadlines/staff_calendar.html", context)


@require_GET
@login_required
def client_calendar(request: AuthedRequest, public_id: str) -> HttpResponse:
    organisation, membership = access_client_organisation(request.user, public_id)
    context = {
        "organisation": organisation,
        "membership": membership,
        "memberships": list(memberships_of(request.user)),
        "calendar": selectors.organisation_calendar(organisation),
    }
    return render(request, "deadlines/client_calendar.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def profile_calendar(request: AuthedRequest) -> HttpResponse:
    """Make (or replace) and revoke the user's own feed URL."""
    feed = selectors.live_feed(request.user)
    if request.method == "POST":
        action = request.POST.get("action")
        ctx = ctx_from_request(request)
        if action == "create":
            services.calendar_feed_create(actor=request.user, ctx=ctx)
            messages.success(request, _("Your calendar address is ready. Any earlier address no longer works."))
        elif action == "revoke" and feed is not None:
            services.calendar_feed_revoke(actor=request.user, ctx=ctx, feed=feed)
            messages.success(request, _("Your calendar address no longer works."))
        else:
            messages.error(request, _("Nothing was changed."))
        return redirect("deadlines:profile_calendar")
    return render(request, "deadlines/profile_calendar.html", {"feed_url": selectors.feed_url(feed) if feed else None})


def _deadline_event(d: OrganisationDeadline, host: str) -> AllDayEvent:
    source = f"-{d.source}" if d.source else ""
    if d.period_start == d.period_end:
        description = _("Dated %(date)s") % {"date": date_format(d.period_start)}
    else:
        description = _("Period %(start)s – %(end)s") % {
            "start": date_format(d.period_start),
            "end": date_format(d.period_end),
        }
    return AllDayEvent(
        uid=f"{d.organisation.public_id}-{d.kind}-{d.period_start:%Y%m%d}{source}@{host}",
        day=d.due_date,
        summary=f"{selectors.deadline_label(d, d.organisation.country)} · {d.organisation.name}",
        description=description,
    )


@require_GET
def feed(request: HttpRequest, public_id: str, token: str) -> HttpResponse:
    """The user's deadlines as iCalendar; no login, the token is the key (404 when it is not)."""
    calendar_feed = selectors.feed_for_token(public_id, token)
    user = calendar_feed.user
    host = urlsplit(settings.SITE_URL).hostname or "accordo"
    with translation.override(user.language):
        events = [_deadline_event(d, host) for d in selectors.feed_deadlines(user)]
        events += [
            AllDayEvent(
                uid=f"task-{t.public_id}@{host}",
                day=t.due_date,
                summary=f"{t.title} · {t.organisation.name}" if t.organisation else t.title,
                description=_("Task"),
            )
            for t in selectors.feed_tasks(user)
            if t.due_date is not None
        ]
        name = _("Deadlines · %(firm)s") % {"firm": firm_get().name}
        body = calendar_document(name=name, events=events, stamp=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
