"""Writes of the deadline calendar: generating organisations' deadlines, and the users' feeds.

Generation rebuilds the deadlines of the periods ending in the given years (by default the
previous, current and next calendar year) from the organisation's current profile: rows that the
rules no longer give are deleted, new ones inserted, unchanged ones left alone. Older rows stay
as history, so a profile change or the turn of the year never rewrites last decade's calendar.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import get_random_string

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.clients.selectors import firm_get
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.core.rawinsert import insert_rows
from accordo.deadlines.models import CalendarFeed, OrganisationDeadline, PayrollDate
from accordo.deadlines.rules import DateMap, MonthDay, Profile, deadlines_for

# The organisation fields the deadlines depend on; a change to any of them regenerates.
PROFILE_FIELDS = frozenset({"country", "legal_form", "vat_frequency", "financial_year_end_month", "has_payroll"})
# The firm's settings the deadlines depend on; a change to any of them regenerates every calendar.
FIRM_FIELDS = frozenset({"extension_scheme", "nl_yearly_vat_due_month", "nl_yearly_vat_due_day"})
CHUNK = 500  # organisations per read in the bulk run: well under SQLite's limit of query variables

Row = tuple[str, date, date, date]  # kind, period start, period end, due date


@dataclass
class Counts:
    added: int = 0
    removed: int = 0
    kept: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"added": self.added, "removed": self.removed, "kept": self.kept}
        if self.warnings:
            data["warnings"] = self.warnings
        return data


def default_years(today: date | None = None) -> tuple[int, ...]:
    year = (today or timezone.localdate()).year
    return (year - 1, year, year + 1)


@dataclass(frozen=True)
class FirmRules:
    """What the firm sets for every organisation: the extension scheme, yearly VAT, payroll dates."""

    extension_scheme: bool
    nl_yearly_vat_due: MonthDay
    payroll_dates: DateMap


def firm_rules() -> FirmRules:
    firm = firm_get()
    return FirmRules(
        extension_scheme=firm.extension_scheme,
        nl_yearly_vat_due=(firm.nl_yearly_vat_due_month, firm.nl_yearly_vat_due_day),
        payroll_dates=DateMap(PayrollDate.objects.values_list("period_start", "due_date")),
    )


def organisation_profile(organisation: Organisation, rules: FirmRules | None = None) -> tuple[Profile, list[str]]:
    """The rules' profile of an organisation, and what of its data the rules could not use.

    The financial year ends on the last day of ``financial_year_end_month`` ((2, 29) is "the end
    of February" every year). Data the rules refuse (a Dutch legal form on a Belgian organisation,
    yearly VAT in Belgium) is left out, so the deadlines that are certain are still generated.
    """
    month = organisation.financial_year_end_month
    fields: dict[str, Any] = {
        "country": organisation.country,
        "vat_frequency": organisation.vat_frequency,
        "fiscal_year_end": (month, calendar.monthrange(2000, month)[1]),
        "legal_form": organisation.legal_form,
        "payroll": organisation.has_payroll,
    }
    rules = rules or firm_rules()
    fields["extension_scheme"] = rules.extension_scheme
    fields["nl_yearly_vat_due"] = rules.nl_yearly_vat_due if organisation.country == "NL" else None
    if organisation.has_payroll and organisation.country == "NL":
        fields["payroll_dates"] = rules.payroll_dates
    warnings: list[str] = []
    for fallback in ({}, {"legal_form": ""}, {"vat_frequency": "none"}, {"legal_form": "", "vat_frequency": "none"}):
        try:
            return Profile(**{**fields, **fallback}), warnings
        except ValueError as exc:
            warnings.append(str(exc))
    raise AssertionError("a profile without legal form and VAT is always valid")


@lru_cache(maxsize=256)
def _generated(profile: Profile, years: tuple[int, ...]) -> frozenset[Row]:
    """The rows of a profile; thousands of organisations share a handful of profiles."""
    return frozenset(
        (str(d.kind), d.period_start, d.period_end, d.due_date) for year in years for d in deadlines_for(profile, year)
    )


def _raw_rows(queryset: QuerySet[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of a values_list query straight from the cursor.

    The driver already gives dates as dates (SQLite through Django's registered converters);
    skipping the ORM's per-value converters halves the time of reading 300,000 rows.
    """
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(5000):
            yield from batch


def _sync(organisations: Sequence[Organisation], years: tuple[int, ...]) -> dict[int, Counts]:
    """Make the stored rows of ``organisations`` for ``years`` what the rules give; a few queries."""
    counts: dict[int, Counts] = {}
    wanted: dict[int, set[Row]] = {}
    rules = firm_rules()
    for organisation in organisations:
        profile, warnings = organisation_profile(organisation, rules)
        counts[organisation.pk] = Counts(warnings=warnings)
        wanted[organisation.pk] = set(_generated(profile, years))
    # Rows of periods ending before the window are history and stay; everything after its start is ours.
    existing = OrganisationDeadline.objects.filter(
        organisation_id__in=list(wanted), period_end__gte=date(min(years), 1, 1), source=""
    ).values_list("pk", "organisation_id", "kind", "period_start", "period_end", "due_date")
    stale: list[int] = []
    for pk, organisation_id, kind, start, end, due in _raw_rows(existing):
        rows = wanted[organisation_id]
        row = (kind, start, end, due)
        if row in rows:
            rows.discard(row)
            counts[organisation_id].kept += 1
        else:
            stale.append(pk)
            counts[organisation_id].removed += 1
    for index in range(0, len(stale), CHUNK):
        OrganisationDeadline.objects.filter(pk__in=stale[index : index + CHUNK]).delete()
    # In the unique index's order: appending to a B-tree is several times cheaper than inserting at random.
    _insert(sorted((organisation_id, *row) for organisation_id, rows in wanted.items() for row in rows))
    for organisation_id, rows in wanted.items():
        counts[organisation_id].added = len(rows)
    return counts


def _insert(rows: list[tuple[int, str, date, date, date]]) -> None:
    """One prepared INSERT run for every row: bulk_create's model instances cost four times as much.

    The few hundred distinct dates are adapted for the database once, not three times per row.
    """
    if not rows:
        return
    adapted: dict[date, Any] = {}

    def adapt(day: date) -> Any:
        value = adapted.get(day)
        if value is None:
            value = adapted[day] = connection.ops.adapt_datefield_value(day)
        return value

    insert_rows(
        OrganisationDeadline,
        ("organisation", "kind", "period_start", "period_end", "due_date"),
        [(org, kind, adapt(s), adapt(e), adapt(d)) for org, kind, s, e, d in rows],
        batch=len(rows),
    )


@transaction.atomic
def calendar_generate(
    *,
    actor: User | None,
    ctx: RequestContext,
    organisation: Organisation,
    years: Iterable[int] | None = None,
) -> Counts:
    """Regenerate one organisation's deadlines (safe to run twice: the second run changes nothing).

    Records ``calendar.generated`` with the counts when a row was added or removed; a run that
    changes nothing (a replayed event, the demo seed) leaves no event, so the timeline shows changes.
    """
    counts = _sync([organisation], tuple(sorted(set(years or default_years()))))[organisation.pk]
    if counts.added or counts.removed:
        event_record(
            actor=actor,
            ctx=ctx,
            verb="calendar.generated",
            target=organisation,
            organisation=organisation,
            data=counts.as_data(),
        )
    return counts


PROFILE_COLUMNS = ("pk", "country", "legal_form", "vat_frequency", "financial_year_end_month", "has_payroll")


@transaction.atomic
def calendars_generate_all(
    *,
    actor: User | None,
    ctx: RequestContext,
    organisations: QuerySet[Organisation] | None = None,
    years: Iterable[int] | None = None,
) -> Counts:
    """Regenerate the deadlines of many organisations (all by default) in a few queries per 500.

    One event, ``calendars.generated``, carries the totals (an event per organisation would cost
    more than the generation itself); it is recorded only when a row changed.
    """
    year_tuple = tuple(sorted(set(years or default_years())))
    queryset = (organisations if organisations is not None else Organisation.objects.all()).only(*PROFILE_COLUMNS)
    total = Counts()
    changed = count = 0
    batch: list[Organisation] = []

    def flush() -> None:
        nonlocal changed
        for counts in _sync(batch, year_tuple).values():
            total.added += counts.added
            total.removed += counts.removed
            total.kept += counts.kept
            changed += bool(counts.added or counts.removed)
        batch.clear()

    for organisation in queryset.order_by("pk").iterator(chunk_size=CHUNK):
        batch.append(organisation)
        count += 1
        if len(batch) == CHUNK:
            flush()
    if batch:
        flush()
    if total.added or total.removed:
        event_record(
            actor=actor,
            ctx=ctx,
            verb="calendars.generated",
            data={"organisations": count, "changed": changed, "years": list(year_tuple), **total.as_data()},
        )
    return total


# --- feeds -------------------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_create(*, actor: User, ctx: RequestContext) -> CalendarFeed:
    """A new secret feed URL for ``actor``; the previous one, if any, stops working at once."""
    now = timezone.now()
    replaced = list(
        CalendarFeed.objects.select_for_update().filter(user=actor, revoked_at=None).values_list("public_id", flat=True)
    )
    CalendarFeed.objects.filter(user=actor, revoked_at=None).update(revoked_at=now, updated_at=now)
    feed = CalendarFeed.objects.create(user=actor, nonce=get_random_string(32))
    event_record(
        actor=actor,
        ctx=ctx,
        verb="calendar_feed.created",
        target=feed,
        data={"replaced": [str(public_id) for public_id in replaced]},
    )
    return feed


@transaction.atomic
def calendar_feed_revoke(*, actor: User, ctx: RequestContext, feed: CalendarFeed) -> bool:
    """Stop a feed URL (its owner only); False when it was revoked already."""
    if feed.user_id != actor.pk:
        raise PermissionError("only its owner revokes a calendar feed")
    now = timezone.now()
    if CalendarFeed.objects.filter(pk=feed.pk, revoked_at=None).update(revoked_at=now, updated_at=now) != 1:
        return False
    feed.revoked_at = now
    event_record(actor=actor, ctx=ctx, verb="calendar_feed.revoked", target=feed)
    return True
