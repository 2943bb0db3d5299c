"""Task and rule services: validated, recorded as events, and safe against two writers at once."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.testing.factories import LabelFactory, StaffFactory
from accordo.work import services
from accordo.work.models import SignalRule, Task
from accordo.work.services import TaskStateError

CTX = RequestContext(ip="192.0.2.9", user_agent="test-agent", mfa_passed=True)


def _task(actor, organisation, **kwargs) -> Task:
    return services.task_create(
        actor=actor, ctx=CTX, title="Jaarrekening voorbereiden", organisation=organisation, **kwargs
    )


def test_it_gives_a_task_for_a_role_to_the_organisations_assigned_staff(accountant, organisation, assistant):
    task = _task(accountant, organisation, assignee_role="assistant", due_date=datetime.date(2026, 5, 1))
    assert task.assignee == assistant and task.assignee_role == "assistant" and task.status == "todo"
    assert task.created_by == accountant
    event = Event.objects.get(verb="task.created")
    assert event.actor == accountant and event.organisation == organisation and event.target_id == str(task.public_id)
    assert event.data["assignee"] == assistant.email and event.data["due_date"] == "2026-05-01"


def test_it_leaves_a_task_for_a_role_nobody_holds_unassigned(accountant, organisation):
    task = _task(accountant, organisation, assignee_role="tax_advisor")
    assert task.assignee is None and task.assignee_role == "tax_advisor"


def test_it_refuses_a_task_without_title_or_for_a_client_user_as_staff(accountant, organisation, client_owner):
    with pytest.raises(ValidationError, match="title"):
        services.task_create(actor=accountant, ctx=CTX, title="  ", organisation=organisation)
    with pytest.raises(ValidationError, match="member of staff"):
        _task(accountant, organisation, assignee=client_owner)
    with pytest.raises(ValidationError, match="valid role"):
        _task(accountant, organisation, assignee_role="boss")
    assert not Task.objects.exists() and not Event.objects.exists()


def test_a_task_for_the_client_goes_to_one_of_its_users(accountant, organisation, client_owner, other_member):
    task = _task(accountant, organisation, assignee=client_owner, for_client=True)
    assert task.for_client and task.assignee == client_owner
    with pytest.raises(ValidationError, match="client's users"):
        _task(accountant, organisation, assignee=other_member, for_client=True)


def test_only_staff_create_tasks(client_owner, organisation):
    with pytest.raises(PermissionError):
        _task(client_owner, organisation)


def test_moving_a_task_records_the_move_and_stamps_done(accountant, organisation):
    task = _task(accountant, organisation)
    services.task_move(actor=accountant, ctx=CTX, task=task, status="doing")
    assert task.done_at is None
    services.task_move(actor=accountant, ctx=CTX, task=task, status="done")
    task.refresh_from_db()
    assert task.status == "done" and task.done_at is not None
    services.task_move(actor=accountant, ctx=CTX, task=task, status="todo")
    task.refresh_from_db()
    assert task.status == "todo" and task.done_at is None
    moves = [(e.data["old"], e.data["new"]) for e in Event.objects.filter(verb="task.moved").order_by("seq")]
    assert moves == [("todo", "doing"), ("doing", "done"), ("done", "todo")]
    assert all(e.actor == accountant for e in Event.objects.filter(verb="task.moved"))


def test_moving_to_the_same_status_records_nothing(accountant, organisation):
    task = _task(accountant, organisation)
    services.task_move(actor=accountant, ctx=CTX, task=task, status="todo")
    assert not Event.objects.filter(verb="task.moved").exists()


def test_of_two_moves_from_the_same_status_only_the_first_wins(accountant, organisation):
    task = _task(accountant, organisation)
    stale = Task.objects.get(pk=task.pk)
    services.task_move(actor=accountant, ctx=CTX, task=task, status="done")
    with pytest.raises(TaskStateError):
        services.task_move(actor=accountant, ctx=CTX, task=stale, status="waiting")
    task.refresh_from_db()
    assert task.status == "done"
    assert Event.objects.filter(verb="task.moved").count() == 1


def test_it_refuses_an_unknown_status_and_a_stranger(accountant, organisation, client_owner):
    task = _task(accountant, organisation)
    with pytest.raises(ValidationError, match="valid status"):
        services.task_move(actor=accountant, ctx=CTX, task=task, status="lost")
    with pytest.raises(PermissionError):
        services.task_move(actor=client_owner, ctx=CTX, task=task, status="done")


def test_a_client_user_moves_their_own_client_task(accountant, organisation, client_owner):
    task = _task(accountant, organisation, assignee=client_owner, for_client=True)
    services.task_move(actor=client_owner, ctx=CTX, task=task, status="done")
    assert Event.objects.get(verb="task.moved").actor == client_owner


def test_assigning_a_task_records_old_and_new(accountant, organisation, assistant):
    task = _task(accountant, organisation, assignee_role="assistant")
    services.task_assign(actor=accountant, ctx=CTX, task=task, assignee=accountant)
    task.refresh_from_db()
    assert task.assignee == accountant
    event = Event.objects.get(verb="task.assigned")
    assert event.data["old"] == assistant.email and event.data["new"] == accountant.email
    services.task_assign(actor=accountant, ctx=CTX, task=task, assignee=None)
    assert Task.objects.get(pk=task.pk).assignee is None
    assert Event.objects.filter(verb="task.assigned").count() == 2


# --- rules -----------------------------------------------------------------------------------------


def _rule(actor, **kwargs) -> SignalRule:
    fields = {
        "name": "Bonnen verwerken",
        "verb": "delivery.received",
        "task_title": "Verwerk bonnen",
        "conditions": {"tray": "bonnen"},
        "assignee_role": "assistant",
        "due_offset_days": 2,
    }
    return services.rule_create(actor=actor, ctx=CTX, **{**fields, **kwargs})


def test_an_admin_creates_a_rule_with_clean_conditions(firm_admin):
    label = LabelFactory(name="MKB")
    rule = _rule(firm_admin, conditions={"tray": "bonnen", "label": [str(label.public_id)], "tier": "collaborate"})
    assert rule.conditions == {"tray": ["bonnen"], "label": [str(label.public_id)], "tier": ["collaborate"]}
    event = Event.objects.get(verb="rule.created")
    assert event.actor == firm_admin and event.data["conditions"] == rule.conditions
    assert event.target_id == str(rule.public_id)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"conditions": {"colour": "red"}}, "Unknown condition"),
        ({"conditions": {"tray": "nonexistent"}}, "Unknown value for tray"),
        ({"conditions": {"label": "not-a-uuid"}}, "Unknown value for label"),
        ({"conditions": {"tier": []}}, "one or more values"),
        ({"verb": "task.created"}, "event that can start a rule"),
        ({"verb": "Delivery received"}, "event that can start a rule"),
        ({"assignee_role": ""}, "either a role or a person"),
        ({"due_offset_days": 400}, "between 0 and 365"),
        ({"task_title": " "}, "title"),
    ],
)
def test_it_refuses_a_rule_that_cannot_work(firm_admin, changes, message):
    before = SignalRule.objects.count()
    with pytest.raises(ValidationError, match=message):
        _rule(firm_admin, **changes)
    assert SignalRule.objects.count() == before
    assert not Event.objects.exists()


def test_only_admins_manage_rules(accountant):
    with pytest.raises(PermissionError):
        _rule(accountant)
    rule = SignalRule.objects.first()
    assert rule is not None
    with pytest.raises(PermissionError):
        services.rule_update(actor=accountant, ctx=CTX, rule=rule, changes={"active": False})
    with pytest.raises(PermissionError):
        services.rule_delete(actor=accountant, ctx=CTX, rule=rule)


def test_updating_a_rule_records_old_and_new(firm_admin):
    person = StaffFactory(email="tax@firm.test", staff_role="tax_advisor")
    rule = _rule(firm_admin)
    diff = services.rule_update(
        actor=firm_admin,
        ctx=CTX,
        rule=rule,
        changes={"assignee_role": "", "assignee": person, "due_offset_days": 5, "active": False},
    )
    assert diff == {
        "active": {"old": True, "new": False},
        "assignee_role": {"old": "assistant", "new": ""},
        "assignee": {"old": None, "new": "tax@firm.test"},
        "due_offset_days": {"old": 2, "new": 5},
    }
    rule.refresh_from_db()
    assert rule.assignee == person and not rule.active and rule.due_offset_days == 5
    assert Event.objects.get(verb="rule.updated").data["changes"] == diff
    assert services.rule_update(actor=firm_admin, ctx=CTX, rule=rule, changes={"due_offset_days": 5}) == {}
    assert Event.objects.filter(verb="rule.updated").count() == 1


def test_a_refused_update_changes_nothing(firm_admin):
    rule = _rule(firm_admin)
    with pytest.raises(ValidationError):
        services.rule_update(actor=firm_admin, ctx=CTX, rule=rule, changes={"name": "Nieuw", "verb": "x"})
    rule.refresh_from_db()
    assert rule.name == "Bonnen verwerken"
    assert not Event.objects.filter(verb="rule.updated").exists()


def test_deleting_a_rule_is_recorded(firm_admin):
    rule = _rule(firm_admin)
    public_id = str(rule.public_id)
    services.rule_delete(actor=firm_admin, ctx=CTX, rule=rule)
    assert not SignalRule.objects.filter(public_id=public_id).exists()
    event = Event.objects.get(verb="rule.deleted")
    assert event.target_id == public_id and event.data["name"] == "Bonnen verwerken"


def test_the_default_rules_are_seeded():
    rules = {r.verb: r for r in SignalRule.objects.all()}
    inkoop = rules["delivery.received"]
    assert inkoop.conditions == {"tray": ["inkoop"]} and inkoop.assignee_role == "assistant"
    assert inkoop.task_title == "Verwerk inkoopfactuur" and inkoop.due_offset_days == 2
    assert rules["approval.rejected"].assignee_role == "accountant" and rules["approval.rejected"].due_offset_days == 1
    changed = rules["client.data_changed"]
    assert changed.assignee_role == "assistant" and changed.due_offset_days == 3
