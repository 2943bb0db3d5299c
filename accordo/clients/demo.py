"""The demo firm: staff with TOTP, client organisations, memberships (idempotent)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP

from accordo.accounts import services as account_services
from accordo.accounts.models import Invitation, StaffRole, User
from accordo.clients import services
from accordo.clients.models import DEFAULT_LOCKED_FIELDS, Label, Membership, Organisation
from accordo.clients.selectors import firm_get
from accordo.core.context import RequestContext

DEMO_PASSWORD = "accordo-demo"
# Shown in the README so a newcomer can add them to an authenticator app, or use `demo_totp`.
DEMO_TOTP_SECRETS = {
    "beheer@demo.accordo.nl": "JBSWY3DPEHPK3PXPACCORDOADMIN2345",
    "accountant@demo.accordo.nl": "JBSWY3DPEHPK3PXPACCORDOSTAFF2345",
    "assistent@demo.accordo.nl": "JBSWY3DPEHPK3PXPACCORDOASSIST234",
}
FIRM = {
    "name": "Van Dijk & De Boer Accountants",
    "primary_color": "#1d4e89",
    "accent_color": "#f2a541",
    "welcome_text": "Welkom in het klantportaal van Van Dijk & De Boer. Hier vindt u uw dossier, levert u stukken aan "
    "en keurt u aangiften goed.",
    "email_signature": "Met vriendelijke groet,\nVan Dijk & De Boer Accountants\nStationsplein 12, 3511 ED Utrecht\n"
    "030 123 45 67",
    "sender_email": "portaal@demo.accordo.nl",
    "host_name": "portaal.vandijkdeboer.nl",
    "require_client_mfa": False,
    "locked_fields": DEFAULT_LOCKED_FIELDS,
}
STAFF = [
    ("beheer@demo.accordo.nl", "Els van Dijk", StaffRole.ADMIN),
    ("accountant@demo.accordo.nl", "Pieter de Boer", StaffRole.ACCOUNTANT),
    ("assistent@demo.accordo.nl", "Sanne Jansen", StaffRole.ASSISTANT),
]
LABELS = ["MKB", "Horeca", "Particulier", "Startende ondernemer", "België"]
ORGANISATIONS: list[dict[str, Any]] = [
    {
        "name": "Bakkerij De Zon B.V.",
        "legal_form": "bv",
        "kvk_number": "30123456",
        "rsin": "004495445",
        "vat_number": "NL004495445B01",
        "iban": "NL91ABNA0417164300",
        "visit_street": "Oudegracht 101",
        "visit_postcode": "3511 AB",
        "visit_city": "Utrecht",
        "phone": "030 765 43 21",
        "email": "info@bakkerijdezon.nl",
        "website": "https://bakkerijdezon.nl",
        "_labels": ["MKB", "Horeca"],
    },
    {
        "name": "J.P. de Vries",
        "kind": "person",
        "legal_form": "person",
        "bsn": "111222333",
        "iban": "NL20INGB0001234567",
        "visit_street": "Lindelaan 8",
        "visit_postcode": "3581 KH",
        "visit_city": "Utrecht",
        "vat_frequency": "none",
        "_labels": ["Particulier"],
    },
    {
        "name": "Sportvereniging Oostwijk",
        "legal_form": "vereniging",
        "kvk_number": "40987654",
        "visit_street": "Sportlaan 3",
        "visit_postcode": "3584 CS",
        "visit_city": "Utrecht",
        "vat_frequency": "yearly",
    },
    {
        "name": "Brasserie Les Amis BV",
        "legal_form": "be_bv",
        "country": "BE",
        "kbo_number": "0403019261",
        "vat_number": "BE0403019261",
        "iban": "BE71096123456769",
        "visit_street": "Korenmarkt 5",
        "visit_postcode": "9000",
        "visit_city": "Gent",
        "vat_frequency": "monthly",
        "_labels": ["Horeca", "België"],
    },
    {
        "name": "Installatiebedrijf Jansen VOF",
        "legal_form": "vof",
        "kvk_number": "50111222",
        "visit_street": "Industrieweg 14",
        "visit_postcode": "3542 AD",
        "visit_city": "Utrecht",
        "_labels": ["MKB"],
    },
    {
        "name": "Architectenbureau Lijn & Vorm B.V.",
        "legal_form": "bv",
        "kvk_number": "60222333",
        "visit_street": "Keizersgracht 200",
        "visit_postcode": "1016 DZ",
        "visit_city": "Amsterdam",
        "tier": "collaborate",
    },
    {
        "name": "Stichting Groen Dorp",
        "legal_form": "stichting",
        "kvk_number": "70333444",
        "visit_street": "Dorpsstraat 1",
        "visit_postcode": "3732 HJ",
        "visit_city": "De Bilt",
        "tier": "standard",
    },
    {
        "name": "Fietsenmaker Snel",
        "legal_form": "eenmanszaak",
        "kvk_number": "80444555",
        "visit_street": "Twijnstraat 40",
        "visit_postcode": "3511 ZL",
        "visit_city": "Utrecht",
        "_labels": ["Startende ondernemer"],
    },
]
CLIENT = ("klant@demo.accordo.nl", "Jan de Vries")
CLIENT_MEMBERSHIPS = [
    ("Bakkerij De Zon B.V.", "owner"),
    ("J.P. de Vries", "owner"),
    ("Sportvereniging Oostwijk", "viewer"),
]


def seed(*, stdout: Any = None) -> None:
    ctx = RequestContext.system("seed_demo")
    admin = _user(ctx, None, *STAFF[0])
    firm = firm_get()
    if firm.name != FIRM["name"]:
        services.firm_update(actor=admin, ctx=ctx, firm=firm, changes=FIRM)
    staff = [admin, *[_user(ctx, admin, *row) for row in STAFF[1:]]]
    for user in staff:
        _enrol_totp(user)
    labels = {
        name: Label.objects.filter(name=name).first() or services.label_create(actor=admin, ctx=ctx, name=name)
        for name in LABELS
    }
    accountant, assistant = staff[1], staff[2]
    for row in ORGANISATIONS:
        data = dict(row)
        label_names = data.pop("_labels", [])
        existing = Organisation.objects.filter(name=data["name"]).first()
        if existing is not None:
            held = set(existing.assignments.values_list("role", flat=True))
            missing: dict[str, User | None] = {
                role: user for role, user in (("assistant", assistant), ("tax_advisor", admin)) if role not in held
            }
            if missing:  # a demo seeded before the work engine
                services.organisation_update(
                    actor=admin, ctx=ctx, organisation=existing, changes={}, assignments=missing
                )
            continue
        services.organisation_create(
            actor=admin,
            ctx=ctx,
            data=data,
            labels=[labels[n] for n in label_names],
            assignments={
                "accountant": accountant,
                "tax_advisor": admin,
                "assistant": assistant,
            },
        )
    client = User.objects.filter(email=CLIENT[0]).first() or account_services.user_create(
        actor=admin, ctx=ctx, email=CLIENT[0], password=DEMO_PASSWORD, full_name=CLIENT[1]
    )
    for name, role in CLIENT_MEMBERSHIPS:
        organisation = Organisation.objects.get(name=name)
        if not Membership.objects.filter(user=client, organisation=organisation).exists():
            services.membership_add(actor=admin, ctx=ctx, organisation=organisation, user=client, role=role)
    bakery = Organisation.objects.get(name="Bakkerij De Zon B.V.")
    if not Invitation.objects.filter(organisation=bakery, email="medewerker@bakkerijdezon.nl").exists():
        account_services.invitation_create(
            actor=accountant,
            ctx=ctx,
            organisation=bakery,
            email="medewerker@bakkerijdezon.nl",
            role="contributor",
            full_name="Sanne Bakker",
        )
    from accordo.approvals import demo as approvals_demo
    from accordo.deadlines import demo as deadlines_demo
    from accordo.deliveries import demo as deliveries_demo
    from accordo.dossier import demo as dossier_demo  # they read this module's organisations
    from accordo.filings import demo as filings_demo
    from accordo.work import demo_board, demo_workflows

    dossier_demo.seed(admin=admin, accountant=accountant, client=client, ctx=ctx)
    deliveries_demo.seed(admin=admin, accountant=accountant, client=client, ctx=ctx)
    approvals_demo.seed(admin=admin, accountant=accountant, client=client, ctx=ctx)
    filings_demo.seed(admin=admin, accountant=accountant, client=client, ctx=ctx)
    deadlines_demo.seed(admin=admin, ctx=ctx)
    demo_board.seed(admin=admin, accountant=accountant, client=client, ctx=ctx)
    demo_workflows.seed(admin=admin, accountant=accountant, ctx=ctx)
    if stdout is not None:
        stdout.write(f"Demo firm ready: {Organisation.objects.count()} organisations, {User.objects.count()} users")


def _user(ctx: RequestContext, actor: User | None, email: str, full_name: str, role: str) -> User:
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        return existing
    return account_services.user_create(
        actor=actor, ctx=ctx, email=email, password=DEMO_PASSWORD, full_name=full_name, staff_role=role
    )


def _enrol_totp(user: User) -> None:
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        return
    TOTP.activate(user, DEMO_TOTP_SECRETS[user.email])
    RecoveryCodes.activate(user)
