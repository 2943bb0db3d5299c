"""Reminders on the firm's schedules: which due dates a day reminds, tasks for clients, approvals."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from accordo.approvals import services as approval_services
from accordo.approvals.models import Approval, Decider, Reminder
from accordo.clients.models import Tier
from accordo.clients.selectors import firm_get
from accordo.core.models import Event
from accordo.testing.factories import MembershipFactory, UserFactory
from accordo.work import services_reminders as reminders
from accordo.work.models import ReminderSchedule, ReminderSent, Task
from accordo.work.services_reminders import Rules, candidate_due_dates, latest_point

SCHEDULES = importlib.import_module("accordo.work.migrations.0004_default_reminder_schedules")
TASK_RULES = Rules((7, 1), (1,), 7)
D = datetime.date.fromisoformat


@pytest.fixture(autouse=True)
def _schedules(db):
    """The default schedules, also after a live-server test emptied the table."""
    SCHEDULES.forwards(apps, None)


def _task(organisation, due, *, assignee=None, made_days_ago=30, status=Task.Status.OPEN, for_client=True):
    task = Task.objects.create(
        title="Lever de bankafschriften aan", organisation=organisation, for_client=for_client, due_date=due,
        assignee=assignee, status=status,
    )  # fmt: skip
    Task.objects.filter(pk=task.pk).update(created_at=timezone.now() - datetime.timedelta(days=made_days_ago))
    task.refresh_from_db()
    return task


def _english(*people):
    for person in people:
        person.language = "en"
        person.save(update_fields=["language"])


# --- The points of a schedule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "today", "label"),
    [
        ("2026-03-20", "2026-03-12", None),
        ("2026-03-20", "2026-03-13", "before:7"),
        ("2026-03-20", "2026-03-18", "before:7"),
        ("2026-03-20", "2026-03-19", "before:1"),
        ("2026-03-20", "2026-03-20", "before:1"),
        ("2026-03-20", "2026-03-21", "after:1"),
        ("2026-03-20", "2026-03-27", "after:1"),
        ("2026-03-20", "2026-03-28", "repeat:2026-03-28"),
        ("2026-03-20", "2026-04-04", "repeat:2026-04-04"),
        ("2026-03-20", "2026-04-05", "repeat:2026-04-04"),
        # Across a month and a year boundary.
        ("2026-12-31", "2026-12-24", "before:7"),
        ("2027-01-03", "2026-12-27", "before:7"),
        ("2026-02-28", "2026-03-01", "after:1"),
        ("2026-01-31", "2026-02-08", "repeat:2026-02-08"),
    ],
)
def test_it_finds_the_latest_point_of_the_schedule(due, today, label):
    point = latest_point(TASK_RULES, D(due), D(today))
    assert (point.label if point else None) == label


def test_it_stops_repeating_after_two_years():
    due = D("2024-01-01")
    assert latest_point(TASK_RULES, due, D("2026-06-01")).date <= due + datetime.timedelta(days=730)


@pytest.mark.parametrize("today", ["2026-03-01", "2026-12-31", "2026-01-01", "2028-02-29"])
def test_it_selects_exactly_the_due_dates_with_a_point_today_or_yesterday(today):
    today = D(today)
    dates = set(candidate_due_dates(TASK_RULES, today))
    window = {today, today - datetime.timedelta(days=1)}
    # Every due date in four years around today: a candidate exactly when it has a point in the window.
    for offset in range(-800, 800):
        due = today + datetime.timedelta(days=offset)
        point = latest_point(TASK_RULES, due, today)
        assert (due in dates) == (point is not None and point.date in window), due


def test_it_needs_no_repeat_for_an_empty_schedule():
    assert candidate_due_dates(Rules(), D("2026-03-01")) == []
    assert candidate_due_dates(Rules((), (), 30), D("2026-03-01"))[-1] == D("2026-01-30")


# --- Tasks for clients --------------------------------------------------------------------------


def test_it_reminds_the_assigned_client_user_once(
    organisation, client_owner, mailoutbox, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    _english(client_owner)
    firm = firm_get()
    firm.email_signature = "Kantoor Test\nUtrecht"
    firm.save()
    task = _task(organisation, today + datetime.timedelta(days=7), assignee=client_owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.client_tasks_remind_due(today=today).sent == 1
        assert reminders.client_tasks_remind_due(today=today).sent == 0
    key = f"client_task:{task.public_id}:{task.due_date.isoformat()}:before:7"
    assert list(ReminderSent.objects.values_list("key", flat=True)) == [key]
    event = Event.objects.get(verb="task.reminded")
    assert event.target_id == str(task.public_id) and event.organisation == organisation
    assert event.data["recipients"] == ["owner@client.test"] and event.data["key"] == key
    (mail,) = mailoutbox
    assert mail.to == ["owner@client.test"] and "is waiting for you" in mail.subject
    assert "Lever de bankafschriften aan" in mail.body and "Kantoor Test" in mail.body
    assert reverse("work_portal:tasks", args=[organisation.public_id]) in mail.body
    html = mail.alternatives[0][0]
    assert firm.primary_color in html and "Lever de bankafschriften aan" in html


def test_it_writes_in_the_recipients_language(
    organisation, client_owner, mailoutbox, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    client_owner.language = "nl"
    client_owner.save(update_fields=["language"])
    _task(organisation, today - datetime.timedelta(days=1), assignee=client_owner)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.client_tasks_remind_due(today=today)
    (mail,) = mailoutbox
    with translation.override("nl"):
        dutch = date_format(timezone.localdate() - datetime.timedelta(days=1), "DATE_FORMAT")
    assert dutch in mail.body and dutch in mail.alternatives[0][0]


def test_it_reminds_the_acting_portal_users_of_an_unassigned_task(
    organisation, client_owner, client_viewer, mailoutbox, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    approver = UserFactory(email="approver@client.test", language="en")
    MembershipFactory(user=approver, organisation=organisation, role="approver")
    _task(organisation, today - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.client_tasks_remind_due(today=today).sent == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["approver@client.test", "owner@client.test"]
    assert "overdue" in next(m for m in mailoutbox if m.to == ["approver@client.test"]).subject


def test_a_former_member_is_not_told_the_acting_members_are(
    organisation, client_owner, client_viewer, outsider, mailoutbox, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    _task(organisation, today - datetime.timedelta(days=1), assignee=outsider)  # no membership (any more)
    _task(organisation, today + datetime.timedelta(days=1), assignee=client_viewer)  # a viewer, but assigned
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.client_tasks_remind_due(today=today).sent == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["owner@client.test", "viewer@client.test"]


def test_one_failing_mail_does_not_hold_back_the_others(
    transactional_db, organisation, other_organisation, client_owner, other_member, mailoutbox, monkeypatch
):
    """Committing for real: the mails are commit hooks of the group's transaction."""
    today = timezone.localdate()
    _task(organisation, today - datetime.timedelta(days=1))
    _task(other_organisation, today - datetime.timedelta(days=1))
    render = reminders.mail_render

    def fussy(*, to, **kwargs):
        if to == ["owner@client.test"]:
            raise RuntimeError("template trouble")
        return render(to=to, **kwargs)

    monkeypatch.setattr(reminders, "mail_render", fussy)
    assert reminders.client_tasks_remind_due(today=today).sent == 2
    assert [m.to for m in mailoutbox] == [["member@other.test"]]


def test_it_sends_nothing_to_a_client_without_a_portal(organisation, client_owner, mailoutbox):
    organisation.tier = Tier.COLLABORATE
    organisation.save()
    _task(organisation, timezone.localdate() - datetime.timedelta(days=1))
    assert reminders.client_tasks_remind_due().sent == 0 and not ReminderSent.objects.exists()


def test_it_skips_done_staff_and_undated_tasks_and_other_days(organisation, client_owner, accountant):
    today = timezone.localdate()
    _task(organisation, today + datetime.timedelta(days=1), status=Task.Status.DONE)
    _task(organisation, today + datetime.timedelta(days=1), for_client=False, assignee=accountant)
    _task(organisation, None)
    _task(organisation, today + datetime.timedelta(days=3))
    result = reminders.client_tasks_remind_due(today=today)
    assert (result.sent, result.candidates) == (0, 0)


def test_it_skips_a_point_on_or_before_the_day_the_task_was_made(organisation, client_owner):
    today = timezone.localdate()
    _task(organisation, today + datetime.timedelta(days=7), made_days_ago=0)
    assert reminders.client_tasks_remind_due(today=today).sent == 0


def test_it_catches_up_the_day_the_worker_was_down_but_no_further(organisation, client_owner):
    today = timezone.localdate()
    yesterdays = _task(organisation, today + datetime.timedelta(days=6))  # before:7 was yesterday
    _task(organisation, today + datetime.timedelta(days=5))  # before:7 was two days ago: not sent late
    assert reminders.client_tasks_remind_due(today=today).sent == 1
    assert ReminderSent.objects.get().target_id == str(yesterdays.public_id)


def test_it_starts_afresh_when_the_due_date_moves(organisation, client_owner):
    today = timezone.localdate()
    task = _task(organisation, today + datetime.timedelta(days=1))
    assert reminders.client_tasks_remind_due(today=today).sent == 1
    Task.objects.filter(pk=task.pk).update(due_date=today + datetime.timedelta(days=7))
    assert reminders.client_tasks_remind_due(today=today).sent == 1
    assert ReminderSent.objects.count() == 2


def test_an_inactive_schedule_reminds_nobody(organisation, client_owner):
    ReminderSchedule.objects.filter(kind="client_task").update(active=False)
    _task(organisation, timezone.localdate() - datetime.timedelta(days=1))
    assert reminders.client_tasks_remind_due().sent == 0


def test_a_key_claimed_by_another_worker_sends_nothing(organisation, client_owner, mailoutbox):
    """GIVEN another worker claimed the reminder between our read and our insert
    WHEN this worker tries to send it THEN it backs off: no event, no mail, no error."""
    today = timezone.localdate()
    task = _task(organisation, today - datetime.timedelta(days=1))
    key = f"client_task:{task.public_id}:{task.due_date.isoformat()}:after:1"
    ReminderSent.objects.create(key=key, kind="client_task")
    assert not reminders.task_remind(task=task, key=key, recipients=[client_owner], today=today)
    assert not Event.objects.filter(verb="task.reminded").exists() and not mailoutbox
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderSent.objects.create(key=key, kind="client_task")


def test_the_sweep_reads_only_the_candidates(organisation, client_owner):
    today = timezone.localdate()
    for offset in range(-60, 60):
        _task(organisation, today + datetime.timedelta(days=offset))
    with CaptureQueriesContext(connection) as queries:
        result = reminders.client_tasks_remind_due(today=today)
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "work_task"' in q["sql"]]
    assert len(reads) == 1 and "IN (" in reads[0]
    # Of today and yesterday: before 7 and 1 (4 dates), after 1 (2), the repeats 8, 15, ... 57 (16).
    assert result.candidates == 22 and result.sent == 22  # nothing went out yesterday: caught up
    assert reminders.client_tasks_remind_due(today=today).sent == 0


# --- Approvals on the firm's schedule -----------------------------------------------------------


def _approval(organisation, accountant, decider, due, *, offered_days_ago=30):
    approval = Approval.objects.create(
        organisation=organisation, type="ib", period="2025", title="Aangifte IB 2025", statement="Akkoord.",
        offered_by=accountant, status=Approval.Status.OFFERED, due_date=due,
    )  # fmt: skip
    Decider.objects.create(approval=approval, user=decider)
    Approval.objects.filter(pk=approval.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=offered_days_ago)
    )
    approval.refresh_from_db()
    return approval


def test_approvals_follow_the_default_schedule(organisation, accountant, client_owner):
    today = timezone.localdate()
    three_before = _approval(organisation, accountant, client_owner, today + datetime.timedelta(days=3))
    _approval(organisation, accountant, client_owner, today + datetime.timedelta(days=7))
    day_after = _approval(organisation, accountant, client_owner, today - datetime.timedelta(days=1))
    weekly = _approval(organisation, accountant, client_owner, today - datetime.timedelta(days=8))
    assert approval_services.approvals_remind_due(today=today) == 3
    assert approval_services.approvals_remind_due(today=today) == 0
    assert dict(Reminder.objects.values_list("approval_id", "key")) == {
        three_before.pk: "before-3",
        day_after.pk: "after-1",
        weekly.pk: "after-8",
    }


def test_a_changed_schedule_changes_the_approval_reminders(organisation, accountant, client_owner, firm_admin):
    today = timezone.localdate()
    ReminderSchedule.objects.filter(kind="approval").update(days_before=[5], days_after=[2], repeat_every_days=0)
    five_before = _approval(organisation, accountant, client_owner, today + datetime.timedelta(days=5))
    _approval(organisation, accountant, client_owner, today + datetime.timedelta(days=3))
    _approval(organisation, accountant, client_owner, today - datetime.timedelta(days=8))
    assert approval_services.approvals_remind_due(today=today) == 1
    assert Reminder.objects.get().approval_id == five_before.pk and Reminder.objects.get().key == "before-5"


def test_an_inactive_approval_schedule_sends_no_approval_reminders(organisation, accountant, client_owner):
    ReminderSchedule.objects.filter(kind="approval").update(active=False)
    _approval(organisation, accountant, client_owner, timezone.localdate() - datetime.timedelta(days=1))
    assert approval_services.approvals_remind_due() == 0 and not Reminder.objects.exists()


def test_the_hourly_job_reminds_approvals_and_tasks_in_one_place(organisation, accountant, client_owner):
    from accordo.approvals.tasks import approvals_sweep
    from accordo.work.tasks_reminders import reminders_sweep

    today = timezone.localdate()
    _approval(organisation, accountant, client_owner, today - datetime.timedelta(days=1))
    _task(organisation, today - datetime.timedelta(days=1))
    approvals_sweep.call_local()
    assert not Reminder.objects.exists()  # the approvals job only expires
    reminders_sweep.call_local()
    reminders_sweep.call_local()
    assert Reminder.objects.count() == 1 and ReminderSent.objects.count() == 1
