"""Client pages: own organisations only, the switcher, company data and its editing by the client."""

import pytest
from django.urls import reverse

from accordo.clients.forms import CLIENT_FIELDS
from accordo.clients.models import Organisation
from accordo.clients.selectors import firm_get
from accordo.core.models import Event
from accordo.testing.factories import MembershipFactory, OrganisationFactory

BSN = "111222333"


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["accordo_language"] = "en"


@pytest.fixture
def as_owner(client, client_owner):
    client.force_login(client_owner)
    return client


@pytest.fixture
def locked():
    firm = firm_get()
    firm.locked_fields = ["name", "kvk_number"]
    firm.save()
    return firm


def _url(name, organisation):
    return reverse(f"portal:{name}", args=[organisation.public_id])


def _data(organisation, **overrides):
    """What the edit form posts: every client field with its current value."""
    data = {name: getattr(organisation, name) or "" for name in CLIENT_FIELDS if name != "bsn"}
    data["bsn"] = ""
    data.update(overrides)
    return data


def test_it_lists_only_the_users_own_organisations(as_owner, organisation, other_organisation):
    response = as_owner.get(reverse("portal:home"))
    assert response.status_code == 200
    assert [m.public_id for m in response.context["memberships"]] == [str(organisation.public_id)]
    body = response.content.decode()
    assert organisation.name in body
    assert other_organisation.name not in body


def test_it_tells_a_user_without_organisations_that_there_are_none(client, outsider, organisation):
    client.force_login(outsider)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert response.context["memberships"] == []
    assert organisation.name not in response.content.decode()


def test_it_switches_between_all_memberships(as_owner, client_owner, organisation):
    second = OrganisationFactory(name="Tweede Zaak V.O.F.")
    MembershipFactory(user=client_owner, organisation=second, role="viewer")
    OrganisationFactory(name="Niet De Mijne B.V.")
    response = as_owner.get(_url("organisation_home", second))
    assert response.status_code == 200
    body = response.content.decode()
    assert _url("organisation_home", organisation) in body
    assert f'href="{_url("organisation_home", second)}" aria-current="page"' in body
    assert "Niet De Mijne" not in body
    assert [m.organisation.name for m in response.context["memberships"]] == [
        "Bakkerij Test B.V.",
        "Tweede Zaak V.O.F.",
    ]


def test_it_shows_the_company_data(as_owner, organisation):
    Organisation.objects.filter(pk=organisation.pk).update(iban="NL91ABNA0417164300", phone="030 123 4567")
    response = as_owner.get(_url("company_data", organisation))
    assert response.status_code == 200
    body = response.content.decode()
    for value in ("Bakkerij Test B.V.", organisation.kvk_number, "NL91ABNA0417164300", "030 123 4567", "3511 AB"):
        assert value in body
    assert _url("company_edit", organisation) in body


def test_it_shows_a_persons_bsn_masked_only(client, organisation):
    person = OrganisationFactory(name="Jan Jansen", kind="person", legal_form="person")
    Organisation.objects.filter(pk=person.pk).update(bsn=BSN)
    owner = MembershipFactory(organisation=person, role="owner").user
    client.force_login(owner)
    for name in ("company_data", "company_edit"):
        body = client.get(_url(name, person)).content.decode()
        assert BSN not in body
    assert "••••••333" in client.get(_url("company_data", person)).content.decode()


def test_it_lets_a_person_keep_or_change_the_bsn_without_revealing_it(client, db):
    person = OrganisationFactory(name="Jan Jansen", kind="person", legal_form="person", kvk_number="")
    Organisation.objects.filter(pk=person.pk).update(bsn=BSN)
    person.refresh_from_db()
    client.force_login(MembershipFactory(organisation=person, role="owner").user)
    url = _url("company_edit", person)
    assert client.post(url, _data(person, phone="0301234567")).status_code == 302
    person.refresh_from_db()
    assert person.bsn == BSN
    assert client.post(url, _data(person, bsn="123456782")).status_code == 302
    person.refresh_from_db()
    assert person.bsn == "123456782"
    [event] = Event.objects.filter(verb="client.data_changed", data__changes__has_key="bsn")
    assert event.data["changes"]["bsn"] == {"old": "••••••333", "new": "••••••782"}


def test_it_applies_an_owners_edit_at_once_and_records_it(as_owner, client_owner, organisation):
    url = _url("company_edit", organisation)
    assert as_owner.get(url).status_code == 200
    data = _data(organisation, trade_name="Bakker Bart", visit_postcode="3512cd", iban="nl91 abna 0417 1643 00")
    response = as_owner.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == _url("company_data", organisation)
    organisation.refresh_from_db()
    assert (organisation.trade_name, organisation.visit_postcode) == ("Bakker Bart", "3512 CD")
    assert organisation.iban == "NL91ABNA0417164300"
    event = Event.objects.get(verb="client.data_changed")
    assert event.actor == client_owner
    assert event.organisation == organisation
    assert event.data["changes"] == {
        "trade_name": {"old": "", "new": "Bakker Bart"},
        "visit_postcode": {"old": "3511 AB", "new": "3512 CD"},
        "iban": {"old": "", "new": "NL91ABNA0417164300"},
    }
    assert not Event.objects.filter(verb="organisation.updated").exists()


def test_it_lets_an_approver_edit_too(client, organisation):
    approver = MembershipFactory(organisation=organisation, role="approver").user
    client.force_login(approver)
    response = client.post(_url("company_edit", organisation), _data(organisation, phone="0301234567"))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.phone == "0301234567"


def test_it_records_nothing_when_nothing_changed(as_owner, organisation):
    response = as_owner.post(_url("company_edit", organisation), _data(organisation))
    assert response.status_code == 302
    assert not Event.objects.exists()


def test_it_shows_locked_fields_read_only(as_owner, organisation, locked):
    response = as_owner.get(_url("company_edit", organisation))
    body = response.content.decode()
    assert response.status_code == 200
    assert "name" not in response.context["form"].fields
    assert "kvk_number" not in response.context["form"].fields
    assert 'name="name"' not in body and 'name="kvk_number"' not in body
    assert "Only the firm can change these" in body
    assert organisation.name in body and organisation.kvk_number in body
    assert 'name="trade_name"' in body


def test_it_ignores_a_posted_value_for_a_locked_field(as_owner, organisation, locked):
    old_kvk = organisation.kvk_number
    data = _data(organisation, name="Gekaapt B.V.", kvk_number="87654321", phone="0301234567")
    response = as_owner.post(_url("company_edit", organisation), data)
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.kvk_number) == ("Bakkerij Test B.V.", old_kvk)
    assert organisation.phone == "0301234567"
    event = Event.objects.get(verb="client.data_changed")
    assert set(event.data["changes"]) == {"phone"}


def test_it_hides_the_edit_page_from_a_viewer(client, client_viewer, organisation):
    client.force_login(client_viewer)
    url = _url("company_edit", organisation)
    assert client.get(url).status_code == 404
    assert client.post(url, _data(organisation, name="Door Kijker")).status_code == 404
    organisation.refresh_from_db()
    assert organisation.name == "Bakkerij Test B.V."
    response = client.get(_url("company_data", organisation))
    assert response.status_code == 200
    assert url not in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("iban", "NL91ABNA0417164301", "valid IBAN"),
        ("visit_postcode", "12345", "Dutch postcode"),
        ("postal_postcode", "AB 1234", "Dutch postcode"),
        ("kvk_number", "123", "8 digits"),
        ("vat_number", "NL123456789B01", "Dutch VAT number"),
        ("email", "not-an-address", "valid email"),
        ("phone", "<script>", "phone number"),
        ("name", "", "required"),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(as_owner, organisation, field, value, message):
    data = _data(organisation, trade_name="Moet Niet Opslaan", **{field: value})
    response = as_owner.post(_url("company_edit", organisation), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.trade_name == ""
    assert not Event.objects.exists()


def test_it_checks_a_belgian_postcode_for_a_belgian_organisation(client, db):
    belgian = OrganisationFactory(country="BE", visit_postcode="1000", kvk_number="")
    owner = MembershipFactory(organisation=belgian, role="owner").user
    client.force_login(owner)
    url = _url("company_edit", belgian)
    assert client.post(url, _data(belgian, visit_postcode="3511 AB")).status_code == 400
    assert client.post(url, _data(belgian, visit_postcode="2000")).status_code == 302
    belgian.refresh_from_db()
    assert belgian.visit_postcode == "2000"


def test_it_hides_another_organisation_from_a_member(client, other_member, organisation):
    client.force_login(other_member)
    for name in ("organisation_home", "company_data", "company_edit"):
        assert client.get(_url(name, organisation)).status_code == 404
    assert client.post(_url("company_edit", organisation), _data(organisation, name="X")).status_code == 404
    organisation.refresh_from_db()
    assert organisation.name == "Bakkerij Test B.V."


@pytest.mark.parametrize("who", ["accountant", "firm_admin"])
def test_it_sends_staff_from_the_portal_to_the_staff_home(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:home")


def test_it_sends_an_anonymous_visitor_to_the_login(client, organisation):
    for url in (reverse("portal:home"), _url("company_edit", organisation)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_it_refuses_unsupported_methods(as_owner, organisation):
    assert as_owner.post(reverse("portal:home")).status_code == 405
    assert as_owner.post(_url("company_data", organisation)).status_code == 405
    assert as_owner.delete(_url("company_edit", organisation)).status_code == 405
