"""Temporary-link pages: open (counted), documents under the token, e-mailed code, decide; dead links."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accordo.approvals import links, services
from accordo.approvals.models import Approval, LinkCode, TemporaryLink
from accordo.approvals.tests.portal_helpers import RETURN_PDF, STAFF_CTX, offer
from accordo.clients.models import Organisation
from accordo.core.models import Event
from accordo.dossier.models import Document, DocumentVersion, Folder
from accordo.testing.factories import MembershipFactory

REPORT = b"%PDF-1.4\n% rapport 2025\n"


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["accordo_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def collaborate(organisation) -> Organisation:
    organisation.tier = "collaborate"
    organisation.save()
    return organisation


@pytest.fixture
def approval(accountant, collaborate, client_owner):
    return offer(accountant, collaborate, [client_owner])


def _link(accountant, recipient, approval=None, document=None) -> TemporaryLink:
    organisation = (approval or document).organisation
    return links.link_create(
        actor=accountant,
        ctx=STAFF_CTX,
        organisation=organisation,
        recipient=recipient,
        approval=approval,
        document=document,
    )


@pytest.fixture
def link(accountant, client_owner, approval) -> TemporaryLink:
    return _link(accountant, client_owner, approval=approval)


def _url(name: str, link: TemporaryLink, *extra, token: str | None = None) -> str:
    return reverse(f"links:{name}", args=[link.public_id, token or links.link_token(link), *extra])


def _code(client, link: TemporaryLink) -> str:
    assert client.post(_url("code", link)).status_code == 200
    current = LinkCode.objects.get(link=link, used_at=None)
    return links.link_code_value(current)


def _approve(client, link: TemporaryLink, code: str, **overrides):
    assert link.approval is not None
    data = {"statement": link.approval.statement, "agree": "on", "code": code, **overrides}
    return client.post(_url("approve", link), data)


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _status(approval: Approval) -> str:
    approval.refresh_from_db()
    return approval.status


@pytest.fixture
def report(accountant, organisation) -> Document:
    organisation.tier = "standard"
    organisation.save()
    folder = Folder.objects.create(organisation=organisation, name="Rapporten", open_to_client=True)
    document = Document.objects.create(organisation=organisation, folder=folder, name="rapport-2025.pdf")
    version = DocumentVersion(
        document=document, number=1, original_name="rapport-2025.pdf", size=len(REPORT), mime="application/pdf",
        sha256="2" * 64, status=DocumentVersion.Status.DONE,
    )  # fmt: skip
    version.file.save("rapport.pdf", ContentFile(REPORT), save=False)
    version.save()
    document.current = version
    document.save()
    return document


# --- Opening ----------------------------------------------------------------------------------------


def test_opening_an_approval_link_shows_it_without_login_and_counts_one_open(client, link, approval):
    response = client.get(_url("open", link))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Aangifte VPB 2025" in body and approval.statement in body and "Send me a code" in body
    for document in approval.documents.all():
        assert _url("document", link, document.public_id) in body
        assert _url("document_download", link, document.public_id) in body
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in body
    link.refresh_from_db()
    assert link.opens == 1
    assert Event.objects.filter(verb="link.opened").count() == 1


def test_an_unknown_or_tampered_token_is_not_found(client, link, accountant, other_organisation, other_member):
    token = links.link_token(link)
    assert client.get(_url("open", link, token=token[:-1] + ("0" if token[-1] != "0" else "1"))).status_code == 404
    assert client.get(reverse("links:open", args=[link.approval.public_id, token])).status_code == 404
    foreign_approval = offer(accountant, other_organisation, [other_member])
    foreign = _link(accountant, other_member, approval=foreign_approval)
    # another organisation's link opened with this link's (valid) token, and the other way round
    assert client.get(_url("open", foreign, token=token)).status_code == 404
    assert client.get(_url("open", link, token=links.link_token(foreign))).status_code == 404
    assert client.post(_url("code", foreign, token=token)).status_code == 404
    document = foreign_approval.documents.get(position=0)
    assert client.get(_url("document", foreign, document.public_id, token=token)).status_code == 404
    link.refresh_from_db()
    assert link.opens == 0 and not LinkCode.objects.exists()


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("expired", "This link has expired."),
        ("revoked", "This link was withdrawn by the firm."),
        ("used_up", "This link has been opened as often as allowed."),
        ("withdrawn", "This request has been dealt with; the link no longer works."),
    ],
)
def test_a_link_that_no_longer_works_says_why_with_410(client, accountant, link, approval, how, reason):
    if how == "expired":
        TemporaryLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    elif how == "revoked":
        links.link_revoke(actor=accountant, ctx=STAFF_CTX, link=link)
    elif how == "used_up":
        TemporaryLink.objects.filter(pk=link.pk).update(opens=link.max_opens)
    else:
        services.approval_withdraw(actor=accountant, ctx=STAFF_CTX, approval=approval)
    document = approval.documents.first()
    for response in (
        client.get(_url("open", link)),
        client.post(_url("code", link)),
        _approve(client, link, "123456"),
        client.get(_url("document", link, document.public_id)),
    ):
        if how == "used_up" and response.request["PATH_INFO"] != _url("open", link):
            continue  # the documents, code and decision of a page already opened count no open
        assert response.status_code == 410
        assert reason in response.content.decode()
        assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert LinkCode.objects.exists() == (how == "used_up")
    assert _status(approval) in ("offered", "withdrawn")
    assert not Event.objects.filter(verb__in=["approval.approved", "link.opened"]).exists()


def test_the_last_allowed_open_still_shows_its_documents(client, link, approval):
    TemporaryLink.objects.filter(pk=link.pk).update(opens=link.max_opens - 1)
    assert client.get(_url("open", link)).status_code == 200
    assert client.get(_url("document", link, approval.documents.first().public_id)).status_code == 200
    assert client.get(_url("open", link)).status_code == 410


# --- Documents ----------------------------------------------------------------------------------------


def test_documents_stream_under_the_token_and_are_evidence(client, link, approval):
    document = approval.documents.get(name="aangifte.pdf")
    shown = client.get(_url("document", link, document.public_id))
    assert shown.status_code == 200
    assert shown["Content-Disposition"].startswith("inline")
    assert shown["X-Frame-Options"] == "SAMEORIGIN" and "frame-ancestors 'self'" in shown["Content-Security-Policy"]
    assert shown["Referrer-Policy"] == "same-origin"
    assert b"".join(shown.streaming_content) == RETURN_PDF
    download = client.get(_url("document_download", link, document.public_id))
    assert download["Content-Disposition"].startswith("attachment")
    events = Event.objects.filter(verb="approval.document_viewed")
    assert [e.data["sha256"] for e in events] == [document.sha256] * 2
    assert all(e.actor == link.recipient and e.data["link"] for e in events)


def test_a_document_of_another_approval_is_not_found_under_a_link(client, accountant, collaborate, client_owner, link):
    other = offer(accountant, collaborate, [client_owner], title="Andere aangifte")
    document = other.documents.get(position=0)
    assert client.get(_url("document", link, document.public_id)).status_code == 404
    assert client.get(_url("document_download", link, document.public_id)).status_code == 404
    assert not Event.objects.filter(verb="approval.document_viewed").exists()


# --- The one-time code and the decision ---------------------------------------------------------------


def test_asking_for_a_code_says_where_it_went(client, link):
    response = client.post(_url("code", link))
    assert response.status_code == 200
    body = response.content.decode()
    assert "A code was sent to o•••@client.test. It is valid for 10 minutes." in body
    assert "owner@client.test" not in body
    assert LinkCode.objects.filter(link=link, used_at=None).count() == 1
    assert Event.objects.filter(verb="link.code_sent").count() == 1
    link.refresh_from_db()
    assert link.opens == 0  # the page came back without counting an open


def test_approving_with_the_emailed_code_decides_and_kills_the_link(client, link, approval, client_owner):
    client.get(_url("open", link))
    response = _approve(client, link, _code(client, link))
    assert response.status_code == 200
    assert "Thank you: your approval is recorded." in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"
    assert _status(approval) == "approved"
    event = Event.objects.get(verb="approval.approved")
    assert event.actor == client_owner and event.data["statement"] == approval.statement
    assert event.mfa_passed is False
    again = client.get(_url("open", link))
    assert again.status_code == 410
    assert "This request has been dealt with" in again.content.decode()


def test_rejecting_through_a_link_needs_a_reason_and_the_code(client, link, approval):
    code = _code(client, link)
    response = client.post(_url("reject", link), {"reason": "", "code": code})
    assert response.status_code == 400
    assert "Give the reason for rejecting." in response.content.decode()
    assert client.post(_url("reject", link), {"reason": "Klopt niet"}).status_code == 400
    assert _status(approval) == "offered"
    response = client.post(_url("reject", link), {"reason": "Klopt niet", "code": code})  # the code still works
    assert response.status_code == 200
    assert _status(approval) == "rejected"
    assert approval.deciders.get().reason == "Klopt niet"


def test_approving_needs_the_ticked_box(client, link, approval):
    response = _approve(client, link, _code(client, link), agree="")
    assert response.status_code == 400
    assert "Tick the box to agree with the statement." in response.content.decode()
    assert _status(approval) == "offered"


def test_approving_without_asking_for_a_code_is_refused(client, link, approval):
    response = _approve(client, link, "123456")
    assert response.status_code == 400
    assert "Request a code first" in response.content.decode()
    assert _status(approval) == "offered"


def test_wrong_codes_are_limited_and_then_a_new_code_is_needed(client, link, approval):
    code = _code(client, link)
    response = _approve(client, link, _wrong(code))
    assert response.status_code == 400
    assert "That code is not right. You have 4 attempts left." in response.content.decode()
    for _ in range(2):
        _approve(client, link, _wrong(code))
    assert "You have 1 attempt left." in _approve(client, link, _wrong(code)).content.decode()
    assert "Too many wrong codes." in _approve(client, link, _wrong(code)).content.decode()
    response = _approve(client, link, code)  # right, but too late: the attempts are used up
    assert response.status_code == 400
    assert "Too many wrong codes. Request a new code." in response.content.decode()
    assert _status(approval) == "offered"
    assert _approve(client, link, _code(client, link)).status_code == 200
    assert _status(approval) == "approved"


def test_a_code_cannot_be_used_twice(client, accountant, collaborate, client_owner):
    colleague = MembershipFactory(organisation=collaborate, role="approver").user
    approval = offer(accountant, collaborate, [client_owner, colleague], rule="all")
    link = _link(accountant, client_owner, approval=approval)
    code = _code(client, link)
    assert _approve(client, link, code).status_code == 200
    assert _status(approval) == "offered"  # the colleague still has to decide
    again = _approve(client, link, code)
    assert again.status_code == 410  # the recipient has decided: their link is done
    assert client.get(_url("open", link)).status_code == 410
    assert approval.deciders.filter(decision="approved").count() == 1


def test_a_link_for_a_member_who_does_not_decide_shows_no_forms(client, accountant, approval, client_viewer):
    link = _link(accountant, client_viewer, approval=approval)
    body = client.get(_url("open", link)).content.decode()
    assert "You are not asked to decide on this." in body and _url("approve", link) not in body
    response = _approve(client, link, "123456")
    assert response.status_code == 403
    assert _status(approval) == "offered"


def test_the_pages_answer_405_to_the_wrong_method(client, link, approval):
    assert client.post(_url("open", link)).status_code == 405
    for name in ("code", "approve", "reject"):
        assert client.get(_url(name, link)).status_code == 405
    assert client.post(_url("document", link, approval.documents.first().public_id)).status_code == 405


def test_posts_need_the_csrf_token(link, approval):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(_url("code", link)).status_code == 403
    assert _approve(strict, link, "123456").status_code == 403
    assert not LinkCode.objects.exists() and _status(approval) == "offered"


# --- Document links (Standard tier reports) ----------------------------------------------------------


def test_a_document_link_offers_its_download(client, accountant, client_owner, report):
    link = _link(accountant, client_owner, document=report)
    page = client.get(_url("open", link))
    assert page.status_code == 200
    body = page.content.decode()
    assert "rapport-2025.pdf" in body and _url("download", link) in body
    assert "Send me a code" not in body
    download = client.get(_url("download", link))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Referrer-Policy"] == "same-origin"
    assert b"".join(download.streaming_content) == REPORT
    event = Event.objects.get(verb="document.downloaded")
    assert event.actor == client_owner and event.data["link"] is True
    for name in ("code", "approve", "reject"):
        assert client.post(_url(name, link)).status_code == 404


def test_an_approval_link_has_no_dossier_download(client, link):
    assert client.get(_url("download", link)).status_code == 404


def test_a_deleted_document_ends_its_link(client, accountant, client_owner, report):
    link = _link(accountant, client_owner, document=report)
    Document.objects.filter(pk=report.pk).update(deleted_at=timezone.now())
    assert client.get(_url("open", link)).status_code == 410
    assert client.get(_url("download", link)).status_code == 410
