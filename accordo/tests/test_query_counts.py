"""Constant queries (STYLE.md rule 6): a page costs as many queries with 5x the rows as with 1x."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accordo.accounts import services as account_services
from accordo.core import pagecache
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.testing.factories import (
    AssignmentFactory,
    LabelFactory,
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    UserFactory,
)

CTX = RequestContext(ip="192.0.2.1")


def _queries(client, url: str, data: dict | None = None) -> int:
    # Rendered afresh: the factories write without events, so a kept page would not change.
    with pagecache.bypassed(), CaptureQueriesContext(connection) as captured:
        response = client.get(url, data)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def _assert_flat(client, url: str, grow, data: dict | None = None, *, small: int, large: int) -> None:
    """Measure ``url`` with ``small`` rows, grow to ``large`` rows, measure again: equal counts."""
    grow(small)
    for _ in range(2):  # warm up: session, the firm row and its per-process copy
        with pagecache.bypassed():
            client.get(url, data)
    few = _queries(client, url, data)
    grow(large - small)
    many = _queries(client, url, data)
    assert few == many, f"{url}: {few} queries with {small} rows, {many} with {large}"


def _organisations_with_labels_and_staff(count: int) -> None:
    shared = LabelFactory(name="Iedereen")
    for _ in range(count):
        organisation = OrganisationFactory()
        organisation.labels.add(shared, LabelFactory())
        AssignmentFactory(organisation=organisation, role="accountant")
        AssignmentFactory(organisation=organisation, role="tax_advisor")


def test_it_lists_organisations_in_constant_queries(client, accountant):
    client.force_login(accountant)
    _assert_flat(client, reverse("staff:organisation_list"), _organisations_with_labels_and_staff, small=8, large=40)


def test_it_searches_organisations_in_constant_queries(client, accountant):
    client.force_login(accountant)
    url = reverse("staff:organisation_list")
    _assert_flat(client, url, _organisations_with_labels_and_staff, {"q": "organisatie"}, small=8, large=40)


def test_it_filters_organisations_in_constant_queries(client, accountant):
    client.force_login(accountant)
    label = LabelFactory(name="Filter")

    def grow(count: int) -> None:
        for _ in range(count):
            organisation = OrganisationFactory(tier="standard")
            organisation.labels.add(label, LabelFactory())
            AssignmentFactory(organisation=organisation, user=accountant, role="accountant")
            AssignmentFactory(organisation=organisation, role="assistant")

    query = {"label": str(label.public_id), "tier": "standard", "assignee": str(accountant.public_id)}
    _assert_flat(client, reverse("staff:organisation_list"), grow, query, small=8, large=40)


def test_it_shows_the_client_home_in_constant_queries(client, db):
    person = UserFactory(email="many@client.test")
    client.force_login(person)

    def grow(count: int) -> None:
        for _ in range(count):
            MembershipFactory(user=person, organisation=OrganisationFactory(), role="viewer")

    _assert_flat(client, reverse("portal:home"), grow, small=3, large=30)


def test_it_shows_the_organisation_switcher_in_constant_queries(client, client_owner, organisation):
    client.force_login(client_owner)

    def grow(count: int) -> None:
        for _ in range(count):
            MembershipFactory(user=client_owner, organisation=OrganisationFactory(), role="approver")

    url = reverse("portal:company_data", args=[organisation.public_id])
    _assert_flat(client, url, grow, small=3, large=30)


def test_it_shows_the_timeline_in_constant_queries(client, accountant, organisation):
    client.force_login(accountant)

    def grow(count: int) -> None:
        with transaction.atomic():
            for n in range(count):
                actor = StaffFactory() if n % 2 else UserFactory()
                data = {"changes": {"phone": {"old": str(n), "new": str(n + 1)}}, "email": actor.email}
                event_record(
                    actor=actor,
                    ctx=CTX,
                    verb="organisation.updated",
                    target=organisation,
                    organisation=organisation,
                    data=data,
                )

    url = reverse("staff:organisation_timeline", args=[organisation.public_id])
    _assert_flat(client, url, grow, small=10, large=100)


def test_it_shows_staff_home_in_constant_queries(client, accountant):
    client.force_login(accountant)

    def grow(count: int) -> None:
        with transaction.atomic():
            for _ in range(count):
                organisation = OrganisationFactory()
                AssignmentFactory(organisation=organisation, user=accountant, role="accountant")
                event_record(
                    actor=StaffFactory(),
                    ctx=CTX,
                    verb="organisation.created",
                    target=organisation,
                    organisation=organisation,
                )

    _assert_flat(client, reverse("staff:home"), grow, small=4, large=20)


@pytest.mark.parametrize("name", ["staff:organisation_detail", "staff:organisation_edit"])
def test_it_shows_an_organisation_to_staff_in_constant_queries(client, accountant, organisation, name):
    client.force_login(accountant)
    AssignmentFactory(organisation=organisation, user=accountant, role="accountant")
    AssignmentFactory(organisation=organisation, role="assistant")

    def grow(count: int) -> None:
        for n in range(count):
            StaffFactory()  # one more person in every "assigned staff" dropdown
            MembershipFactory(organisation=organisation, role="viewer")
            organisation.labels.add(LabelFactory())
            account_services.invitation_create(
                actor=StaffFactory(),
                ctx=CTX,
                organisation=organisation,
                email=f"invitee{organisation.invitations.count()}-{n}@client.test",
                role="viewer",
            )

    _assert_flat(client, reverse(name, args=[organisation.public_id]), grow, small=4, large=20)


def _approvals(accountant, organisation=None):
    """A grower of approvals at fresh (or the given) organisations, each with two deciders, some decided."""
    import hashlib

    from django.core.files.base import ContentFile

    from accordo.approvals import services as approval_services
    from accordo.approvals.services import OfferedFile

    def grow(count: int) -> None:
        for n in range(count):
            org = organisation or OrganisationFactory()
            if organisation is None:
                AssignmentFactory(organisation=org, user=accountant, role="accountant")
            deciders = [MembershipFactory(organisation=org, role="owner").user for _ in range(2)]
            data = f"%PDF-1.4 {org.pk}-{n}".encode()
            file = OfferedFile(ContentFile(data, name="a.pdf"), "a.pdf", len(data), "application/pdf",
                               hashlib.sha256(data).hexdigest())  # fmt: skip
            approval = approval_services.approval_offer(
                actor=accountant, ctx=CTX, organisation=org, type="vpb", period="2025", title=f"Aangifte {n}",
                documents=[file], deciders=deciders, rule="all",
            )  # fmt: skip
            if n % 2:
                approval_services.approval_decide(
                    actor=deciders[0], ctx=CTX, approval=approval, approve=True, statement=approval.statement
                )

    return grow


@pytest.mark.parametrize("query", [{}, {"status": "offered", "due": "", "type": "vpb"}, {"assignee": "ME"}])
def test_it_shows_the_approvals_overview_in_constant_queries(client, accountant, query):
    client.force_login(accountant)
    query = {k: str(accountant.public_id) if v == "ME" else v for k, v in query.items()}
    _assert_flat(client, reverse("approvals_staff:overview"), _approvals(accountant), query, small=3, large=15)


def test_it_exports_approvals_in_constant_queries(client, accountant):
    client.force_login(accountant)
    url = reverse("approvals_staff:export")

    def exported() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            lines = b"".join(response.streaming_content).count(b"\n")
        assert response.status_code == 200
        return len(captured.captured_queries), lines

    grow = _approvals(accountant)
    grow(3)
    exported()  # warm up
    few, few_lines = exported()
    grow(12)
    many, many_lines = exported()
    assert (few_lines, many_lines) == (4, 16)
    assert few == many, f"{few} queries with 3 approvals, {many} with 15"


def test_it_shows_one_approval_in_constant_queries(client, accountant, organisation):
    from accordo.approvals.models import Approval

    client.force_login(accountant)
    _approvals(accountant, organisation)(1)
    approval = Approval.objects.get()

    def grow(count: int) -> None:
        from accordo.approvals import services as approval_services

        for _ in range(count):
            approval_services.approval_remind(actor=accountant, ctx=CTX, approval=approval)

    url = reverse("approvals_staff:approval", args=[approval.public_id])
    _assert_flat(client, url, grow, small=2, large=12)


def test_it_shows_the_outbox_in_constant_queries(client, accountant):
    client.force_login(accountant)
    _assert_flat(client, reverse("approvals_staff:outbox"), _approvals(accountant), small=4, large=16)


def _calendar_years(organisation):
    """A grower of deadlines: each step generates one more (earlier) year of the organisation's calendar."""
    from accordo.deadlines.services import calendar_generate

    years = [2030]

    def grow(count: int) -> None:
        for _ in range(count):
            years.append(years[-1] - 1)
            calendar_generate(actor=None, ctx=CTX, organisation=organisation, years=years[-1:])

    return grow


@pytest.mark.parametrize("who", ["accountant", "client_owner"])
def test_it_shows_an_organisation_calendar_in_constant_queries(client, request, organisation, who):
    from accordo.deadlines.services import calendar_generate

    client.force_login(request.getfixturevalue(who))
    calendar_generate(actor=None, ctx=CTX, organisation=organisation)
    name = "deadlines:staff_calendar" if who == "accountant" else "deadlines:client_calendar"
    url = reverse(name, args=[organisation.public_id])
    _assert_flat(client, url, _calendar_years(organisation), small=1, large=6)


@pytest.mark.parametrize("who", ["accountant", "client_owner"])
def test_it_serves_the_calendar_feed_in_constant_queries(client, request, who):
    from accordo.deadlines.selectors import feed_token
    from accordo.deadlines.services import calendar_feed_create, calendar_generate

    user = request.getfixturevalue(who)
    feed = calendar_feed_create(actor=user, ctx=CTX)

    def grow(count: int) -> None:
        for _ in range(count):
            organisation = OrganisationFactory()
            if user.is_firm_staff:
                AssignmentFactory(organisation=organisation, user=user, role="accountant")
            else:
                MembershipFactory(organisation=organisation, user=user, role="viewer")
            calendar_generate(actor=None, ctx=CTX, organisation=organisation)

    _assert_flat(client, reverse("deadlines:feed", args=[feed.public_id, feed_token(feed)]), grow, small=2, large=10)
