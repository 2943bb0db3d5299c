"""The demo approvals (idempotent): every state, through the same services the pages use.

- waiting for klant@demo.accordo.nl: the income-tax return of J.P. de Vries and the annual accounts
  of Bakkerij De Zon;
- approved with its certificate filed in ``Aangiften/2024`` and the return ready in the outbox;
  a VAT return approved, submitted and accepted;
- rejected with a reason;
- Architectenbureau Lijn & Vorm (Collaborate tier, no portal): one return approved through a
  temporary link with an e-mailed code, and annual accounts waiting behind a fresh link.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from accordo.accounts import services as account_services
from accordo.accounts.models import User
from accordo.approvals import filing, links, outbox, services
from accordo.approvals.models import Approval, Submission
from accordo.approvals.services import OfferedFile
from accordo.clients import services as client_services
from accordo.clients.models import Membership, Organisation
from accordo.core.context import RequestContext
from accordo.dossier.demo import BAKERY, PERSON, Block, money, text_pdf

ARCHITECT = "Architectenbureau Lijn & Vorm B.V."
ARCHITECT_CONTACT = ("directie@lijnenvorm.nl", "Eva Lijn")
CLIENT_CTX = RequestContext(
    ip="198.51.100.23",
    user_agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15",
    mfa_passed=True,
    source="web",
)


def _pdf(name: str, title: str, rows: list[tuple[str, float]], note: str) -> OfferedFile:
    blocks: list[Block] = [("p", note), ("h", "Overzicht")]
    blocks += [("r", label, money(amount)) for label, amount in rows]
    data = text_pdf(title, blocks)
    sha256 = hashlib.sha256(data).hexdigest()
    return OfferedFile(ContentFile(data, name=name), name, len(data), "application/pdf", sha256)


def _offer(
    organisation: Organisation,
    accountant: User,
    deciders: list[User],
    *,
    type: str,
    period: str,
    title: str,
    amount: str | None,
    files: list[OfferedFile],
    due_in_days: int,
    ctx: RequestContext,
    notes: str = "",
    mode: str = Approval.Mode.APPROVE,
) -> tuple[Approval, bool]:
    """The demo approval with this title, offered when it is not there yet (True when new)."""
    existing = Approval.objects.filter(organisation=organisation, title=title).first()
    if existing is not None:
        return existing, False
    approval = services.approval_offer(
        actor=accountant,
        ctx=ctx,
        organisation=organisation,
        type=type,
        period=period,
        title=title,
        documents=files,
        deciders=deciders,
        mode=mode,
        amount=Decimal(amount) if amount is not None else None,
        notes=notes,
        due_date=timezone.localdate() + datetime.timedelta(days=due_in_days),
    )
    return approval, True


def _view_and_decide(approval: Approval, client: User, *, approve: bool, reason: str = "") -> None:
    services.approval_opened(actor=client, ctx=CLIENT_CTX, approval=approval)
    for document in approval.documents.all():
        services.approval_document_viewed(actor=client, ctx=CLIENT_CTX, document=document)
    services.approval_decide(
        actor=client, ctx=CLIENT_CTX, approval=approval, approve=approve, statement=approval.statement, reason=reason
    )


def seed(*, admin: User, accountant: User, client: User, ctx: RequestContext) -> None:
    bakery = Organisation.objects.get(name=BAKERY)
    person = Organisation.objects.get(name=PERSON)

    # Waiting for klant@demo.accordo.nl.
    _offer(
        person, accountant, [client], type="ib", period="2025", title="Aangifte inkomstenbelasting 2025",
        amount="1234.00", due_in_days=12, ctx=ctx,
        notes="Inclusief de hypotheekrente en de giften. Graag voor de vervaldatum akkoord geven.",
        files=[_pdf("Aangifte IB 2025.pdf", "Aangifte inkomstenbelasting 2025",
                    [("Box 1: inkomen uit werk en woning", 64_210), ("Box 3: sparen en beleggen", 1_820),
                     ("Te betalen", 1_234)], f"{PERSON}, aangifte inkomstenbelasting over 2025.")],
    )  # fmt: skip
    _offer(
        bakery, accountant, [client], type="annual_accounts", period="2025", title="Jaarrekening 2025",
        amount=None, due_in_days=20, ctx=ctx, notes="De jaarrekening zoals besproken op 3 november.",
        files=[_pdf("Jaarrekening 2025.pdf", "Jaarrekening 2025",
                    [("Netto-omzet", 1_284_300), ("Bedrijfsresultaat", 96_410), ("Eigen vermogen", 412_870)],
                    f"{BAKERY}, jaarrekening over het boekjaar 2025."),
               _pdf("Accountantsrapport 2025.pdf", "Samenstellingsverklaring 2025",
                    [("Balanstotaal", 688_120)], "Samenstellingsverklaring van de accountant.")],
    )  # fmt: skip

    # Approved, filed with its certificate, ready in the outbox.
    vpb, new = _offer(
        bakery, accountant, [client], type="vpb", period="2024", title="Aangifte vennootschapsbelasting 2024",
        amount="18642.00", due_in_days=-40, ctx=ctx,
        files=[_pdf("Aangifte VPB 2024.pdf", "Aangifte vennootschapsbelasting 2024",
                    [("Belastbaar bedrag", 101_820), ("Verschuldigde VPB", 18_642)],
                    f"{BAKERY}, aangifte vennootschapsbelasting over 2024.")],
    )  # fmt: skip
    if new:
        _view_and_decide(vpb, client, approve=True)
    filing.approval_file(vpb)

    # A VAT return approved, submitted and accepted by the tax office.
    ob, new = _offer(
        bakery, accountant, [client], type="ob", period="2026-Q2", title="Aangifte omzetbelasting 2e kwartaal 2026",
        amount="7310.00", due_in_days=-100, ctx=ctx,
        files=[_pdf("Aangifte OB 2026 Q2.pdf", "Aangifte omzetbelasting Q2 2026",
                    [("Omzet hoog tarief", 21_400), ("Omzet laag tarief", 268_300), ("Voorbelasting", -19_880),
                     ("Te betalen", 7_310)], f"{BAKERY}, aangifte omzetbelasting april-juni 2026.")],
    )  # fmt: skip
    if new:
        _view_and_decide(ob, client, approve=True)
        submission = Submission.objects.get(approval=ob)
        submission = outbox.submission_advance(
            actor=accountant, ctx=ctx, submission=submission, status="submitted", reference="OB-2026-Q2-000481"
        )
        outbox.submission_advance(actor=accountant, ctx=ctx, submission=submission, status="accepted")
    filing.approval_file(ob)

    # Rejected with a reason.
    rejected, new = _offer(
        bakery, accountant, [client], type="ob", period="2026-Q3", title="Aangifte omzetbelasting 3e kwartaal 2026",
        amount="6980.00", due_in_days=-5, ctx=ctx,
        files=[_pdf("Aangifte OB 2026 Q3.pdf", "Aangifte omzetbelasting Q3 2026",
                    [("Omzet laag tarief", 281_950), ("Voorbelasting", -18_420), ("Te betalen", 6_980)],
                    f"{BAKERY}, aangifte omzetbelasting juli-september 2026.")],
    )  # fmt: skip
    if new:
        _view_and_decide(
            rejected, client, approve=False,
            reason="De nieuwe oven (factuur van 12 augustus) staat er niet in; de voorbelasting daarvan mist.",
        )  # fmt: skip

    _seed_links(accountant=accountant, admin=admin, ctx=ctx)


def _seed_links(*, accountant: User, admin: User, ctx: RequestContext) -> None:
    """Lijn & Vorm works without a portal: its director decides through temporary links."""
    architect = Organisation.objects.get(name=ARCHITECT)
    email, name = ARCHITECT_CONTACT
    contact = User.objects.filter(email=email).first()
    if contact is None:
        contact = account_services.user_create(actor=admin, ctx=ctx, email=email, password=None, full_name=name)
    if not Membership.objects.filter(user=contact, organisation=architect).exists():
        client_services.membership_add(actor=admin, ctx=ctx, organisation=architect, user=contact, role="owner")
    approved, new = _offer(
        architect, accountant, [contact], type="vpb", period="2025", title="Aangifte vennootschapsbelasting 2025",
        amount="9120.00", due_in_days=-2, ctx=ctx,
        files=[_pdf("Aangifte VPB 2025.pdf", "Aangifte vennootschapsbelasting 2025",
                    [("Belastbaar bedrag", 52_300), ("Verschuldigde VPB", 9_120)],
                    f"{ARCHITECT}, aangifte vennootschapsbelasting over 2025.")],
    )  # fmt: skip
    if new:
        link = links.link_create(
            actor=accountant, ctx=ctx, organisation=architect, recipient=contact, approval=approved
        )
        link_ctx = dataclasses.replace(CLIENT_CTX, ip="203.0.113.40", mfa_passed=False)
        links.link_opened(ctx=link_ctx, link=link)
        for document in approved.documents.all():
            links.link_document_viewed(ctx=link_ctx, link=link, document=document)
        code = links.link_code_send(ctx=link_ctx, link=link)
        links.link_decide(
            ctx=link_ctx, link=link, code=links.link_code_value(code), approve=True, statement=approved.statement
        )
    filing.approval_file(approved)
    _offer(
        architect, accountant, [contact], type="annual_accounts", period="2025", title="Jaarrekening 2025",
        amount=None, due_in_days=25, ctx=ctx,
        files=[_pdf("Jaarrekening 2025.pdf", "Jaarrekening 2025",
                    [("Netto-omzet", 612_000), ("Resultaat na belasting", 48_900)],
                    f"{ARCHITECT}, jaarrekening over 2025.")],
    )  # fmt: skip
