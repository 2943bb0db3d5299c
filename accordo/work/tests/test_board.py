"""The planning board: filters, columns, counts, moving cards (form and fetch), constant queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accordo.clients.models import Label
from accordo.core import pagecache
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.testing.factories import AssignmentFactory, OrganisationFactory, StaffFactory
from accordo.work import services
from accordo.work.models import Task
from accordo.work.selectors import BoardFilters, board_columns, board_counts, tasks_filtered, week_range

CTX = RequestContext(ip="192.0.2.9")
TODAY = timezone.localdate()


def _task(**fields) -> Task:
    fields.setdefault("title", "Controle BTW")
    return Task.objects.create(**fields)


def _titles(qs) -> set[str]:
    return {t.title for t in qs}


@pytest.fixture
def colleague(db):
    return StaffFactory(email="colleague@firm.test", staff_role="accountant", full_name="Cor Collega")


def test_it_filters_by_assignee_me_person_unassigned_and_role(accountant, colleague, organisation):
    _task(title="mine", assignee=accountant)
    _task(title="theirs", assignee=colleague)
    _task(title="nobody's", assignee_role="assistant")
    assert _titles(tasks_filtered(BoardFilters(viewer=accountant))) == {"mine"}
    assert _titles(tasks_filtered(BoardFilters(viewer=accountant, assignee="x", person=colleague))) == {"theirs"}
    assert _titles(tasks_filtered(BoardFilters(viewer=accountant, assignee="unassigned"))) == {"nobody's"}
    assert _titles(tasks_filtered(BoardFilters(viewer=accountant, assignee="role:assistant"))) == {"nobody's"}
    assert len(tasks_filtered(BoardFilters(viewer=accountant, assignee="anyone"))) == 3


def test_it_filters_by_week_overdue_organisation_and_label(accountant, organisation, other_organisation):
    label = Label.objects.create(name="Horeca")
    organisation.labels.add(label)
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    _task(
        title="this week", assignee=accountant, due_date=monday + datetime.timedelta(days=6), organisation=organisation
    )
    _task(title="next week", assignee=accountant, due_date=monday + datetime.timedelta(days=7))
    _task(
        title="late", assignee=accountant, due_date=TODAY - datetime.timedelta(days=30), organisation=other_organisation
    )
    _task(title="late but done", assignee=accountant, due_date=TODAY - datetime.timedelta(days=30), status="done")
    me = {"viewer": accountant}
    assert _titles(tasks_filtered(BoardFilters(**me, week="this"))) == {"this week"}
    assert _titles(tasks_filtered(BoardFilters(**me, week="next"))) == {"next week"}
    assert _titles(tasks_filtered(BoardFilters(**me, week="overdue"))) == {"late"}
    iso = "{}-W{:02d}".format(*(monday + datetime.timedelta(days=7)).isocalendar()[:2])
    assert _titles(tasks_filtered(BoardFilters(**me, week=iso))) == {"next week"}
    assert _titles(tasks_filtered(BoardFilters(**me, organisation=other_organisation))) == {"late"}
    assert _titles(tasks_filtered(BoardFilters(**me, label=label))) == {"this week"}


def test_it_filters_by_part_of_the_clients_name(accountant, organisation, other_organisation):
    _task(title="bakker", assignee=accountant, organisation=organisation)
    _task(title="ander", assignee=accountant, organisation=other_organisation)
    assert _titles(tasks_filtered(BoardFilters(viewer=accountant, client="bakkerij"))) == {"bakker"}


def test_it_shows_the_board_of_clients_found_by_name(client, accountant, organisation):
    _task(title="Voor de bakker", assignee=StaffFactory(), organisation=organisation)
    client.force_login(accountant)
    response = client.get(reverse("work:board"), {"assignee": "anyone", "client": "Bakkerij"})
    assert "Voor de bakker" in response.content.decode()


def test_it_reads_iso_weeks_and_refuses_nonsense():
    assert week_range("2026-W01") == (datetime.date(2025, 12, 29), datetime.date(2026, 1, 4))
    assert week_range("2026-W99") is None
    assert week_range("soon") is None


def test_it_counts_columns_in_one_query_and_leaves_old_done_work_off(accountant, django_assert_num_queries):
    for status in ("todo", "todo", "doing", "waiting", "done"):
        _task(assignee=accountant, status=status, done_at=timezone.now() if status == "done" else None)
    _task(assignee=accountant, status="done", done_at=timezone.now() - datetime.timedelta(days=40))
    with django_assert_num_queries(1):
        counts = board_counts(BoardFilters(viewer=accountant))
    assert counts == {"todo": 2, "doing": 1, "waiting": 1, "done": 1}


def test_it_orders_cards_by_due_date_with_undated_last(accountant):
    _task(title="undated", assignee=accountant)
    _task(title="later", assignee=accountant, due_date=TODAY + datetime.timedelta(days=9))
    _task(title="sooner", assignee=accountant, due_date=TODAY)
    columns = board_columns(BoardFilters(viewer=accountant), limit=2)
    status, _label, count, cards = columns[0]
    assert status == "todo" and count == 3
    assert [t.title for t in cards] == ["sooner", "later"]


def test_it_shows_my_tasks_by_default_with_overdue_marked_in_words(client, accountant, organisation):
    _task(
        title="Aangifte IB", assignee=accountant, organisation=organisation, due_date=TODAY - datetime.timedelta(days=2)
    )
    _task(title="Niet van mij", assignee=StaffFactory())
    client.force_login(accountant)
    response = client.get(reverse("work:board"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Aangifte IB" in body and "Niet van mij" not in body
    assert 'class="overdue"' in body and organisation.name in body
    assert 'draggable="true"' in body and 'id="board-live"' in body


def test_it_links_a_card_to_the_object_it_is_about(client, accountant, organisation):
    _task(assignee=accountant, target_type="clients.organisation", target_id=str(organisation.public_id))
    client.force_login(accountant)
    body = client.get(reverse("work:board")).content.decode()
    assert reverse("staff:organisation_detail", args=[organisation.public_id]) in body


def test_it_refuses_a_bad_week_with_400(client, accountant):
    client.force_login(accountant)
    assert client.get(reverse("work:board"), {"week": "next-ish"}).status_code == 400


def test_it_shows_more_of_a_column_on_its_own_page(client, accountant):
    for n in range(3):
        _task(title=f"taak {n}", assignee=accountant, status="waiting")
    client.force_login(accountant)
    response = client.get(reverse("work:board_column"), {"status": "waiting"})
    assert response.status_code == 200
    assert [c.task.title for c in response.context["cards"]] == ["taak 0", "taak 1", "taak 2"]
    assert client.get(reverse("work:board_column"), {"status": "later"}).status_code == 404


# --- moving ----------------------------------------------------------------------------------


def _move(client, task: Task, status: str, seen: str | None = None, **extra):
    url = reverse("work:task_move", args=[task.public_id])
    return client.post(url, {"status": status, "seen": seen or task.status}, **extra)


def test_it_moves_a_card_with_the_form_and_records_the_event(client, accountant):
    task = _task(assignee=accountant)
    client.force_login(accountant)
    response = _move(client, task, "doing", next=reverse("work:board"))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "doing"
    event = Event.objects.get(verb="task.moved")
    assert event.data["old"] == "todo" and event.data["new"] == "doing" and event.actor == accountant


def test_it_moves_a_card_for_fetch_and_answers_json(client, accountant):
    task = _task(assignee=accountant)
    client.force_login(accountant)
    response = _move(client, task, "done", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["ok"] is True and response.json()["status"] == "done"
    task.refresh_from_db()
    assert task.status == "done" and task.done_at is not None


def test_it_answers_409_to_a_stale_move_and_changes_nothing(client, accountant):
    task = _task(assignee=accountant)
    services.task_move(actor=accountant, ctx=CTX, task=Task.objects.get(pk=task.pk), status="waiting")
    client.force_login(accountant)
    response = _move(client, task, "doing", seen="todo", HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    assert response.json()["error"] and response.json()["status"] == "waiting"
    form_response = _move(client, task, "doing", seen="todo")
    assert form_response.status_code == 409 and 'role="alert"' in form_response.content.decode()
    task.refresh_from_db()
    assert task.status == "waiting"
    assert Event.objects.filter(verb="task.moved").count() == 1


def test_it_answers_400_to_a_bad_status(client, accountant):
    task = _task(assignee=accountant)
    client.force_login(accountant)
    assert _move(client, task, "finished").status_code == 400
    assert _move(client, task, "finished", HTTP_ACCEPT="application/json").json()["ok"] is False
    assert not Event.objects.filter(verb="task.moved").exists()


@pytest.mark.parametrize("name", ["work:task_move", "work:task_assign"])
def test_it_answers_405_to_get_on_post_urls(client, accountant, name):
    task = _task(assignee=accountant)
    client.force_login(accountant)
    assert client.get(reverse(name, args=[task.public_id])).status_code == 405


def test_it_hides_the_board_from_clients(client, client_owner):
    client.force_login(client_owner)
    assert client.get(reverse("work:board")).status_code == 404


# --- constant queries ------------------------------------------------------------------------


def _queries(client, url: str, data: dict | None = None) -> int:
    with pagecache.bypassed(), CaptureQueriesContext(connection) as captured:
        response = client.get(url, data)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def _grow(accountant, count: int) -> None:
    label = Label.objects.get_or_create(name="Iedereen")[0]
    for n in range(count):
        organisation = OrganisationFactory()
        organisation.labels.add(label)
        AssignmentFactory(organisation=organisation, user=accountant, role="accountant")
        for status in Task.Status.values:
            _task(
                title=f"taak {n} {status}",
                assignee=accountant,
                organisation=organisation,
                status=status,
                # Within this week whatever today is, so the "this week" filter fills every column.
                due_date=TODAY - datetime.timedelta(days=TODAY.weekday() - n % 7),
                done_at=timezone.now() if status == "done" else None,
                target_type="clients.organisation",
                target_id=str(organisation.public_id),
            )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("work:board", None),
        ("work:board", {"assignee": "anyone", "when": "this"}),
        ("work:board", {"label": "LABEL"}),
        ("work:board", {"assignee": "anyone", "client": "e"}),
        ("work:board_column", {"status": "todo"}),
    ],
)
def test_it_shows_the_board_in_constant_queries(client, accountant, name, data):
    client.force_login(accountant)
    _grow(accountant, 3)
    if data and data.get("label") == "LABEL":
        data = {"label": str(Label.objects.get(name="Iedereen").public_id), "assignee": "anyone"}
    url = reverse(name)
    for _ in range(2):
        _queries(client, url, data)
    few = _queries(client, url, data)
    _grow(accountant, 60)  # past a column's 30 cards and a column page's 50
    many = _queries(client, url, data)
    assert few == many, f"{name}: {few} queries with few tasks, {many} with many"
