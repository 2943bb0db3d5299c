"""``manage.py mail_in``: the built-in SMTP receiver of the delivery addresses (``ACCORDO_MAIL_IN_SMTP``).

Unknown addresses are refused at RCPT time (550), so the sending server bounces them and nothing
is stored. Accepted messages are handed to ``mail_take_in`` in a worker thread: the event loop
never waits on the database. Runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from accordo.deliveries.mailin import delivery_target, mail_take_in

log = logging.getLogger("accordo.deliveries.mail_in")
# A 100 MB attachment is about 137 MB once base64-encoded, plus the rest of the message.
DATA_SIZE_LIMIT = 150 * 1024 * 1024
TEMPORARY_FAILURE = "451 4.3.0 Temporary failure, please try again later"
T = TypeVar("T")


async def _in_thread(func: Callable[..., T], *args: Any) -> T:
    """Run Django work in a worker thread with fresh-enough database connections."""

    def run() -> T:
        close_old_connections()
        try:
            return func(*args)
        finally:
            close_old_connections()

    return await asyncio.to_thread(run)


def _known(address: str) -> bool:
    return delivery_target(address) is not None


class MailInHandler:
    """aiosmtpd handler: refuse unknown recipients, take in the rest."""

    async def handle_RCPT(  # noqa: N802 (aiosmtpd API)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        try:
            known = await _in_thread(_known, address)
        except Exception:
            log.exception("looking up %s failed", address)
            return TEMPORARY_FAILURE
        if not known:
            return "550 5.1.1 No such delivery address"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content or b""
        try:
            outcomes = await _in_thread(mail_take_in, raw, list(envelope.rcpt_tos), envelope.mail_from or "")
        except Exception:
            log.exception("taking in mail from %s failed", envelope.mail_from)
            return TEMPORARY_FAILURE
        for outcome in outcomes:
            what = "quarantined" if outcome.quarantined else f"{len(outcome.deliveries)} deliveries"
            log.info("mail from %s to %s: %s", envelope.mail_from, outcome.recipient, what)
        return "250 2.0.0 OK"


def smtp_server(handler: MailInHandler) -> SMTP:
    """The SMTP protocol instance for one connection, with the size limit and our host name."""
    return SMTP(
        handler,
        data_size_limit=DATA_SIZE_LIMIT,
        hostname=settings.MAIL_IN_DOMAIN,
        ident="Accordo mail-in",
        enable_SMTPUTF8=True,
    )


class MailInController(Controller):
    """The receiver in a background thread (tests): the same protocol settings as the command."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(MailInHandler(), hostname=host, port=port)

    def factory(self) -> SMTP:
        return smtp_server(self.handler)


async def serve(host: str, port: int, stop: asyncio.Event, ready: Callable[[], None] | None = None) -> None:
    """Listen on ``host:port`` until ``stop`` is set (SIGINT/SIGTERM set it in the main thread)."""
    loop = asyncio.get_running_loop()
    handler = MailInHandler()
    server = await loop.create_server(lambda: smtp_server(handler), host, port)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    if ready is not None:
        ready()
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()


class Command(BaseCommand):
    help = "Receive mail for the delivery addresses over SMTP on ACCORDO_MAIL_IN_SMTP until stopped."

    def handle(self, *args: Any, **options: Any) -> None:
        listen = settings.MAIL_IN_SMTP
        if listen is None:
            raise CommandError("ACCORDO_MAIL_IN_SMTP is not set: give the address to listen on, e.g. 127.0.0.1:2525")
        host, port = listen
        if options["verbosity"] < 2:  # aiosmtpd logs every SMTP command at INFO
            logging.getLogger("mail.log").setLevel(logging.WARNING)

        def ready() -> None:
            self.stdout.write(f"Receiving mail for *@{settings.MAIL_IN_DOMAIN} on {host}:{port}; Ctrl-C stops.")
            self.stdout.flush()

        try:
            asyncio.run(serve(host, port, asyncio.Event(), ready))
        except OSError as exc:
            raise CommandError(f"ACCORDO_MAIL_IN_SMTP: cannot listen on {host}:{port}: {exc.strerror}") from exc
        self.stdout.write("Mail receiver stopped.")
