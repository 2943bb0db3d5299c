"""E-mail-in (SPEC §4): route a received message to its organisation and tray.

``<token>@<domain>`` and ``<token>+<tray slug>@<domain>`` are delivery addresses. A message whose
``From:`` is an active member of that organisation who may deliver becomes one delivery per
attachment; anything else is held in quarantine for staff and never reaches the dossier.

Who sent a message is read from its ``From:`` header (and the SMTP envelope sender must agree).
Both are written by the sender: Accordo does not check SPF, DKIM or DMARC itself and relies on the
mail server in front of it to refuse forged mail (see README, "E-mail-in").
"""

from __future__ import annotations

import binascii
import email
import email.policy
import hashlib
import logging
import mimetypes
import re
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage, Message
from email.utils import getaddresses
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accordo.accounts.models import User
from accordo.clients.models import Membership, Organisation
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.deliveries.models import Delivery, DeliveryAddress, QuarantinedMail, Tray
from accordo.deliveries.services import delivery_receive
from accordo.dossier.fileproc import safe_filename, sniff
from accordo.dossier.models import MAX_FILE_BYTES

log = logging.getLogger(__name__)

DEFAULT_TRAY = "overig"
SMALL_IMAGE_BYTES = 4 * 1024
CHUNK_CHARS = 1024 * 1024
# A copy of a message seen again within this time (an IMAP poll after a crash, an SMTP retry) is skipped.
DUPLICATE_WINDOW = timedelta(days=14)
SIGNATURE_TYPES = frozenset(
    {"application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"}
)
REASONS = {
    "unknown_sender": _("The sender has no account."),
    "inactive": _("The sender's account is blocked."),
    "not_member": _("The sender is not a member of this organisation."),
    "may_not_deliver": _("The sender may only view this organisation, not deliver."),
    "sender_unclear": _("The message does not have exactly one sender address."),
    "sender_mismatch": _("The envelope sender differs from the From address."),
    "no_attachment": _("The message has no attachment."),
    "too_large": _("An attachment is larger than the limit."),
}
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=]")


@dataclass
class Part:
    """One attachment, decoded into a temporary file while it was hashed."""

    name: str
    size: int
    mime: str
    sha256: str
    file: IO[bytes]
    refused: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "size": self.size, "mime": self.mime, "sha256": self.sha256, "refused": self.refused}


@dataclass
class Outcome:
    """What became of a message for one of its delivery addresses."""

    recipient: str
    deliveries: list[Delivery] = field(default_factory=list)
    quarantined: QuarantinedMail | None = None
    duplicate: bool = False


def _ctx() -> RequestContext:
    return RequestContext.system("mail-in")


# --- addresses ---------------------------------------------------------------------------------


def address_parts(address: str) -> tuple[str, str] | None:
    """(token, tray slug or "") of one of our addresses, else None."""
    local, at, domain = address.strip().strip("<>").lower().rpartition("@")
    if not at or domain.rstrip(".") != settings.MAIL_IN_DOMAIN or not local:
        return None
    token, _plus, slug = local.partition("+")
    return token, slug


def delivery_target(address: str) -> tuple[Organisation, Tray] | None:
    """The organisation and active tray a delivery address stands for; None for any other address."""
    parts = address_parts(address)
    if parts is None:
        return None
    token, slug = parts
    found = DeliveryAddress.objects.select_related("organisation").filter(token=token).first()
    if found is None:
        return None
    trays = Tray.objects.filter(active=True)
    if slug:
        tray = trays.filter(slug=slug).first()
    else:
        tray = trays.filter(slug=DEFAULT_TRAY).first() or trays.order_by("position", "name").first()
    return None if tray is None else (found.organisation, tray)


def tray_address(token: str, tray: Tray | None = None) -> str:
    """The address a client mails to: plain, or for one tray."""
    local = f"{token}+{tray.slug}" if tray is not None else token
    return f"{local}@{settings.MAIL_IN_DOMAIN}"


def header_addresses(message: Message, name: str) -> list[str]:
    """The addresses in every ``name`` header (``Delivered-To`` and friends are not address headers to
    the e-mail package, so each value is parsed as an address list here)."""
    try:
        values = [str(v) for v in message.get_all(name) or []]
    except (AttributeError, IndexError, ValueError):
        return []
    return [addr.lower() for _name, addr in getaddresses(values) if "@" in addr]


# --- the sender -------------------------------------------------------------------------------


def _sender_of(message: EmailMessage, envelope_from: str) -> tuple[str, str]:
    """(sender address, problem code or "") from ``From:`` and, when given, the envelope sender."""
    found = header_addresses(message, "From")
    if len(found) != 1:
        return str(message.get("From", ""))[:254], "sender_unclear"
    sender = found[0]
    envelope = envelope_from.strip().strip("<>").lower()
    if envelope and envelope != sender:
        return sender, "sender_mismatch"
    return sender, ""


def _deliverer(sender: str, problem: str, organisation: Organisation) -> tuple[User | None, str]:
    """The member who may deliver for ``organisation`` by mail, or the reason they may not."""
    if problem:
        return None, problem
    user = User.objects.filter(email__iexact=sender).first()
    if user is None:
        return None, "unknown_sender"
    if not user.is_active:
        return None, "inactive"
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is None:
        return None, "not_member"
    if not membership.can_deliver:
        return None, "may_not_deliver"
    return user, ""


# --- attachments ------------------------------------------------------------------------------


def _is_candidate(part: Message) -> bool:
    if part.is_multipart():
        return False
    ctype = part.get_content_type()
    if ctype in SIGNATURE_TYPES:
        return False
    is_body = ctype in ("text/plain", "text/html") and part.get_content_disposition() != "attachment"
    return not (is_body and not part.get_filename())


def _chunks(part: Message) -> Iterator[bytes]:
    """The decoded payload a piece at a time: never a second whole copy of a big attachment."""
    payload = part.get_payload()
    if not isinstance(payload, str):
        return
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding == "base64":
        carry = ""
        for start in range(0, len(payload), CHUNK_CHARS):
            text = carry + _NOT_BASE64.sub("", payload[start : start + CHUNK_CHARS])
            cut = len(text) - len(text) % 4
            carry = text[cut:]
            try:
                yield binascii.a2b_base64(text[:cut])
            except binascii.Error:
                return
        if len(carry) > 1:
            try:
                yield binascii.a2b_base64(carry + "=" * (-len(carry) % 4))
            except binascii.Error:
                return
    elif encoding == "quoted-printable":
        start = 0
        while start < len(payload):  # whole lines at a time: an =XX escape never straddles two pieces
            end = payload.rfind("\n", start, start + CHUNK_CHARS) + 1 or min(len(payload), start + CHUNK_CHARS)
            yield binascii.a2b_qp(payload[start:end].encode("ascii", "surrogateescape"))
            start = end
    else:
        for start in range(0, len(payload), CHUNK_CHARS):
            piece = payload[start : start + CHUNK_CHARS]
            try:
                yield piece.encode("ascii", "surrogateescape")
            except UnicodeEncodeError:
                yield piece.encode("utf-8", "surrogateescape")


def _decode(part: Message, index: int, stack: ExitStack) -> Part | None:
    """Write one part to a temporary file (hashing it); None for empty parts and small inline pictures."""
    out = stack.enter_context(tempfile.NamedTemporaryFile(prefix="accordo-mail-"))  # noqa: SIM115 (closed by the stack)
    digest = hashlib.sha256()
    size = 0
    for chunk in _chunks(part):
        size += len(chunk)
        if size <= MAX_FILE_BYTES:
            digest.update(chunk)
            out.write(chunk)
    out.flush()
    if size == 0:
        return None
    mime = sniff(out.name).mime if size <= MAX_FILE_BYTES else part.get_content_type()
    inline = part.get_content_disposition() != "attachment" or part.get("Content-ID") is not None
    if mime.startswith("image/") and inline and size < SMALL_IMAGE_BYTES:
        return None
    try:
        name = part.get_filename() or ""
    except (AttributeError, IndexError, ValueError):
        name = ""
    if not name:
        name = f"attachment-{index}{mimetypes.guess_extension(mime) or ''}"
    out.seek(0)
    refused = size > MAX_FILE_BYTES
    return Part(safe_filename(name), size, mime, "" if refused else digest.hexdigest(), out, refused)


@contextmanager
def attachments_of(message: EmailMessage) -> Iterator[list[Part]]:
    """The message's attachments and inline files (not its text), each in a temporary file."""
    with ExitStack() as stack:
        parts: list[Part] = []
        for index, part in enumerate((p for p in message.walk() if _is_candidate(p)), start=1):
            decoded = _decode(part, index, stack)
            if decoded is not None:
                parts.append(decoded)
        yield parts


def _subject_of(message: EmailMessage) -> str:
    try:
        return " ".join(str(message.get("Subject", "")).split())[:300]
    except (AttributeError, IndexError, ValueError):
        return ""


# --- taking in --------------------------------------------------------------------------------


def mail_take_in(raw: bytes, recipients: list[str], envelope_from: str = "") -> list[Outcome]:
    """Take in one received message for each of its recipients that is a delivery address.

    From a member who may deliver: every attachment becomes a delivery of the address's tray.
    Otherwise (or with no attachment, or one over the size limit) the message is quarantined.
    Other recipients are ignored. A copy taken in before is skipped, so running twice is safe.
    """
    targets: list[tuple[str, Organisation, Tray]] = []
    for address in dict.fromkeys(r.strip().strip("<>").lower() for r in recipients):
        target = delivery_target(address)
        if target is not None:
            targets.append((address, *target))
    if not targets:
        return []
    message: EmailMessage = email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[assignment]
    sender, problem = _sender_of(message, envelope_from)
    received = Received(raw, sender, envelope_from, _subject_of(message))
    outcomes = []
    with attachments_of(message) as parts:
        for address, organisation, tray in targets:
            user, reason = _deliverer(sender, problem, organisation)
            usable = [p for p in parts if not p.refused]
            if not reason and len(usable) < len(parts):
                reason = "too_large"
            elif not reason and not usable:
                reason = "no_attachment"
            if reason or user is None:
                outcomes.append(_hold(received, address, reason, organisation, tray, parts))
            else:
                outcomes.append(_deliver(received, address, user, organisation, tray, usable))
    return outcomes


@dataclass(frozen=True)
class Received:
    """A received message and what is known of its sender."""

    raw: bytes
    sender: str
    envelope_from: str
    subject: str


def _deliver(
    received: Received, address: str, user: User, organisation: Organisation, tray: Tray, parts: list[Part]
) -> Outcome:
    outcome = Outcome(address)
    since = timezone.now() - DUPLICATE_WINDOW
    sender, subject = received.sender[:254], received.subject
    for part in parts:
        seen = Delivery.objects.filter(
            organisation=organisation, tray=tray, channel=Delivery.Channel.EMAIL, sha256=part.sha256,
            email_from=sender, email_subject=subject, created_at__gte=since,
        ).exists()  # fmt: skip
        if seen:
            continue
        part.file.seek(0)
        delivery = delivery_receive(
            actor=user, ctx=_ctx(), organisation=organisation, tray=tray, file=File(part.file, name=part.name),
            name=part.name, size=part.size, mime=part.mime, sha256=part.sha256, channel=Delivery.Channel.EMAIL,
            email_from=sender, email_subject=subject,
        )  # fmt: skip
        outcome.deliveries.append(delivery)
    outcome.duplicate = not outcome.deliveries
    if outcome.duplicate:
        log.info("mail to %s from %s was taken in before; skipped", address, sender)
    return outcome


def _hold(
    received: Received, address: str, reason: str, organisation: Organisation, tray: Tray, parts: list[Part]
) -> Outcome:
    seen = QuarantinedMail.objects.filter(
        recipient=address[:254], sender=received.sender[:254], subject=received.subject, size=len(received.raw),
        created_at__gte=timezone.now() - DUPLICATE_WINDOW,
    ).exists()  # fmt: skip
    if seen:
        log.info("mail to %s from %s was quarantined before; skipped", address, received.sender)
        return Outcome(address, duplicate=True)
    attachments = [p.as_json() for p in parts]
    mail = quarantine_hold(
        received, recipient=address, reason=reason, organisation=organisation, tray=tray, attachments=attachments
    )
    return Outcome(address, quarantined=mail)


def quarantine_hold(
    received: Received,
    *,
    recipient: str,
    reason: str,
    organisation: Organisation | None,
    tray: Tray | None,
    attachments: list[dict[str, Any]],
) -> QuarantinedMail:
    """Keep a message for staff (``mail.quarantined``): the raw message stored, the row written."""
    mail = QuarantinedMail(
        organisation=organisation, tray=tray, recipient=recipient[:254], sender=received.sender[:254],
        subject=received.subject, reason=reason, size=len(received.raw), attachments=attachments,
    )  # fmt: skip
    mail.message.save(f"{mail.public_id}.eml", ContentFile(received.raw), save=False)
    try:
        with transaction.atomic():
            mail.save()
            event_record(
                actor=None, ctx=_ctx(), verb="mail.quarantined", target=mail, organisation=organisation,
                data={
                    "reason": reason, "recipient": mail.recipient, "sender": mail.sender,
                    "envelope_from": received.envelope_from[:254], "subject": mail.subject, "size": mail.size,
                    "tray": tray.slug if tray else None, "attachments": attachments,
                },
            )  # fmt: skip
    except BaseException:
        mail.message.delete(save=False)
        raise
    return mail
