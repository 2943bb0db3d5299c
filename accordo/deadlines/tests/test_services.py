from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accordo.clients import services as client_services
from accordo.core.consumers import consumer_run
from accordo.core.context import RequestContext
from accordo.core.models import ConsumerOffset, Event
from accordo.deadlines.models import OrganisationDeadline
from accordo.deadlines.services import calendar_generate, calendars_generate_all, organisation_profile
from accordo.testing.factories import OrganisationFactory

CTX = RequestContext.system("test")
YEARS = (2025, 2026, 2027)


def _rows(organisation):
    return set(
        OrganisationDeadline.objects.filter(organisation=organisation).values_list(
            "kind", "period_start", "period_end", "due_date"
        )
    )


def _generate(organisation, years=YEARS):
    return calendar_generate(actor=None, ctx=CTX, organisation=organisation, years=years)


def test_it_generates_the_deadlines_of_the_three_years(organisation):
    counts = _generate(organisation)
    rows = _rows(organisation)
    # A quarterly NL BV: 4 VAT + 4 ICP + Vpb + KvK filing a year.
    assert (counts.added, counts.removed, counts.kept) == (30, 0, 0) and len(rows) == 30
    assert ("corporate_tax_return", date(2026, 1, 1), date(2026, 12, 31), date(2027, 5, 31)) in rows
    assert ("vat_return", date(2027, 10, 1), date(2027, 12, 31), date(2028, 1, 31)) in rows
    event = Event.objects.get(verb="calendar.generated")
    assert event.organisation_id == organisation.pk
    assert event.data == {"added": 30, "removed": 0, "kept": 30 - 30}


def test_it_is_idempotent(organisation):
    _generate(organisation)
    before = set(OrganisationDeadline.objects.values_list("pk", flat=True))
    counts = _generate(organisation)
    assert (counts.added, counts.removed, counts.kept) == (0, 0, 30)
    assert set(OrganisationDeadline.objects.values_list("pk", flat=True)) == before  # untouched rows
    assert Event.objects.filter(verb="calendar.generated").count() == 1  # nothing changed: no event


def test_it_removes_obsolete_rows_after_a_profile_change(organisation):
    _generate(organisation)
    organisation.vat_frequency = "monthly"
    organisation.financial_year_end_month = 6
    organisation.save()
    counts = _generate(organisation)
    rows = _rows(organisation)
    kinds = [row[0] for row in rows]
    assert kinds.count("vat_return") == kinds.count("icp_return") == 36
    assert ("vat_return", date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 30)) not in rows
    assert ("corporate_tax_return", date(2025, 7, 1), date(2026, 6, 30), date(2026, 11, 30)) in rows
    assert not any(row[0] == "corporate_tax_return" and row[2].month == 12 for row in rows)
    assert counts.added == len(rows) - counts.kept and counts.removed == 30 - counts.kept
    assert Event.objects.filter(verb="calendar.generated").count() == 2


def test_it_keeps_the_rows_of_years_before_the_window(organisation):
    _generate(organisation, years=(2022, 2023))
    organisation.vat_frequency = "none"
    organisation.save()
    _generate(organisation, years=(2023, 2024))
    rows = _rows(organisation)
    assert ("vat_return", date(2022, 10, 1), date(2022, 12, 31), date(2023, 1, 31)) in rows  # history
    assert not any(row[0] == "vat_return" and row[2].year == 2023 for row in rows)


def test_it_generates_what_is_certain_from_inconsistent_data(db):
    organisation = OrganisationFactory(country="BE", legal_form="bv", vat_frequency="yearly")
    profile, warnings = organisation_profile(organisation)
    assert (profile.legal_form, profile.vat_frequency) == ("", "none") and len(warnings) == 3
    counts = _generate(organisation)
    assert counts.added == 0


def test_it_ends_a_february_financial_year_on_the_last_day(db):
    organisation = OrganisationFactory(financial_year_end_month=2, vat_frequency="none")
    _generate(organisation, years=(2028,))
    assert _rows(organisation) >= {("corporate_tax_return", date(2027, 3, 1), date(2028, 2, 29), date(2028, 7, 31))}


def test_it_generates_all_organisations_like_one_by_one(db):
    profiles = [
        {"country": "NL", "legal_form": "bv", "vat_frequency": "quarterly"},
        {"country": "NL", "legal_form": "eenmanszaak", "vat_frequency": "monthly"},
        {"country": "BE", "legal_form": "be_bv", "vat_frequency": "monthly", "financial_year_end_month": 3},
        {"country": "NL", "kind": "person", "legal_form": "person", "vat_frequency": "none"},
    ]
    organisations = [OrganisationFactory(**p) for p in profiles]
    total = calendars_generate_all(actor=None, ctx=CTX, years=YEARS)
    bulk = {o.pk: _rows(o) for o in organisations}
    assert total.added == OrganisationDeadline.objects.count() > 0
    event = Event.objects.get(verb="calendars.generated")
    assert event.data["organisations"] == 4 and event.data["changed"] == 4
    assert calendars_generate_all(actor=None, ctx=CTX, years=YEARS).kept == total.added
    OrganisationDeadline.objects.all().delete()
    for organisation in organisations:
        _generate(organisation)
    assert {o.pk: _rows(o) for o in organisations} == bulk
    assert Event.objects.filter(verb="calendars.generated").count() == 1


def test_it_generates_all_in_constant_queries(db):
    """Besides the batched inserts and deletes, the bulk run needs a fixed number of queries."""

    def other_queries(count: int) -> int:
        for _ in range(count):
            OrganisationFactory(vat_frequency="monthly")
        calendars_generate_all(actor=None, ctx=CTX, years=YEARS)
        OrganisationDeadline.objects.filter(kind="vat_return").update(due_date=date(2000, 1, 1))  # stale rows
        with CaptureQueriesContext(connection) as captured:
            total = calendars_generate_all(actor=None, ctx=CTX, years=YEARS)
        assert total.removed == total.added == OrganisationDeadline.objects.filter(kind="vat_return").count()
        batched = ('INSERT INTO "deadlines_', 'DELETE FROM "deadlines_')
        return sum(1 for q in captured.captured_queries if not q["sql"].startswith(batched))

    assert other_queries(3) == other_queries(27)


@pytest.fixture
def handled():
    """Run the calendar consumer from the current end of the log (older events are not this test's)."""
    ConsumerOffset.objects.update_or_create(
        name="calendar",
        defaults={"last_seq": Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0},
    )
    return lambda: consumer_run("calendar")


def test_it_regenerates_when_the_profile_changes(handled, accountant):
    organisation = client_services.organisation_create(
        actor=accountant, ctx=CTX, data={"name": "Nieuw B.V.", "legal_form": "bv", "vat_frequency": "quarterly"}
    )
    handled()
    quarterly = OrganisationDeadline.objects.filter(organisation=organisation).count()
    assert quarterly > 0
    client_services.organisation_update(actor=accountant, ctx=CTX, organisation=organisation, changes={"phone": "1"})
    handled()
    assert Event.objects.filter(verb="calendar.generated").count() == 1
    client_services.organisation_update(
        actor=accountant, ctx=CTX, organisation=organisation, changes={"vat_frequency": "monthly"}
    )
    handled()
    assert Event.objects.filter(verb="calendar.generated").count() == 2
    assert OrganisationDeadline.objects.filter(organisation=organisation).count() == quarterly + 2 * 8 * 3
