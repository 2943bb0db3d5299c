"""Returns and assessments through their services: events, the state machine, tolerance, deadlines."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accordo.clients.selectors import firm_get
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.core.tasks import dispatch_events
from accordo.deadlines.models import OrganisationDeadline
from accordo.filings import services
from accordo.filings.models import Assessment, ReturnStatus, TaxReturn
from accordo.filings.services import ReturnStateError
from accordo.work.models import Task

CTX = RequestContext(ip="192.0.2.1", user_agent="test")
D = datetime.date


def record(actor, tax_return, amount: str, dagtekening=D(2026, 3, 18), kind="final"):
    return services.assessment_record(
        actor=actor, ctx=CTX, tax_return=tax_return, kind=kind, amount=Decimal(amount), dagtekening=dagtekening,
        number="1234.56.789.H.56",
    )  # fmt: skip


def test_it_creates_a_return_for_a_period_label_and_records_it(accountant, organisation):
    tax_return = services.return_create(
        actor=accountant, ctx=CTX, organisation=organisation, type="ob", period="2026 K2", amount=Decimal("12.50")
    )
    assert (tax_return.period, tax_return.period_start, tax_return.period_end) == (
        "2026-Q2",
        D(2026, 4, 1),
        D(2026, 6, 30),
    )
    assert tax_return.status == ReturnStatus.IN_PREPARATION
    event = Event.objects.get(verb="return.created")
    assert event.actor == accountant and event.data["period"] == "2026-Q2" and event.organisation == organisation


def test_it_refuses_a_second_return_for_the_same_period_and_a_bad_period(accountant, organisation, ib_return):
    with pytest.raises(ValidationError, match="already has a return"):
        services.return_create(actor=accountant, ctx=CTX, organisation=organisation, type="ib", period="2025")
    with pytest.raises(ValidationError, match="Enter the period"):
        services.return_create(actor=accountant, ctx=CTX, organisation=organisation, type="ib", period="last year")
    assert TaxReturn.objects.count() == 1 and not Event.objects.filter(verb="return.created").exists()


def test_it_refuses_clients(client_owner, organisation):
    with pytest.raises(PermissionError):
        services.return_create(actor=client_owner, ctx=CTX, organisation=organisation, type="ib", period="2025")


@pytest.mark.parametrize(
    ("start", "target"),
    [("in_preparation", "for_approval"), ("in_preparation", "submitted"), ("for_approval", "approved"),
     ("for_approval", "in_preparation"), ("approved", "submitted")],
)  # fmt: skip
def test_it_moves_a_return_along_the_allowed_transitions(accountant, ib_return, start, target):
    TaxReturn.objects.filter(pk=ib_return.pk).update(status=start, submitted_on=None)
    moved = services.return_move(actor=accountant, ctx=CTX, tax_return=ib_return, status=target)
    assert moved.status == target
    assert Event.objects.get(verb="return.status_changed").data == {"from": start, "to": target}
    assert (moved.submitted_on is not None) == (target == "submitted")


@pytest.mark.parametrize(
    ("start", "target"),
    [("in_preparation", "assessed"), ("in_preparation", "approved"), ("submitted", "in_preparation"),
     ("assessed", "submitted"), ("approved", "for_approval"), ("submitted", "nonsense")],
)  # fmt: skip
def test_it_refuses_other_transitions(accountant, ib_return, start, target):
    TaxReturn.objects.filter(pk=ib_return.pk).update(status=start)
    with pytest.raises(ReturnStateError, match="cannot become"):
        services.return_move(actor=accountant, ctx=CTX, tax_return=ib_return, status=target)
    ib_return.refresh_from_db()
    assert ib_return.status == start and not Event.objects.filter(verb="return.status_changed").exists()


@pytest.mark.parametrize(
    ("amount", "conform"),
    [("1000.00", True), ("1010.00", True), ("990.00", True), ("1010.01", False), ("989.99", False), ("0", False)],
)
def test_it_compares_with_the_firms_tolerance_inclusive(accountant, ib_return, amount, conform):
    assert firm_get().assessment_tolerance == Decimal("10.00")
    assessment = record(accountant, ib_return, amount)
    assert assessment.difference == Decimal(amount) - Decimal("1000.00")
    assert (assessment.outcome == "conform") == conform
    verbs = list(Event.objects.filter(verb__startswith="assessment.").values_list("verb", flat=True))
    assert verbs == ["assessment.recorded", "assessment.conform" if conform else "assessment.not_conform"]


def test_a_conform_assessment_approves_and_assesses_the_return_and_mails_the_client(
    accountant, ib_return, client_owner, client_viewer
):
    client_owner.language = client_viewer.language = "en"
    client_owner.save(update_fields=["language"])
    client_viewer.save(update_fields=["language"])
    assessment = record(accountant, ib_return, "1005.00")
    ib_return.refresh_from_db()
    assert assessment.status == Assessment.Status.APPROVED and assessment.objection_due is None
    assert ib_return.status == ReturnStatus.ASSESSED
    assert not OrganisationDeadline.objects.filter(kind="objection").exists()
    mail.outbox.clear()
    dispatch_events.call_local()
    assert sorted(m.to[0] for m in mail.outbox) == ["owner@client.test", "viewer@client.test"]
    message = mail.outbox[0]
    assert "matches the return" in message.body and "1,005.00" in message.body  # the reader's language: English
    assert message.subject == "Assessment received: Income tax return (IB) 2025"


def test_a_not_conform_assessment_puts_the_objection_deadline_in_the_calendar(accountant, ib_return, client_owner):
    assessment = record(accountant, ib_return, "1500.00", dagtekening=D(2026, 3, 16))
    ib_return.refresh_from_db()
    assert assessment.status == Assessment.Status.UNDER_REVIEW
    assert assessment.objection_due == D(2026, 4, 28)  # 27 April is King's Day
    assert ib_return.status == ReturnStatus.SUBMITTED  # unchanged: the firm reviews it
    deadline = OrganisationDeadline.objects.get(kind="objection")
    assert (deadline.organisation, deadline.period_start, deadline.period_end, deadline.due_date) == (
        ib_return.organisation,
        D(2026, 3, 16),
        D(2026, 3, 16),
        D(2026, 4, 28),
    )
    assert deadline.source == str(assessment.public_id) and deadline.title == "Bezwaartermijn aanslag IB 2025"
    assert Event.objects.get(verb="assessment.not_conform").data["objection_due"] == "2026-04-28"


def test_it_mails_what_happens_next_in_the_recipients_language(accountant, ib_return, client_owner):
    client_owner.language = "nl"
    client_owner.save(update_fields=["language"])
    record(accountant, ib_return, "1500.00", dagtekening=D(2026, 3, 16))
    mail.outbox.clear()
    dispatch_events.call_local()
    [message] = mail.outbox
    assert message.to == ["owner@client.test"]
    assert "28 april 2026" in message.body  # the deadline in Dutch
    assert "/portal/filings/" in message.body


def test_a_belgian_client_gets_the_belgian_term(accountant, ib_return):
    ib_return.organisation.country = "BE"
    ib_return.organisation.save(update_fields=["country"])
    assessment = record(accountant, ib_return, "2000.00", dagtekening=D(2026, 6, 1))
    assert assessment.objection_due == D(2027, 6, 4)


def test_it_refuses_an_assessment_of_a_return_without_amount(accountant, ib_return):
    TaxReturn.objects.filter(pk=ib_return.pk).update(amount=None)
    ib_return.refresh_from_db()
    with pytest.raises(ReturnStateError, match="amount of the return"):
        record(accountant, ib_return, "1.00")
    assert not Assessment.objects.exists() and not Event.objects.filter(verb__startswith="assessment.").exists()


def test_a_not_conform_assessment_becomes_a_task_for_the_tax_advisor(accountant, ib_return, tax_advisor):
    """The default signal rule (data migration) on the rules consumer, which starts at the newest event."""
    dispatch_events.call_local()  # the rules consumer's offset starts here
    record(accountant, ib_return, "1500.00")
    dispatch_events.call_local()
    task = Task.objects.get()
    assert task.title == "Beoordeel de aanslag en dien zo nodig bezwaar in"
    assert task.assignee == tax_advisor and task.organisation == ib_return.organisation
    assert task.source_event == Event.objects.get(verb="assessment.not_conform")
    record(accountant, ib_return, "1000.00", dagtekening=D(2026, 3, 20))
    dispatch_events.call_local()
    assert Task.objects.count() == 1  # a conform one makes no task


def test_it_changes_the_amount(accountant, ib_return):
    services.return_update(actor=accountant, ctx=CTX, tax_return=ib_return, amount=Decimal("-250.00"))
    ib_return.refresh_from_db()
    assert ib_return.amount == Decimal("-250.00")
    assert Event.objects.get(verb="return.updated").data == {"amount": ["1000.00", "-250.00"]}


def test_refunds_compare_the_same_way(accountant, ib_return):
    TaxReturn.objects.filter(pk=ib_return.pk).update(amount=Decimal("-300.00"))
    ib_return.refresh_from_db()
    assert record(accountant, ib_return, "-310.00").outcome == "conform"
    assert record(accountant, ib_return, "-310.01", dagtekening=D(2026, 3, 19)).outcome == "not_conform"
