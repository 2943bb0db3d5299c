"""The submission outbox for staff: approved returns listed by status and channel, worked step by step."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation

from accordo.approvals import services
from accordo.approvals.models import Submission
from accordo.approvals.services import OfferedFile
from accordo.core.context import RequestContext
from accordo.core.models import Event

CTX = RequestContext(ip="192.0.2.7", user_agent="test-agent")


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["accordo_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def as_accountant(client, accountant):
    client.force_login(accountant)
    return client


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _approved(accountant, organisation, decider, type: str) -> Submission:
    data = f"%PDF-1.4 {type}".encode()
    file = OfferedFile(ContentFile(data, name="a.pdf"), "a.pdf", len(data), "application/pdf",
                       hashlib.sha256(data).hexdigest())  # fmt: skip
    approval = services.approval_offer(
        actor=accountant, ctx=CTX, organisation=organisation, type=type, period="2025", title=f"Stukken {type}",
        documents=[file], deciders=[decider],
    )  # fmt: skip
    services.approval_decide(actor=decider, ctx=CTX, approval=approval, approve=True, statement=approval.statement)
    return Submission.objects.get(approval=approval)


@pytest.fixture
def returns(accountant, organisation, client_owner):
    return {
        "vpb": _approved(accountant, organisation, client_owner, "vpb"),
        "publication": _approved(accountant, organisation, client_owner, "publication"),
    }


def _advance(client, submission, **data):
    return client.post(reverse("approvals_staff:submission_advance", args=[submission.public_id]), data)


def test_it_lists_the_outbox_by_status_and_channel(as_accountant, returns):
    response = as_accountant.get(reverse("approvals_staff:outbox"))
    page = response.content.decode()
    assert "Stukken vpb" in page and "Stukken publication" in page
    assert "Tax office" in page and "Chamber of Commerce (KvK)" in page
    counts = {value: n for value, _label, n in response.context["counts"]}
    assert counts == {"ready": 2, "submitted": 0, "accepted": 0, "rejected": 0}
    kvk = as_accountant.get(reverse("approvals_staff:outbox"), {"channel": "kvk"})
    assert [s.approval.title for s in kvk.context["page"].object_list] == ["Stukken publication"]
    assert as_accountant.get(reverse("approvals_staff:outbox"), {"channel": "fax"}).status_code == 400


def test_staff_work_a_return_through_the_outbox(as_accountant, accountant, returns):
    submission = returns["vpb"]
    response = _advance(
        as_accountant, submission, status="submitted", reference="BD-2025-001", filters="channel=tax_office"
    )
    assert response["Location"] == reverse("approvals_staff:outbox") + "?channel=tax_office"
    assert "Marked as submitted" in _messages(response)
    submission.refresh_from_db()
    assert submission.status == "submitted" and submission.reference == "BD-2025-001" and submission.submitted_at
    page = as_accountant.get(reverse("approvals_staff:outbox"), {"status": "submitted"}).content.decode()
    assert "BD-2025-001" in page and "Mark submitted" not in page
    refused = _advance(as_accountant, submission, status="rejected", note="")
    assert "Say why the submission was rejected" in _messages(refused)
    submission.refresh_from_db()
    assert submission.status == "submitted"
    assert "Marked as rejected" in _messages(_advance(as_accountant, submission, status="rejected", note="Fout jaar"))
    assert "Ready to submit again" in _messages(_advance(as_accountant, submission, status="ready"))
    _advance(as_accountant, submission, status="submitted", reference="BD-2025-002")
    assert "Marked as accepted" in _messages(_advance(as_accountant, submission, status="accepted"))
    submission.refresh_from_db()
    assert submission.status == "accepted" and submission.answered_at
    verbs = list(
        Event.objects.filter(target_id=str(submission.public_id)).order_by("seq").values_list("verb", flat=True)
    )
    assert verbs == ["submission.ready", "submission.submitted", "submission.rejected", "submission.ready",
                     "submission.submitted", "submission.accepted"]  # fmt: skip
    assert Event.objects.filter(verb="submission.submitted").first().actor == accountant
    approval_page = as_accountant.get(reverse("approvals_staff:approval", args=[submission.approval.public_id]))
    assert "Accepted" in approval_page.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "accepted"}, "cannot become"),
        ({"status": "ready"}, "cannot become"),
        ({"status": "lost"}, "Choose a valid step"),
        ({}, "Choose a valid step"),
    ],
)
def test_it_refuses_a_wrong_step(as_accountant, returns, data, message):
    submission = returns["vpb"]
    events = Event.objects.count()
    response = _advance(as_accountant, submission, **data)
    assert response.status_code == 302 and message in _messages(response)
    submission.refresh_from_db()
    assert submission.status == "ready" and Event.objects.count() == events


def test_the_step_is_post_only(as_accountant, returns):
    url = reverse("approvals_staff:submission_advance", args=[returns["vpb"].public_id])
    assert as_accountant.get(url).status_code == 405
