"""Reminders on the firm's schedules (SPEC §10): the schedules, one index-driven sweep per kind,
and the staff's daily digest.

A schedule names points relative to a due date: ``days_before`` (due − b), ``days_after`` (due + a)
and then every ``repeat_every_days`` after the last "after" point (or after the due date when there
is none), up to ``REPEAT_HORIZON_DAYS``. For a given "today" the due dates that have a point today
are a finite set, so a sweep reads only those rows (``due_date__in``), never the whole table.

A day the worker was down: the sweep also covers points of the ``CATCH_UP_DAYS`` days before today,
and sends each object at most one reminder — its latest point. A reminder missed for longer is not
sent late; the next point of the schedule goes out as usual.

Each reminder is claimed by a unique key (``ReminderSent`` for tasks and digests, approvals' own
``Reminder`` rows) in the transaction that records its event, so a second sweep or a second worker
sends nothing twice; mails go out after commit.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accordo.accounts.models import User
from accordo.clients.models import MemberRole, Membership
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.core.mail import mail_render, mail_send_later
from accordo.work.models import ReminderSchedule, ReminderSent, Task

Kind = ReminderSchedule.Kind

MAX_DAYS = 365
MAX_VALUES = 10
REPEAT_HORIZON_DAYS = 730
CATCH_UP_DAYS = 1
DIGEST_DAYS_AHEAD = 7
COMMIT_EVERY = 100
T = TypeVar("T")
OPEN_STATUSES = (Task.Status.OPEN, Task.Status.DOING, Task.Status.WAITING)
TASK_REMINDED_ROLES = (MemberRole.OWNER, MemberRole.APPROVER, MemberRole.CONTRIBUTOR)
DEFAULT_SCHEDULES: dict[str, dict[str, Any]] = {
    Kind.APPROVAL: {"days_before": [3], "days_after": [1], "repeat_every_days": 7},
    Kind.CLIENT_TASK: {"days_before": [7, 1], "days_after": [1], "repeat_every_days": 7},
    Kind.DOCUMENT_REQUEST: {"days_before": [7, 1], "days_after": [1], "repeat_every_days": 7},
    Kind.QUESTIONNAIRE: {"days_before": [7, 1], "days_after": [1], "repeat_every_days": 7},
}


@dataclass(frozen=True)
class Rules:
    """A schedule's points, as plain values (also for an unsaved or default schedule)."""

    before: tuple[int, ...] = ()
    after: tuple[int, ...] = ()
    every: int = 0

    @classmethod
    def of(cls, schedule: ReminderSchedule) -> Rules:
        return cls(tuple(schedule.days_before or ()), tuple(schedule.days_after or ()), schedule.repeat_every_days)

    @property
    def repeat_base(self) -> int:
        return max(self.after, default=0)


APPROVAL_DEFAULT = Rules((3,), (1,), 7)


@dataclass(frozen=True)
class Point:
    """One reminder of a due date: ``kind`` before/after/repeat, ``days`` after the due date (negative before)."""

    date: datetime.date
    kind: str
    days: int

    @property
    def label(self) -> str:
        if self.kind == "repeat":
            return f"repeat:{self.date.isoformat()}"
        return f"{self.kind}:{abs(self.days)}"


def latest_point(rules: Rules, due: datetime.date, today: datetime.date) -> Point | None:
    """The schedule's latest point on or before ``today`` for ``due``; None when none has come yet."""
    points = [Point(due - datetime.timedelta(days=b), "before", -b) for b in rules.before]
    points += [Point(due + datetime.timedelta(days=a), "after", a) for a in rules.after]
    points = [p for p in points if p.date <= today]
    base = rules.repeat_base
    if rules.every > 0:
        k = min((today - due).days - base, REPEAT_HORIZON_DAYS - base) // rules.every
        if k >= 1:
            offset = base + k * rules.every
            points.append(Point(due + datetime.timedelta(days=offset), "repeat", offset))
    return max(points, key=lambda p: (p.date, p.kind != "before"), default=None)


def candidate_due_dates(rules: Rules, today: datetime.date, catch_up: int = CATCH_UP_DAYS) -> list[datetime.date]:
    """Every due date with a point in ``[today − catch_up, today]``: a finite, index-friendly set."""
    dates: set[datetime.date] = set()
    for back in range(catch_up + 1):
        day = today - datetime.timedelta(days=back)
        dates.update(day + datetime.timedelta(days=b) for b in rules.before)
        dates.update(day - datetime.timedelta(days=a) for a in rules.after)
        if rules.every > 0:
            offset = rules.repeat_base + rules.every
            while offset <= REPEAT_HORIZON_DAYS:
                dates.add(day - datetime.timedelta(days=offset))
                offset += rules.every
    return sorted(dates)


def due_point(rules: Rules, due: datetime.date, today: datetime.date, created: datetime.datetime) -> Point | None:
    """The point to send now: the latest one, if it lies in the catch-up window and after the day the
    object was made (its own first mail told the client already)."""
    point = latest_point(rules, due, today)
    if point is None or point.date < today - datetime.timedelta(days=CATCH_UP_DAYS):
        return None
    if timezone.localtime(created).date() >= point.date:
        return None
    return point


def schedule_rules(kind: str) -> Rules | None:
    """The rules of an active schedule of ``kind``; None when the firm has none or switched it off."""
    schedule = ReminderSchedule.objects.filter(kind=kind, active=True).first()
    return Rules.of(schedule) if schedule else None


# --- Editing a schedule -----------------------------------------------------------------------


def days_validate(values: Iterable[int], *, field: str) -> list[int]:
    """Whole days 0..365, at most ten, no duplicates; sorted. Raises ValidationError with a message."""
    days = list(values)
    if len(days) > MAX_VALUES:
        raise ValidationError(_("Give at most %(max)d numbers of days."), code="too_many", params={"max": MAX_VALUES})
    for day in days:
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= MAX_DAYS:
            raise ValidationError(
                _("Each number of days must be a whole number from 0 to %(max)d."), code="range",
                params={"max": MAX_DAYS},
            )  # fmt: skip
    if len(set(days)) != len(days):
        raise ValidationError(_("Each number of days may appear only once."), code="duplicate")
    return sorted(days, reverse=field == "days_before")


def _snapshot(schedule: ReminderSchedule) -> dict[str, Any]:
    return {
        "days_before": list(schedule.days_before),
        "days_after": list(schedule.days_after),
        "repeat_every_days": schedule.repeat_every_days,
        "active": schedule.active,
    }


@transaction.atomic
def reminder_schedule_update(
    *,
    actor: User,
    ctx: RequestContext,
    schedule: ReminderSchedule,
    days_before: list[int],
    days_after: list[int],
    repeat_every_days: int,
    active: bool,
) -> ReminderSchedule:
    """A firm administrator changes when a kind is reminded; the event keeps old → new."""
    if not actor.is_firm_admin:
        raise PermissionError("only firm administrators change reminder schedules")
    new = {
        "days_before": days_validate(days_before, field="days_before"),
        "days_after": days_validate(days_after, field="days_after"),
        "repeat_every_days": repeat_every_days,
        "active": bool(active),
    }
    if isinstance(repeat_every_days, bool) or not 0 <= repeat_every_days <= MAX_DAYS:
        raise ValidationError(_("Repeat every must be a whole number of days from 0 to %(max)d."),
                              code="range", params={"max": MAX_DAYS})  # fmt: skip
    schedule = ReminderSchedule.objects.select_for_update().get(pk=schedule.pk)
    old = _snapshot(schedule)
    if old == new:
        return schedule
    for name, value in new.items():
        setattr(schedule, name, value)
    schedule.save(update_fields=[*new, "updated_at"])
    event_record(
        actor=actor, ctx=ctx, verb="reminder_schedule.updated", target=schedule,
        data={"kind": schedule.kind, "old": old, "new": new},
    )  # fmt: skip
    return schedule


# --- Tasks for clients --------------------------------------------------------------------------


@dataclass
class SweepResult:
    sent: int = 0
    candidates: int = 0


def batches(items: list[T], size: int = COMMIT_EVERY) -> Iterable[list[T]]:
    """Reminders are committed in groups: each keeps its own savepoint (claim and event together, or
    neither), while the database syncs its log once a group instead of once a reminder. The mails
    run as robust commit hooks, so one that fails does not hold back the rest of its group."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _claimed(keys: list[str]) -> set[str]:
    """Which of ``keys`` went out already (one query per 500 keys)."""
    found: set[str] = set()
    for chunk in batches(keys, 500):
        found.update(ReminderSent.objects.filter(key__in=chunk).values_list("key", flat=True))
    return found


def _portal_people(organisation_ids: set[int | None]) -> dict[int | None, list[tuple[User, str]]]:
    """The active portal users of these organisations with their roles, in one query."""
    people: dict[int | None, list[tuple[User, str]]] = defaultdict(list)
    memberships = (
        Membership.objects.portal()
        .filter(organisation_id__in=organisation_ids, user__is_active=True)
        .select_related("user")
        .order_by("organisation_id", "user__email")
    )
    for membership in memberships:
        people[membership.organisation_id].append((membership.user, membership.role))
    return people


def _recipients(task: Task, members: list[tuple[User, str]]) -> list[User]:
    """The assigned client user while they still have a portal login here; else those who act."""
    if task.assignee_id is not None:
        assigned = [user for user, _role in members if user.pk == task.assignee_id]
        if assigned:
            return assigned
    return [user for user, role in members if role in TASK_REMINDED_ROLES]


def task_key(task: Task, point: Point) -> str:
    """``client_task:<task>:<due date>:<point>``: a moved due date starts the schedule afresh."""
    assert task.due_date is not None
    return f"{Kind.CLIENT_TASK}:{task.public_id}:{task.due_date.isoformat()}:{point.label}"


def task_remind(*, task: Task, key: str, recipients: list[User], today: datetime.date) -> bool:
    """Claim ``key`` and record ``task.reminded``; the mails go out after commit. False when claimed already."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                key=key, kind=Kind.CLIENT_TASK, target_type="work.task", target_id=str(task.public_id)
            )
            event_record(
                actor=None, ctx=RequestContext.system("reminders"), verb="task.reminded", target=task,
                organisation=task.organisation,
                data={"recipients": [p.email for p in recipients], "key": key,
                      "due_date": task.due_date.isoformat() if task.due_date else None},
            )  # fmt: skip
            transaction.on_commit(lambda: _mail_task_reminder(task, recipients, today), robust=True)
    except IntegrityError:
        return False
    return True


def _portal_tasks_link(task: Task) -> str:
    organisation = task.organisation
    assert organisation is not None
    try:
        path = reverse("work_portal:tasks", args=[organisation.public_id])
    except NoReverseMatch:
        path = reverse("portal:organisation_home", args=[organisation.public_id])
    return settings.SITE_URL + path


def _mail_task_reminder(task: Task, recipients: list[User], today: datetime.date) -> None:
    link = _portal_tasks_link(task)
    overdue = task.due_date is not None and task.due_date < today
    for person in recipients:
        message = mail_render(
            to=[person.email],
            template="task_reminder",
            context={"task": task, "organisation": task.organisation, "link": link, "overdue": overdue},
            language=person.language,
        )
        mail_send_later(message)


def client_tasks_remind_due(*, today: datetime.date | None = None) -> SweepResult:
    """The sweep of open tasks for clients: each due reminder once, to the assigned client user or
    else (unassigned, or the assignee lost their portal login) the organisation's portal users who
    act: owner, approver, contributor. Nobody to tell: nothing is claimed, a later sweep may send it."""
    today = today or timezone.localdate()
    result = SweepResult()
    rules = schedule_rules(Kind.CLIENT_TASK)
    if rules is None:
        return result
    tasks = list(
        Task.objects.filter(
            for_client=True, status__in=OPEN_STATUSES, due_date__in=candidate_due_dates(rules, today),
            organisation__isnull=False,
        ).select_related("organisation")
    )  # fmt: skip
    result.candidates = len(tasks)
    due: list[tuple[Task, str]] = []
    for task in tasks:
        assert task.due_date is not None
        point = due_point(rules, task.due_date, today, task.created_at)
        if point is not None:
            due.append((task, task_key(task, point)))
    claimed = _claimed([key for _task, key in due])
    due = [(task, key) for task, key in due if key not in claimed]
    people = _portal_people({task.organisation_id for task, _key in due})
    for batch in batches(due):
        with transaction.atomic():
            for task, key in batch:
                recipients = _recipients(task, people.get(task.organisation_id, []))
                if recipients and task_remind(task=task, key=key, recipients=recipients, today=today):
                    result.sent += 1
    return result


def reminders_sweep(*, today: datetime.date | None = None) -> dict[str, SweepResult]:
    """Every active kind's sweep. Document requests and questionnaires have no objects yet."""
    from accordo.approvals.services import approvals_remind_scheduled

    today = today or timezone.localdate()
    return {
        Kind.APPROVAL: approvals_remind_scheduled(today=today),
        Kind.CLIENT_TASK: client_tasks_remind_due(today=today),
    }


# --- The staff's daily digest ------------------------------------------------------------------


def digest_key(user: User, today: datetime.date) -> str:
    return f"digest:{user.public_id}:{today.isoformat()}"


def _board_link() -> str:
    try:
        path = reverse("work:board")
    except NoReverseMatch:
        path = reverse("staff:home")
    return settings.SITE_URL + path


def _mail_digest(person: User, groups: dict[str, list[Task]], today: datetime.date) -> None:
    message = mail_render(
        to=[person.email],
        template="staff_digest",
        context={
            "person": person,
            "overdue": groups["overdue"],
            "due_today": groups["today"],
            "due_soon": groups["soon"],
            "total": sum(len(tasks) for tasks in groups.values()),
            "today": today,
            "link": _board_link(),
        },
        language=person.language,
    )
    mail_send_later(message)


def digest_send(*, person: User, tasks: list[Task], today: datetime.date) -> bool:
    """Claim today's digest of ``person`` and record ``digest.sent``; the mail goes after commit."""
    groups: dict[str, list[Task]] = {"overdue": [], "today": [], "soon": []}
    for task in tasks:
        assert task.due_date is not None
        groups["overdue" if task.due_date < today else "today" if task.due_date == today else "soon"].append(task)
    key = digest_key(person, today)
    try:
        with transaction.atomic():
            ReminderSent.objects.create(key=key, kind="digest", target_type="accounts.user",
                                        target_id=str(person.public_id))  # fmt: skip
            event_record(
                actor=None, ctx=RequestContext.system("digest"), verb="digest.sent", target=person,
                data={"to": person.email, "date": today.isoformat(), "key": key,
                      **{name: len(group) for name, group in groups.items()}},
            )  # fmt: skip
            transaction.on_commit(lambda: _mail_digest(person, groups, today), robust=True)
    except IntegrityError:
        return False
    return True


def digests_send(*, today: datetime.date | None = None) -> int:
    """Each active staff member with open tasks overdue or due within a week gets one e-mail a day.

    One query reads every such task; they are grouped per assignee here, not queried per person.
    """
    today = today or timezone.localdate()
    tasks = (
        Task.objects.filter(
            status__in=OPEN_STATUSES, due_date__lte=today + datetime.timedelta(days=DIGEST_DAYS_AHEAD),
            assignee__is_active=True,
        )
        .exclude(assignee__staff_role="")
        .select_related("assignee", "organisation")
        .order_by("due_date", "id")
    )  # fmt: skip
    per_person: dict[int, list[Task]] = defaultdict(list)
    people: dict[int, User] = {}
    for task in tasks:
        assert task.assignee is not None
        per_person[task.assignee.pk].append(task)
        people[task.assignee.pk] = task.assignee
    claimed = _claimed([digest_key(person, today) for person in people.values()])
    sent = 0
    for batch in batches([(pk, person) for pk, person in people.items() if digest_key(person, today) not in claimed]):
        with transaction.atomic():
            sent += sum(digest_send(person=person, tasks=per_person[pk], today=today) for pk, person in batch)
    return sent
