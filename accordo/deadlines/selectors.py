"""Reads of the deadline calendar: one organisation's deadlines, and a user's feed.

The feed URL carries an HMAC of the feed's public id and nonce (like a temporary link's token), so
it is rebuilt to show and never stored; unknown ids, wrong tokens and revoked feeds are one 404.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from accordo.accounts.models import User
from accordo.clients.models import Membership, Organisation, StaffAssignment
from accordo.core.access import public_id_or_404
from accordo.core.models import choice_labels
from accordo.deadlines.models import CalendarFeed, Kind, OrganisationDeadline
from accordo.work.models import Task

PAST_SHOWN = 24  # the organisation page shows this many past deadlines, newest first
FEED_HISTORY_DAYS = 366  # a feed lists deadlines from a year ago on; calendar apps keep what they saw


def kind_label(kind: str, country: str) -> str:
    """A deadline kind in the reader's language; Belgium calls the ICP return a listing."""
    if kind == Kind.ICP_RETURN and country == Organisation.Country.BE:
        return _("Intra-community listing")
    return choice_labels(OrganisationDeadline._meta.get_field("kind")).get(kind, kind)


@dataclass(frozen=True)
class DeadlineRow:
    label: str
    period_start: datetime.date
    period_end: datetime.date
    due_date: datetime.date
    days_left: int


@dataclass(frozen=True)
class OrganisationCalendar:
    upcoming: list[DeadlineRow]
    past: list[DeadlineRow]


def deadline_label(deadline: OrganisationDeadline, country: str) -> str:
    """What a deadline is called: its own title (an objection deadline's), else its kind's."""
    return deadline.title or kind_label(deadline.kind, country)


def _row(deadline: OrganisationDeadline, country: str, today: datetime.date) -> DeadlineRow:
    return DeadlineRow(
        deadline_label(deadline, country),
        deadline.period_start,
        deadline.period_end,
        deadline.due_date,
        (deadline.due_date - today).days,
    )


def organisation_calendar(organisation: Organisation, *, today: datetime.date | None = None) -> OrganisationCalendar:
    """The organisation's upcoming deadlines (soonest first) and its latest past ones (two queries)."""
    today = today or timezone.localdate()
    rows = OrganisationDeadline.objects.filter(organisation=organisation).only(
        "kind", "period_start", "period_end", "due_date", "title"
    )
    upcoming = rows.filter(due_date__gte=today).order_by("due_date", "kind", "period_start")
    past = rows.filter(due_date__lt=today).order_by("-due_date", "kind", "-period_start")[:PAST_SHOWN]
    country = organisation.country
    return OrganisationCalendar(
        [_row(d, country, today) for d in upcoming],
        [_row(d, country, today) for d in past],
    )


def feed_token(feed: CalendarFeed) -> str:
    return salted_hmac("accordo.calendar-feed", f"{feed.public_id}:{feed.nonce}").hexdigest()


def feed_url(feed: CalendarFeed) -> str:
    return settings.SITE_URL + reverse("deadlines:feed", args=[feed.public_id, feed_token(feed)])


def live_feed(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at=None).first()


def feed_for_token(public_id: uuid.UUID | str, token: str) -> CalendarFeed:
    """The live feed of a URL, with its active user; anything else is a 404."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(public_id=public_id_or_404(public_id), revoked_at=None, user__is_active=True)
        .first()
    )
    if feed is None or not constant_time_compare(feed_token(feed), token):
        raise Http404
    return feed


def feed_organisations(user: User) -> QuerySet[Organisation]:
    """Staff: the organisations they are assigned to; clients: their portal memberships."""
    if user.is_firm_staff:
        return Organisation.objects.filter(pk__in=StaffAssignment.objects.filter(user=user).values("organisation_id"))
    return Organisation.objects.filter(pk__in=Membership.objects.portal().filter(user=user).values("organisation_id"))


def feed_deadlines(user: User, *, today: datetime.date | None = None) -> QuerySet[OrganisationDeadline]:
    """The deadlines of every organisation of ``user``, from a year back on, in date order (one query)."""
    since = (today or timezone.localdate()) - datetime.timedelta(days=FEED_HISTORY_DAYS)
    return (
        OrganisationDeadline.objects.filter(organisation__in=feed_organisations(user), due_date__gte=since)
        .select_related("organisation")
        .only(
            "kind",
            "period_start",
            "period_end",
            "due_date",
            "source",
            "title",
            "organisation__public_id",
            "organisation__name",
            "organisation__country",
        )
        .order_by("due_date", "organisation__name", "kind")
    )


def feed_tasks(user: User) -> QuerySet[Task]:
    """The open tasks with a due date of ``user``: staff their own, clients those of their organisations
    given to them or to nobody (one query)."""
    tasks = Task.objects.exclude(status=Task.Status.DONE).filter(due_date__isnull=False)
    if user.is_firm_staff:
        tasks = tasks.filter(assignee=user)
    else:
        tasks = tasks.filter(
            Q(assignee=user) | Q(assignee__isnull=True),
            for_client=True,
            organisation__in=Membership.objects.portal().filter(user=user).values("organisation_id"),
        )
    return (
        tasks.select_related("organisation")
        .only("public_id", "title", "due_date", "organisation__name")
        .order_by("due_date", "pk")
    )
