"""Every page of signal rules, e-mail templates and workflows passes axe on a desktop and a phone and
never scrolls sideways."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accordo.accounts.models import User
from accordo.clients.models import Label, Organisation
from accordo.core.context import RequestContext
from accordo.e2e.axe import checked
from accordo.e2e.flows import log_in_staff, submit, visit
from accordo.e2e.test_pages_a11y import PHONE
from accordo.e2e.test_pages_a11y_dossier import _fits
from accordo.testing.factories import AssignmentFactory, StaffFactory
from accordo.work import services, services_mail
from accordo.work import services_workflows as wf
from accordo.work.models import SignalRule, WorkflowBatch

pytestmark = pytest.mark.browser

SCREENS = [pytest.param("desktop"), pytest.param("phone", marks=pytest.mark.browser_context_args(**PHONE))]
CTX = RequestContext.system("e2e")


@pytest.fixture
def world(organisation: Organisation, firm_admin: User, accountant: User) -> SimpleNamespace:
    """Rules of each action, an e-mail template, a workflow template, a running workflow half-way and
    a finished bulk start."""
    assistant = StaffFactory(email="assistent@firm.test", staff_role="assistant", full_name="Sanne Assistent")
    AssignmentFactory(organisation=organisation, user=assistant, role="assistant")
    Label.objects.get_or_create(name="Horeca")[0].organisations.add(organisation)
    mail = services_mail.mail_template_create(
        actor=firm_admin, ctx=CTX, name="Bevestiging ontvangst", subject="Ontvangen: {organisation}",
        body="Beste {person},\n\n{firm} heeft uw stukken op {date} ontvangen.",
    )  # fmt: skip
    template = wf.workflow_template_create(
        actor=firm_admin, ctx=CTX, name="Jaarrekening",
        steps=[wf.StepSpec("Stukken aanleveren", "client", 14), wf.StepSpec("Samenstellen", "assistant", 30),
               wf.StepSpec("Beoordelen", "accountant", 45)],
    )  # fmt: skip
    services.rule_create(
        actor=firm_admin, ctx=CTX, name="Verkoop bevestigen", verb="delivery.received",
        conditions={"tray": ["verkoop"]}, action=SignalRule.Action.SEND_MAIL, mail_template=mail,
    )  # fmt: skip
    services.rule_create(
        actor=firm_admin, ctx=CTX, name="Jaarwerk starten", verb="approval.approved",
        conditions={"approval_type": ["annual_accounts"]}, action=SignalRule.Action.START_WORKFLOW,
        workflow_template=template, active=False,
    )  # fmt: skip
    workflow = wf.workflow_start(
        actor=accountant, ctx=CTX, template=template, organisation=organisation, name="Jaarrekening 2025",
        start_date=datetime.date(2026, 1, 5),
    )  # fmt: skip
    task = workflow.tasks.order_by("step__position").first()
    assert task is not None
    services.task_move(actor=accountant, ctx=CTX, task=task, status="done")
    batch = WorkflowBatch.objects.create(
        template=template,
        name="Jaarrekening 2024",
        start_date=datetime.date(2025, 1, 6),
        total=1,
        created_by=accountant,
    )
    wf.workflow_batch_run(batch=batch)
    return SimpleNamespace(
        organisation=organisation,
        rule=SignalRule.objects.get(name="Verkoop bevestigen"),
        mail=mail,
        template=template,
        workflow=workflow,
        batch=batch,
    )


ADMIN = "/staff/work/admin"


@pytest.mark.parametrize("screen", SCREENS)
def test_it_serves_accessible_pages_of_rules_templates_and_workflows(
    page: Page, live_server: LiveServer, firm_admin: User, world: SimpleNamespace, screen: str
) -> None:
    base = live_server.url
    log_in_staff(page, base, firm_admin)
    for path in (
        "/rules/",
        "/rules/new/",
        f"/rules/{world.rule.public_id}/",
        f"/rules/{world.rule.public_id}/delete/",
        "/mail-templates/",
        "/mail-templates/new/",
        f"/mail-templates/{world.mail.public_id}/",
        f"/mail-templates/{world.mail.public_id}/delete/",
        "/workflow-templates/",
        "/workflow-templates/new/",
        f"/workflow-templates/{world.template.public_id}/",
        "/workflows/",
        f"/workflows/?batch={world.batch.public_id}",
        f"/workflows/{world.workflow.public_id}/",
        "/workflows/bulk/",
        f"/workflows/batches/{world.batch.public_id}/",
        f"/clients/{world.organisation.public_id}/workflows/start/",
    ):
        visit(page, base + ADMIN + path)
        _fits(page, screen)
    # The rule form with the e-mail action chosen, and refused (400) with its messages.
    visit(page, f"{base}{ADMIN}/rules/new/")
    page.select_option("select[name=action]", "send_mail")
    expect(page.locator("[data-for-action=create_task]")).to_be_hidden()
    submit(page, "form[data-rule-form] button[type=submit]")
    assert page.locator(".error, .form-errors").count() >= 1
    _fits(page, screen)
    # The e-mail template's preview of unsaved text.
    visit(page, f"{base}{ADMIN}/mail-templates/{world.mail.public_id}/")
    submit(page, "main button[name=preview]")
    assert page.locator("pre.mail-preview").count() == 1
    _fits(page, screen)
    # The client's page, with its workflows loaded into it.
    visit(page, f"{base}/staff/organisations/{world.organisation.public_id}/")
    expect(page.locator("section[aria-labelledby=workflows-h] progress")).to_have_count(2)  # 2025 and 2024
    checked(page)
    _fits(page, screen)
