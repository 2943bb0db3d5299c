"""Pages of signal rules and e-mail templates: admins only, bad input refused whole, constant queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accordo.core.models import Event
from accordo.core.pagecache import bypassed
from accordo.testing.factories import LabelFactory
from accordo.work.models import MailTemplate, SignalRule

RULES = reverse("work_admin:rule_list")
NEW_RULE = reverse("work_admin:rule_create")
MAILS = reverse("work_admin:mail_template_list")
NEW_MAIL = reverse("work_admin:mail_template_create")


@pytest.fixture
def admin_client(client, firm_admin):
    firm_admin.language = "en"  # messages are checked in English
    firm_admin.save()
    client.force_login(firm_admin)
    return client


def _rule_post(**kwargs) -> dict:
    return {
        "name": "Bonnen MKB",
        "verb": "delivery.received",
        "active": "on",
        "action": "create_task",
        "task_title": "Verwerk bonnen",
        "assignee_role": "assistant",
        "due_offset_days": "2",
        **kwargs,
    }


def test_an_admin_adds_a_rule_with_conditions_from_the_form(admin_client):
    label = LabelFactory(name="MKB")
    response = admin_client.post(
        NEW_RULE, _rule_post(tray=["bonnen"], label=[str(label.public_id)], tier=["collaborate_extended"])
    )
    assert response.status_code == 302 and response["Location"] == RULES
    rule = SignalRule.objects.get(name="Bonnen MKB")
    assert rule.conditions == {"tier": ["collaborate_extended"], "label": [str(label.public_id)], "tray": ["bonnen"]}
    assert (rule.task_title, rule.assignee_role, rule.due_offset_days, rule.active) == (
        "Verwerk bonnen",
        "assistant",
        2,
        True,
    )
    page = admin_client.get(RULES).content.decode()
    assert "Bonnen MKB" in page and "MKB" in page and "Bonnen" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"task_title": ""}, "Give the task a title"),
        ({"assignee_role": ""}, "either a role or a person"),
        ({"action": "send_mail"}, "e-mail template"),
        ({"action": "start_workflow"}, "active workflow template"),
        ({"verb": "task.created"}, "Select a valid choice"),
        ({"tray": ["nope"]}, "Select a valid choice"),
        ({"due_offset_days": "999"}, "less than or equal to 365"),
    ],
)
def test_bad_rule_input_is_refused_with_a_message_and_nothing_written(admin_client, changes, message):
    before = SignalRule.objects.count()
    response = admin_client.post(NEW_RULE, _rule_post(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert SignalRule.objects.count() == before and not Event.objects.exists()


def test_an_admin_edits_switches_and_removes_a_rule(admin_client):
    rule = SignalRule.objects.get(verb="delivery.received")
    url = reverse("work_admin:rule_edit", args=[rule.public_id])
    form = admin_client.get(url).content.decode()
    assert 'value="Verwerk inkoopfactuur"' in form and 'value="inkoop" id="id_tray_0" checked' in form
    response = admin_client.post(url, _rule_post(name="Inkoop", tray=["inkoop", "bonnen"]))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.name == "Inkoop" and rule.conditions == {"tray": ["bonnen", "inkoop"]}
    admin_client.post(reverse("work_admin:rule_active", args=[rule.public_id]), {"active": "0"})
    rule.refresh_from_db()
    assert not rule.active
    assert (
        admin_client.post(reverse("work_admin:rule_active", args=[rule.public_id]), {"active": "x"}).status_code == 302
    )
    delete = reverse("work_admin:rule_delete", args=[rule.public_id])
    assert admin_client.get(delete).status_code == 200 and SignalRule.objects.filter(pk=rule.pk).exists()
    assert admin_client.post(delete).status_code == 302
    assert not SignalRule.objects.filter(pk=rule.pk).exists()
    assert [e.verb for e in Event.objects.order_by("seq")] == ["rule.updated", "rule.updated", "rule.deleted"]


def test_a_mail_rule_is_made_from_the_form(admin_client):
    template = MailTemplate.objects.create(name="Bevestiging", subject="S", body="B")
    response = admin_client.post(
        NEW_RULE, _rule_post(action="send_mail", mail_template=str(template.public_id), task_title="", assignee_role="")
    )
    assert response.status_code == 302
    rule = SignalRule.objects.get(name="Bonnen MKB")
    assert rule.action == "send_mail" and rule.mail_template == template


def test_the_wrong_method_is_refused(admin_client):
    rule = SignalRule.objects.first()
    assert admin_client.get(reverse("work_admin:rule_active", args=[rule.public_id])).status_code == 405
    assert admin_client.put(RULES).status_code == 405


def _count(client, url: str) -> int:
    with bypassed():
        for _ in range(2):  # the first requests make the firm, stamp the session and fill the firm cache
            client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
    return len(queries)


def test_the_rules_list_takes_the_same_queries_for_more_rules(admin_client):
    few = _count(admin_client, RULES)
    template = MailTemplate.objects.create(name="T", subject="S", body="B")
    labels = [LabelFactory(name=f"L{i}") for i in range(3)]
    for i in range(12):
        SignalRule.objects.create(
            name=f"R{i}",
            verb="approval.approved",
            action="send_mail" if i % 2 else "create_task",
            mail_template=template if i % 2 else None,
            task_title="T",
            assignee_role="assistant",
            conditions={"label": [str(labels[i % 3].public_id)], "tray": ["bonnen"]},
        )
    assert _count(admin_client, RULES) == few


def test_the_mail_templates_list_takes_the_same_queries_for_more_templates(admin_client):
    MailTemplate.objects.create(name="T0", subject="S", body="B")
    few = _count(admin_client, MAILS)
    for i in range(1, 12):
        MailTemplate.objects.create(name=f"T{i}", subject="S", body="B")
    assert _count(admin_client, MAILS) == few


# --- e-mail templates -------------------------------------------------------------------------------


def test_an_admin_previews_then_saves_an_e_mail_template(admin_client, organisation):
    data = {"name": "Bevestiging ontvangst", "subject": "Ontvangen: {organisation}", "body": "Dank, {person}. {firm}"}
    preview = admin_client.post(NEW_MAIL, {**data, "preview": "1"})
    assert preview.status_code == 200 and not MailTemplate.objects.exists()
    assert f"Ontvangen: {organisation.name}" in preview.content.decode()
    assert admin_client.post(NEW_MAIL, data).status_code == 302
    template = MailTemplate.objects.get()
    page = admin_client.get(reverse("work_admin:mail_template_edit", args=[template.public_id]))
    assert f"Ontvangen: {organisation.name}" in page.content.decode()
    response = admin_client.post(
        reverse("work_admin:mail_template_edit", args=[template.public_id]), {**data, "subject": "Nieuw"}
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.subject == "Nieuw"


def test_a_bad_placeholder_is_refused(admin_client):
    response = admin_client.post(NEW_MAIL, {"name": "X", "subject": "Hoi {organisation.bsn}", "body": "B"})
    assert response.status_code == 400 and "Unknown placeholder" in response.content.decode()
    assert not MailTemplate.objects.exists() and not Event.objects.exists()


def test_a_template_a_rule_sends_cannot_be_removed(admin_client):
    template = MailTemplate.objects.create(name="In gebruik", subject="S", body="B")
    SignalRule.objects.create(name="Stuur", verb="delivery.received", action="send_mail", mail_template=template)
    url = reverse("work_admin:mail_template_delete", args=[template.public_id])
    response = admin_client.post(url)
    assert response.status_code == 409 and "Stuur" in response.content.decode()
    assert MailTemplate.objects.filter(pk=template.pk).exists()
    SignalRule.objects.filter(name="Stuur").delete()
    assert admin_client.post(url).status_code == 302
    assert not MailTemplate.objects.exists()


@pytest.mark.parametrize("who", ["accountant", "client_owner", "outsider"])
def test_only_admins_see_the_rules(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(RULES).status_code == 404
    assert client.post(NEW_RULE, _rule_post()).status_code == 404
    assert client.post(NEW_MAIL, {"name": "X", "subject": "S", "body": "B"}).status_code == 404
    assert not Event.objects.exists()


def test_a_rule_on_an_event_not_offered_any_more_keeps_it_when_edited(admin_client):
    rule = SignalRule.objects.create(name="Oud", verb="legacy.happened", task_title="T", assignee_role="assistant")
    form = admin_client.get(reverse("work_admin:rule_edit", args=[rule.public_id])).content.decode()
    assert 'value="legacy.happened" selected' in form
    response = admin_client.post(
        reverse("work_admin:rule_edit", args=[rule.public_id]), _rule_post(name="Oud", verb="legacy.happened")
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.verb == "legacy.happened"
