"""The staff overview of all approvals: filters, counts per status, bulk remind/withdraw, CSV export."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from accordo.approvals import services
from accordo.approvals.models import Approval, Reminder
from accordo.approvals.services import OfferedFile
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.testing.factories import AssignmentFactory, MembershipFactory, OrganisationFactory, UserFactory

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


def _offer(accountant, organisation, decider, *, title="Aangifte", type="vpb", period="2025", **kwargs) -> Approval:
    data = f"%PDF-1.4 {title}".encode()
    file = OfferedFile(ContentFile(data, name="a.pdf"), "a.pdf", len(data), "application/pdf",
                       hashlib.sha256(data).hexdigest())  # fmt: skip
    return services.approval_offer(
        actor=accountant, ctx=CTX, organisation=organisation, type=type, period=period, title=title,
        documents=[file], deciders=[decider], **kwargs,
    )  # fmt: skip


def _aged(approval: Approval, days: int) -> None:
    Approval.objects.filter(pk=approval.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))


@pytest.fixture
def spread(accountant, organisation, client_owner):
    """Approvals in several states, types, ages and due dates, at two clients."""
    other = OrganisationFactory(name="Garage Tweede B.V.")
    other_owner = UserFactory(email="owner@garage.test")
    MembershipFactory(user=other_owner, organisation=other, role="owner")
    AssignmentFactory(organisation=organisation, user=accountant, role="accountant")
    today = timezone.localdate()
    late, soon = today - datetime.timedelta(days=2), today + datetime.timedelta(days=3)
    rows = {
        "overdue": _offer(accountant, organisation, client_owner, title="Te laat", due_date=late),
        "soon": _offer(accountant, other, other_owner, title="Bijna", type="ib", due_date=soon),
        "old": _offer(accountant, other, other_owner, title="Oud", type="ob", period="2024-Q4"),
        "approved": _offer(accountant, organisation, client_owner, title="Akkoord", type="ib"),
    }  # fmt: skip
    _aged(rows["old"], 40)
    services.approval_decide(actor=client_owner, ctx=CTX, approval=rows["approved"], approve=True,
                             statement=rows["approved"].statement)  # fmt: skip
    return rows


def _titles(client, **query) -> set[str]:
    response = client.get(reverse("approvals_staff:overview"), query)
    assert response.status_code == 200
    titles = [a.title for a in response.context["page"].object_list]
    assert response.context["page"].paginator.count == len(titles)  # the count comes from the counts per status
    return set(titles)


def test_it_pages_the_overview(as_accountant, accountant, organisation, client_owner, spread):
    for n in range(51):
        _offer(accountant, organisation, client_owner, title=f"Reeks {n}")
    first = as_accountant.get(reverse("approvals_staff:overview"), {"status": "offered"})
    assert first.context["page"].paginator.count == 54 and len(first.context["page"].object_list) == 50
    second = as_accountant.get(reverse("approvals_staff:overview"), {"status": "offered", "page": "2"})
    assert len(second.context["page"].object_list) == 4
    assert "page=2" in first.content.decode() and "status=offered" in first.content.decode()


def test_it_lists_every_approval_with_counts(as_accountant, spread):
    response = as_accountant.get(reverse("approvals_staff:overview"))
    page = response.content.decode()
    assert {"Te laat", "Bijna", "Oud", "Akkoord"} <= set(a.title for a in response.context["page"].object_list)
    counts = {value: n for value, _label, n in response.context["counts"]}
    assert counts["offered"] == 3 and counts["approved"] == 1 and response.context["total"] == 4
    assert "overdue" in page and "Garage Tweede B.V." in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "approved"}, {"Akkoord"}),
        ({"type": "ib"}, {"Bijna", "Akkoord"}),
        ({"period": "2024-Q4"}, {"Oud"}),
        ({"age": "30"}, {"Oud"}),
        ({"due": "overdue"}, {"Te laat"}),
        ({"due": "soon"}, {"Bijna"}),
        ({"assignee": "ME"}, {"Te laat", "Akkoord"}),
        ({"organisation": "ORG"}, {"Te laat", "Akkoord"}),
    ],
)
def test_it_filters_the_overview(as_accountant, accountant, organisation, spread, query, expected):
    swap = {"ME": str(accountant.public_id), "ORG": str(organisation.public_id)}
    assert _titles(as_accountant, **{k: swap.get(v, v) for k, v in query.items()}) == expected


def test_counts_follow_the_other_filters(as_accountant, spread):
    response = as_accountant.get(reverse("approvals_staff:overview"), {"type": "ib", "status": "approved"})
    counts = {value: n for value, _label, n in response.context["counts"]}
    assert counts["offered"] == 1 and counts["approved"] == 1


@pytest.mark.parametrize("query", [{"status": "lost"}, {"age": "3"}, {"due": "yesterday"}, {"assignee": "nobody"}])
def test_it_answers_400_to_bad_filters(as_accountant, spread, query):
    response = as_accountant.get(reverse("approvals_staff:overview"), query)
    assert response.status_code == 400
    assert 'class="error" role="alert"' in response.content.decode()


def test_it_exports_the_filtered_set_as_csv(as_accountant, accountant, organisation, client_owner, spread):
    tricky = _offer(accountant, organisation, client_owner, title="=HYPERLINK(1)", amount=-12)
    response = as_accountant.get(reverse("approvals_staff:export"), {"organisation": str(organisation.public_id)})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="approvals-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["Client", "Type", "Period or year", "Title", "Status"]
    by_title = {row[3]: row for row in rows[1:]}
    assert set(by_title) == {"Te laat", "Akkoord", "'=HYPERLINK(1)"}  # a formula is never a formula
    approved = by_title["Akkoord"]
    assert approved[0] == organisation.name and approved[1] == "Income tax return (IB)" and approved[4] == "Approved"
    assert approved[8] == accountant.email and approved[10] and approved[11] == f"{client_owner.email}: approved"
    assert by_title["'=HYPERLINK(1)"][5] == "-12.00" and by_title["'=HYPERLINK(1)"][12] == str(tricky.public_id)
    bad = as_accountant.get(reverse("approvals_staff:export"), {"status": "lost"})
    assert bad.status_code == 400


def test_staff_remind_the_chosen_approvals_and_skip_the_decided(as_accountant, spread):
    chosen = [spread["overdue"], spread["soon"], spread["approved"]]
    response = as_accountant.post(
        reverse("approvals_staff:bulk"),
        {"approval": [str(a.public_id) for a in chosen], "action": "remind", "filters": "status=offered"},
    )
    assert response["Location"] == reverse("approvals_staff:overview") + "?status=offered"
    text = _messages(response)
    assert "2 reminders sent" in text and "1 was skipped" in text
    assert set(Reminder.objects.values_list("approval_id", flat=True)) == {spread["overdue"].pk, spread["soon"].pk}


def test_staff_withdraw_the_chosen_approvals_with_a_reason(as_accountant, spread):
    chosen = [str(spread["overdue"].public_id), str(spread["old"].public_id)]
    refused = as_accountant.post(reverse("approvals_staff:bulk"), {"approval": chosen, "action": "withdraw"})
    assert "Give the reason for withdrawing" in _messages(refused)
    assert not Event.objects.filter(verb="approval.withdrawn").exists()
    done = as_accountant.post(
        reverse("approvals_staff:bulk"), {"approval": chosen, "action": "withdraw", "reason": "Opgeruimd"}
    )
    assert "2 approvals withdrawn" in _messages(done)
    assert Approval.objects.filter(status="withdrawn").count() == 2
    assert Event.objects.filter(verb="approval.withdrawn", data__reason="Opgeruimd").count() == 2


@pytest.mark.parametrize("data", [{"action": "remind"}, {"approval": ["SPREAD"], "action": "explode"}])
def test_it_refuses_a_bad_bulk_action(as_accountant, spread, data):
    data = {k: [str(spread["soon"].public_id)] if v == ["SPREAD"] else v for k, v in data.items()}
    events = Event.objects.count()
    response = as_accountant.post(reverse("approvals_staff:bulk"), data)
    assert "Choose at least one approval and an action" in _messages(response)
    assert Event.objects.count() == events


def test_an_unknown_approval_in_a_bulk_action_is_404_and_nothing_happens(as_accountant, spread):
    events = Event.objects.count()
    ids = [str(spread["soon"].public_id), "6d0b7f44-0000-4000-8000-000000000000"]
    assert as_accountant.post(reverse("approvals_staff:bulk"), {"approval": ids, "action": "remind"}).status_code == 404
    assert Event.objects.count() == events
