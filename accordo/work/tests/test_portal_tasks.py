"""Tasks for the client in the portal: who sees them, who marks them done, constant queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accordo.clients.models import Tier
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.testing.factories import MembershipFactory, UserFactory
from accordo.work import services
from accordo.work.models import Task

CTX = RequestContext(ip="192.0.2.9")


def _client_task(accountant, organisation, assignee=None, title="Bankafschriften aanleveren") -> Task:
    return services.task_create(actor=accountant, ctx=CTX, title=title, organisation=organisation,
                                for_client=True, assignee=assignee)  # fmt: skip


def test_it_lists_the_clients_tasks_open_first(client, accountant, organisation, client_owner):
    done = _client_task(accountant, organisation, client_owner, "Klaar")
    services.task_move(actor=accountant, ctx=CTX, task=done, status="done")
    _client_task(accountant, organisation, client_owner, "Open")
    services.task_create(actor=accountant, ctx=CTX, title="Intern werk", organisation=organisation)
    client.force_login(client_owner)
    response = client.get(reverse("work_portal:tasks", args=[organisation.public_id]))
    assert response.status_code == 200
    assert [t.title for t, _can in response.context["rows"]] == ["Open", "Klaar"]
    assert "Intern werk" not in response.content.decode()


def test_it_shows_open_client_tasks_on_the_organisation_home(client, accountant, organisation, client_owner):
    _client_task(accountant, organisation, client_owner)
    client.force_login(client_owner)
    body = client.get(reverse("portal:organisation_home", args=[organisation.public_id])).content.decode()
    assert "Bankafschriften aanleveren" in body
    assert reverse("work_portal:tasks", args=[organisation.public_id]) in body


def test_the_assigned_client_user_marks_a_task_done(client, accountant, organisation, client_owner):
    task = _client_task(accountant, organisation, client_owner)
    client.force_login(client_owner)
    response = client.post(reverse("work_portal:task_done", args=[task.public_id]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.done_at is not None
    event = Event.objects.get(verb="task.moved")
    assert event.actor == client_owner and event.data["by_client"] is True


def test_any_delivering_member_marks_an_unassigned_task_done(client, accountant, organisation):
    contributor = UserFactory(email="c@client.test")
    MembershipFactory(user=contributor, organisation=organisation, role="contributor")
    task = _client_task(accountant, organisation)
    client.force_login(contributor)
    assert client.post(reverse("work_portal:task_done", args=[task.public_id])).status_code == 302
    assert Task.objects.get(pk=task.pk).status == "done"


def test_a_viewer_sees_but_cannot_mark_done(client, accountant, organisation, client_viewer):
    task = _client_task(accountant, organisation)
    client.force_login(client_viewer)
    page = client.get(reverse("work_portal:tasks", args=[organisation.public_id]))
    assert page.status_code == 200 and "Bankafschriften aanleveren" in page.content.decode()
    assert reverse("work_portal:task_done", args=[task.public_id]) not in page.content.decode()
    assert client.post(reverse("work_portal:task_done", args=[task.public_id])).status_code == 403
    assert Task.objects.get(pk=task.pk).status == "todo"
    assert not Event.objects.filter(verb="task.moved").exists()


def test_another_user_cannot_complete_a_task_given_to_someone_else(client, accountant, organisation, client_owner):
    colleague = UserFactory(email="colleague@client.test")
    MembershipFactory(user=colleague, organisation=organisation, role="owner")
    task = _client_task(accountant, organisation, client_owner)
    client.force_login(colleague)
    assert client.post(reverse("work_portal:task_done", args=[task.public_id])).status_code == 403
    assert Task.objects.get(pk=task.pk).status == "todo"


def test_it_answers_409_to_marking_a_done_task_done_again(client, accountant, organisation, client_owner):
    task = _client_task(accountant, organisation, client_owner)
    client.force_login(client_owner)
    client.post(reverse("work_portal:task_done", args=[task.public_id]))
    assert client.post(reverse("work_portal:task_done", args=[task.public_id])).status_code == 409
    assert Event.objects.filter(verb="task.moved").count() == 1


def test_it_answers_405_to_get_on_done(client, accountant, organisation, client_owner):
    task = _client_task(accountant, organisation, client_owner)
    client.force_login(client_owner)
    assert client.get(reverse("work_portal:task_done", args=[task.public_id])).status_code == 405


@pytest.mark.parametrize("who", ["other_member", "accountant", "outsider"])
def test_it_hides_client_tasks_from_everybody_else(client, request, accountant, organisation, client_owner, who):
    task = _client_task(accountant, organisation, client_owner)
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("work_portal:tasks", args=[organisation.public_id])).status_code == 404
    assert client.post(reverse("work_portal:task_done", args=[task.public_id])).status_code == 404
    assert Task.objects.get(pk=task.pk).status == "todo"


def test_it_hides_a_staff_task_and_a_client_without_portal(client, accountant, organisation, client_owner):
    staff_task = services.task_create(actor=accountant, ctx=CTX, title="Intern", organisation=organisation)
    client.force_login(client_owner)
    assert client.post(reverse("work_portal:task_done", args=[staff_task.public_id])).status_code == 404
    task = _client_task(accountant, organisation, client_owner)
    organisation.tier = Tier.COLLABORATE
    organisation.save(update_fields=["tier"])
    assert client.get(reverse("work_portal:tasks", args=[organisation.public_id])).status_code == 404
    assert client.post(reverse("work_portal:task_done", args=[task.public_id])).status_code == 404


def test_it_lists_client_tasks_in_constant_queries(client, accountant, organisation, client_owner):
    client.force_login(client_owner)
    url = reverse("work_portal:tasks", args=[organisation.public_id])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    _client_task(accountant, organisation, client_owner)
    count()
    count()
    few = count()
    for n in range(12):
        _client_task(accountant, organisation, client_owner if n % 2 else None, f"Taak {n}")
    assert count() == few
