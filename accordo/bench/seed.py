"""A large, varied, throw-away dataset for the bench, written with bulk_create in one transaction."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accordo.accounts.models import Invitation, StaffRole, User
from accordo.bench import approvals_seed, dossier_seed
from accordo.clients.models import (
    AssignmentRole,
    Firm,
    Label,
    MemberRole,
    Membership,
    Organisation,
    StaffAssignment,
    Tier,
)
from accordo.core.events import GENESIS_HASH, _canonical, _hashed_fields, event_hash
from accordo.core.models import Event, EventChainHead

STAFF_EMAIL = "bench-staff@bench.test"
CLIENT_EMAIL = "bench-client@bench.test"
COMMON_TERM = "utrecht"
RARE_TERM = "zonnebloem"
FILTER_TIER = Tier.COLLABORATE
FILTER_LABEL = "MKB"
EVENTS = 300
BENCH_ORG_EVENTS = 120

TRADES = [
    "Bakkerij", "Installatiebedrijf", "Garage", "Kapsalon", "Architectenbureau", "Transportbedrijf",
    "Schildersbedrijf", "Adviesbureau", "Café", "Restaurant", "Bouwbedrijf", "Tandartspraktijk",
    "Fysiotherapie", "Bloemenhandel", "Slagerij", "Drukkerij", "Hoveniersbedrijf", "Webdesign",
    "Autorijschool", "Loodgietersbedrijf", "Makelaardij", "Dierenkliniek", "Fietsenmaker", "Brasserie",
]  # fmt: skip
SURNAMES = [
    "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
    "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit",
    "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan",
    "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn", "de Jong", "Willems",
    "Peeters", "Maes", "Claes", "Goossens", "Wouters", "De Smet", "Janssens",
]  # fmt: skip
FIRST_NAMES = ["Anna", "Bram", "Carla", "Daan", "Eva", "Frank", "Greet", "Hans", "Ilse", "Joost", "Kim", "Lars"]
NL_CITIES = ["Utrecht"] * 6 + ["Amsterdam"] * 5 + ["Rotterdam"] * 4 + [
    "Den Haag", "Eindhoven", "Groningen", "Tilburg", "Almere", "Breda", "Nijmegen", "Zwolle", "Amersfoort",
    "Haarlem", "Arnhem", "Leiden", "Maastricht", "Delft", "De Bilt", "Houten",
]  # fmt: skip
BE_CITIES = ["Gent", "Antwerpen", "Brugge", "Leuven", "Mechelen", "Hasselt", "Brussel"]
NL_FORMS = [("bv", " B.V."), ("bv", " B.V."), ("vof", " VOF"), ("eenmanszaak", ""), ("stichting", "")]
BE_FORMS = [("be_bv", " BV"), ("be_nv", " NV"), ("be_vof", " VOF")]
LABELS = [FILTER_LABEL, "Horeca", "Particulier", "Startende ondernemer", "België", "Jaarrekening", "Loonadministratie"]
TIERS = [Tier.COLLABORATE_EXTENDED] * 5 + [Tier.COLLABORATE] * 3 + [Tier.STANDARD] * 2
STAFF = [
    (STAFF_EMAIL, "Bea Bench", StaffRole.ACCOUNTANT),
    ("admin@bench.test", "Els van Dijk", StaffRole.ADMIN),
    ("accountant2@bench.test", "Pieter de Boer", StaffRole.ACCOUNTANT),
    ("tax@bench.test", "Tom Fiscaal", StaffRole.TAX_ADVISOR),
    ("assistant@bench.test", "Sanne Hulp", StaffRole.ASSISTANT),
]


@dataclass
class Dataset:
    """What the measurements need to know about the seeded data."""

    staff: User
    client: User
    organisation: Organisation
    counts: dict[str, int] = field(default_factory=dict)


def _bsn(n: int) -> str:
    """A BSN that passes the eleven-test (persons carry one, stored encrypted like real ones)."""
    while True:
        digits = [int(c) for c in f"{10000000 + n * 7 % 89999999:08d}"]
        check = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)
        n += 1


def _organisation(rng: random.Random, n: int) -> Organisation:
    if n % 10 == 9:  # one in ten is a private person
        first, surname = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        org = Organisation(
            kind=Organisation.Kind.PERSON,
            name=f"{first} {surname}",
            legal_form=Organisation.LegalForm.PERSON,
            vat_frequency=Organisation.VatFrequency.NONE,
            visit_city=rng.choice(NL_CITIES),
            bsn=_bsn(n),
        )
    elif n % 10 == 4:  # and one in ten is Belgian
        form, suffix = rng.choice(BE_FORMS)
        kbo = f"0{400000000 + n:09d}"
        org = Organisation(
            name=f"{rng.choice(TRADES)} {rng.choice(SURNAMES)}{suffix}",
            legal_form=form,
            country=Organisation.Country.BE,
            kbo_number=kbo,
            vat_number=f"BE{kbo}",
            visit_city=rng.choice(BE_CITIES),
            visit_postcode=f"{rng.randint(1000, 9999)}",
        )
    else:
        form, suffix = rng.choice(NL_FORMS)
        org = Organisation(
            name=f"{rng.choice(TRADES)} {rng.choice(SURNAMES)}{suffix}",
            legal_form=form,
            kvk_number=f"{10000000 + n:08d}",
            vat_number=f"NL{100000000 + n:09d}B01",
            visit_city=rng.choice(NL_CITIES),
            visit_postcode=f"{rng.randint(1000, 9999)} {rng.choice('ABCDEFGHJK')}{rng.choice('LMNPRSTVWX')}",
        )
    if n in (17, 4711, 9001):  # the rare search term, on exactly three organisations (when that many)
        org.name = f"Kwekerij {RARE_TERM.title()} {n}"
    org.visit_street = f"{rng.choice(SURNAMES).title()}straat {rng.randint(1, 250)}"
    org.tier = rng.choice(TIERS)
    org.financial_year_end_month = 12 if rng.random() < 0.9 else rng.randint(1, 11)
    org.email = f"info{n}@example.test"
    org.search_text = org.build_search_text()
    return org


def _events(rng: random.Random, orgs: list[Organisation], focus: Organisation, staff: list[User]) -> list[Event]:
    """A valid hash chain of events, many of them on the measured organisation."""
    start = timezone.now() - datetime.timedelta(days=200)
    events: list[Event] = []
    prev = GENESIS_HASH
    for seq in range(1, EVENTS + 1):
        organisation = focus if seq % (EVENTS // BENCH_ORG_EVENTS) == 0 else rng.choice(orgs)
        actor = rng.choice(staff)
        verb, data = rng.choice(
            [
                ("organisation.updated", {"changes": {"visit_city": {"old": "Utrecht", "new": "Houten"}}}),
                ("client.data_changed", {"changes": {"phone": {"old": "", "new": "030 123 45 67"}}}),
                ("invitation.sent", {"email": f"person{seq}@example.test", "role": "viewer"}),
                ("membership.role_changed", {"email": f"person{seq}@example.test", "old": "viewer", "new": "owner"}),
            ]
        )
        event = Event(
            seq=seq,
            created_at=start + datetime.timedelta(minutes=37 * seq),
            verb=verb,
            actor=actor,
            actor_label=actor.email,
            organisation=organisation,
            target_type="clients.organisation",
            target_id=str(organisation.public_id),
            ip=f"192.0.2.{seq % 250 + 1}",
            user_agent="Mozilla/5.0 (bench)",
            mfa_passed=True,
            data=_canonical(data),
            prev_hash=prev,
        )
        event.hash = prev = event_hash(_hashed_fields(event))
        events.append(event)
    return events


@transaction.atomic
def seed(*, organisations: int, approvals: int = approvals_seed.APPROVALS, log: Any = print) -> Dataset:
    """Seed an empty database with ``organisations`` clients and everything around them."""
    from accordo.testing.factories import enrol_totp

    rng = random.Random(20240601)
    password = make_password("bench-password-not-secret")  # hashed once, shared by every user
    Firm.objects.create(name="Bench Accountants", welcome_text="Welkom in het bench-portaal.")
    labels = Label.objects.bulk_create([Label(name=name) for name in LABELS])
    staff = User.objects.bulk_create([User(email=e, full_name=n, staff_role=r, password=password) for e, n, r in STAFF])
    enrol_totp(staff[0])

    orgs = Organisation.objects.bulk_create([_organisation(rng, n) for n in range(organisations)], batch_size=1000)
    log(f"  organisations: {len(orgs)}")

    through = Organisation.labels.through
    links = []
    for org in orgs:
        for label in rng.sample(labels, k=rng.choice([0, 0, 1, 1, 1, 2])):
            links.append(through(organisation_id=org.pk, label_id=label.pk))
    through.objects.bulk_create(links, batch_size=5000)

    accountants = [staff[0], staff[2]]
    assignments = []
    for org in orgs:
        assignments.append(
            StaffAssignment(organisation=org, user=rng.choice(accountants), role=AssignmentRole.ACCOUNTANT)
        )
        if rng.random() < 0.5:
            assignments.append(StaffAssignment(organisation=org, user=staff[3], role=AssignmentRole.TAX_ADVISOR))
        if rng.random() < 0.3:
            assignments.append(StaffAssignment(organisation=org, user=staff[4], role=AssignmentRole.ASSISTANT))
    StaffAssignment.objects.bulk_create(assignments, batch_size=2000)

    # ~1.5 client users per organisation: an owner everywhere, a viewer at every other one.
    users: list[User] = []
    member_orgs: list[tuple[Organisation, MemberRole]] = []
    for i, org in enumerate(orgs):
        for role in [MemberRole.OWNER] if i % 2 else [MemberRole.OWNER, MemberRole.VIEWER]:
            n = len(users)
            users.append(
                User(email=f"client{n}@bench.test", full_name=f"{FIRST_NAMES[n % 12]} Klant {n}", password=password)
            )
            member_orgs.append((org, role))
    client = User(email=CLIENT_EMAIL, full_name="Carla Client", password=password)
    users = User.objects.bulk_create([*users, client], batch_size=2000)
    client = users[-1]
    memberships = [Membership(user=u, organisation=o, role=r) for u, (o, r) in zip(users, member_orgs, strict=False)]
    focus = orgs[len(orgs) // 2]
    mine = [focus, orgs[len(orgs) // 3], orgs[(2 * len(orgs)) // 3]]
    roles = [MemberRole.OWNER, MemberRole.APPROVER, MemberRole.VIEWER]
    memberships += [Membership(user=client, organisation=o, role=r) for o, r in zip(mine, roles, strict=True)]
    Membership.objects.bulk_create(memberships, batch_size=2000)
    # The measured client's organisations give a portal login: only the extended tier has one.
    Organisation.objects.filter(pk__in=[o.pk for o in mine]).update(tier=Tier.COLLABORATE_EXTENDED)
    log(f"  users: {len(users) + len(staff)}, memberships: {len(memberships)}, labels: {len(links)}")

    for i in range(2):
        Invitation.objects.create(
            organisation=focus,
            email=f"invited{i}@example.test",
            role=MemberRole.VIEWER,
            expires_at=timezone.now() + datetime.timedelta(days=14),
            invited_by=staff[0],
        )
    folder = dossier_seed.seed(rng, focus, staff[0])
    log(f"  dossier: {dossier_seed.DOCUMENTS} documents in {folder.name}")
    log(f"  deliveries: {dossier_seed.seed_deliveries(rng, orgs, client)}")
    made = approvals_seed.seed(rng, orgs, staff[:4], count=approvals)
    log(f"  approvals: {made['approvals']}, in the outbox: {made['submissions']}")
    events = Event.objects.bulk_create(_events(rng, orgs, focus, staff), batch_size=500)
    EventChainHead.objects.create(pk=1, last_seq=events[-1].seq, last_hash=events[-1].hash)
    log(f"  events: {len(events)}")
    return Dataset(
        staff=staff[0],
        client=client,
        organisation=focus,
        counts={"organisations": len(orgs), "users": len(users) + len(staff), "events": len(events)},
    )


def dataset_if_seeded(*, organisations: int, approvals: int = approvals_seed.APPROVALS) -> Dataset | None:
    """The existing dataset when the database already holds one of this size (for --reuse)."""
    from accordo.approvals.models import Approval

    staff = User.objects.filter(email=STAFF_EMAIL).first()
    client = User.objects.filter(email=CLIENT_EMAIL).first()
    if staff is None or client is None or Organisation.objects.count() != organisations:
        return None
    if Approval.objects.count() != approvals:
        return None
    membership = Membership.objects.filter(user=client, role=MemberRole.OWNER).select_related("organisation").first()
    if membership is None:
        return None
    return Dataset(staff=staff, client=client, organisation=membership.organisation)
