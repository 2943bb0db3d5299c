"""What follows an offer: mails by tier, temporary links and one-time codes, reminders, expiry, the
submission outbox and the filing of an approved set with its certificate."""

from __future__ import annotations

import datetime
import hashlib
import importlib
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import Http404
from django.utils import timezone, translation
from pypdf import PdfReader

from accordo.approvals import filing, links, outbox, services
from accordo.approvals.models import Approval, LinkCode, Reminder, Submission, TemporaryLink
from accordo.approvals.services import ApprovalStateError, OfferedFile
from accordo.clients.models import Tier
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.dossier.models import Document
from accordo.testing.factories import AssignmentFactory, MembershipFactory, UserFactory

CTX = RequestContext(ip="192.0.2.7", user_agent="test-agent", mfa_passed=True)
LINK = re.compile(r"https?://[^/\s]+/l/([0-9a-f-]{36})/([0-9a-f]+)/")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _pdf(text: str) -> bytes:
    return f"%PDF-1.4\n% {text}\n".encode()


def _file(name: str, data: bytes) -> OfferedFile:
    return OfferedFile(
        ContentFile(data, name=name), name, len(data), "application/pdf", hashlib.sha256(data).hexdigest()
    )


def _offer(accountant, organisation, deciders, *, type="vpb", period="2025", **kwargs):
    return services.approval_offer(
        actor=accountant,
        ctx=CTX,
        organisation=organisation,
        type=type,
        period=period,
        title=f"Aangifte {type.upper()} {period}",
        documents=[_file("aangifte.pdf", _pdf("aangifte")), _file("toelichting.pdf", _pdf("toelichting"))],
        deciders=deciders,
        **kwargs,
    )


def _offered(django_capture_on_commit_callbacks, *args, **kwargs) -> Approval:
    with django_capture_on_commit_callbacks(execute=True):
        return _offer(*args, **kwargs)


def _reads_english(*people):
    for person in people:
        person.language = "en"
        person.save(update_fields=["language"])


def _collaborate(organisation):
    organisation.tier = Tier.COLLABORATE
    organisation.save(update_fields=["tier"])
    return organisation


# --- Offer mails by tier -------------------------------------------------------------------------


def test_an_offer_mails_each_decider_a_portal_link(
    accountant, organisation, client_owner, mailoutbox, django_capture_on_commit_callbacks
):
    approval = _offered(django_capture_on_commit_callbacks, accountant, organisation, [client_owner])
    assert [m.to for m in mailoutbox] == [[client_owner.email]]
    message = mailoutbox[0]  # in the reader's language (Dutch, the default), the type label too
    assert message.subject == "Ter accordering: Aangifte vennootschapsbelasting (Vpb) 2025"
    assert f"/portal/approvals/{approval.public_id}/" in message.body
    assert not TemporaryLink.objects.exists()
    emailed = Event.objects.get(verb="approval.emailed")
    assert emailed.data == {"to": client_owner.email, "temporary_link": False}


def test_collaborate_tier_gets_a_personal_temporary_link(
    accountant, organisation, client_owner, mailoutbox, django_capture_on_commit_callbacks
):
    _collaborate(organisation)
    _reads_english(client_owner)
    approval = _offered(django_capture_on_commit_callbacks, accountant, organisation, [client_owner])
    found = LINK.search(mailoutbox[0].body)
    assert found, mailoutbox[0].body
    link = links.link_for_token(found.group(1), found.group(2))
    assert link.approval == approval and link.recipient == client_owner
    assert "one-time code" in mailoutbox[0].body
    with pytest.raises(Http404):
        links.link_for_token(found.group(1), found.group(2)[:-1] + ("0" if found.group(2)[-1] != "0" else "1"))
    with pytest.raises(Http404):
        links.link_for_token("not-a-uuid", found.group(2))


def test_standard_tier_has_no_approvals(accountant, organisation, client_owner):
    organisation.tier = Tier.STANDARD
    organisation.save(update_fields=["tier"])
    with pytest.raises(ValidationError, match="Standard service tier"):
        _offer(accountant, organisation, [client_owner])
    assert not Approval.objects.exists() and not Event.objects.filter(verb="approval.offered").exists()


# --- Temporary links -----------------------------------------------------------------------------


@pytest.fixture
def link(accountant, organisation, client_owner):
    _collaborate(organisation)
    approval = _offer(accountant, organisation, [client_owner])
    return links.link_create(
        actor=accountant, ctx=CTX, organisation=organisation, recipient=client_owner, approval=approval
    )


def test_a_link_counts_its_opens_and_stops_at_the_limit(link):
    link.max_opens = 2
    link.save(update_fields=["max_opens"])
    links.link_opened(ctx=CTX, link=link)
    links.link_opened(ctx=CTX, link=link)
    with pytest.raises(links.LinkDead, match="opened as often as allowed"):
        links.link_opened(ctx=CTX, link=link)
    link.refresh_from_db()
    assert link.opens == 2
    opened = Event.objects.filter(verb="link.opened")
    assert opened.count() == 2 and opened.first().actor == link.recipient


def test_a_link_dies_when_expired_revoked_or_done(link, accountant, client_owner):
    link.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    with pytest.raises(links.LinkDead, match="expired"):
        links.link_usable_check(link)
    link.expires_at = timezone.now() + datetime.timedelta(days=1)
    services.approval_withdraw(actor=accountant, ctx=CTX, approval=link.approval)
    link.approval.refresh_from_db()
    with pytest.raises(links.LinkDead, match="dealt with"):
        links.link_usable_check(link)
    links.link_revoke(actor=accountant, ctx=CTX, link=link)
    link.refresh_from_db()
    with pytest.raises(links.LinkDead, match="withdrawn"):
        links.link_usable_check(link)
    with pytest.raises(ValidationError):
        links.link_revoke(actor=accountant, ctx=CTX, link=link)


def test_only_members_get_links(accountant, organisation, client_owner, outsider):
    approval = _offer(accountant, organisation, [client_owner])
    with pytest.raises(ValidationError, match="member of this client"):
        links.link_create(actor=accountant, ctx=CTX, organisation=organisation, recipient=outsider, approval=approval)


def _sent_code(link, mailoutbox, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        links.link_code_send(ctx=CTX, link=link)
    message = mailoutbox[-1]
    assert message.to == [link.recipient.email]
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def test_deciding_through_a_link_needs_the_e_mailed_code(
    link, client_owner, mailoutbox, django_capture_on_commit_callbacks
):
    code = _sent_code(link, mailoutbox, django_capture_on_commit_callbacks)
    wrong = "000000" if code != "000000" else "111111"
    statement = link.approval.statement
    with pytest.raises(links.CodeRefused, match="4 attempts left"):
        links.link_decide(ctx=CTX, link=link, code=wrong, approve=True, statement=statement)
    assert LinkCode.objects.get().attempts == 1  # counted although the decision was refused
    approval = links.link_decide(ctx=CTX, link=link, code=code, approve=True, statement=statement)
    assert approval.status == Approval.Status.APPROVED
    event = Event.objects.get(verb="approval.approved")
    assert (
        event.actor == client_owner and event.data["email_code"] is True and event.data["link"] == str(link.public_id)
    )
    assert event.mfa_passed is False
    link.approval.refresh_from_db()
    with pytest.raises(links.LinkDead):
        links.link_usable_check(link)
    with pytest.raises(links.LinkDead):  # the link is done with the decision
        links.link_decide(ctx=CTX, link=link, code=code, approve=True, statement=statement)


def test_wrong_codes_are_limited(link, mailoutbox, django_capture_on_commit_callbacks):
    code = _sent_code(link, mailoutbox, django_capture_on_commit_callbacks)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(links.CODE_ATTEMPTS - 1):
        with pytest.raises(links.CodeRefused, match="attempt"):
            links.link_decide(ctx=CTX, link=link, code=wrong, approve=True, statement=link.approval.statement)
    with pytest.raises(links.CodeRefused, match="Too many wrong codes"):
        links.link_decide(ctx=CTX, link=link, code=wrong, approve=True, statement=link.approval.statement)
    with pytest.raises(links.CodeRefused, match="Too many wrong codes"):  # even the right one now
        links.link_decide(ctx=CTX, link=link, code=code, approve=True, statement=link.approval.statement)
    assert Approval.objects.get().status == Approval.Status.OFFERED
    fresh = _sent_code(link, mailoutbox, django_capture_on_commit_callbacks)
    approval = links.link_decide(
        ctx=CTX, link=link, code=fresh, approve=False, statement="", reason="Bedrag klopt niet"
    )
    assert approval.status == Approval.Status.REJECTED


def test_a_new_code_kills_the_old_one_and_codes_expire(link, mailoutbox, django_capture_on_commit_callbacks):
    first = _sent_code(link, mailoutbox, django_capture_on_commit_callbacks)
    second = _sent_code(link, mailoutbox, django_capture_on_commit_callbacks)
    if first != second:
        with pytest.raises(links.CodeRefused):
            links.link_decide(ctx=CTX, link=link, code=first, approve=True, statement=link.approval.statement)
    LinkCode.objects.filter(used_at=None).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(links.CodeRefused, match="Request a code first"):
        links.link_decide(ctx=CTX, link=link, code=second, approve=True, statement=link.approval.statement)


# --- Reminders and expiry ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offered", "due", "today", "key"),
    [
        ("2026-03-01", "2026-03-20", "2026-03-16", ""),
        ("2026-03-01", "2026-03-20", "2026-03-17", "before-3"),
        ("2026-03-01", "2026-03-20", "2026-03-20", "before-3"),
        ("2026-03-01", "2026-03-20", "2026-03-21", "after-1"),
        ("2026-03-01", "2026-03-20", "2026-03-27", "after-1"),
        ("2026-03-01", "2026-03-20", "2026-03-28", "after-8"),
        ("2026-03-01", "2026-03-20", "2026-04-04", "after-15"),
        ("2026-03-18", "2026-03-20", "2026-03-19", ""),  # offered after the "3 days before" point
        ("2026-03-18", "2026-03-20", "2026-03-21", "after-1"),
    ],
)
def test_the_reminder_schedule(offered, due, today, key):
    approval = Approval(
        due_date=datetime.date.fromisoformat(due),
        created_at=timezone.make_aware(datetime.datetime.fromisoformat(offered + "T10:00")),
    )
    assert services.reminder_key(approval, datetime.date.fromisoformat(today)) == key


def test_scheduled_reminders_go_out_once(
    accountant, organisation, client_owner, mailoutbox, django_capture_on_commit_callbacks
):
    """On the firm's "approval" schedule, as the data migration sets it (3 before, 1 after, weekly)."""
    from django.apps import apps

    importlib.import_module("accordo.work.migrations.0004_default_reminder_schedules").forwards(apps, None)
    today = timezone.localdate()
    _reads_english(client_owner)
    approval = _offer(accountant, organisation, [client_owner], due_date=today - datetime.timedelta(days=1))
    Approval.objects.filter(pk=approval.pk).update(created_at=timezone.now() - datetime.timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.approvals_remind_due(today=today) == 1
        assert services.approvals_remind_due(today=today) == 0
    assert list(Reminder.objects.values_list("key", flat=True)) == ["after-1"]
    reminders = [m for m in mailoutbox if "Reminder" in m.subject]
    assert len(reminders) == 1 and "was due on" in reminders[0].body


def test_staff_remind_by_hand_and_not_after_the_decision(accountant, organisation, client_owner):
    approval = _offer(accountant, organisation, [client_owner])
    services.approval_remind(actor=accountant, ctx=CTX, approval=approval)
    services.approval_remind(actor=accountant, ctx=CTX, approval=approval)
    assert sorted(Reminder.objects.values_list("key", flat=True)) == ["manual-1", "manual-2"]
    services.approval_decide(actor=client_owner, ctx=CTX, approval=approval, approve=True, statement=approval.statement)
    with pytest.raises(ApprovalStateError):
        services.approval_remind(actor=accountant, ctx=CTX, approval=approval)
    with pytest.raises(PermissionError):
        services.approval_remind(actor=client_owner, ctx=CTX, approval=approval)


def test_waiting_approvals_expire_after_the_firms_days(accountant, organisation, client_owner):
    today = timezone.localdate()
    late = _offer(accountant, organisation, [client_owner], due_date=today - datetime.timedelta(days=31))
    fresh = _offer(
        accountant, organisation, [client_owner], period="2024", due_date=today - datetime.timedelta(days=29)
    )
    assert services.approvals_expire(today=today) == 1
    assert services.approvals_expire(today=today) == 0
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert (late.status, fresh.status) == (Approval.Status.EXPIRED, Approval.Status.OFFERED)
    with pytest.raises(ApprovalStateError):
        services.approval_decide(actor=client_owner, ctx=CTX, approval=late, approve=True, statement=late.statement)


# --- Submission outbox ---------------------------------------------------------------------------


def _approve(approval, person):
    return services.approval_decide(
        actor=person, ctx=CTX, approval=approval, approve=True, statement=approval.statement
    )


@pytest.mark.parametrize(
    ("type", "mode", "channel"),
    [
        ("vpb", "approve", "tax_office"),
        ("ib", "approve", "tax_office"),
        ("lh", "approve", "tax_office"),
        ("publication", "approve", "kvk"),
        ("annual_accounts", "approve", None),
        ("vpb", "read", None),
    ],
)
def test_what_enters_the_outbox(accountant, organisation, client_owner, type, mode, channel):
    approval = _approve(_offer(accountant, organisation, [client_owner], type=type, mode=mode), client_owner)
    submission = Submission.objects.filter(approval=approval).first()
    assert (submission.channel if submission else None) == channel
    if submission:
        assert submission.status == Submission.Status.READY
        assert Event.objects.filter(verb="submission.ready", target_id=str(submission.public_id)).exists()


def test_the_outbox_moves_one_step_at_a_time(accountant, organisation, client_owner):
    approval = _approve(_offer(accountant, organisation, [client_owner]), client_owner)
    submission = approval.submission
    with pytest.raises(ApprovalStateError):
        outbox.submission_advance(actor=accountant, ctx=CTX, submission=submission, status="accepted")
    submission = outbox.submission_advance(
        actor=accountant, ctx=CTX, submission=submission, status="submitted", reference="BD-2026-123"
    )
    assert submission.status == "submitted" and submission.reference == "BD-2026-123" and submission.submitted_at
    with pytest.raises(ValidationError, match="why"):
        outbox.submission_advance(actor=accountant, ctx=CTX, submission=submission, status="rejected")
    submission = outbox.submission_advance(
        actor=accountant, ctx=CTX, submission=submission, status="rejected", note="Verkeerd RSIN"
    )
    submission = outbox.submission_advance(actor=accountant, ctx=CTX, submission=submission, status="ready")
    submission = outbox.submission_advance(actor=accountant, ctx=CTX, submission=submission, status="submitted")
    submission = outbox.submission_advance(actor=accountant, ctx=CTX, submission=submission, status="accepted")
    with pytest.raises(ApprovalStateError):
        outbox.submission_advance(actor=accountant, ctx=CTX, submission=submission, status="ready")
    verbs = list(Event.objects.filter(verb__startswith="submission.").values_list("verb", flat=True).order_by("seq"))
    assert verbs == ["submission.ready", "submission.submitted", "submission.rejected", "submission.ready",
                     "submission.submitted", "submission.accepted"]  # fmt: skip
    with pytest.raises(PermissionError):
        outbox.submission_advance(actor=client_owner, ctx=CTX, submission=submission, status="ready")


# --- Filing with the certificate, and rejections reaching the firm --------------------------------


def test_an_approved_set_is_filed_with_its_certificate(
    accountant, organisation, client_owner, django_capture_on_commit_callbacks
):
    approval = _offer(accountant, organisation, [client_owner])
    services.approval_opened(actor=client_owner, ctx=CTX, approval=approval)
    with django_capture_on_commit_callbacks(execute=True):
        _approve(approval, client_owner)
    approval.refresh_from_db()
    certificate = approval.certificate
    assert certificate is not None
    assert certificate.folder.name == "2025" and certificate.folder.parent.name == "Aangiften"
    assert certificate.folder.open_to_client
    names = set(Document.objects.filter(folder=certificate.folder).values_list("name", flat=True))
    assert names == {"aangifte.pdf", "toelichting.pdf", certificate.name}
    with certificate.current.file.open("rb") as handle:
        pdf = handle.read()
    assert hashlib.sha256(pdf).hexdigest() == certificate.current.sha256
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    for document in approval.documents.all():
        assert document.sha256 in text
    assert Event.objects.filter(verb="approval.filed", target_id=str(approval.public_id)).count() == 1
    assert filing.approval_file(approval) is None  # a second run leaves it alone
    assert Document.objects.filter(folder=certificate.folder).count() == 3


def test_a_rejection_reaches_the_firm(
    accountant, organisation, client_owner, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = UserFactory(email="adviseur@firm.test", staff_role="staff")
    AssignmentFactory(organisation=organisation, user=colleague, role="accountant")
    _reads_english(accountant, colleague)
    approval = _offer(accountant, organisation, [client_owner])
    with django_capture_on_commit_callbacks(execute=True):
        services.approval_decide(
            actor=client_owner,
            ctx=CTX,
            approval=approval,
            approve=False,
            statement="",
            reason="Auto van de zaak ontbreekt",
        )
    rejected = [m for m in mailoutbox if m.subject.startswith("Rejected")]
    assert sorted(m.to[0] for m in rejected) == sorted([accountant.email, colleague.email])
    assert "Auto van de zaak ontbreekt" in rejected[0].body
    assert f"/staff/approvals/{approval.public_id}/" in rejected[0].body
    assert not Document.objects.filter(name__startswith="Approval certificate").exists()


def test_a_member_added_later_cannot_decide_on_an_old_offer(accountant, organisation, client_owner):
    approval = _offer(accountant, organisation, [client_owner])
    late = UserFactory(email="late@client.test")
    MembershipFactory(user=late, organisation=organisation, role="owner")
    with pytest.raises(PermissionError):
        _approve(approval, late)


def test_a_recipient_who_decided_is_done_with_the_link_while_others_still_decide(
    accountant, organisation, client_owner
):
    _collaborate(organisation)
    partner = UserFactory(email="partner@client.test")
    MembershipFactory(user=partner, organisation=organisation, role="approver")
    approval = _offer(accountant, organisation, [client_owner, partner], rule="all")
    mine, theirs = (
        links.link_create(actor=accountant, ctx=CTX, organisation=organisation, recipient=person, approval=approval)
        for person in (client_owner, partner)
    )
    code = links.link_code_send(ctx=CTX, link=mine)
    links.link_decide(ctx=CTX, link=mine, code=links.link_code_value(code), approve=True, statement=approval.statement)
    mine.approval.refresh_from_db()
    assert mine.approval.status == Approval.Status.OFFERED  # "all of them": the partner still decides
    with pytest.raises(links.LinkDead, match="dealt with"):
        links.link_usable_check(mine)
    links.link_usable_check(theirs)


def test_codes_are_rationed(link):
    for _ in range(links.CODES_PER_HOUR):
        links.link_code_send(ctx=CTX, link=link)
    with pytest.raises(links.CodeRefused, match="codes in the last hour"):
        links.link_code_send(ctx=CTX, link=link)
    assert LinkCode.objects.count() == links.CODES_PER_HOUR
