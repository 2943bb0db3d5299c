"""Staff approval pages: offer (uploads and dossier PDFs), the approval with its evidence, remind,
withdraw, re-offer, revoke a link; bad input gives a clear message and changes nothing."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from fpdf import FPDF

from accordo.approvals import links, services
from accordo.approvals.models import Approval, ApprovalDocument, Decider, Reminder, TemporaryLink
from accordo.approvals.services import OfferedFile
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.dossier.models import Document, DocumentVersion, Folder
from accordo.testing.factories import MembershipFactory, UserFactory

CTX = RequestContext(ip="192.0.2.7", user_agent="test-agent", mfa_passed=True)


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["accordo_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def as_accountant(client, accountant):
    client.force_login(accountant)
    return client


@pytest.fixture
def approver(organisation):
    user = UserFactory(email="approver@client.test", full_name="Anne Approver")
    MembershipFactory(user=user, organisation=organisation, role="approver")
    return user


def _pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def _upload(name: str, data: bytes) -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _form(*deciders, **overrides):
    data = {
        "type": "vpb",
        "period": "2025",
        "title": "Aangifte VPB 2025",
        "amount": "-1234.56",
        "notes": "Teruggaaf verwacht.",
        "due_date": "2026-12-31",
        "mode": "approve",
        "rule": "any",
        "deciders": [str(u.public_id) for u in deciders],
    }
    data.update(overrides)
    return data


def _dossier_pdf(organisation, name="jaarrekening.pdf", data=None, mime="application/pdf"):
    data = data or _pdf("Jaarrekening 2025")
    folder = Folder.objects.create(organisation=organisation, name="Jaarrekeningen")
    document = Document.objects.create(organisation=organisation, folder=folder, name=name)
    version = DocumentVersion(
        document=document,
        number=1,
        original_name=name,
        size=len(data),
        mime=mime,
        sha256=hashlib.sha256(data).hexdigest(),
        status=DocumentVersion.Status.DONE,
    )
    version.file.save(name, ContentFile(data), save=False)
    version.save()
    document.current = version
    document.save()
    return document


def _offer(accountant, organisation, deciders, **kwargs) -> Approval:
    data = _pdf("Aangifte")
    file = OfferedFile(ContentFile(data, name="a.pdf"), "aangifte.pdf", len(data), "application/pdf",
                       hashlib.sha256(data).hexdigest())  # fmt: skip
    kwargs.setdefault("type", "vpb")
    return services.approval_offer(
        actor=accountant, ctx=CTX, organisation=organisation, period="2025", title="Aangifte VPB 2025",
        documents=[file], deciders=deciders, **kwargs,
    )  # fmt: skip


def _nothing_stored(events_before: int = 0) -> None:
    assert not Approval.objects.exists()
    assert not ApprovalDocument.objects.exists()
    assert Event.objects.count() == events_before


def test_staff_offer_uploaded_and_dossier_pdfs(as_accountant, accountant, organisation, client_owner, approver):
    picked = _dossier_pdf(organisation)
    upload = _pdf("Aangifte VPB 2025")
    url = reverse("approvals_staff:offer", args=[organisation.public_id])
    page = as_accountant.get(url).content.decode()
    assert "Olga Owner" in page and "Anne Approver" in page and "jaarrekening.pdf" in page
    data = _form(client_owner, approver, rule="all", documents=[str(picked.public_id)])
    response = as_accountant.post(url, {**data, "files": [_upload("aangifte.pdf", upload)]})
    assert response.status_code == 302, response.content.decode()
    approval = Approval.objects.get()
    assert response["Location"] == reverse("approvals_staff:approval", args=[approval.public_id])
    assert (approval.type, approval.period, approval.rule, str(approval.amount)) == ("vpb", "2025", "all", "-1234.56")
    assert str(approval.due_date) == "2026-12-31" and approval.offered_by == accountant
    documents = list(approval.documents.all())
    assert [d.name for d in documents] == ["aangifte.pdf", "jaarrekening.pdf"]
    assert documents[0].sha256 == hashlib.sha256(upload).hexdigest()
    assert documents[1].sha256 == picked.current.sha256
    with documents[1].file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == picked.current.sha256
    assert set(Decider.objects.filter(approval=approval).values_list("user__email", flat=True)) == {
        client_owner.email, approver.email,
    }  # fmt: skip
    assert Event.objects.get(verb="approval.offered").ip == "127.0.0.1"


def test_the_organisation_page_lists_its_approvals_with_an_offer_button(as_accountant, accountant, organisation,
                                                                        client_owner):  # fmt: skip
    approval = _offer(accountant, organisation, [client_owner])
    page = as_accountant.get(reverse("staff:organisation_detail", args=[organisation.public_id])).content.decode()
    assert reverse("approvals_staff:approval", args=[approval.public_id]) in page
    assert reverse("approvals_staff:offer", args=[organisation.public_id]) in page


@pytest.mark.parametrize(
    ("overrides", "files", "message"),
    [
        ({}, [("notes.txt", b"just text, not a pdf")], "is not a PDF"),
        ({}, [("fake.pdf", b"GIF89a not a pdf either")], "is not a PDF"),
        ({}, [], "Add at least one PDF"),
        ({"deciders": []}, [("a.pdf", None)], "Choose who decides"),
        ({"deciders": ["VIEWER"]}, [("a.pdf", None)], "Only owners and approvers of this client can decide"),
        ({"deciders": ["OTHER"]}, [("a.pdf", None)], "Only owners and approvers of this client can decide"),
        ({"title": ""}, [("a.pdf", None)], "This field is required"),
        ({"amount": "lots"}, [("a.pdf", None)], "Enter a number"),
        ({"type": "bribe"}, [("a.pdf", None)], "Select a valid choice"),
        ({"documents": ["FOREIGN"]}, [], "Choose PDFs of this client&#x27;s dossier only"),
        ({"documents": ["NOT_PDF"]}, [], "Choose PDFs of this client&#x27;s dossier only"),
    ],
)
def test_it_refuses_a_bad_offer_and_stores_nothing(
    as_accountant, organisation, other_organisation, client_owner, client_viewer, other_member, overrides, files,
    message,
):  # fmt: skip
    foreign = _dossier_pdf(other_organisation)
    word = _dossier_pdf(organisation, name="brief.docx", data=b"PK\x03\x04 docx", mime="application/msword")
    swap = {"VIEWER": client_viewer.public_id, "OTHER": other_member.public_id, "FOREIGN": foreign.public_id,
            "NOT_PDF": word.public_id}  # fmt: skip
    data = _form(client_owner)
    for key, value in overrides.items():
        data[key] = [str(swap.get(v, v)) for v in value] if isinstance(value, list) else value
    uploads = [_upload(name, content if content is not None else _pdf("x")) for name, content in files]
    url = reverse("approvals_staff:offer", args=[organisation.public_id])
    response = as_accountant.post(url, {**data, "files": uploads})
    assert response.status_code == 400
    assert message in response.content.decode()
    _nothing_stored()


def test_it_shows_the_services_refusal_for_a_standard_tier_client(as_accountant, organisation, client_owner):
    organisation.tier = "standard"
    organisation.save()
    url = reverse("approvals_staff:offer", args=[organisation.public_id])
    assert "Standard service tier" in as_accountant.get(url).content.decode()
    response = as_accountant.post(url, {**_form(client_owner), "files": [_upload("a.pdf", _pdf("x"))]})
    assert response.status_code == 400
    assert "which has no approvals" in response.content.decode()
    _nothing_stored()


def test_the_approval_page_shows_documents_deciders_links_and_evidence(
    as_accountant, accountant, organisation, client_owner, approver
):
    approval = _offer(accountant, organisation, [client_owner, approver], rule="all")
    services.approval_decide(actor=approver, ctx=RequestContext(ip="198.51.100.4", user_agent="Firefox/128",
                             mfa_passed=True), approval=approval, approve=False, statement=approval.statement,
                             reason="Het bedrag klopt niet")  # fmt: skip
    approval.refresh_from_db()
    page = as_accountant.get(reverse("approvals_staff:approval", args=[approval.public_id])).content.decode()
    document = approval.documents.get()
    assert document.sha256 in page and reverse("approvals_staff:document", args=[document.public_id]) in page
    assert "Anne Approver" in page and "Het bedrag klopt niet" in page and "Rejected" in page
    assert "198.51.100.4" in page and "Firefox/128" in page and "2FA passed" in page
    assert approval.statement[:40] in page
    for event in Event.objects.filter(target_id=str(approval.public_id)):
        assert event.hash in page
    inline = as_accountant.get(reverse("approvals_staff:document", args=[document.public_id]) + "?inline=1")
    assert inline.status_code == 200 and inline["Content-Type"] == "application/pdf"
    assert hashlib.sha256(b"".join(inline.streaming_content)).hexdigest() == document.sha256
    download = as_accountant.get(reverse("approvals_staff:document", args=[document.public_id]))
    assert download["Content-Disposition"].startswith("attachment")


def test_staff_remind_a_waiting_approval(as_accountant, accountant, organisation, client_owner):
    approval = _offer(accountant, organisation, [client_owner])
    response = as_accountant.post(reverse("approvals_staff:remind", args=[approval.public_id]))
    assert response.status_code == 302 and "reminder" in _messages(response)
    assert Reminder.objects.filter(approval=approval, key="manual-1").exists()
    event = Event.objects.get(verb="approval.reminded")
    assert event.actor == accountant and event.data["to"] == [client_owner.email]


def test_staff_withdraw_with_a_reason_once(as_accountant, accountant, organisation, client_owner):
    approval = _offer(accountant, organisation, [client_owner])
    url = reverse("approvals_staff:withdraw", args=[approval.public_id])
    refused = as_accountant.post(url, {"reason": ""})
    assert "Give the reason for withdrawing" in _messages(refused)
    approval.refresh_from_db()
    assert approval.status == "offered"
    assert "withdrawn" in _messages(as_accountant.post(url, {"reason": "Verkeerde versie"}))
    approval.refresh_from_db()
    assert approval.status == "withdrawn"
    events = Event.objects.count()
    again = as_accountant.post(url, {"reason": "Nog een keer"})
    assert again.status_code == 302 and "no longer open" in _messages(again)
    assert Event.objects.count() == events
    assert Event.objects.get(verb="approval.withdrawn").data["reason"] == "Verkeerde versie"
    reminded = as_accountant.post(reverse("approvals_staff:remind", args=[approval.public_id]))
    assert "no longer open" in _messages(reminded) and not Reminder.objects.exists()


def test_staff_reoffer_a_new_version_prefilled_from_the_old(as_accountant, accountant, organisation, client_owner):
    old = _offer(accountant, organisation, [client_owner], amount=100, notes="Eerste versie")
    url = reverse("approvals_staff:reoffer", args=[old.public_id])
    page = as_accountant.get(url).content.decode()
    assert 'value="Aangifte VPB 2025"' in page and "Eerste versie" in page
    assert f'value="{client_owner.public_id}" id="id_deciders_0" checked' in page
    refused = as_accountant.post(url, _form(client_owner))
    assert refused.status_code == 400 and "Add at least one PDF" in refused.content.decode()
    new_pdf = _pdf("Aangifte v2")
    response = as_accountant.post(url, {**_form(client_owner, title="Aangifte VPB 2025 v2"),
                                        "files": [_upload("aangifte-v2.pdf", new_pdf)]})  # fmt: skip
    assert response.status_code == 302
    old.refresh_from_db()
    new = Approval.objects.get(supersedes=old)
    assert old.status == "superseded" and new.status == "offered" and new.title == "Aangifte VPB 2025 v2"
    assert new.documents.get().sha256 == hashlib.sha256(new_pdf).hexdigest()
    assert old.documents.count() == 1  # the old offer keeps its documents
    assert (
        "replaced this offer"
        in as_accountant.get(reverse("approvals_staff:approval", args=[old.public_id])).content.decode()
    )


def test_it_refuses_to_reoffer_a_decided_approval(as_accountant, accountant, organisation, client_owner):
    approval = _offer(accountant, organisation, [client_owner])
    services.approval_decide(actor=client_owner, ctx=CTX, approval=approval, approve=True, statement=approval.statement)
    url = reverse("approvals_staff:reoffer", args=[approval.public_id])
    events = Event.objects.count()
    post = {**_form(client_owner), "files": [_upload("b.pdf", _pdf("b"))]}
    for response in (as_accountant.get(url), as_accountant.post(url, post)):
        assert response.status_code == 302
        assert "Only an approval that is still waiting can get a new version" in _messages(response)
    approval.refresh_from_db()
    assert approval.status == "approved" and Approval.objects.count() == 1 and Event.objects.count() == events


def test_a_rejected_approval_can_be_offered_again_from_its_page(as_accountant, accountant, organisation, client_owner):
    approval = _offer(accountant, organisation, [client_owner], type="ib")
    services.approval_decide(actor=client_owner, ctx=CTX, approval=approval, approve=False,
                             statement=approval.statement, reason="Fout")  # fmt: skip
    page = as_accountant.get(reverse("approvals_staff:approval", args=[approval.public_id])).content.decode()
    like = reverse("approvals_staff:offer", args=[organisation.public_id]) + f"?like={approval.public_id}"
    assert like in page
    form = as_accountant.get(like).content.decode()
    assert '<option value="ib" selected>' in form


def test_staff_revoke_a_temporary_link(as_accountant, accountant, organisation, client_owner):
    approval = _offer(accountant, organisation, [client_owner])
    link = links.link_create(actor=accountant, ctx=CTX, organisation=organisation, recipient=client_owner,
                             approval=approval)  # fmt: skip
    page = as_accountant.get(reverse("approvals_staff:approval", args=[approval.public_id])).content.decode()
    revoke = reverse("approvals_staff:link_revoke", args=[link.public_id])
    assert revoke in page and "Works" in page
    response = as_accountant.post(revoke)
    assert response["Location"] == reverse("approvals_staff:approval", args=[approval.public_id])
    link.refresh_from_db()
    assert link.revoked_at is not None
    again = as_accountant.post(revoke)
    assert "withdrawn already" in _messages(again)
    assert Event.objects.filter(verb="link.revoked").count() == 1
    page = as_accountant.get(reverse("approvals_staff:approval", args=[approval.public_id])).content.decode()
    assert "withdrawn by the firm" in page and "Temporary link withdrawn" in page


@pytest.mark.parametrize("name", ["remind", "withdraw"])
def test_the_actions_are_post_only(as_accountant, accountant, organisation, client_owner, name):
    approval = _offer(accountant, organisation, [client_owner])
    assert as_accountant.get(reverse(f"approvals_staff:{name}", args=[approval.public_id])).status_code == 405


def test_temporary_links_are_listed_only_for_their_approval(as_accountant, accountant, organisation, client_owner):
    first = _offer(accountant, organisation, [client_owner])
    second = _offer(accountant, organisation, [client_owner])
    links.link_create(actor=accountant, ctx=CTX, organisation=organisation, recipient=client_owner, approval=first)
    page = as_accountant.get(reverse("approvals_staff:approval", args=[second.public_id])).content.decode()
    assert "Temporary links" not in page
    assert TemporaryLink.objects.count() == 1
