"""The staff's daily digest: one e-mail a day listing a person's overdue and coming tasks."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from accordo.clients.selectors import firm_get
from accordo.core.models import Event
from accordo.testing.factories import StaffFactory
from accordo.work import services_reminders as reminders
from accordo.work.models import ReminderSent, Task

TODAY = datetime.date(2026, 11, 30)


def _task(title, due, assignee, organisation=None, status=Task.Status.OPEN):
    return Task.objects.create(title=title, due_date=due, assignee=assignee, organisation=organisation, status=status)


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def english_accountant(accountant):
    accountant.language = "en"
    accountant.save(update_fields=["language"])
    return accountant


def test_it_lists_overdue_first_then_today_then_the_week(
    english_accountant, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    firm = firm_get()
    firm.email_signature = "Kantoor Test"
    firm.save()
    _task("Soon", _days(3), english_accountant, organisation)
    _task("Today", TODAY, english_accountant)
    _task("Long overdue", _days(-40), english_accountant, organisation)
    _task("Too far", _days(8), english_accountant)
    _task("Finished", _days(-1), english_accountant, status=Task.Status.DONE)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.digests_send(today=TODAY) == 1
    (mail,) = mailoutbox
    assert mail.to == ["accountant@firm.test"]
    assert mail.subject == "Your work: 3 open tasks · 1 overdue"
    body = mail.body
    assert body.index("Long overdue") < body.index("Today") < body.index("Soon")
    assert "Too far" not in body and "Finished" not in body
    assert "1 task is overdue, 1 is due today, 1 is due in the next 7 days" in body
    assert "Bakkerij Test B.V." in body and "Kantoor Test" in body
    assert reverse("work:board") in body
    assert firm.primary_color in mail.alternatives[0][0]
    event = Event.objects.get(verb="digest.sent")
    assert event.actor is None and event.organisation is None
    assert event.data["overdue"] == 1 and event.data["today"] == 1 and event.data["soon"] == 1


def test_it_sends_once_a_day(english_accountant, mailoutbox, django_capture_on_commit_callbacks):
    _task("Today", TODAY, english_accountant)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.digests_send(today=TODAY) == 1
        assert reminders.digests_send(today=TODAY) == 0
        assert reminders.digests_send(today=_days(1)) == 1
    assert len(mailoutbox) == 2
    assert ReminderSent.objects.filter(key__startswith="digest:").count() == 2


def test_it_sends_nothing_to_people_without_due_work(accountant, firm_admin, client_owner, mailoutbox):
    _task("Far away", _days(30), accountant)
    _task("Done", TODAY, firm_admin, status=Task.Status.DONE)
    _task("A client's", TODAY, client_owner)  # client users get reminders, not the digest
    inactive = StaffFactory(email="gone@firm.test", is_active=False)
    _task("Left the firm", TODAY, inactive)
    assert reminders.digests_send(today=TODAY) == 0
    assert not mailoutbox and not Event.objects.filter(verb="digest.sent").exists()


def test_it_writes_each_digest_in_its_readers_language(
    accountant, firm_admin, mailoutbox, django_capture_on_commit_callbacks
):
    accountant.language = "en"
    accountant.save(update_fields=["language"])
    firm_admin.language = "fr"
    firm_admin.save(update_fields=["language"])
    for person in (accountant, firm_admin):
        _task("Overdue", _days(-2), person)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.digests_send(today=TODAY) == 2
    by_person = {m.to[0]: m for m in mailoutbox}
    for email, language in (("accountant@firm.test", "en"), ("admin@firm.test", "fr")):
        with translation.override(language):
            due = date_format(_days(-2), "DATE_FORMAT")
        assert due in by_person[email].body and due in by_person[email].alternatives[0][0]


def test_it_reads_all_tasks_in_one_query_whatever_the_number_of_people(db):
    def queries(people: int) -> int:
        Task.objects.all().delete()
        ReminderSent.objects.all().delete()
        for n in range(people):
            staff = StaffFactory(email=f"staff{n}-{people}@firm.test")
            _task("One", TODAY, staff)
            _task("Two", _days(-1), staff)
        with CaptureQueriesContext(connection) as captured:
            reminders.digests_send(today=TODAY)
        return len([q for q in captured.captured_queries if 'FROM "work_task"' in q["sql"]])

    assert queries(2) == queries(6) == 1


def test_the_daily_job_sends_the_digest_in_the_morning(
    english_accountant, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    from accordo.work import tasks_reminders

    _task("Today", timezone.localdate(), english_accountant)
    monkeypatch.setattr(tasks_reminders, "local_hour", lambda: 23)
    tasks_reminders.staff_digest.call_local()
    assert not mailoutbox  # not at night
    monkeypatch.setattr(tasks_reminders, "local_hour", lambda: 6)
    with django_capture_on_commit_callbacks(execute=True):
        tasks_reminders.staff_digest.call_local()
        tasks_reminders.staff_digest.call_local()
    assert len(mailoutbox) == 1
