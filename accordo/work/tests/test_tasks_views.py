"""Task pages for staff: new task, detail (cause, object, history), assign; access and queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accordo.core import pagecache
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.core.models import Event
from accordo.core.timeline import verb_label
from accordo.testing.factories import StaffFactory
from accordo.work import services
from accordo.work.models import Task

CTX = RequestContext(ip="192.0.2.9")
DUE = timezone.localdate() + datetime.timedelta(days=5)


@pytest.fixture
def task(accountant, organisation):
    return services.task_create(actor=accountant, ctx=CTX, title="Jaarrekening", organisation=organisation,
                                assignee=accountant, due_date=DUE)  # fmt: skip


def test_it_creates_a_task_for_a_person(client, accountant, organisation):
    client.force_login(accountant)
    response = client.post(
        reverse("work:task_new"),
        {"title": "BTW Q3 nakijken", "organisation": organisation.public_id, "assignee": accountant.public_id,
         "due_date": DUE.isoformat()},
    )  # fmt: skip
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("work:task", args=[task.public_id])
    assert (task.title, task.organisation, task.assignee, task.due_date) == (
        "BTW Q3 nakijken",
        organisation,
        accountant,
        DUE,
    )
    assert Event.objects.filter(verb="task.created", target_id=str(task.public_id)).exists()


def test_it_creates_a_task_for_a_role_resolved_through_the_client(client, accountant, organisation, assistant):
    client.force_login(accountant)
    client.post(reverse("work:task_new"), {"title": "Loonstroken", "organisation": organisation.public_id,
                                           "assignee_role": "assistant"})  # fmt: skip
    task = Task.objects.get()
    assert task.assignee == assistant and task.assignee_role == "assistant"


def test_it_creates_a_task_for_a_client_user(client, accountant, organisation, client_owner):
    client.force_login(accountant)
    client.post(reverse("work:task_new"), {"title": "Bankafschriften", "organisation": organisation.public_id,
                                           "for_client": "on", "client_user": client_owner.public_id})  # fmt: skip
    task = Task.objects.get()
    assert task.for_client and task.assignee == client_owner


def test_it_presets_the_client_from_its_page(client, accountant, organisation, client_owner):
    client.force_login(accountant)
    response = client.get(reverse("work:task_new"), {"organisation": organisation.public_id})
    assert response.status_code == 200
    assert response.context["form"]["organisation"].value() == str(organisation.public_id)
    assert client_owner in response.context["form"].fields["client_user"].queryset


def test_it_keeps_what_was_typed_when_the_client_changes(client, accountant, organisation, client_owner):
    client.force_login(accountant)
    data = {"organisation": organisation.public_id, "title": "Bankafschriften", "for_client": "on"}
    response = client.get(reverse("work:task_new"), data, HTTP_HX_REQUEST="true")
    form = response.context["form"]
    assert form["title"].value() == "Bankafschriften" and form["for_client"].value()
    assert client_owner in form.fields["client_user"].queryset
    assert 'hx-get="/staff/work/tasks/new/"' in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"title": ""},
        {"title": "x", "for_client": "on"},  # for the client without a client
        {"title": "x", "assignee_role": "assistant"},  # a role without a client
    ],
)
def test_it_refuses_a_bad_task_with_400_and_writes_nothing(client, accountant, data):
    client.force_login(accountant)
    assert client.post(reverse("work:task_new"), data).status_code == 400
    assert not Task.objects.exists() and not Event.objects.exists()


def test_it_refuses_a_client_user_of_another_client(client, accountant, organisation, other_member):
    client.force_login(accountant)
    data = {"title": "x", "organisation": organisation.public_id, "for_client": "on",
            "client_user": other_member.public_id}  # fmt: skip
    response = client.post(reverse("work:task_new"), data)
    assert response.status_code == 400 and not Task.objects.exists()


def test_it_shows_what_caused_a_task_its_object_and_history(client, accountant, organisation):
    with transaction.atomic():
        cause = event_record(actor=None, ctx=CTX, verb="client.data_changed", target=organisation,
                             organisation=organisation)  # fmt: skip
        with_event = services.task_create(actor=None, ctx=CTX, title="Gegevens controleren", organisation=organisation,
                                          source_event=cause)  # fmt: skip
    services.task_move(actor=accountant, ctx=CTX, task=with_event, status="doing")
    client.force_login(accountant)
    with translation.override("nl"):
        response = client.get(reverse("work:task", args=[with_event.public_id]))
        assert response.context["source_label"] == verb_label("client.data_changed")
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("staff:organisation_detail", args=[organisation.public_id]) in body
    assert [e.verb for e, _change in response.context["events"]] == ["task.created", "task.moved"]


def test_it_assigns_a_task_to_a_colleague(client, accountant, task):
    colleague = StaffFactory(email="c@firm.test", staff_role="accountant")
    client.force_login(accountant)
    response = client.post(reverse("work:task_assign", args=[task.public_id]), {"assignee": colleague.public_id})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.assignee == colleague
    assert Event.objects.get(verb="task.assigned").data["new"] == colleague.email


def test_it_refuses_to_assign_a_staff_task_to_a_client_user(client, accountant, task, client_owner):
    client.force_login(accountant)
    response = client.post(reverse("work:task_assign", args=[task.public_id]), {"assignee": client_owner.public_id})
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.assignee == accountant


@pytest.mark.parametrize("who", ["client_owner", "outsider", "other_member"])
def test_it_hides_task_pages_from_everybody_but_staff(client, request, task, who):
    client.force_login(request.getfixturevalue(who))
    for url in (reverse("work:task", args=[task.public_id]), reverse("work:task_new")):
        assert client.get(url).status_code == 404


def test_it_shows_a_task_in_constant_queries(client, accountant, organisation, task):
    client.force_login(accountant)
    url = reverse("work:task", args=[task.public_id])
    client.get(url)

    def count() -> int:
        with pagecache.bypassed(), CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    count()
    few = count()
    for n in range(15):
        services.task_move(actor=accountant, ctx=CTX, task=task, status="doing" if n % 2 == 0 else "todo")
        StaffFactory()
    assert count() == few
