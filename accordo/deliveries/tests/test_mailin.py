import email
import email.policy
import hashlib
import io
import os
import smtplib
import socket
import socketserver
import subprocess
import sys
import threading
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from fpdf import FPDF
from PIL import Image

from accordo import urls as root_urls
from accordo.core.context import RequestContext
from accordo.core.env import Env, ImapMailbox, imap_mailbox
from accordo.core.models import Event
from accordo.deliveries import mailin
from accordo.deliveries.management.commands.mail_in import MailInController
from accordo.deliveries.models import Delivery, QuarantinedMail, Tray
from accordo.deliveries.services import address_of
from accordo.deliveries.services_mail import QuarantineStateError, quarantine_discard, quarantine_release
from accordo.deliveries.tasks_mail import header_recipients, imap_poll, poll_mail_in, return_path
from accordo.dossier.models import Document

# The quarantine pages under test, in front of the site's own URLs (base.html links to them).
urlpatterns = [path("", include("accordo.deliveries.urls_mail")), *root_urls.urlpatterns]
CTX = RequestContext.system("test")


def text_pdf(text: str = "Factuur 2026-001 van Leverancier B.V.") -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, text * 3)
    return bytes(pdf.output())


def png(size: int) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (size, size), os.urandom(size * size * 3)).save(out, "PNG")
    return out.getvalue()


def message(sender, to, *, subject="Facturen maart", attachments=(), body="Zie de bijlage.") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="client.test")
    msg.set_content(body)
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(autouse=True)
def _no_extraction(monkeypatch):
    """Reading the files is the extraction tests' business; here it would only cost time."""
    monkeypatch.setattr("accordo.deliveries.services._enqueue_extract", lambda delivery_id: None)


@pytest.fixture
def trays(db):
    def tray(slug, name, position):
        return Tray.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "archive_pattern": f"Administratie/{{year}}/{name}", "position": position},
        )[0]

    return {
        "inkoop": tray("inkoop", "Inkoop", 1),
        "verkoop": tray("verkoop", "Verkoop", 2),
        "overig": tray("overig", "Overig", 9),
    }


@pytest.fixture
def token(organisation):
    return address_of(organisation).token


@pytest.fixture
def pdf():
    return text_pdf()


@pytest.fixture
def receiver(transactional_db):
    controller = MailInController("127.0.0.1", free_port())
    controller.start()
    yield controller
    controller.stop()


def send(receiver, msg, to, mail_from=None):
    with smtplib.SMTP(receiver.hostname, receiver.port, timeout=30) as smtp:
        return smtp.send_message(msg, from_addr=mail_from, to_addrs=to)


def take_in(msg, to, envelope_from=""):
    return mailin.mail_take_in(bytes(msg), [to], envelope_from)


# --- the SMTP receiver ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_delivers_a_members_pdf_sent_over_smtp_into_the_tray_of_the_address(
    receiver, trays, organisation, client_owner, token, pdf
):
    to = f"{token}+inkoop@in.localhost"
    send(receiver, message("Olga <OWNER@client.test>", to, attachments=[("factuur.pdf", pdf, "application/pdf")]), [to])

    delivery = Delivery.objects.get()
    assert (delivery.organisation, delivery.tray) == (organisation, trays["inkoop"])
    assert delivery.sha256 == hashlib.sha256(pdf).hexdigest()
    assert delivery.file.read() == pdf
    assert (delivery.original_name, delivery.mime, delivery.size) == ("factuur.pdf", "application/pdf", len(pdf))
    assert (delivery.channel, delivery.delivered_by, delivery.email_from) == (
        "email",
        client_owner,
        "owner@client.test",
    )
    assert delivery.email_subject == "Facturen maart"
    assert Event.objects.filter(verb="delivery.received", organisation=organisation, actor=client_owner).count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_quarantines_an_outsiders_mail_over_smtp(receiver, trays, organisation, outsider, token, pdf):
    to = f"{token}@in.localhost"
    msg = message(outsider.email, to, attachments=[("factuur.pdf", pdf, "application/pdf")])
    send(receiver, msg, [to])

    held = QuarantinedMail.objects.get()
    assert (held.organisation, held.tray, held.reason) == (organisation, trays["overig"], "not_member")
    assert (held.sender, held.recipient, held.subject) == (outsider.email, to, "Facturen maart")
    assert held.attachments[0]["name"] == "factuur.pdf"
    assert held.attachments[0]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert b"Facturen maart" in held.message.read()
    assert not Delivery.objects.exists()
    assert not Document.objects.exists()
    event = Event.objects.get(verb="mail.quarantined")
    assert event.organisation == organisation and event.data["reason"] == "not_member"


@pytest.mark.django_db(transaction=True)
def test_it_refuses_unknown_addresses_at_rcpt(receiver, trays, token, client_owner, pdf):
    msg = message(client_owner.email, "x@in.localhost", attachments=[("factuur.pdf", pdf, "application/pdf")])
    for to in ("nobody12345@in.localhost", f"{token}+geenbakje@in.localhost", f"{token}@elders.nl"):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(receiver, msg, [to])
        assert refused.value.recipients[to][0] == 550
    assert not Delivery.objects.exists() and not QuarantinedMail.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_refuses_an_inactive_tray_address_at_rcpt(receiver, trays, token, client_owner):
    Tray.objects.filter(slug="verkoop").update(active=False)
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(receiver, message(client_owner.email, "x@in.localhost"), [f"{token}+verkoop@in.localhost"])


@pytest.mark.django_db(transaction=True)
def test_it_quarantines_when_the_envelope_sender_is_not_the_from_address(receiver, trays, client_owner, token, pdf):
    to = f"{token}@in.localhost"
    msg = message(client_owner.email, to, attachments=[("factuur.pdf", pdf, "application/pdf")])
    send(receiver, msg, [to], mail_from="spoofer@elders.nl")
    assert QuarantinedMail.objects.get().reason == "sender_mismatch"
    assert not Delivery.objects.exists()


def test_it_runs_the_receiver_command_until_stopped(transactional_db, trays, client_owner, token, pdf):
    import asyncio

    from accordo.deliveries.management.commands.mail_in import serve

    port, loop, stop, ready = free_port(), asyncio.new_event_loop(), None, threading.Event()

    def run():
        nonlocal stop
        asyncio.set_event_loop(loop)
        stop = asyncio.Event()
        loop.run_until_complete(serve("127.0.0.1", port, stop, ready.set))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10)
    to = f"{token}+inkoop@in.localhost"
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.send_message(
            message(client_owner.email, to, attachments=[("f.pdf", pdf, "application/pdf")]), to_addrs=[to]
        )
    loop.call_soon_threadsafe(stop.set)
    thread.join(10)
    assert not thread.is_alive()
    assert Delivery.objects.get().tray.slug == "inkoop"


def test_it_will_not_start_the_receiver_without_an_address(settings):
    settings.MAIL_IN_SMTP = None
    with pytest.raises(CommandError, match="ACCORDO_MAIL_IN_SMTP"):
        call_command("mail_in")


# --- routing ----------------------------------------------------------------------------------


def test_it_routes_the_plain_address_to_the_overig_tray_else_the_first_active_tray(trays, client_owner, token, pdf):
    msg = message(client_owner.email, "x", attachments=[("a.pdf", pdf, "application/pdf")])
    [outcome] = take_in(msg, f"{token}@IN.localhost")
    assert outcome.deliveries[0].tray == trays["overig"]

    Tray.objects.filter(slug="overig").update(active=False)
    msg = message(client_owner.email, "x", attachments=[("b.pdf", text_pdf("Bon"), "application/pdf")])
    [outcome] = take_in(msg, f"{token}@in.localhost")
    assert outcome.deliveries[0].tray == trays["inkoop"]


def test_it_quarantines_a_viewers_mail(trays, organisation, client_viewer, token, pdf):
    [outcome] = take_in(
        message(client_viewer.email, "x", attachments=[("a.pdf", pdf, "application/pdf")]), f"{token}@in.localhost"
    )
    assert outcome.quarantined.reason == "may_not_deliver"
    assert not Delivery.objects.exists() and not Document.objects.exists()


def test_it_quarantines_a_blocked_member_and_a_member_of_another_organisation(
    trays, client_owner, other_member, token, pdf
):
    client_owner.is_active = False
    client_owner.save()
    attachments = [("a.pdf", pdf, "application/pdf")]
    [blocked] = take_in(message(client_owner.email, "x", attachments=attachments), f"{token}@in.localhost")
    [other] = take_in(message(other_member.email, "x", attachments=attachments), f"{token}@in.localhost")
    assert (blocked.quarantined.reason, other.quarantined.reason) == ("inactive", "not_member")
    assert not Delivery.objects.exists()


def test_it_quarantines_a_members_mail_without_attachment(trays, client_owner, token):
    [outcome] = take_in(message(client_owner.email, "x", body="Hierbij niets."), f"{token}@in.localhost")
    assert outcome.quarantined.reason == "no_attachment"
    assert outcome.quarantined.attachments == []


def test_it_skips_text_and_small_inline_logos_but_takes_inline_pdfs_and_photos(trays, client_owner, token, pdf):
    msg = message(client_owner.email, "x")
    msg.add_alternative("<p>Zie bijlage <img src='cid:logo'></p>", subtype="html")
    logo, photo = png(8), png(120)
    assert len(logo) < 4096 < len(photo)
    msg.add_attachment(logo, maintype="image", subtype="png", disposition="inline", cid="<logo>")
    msg.add_attachment(photo, maintype="image", subtype="png", disposition="inline", filename="bon.png")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", disposition="inline")
    msg.add_attachment(b"datum;bedrag\n2026-03-01;12,50\n", maintype="text", subtype="csv", filename="bank.csv")

    [outcome] = take_in(msg, f"{token}@in.localhost")
    names = sorted(d.original_name for d in outcome.deliveries)
    assert names == ["attachment-3.pdf", "bank.csv", "bon.png"]
    mimes = {d.original_name: d.mime for d in outcome.deliveries}
    assert (mimes["attachment-3.pdf"], mimes["bon.png"]) == ("application/pdf", "image/png")
    assert mimes["bank.csv"].startswith("text/")


def test_it_refuses_an_attachment_over_the_limit(trays, client_owner, token, pdf, monkeypatch):
    monkeypatch.setattr(mailin, "MAX_FILE_BYTES", 2000)
    big = text_pdf("Jaaroverzicht " * 400)
    assert len(big) > 2000
    msg = message(
        client_owner.email, "x", attachments=[("big.pdf", big, "application/pdf"), ("small.txt", b"ok", "text/plain")]
    )
    [outcome] = take_in(msg, f"{token}@in.localhost")

    held = outcome.quarantined
    assert held.reason == "too_large"
    assert [(a["name"], a["refused"], a["size"]) for a in held.attachments] == [
        ("big.pdf", True, len(big)),
        ("small.txt", False, 2),
    ]
    assert not Delivery.objects.exists()
    assert Event.objects.get(verb="mail.quarantined").data["attachments"][0]["refused"] is True


def test_it_takes_in_the_same_message_only_once(trays, client_owner, outsider, token, pdf):
    member = bytes(message(client_owner.email, "x", attachments=[("a.pdf", pdf, "application/pdf")]))
    stranger = bytes(message(outsider.email, "x", attachments=[("a.pdf", pdf, "application/pdf")]))
    to = [f"{token}@in.localhost"]
    first = mailin.mail_take_in(member, to) + mailin.mail_take_in(stranger, to)
    again = mailin.mail_take_in(member, to) + mailin.mail_take_in(stranger, to)
    assert [o.duplicate for o in first] == [False, False]
    assert [o.duplicate for o in again] == [True, True]
    assert Delivery.objects.count() == 1 and QuarantinedMail.objects.count() == 1


def test_it_delivers_to_each_of_our_addresses_and_ignores_others(trays, organisation, client_owner, token, pdf):
    msg = message(client_owner.email, "x", attachments=[("a.pdf", pdf, "application/pdf")])
    to = [f"{token}+inkoop@in.localhost", f"{token}+verkoop@in.localhost", "boekhouder@kantoor.nl"]
    outcomes = mailin.mail_take_in(bytes(msg), to, client_owner.email)
    assert [o.recipient for o in outcomes] == to[:2]
    assert sorted(Delivery.objects.values_list("tray__slug", flat=True)) == ["inkoop", "verkoop"]


def test_it_decodes_big_base64_and_quoted_printable_attachments_exactly(trays, client_owner, token):
    blob = os.urandom(3 * 1024 * 1024 + 5)
    text = "datum;omschrijving;bedrag\n" + "2026-03-01;Bakkerij Één = goed;12,50\n" * 60000
    msg = message(client_owner.email, "x", attachments=[("blob.bin", blob, "application/octet-stream")])
    msg.add_attachment(text, subtype="csv", cte="quoted-printable", filename="bank.csv")
    raw = bytes(msg)
    oracle = [
        p.get_payload(decode=True)
        for p in email.message_from_bytes(raw, policy=email.policy.default).iter_attachments()
    ]
    assert len(raw) > 2 * mailin.CHUNK_CHARS and len(oracle[1]) > mailin.CHUNK_CHARS

    [outcome] = mailin.mail_take_in(raw, [f"{token}@in.localhost"])
    got = {d.original_name: d.sha256 for d in outcome.deliveries}
    assert got == {"blob.bin": hashlib.sha256(blob).hexdigest(), "bank.csv": hashlib.sha256(oracle[1]).hexdigest()}


def test_it_makes_attachment_names_safe(trays, client_owner, token, pdf):
    msg = message(client_owner.email, "x", attachments=[("../../etc/fac<tuur>\u202efdp.pdf", pdf, "application/pdf")])
    [outcome] = take_in(msg, f"{token}@in.localhost")
    assert outcome.deliveries[0].original_name == "fac_tuur_fdp.pdf"


def test_it_reads_recipients_and_envelope_sender_from_headers(settings):
    raw = (
        b"Return-Path: <Owner@client.test>\r\nDelivered-To: portaal@kantoor.nl\r\n"
        b"Delivered-To: abc+inkoop@in.localhost\r\nTo: abc@in.localhost, iemand@elders.nl\r\n\r\nx"
    )
    assert header_recipients(raw) == ["abc+inkoop@in.localhost"]
    assert header_recipients(b"To: abc@in.localhost\r\nCc: def+verkoop@in.localhost\r\n\r\nx") == [
        "abc@in.localhost",
        "def+verkoop@in.localhost",
    ]
    assert return_path(raw) == "owner@client.test"


# --- release and discard ----------------------------------------------------------------------


@pytest.fixture
def held_mail(trays, outsider, token, pdf):
    photo = png(120)
    msg = message(outsider.email, "x", attachments=[("a.pdf", pdf, "application/pdf"), ("b.png", photo, "image/png")])
    return take_in(msg, f"{token}+inkoop@in.localhost")[0].quarantined


def test_it_releases_a_held_mail_into_deliveries_without_a_deliverer(
    held_mail, accountant, organisation, outsider, pdf
):
    deliveries = quarantine_release(actor=accountant, ctx=CTX, mail=held_mail)

    assert sorted(d.original_name for d in deliveries) == ["a.pdf", "b.png"]
    for delivery in deliveries:
        assert (delivery.organisation, delivery.tray.slug, delivery.delivered_by) == (organisation, "inkoop", None)
        assert (delivery.email_from, delivery.channel) == (outsider.email, "email")
    held_mail.refresh_from_db()
    assert (held_mail.status, held_mail.decided_by) == ("released", accountant)
    event = Event.objects.get(verb="mail.released")
    assert (event.actor, event.organisation) == (accountant, organisation)
    assert len(event.data["deliveries"]) == 2


def test_it_lets_only_the_first_decision_win(held_mail, accountant, firm_admin):
    quarantine_discard(actor=accountant, ctx=CTX, mail=held_mail)
    with pytest.raises(QuarantineStateError):
        quarantine_release(actor=firm_admin, ctx=CTX, mail=QuarantinedMail.objects.get(pk=held_mail.pk))
    with pytest.raises(QuarantineStateError):
        quarantine_discard(actor=firm_admin, ctx=CTX, mail=QuarantinedMail.objects.get(pk=held_mail.pk))
    assert not Delivery.objects.exists()
    assert Event.objects.filter(verb__in=["mail.released", "mail.discarded"]).count() == 1


def test_it_discards_and_keeps_the_evidence(held_mail, accountant):
    quarantine_discard(actor=accountant, ctx=CTX, mail=held_mail)
    held_mail.refresh_from_db()
    assert held_mail.status == "discarded"
    assert held_mail.message.storage.exists(held_mail.message.name)
    assert Event.objects.get(verb="mail.discarded").actor == accountant


def test_it_releases_nothing_and_keeps_holding_when_no_attachment_can_be_delivered(trays, outsider, token, accountant):
    held = take_in(message(outsider.email, "x"), f"{token}@in.localhost")[0].quarantined
    with pytest.raises(ValidationError):
        quarantine_release(actor=accountant, ctx=CTX, mail=held)
    held.refresh_from_db()
    assert held.status == "held" and not Event.objects.filter(verb="mail.released").exists()


def test_it_lets_only_staff_decide(held_mail, client_owner):
    with pytest.raises(PermissionError):
        quarantine_discard(actor=client_owner, ctx=CTX, mail=held_mail)


# --- the staff pages --------------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_it_hides_the_quarantine_from_everyone_but_staff(client, held_mail, outsider, client_owner):
    urls = [
        reverse("mailin:quarantine_list"),
        reverse("mailin:quarantine_detail", args=[held_mail.public_id]),
        reverse("mailin:quarantine_message", args=[held_mail.public_id]),
    ]
    posts = [reverse(f"mailin:quarantine_{verb}", args=[held_mail.public_id]) for verb in ("release", "discard")]
    for user in (outsider, client_owner):
        client.force_login(user)
        assert [client.get(u).status_code for u in urls] == [404, 404, 404]
        assert [client.post(u).status_code for u in posts] == [404, 404]
    client.logout()
    assert client.get(urls[0]).status_code == 302
    held_mail.refresh_from_db()
    assert held_mail.status == "held"


@pytest.mark.urls(__name__)
def test_it_answers_405_to_the_wrong_method_and_404_to_a_missing_mail(client, held_mail, accountant):
    client.force_login(accountant)
    assert client.get(reverse("mailin:quarantine_release", args=[held_mail.public_id])).status_code == 405
    assert client.get(reverse("mailin:quarantine_discard", args=[held_mail.public_id])).status_code == 405
    assert client.post(reverse("mailin:quarantine_list")).status_code == 405
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(reverse("mailin:quarantine_detail", args=[missing])).status_code == 404


@pytest.mark.urls(__name__)
def test_it_shows_staff_the_list_held_first_and_the_detail(client, held_mail, accountant, trays, client_owner, token):
    decided = take_in(message(client_owner.email, "x", subject="Lege mail ZX7"), f"{token}@in.localhost")[0].quarantined
    quarantine_discard(actor=accountant, ctx=CTX, mail=decided)
    client.force_login(accountant)

    page = client.get(reverse("mailin:quarantine_list")).content.decode()
    assert page.index(held_mail.subject) < page.index("Lege mail ZX7")
    detail = client.get(reverse("mailin:quarantine_detail", args=[held_mail.public_id])).content.decode()
    assert "a.pdf" in detail and reverse("mailin:quarantine_release", args=[held_mail.public_id]) in detail

    response = client.get(reverse("mailin:quarantine_message", args=[held_mail.public_id]))
    assert response["Content-Type"] == "message/rfc822"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == held_mail.message.open("rb").read()


@pytest.mark.urls(__name__)
def test_it_releases_and_discards_from_the_detail_page(client, held_mail, accountant, trays, outsider, token):
    client.force_login(accountant)
    response = client.post(reverse("mailin:quarantine_release", args=[held_mail.public_id]))
    assert response.status_code == 302
    assert Delivery.objects.count() == 2
    again = client.post(reverse("mailin:quarantine_release", args=[held_mail.public_id]), follow=True)
    assert Delivery.objects.count() == 2
    assert [m.level_tag for m in again.context["messages"]][-1] == "error"

    other = take_in(message(outsider.email, "x", subject="Spam"), f"{token}@in.localhost")[0].quarantined
    client.post(reverse("mailin:quarantine_discard", args=[other.public_id]))
    other.refresh_from_db()
    assert other.status == "discarded"


@pytest.mark.urls(__name__)
def test_it_lists_the_quarantine_in_constant_queries(client, accountant, trays, outsider, token):
    url = reverse("mailin:quarantine_list")
    client.force_login(accountant)

    def grow(count):
        for n in range(count):
            take_in(message(outsider.email, "x", subject=f"Mail {n} of {count}"), f"{token}@in.localhost")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    grow(2)
    for _ in range(2):  # warm up: session, the firm row and its per-process copy
        client.get(url)
    few = queries()
    grow(13)
    assert queries() == few


# --- IMAP polling -----------------------------------------------------------------------------


class FakeImap(socketserver.ThreadingTCPServer):
    """Just enough IMAP4rev1 for imaplib: LOGIN, SELECT, UID SEARCH/FETCH/STORE, LOGOUT."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, messages):
        self.messages = {uid: {"raw": raw, "flags": set()} for uid, raw in enumerate(messages, start=1)}
        self.commands = []
        super().__init__(("127.0.0.1", 0), _ImapHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self):
        return self.server_address[1]


class _ImapHandler(socketserver.StreamRequestHandler):
    def handle(self):
        server = self.server
        self.wfile.write(b"* OK fake IMAP ready\r\n")
        while line := self.rfile.readline():
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            server.commands.append(f"{command} {args}".strip())
            out = b""
            if command == "CAPABILITY":
                out = b"* CAPABILITY IMAP4rev1\r\n"
            elif command == "LOGIN" and args.replace('"', "").split() != ["portaal", "geheim"]:
                self.wfile.write(f"{tag} NO login failed\r\n".encode())
                continue
            elif command == "SELECT":
                out = f"* {len(server.messages)} EXISTS\r\n".encode()
            elif command == "UID":
                sub, _, uid = args.partition(" ")
                uid = uid.split(" ")[0]
                if sub.upper() == "SEARCH":
                    unseen = [str(u) for u, m in server.messages.items() if "\\Seen" not in m["flags"]]
                    out = ("* SEARCH " + " ".join(unseen)).rstrip().encode() + b"\r\n"
                elif sub.upper() == "FETCH":
                    raw = server.messages[int(uid)]["raw"]
                    out = f"* {uid} FETCH (UID {uid} BODY[] {{{len(raw)}}}\r\n".encode() + raw + b")\r\n"
                elif sub.upper() == "STORE":
                    server.messages[int(uid)]["flags"].add("\\Seen")
                    out = f"* {uid} FETCH (UID {uid} FLAGS (\\Seen))\r\n".encode()
            elif command == "LOGOUT":
                self.wfile.write(f"* BYE\r\n{tag} OK bye\r\n".encode())
                return
            self.wfile.write(out + f"{tag} OK done\r\n".encode())


def imap_message(sender, delivered_to, pdf):
    msg = message(sender, "portaal@kantoor.nl", attachments=[("factuur.pdf", pdf, "application/pdf")])
    return f"Return-Path: <{sender}>\r\nDelivered-To: {delivered_to}\r\n".encode() + msg.as_bytes(
        policy=msg.policy.clone(linesep="\r\n")
    )


@pytest.fixture
def imap(trays, client_owner, outsider, token, pdf, settings):
    server = FakeImap(
        [
            imap_message(client_owner.email, f"{token}+inkoop@in.localhost", pdf),
            imap_message(outsider.email, f"{token}@in.localhost", pdf),
            imap_message(client_owner.email, "onbekend@elders.nl", pdf),
        ]
    )
    settings.MAIL_IN_IMAP = ImapMailbox("127.0.0.1", server.port, "portaal", "geheim", "INBOX", ssl=False)
    yield server
    server.shutdown()
    server.server_close()


def test_it_takes_in_unseen_mail_from_the_mailbox_and_flags_it_seen(imap, organisation, trays):
    poll_mail_in.call_local()

    delivery = Delivery.objects.get()
    assert (delivery.organisation, delivery.tray) == (organisation, trays["inkoop"])
    assert QuarantinedMail.objects.get().reason == "not_member"
    assert all("\\Seen" in m["flags"] for m in imap.messages.values())
    assert not any(
        c.startswith(("UID MOVE", "UID COPY", "EXPUNGE", "UID STORE 1 +FLAGS (\\Deleted")) for c in imap.commands
    )
    assert "UID FETCH 1 (BODY.PEEK[])" in imap.commands


def test_it_skips_mail_it_took_in_before_when_the_flag_was_lost(imap, settings):
    assert imap_poll(settings.MAIL_IN_IMAP) == 3
    for item in imap.messages.values():
        item["flags"].clear()
    assert imap_poll(settings.MAIL_IN_IMAP) == 3
    assert Delivery.objects.count() == 1 and QuarantinedMail.objects.count() == 1


def test_it_leaves_the_mail_unseen_when_taking_it_in_fails(imap, settings, monkeypatch):
    def broken(*args):
        raise RuntimeError("storage down")

    monkeypatch.setattr("accordo.deliveries.tasks_mail.mail_take_in", broken)
    assert imap_poll(settings.MAIL_IN_IMAP) == 0
    assert not any(m["flags"] for m in imap.messages.values())


def test_it_does_not_poll_without_a_mailbox_and_survives_a_wrong_password(imap, settings):
    settings.MAIL_IN_IMAP = None
    poll_mail_in.call_local()
    assert not imap.commands
    settings.MAIL_IN_IMAP = ImapMailbox("127.0.0.1", imap.port, "portaal", "fout", ssl=False)
    poll_mail_in.call_local()
    assert not Delivery.objects.exists()


# --- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["2525", "localhost", "127.0.0.1:", "127.0.0.1:99999", "::1:2525", ":25", "host:smtp"]
)
def test_it_refuses_a_bad_listen_address(value):
    with pytest.raises(ImproperlyConfigured, match="ACCORDO_MAIL_IN_SMTP"):
        Env({"ACCORDO_MAIL_IN_SMTP": value}).host_port("MAIL_IN_SMTP")


def test_it_reads_listen_addresses_and_domains():
    env = Env(
        {"ACCORDO_MAIL_IN_SMTP": "0.0.0.0:25", "ACCORDO_V6": "[::1]:2525", "ACCORDO_MAIL_IN_DOMAIN": "In.Kantoor.NL."}
    )
    assert env.host_port("MAIL_IN_SMTP") == ("0.0.0.0", 25)
    assert env.host_port("V6") == ("::1", 2525)
    assert env.host_port("UNSET") is None
    assert env.domain("MAIL_IN_DOMAIN", "in.localhost") == "in.kantoor.nl"
    assert env.domain("UNSET", "in.localhost") == "in.localhost"


@pytest.mark.parametrize("value", ["in kantoor.nl", "@kantoor.nl", "-in.kantoor.nl", "in..kantoor.nl", ""])
def test_it_refuses_a_bad_domain(value):
    with pytest.raises(ImproperlyConfigured, match="ACCORDO_MAIL_IN_DOMAIN"):
        Env({"ACCORDO_MAIL_IN_DOMAIN": value}).domain("MAIL_IN_DOMAIN", "in.localhost")


def test_it_reads_the_imap_url_and_never_shows_the_password():
    mailbox = imap_mailbox("imaps://portaal%40kantoor.nl:ge%2Fheim@imap.kantoor.nl/Klanten%20post")
    assert mailbox == ImapMailbox("imap.kantoor.nl", 993, "portaal@kantoor.nl", "ge/heim", "Klanten post", ssl=True)
    assert "ge/heim" not in repr(mailbox)
    assert imap_mailbox("imap://u:p@127.0.0.1:1143") == ImapMailbox("127.0.0.1", 1143, "u", "p", "INBOX", ssl=False)
    assert imap_mailbox("") is None


@pytest.mark.parametrize(
    "value",
    ["pop3://u:p@host/INBOX", "imaps://host/INBOX", "imaps://u@host/INBOX", "imaps://u:p@host:abc/", "imaps://u:p@/"],
)
def test_it_refuses_a_bad_imap_url(value):
    with pytest.raises(ImproperlyConfigured, match="ACCORDO_MAIL_IN_IMAP"):
        imap_mailbox(value)


def test_it_stops_the_start_on_a_bad_mail_in_setting(tmp_path):
    env = {**os.environ, "ACCORDO_DATA_DIR": str(tmp_path), "ACCORDO_MAIL_IN_SMTP": "nergens"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ACCORDO_MAIL_IN_SMTP: expected host:port" in result.stderr
