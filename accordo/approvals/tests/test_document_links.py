"""Standard tier (SPEC §14): staff send a dossier document to a contact as a temporary download link."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation

from accordo.approvals.models import TemporaryLink
from accordo.core.models import Event
from accordo.dossier.models import Document, DocumentVersion, Folder

REPORT = b"%PDF-1.4\n% jaarrapport 2025\n"
LINK = re.compile(r"https?://[^/\s]+(/l/[0-9a-f-]{36}/[0-9a-f]+/)")


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["accordo_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def report(organisation) -> Document:
    organisation.tier = "standard"
    organisation.save()
    folder = Folder.objects.create(organisation=organisation, name="Rapporten", open_to_client=True)
    document = Document.objects.create(organisation=organisation, folder=folder, name="jaarrapport-2025.pdf")
    version = DocumentVersion(
        document=document, number=1, original_name=document.name, size=len(REPORT), mime="application/pdf",
        sha256=hashlib.sha256(REPORT).hexdigest(), status=DocumentVersion.Status.DONE,
    )  # fmt: skip
    version.file.save("rapport.pdf", ContentFile(REPORT), save=False)
    version.save()
    document.current = version
    document.save()
    return document


def _send(client, document, recipient_membership_id):
    return client.post(
        reverse("dossier:staff_document_link", args=[document.public_id]), {"recipient": recipient_membership_id}
    )


def test_staff_send_a_document_as_a_temporary_link(
    client, accountant, client_owner, report, mailoutbox, django_capture_on_commit_callbacks
):
    membership = client_owner.memberships.get(organisation=report.organisation)
    client.force_login(accountant)
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client, report, membership.public_id)
    assert response.status_code == 302
    link = TemporaryLink.objects.get()
    assert (link.document, link.recipient, link.approval) == (report, client_owner, None)
    assert [m.to for m in mailoutbox] == [[client_owner.email]]
    path = LINK.search(mailoutbox[0].body).group(1)
    page = client.get(reverse("dossier:staff_document", args=[report.public_id]))
    assert client_owner.email in page.content.decode() and "0 / 10" in page.content.decode()

    client.logout()  # the recipient has no login
    assert client.get(path).status_code == 200
    download = client.get(path + "download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == REPORT
    assert Event.objects.filter(verb="document.downloaded", actor=client_owner).count() == 1
    link.refresh_from_db()
    assert link.opens == 1


def test_only_members_of_the_organisation_receive_links(client, accountant, report, other_member):
    client.force_login(accountant)
    foreign = other_member.memberships.get()
    for recipient in (foreign.public_id, "", "not-a-uuid"):
        response = _send(client, report, recipient)
        assert response.status_code == 400
        assert "Choose who receives the link" in response.content.decode()
    assert not TemporaryLink.objects.exists()


def test_clients_cannot_send_links(client, client_owner, report):
    client.force_login(client_owner)
    response = _send(client, report, client_owner.memberships.get().public_id)
    assert response.status_code == 404
    assert not TemporaryLink.objects.exists()


def test_staff_withdraw_a_document_link(client, accountant, client_owner, report):
    from accordo.approvals import links
    from accordo.core.context import RequestContext

    link = links.link_create(
        actor=accountant, ctx=RequestContext(), organisation=report.organisation, recipient=client_owner,
        document=report,
    )  # fmt: skip
    client.force_login(accountant)
    response = client.post(reverse("approvals_staff:link_revoke", args=[link.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("dossier:staff_document", args=[report.public_id])
    link.refresh_from_db()
    assert link.revoked_at is not None
    client.logout()
    assert client.get(links.link_url(link)).status_code == 410
