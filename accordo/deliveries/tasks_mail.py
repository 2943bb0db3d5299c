"""Fetching mail for the delivery addresses from a mailbox (``ACCORDO_MAIL_IN_IMAP``) every minute."""

from __future__ import annotations

import contextlib
import email.policy
import imaplib
import logging
import ssl
from collections.abc import Sequence
from email.parser import BytesHeaderParser
from typing import Any

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task
from huey.exceptions import TaskLockedException

from accordo.core.env import ImapMailbox
from accordo.deliveries.mailin import address_parts, header_addresses, mail_take_in

log = logging.getLogger(__name__)
BATCH = 100
TIMEOUT_SECONDS = 60


class ImapError(RuntimeError):
    """The IMAP server refused a command."""


def _check(response: tuple[str, Sequence[Any]], what: str) -> Sequence[Any]:
    status, data = response
    if status != "OK":
        raise ImapError(f"IMAP {what} failed: {data!r}")
    return data


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _message_bytes(data: Sequence[Any]) -> bytes | None:
    """The literal of a ``UID FETCH ... (BODY.PEEK[])`` answer."""
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def header_recipients(raw: bytes) -> list[str]:
    """Our addresses a message was delivered to, from its headers (for mail fetched from a mailbox).

    ``Delivered-To`` and ``X-Original-To`` (set by the receiving server) win over ``To``/``Cc``.
    """
    headers = BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
    for names in (("Delivered-To",), ("X-Original-To",), ("To", "Cc")):
        found = [a for name in names for a in header_addresses(headers, name) if address_parts(a) is not None]
        if found:
            return list(dict.fromkeys(found))
    return []


def return_path(raw: bytes) -> str:
    """The envelope sender the last server wrote into ``Return-Path`` ("" when there is none)."""
    headers = BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
    found = header_addresses(headers, "Return-Path")
    return found[0] if found else ""


def _connect(mailbox: ImapMailbox) -> imaplib.IMAP4:
    if mailbox.ssl:
        return imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT_SECONDS
        )
    return imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS)


def imap_poll(mailbox: ImapMailbox, *, batch: int = BATCH) -> int:
    """Take in up to ``batch`` unseen messages and flag each ``\\Seen``; returns how many were taken in.

    Messages are fetched with ``BODY.PEEK[]`` (which leaves them unseen) and flagged only after
    they were taken in, so a message whose taking in failed is tried again at the next poll;
    one seen twice is skipped by ``mail_take_in``. Nothing is moved or deleted.
    """
    client = _connect(mailbox)
    taken = 0
    try:
        _check(client.login(mailbox.user, mailbox.password), "LOGIN")
        _check(client.select(_quoted(mailbox.mailbox)), "SELECT")
        found = _check(client.uid("SEARCH", "UNSEEN"), "SEARCH")
        uids = (found[0] or b"").decode("ascii").split() if found and isinstance(found[0], bytes) else []
        for uid in uids[:batch]:
            raw = _message_bytes(_check(client.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH"))
            if raw is None:
                continue
            try:
                if not mail_take_in(raw, header_recipients(raw), return_path(raw)):
                    log.warning("IMAP message %s is not for a delivery address; marked read, left in the mailbox", uid)
            except Exception:
                log.exception("taking in IMAP message %s failed; it stays unseen and is tried again", uid)
                continue
            _check(client.uid("STORE", uid, "+FLAGS", "(\\Seen)"), "STORE")
            taken += 1
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    return taken


@db_periodic_task(crontab(minute="*"))
def poll_mail_in() -> None:
    """Worker job: fetch the mailbox of ACCORDO_MAIL_IN_IMAP, if set (one poll at a time)."""
    mailbox: ImapMailbox | None = settings.MAIL_IN_IMAP
    if mailbox is None:
        return
    try:
        with lock_task("mail-in-imap"):
            taken = imap_poll(mailbox)
    except TaskLockedException:
        return
    except (ImapError, imaplib.IMAP4.error, OSError) as error:
        log.warning("fetching mail from %s failed: %s", mailbox.host, error)
        return
    if taken:
        log.info("took in %s messages from %s", taken, mailbox.host)
