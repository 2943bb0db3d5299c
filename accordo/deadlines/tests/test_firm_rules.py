"""The firm's side of the calendar: extension scheme, yearly VAT date, payroll dates, objection rows,
tasks ahead of deadlines, and tasks and objection deadlines in the iCalendar feed."""

import datetime
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accordo.clients import services as client_services
from accordo.clients.selectors import firm_get
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.core.tasks import dispatch_events
from accordo.deadlines import selectors, services
from accordo.deadlines.models import DeadlineTask, OrganisationDeadline, PayrollDate
from accordo.deadlines.services_firm import deadline_tasks_start, payroll_date_add
from accordo.testing.factories import AssignmentFactory, OrganisationFactory
from accordo.work.models import Task
from accordo.work.services import task_create

CTX = RequestContext.system("test")
YEARS = (2025, 2026)


def _generate(organisation):
    return services.calendar_generate(actor=None, ctx=CTX, organisation=organisation, years=YEARS)


def _due(organisation, kind, period_start):
    return OrganisationDeadline.objects.get(organisation=organisation, kind=kind, period_start=period_start).due_date


def _firm(**fields):
    firm = firm_get()
    for name, value in fields.items():
        setattr(firm, name, value)
    firm.save()
    return firm


def test_it_uses_the_firms_extension_scheme_for_income_and_corporate_tax(organisation):
    person = OrganisationFactory(kind="person", legal_form="person", vat_frequency="none")
    _generate(person)
    _generate(organisation)
    assert _due(person, "income_tax_return", date(2025, 1, 1)) == date(2026, 5, 1)
    assert _due(organisation, "corporate_tax_return", date(2025, 1, 1)) == date(2026, 5, 31)
    _firm(extension_scheme=True)
    _generate(person)
    _generate(organisation)
    assert _due(person, "income_tax_return", date(2025, 1, 1)) == date(2027, 5, 1)
    assert _due(organisation, "corporate_tax_return", date(2025, 1, 1)) == date(2027, 5, 1)


def test_it_uses_the_firms_date_for_yearly_vat(db):
    organisation = OrganisationFactory(vat_frequency="yearly")
    _generate(organisation)
    assert _due(organisation, "vat_return", date(2025, 1, 1)) == date(2026, 3, 31)
    _firm(nl_yearly_vat_due_month=6, nl_yearly_vat_due_day=30)
    _generate(organisation)
    assert _due(organisation, "vat_return", date(2025, 1, 1)) == date(2026, 6, 30)


def test_it_gives_payroll_deadlines_to_organisations_with_employees_only(organisation):
    PayrollDate.objects.create(period_start=date(2026, 1, 1), due_date=date(2026, 2, 28))
    PayrollDate.objects.create(period_start=date(2026, 2, 1), due_date=date(2026, 3, 31))
    _generate(organisation)
    assert not organisation.deadlines.filter(kind="payroll_tax_return").exists()
    organisation.has_payroll = True
    organisation.save()
    _generate(organisation)
    rows = list(organisation.deadlines.filter(kind="payroll_tax_return").values_list("period_end", "due_date"))
    assert rows == [(date(2026, 1, 31), date(2026, 2, 28)), (date(2026, 2, 28), date(2026, 3, 31))]


def test_it_regenerates_calendars_when_the_firm_or_its_payroll_dates_change(firm_admin, organisation):
    organisation.has_payroll = True
    organisation.save()
    _generate(organisation)
    dispatch_events()
    firm = firm_get()
    client_services.firm_update(actor=firm_admin, ctx=CTX, firm=firm, changes={"extension_scheme": True})
    payroll_date_add(actor=firm_admin, ctx=CTX, period_start=date(2026, 3, 1), due_date=date(2026, 4, 30))
    dispatch_events()
    this_year = date.today().year
    assert _due(organisation, "corporate_tax_return", date(this_year - 1, 1, 1)) == date(this_year + 1, 5, 1)
    assert organisation.deadlines.filter(kind="payroll_tax_return", due_date=date(2026, 4, 30)).exists() == (
        this_year - 1 <= 2026 <= this_year + 1
    )
    assert Event.objects.filter(verb="payroll_dates.changed").count() == 1


def test_it_refuses_bad_payroll_dates(firm_admin, accountant):
    with pytest.raises(ValidationError):
        payroll_date_add(actor=firm_admin, ctx=CTX, period_start=date(2026, 3, 1), due_date=date(2026, 2, 1))
    with pytest.raises(ValidationError):
        payroll_date_add(actor=firm_admin, ctx=CTX, period_start=date(2026, 3, 1), due_date=date(2026, 12, 1))
    payroll_date_add(actor=firm_admin, ctx=CTX, period_start=date(2026, 3, 1), due_date=date(2026, 4, 30))
    with pytest.raises(ValidationError):
        payroll_date_add(actor=firm_admin, ctx=CTX, period_start=date(2026, 3, 1), due_date=date(2026, 4, 29))
    with pytest.raises(PermissionError):
        payroll_date_add(actor=accountant, ctx=CTX, period_start=date(2026, 4, 1), due_date=date(2026, 5, 31))
    assert PayrollDate.objects.count() == 1


def test_it_enters_and_removes_payroll_dates_on_the_page(client, firm_admin):
    client.force_login(firm_admin)
    url = reverse("deadlines:payroll_dates")
    assert client.get(url).status_code == 200
    response = client.post(url, {"period_start": "2026-05-01", "due_date": "2026-06-30"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "2026" in page and PayrollDate.objects.count() == 1
    bad = client.post(url, {"period_start": "2026-06-01", "due_date": "2026-05-01"})
    assert bad.status_code == 400 and PayrollDate.objects.count() == 1
    assert client.post(url, {"period_start": "nope", "due_date": ""}).status_code == 400
    remove = reverse("deadlines:payroll_date_delete", args=[PayrollDate.objects.get().public_id])
    assert client.get(remove).status_code == 405
    assert client.post(remove).status_code == 302 and not PayrollDate.objects.exists()
    assert client.post(remove).status_code == 404
    assert Event.objects.filter(verb="payroll_dates.changed").count() == 2


def test_it_leaves_objection_deadlines_alone_when_regenerating(organisation):
    _generate(organisation)
    OrganisationDeadline.objects.create(
        organisation=organisation,
        kind="objection",
        period_start=date(2026, 3, 2),
        period_end=date(2026, 3, 2),
        due_date=date(2026, 4, 13),
        source="assessment-1",
        title="Bezwaartermijn aanslag Vpb 2024",
    )
    organisation.vat_frequency = "monthly"
    organisation.save()
    _generate(organisation)
    row = organisation.deadlines.get(kind="objection")
    assert row.title == "Bezwaartermijn aanslag Vpb 2024"
    calendar = selectors.organisation_calendar(organisation, today=date(2026, 4, 1))
    assert "Bezwaartermijn aanslag Vpb 2024" in [r.label for r in calendar.upcoming]


def test_it_starts_a_task_ahead_of_each_deadline_once(organisation, accountant):
    AssignmentFactory(organisation=organisation, user=accountant, role="accountant")
    _generate(organisation)
    today = date(2026, 4, 10)
    assert deadline_tasks_start(today=today) == 0  # the firm starts none by default
    _firm(deadline_task_days_ahead=30)
    made = deadline_tasks_start(today=today)
    due = set(
        OrganisationDeadline.objects.filter(
            organisation=organisation, due_date__gte=today, due_date__lte=today + datetime.timedelta(days=30)
        ).values_list("kind", "period_start")
    )
    assert made == len(due) == 2  # Q1 VAT and ICP, due 30 April
    tasks = list(Task.objects.filter(organisation=organisation).order_by("title"))
    assert {t.assignee for t in tasks} == {accountant}
    assert {t.due_date for t in tasks} == {date(2026, 4, 30)}
    assert tasks[0].title.startswith("Aangifte") or "30 april 2026" in tasks[0].title
    assert deadline_tasks_start(today=today) == 0
    assert deadline_tasks_start(today=today + datetime.timedelta(days=1)) == 0
    assert DeadlineTask.objects.count() == 2
    assert Event.objects.filter(verb="task.created").count() == 2


def test_it_puts_tasks_and_objection_deadlines_in_the_feed(client, client_owner, accountant, organisation):
    _generate(organisation)
    today = date.today()
    OrganisationDeadline.objects.create(
        organisation=organisation,
        kind="objection",
        period_start=today,
        period_end=today,
        due_date=today + datetime.timedelta(days=42),
        source="a1",
        title="Bezwaartermijn aanslag IB",
    )
    mine = task_create(
        actor=accountant,
        ctx=CTX,
        title="Lever de bankafschriften aan",
        organisation=organisation,
        assignee=client_owner,
        for_client=True,
        due_date=today + datetime.timedelta(days=3),
    )
    task_create(actor=accountant, ctx=CTX, title="Interne controle", organisation=organisation, due_date=today)
    feed = services.calendar_feed_create(actor=client_owner, ctx=CTX)
    body = client.get(reverse("deadlines:feed", args=[feed.public_id, selectors.feed_token(feed)])).content.decode()
    lines = body.replace("\r\n ", "").split("\r\n")
    assert f"UID:task-{mine.public_id}@127.0.0.1" in lines
    assert any(line.startswith("SUMMARY:Lever de bankafschriften aan · ") for line in lines)
    assert "Interne controle" not in body  # a staff task is not the client's
    assert any(line.startswith("SUMMARY:Bezwaartermijn aanslag IB · ") for line in lines)
    assert any(line.startswith("UID:") and line.endswith("-a1@127.0.0.1") for line in lines)
    staff_feed = services.calendar_feed_create(actor=accountant, ctx=CTX)
    staff_body = client.get(
        reverse("deadlines:feed", args=[staff_feed.public_id, selectors.feed_token(staff_feed)])
    ).content.decode()
    assert "Lever de bankafschriften" not in staff_body
