"""Step-up 2FA before approving: a fresh TOTP or recovery code; the firm may require 2FA for approving."""

from __future__ import annotations

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import reverse
from django.utils import translation

from accordo.approvals.models import Approval
from accordo.approvals.stepup import step_up_for
from accordo.approvals.tests.portal_helpers import offer
from accordo.clients.selectors import firm_get
from accordo.core.models import Event
from accordo.testing.factories import enrol_totp, totp_now


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["accordo_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def approval(accountant, organisation, client_owner):
    return offer(accountant, organisation, [client_owner])


@pytest.fixture
def as_owner(client, client_owner):
    client.force_login(client_owner)
    return client


@pytest.fixture
def required():
    firm = firm_get()
    firm.require_approval_mfa = True
    firm.save()
    return firm


def _approve(client, approval: Approval, code: str | None = None):
    data = {"statement": approval.statement, "agree": "on"}
    if code is not None:
        data["code"] = code
    return client.post(reverse("approvals_portal:approve", args=[approval.public_id]), data)


def _status(approval: Approval) -> str:
    approval.refresh_from_db()
    return approval.status


def test_it_knows_what_approving_asks_of_a_user(client_owner, client_viewer, required):
    enrol_totp(client_owner)
    assert step_up_for(client_owner, required).has_totp and not step_up_for(client_owner, required).blocked
    assert step_up_for(client_viewer, required).blocked and step_up_for(client_viewer, required).required
    required.require_approval_mfa = False
    assert not step_up_for(client_viewer, required).required


def test_a_user_with_totp_is_asked_for_a_code(as_owner, client_owner, approval):
    enrol_totp(client_owner)
    page = as_owner.get(reverse("approvals_portal:approval", args=[approval.public_id])).content.decode()
    assert "Code from your authenticator app (or a recovery code)" in page
    response = _approve(as_owner, approval)
    assert response.status_code == 400
    assert "Type the code." in response.content.decode()
    assert _status(approval) == "offered"


def test_a_wrong_code_decides_nothing(as_owner, client_owner, approval):
    enrol_totp(client_owner)
    wrong = "000000" if totp_now() != "000000" else "111111"
    response = _approve(as_owner, approval, wrong)
    assert response.status_code == 400
    assert "Incorrect code." in response.content.decode()
    assert _status(approval) == "offered"
    assert not Event.objects.filter(verb="approval.approved").exists()


def test_a_fresh_code_approves_and_the_evidence_says_2fa_was_passed(as_owner, client_owner, approval):
    enrol_totp(client_owner)
    assert _approve(as_owner, approval, totp_now()).status_code == 302
    assert _status(approval) == "approved"
    assert Event.objects.get(verb="approval.approved").mfa_passed is True


def test_a_code_is_accepted_only_once(as_owner, accountant, organisation, client_owner, approval):
    enrol_totp(client_owner)
    code = totp_now()
    assert _approve(as_owner, approval, code).status_code == 302
    second = offer(accountant, organisation, [client_owner])
    response = _approve(as_owner, second, code)
    assert response.status_code == 400
    assert _status(second) == "offered"


def test_an_unused_recovery_code_approves_once(as_owner, accountant, organisation, client_owner, approval):
    enrol_totp(client_owner)
    code = RecoveryCodes.activate(client_owner).get_unused_codes()[0]
    assert _approve(as_owner, approval, code).status_code == 302
    assert _status(approval) == "approved"
    second = offer(accountant, organisation, [client_owner])
    assert _approve(as_owner, second, code).status_code == 400
    assert _status(second) == "offered"


def test_rejecting_needs_no_code(as_owner, client_owner, approval):
    enrol_totp(client_owner)
    url = reverse("approvals_portal:reject", args=[approval.public_id])
    assert as_owner.post(url, {"reason": "Klopt niet"}).status_code == 302
    assert _status(approval) == "rejected"


def test_when_the_firm_requires_2fa_a_user_without_it_is_sent_to_enrol(as_owner, approval, required):
    page = as_owner.get(reverse("approvals_portal:approval", args=[approval.public_id])).content.decode()
    assert reverse("mfa_activate_totp") in page
    assert "Set up two-factor authentication" in page
    assert reverse("approvals_portal:approve", args=[approval.public_id]) not in page
    response = _approve(as_owner, approval)
    assert response.status_code == 400
    assert "Confirm with your second factor before approving." in response.content.decode()
    assert _status(approval) == "offered"


def test_when_the_firm_requires_2fa_a_user_with_totp_approves_with_a_code(as_owner, client_owner, approval, required):
    enrol_totp(client_owner)
    assert _approve(as_owner, approval).status_code == 400
    assert _approve(as_owner, approval, totp_now()).status_code == 302
    assert _status(approval) == "approved"
    assert Event.objects.get(verb="approval.approved").mfa_passed is True
