"""The register, a return's page, its forms and the client's page: answers, errors, constant queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accordo.core.models import Event
from accordo.core.pagecache import bypassed
from accordo.deadlines.models import OrganisationDeadline
from accordo.filings.models import Assessment, ReturnStatus, TaxReturn
from accordo.testing.factories import MembershipFactory, OrganisationFactory

D = datetime.date


def make_returns(n: int, organisation=None, year: int = 2025) -> list[TaxReturn]:
    made = []
    for i in range(n):
        org = organisation or OrganisationFactory()
        tax_return = TaxReturn.objects.create(
            organisation=org, type="vpb", period=str(year - i), period_start=D(year - i, 1, 1),
            period_end=D(year - i, 12, 31), status=ReturnStatus.SUBMITTED, amount=Decimal("100.00"),
        )  # fmt: skip
        Assessment.objects.create(
            tax_return=tax_return, kind="final", amount=Decimal("100.00"), dagtekening=D(2026, 3, 1),
            difference=Decimal("0"), outcome="conform", status="approved",
        )  # fmt: skip
        made.append(tax_return)
    return made


def _queries(client, url: str) -> int:
    with bypassed():
        client.get(url)  # warm the per-process caches (firm, session)
    with bypassed(), CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    # The firm's branding is read through a per-process cache that may look twice; not this page's rows.
    return sum(1 for q in queries.captured_queries if "primary_color" not in q["sql"])


def test_the_register_shows_returns_with_their_latest_assessment_and_filters(client, accountant, ib_return):
    other = make_returns(1)[0]
    client.force_login(accountant)
    with bypassed():
        page = client.get(reverse("filings_staff:register")).content.decode()
        assert ib_return.organisation.name in page and other.organisation.name in page
        page = client.get(reverse("filings_staff:register") + "?type=ib").content.decode()
        assert ib_return.organisation.name in page and other.organisation.name not in page
        page = client.get(reverse("filings_staff:register") + "?outcome=none&year=2025").content.decode()
        assert ib_return.organisation.name in page and other.organisation.name not in page
        page = client.get(reverse("filings_staff:register") + f"?organisation={other.organisation.public_id}")
        assert ib_return.organisation.name not in page.content.decode()
        page = client.get(reverse("filings_staff:register") + f"?client={other.organisation.kvk_number}")
        assert ib_return.organisation.name not in page.content.decode()
        assert other.organisation.name in page.content.decode()
        assert client.get(reverse("filings_staff:register") + "?year=abc").status_code == 400


def test_the_register_takes_constant_queries(client, accountant):
    client.force_login(accountant)
    make_returns(2)
    few = _queries(client, reverse("filings_staff:register"))
    make_returns(12, year=2020)
    assert _queries(client, reverse("filings_staff:register")) == few


def test_the_client_page_takes_constant_queries_and_shows_only_their_returns(
    client, client_owner, organisation, other_organisation
):
    client.force_login(client_owner)
    make_returns(1, organisation=organisation)
    hidden = make_returns(1, organisation=other_organisation)[0]
    url = reverse("filings_portal:organisation", args=[organisation.public_id])
    few = _queries(client, url)
    make_returns(8, organisation=organisation, year=2019)
    assert _queries(client, url) == few
    assert hidden.organisation.name not in client.get(url).content.decode()


def test_the_organisation_page_takes_constant_queries(client, accountant, organisation):
    client.force_login(accountant)
    make_returns(1, organisation=organisation)
    url = reverse("filings_staff:organisation", args=[organisation.public_id])
    few = _queries(client, url)
    make_returns(6, organisation=organisation, year=2018)
    assert _queries(client, url) == few


def test_staff_add_a_return_and_a_bad_period_is_a_400(client, accountant, organisation):
    client.force_login(accountant)
    url = reverse("filings_staff:return_create", args=[organisation.public_id])
    response = client.post(url, {"type": "ib", "period": "ooit", "amount": ""})
    assert response.status_code == 400 and "Enter the period" in response.content.decode()
    assert not TaxReturn.objects.exists()
    response = client.post(url, {"type": "ib", "period": "2025", "amount": "1234.50"})
    tax_return = TaxReturn.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "filings_staff:return", args=[tax_return.public_id]
    )
    assert tax_return.amount == Decimal("1234.50")


def test_a_refused_transition_is_a_409_with_a_clear_message(client, accountant, ib_return):
    client.force_login(accountant)
    url = reverse("filings_staff:return_move", args=[ib_return.public_id])
    response = client.post(url, {"status": "in_preparation"})
    assert response.status_code == 409
    assert "cannot become" in response.content.decode()
    assert client.get(url).status_code == 405
    TaxReturn.objects.filter(pk=ib_return.pk).update(status="in_preparation")
    assert client.post(url, {"status": "for_approval"}).status_code == 302
    ib_return.refresh_from_db()
    assert ib_return.status == "for_approval"


def test_staff_record_a_not_conform_assessment_on_the_page(client, accountant, ib_return):
    client.force_login(accountant)
    url = reverse("filings_staff:assessment_create", args=[ib_return.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "final", "number": "", "amount": "abc", "dagtekening": "2026-03-16"})
    assert response.status_code == 400 and not Assessment.objects.exists()
    response = client.post(url, {"kind": "final", "number": "12", "amount": "1500", "dagtekening": "2026-03-16"})
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.outcome == "not_conform" and assessment.entered_by == accountant
    assert OrganisationDeadline.objects.get(kind="objection").due_date == D(2026, 4, 28)
    page = client.get(reverse("filings_staff:return", args=[ib_return.public_id])).content.decode()
    assert "Not conform the return" in page


def test_the_amount_is_edited_and_a_bad_one_is_a_400(client, accountant, ib_return):
    client.force_login(accountant)
    url = reverse("filings_staff:return_edit", args=[ib_return.public_id])
    assert client.post(url, {"amount": "12,3,4"}).status_code == 400
    assert client.post(url, {"amount": "-20.00"}).status_code == 302
    ib_return.refresh_from_db()
    assert ib_return.amount == Decimal("-20.00")


@pytest.mark.parametrize("on", [True, False])
def test_the_progress_page_shows_the_milestones(client, accountant, on, settings):
    from accordo.clients.selectors import firm_get

    firm = firm_get()
    firm.extension_scheme = on
    firm.save()
    make_returns(1, year=2024)
    client.force_login(accountant)
    with bypassed():
        page = client.get(reverse("filings_staff:progress") + "?year=2024").content.decode()
    assert "30 %" in page and "100 %" in page
    assert ("does not take part" in page) != on


def test_a_member_without_portal_sees_nothing(client, organisation):
    organisation.tier = "collaborate"
    organisation.save(update_fields=["tier"])
    member = MembershipFactory(organisation=organisation).user
    client.force_login(member)
    assert client.get(reverse("filings_portal:organisation", args=[organisation.public_id])).status_code == 404
    assert Event.objects.filter(verb__startswith="return.").count() == 0
