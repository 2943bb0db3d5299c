"""Staff decisions on quarantined mail: release it as deliveries after all, or discard it."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accordo.accounts.models import User
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.deliveries.mailin import attachments_of
from accordo.deliveries.models import Delivery, QuarantinedMail
from accordo.deliveries.services import delivery_receive


class QuarantineStateError(ValidationError):
    """The mail was already released or discarded (someone else decided first)."""


def _decide(mail: QuarantinedMail, actor: User, status: str) -> None:
    if not actor.is_firm_staff:
        raise PermissionError("only firm staff decide on quarantined mail")
    updated = QuarantinedMail.objects.filter(pk=mail.pk, status=QuarantinedMail.Status.HELD).update(
        status=status, decided_by=actor, updated_at=timezone.now()
    )
    if updated != 1:
        raise QuarantineStateError(_("Someone already decided on this mail; reload the page."), code="state")
    mail.status = status
    mail.decided_by = actor


def quarantine_release(*, actor: User, ctx: RequestContext, mail: QuarantinedMail) -> list[Delivery]:
    """Deliver a held mail's attachments after all, into its organisation's tray (``mail.released``).

    The deliveries have no client as their deliverer (``delivered_by`` is empty) and keep the
    sender's address. Attachments over the size limit stay out. All or nothing: if one attachment
    cannot be delivered, none is and the mail stays held.
    """
    if mail.organisation is None or mail.tray is None:
        raise ValidationError(_("This mail has no organisation or tray to deliver to."), code="target")
    created: list[Delivery] = []
    decided = False
    try:
        with transaction.atomic():
            _decide(mail, actor, QuarantinedMail.Status.RELEASED)
            decided = True
            with mail.message.open("rb") as stored:
                raw = stored.read()
            message: EmailMessage = email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[assignment]
            del raw
            with attachments_of(message) as parts:
                usable = [p for p in parts if not p.refused]
                if not usable:
                    raise ValidationError(_("This mail has no attachment that can be delivered."), code="empty")
                for part in usable:
                    created.append(
                        delivery_receive(
                            actor=None,
                            ctx=ctx,
                            organisation=mail.organisation,
                            tray=mail.tray,
                            file=File(part.file, name=part.name),
                            name=part.name,
                            size=part.size,
                            mime=part.mime,
                            sha256=part.sha256,
                            channel=Delivery.Channel.EMAIL,
                            email_from=mail.sender,
                            email_subject=mail.subject,
                        )  # fmt: skip
                    )
            event_record(
                actor=actor, ctx=ctx, verb="mail.released", target=mail, organisation=mail.organisation,
                data={
                    "sender": mail.sender, "recipient": mail.recipient, "reason": mail.reason,
                    "tray": mail.tray.slug, "deliveries": [str(d.public_id) for d in created],
                    "files": [{"name": d.original_name, "sha256": d.sha256} for d in created],
                },
            )  # fmt: skip
    except BaseException:
        for delivery in created:
            delivery.file.delete(save=False)
        if decided:  # rolled back: the mail is held again
            mail.status = QuarantinedMail.Status.HELD
            mail.decided_by = None
        raise
    return created


@transaction.atomic
def quarantine_discard(*, actor: User, ctx: RequestContext, mail: QuarantinedMail) -> None:
    """Staff decide a held mail is not to be delivered (``mail.discarded``); row and file stay as evidence."""
    _decide(mail, actor, QuarantinedMail.Status.DISCARDED)
    event_record(
        actor=actor, ctx=ctx, verb="mail.discarded", target=mail, organisation=mail.organisation,
        data={"sender": mail.sender, "recipient": mail.recipient, "reason": mail.reason, "subject": mail.subject},
    )  # fmt: skip
