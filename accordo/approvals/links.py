"""Temporary links (SPEC §5, §14): signed, one recipient, expiring, a limited number of opens.

The token in a link's URL is an HMAC of the link's public id and a random nonce, so the worker can
rebuild it to e-mail it and it is never stored or logged. A link serves an approval (view, and
decide with a one-time code sent to the recipient) or one dossier document (download). It stops at
its expiry, after its opens are used, when staff revoke it, and when its approval is no longer
waiting. Every step is an event with the recipient as actor.
"""

from __future__ import annotations

import dataclasses
import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, get_random_string, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accordo.accounts.models import User
from accordo.approvals.models import Approval, ApprovalDocument, Decider, LinkCode, TemporaryLink
from accordo.approvals.services import ApprovalStateError, approval_decide
from accordo.clients.models import Membership, Organisation
from accordo.clients.selectors import firm_get
from accordo.core.access import public_id_or_404
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.dossier.models import Document

CODE_MINUTES = 10
CODE_ATTEMPTS = 5
CODE_DIGITS = 6
CODES_PER_HOUR = 5  # a recipient who asks more often is a script, not a person


class LinkDead(Exception):
    """The link exists and its token is right, but it no longer works; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CodeRefused(ValidationError):
    """The one-time code was wrong, expired or used up; the message says what to do."""


def link_token(link: TemporaryLink) -> str:
    return salted_hmac("accordo.temporary-link", f"{link.public_id}:{link.nonce}").hexdigest()


def link_url(link: TemporaryLink) -> str:
    return settings.SITE_URL + reverse("links:open", args=[link.public_id, link_token(link)])


def link_for_token(public_id: uuid.UUID | str, token: str) -> TemporaryLink:
    """The link of a URL; unknown ids and wrong tokens are both a 404."""
    link = (
        TemporaryLink.objects.select_related("organisation", "recipient", "approval", "document__current")
        .filter(public_id=public_id_or_404(public_id))
        .first()
    )
    if link is None or not constant_time_compare(link_token(link), token):
        raise Http404
    return link


def link_usable_check(link: TemporaryLink, *, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    if link.revoked_at is not None:
        raise LinkDead(_("This link was withdrawn by the firm."))
    if link.expires_at <= now:
        raise LinkDead(_("This link has expired. Ask the firm for a new one."))
    if link.approval is not None and (
        link.approval.status != Approval.Status.OFFERED
        or Decider.objects.filter(approval_id=link.approval.pk, user_id=link.recipient_id)
        .exclude(decision=Decider.Decision.PENDING)
        .exists()
    ):  # decided, withdrawn, expired, or this recipient's part is done ("all of them" goes on)
        raise LinkDead(_("This request has been dealt with; the link no longer works."))
    if link.document is not None and link.document.deleted_at is not None:
        raise LinkDead(_("This document is no longer available."))
    if link.opens >= link.max_opens:
        raise LinkDead(_("This link has been opened as often as allowed. Ask the firm for a new one."))


def _as_recipient(ctx: RequestContext) -> RequestContext:
    return dataclasses.replace(ctx, source="link", mfa_passed=False)


@transaction.atomic
def link_create(
    *,
    actor: User | None,
    ctx: RequestContext,
    organisation: Organisation,
    recipient: User,
    approval: Approval | None = None,
    document: Document | None = None,
) -> TemporaryLink:
    """A new link for one member of the organisation; the worker e-mails it (event ``link.created``)."""
    if (approval is None) == (document is None):
        raise ValueError("a link serves one approval or one document")
    if actor is not None and not actor.is_firm_staff:
        raise PermissionError("only firm staff create temporary links")
    if not Membership.objects.filter(organisation=organisation, user=recipient).exists():
        raise ValidationError(_("A temporary link can only be sent to a member of this client."), code="recipient")
    if approval is not None:
        if approval.organisation_id != organisation.pk:
            raise ValueError("approval of another organisation")
        if approval.status != Approval.Status.OFFERED:
            raise ApprovalStateError(_("This approval has already been decided or is no longer open."), code="state")
    if document is not None and (document.organisation_id != organisation.pk or document.deleted_at is not None):
        raise ValueError("document of another organisation")
    firm = firm_get()
    link = TemporaryLink.objects.create(
        organisation=organisation,
        recipient=recipient,
        approval=approval,
        document=document,
        nonce=get_random_string(32),
        expires_at=timezone.now() + datetime.timedelta(days=firm.link_valid_days),
        max_opens=firm.link_max_opens,
        created_by=actor or (approval.offered_by if approval else recipient),
    )
    event_record(
        actor=actor,
        ctx=ctx,
        verb="link.created",
        target=link,
        organisation=organisation,
        data={
            "recipient": recipient.email,
            "approval": str(approval.public_id) if approval else None,
            "document": document.name if document else None,
            "expires_at": link.expires_at.isoformat(),
            "max_opens": link.max_opens,
        },
    )
    return link


@transaction.atomic
def link_revoke(*, actor: User, ctx: RequestContext, link: TemporaryLink) -> None:
    if not actor.is_firm_staff:
        raise PermissionError("only firm staff revoke temporary links")
    if not TemporaryLink.objects.filter(pk=link.pk, revoked_at=None).update(revoked_at=timezone.now()):
        raise ValidationError(_("This link was withdrawn already."), code="state")
    event_record(
        actor=actor, ctx=ctx, verb="link.revoked", target=link, organisation=link.organisation,
        data={"recipient": link.recipient.email},
    )  # fmt: skip


@transaction.atomic
def link_opened(*, ctx: RequestContext, link: TemporaryLink) -> TemporaryLink:
    """Count one open; the count is raised in SQL only while below the limit, so it never overshoots."""
    link_usable_check(link)
    if not TemporaryLink.objects.filter(pk=link.pk, opens__lt=F("max_opens"), revoked_at=None).update(
        opens=F("opens") + 1
    ):
        raise LinkDead(_("This link has been opened as often as allowed. Ask the firm for a new one."))
    link.opens += 1
    data: dict[str, object] = {"opens": link.opens, "max_opens": link.max_opens}
    if link.approval is not None:
        data["documents"] = [{"name": d.name, "sha256": d.sha256} for d in link.approval.documents.all()]
    event_record(
        actor=link.recipient, ctx=_as_recipient(ctx), verb="link.opened", target=link.approval or link,
        organisation=link.organisation, data=data,
    )  # fmt: skip
    return link


@transaction.atomic
def link_document_viewed(*, ctx: RequestContext, link: TemporaryLink, document: ApprovalDocument) -> None:
    """A document of the link's approval was shown to the recipient (hash of the bytes sent)."""
    _still_valid(link)
    if link.approval is None or document.approval_id != link.approval.pk:
        raise Http404
    event_record(
        actor=link.recipient, ctx=_as_recipient(ctx), verb="approval.document_viewed", target=link.approval,
        organisation=link.organisation, data={"name": document.name, "sha256": document.sha256, "link": True},
    )  # fmt: skip


def _still_valid(link: TemporaryLink) -> None:
    """Checks except the open count: a page opened with the last allowed open may still show its files."""
    saved = link.opens
    link.opens = 0
    try:
        link_usable_check(link)
    finally:
        link.opens = saved


def link_session_check(link: TemporaryLink) -> None:
    """For requests made from an opened link page (documents, code, decision): everything but the count."""
    _still_valid(link)


@transaction.atomic
def link_document_downloaded(*, ctx: RequestContext, link: TemporaryLink) -> None:
    _still_valid(link)
    if link.document is None or link.document.current is None:
        raise Http404
    version = link.document.current
    event_record(
        actor=link.recipient, ctx=_as_recipient(ctx), verb="document.downloaded", target=link.document,
        organisation=link.organisation,
        data={"name": link.document.name, "version": version.number, "sha256": version.sha256, "link": True},
    )  # fmt: skip


def link_code_value(code: LinkCode) -> str:
    """The code's digits, derived from its nonce (so the worker can mail it; it is never stored)."""
    digest = salted_hmac("accordo.link-code", f"{code.link.public_id}:{code.nonce}").hexdigest()
    return str(int(digest[:15], 16) % 10**CODE_DIGITS).zfill(CODE_DIGITS)


@transaction.atomic
def link_code_send(*, ctx: RequestContext, link: TemporaryLink) -> LinkCode:
    """A fresh one-time code for the link's recipient; earlier unused codes stop working."""
    _still_valid(link)
    if link.approval is None:
        raise ValueError("codes are for approval links")
    now = timezone.now()
    recent = LinkCode.objects.filter(link=link, created_at__gte=now - datetime.timedelta(hours=1)).count()
    if recent >= CODES_PER_HOUR:
        raise CodeRefused(
            _("You asked for %(count)d codes in the last hour. Use the newest one, or try again later.")
            % {"count": recent},
            code="codes",
        )
    LinkCode.objects.filter(link=link, used_at=None).update(used_at=now)
    code = LinkCode.objects.create(
        link=link, nonce=get_random_string(32), expires_at=now + datetime.timedelta(minutes=CODE_MINUTES)
    )
    event_record(
        actor=link.recipient, ctx=_as_recipient(ctx), verb="link.code_sent", target=link,
        organisation=link.organisation, data={"code": code.pk, "to": link.recipient.email},
    )  # fmt: skip
    return code


def _code_check(link: TemporaryLink, code: str) -> tuple[LinkCode | None, str]:
    """The link's newest unused code if ``code`` matches it, else a message; a wrong attempt is counted."""
    now = timezone.now()
    current = LinkCode.objects.select_for_update().filter(link=link, used_at=None).first()
    if current is None or current.expires_at <= now:
        return None, _("Request a code first; codes are valid for %(minutes)s minutes.") % {"minutes": CODE_MINUTES}
    if current.attempts >= CODE_ATTEMPTS:
        return None, _("Too many wrong codes. Request a new code.")
    typed = "".join(ch for ch in code if ch.isdigit())
    if constant_time_compare(typed, link_code_value(current)):
        return current, ""
    LinkCode.objects.filter(pk=current.pk).update(attempts=F("attempts") + 1)
    left = CODE_ATTEMPTS - current.attempts - 1
    if left <= 0:
        return None, _("Too many wrong codes. Request a new code.")
    return None, ngettext(
        "That code is not right. You have %(left)d attempt left.",
        "That code is not right. You have %(left)d attempts left.",
        left,
    ) % {"left": left}


def link_decide(
    *,
    ctx: RequestContext,
    link: TemporaryLink,
    code: str,
    approve: bool,
    statement: str,
    reason: str = "",
) -> Approval:
    """Decide through a link: the e-mailed code stands in for the login. A wrong code is counted
    even though the decision is refused (its own transaction), so attempts really are limited."""
    _still_valid(link)
    if link.approval is None:
        raise Http404
    with transaction.atomic():
        current, problem = _code_check(link, code)
    # A wrong attempt is committed before the refusal; a right code is used up together with the
    # decision, or not at all.
    if current is None:
        raise CodeRefused(problem, code="code")
    with transaction.atomic():
        if not LinkCode.objects.filter(pk=current.pk, used_at=None).update(used_at=timezone.now()):
            raise CodeRefused(_("This code was used already. Request a new code."), code="code")
        approval = approval_decide(
            actor=link.recipient,
            ctx=dataclasses.replace(ctx, source="link", mfa_passed=False),
            approval=link.approval,
            approve=approve,
            statement=statement,
            reason=reason,
            via={"link": str(link.public_id), "email_code": True},
        )
    return approval
