"""The 'filings' consumer: returns follow their approval and submission, forward only, replay-safe."""

import datetime
import hashlib
from decimal import Decimal

from django.core.files.base import ContentFile

from accordo.approvals import outbox
from accordo.approvals import services as approval_services
from accordo.approvals.models import Submission
from accordo.approvals.services import OfferedFile
from accordo.core.consumers import consumer_run
from accordo.core.context import RequestContext
from accordo.core.models import ConsumerOffset, Event
from accordo.filings.models import ReturnStatus, TaxReturn

CTX = RequestContext(ip="192.0.2.1", user_agent="test")


def offer(accountant, organisation, decider, *, type="vpb", period="2025", amount="18642.00", supersedes=None):
    data = f"%PDF-1.4 {type} {period} {amount}".encode()
    return approval_services.approval_offer(
        actor=accountant, ctx=CTX, organisation=organisation, type=type, period=period, title=f"Aangifte {type}",
        documents=[OfferedFile(ContentFile(data, name="a.pdf"), "a.pdf", len(data), "application/pdf",
                               hashlib.sha256(data).hexdigest())],
        deciders=[decider], amount=Decimal(amount) if amount else None, supersedes=supersedes,
    )  # fmt: skip


def run() -> int:
    return consumer_run("filings")


def test_an_offered_return_creates_and_links_its_return(accountant, organisation, client_owner):
    approval = offer(accountant, organisation, client_owner)
    run()
    tax_return = TaxReturn.objects.get()
    assert (tax_return.type, tax_return.period, tax_return.period_start) == ("vpb", "2025", datetime.date(2025, 1, 1))
    assert tax_return.status == ReturnStatus.FOR_APPROVAL and tax_return.approval == approval
    assert tax_return.amount == Decimal("18642.00")
    created = Event.objects.get(verb="return.created")
    assert created.actor is None and created.actor_label == "filings"


def test_it_links_an_existing_return_and_follows_approval_and_submission(
    accountant, organisation, client_owner, ib_return
):
    TaxReturn.objects.filter(pk=ib_return.pk).update(status=ReturnStatus.IN_PREPARATION, submitted_on=None)
    approval = offer(accountant, organisation, client_owner, type="ib", period="2025", amount="1200.00")
    run()
    ib_return.refresh_from_db()
    assert ib_return.approval == approval and ib_return.status == ReturnStatus.FOR_APPROVAL
    assert ib_return.amount == Decimal("1200.00") and TaxReturn.objects.count() == 1
    approval_services.approval_decide(
        actor=client_owner, ctx=CTX, approval=approval, approve=True, statement=approval.statement
    )
    run()
    ib_return.refresh_from_db()
    assert ib_return.status == ReturnStatus.APPROVED
    submission = Submission.objects.get(approval=approval)
    outbox.submission_advance(actor=accountant, ctx=CTX, submission=submission, status="submitted", reference="X1")
    run()
    ib_return.refresh_from_db()
    assert ib_return.status == ReturnStatus.SUBMITTED and ib_return.submitted_on is not None


def test_it_never_moves_a_return_backwards(accountant, organisation, client_owner, ib_return):
    """An offer for a return that staff marked submitted already leaves its status alone."""
    approval = offer(accountant, organisation, client_owner, type="ib", period="2025")
    run()
    ib_return.refresh_from_db()
    assert ib_return.status == ReturnStatus.SUBMITTED and ib_return.approval == approval
    assert not Event.objects.filter(verb="return.status_changed").exists()


def test_it_ignores_other_types_and_unreadable_periods(accountant, organisation, client_owner):
    offer(accountant, organisation, client_owner, type="annual_accounts", period="2025", amount="")
    offer(accountant, organisation, client_owner, type="ob", period="zomer", amount="10")
    run()
    assert not TaxReturn.objects.exists()


def test_a_new_version_takes_the_link_over(accountant, organisation, client_owner):
    first = offer(accountant, organisation, client_owner, amount="100.00")
    second = offer(accountant, organisation, client_owner, amount="150.00", supersedes=first)
    run()
    tax_return = TaxReturn.objects.get()
    assert tax_return.approval == second and tax_return.amount == Decimal("150.00")


def test_replaying_the_history_twice_changes_nothing(accountant, organisation, client_owner):
    first = offer(accountant, organisation, client_owner, amount="100.00")
    second = offer(accountant, organisation, client_owner, amount="150.00", supersedes=first)
    approval_services.approval_decide(actor=client_owner, ctx=CTX, approval=second, approve=True,
                                      statement=second.statement)  # fmt: skip
    offer(accountant, organisation, client_owner, type="ob", period="2026-Q1", amount="300.00")
    run()
    before = list(TaxReturn.objects.order_by("pk").values())
    events = Event.objects.count()
    for _ in range(2):
        ConsumerOffset.objects.filter(name="filings").update(last_seq=0)
        run()
    assert list(TaxReturn.objects.order_by("pk").values()) == before
    assert Event.objects.count() == events
    assert TaxReturn.objects.get(type="vpb").status == ReturnStatus.APPROVED


def test_the_return_page_shows_its_approval_and_submission(client, accountant, organisation, client_owner):
    from django.urls import reverse

    approval = offer(accountant, organisation, client_owner)
    approval_services.approval_decide(
        actor=client_owner, ctx=CTX, approval=approval, approve=True, statement=approval.statement
    )
    submission = Submission.objects.get(approval=approval)
    outbox.submission_advance(actor=accountant, ctx=CTX, submission=submission, status="submitted", reference="R-77")
    run()
    tax_return = TaxReturn.objects.get()
    client.force_login(accountant)
    page = client.get(reverse("filings_staff:return", args=[tax_return.public_id])).content.decode()
    assert reverse("approvals_staff:approval", args=[approval.public_id]) in page and "R-77" in page
    assert 'name="status"' not in page  # submitted: only an assessment moves it on
