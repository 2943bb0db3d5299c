"""The reminder schedule pages (/staff/reminders/): firm administrators only, validated, recorded."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accordo.clients.selectors import firm_get
from accordo.core import pagecache
from accordo.core.models import Event
from accordo.work.models import ReminderSchedule

SCHEDULES = importlib.import_module("accordo.work.migrations.0004_default_reminder_schedules")


@pytest.fixture(autouse=True)
def _schedules(db):
    SCHEDULES.forwards(apps, None)


@pytest.fixture
def as_admin(client, firm_admin):
    firm_admin.language = "en"
    firm_admin.save(update_fields=["language"])
    client.force_login(firm_admin)
    return client


@pytest.fixture
def task_schedule():
    return ReminderSchedule.objects.get(kind="client_task")


def _post(client, schedule, **data):
    body = {"days_before": "7, 1", "days_after": "1", "repeat_every_days": "7", "active": "on", **data}
    return client.post(reverse("reminders:schedule", args=[schedule.public_id]), body)


def test_it_lists_every_kind_with_its_schedule(as_admin):
    response = as_admin.get(reverse("reminders:schedules"))
    text = response.content.decode()
    assert response.status_code == 200
    for label in ("Approvals", "Tasks for clients", "Document requests", "Questionnaires"):
        assert label in text
    assert "7, 1" in text and "nothing is sent yet" in text


def test_it_saves_a_schedule_and_records_old_and_new(as_admin, firm_admin, task_schedule):
    response = _post(as_admin, task_schedule, days_before="14; 3 1", days_after="2, 5", repeat_every_days="10")
    assert response.status_code == 302 and response["Location"] == reverse("reminders:schedules")
    task_schedule.refresh_from_db()
    assert (task_schedule.days_before, task_schedule.days_after, task_schedule.repeat_every_days) == (
        [14, 3, 1], [2, 5], 10
    )  # fmt: skip
    event = Event.objects.get(verb="reminder_schedule.updated")
    assert event.actor == firm_admin and event.target_id == str(task_schedule.public_id)
    assert event.data["old"]["days_before"] == [7, 1] and event.data["new"]["days_before"] == [14, 3, 1]


def test_it_switches_a_schedule_off(as_admin, task_schedule):
    body = {"days_before": "7, 1", "days_after": "1", "repeat_every_days": "7"}
    as_admin.post(reverse("reminders:schedule", args=[task_schedule.public_id]), body)
    task_schedule.refresh_from_db()
    assert task_schedule.active is False
    assert Event.objects.get(verb="reminder_schedule.updated").data["new"]["active"] is False


def test_saving_the_same_values_records_nothing(as_admin, task_schedule):
    assert _post(as_admin, task_schedule).status_code == 302
    assert not Event.objects.filter(verb="reminder_schedule.updated").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"days_before": "7, x"}, "whole numbers of days from 0 to 365"),
        ({"days_before": "-1"}, "whole numbers of days from 0 to 365"),
        ({"days_after": "366"}, "from 0 to 365"),
        ({"days_before": "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11"}, "at most 10"),
        ({"days_after": "1, 1"}, "only once"),
        ({"repeat_every_days": "400"}, "less than or equal to 365"),
        ({"repeat_every_days": ""}, "This field is required"),
        ({"days_before": "1.5"}, "whole numbers"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(as_admin, task_schedule, data, message):
    response = _post(as_admin, task_schedule, **data)
    assert response.status_code == 400 and message in response.content.decode()
    task_schedule.refresh_from_db()
    assert (task_schedule.days_before, task_schedule.days_after, task_schedule.repeat_every_days) == ([7, 1], [1], 7)
    assert not Event.objects.filter(verb="reminder_schedule.updated").exists()


def test_staff_who_are_not_admins_get_404(client, accountant, task_schedule):
    client.force_login(accountant)
    assert client.get(reverse("reminders:schedules")).status_code == 404
    assert _post(client, task_schedule, days_before="1").status_code == 404
    task_schedule.refresh_from_db()
    assert task_schedule.days_before == [7, 1]


def test_an_unknown_schedule_is_404(as_admin):
    url = reverse("reminders:schedule", args=["00000000-0000-0000-0000-000000000000"])
    assert as_admin.get(url).status_code == 404


def test_wrong_methods_are_405(as_admin, task_schedule):
    assert as_admin.post(reverse("reminders:schedules")).status_code == 405
    assert as_admin.delete(reverse("reminders:schedule", args=[task_schedule.public_id])).status_code == 405


def test_the_list_page_takes_a_constant_number_of_queries(as_admin):
    def count() -> int:
        as_admin.get(reverse("reminders:schedules"))  # warm the session and the firm's cache
        with pagecache.bypassed(), CaptureQueriesContext(connection) as captured:
            assert as_admin.get(reverse("reminders:schedules")).status_code == 200
        return len(captured)

    firm_get()  # the firm exists before the first page, as it does in a running installation
    four = count()
    ReminderSchedule.objects.filter(kind__in=["questionnaire", "document_request"]).delete()
    assert count() == four


def test_the_service_refuses_non_admins(accountant, task_schedule):
    from accordo.core.context import RequestContext
    from accordo.work.services_reminders import reminder_schedule_update

    with pytest.raises(PermissionError):
        reminder_schedule_update(
            actor=accountant, ctx=RequestContext(), schedule=task_schedule, days_before=[1], days_after=[],
            repeat_every_days=0, active=True,
        )  # fmt: skip
