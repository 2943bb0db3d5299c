"""Approval services: the offer fixes documents and statement; decisions are evidence and final."""

from __future__ import annotations

import hashlib
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.utils import translation

from accordo.approvals import services
from accordo.approvals.models import Approval, ApprovalDocument, Decider
from accordo.approvals.services import ApprovalStateError, OfferedFile
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.testing.factories import MembershipFactory, UserFactory

CTX = RequestContext(ip="192.0.2.7", user_agent="test-agent", mfa_passed=True)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _file(name: str, data: bytes) -> OfferedFile:
    return OfferedFile(
        ContentFile(data, name=name), name, len(data), "application/pdf", hashlib.sha256(data).hexdigest()
    )


@pytest.fixture
def approver(organisation):
    user = UserFactory(email="approver@client.test", full_name="Anne Approver")
    MembershipFactory(user=user, organisation=organisation, role="approver")
    return user


def _offer(accountant, organisation, deciders, **kwargs):
    return services.approval_offer(
        actor=accountant,
        ctx=CTX,
        organisation=organisation,
        type="vpb",
        period="2025",
        title="Aangifte VPB 2025",
        documents=[_file("aangifte.pdf", b"%PDF-1.4 aangifte"), _file("toelichting.pdf", b"%PDF-1.4 toelichting")],
        deciders=deciders,
        **kwargs,
    )


def test_it_fixes_the_documents_and_the_statement_at_the_offer(accountant, organisation, client_owner):
    approval = _offer(accountant, organisation, [client_owner])
    documents = list(approval.documents.all())
    assert [d.name for d in documents] == ["aangifte.pdf", "toelichting.pdf"]
    for document in documents:
        with default_storage.open(document.file.name, "rb") as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == document.sha256
        assert document.sha256 in approval.statement
    assert organisation.name in approval.statement and "2025" in approval.statement
    event = Event.objects.get(verb="approval.offered")
    assert event.data["statement"] == approval.statement
    assert [d["sha256"] for d in event.data["documents"]] == [d.sha256 for d in documents]
    assert event.data["deciders"] == [client_owner.email]


def test_only_owners_and_approvers_can_decide(accountant, organisation, client_viewer):
    with pytest.raises(ValidationError, match="Only owners and approvers"):
        _offer(accountant, organisation, [client_viewer])
    assert not Approval.objects.exists() and not ApprovalDocument.objects.exists()
    assert not Event.objects.exists()


def test_any_one_the_first_decision_settles_it(accountant, organisation, client_owner, approver):
    approval = _offer(accountant, organisation, [client_owner, approver])
    services.approval_decide(actor=approver, ctx=CTX, approval=approval, approve=True, statement=approval.statement)
    approval.refresh_from_db()
    assert approval.status == "approved" and approval.decided_at is not None
    with pytest.raises(ApprovalStateError):
        services.approval_decide(
            actor=client_owner, ctx=CTX, approval=approval, approve=False, statement=approval.statement, reason="Nee"
        )
    event = Event.objects.get(verb="approval.approved")
    assert event.actor == approver and event.ip == "192.0.2.7" and event.mfa_passed is True
    assert event.user_agent == "test-agent" and event.data["statement"] == approval.statement and event.data["final"]
    assert not Event.objects.filter(verb="approval.rejected").exists()


def test_all_of_them_waits_for_every_decider(accountant, organisation, client_owner, approver):
    approval = _offer(accountant, organisation, [client_owner, approver], rule="all")
    services.approval_decide(actor=approver, ctx=CTX, approval=approval, approve=True, statement=approval.statement)
    approval.refresh_from_db()
    assert approval.status == "offered"
    services.approval_decide(actor=client_owner, ctx=CTX, approval=approval, approve=True, statement=approval.statement)
    approval.refresh_from_db()
    assert approval.status == "approved"
    assert [e.data["final"] for e in Event.objects.filter(verb="approval.approved").order_by("seq")] == [False, True]


def test_one_rejection_rejects_under_all_of_them(accountant, organisation, client_owner, approver):
    approval = _offer(accountant, organisation, [client_owner, approver], rule="all")
    with pytest.raises(ValidationError, match="reason"):
        services.approval_decide(
            actor=approver, ctx=CTX, approval=approval, approve=False, statement=approval.statement
        )
    services.approval_decide(
        actor=approver,
        ctx=CTX,
        approval=approval,
        approve=False,
        statement=approval.statement,
        reason="Bedrag klopt niet",
    )
    approval.refresh_from_db()
    assert approval.status == "rejected"
    assert Decider.objects.get(user=approver).reason == "Bedrag klopt niet"


def test_a_different_statement_or_a_missing_second_factor_changes_nothing(accountant, organisation, client_owner):
    approval = _offer(accountant, organisation, [client_owner])
    with pytest.raises(ValidationError, match="statement"):
        services.approval_decide(
            actor=client_owner, ctx=CTX, approval=approval, approve=True, statement=approval.statement + " extra"
        )
    with pytest.raises(ValidationError, match="second factor"):
        services.approval_decide(
            actor=client_owner,
            ctx=RequestContext(mfa_passed=False),
            approval=approval,
            approve=True,
            statement=approval.statement,
            mfa_required=True,
        )
    approval.refresh_from_db()
    assert approval.status == "offered"
    assert not Event.objects.filter(verb__in=["approval.approved", "approval.rejected"]).exists()


def test_a_person_who_does_not_decide_is_refused(accountant, organisation, client_owner, approver):
    approval = _offer(accountant, organisation, [client_owner])
    with pytest.raises(PermissionError):
        services.approval_decide(actor=approver, ctx=CTX, approval=approval, approve=True, statement=approval.statement)


def test_a_withdrawn_or_superseded_offer_cannot_be_approved(accountant, organisation, client_owner):
    withdrawn = _offer(accountant, organisation, [client_owner])
    services.approval_withdraw(actor=accountant, ctx=CTX, approval=withdrawn, reason="Fout in bijlage")
    with pytest.raises(ApprovalStateError):
        services.approval_decide(
            actor=client_owner, ctx=CTX, approval=withdrawn, approve=True, statement=withdrawn.statement
        )
    old = _offer(accountant, organisation, [client_owner])
    new = _offer(accountant, organisation, [client_owner], supersedes=old)
    old.refresh_from_db()
    assert old.status == "superseded" and new.supersedes == old
    with pytest.raises(ApprovalStateError):
        services.approval_decide(actor=client_owner, ctx=CTX, approval=old, approve=True, statement=old.statement)
    services.approval_decide(actor=client_owner, ctx=CTX, approval=new, approve=True, statement=new.statement)
    assert Event.objects.filter(verb="approval.superseded").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need a server database")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_decisions_cannot_both_win(accountant, organisation, client_owner, approver):
    approval = _offer(accountant, organisation, [client_owner, approver])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(user) -> None:
        try:
            barrier.wait()
            services.approval_decide(actor=user, ctx=CTX, approval=approval, approve=True, statement=approval.statement)
            outcomes.append("won")
        except ApprovalStateError:
            outcomes.append("lost")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(user,)) for user in (client_owner, approver)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["lost", "won"]
    assert Event.objects.filter(verb="approval.approved").count() == 1
    assert Decider.objects.filter(approval=approval, decision="approved").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need a server database")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_approve_clicks_in_the_portal_cannot_both_win(
    accountant, organisation, client_owner, approver
):
    """The same race through the web: two people press "Approve" at once; one wins, one is told."""
    from django.test import Client
    from django.urls import reverse

    approval = _offer(accountant, organisation, [client_owner, approver])
    url = reverse("approvals_portal:approve", args=[approval.public_id])
    browsers = []
    for user in (client_owner, approver):
        browser = Client()
        browser.force_login(user)
        browsers.append(browser)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def click(browser) -> None:
        try:
            barrier.wait()
            statuses.append(browser.post(url, {"statement": approval.statement, "agree": "on"}).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 409]
    assert Event.objects.filter(verb="approval.approved").count() == 1
    assert Decider.objects.filter(approval=approval, decision="approved").count() == 1
