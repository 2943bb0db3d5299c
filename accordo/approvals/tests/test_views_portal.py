"""Client pages of approvals: what waits on the home, the list, the approval page, documents, deciding."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accordo.approvals import services
from accordo.approvals.models import Approval, Decider
from accordo.approvals.tests.portal_helpers import RETURN_PDF, STAFF_CTX, offer
from accordo.clients.models import Organisation
from accordo.core import pagecache
from accordo.core.models import Event
from accordo.testing.factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["accordo_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def approval(accountant, organisation, client_owner):
    return offer(accountant, organisation, [client_owner], amount=Decimal("1234.50"), notes="Let op de afschrijvingen.")


@pytest.fixture
def as_owner(client, client_owner):
    client.force_login(client_owner)
    return client


def _url(name: str, obj) -> str:
    return reverse(f"approvals_portal:{name}", args=[obj.public_id])


def _approve_data(approval: Approval, **overrides) -> dict[str, str]:
    return {"statement": approval.statement, "agree": "on", **overrides}


def _state(approval: Approval) -> tuple:
    """Everything a refused decision must leave as it was."""
    approval.refresh_from_db()
    deciders = tuple(approval.deciders.order_by("id").values_list("decision", "reason"))
    decisions = Event.objects.filter(verb__in=["approval.approved", "approval.rejected"]).count()
    return approval.status, approval.decided_at, deciders, decisions


# --- The client home and the organisation's list ---------------------------------------------------


def test_the_home_lists_what_waits_for_the_user_across_organisations(
    as_owner, accountant, organisation, client_owner, other_organisation, other_member
):
    second = OrganisationFactory(name="Tweede Zaak B.V.")
    MembershipFactory(user=client_owner, organisation=second, role="approver")
    colleague = MembershipFactory(organisation=organisation, role="owner").user
    limited = Organisation.objects.create(name="Alleen Links B.V.", tier="collaborate")
    MembershipFactory(user=client_owner, organisation=limited, role="owner")
    waiting = offer(
        accountant, organisation, [client_owner], title="Aangifte VPB 2025", due_date=datetime.date(2026, 5, 1)
    )
    elsewhere = offer(accountant, second, [client_owner], type="annual_accounts", title="Jaarrekening 2025")
    offer(accountant, organisation, [colleague], title="Niet voor jou")
    decided = offer(accountant, organisation, [client_owner], title="Al besloten")
    services.approval_decide(
        actor=client_owner, ctx=STAFF_CTX, approval=decided, approve=False, statement=decided.statement, reason="Nee"
    )
    offer(accountant, other_organisation, [other_member], title="Van een ander")
    Approval.objects.create(
        organisation=limited, type="ib", period="2025", title="Via een link", statement="x", offered_by=accountant
    )

    body = as_owner.get(reverse("portal:home")).content.decode()

    assert _url("approval", waiting) in body and _url("approval", elsewhere) in body
    assert "Corporate tax return (VPB) 2025" in body and "Tweede Zaak B.V." in body
    for hidden in ("Niet voor jou", "Al besloten", "Van een ander", "Via een link"):
        assert hidden not in body
    assert body.index("Aangifte VPB 2025") < body.index("Jaarrekening 2025")  # soonest due first


def test_the_home_says_when_nothing_waits(as_owner, approval, client_owner):
    Decider.objects.filter(user=client_owner).update(decision="approved")
    body = as_owner.get(reverse("portal:home")).content.decode()
    assert "Nothing is waiting for you right now." in body


def test_the_home_reads_what_waits_in_constant_queries(client, accountant, db):
    person = UserFactory(email="many@client.test")
    client.force_login(person)

    def grow(count: int) -> None:
        for _ in range(count):
            organisation = OrganisationFactory()
            MembershipFactory(user=person, organisation=organisation, role="owner")
            offer(accountant, organisation, [person])

    def queries() -> int:
        with pagecache.bypassed(), CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("portal:home"))
        assert response.status_code == 200
        return len(captured.captured_queries)

    grow(2)
    for _ in range(2):  # warm up: session, the firm row and its per-process copy
        client.get(reverse("portal:home"))
    few = queries()
    grow(6)
    assert queries() == few
    assert client.get(reverse("portal:home")).content.decode().count("/portal/approvals/") == 8


def test_the_organisation_list_shows_every_approval_to_any_member(
    client, client_viewer, accountant, organisation, approval
):
    other = offer(accountant, organisation, [approval.deciders.get().user], title="Jaarrekening 2024")
    services.approval_withdraw(actor=accountant, ctx=STAFF_CTX, approval=other)
    client.force_login(client_viewer)
    home = client.get(reverse("portal:organisation_home", args=[organisation.public_id])).content.decode()
    assert _url("list", organisation) in home
    response = client.get(_url("list", organisation))
    assert response.status_code == 200
    body = response.content.decode()
    assert _url("approval", approval) in body and _url("approval", other) in body
    assert "Withdrawn" in body and "waiting for you" not in body


def test_the_organisation_list_marks_what_waits_for_the_user(as_owner, organisation, approval):
    assert "waiting for you" in as_owner.get(_url("list", organisation)).content.decode()


def test_the_organisation_list_reads_in_constant_queries(as_owner, accountant, organisation, client_owner):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert as_owner.get(_url("list", organisation)).status_code == 200
        return len(captured.captured_queries)

    offer(accountant, organisation, [client_owner])
    for _ in range(2):  # warm up: session, the firm row and its per-process copy
        as_owner.get(_url("list", organisation))
    few = queries()
    for _ in range(5):
        offer(accountant, organisation, [client_owner])
    assert queries() == few


# --- The approval page and its documents -----------------------------------------------------------


def test_opening_the_page_shows_the_summary_documents_and_statement_and_is_evidence(as_owner, client_owner, approval):
    response = as_owner.get(_url("approval", approval))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Aangifte VPB 2025", "Amount to pay", "1,234.50", "Let op de afschrijvingen.", "aangifte.pdf"):
        assert text in body
    assert approval.statement in body
    for document in approval.documents.all():
        assert _url("document", document) in body and _url("document_download", document) in body
        assert document.sha256 in body
    assert "I agree with the statement above" in body
    event = Event.objects.get(verb="approval.opened")
    assert event.actor == client_owner
    assert [d["sha256"] for d in event.data["documents"]] == [d.sha256 for d in approval.documents.all()]


def test_an_amount_to_receive_is_shown_as_such(as_owner, accountant, organisation, client_owner):
    approval = offer(accountant, organisation, [client_owner], amount=Decimal("-250.00"))
    body = as_owner.get(_url("approval", approval)).content.decode()
    assert "Amount to receive" in body and "250.00" in body and "-250" not in body


def test_each_document_streams_the_stored_bytes_inline_and_as_download_and_is_evidence(as_owner, approval):
    document = approval.documents.get(name="aangifte.pdf")
    shown = as_owner.get(_url("document", document))
    assert shown.status_code == 200
    assert shown["Content-Disposition"].startswith("inline")
    assert shown["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in shown["Content-Security-Policy"]
    assert b"".join(shown.streaming_content) == RETURN_PDF
    download = as_owner.get(_url("document_download", document))
    assert download["Content-Disposition"].startswith("attachment")
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == document.sha256
    events = list(Event.objects.filter(verb="approval.document_viewed").values_list("data", flat=True))
    assert events == [{"name": "aangifte.pdf", "sha256": document.sha256}] * 2


def test_other_people_never_reach_an_approval_or_its_documents(
    client, approval, other_member, outsider, accountant, organisation
):
    document = approval.documents.first()
    urls = [_url("approval", approval), _url("document", document), _url("document_download", document)]
    urls.append(_url("list", organisation))
    for person in (other_member, outsider, accountant):
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 404, (person, url)
        for name in ("approve", "reject"):
            assert client.post(_url(name, approval), _approve_data(approval, reason="x")).status_code == 404
    assert not Event.objects.filter(verb__startswith="approval.", actor__in=[other_member, outsider]).exists()
    assert approval.deciders.get().decision == "pending"


def test_a_member_of_an_organisation_without_the_portal_tier_gets_404(client, approval, client_owner, organisation):
    organisation.tier = "collaborate"
    organisation.save()
    client.force_login(client_owner)
    assert client.get(_url("approval", approval)).status_code == 404
    assert client.get(_url("document", approval.documents.first())).status_code == 404


def test_the_pages_answer_405_to_the_wrong_method(as_owner, approval):
    assert as_owner.post(_url("approval", approval)).status_code == 405
    assert as_owner.get(_url("approve", approval)).status_code == 405
    assert as_owner.get(_url("reject", approval)).status_code == 405
    assert as_owner.post(_url("document", approval.documents.first())).status_code == 405


# --- Deciding ---------------------------------------------------------------------------------------


def test_approving_agrees_to_the_exact_statement(as_owner, client_owner, approval):
    response = as_owner.post(_url("approve", approval), _approve_data(approval), HTTP_USER_AGENT="owner-browser")
    assert response.status_code == 302
    approval.refresh_from_db()
    assert approval.status == "approved"
    event = Event.objects.get(verb="approval.approved")
    assert event.actor == client_owner and event.user_agent == "owner-browser"
    assert event.data["statement"] == approval.statement
    assert event.mfa_passed is False
    page = as_owner.get(response["Location"]).content.decode()
    assert "Thank you: your approval is recorded." in page
    assert "I agree with the statement above" not in page  # no forms once decided


def test_approving_without_ticking_the_box_changes_nothing(as_owner, approval):
    before = _state(approval)
    response = as_owner.post(_url("approve", approval), {"statement": approval.statement})
    assert response.status_code == 400
    assert "Tick the box to agree with the statement." in response.content.decode()
    assert _state(approval) == before


def test_approving_a_different_statement_changes_nothing(as_owner, approval):
    before = _state(approval)
    response = as_owner.post(_url("approve", approval), _approve_data(approval, statement="I approve nothing."))
    assert response.status_code == 400
    assert "The statement you agreed to is not the one of this offer." in response.content.decode()
    assert _state(approval) == before


def test_rejecting_needs_a_reason(as_owner, approval):
    before = _state(approval)
    for reason in ("", "   "):
        response = as_owner.post(_url("reject", approval), {"reason": reason})
        assert response.status_code == 400
        assert "Give the reason for rejecting." in response.content.decode()
    assert _state(approval) == before


def test_rejecting_with_a_reason_is_recorded(as_owner, approval):
    response = as_owner.post(_url("reject", approval), {"reason": "De auto staat niet op de balans."})
    assert response.status_code == 302
    approval.refresh_from_db()
    assert approval.status == "rejected"
    assert approval.deciders.get().reason == "De auto staat niet op de balans."
    page = as_owner.get(_url("approval", approval)).content.decode()
    assert "De auto staat niet op de balans." in page and "Rejected" in page


def test_deciding_twice_is_refused_and_changes_nothing(as_owner, approval):
    assert as_owner.post(_url("approve", approval), _approve_data(approval)).status_code == 302
    before = _state(approval)
    for name, data in (("approve", _approve_data(approval)), ("reject", {"reason": "Toch niet"})):
        response = as_owner.post(_url(name, approval), data)
        assert response.status_code == 409
        assert "This approval has already been decided or is no longer open." in response.content.decode()
    assert _state(approval) == before


@pytest.mark.parametrize("how", ["withdrawn", "superseded", "expired"])
def test_a_withdrawn_superseded_or_expired_offer_cannot_be_decided(
    as_owner, accountant, organisation, client_owner, approval, how
):
    if how == "withdrawn":
        services.approval_withdraw(actor=accountant, ctx=STAFF_CTX, approval=approval)
    elif how == "expired":
        Approval.objects.filter(pk=approval.pk).update(status=Approval.Status.EXPIRED)
    else:
        newer = offer(accountant, organisation, [client_owner], supersedes=approval)
    before = _state(approval)
    response = as_owner.post(_url("approve", approval), _approve_data(approval))
    assert response.status_code == 409
    assert _state(approval) == before
    page = as_owner.get(_url("approval", approval)).content.decode()
    assert "I agree with the statement above" not in page
    if how == "superseded":
        assert "Superseded by a new version" in page and _url("approval", newer) in page


def test_a_viewer_sees_the_approval_but_cannot_decide(client, client_viewer, approval):
    client.force_login(client_viewer)
    page = client.get(_url("approval", approval)).content.decode()
    assert "aangifte.pdf" in page and "Olga Owner" in page
    assert _url("approve", approval) not in page and _url("reject", approval) not in page
    before = _state(approval)
    for name, data in (("approve", _approve_data(approval)), ("reject", {"reason": "Nee"})):
        response = client.post(_url(name, approval), data)
        assert response.status_code == 403
        assert "You are not asked to decide on this." in response.content.decode()
    assert _state(approval) == before


def test_an_owner_who_is_not_a_decider_cannot_decide(client, accountant, organisation, client_owner):
    colleague = MembershipFactory(organisation=organisation, role="approver").user
    approval = offer(accountant, organisation, [colleague])
    client.force_login(client_owner)
    assert _url("approve", approval) not in client.get(_url("approval", approval)).content.decode()
    before = _state(approval)
    assert client.post(_url("approve", approval), _approve_data(approval)).status_code == 403
    assert _state(approval) == before


def test_all_of_them_waits_for_every_decider(client, accountant, organisation, client_owner):
    colleague = MembershipFactory(organisation=organisation, role="approver").user
    approval = offer(accountant, organisation, [client_owner, colleague], rule="all")
    client.force_login(client_owner)
    assert client.post(_url("approve", approval), _approve_data(approval)).status_code == 302
    approval.refresh_from_db()
    assert approval.status == "offered"
    page = client.get(_url("approval", approval)).content.decode()
    assert "Your decision is recorded; the others are still to decide." in page
    client.force_login(colleague)
    assert client.post(_url("approve", approval), _approve_data(approval)).status_code == 302
    approval.refresh_from_db()
    assert approval.status == "approved"


def test_a_read_confirmation_says_so(as_owner, accountant, organisation, client_owner):
    approval = offer(accountant, organisation, [client_owner], mode="read", type="annual_accounts")
    page = as_owner.get(_url("approval", approval)).content.decode()
    assert "Confirm I have read" in page and "I confirm the statement above" in page
    response = as_owner.post(_url("approve", approval), _approve_data(approval))
    assert response.status_code == 302
    assert "you confirmed that you have read the documents" in as_owner.get(response["Location"]).content.decode()
