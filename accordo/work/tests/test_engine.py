"""The rule engine on real service calls: matching rules make tasks, exactly once per event and rule."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from accordo.approvals import services as approval_services
from accordo.approvals.services import OfferedFile
from accordo.clients.models import Label
from accordo.clients.services import organisation_update
from accordo.core.consumers import consumer_run
from accordo.core.context import RequestContext
from accordo.core.models import ConsumerOffset, Event
from accordo.deliveries.models import Delivery, Tray
from accordo.deliveries.services import delivery_receive
from accordo.testing.factories import OrganisationFactory
from accordo.work import services
from accordo.work.models import RuleFiring, SignalRule, Task

CTX = RequestContext(ip="192.0.2.10", user_agent="test-agent")


def deliver(actor, organisation, tray: str = "inkoop", data: bytes = b"%PDF-1.4 factuur 1") -> Delivery:
    return delivery_receive(
        actor=actor,
        ctx=CTX,
        organisation=organisation,
        tray=Tray.objects.get(slug=tray),
        file=ContentFile(data, name="factuur.pdf"),
        name="factuur.pdf",
        size=len(data),
        mime="application/pdf",
        sha256=hashlib.sha256(data).hexdigest(),
    )


def rules_run() -> int:
    return consumer_run("rules")


def test_a_purchase_invoice_delivered_in_inkoop_becomes_a_task_for_the_assistant(client_owner, organisation, assistant):
    delivery = deliver(client_owner, organisation)
    rules_run()

    task = Task.objects.get()
    received = Event.objects.get(verb="delivery.received")
    assert task.title == "Verwerk inkoopfactuur" and task.assignee == assistant and task.assignee_role == "assistant"
    assert task.organisation == organisation and task.status == "todo" and not task.for_client
    assert task.due_date == timezone.localdate(received.created_at) + datetime.timedelta(days=2)
    assert task.source_event == received
    assert (task.target_type, task.target_id) == ("deliveries.delivery", str(delivery.public_id))
    firing = RuleFiring.objects.get()
    assert firing.event == received and firing.task == task
    created = Event.objects.get(verb="task.created")
    assert created.actor is None and created.actor_label == "rules" and created.data["assignee"] == assistant.email
    assert created.data["source_event"] == received.seq and created.data["rule"] == str(firing.rule.public_id)


def test_a_delivery_in_another_tray_makes_no_task(client_owner, organisation, assistant):
    deliver(client_owner, organisation, tray="verkoop")
    deliver(client_owner, organisation, tray="bonnen", data=b"bon")
    rules_run()
    assert not Task.objects.exists() and not RuleFiring.objects.exists()


def test_it_runs_through_the_dispatcher_after_commit(
    client_owner, organisation, assistant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client_owner, organisation)
    assert Task.objects.get().assignee == assistant
    assert ConsumerOffset.objects.get(name="rules").last_seq == Event.objects.latest("seq").seq


def test_a_rejected_approval_becomes_a_task_for_the_responsible_accountant(organisation, client_owner, responsible):
    data = b"%PDF-1.4 aangifte"
    approval = approval_services.approval_offer(
        actor=responsible,
        ctx=CTX,
        organisation=organisation,
        type="vpb",
        period="2025",
        title="Aangifte VPB 2025",
        documents=[
            OfferedFile(
                ContentFile(data, name="a.pdf"), "a.pdf", len(data), "application/pdf", hashlib.sha256(data).hexdigest()
            )
        ],
        deciders=[client_owner],
    )
    approval_services.approval_decide(
        actor=client_owner, ctx=CTX, approval=approval, approve=False, statement=approval.statement, reason="Fout"
    )
    rules_run()
    task = Task.objects.get()
    assert task.assignee == responsible and task.target_id == str(approval.public_id)
    assert task.source_event == Event.objects.get(verb="approval.rejected")


def test_client_data_changed_by_the_client_becomes_a_task_to_check_the_back_office(
    organisation, client_owner, assistant
):
    organisation_update(actor=client_owner, ctx=CTX, organisation=organisation, changes={"phone": "030 123 45 67"})
    rules_run()
    task = Task.objects.get()
    assert task.assignee == assistant and "backoffice" in task.title


def test_a_role_nobody_holds_gives_an_unassigned_task(client_owner, organisation):
    deliver(client_owner, organisation)
    rules_run()
    task = Task.objects.get()
    assert task.assignee is None and task.assignee_role == "assistant"


@pytest.mark.parametrize(
    "conditions",
    [
        {"tray": ["inkoop"], "tier": ["collaborate"]},
        {"tray": ["inkoop"], "organisation_kind": ["person"]},
        {"tray": ["inkoop"], "label": "LABEL"},
        {"approval_type": ["ib"]},
        {"future_condition": ["x"]},
    ],
)
def test_conditions_that_do_not_match_make_nothing(client_owner, organisation, assistant, conditions):
    SignalRule.objects.all().delete()
    other = Label.objects.get_or_create(name="Particulier")[0]
    Label.objects.get_or_create(name="MKB")[0].organisations.add(organisation)
    if conditions.get("label") == "LABEL":
        conditions["label"] = [str(other.public_id)]
    SignalRule.objects.create(
        name="R", verb="delivery.received", conditions=conditions, task_title="T", assignee_role="assistant"
    )
    deliver(client_owner, organisation)
    rules_run()
    assert not Task.objects.exists()


def test_conditions_that_all_match_make_the_task(firm_admin, client_owner, organisation, assistant):
    SignalRule.objects.all().delete()
    label = Label.objects.get_or_create(name="MKB")[0]
    label.organisations.add(organisation)
    services.rule_create(
        actor=firm_admin,
        ctx=CTX,
        name="Bonnen MKB",
        verb="delivery.received",
        task_title="Verwerk bonnen",
        conditions={
            "tray": "bonnen",
            "label": str(label.public_id),
            "tier": organisation.tier,
            "organisation_kind": "company",
        },
        assignee_role="assistant",
        due_offset_days=2,
    )
    deliver(client_owner, organisation, tray="bonnen")
    elsewhere = OrganisationFactory(tier=organisation.tier)
    deliver(None, elsewhere, tray="bonnen")  # not labelled MKB
    rules_run()
    assert [(t.title, t.organisation, t.assignee) for t in Task.objects.all()] == [
        ("Verwerk bonnen", organisation, assistant)
    ]


def test_an_inactive_rule_makes_nothing(client_owner, organisation, assistant):
    SignalRule.objects.update(active=False)
    deliver(client_owner, organisation)
    rules_run()
    assert not Task.objects.exists()


def test_a_rule_fires_once_when_the_consumer_runs_twice(client_owner, organisation, assistant):
    deliver(client_owner, organisation)
    rules_run()
    ConsumerOffset.objects.filter(name="rules").update(last_seq=0)  # as if the offset was never saved
    rules_run()
    rules_run()
    assert Task.objects.count() == 1 and RuleFiring.objects.count() == 1
    assert Event.objects.filter(verb="task.created").count() == 1


def test_a_crash_halfway_loses_nothing_and_duplicates_nothing(client_owner, organisation, assistant, monkeypatch):
    """GIVEN two rules on deliveries in Inkoop and two deliveries
    WHEN the worker dies making the second rule's task for the second delivery, and runs again
    THEN there is exactly one task per delivery and rule."""
    second = SignalRule.objects.create(
        name="Tweede",
        verb="delivery.received",
        conditions={"tray": ["inkoop"]},
        task_title="Controleer btw",
        assignee_role="assistant",
    )
    first_delivery = deliver(client_owner, organisation, data=b"one")
    second_delivery = deliver(client_owner, organisation, data=b"two")
    real_create = services.task_create
    crashed: list[int] = []

    def dying_create(**kwargs):
        event = kwargs["source_event"]
        if kwargs["title"] == "Controleer btw" and event.target_id == str(second_delivery.public_id) and not crashed:
            crashed.append(event.seq)
            raise SystemError("worker killed")
        return real_create(**kwargs)

    monkeypatch.setattr(services, "task_create", dying_create)
    with pytest.raises(SystemError):
        rules_run()

    # The first delivery is done (both rules), the second half: its first rule's task was committed,
    # the second rule's firing rolled back with its task, and the offset stays before it.
    received = list(Event.objects.filter(verb="delivery.received").order_by("seq"))
    assert ConsumerOffset.objects.get(name="rules").last_seq < received[1].seq
    assert Task.objects.count() == 3
    assert not RuleFiring.objects.filter(rule=second, event=received[1]).exists()

    rules_run()
    rules_run()
    firings = RuleFiring.objects.select_related("task")
    pairs = sorted((f.event.target_id, f.rule.name, f.task.title if f.task else "") for f in firings)
    assert len(pairs) == 4 and Task.objects.count() == 4
    assert {(target, rule) for target, rule, _ in pairs} == {
        (str(first_delivery.public_id), "Inkoopfactuur aangeleverd"),
        (str(first_delivery.public_id), "Tweede"),
        (str(second_delivery.public_id), "Inkoopfactuur aangeleverd"),
        (str(second_delivery.public_id), "Tweede"),
    }
    assert Event.objects.filter(verb="task.created").count() == 4


def test_a_fresh_rules_consumer_starts_at_the_newest_event(client_owner, organisation, assistant):
    ConsumerOffset.objects.filter(name="rules").delete()
    deliver(client_owner, organisation, data=b"history")
    newest = Event.objects.latest("seq").seq

    assert rules_run() == 0
    assert not Task.objects.exists()
    assert ConsumerOffset.objects.get(name="rules").last_seq == newest

    deliver(client_owner, organisation, data=b"new")
    rules_run()
    assert Task.objects.count() == 1


def test_events_of_work_itself_start_no_rules(firm_admin, accountant, organisation, assistant):
    SignalRule.objects.create(name="Lus", verb="task.created", task_title="Nog een taak", assignee_role="assistant")
    services.task_create(actor=accountant, ctx=CTX, title="Iets", organisation=organisation)
    rules_run()
    assert Task.objects.count() == 1
