"""Signal rules that send an e-mail template or start a workflow: validated, branded, exactly once."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accordo.clients.models import Tier
from accordo.clients.selectors import firm_get
from accordo.core.consumers import consumer_run
from accordo.core.models import ConsumerOffset, Event
from accordo.testing.factories import MembershipFactory, UserFactory
from accordo.work import services, services_mail
from accordo.work.models import MailTemplate, RuleFiring, SignalRule, Task, Workflow
from accordo.work.services_workflows import StepSpec, workflow_template_create
from accordo.work.tests.test_engine import CTX, deliver


@pytest.fixture
def mail_template(db) -> MailTemplate:
    return MailTemplate.objects.create(
        name="Bevestiging ontvangst",
        subject="Ontvangen voor {organisation}",
        body="Beste {person},\n\n{firm} heeft op {date} iets ontvangen ({event}).\n{unknown} blijft staan.",
    )


@pytest.fixture
def jaarrekening(firm_admin):
    return workflow_template_create(
        actor=firm_admin,
        ctx=CTX,
        name="Jaarrekening",
        steps=[StepSpec("Stukken aanleveren", "client", 7), StepSpec("Samenstellen", "assistant", 14)],
    )


def _mail_rule(firm_admin, template, **kwargs) -> SignalRule:
    SignalRule.objects.all().delete()
    return services.rule_create(
        actor=firm_admin,
        ctx=CTX,
        name="Bevestig verkoop",
        verb="delivery.received",
        conditions={"tray": "verkoop"},
        action="send_mail",
        mail_template=template,
        **kwargs,
    )


@pytest.fixture(autouse=True)
def _no_dispatcher(monkeypatch):
    """The tests run the rules consumer themselves; the after-commit dispatcher would run it again."""
    monkeypatch.setattr("accordo.core.tasks.dispatch_events_soon", lambda: None)


def _run(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        consumer_run("rules")


def test_a_mail_rule_mails_the_portal_users_branded_in_their_language(
    firm_admin, client_owner, organisation, mail_template, django_capture_on_commit_callbacks
):
    english = UserFactory(email="en@client.test", full_name="Eve English", language="en")
    MembershipFactory(user=english, organisation=organisation, role="viewer")
    firm = firm_get()
    firm.email_signature = "Groet, het kantoor"
    firm.save()
    rule = _mail_rule(firm_admin, mail_template)
    deliver(client_owner, organisation, tray="verkoop")
    _run(django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mail.outbox) == ["en@client.test", "owner@client.test"]
    to_eve = next(m for m in mail.outbox if m.to == ["en@client.test"])
    assert to_eve.subject == f"Ontvangen voor {organisation.name}"
    assert "Beste Eve English" in to_eve.body and f"{firm.name} heeft op" in to_eve.body
    assert "(Delivery received)" in to_eve.body and "{unknown} blijft staan." in to_eve.body
    assert "Groet, het kantoor" in to_eve.body
    html = to_eve.alternatives[0][0]
    assert firm.primary_color in html and "Beste Eve English" in html
    event = Event.objects.get(verb="rule.mail_sent")
    assert event.organisation == organisation and event.target_id == str(rule.public_id)
    assert sorted(event.data["recipients"]) == ["en@client.test", "owner@client.test"]
    assert event.data["source_event"] == Event.objects.get(verb="delivery.received").seq
    assert RuleFiring.objects.get().task is None


def test_placeholders_cannot_reach_into_objects(firm_admin, organisation, client_owner):
    with pytest.raises(ValidationError, match="Unknown placeholder"):
        services_mail.mail_template_create(
            actor=firm_admin, ctx=CTX, name="Lek", subject="Hoi", body="{organisation.bsn} {firm.__class__}"
        )
    values = {"organisation": "A"}
    assert services_mail.placeholders_fill("{organisation} {{organisation}} {x}", values) == "A {A} {x}"


def test_a_client_without_portal_gets_the_mail_at_its_own_address(
    firm_admin, client_owner, organisation, mail_template, django_capture_on_commit_callbacks
):
    organisation.tier = Tier.COLLABORATE
    organisation.email = "info@bakkerij.test"
    organisation.save()
    _mail_rule(firm_admin, mail_template)
    deliver(client_owner, organisation, tray="verkoop")
    _run(django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["info@bakkerij.test"]]


def test_no_address_at_all_is_recorded_not_sent(
    firm_admin, organisation, mail_template, django_capture_on_commit_callbacks
):
    _mail_rule(firm_admin, mail_template)
    deliver(None, organisation, tray="verkoop")
    _run(django_capture_on_commit_callbacks)
    assert not mail.outbox
    assert Event.objects.get(verb="rule.mail_skipped").data["recipients"] == []


def test_a_crash_halfway_sends_each_mail_exactly_once(
    firm_admin, client_owner, organisation, mail_template, monkeypatch, django_capture_on_commit_callbacks
):
    """GIVEN a mail rule and two deliveries in Verkoop
    WHEN the worker dies recording the second delivery's mail, and then runs again (twice)
    THEN the client has exactly one mail per delivery."""
    _mail_rule(firm_admin, mail_template)
    deliver(client_owner, organisation, tray="verkoop", data=b"one")
    deliver(client_owner, organisation, tray="verkoop", data=b"two")
    real_send = services_mail.rule_mail_send
    calls: list[int] = []

    def dying_send(**kwargs):
        calls.append(kwargs["event"].seq)
        sent = real_send(**kwargs)
        if len(calls) == 2:
            raise SystemError("worker killed")
        return sent

    monkeypatch.setattr(services_mail, "rule_mail_send", dying_send)
    with pytest.raises(SystemError):
        _run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1 and RuleFiring.objects.count() == 1
    _run(django_capture_on_commit_callbacks)
    ConsumerOffset.objects.filter(name="rules").update(last_seq=0)
    _run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2 and RuleFiring.objects.count() == 2
    assert Event.objects.filter(verb="rule.mail_sent").count() == 2


def test_a_workflow_rule_starts_one_workflow_per_event_day(
    firm_admin, client_owner, organisation, jaarrekening, monkeypatch
):
    SignalRule.objects.all().delete()
    services.rule_create(
        actor=firm_admin,
        ctx=CTX,
        name="Start jaarrekening",
        verb="delivery.received",
        conditions={"tray": "bonnen"},
        action="start_workflow",
        workflow_template=jaarrekening,
    )
    deliver(client_owner, organisation, tray="bonnen", data=b"1")
    deliver(client_owner, organisation, tray="bonnen", data=b"2")  # the same day: the same workflow
    consumer_run("rules")
    workflow = Workflow.objects.get()
    today = timezone.localdate(Event.objects.filter(verb="delivery.received").first().created_at)
    assert workflow.name == f"Jaarrekening {today.isoformat()}" and workflow.organisation == organisation
    assert [f.workflow for f in RuleFiring.objects.order_by("pk")] == [workflow, workflow]
    assert Task.objects.filter(workflow=workflow).count() == 2
    first = Event.objects.filter(verb="delivery.received").order_by("seq").first()
    assert workflow.source_event == first and workflow.start_date == today

    tomorrow = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr("accordo.core.events.timezone", SimpleNamespace(now=lambda: tomorrow))
    deliver(client_owner, organisation, tray="bonnen", data=b"3")
    consumer_run("rules")
    assert Workflow.objects.count() == 2
    assert Workflow.objects.filter(name=f"Jaarrekening {timezone.localdate(tomorrow).isoformat()}").exists()


def test_a_crash_halfway_starts_each_workflow_exactly_once(
    firm_admin, client_owner, organisation, other_organisation, jaarrekening, monkeypatch
):
    from accordo.work import services_workflows

    SignalRule.objects.all().delete()
    services.rule_create(
        actor=firm_admin,
        ctx=CTX,
        name="Start",
        verb="delivery.received",
        action="start_workflow",
        workflow_template=jaarrekening,
    )
    deliver(client_owner, organisation, data=b"1")
    deliver(None, other_organisation, data=b"2")
    real = services_workflows.workflow_start
    calls: list[int] = []

    def dying(**kwargs):
        calls.append(1)
        started = real(**kwargs)
        if len(calls) == 2:
            raise SystemError("worker killed")
        return started

    monkeypatch.setattr(services_workflows, "workflow_start", dying)
    with pytest.raises(SystemError):
        consumer_run("rules")
    assert Workflow.objects.count() == 1
    consumer_run("rules")
    ConsumerOffset.objects.filter(name="rules").update(last_seq=0)
    consumer_run("rules")
    assert Workflow.objects.count() == 2 and Task.objects.filter(workflow__isnull=False).count() == 4
    assert Event.objects.filter(verb="workflow.started").count() == 2
    assert RuleFiring.objects.filter(workflow__isnull=False).count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"action": "send_mail"}, "e-mail template"),
        ({"action": "start_workflow"}, "active workflow template"),
        ({"action": "create_task", "task_title": "T"}, "either a role or a person"),
        ({"action": "create_task", "assignee_role": "assistant"}, "title"),
        ({"action": "nonsense"}, "what the rule does"),
    ],
)
def test_each_action_needs_its_fields(firm_admin, fields, message):
    before = SignalRule.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.rule_create(actor=firm_admin, ctx=CTX, name="R", verb="delivery.received", **fields)
    assert SignalRule.objects.count() == before and not Event.objects.exists()


def test_an_inactive_workflow_template_cannot_be_chosen(firm_admin, jaarrekening):
    jaarrekening.active = False
    jaarrekening.save()
    with pytest.raises(ValidationError, match="active workflow template"):
        services.rule_create(
            actor=firm_admin,
            ctx=CTX,
            name="R",
            verb="delivery.received",
            action="start_workflow",
            workflow_template=jaarrekening,
        )


def test_changing_the_action_empties_the_other_actions_fields(firm_admin, mail_template):
    rule = SignalRule.objects.get(verb="delivery.received")
    diff = services.rule_update(
        actor=firm_admin, ctx=CTX, rule=rule, changes={"action": "send_mail", "mail_template": mail_template}
    )
    rule.refresh_from_db()
    assert rule.task_title == "" and rule.assignee_role == "" and rule.mail_template == mail_template
    assert diff["mail_template"] == {"old": None, "new": "Bevestiging ontvangst"}


def test_work_and_workflow_events_start_no_rules():
    assert all(
        v.startswith(services.OWN_VERB_PREFIXES)
        for v in ("workflow.started", "workflow.completed", "rule.mail_sent", "mailtemplate.created")
    )
    verbs = dict(services.signal_verbs())
    assert verbs["delivery.received"] == "Delivery received" and "task.created" not in verbs
    assert "message.received" not in verbs  # not recorded by anything yet
