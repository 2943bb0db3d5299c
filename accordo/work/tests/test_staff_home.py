"""The staff home: my open and overdue tasks, what waits on clients (mine, or all), constant queries."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accordo.approvals.models import Approval
from accordo.core import pagecache
from accordo.deliveries.models import Delivery, Tray
from accordo.testing.factories import AssignmentFactory, OrganisationFactory, StaffFactory
from accordo.work.models import Task
from accordo.work.selectors import staff_home_data

TODAY = timezone.localdate()


def _approval(organisation, staff, title="Aangifte IB 2025") -> Approval:
    return Approval.objects.create(
        organisation=organisation,
        type="ib",
        period="2025",
        title=title,
        statement="Ik keur goed.",
        offered_by=staff,
        status=Approval.Status.OFFERED,
    )


def _returned(organisation, name="bon.pdf") -> Delivery:
    delivery = Delivery(
        organisation=organisation,
        tray=Tray.objects.get(slug="inkoop"),
        original_name=name,
        size=9,
        mime="application/pdf",
        sha256="1" * 64,
        status=Delivery.Status.RETURNED,
        question="Welke?",
    )
    delivery.file.save(name, ContentFile(b"%PDF-1.4\n"), save=False)
    delivery.save()
    return delivery


def test_it_lists_my_open_tasks_soonest_first_and_counts_the_overdue(accountant):
    Task.objects.create(title="later", assignee=accountant, due_date=TODAY + datetime.timedelta(days=3))
    Task.objects.create(title="late", assignee=accountant, due_date=TODAY - datetime.timedelta(days=1))
    Task.objects.create(title="done", assignee=accountant, due_date=TODAY - datetime.timedelta(days=9), status="done")
    Task.objects.create(title="someone else's", assignee=StaffFactory(), due_date=TODAY)
    home = staff_home_data(accountant)
    assert [t.title for t in home.my_open] == ["late", "later"]
    assert home.overdue_count == 1 and [t.title for t in home.overdue] == ["late"]


def test_it_shows_what_waits_on_my_clients_only(accountant, organisation, other_organisation):
    AssignmentFactory(organisation=organisation, user=accountant, role="accountant")
    _approval(organisation, accountant, "Mine")
    _approval(other_organisation, accountant, "Not mine")
    _returned(organisation, "mine.pdf")
    _returned(other_organisation, "other.pdf")
    Task.objects.create(title="lever aan", organisation=organisation, for_client=True)
    Task.objects.create(title="elders", organisation=other_organisation, for_client=True)
    home = staff_home_data(accountant)
    assert home.scoped
    assert [a.title for a in home.approvals_waiting] == ["Mine"]
    assert [d.original_name for d in home.deliveries_returned] == ["mine.pdf"]
    assert [t.title for t in home.client_tasks_open] == ["lever aan"]


def test_it_shows_every_client_when_none_are_assigned_to_me(accountant, organisation, other_organisation):
    _approval(organisation, accountant, "A")
    _approval(other_organisation, accountant, "B")
    home = staff_home_data(accountant)
    assert not home.scoped and {a.title for a in home.approvals_waiting} == {"A", "B"}


def test_it_renders_the_home_with_links(client, accountant, organisation):
    AssignmentFactory(organisation=organisation, user=accountant, role="accountant")
    task = Task.objects.create(title="Controle", assignee=accountant, due_date=TODAY - datetime.timedelta(days=1))
    approval = _approval(organisation, accountant)
    delivery = _returned(organisation)
    client.force_login(accountant)
    body = client.get(reverse("staff:home")).content.decode()
    for url in (
        reverse("work:board"),
        reverse("work:task", args=[task.public_id]),
        reverse("approvals_staff:approval", args=[approval.public_id]),
        reverse("deliveries:staff_delivery", args=[delivery.public_id]),
    ):
        assert url in body, url


def test_it_shows_the_staff_home_in_constant_queries(client, accountant):
    client.force_login(accountant)

    def grow(count: int) -> None:
        for n in range(count):
            organisation = OrganisationFactory()
            AssignmentFactory(organisation=organisation, user=accountant, role="accountant")
            _approval(organisation, accountant)
            _returned(organisation)
            Task.objects.create(
                title=f"t{n}",
                assignee=accountant,
                organisation=organisation,
                due_date=TODAY - datetime.timedelta(days=n % 3),
            )
            Task.objects.create(title=f"c{n}", organisation=organisation, for_client=True)

    def count() -> int:
        with pagecache.bypassed(), CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("staff:home")).status_code == 200
        return len(captured.captured_queries)

    grow(2)
    for _ in range(2):  # warm up: session, the firm row and its per-process copy
        count()
    few = count()
    grow(12)
    assert count() == few
