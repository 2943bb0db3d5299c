"""The demo board: tasks in every column, one overdue, one for the client; a second run adds nothing."""

from __future__ import annotations

from django.utils import timezone

from accordo.core.context import RequestContext
from accordo.testing.factories import AssignmentFactory, MembershipFactory, OrganisationFactory, UserFactory
from accordo.work import demo_board
from accordo.work.models import Task


def test_it_seeds_the_demo_board_once(accountant, firm_admin):
    bakery = OrganisationFactory(name=demo_board.BAKERY)
    person = OrganisationFactory(name=demo_board.PERSON)
    AssignmentFactory(organisation=person, user=firm_admin, role="tax_advisor")
    client = UserFactory(email="klant@demo.test")
    MembershipFactory(user=client, organisation=bakery, role="owner")
    ctx = RequestContext.system("seed_demo")
    made = demo_board.seed(admin=firm_admin, accountant=accountant, client=client, ctx=ctx)
    assert made == len(demo_board.TASKS) + 1
    assert demo_board.seed(admin=firm_admin, accountant=accountant, client=client, ctx=ctx) == 0
    mine = Task.objects.filter(assignee=accountant)
    assert set(mine.values_list("status", flat=True)) == set(Task.Status.values)
    assert mine.filter(due_date__lt=timezone.localdate()).exclude(status="done").exists()
    assert Task.objects.get(for_client=True).assignee == client
    assert Task.objects.get(title="Aangifte IB 2025 voorbereiden").assignee == firm_admin
