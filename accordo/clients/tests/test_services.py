"""Services of the clients app: every write records an event with old → new values."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from accordo.clients import services
from accordo.clients.models import Label, Membership, Organisation, StaffAssignment
from accordo.clients.selectors import firm_get
from accordo.core.context import RequestContext
from accordo.core.events import verify_chain
from accordo.core.models import Event
from accordo.testing.factories import LabelFactory, MembershipFactory, StaffFactory, UserFactory

CTX = RequestContext(ip="192.0.2.1", user_agent="pytest")
BSN = "111222333"
OTHER_BSN = "123456782"


def _events(verb):
    return list(Event.objects.filter(verb=verb).order_by("seq"))


def _raw_bsn(organisation):
    with connection.cursor() as cursor:
        cursor.execute("SELECT bsn FROM clients_organisation WHERE id = %s", [organisation.pk])
        return cursor.fetchone()[0]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def locked_name():
    firm = firm_get()
    firm.locked_fields = ["name", "kvk_number"]
    firm.save()
    return firm


def test_it_creates_an_organisation_with_labels_and_assignments(firm_admin, accountant):
    label = LabelFactory(name="MKB")
    organisation = services.organisation_create(
        actor=firm_admin,
        ctx=CTX,
        data={"name": "Nieuw B.V.", "kvk_number": "12345678", "visit_city": "Utrecht", "tier": "standard"},
        labels=[label],
        assignments={"accountant": accountant, "tax_advisor": None, "no_such_role": firm_admin},
    )
    organisation.refresh_from_db()
    assert list(organisation.labels.all()) == [label]
    assert list(StaffAssignment.objects.filter(organisation=organisation).values_list("role", "user")) == [
        ("accountant", accountant.pk)
    ]
    assert "nieuw b.v." in organisation.search_text and "12345678" in organisation.search_text
    [event] = _events("organisation.created")
    assert event.organisation_id == organisation.pk
    assert event.actor_id == firm_admin.pk
    assert event.ip == "192.0.2.1"
    assert event.data["name"] == "Nieuw B.V." and event.data["tier"] == "standard"
    # The firm's folder template is applied: the dossier starts with its folders.
    assert "Jaarrapporten" in event.data["folders"]
    assert set(organisation.folders.values_list("name", flat=True)) >= {"Jaarrapporten", "Aangiften", "Inbox"}
    assert organisation.folders.get(name="Jaarrapporten").open_to_client
    assert not organisation.folders.get(name="ID-bewijzen").open_to_client


def test_it_records_old_and_new_values_when_staff_update(accountant, organisation):
    diff = services.organisation_update(
        actor=accountant,
        ctx=CTX,
        organisation=organisation,
        changes={"name": "Bakkerij Nieuw B.V.", "visit_city": "Amersfoort", "visit_street": "Straatweg 1"},
    )
    organisation.refresh_from_db()
    assert organisation.name == "Bakkerij Nieuw B.V."
    assert "amersfoort" in organisation.search_text
    expected = {
        "name": {"old": "Bakkerij Test B.V.", "new": "Bakkerij Nieuw B.V."},
        "visit_city": {"old": "Utrecht", "new": "Amersfoort"},
    }
    assert diff == expected
    [event] = _events("organisation.updated")
    assert event.data == {"changes": expected}
    assert event.organisation_id == organisation.pk
    assert _events("client.data_changed") == []


def test_it_records_client_data_changed_when_a_client_updates(client_owner, organisation):
    services.organisation_update(
        actor=client_owner, ctx=CTX, organisation=organisation, changes={"phone": "+31 30 123 4567"}
    )
    [event] = _events("client.data_changed")
    assert event.actor_id == client_owner.pk
    assert event.data == {"changes": {"phone": {"old": "", "new": "+31 30 123 4567"}}}
    assert _events("organisation.updated") == []


def test_it_records_nothing_when_nothing_changes(accountant, organisation):
    diff = services.organisation_update(
        actor=accountant, ctx=CTX, organisation=organisation, changes={"name": organisation.name, "phone": ""}
    )
    assert diff == {}
    assert Event.objects.count() == 0


def test_it_stores_the_bsn_encrypted(accountant):
    organisation = services.organisation_create(
        actor=accountant, ctx=CTX, data={"name": "Jan Jansen", "kind": "person", "legal_form": "person", "bsn": BSN}
    )
    raw = _raw_bsn(organisation)
    assert raw and BSN not in raw
    assert Organisation.objects.get(pk=organisation.pk).bsn == BSN
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM clients_organisation WHERE bsn LIKE %s", [f"%{BSN}%"])
        assert cursor.fetchone()[0] == 0


def test_it_never_writes_the_plain_bsn_into_an_event(accountant, client_owner, organisation):
    services.organisation_update(actor=accountant, ctx=CTX, organisation=organisation, changes={"bsn": BSN})
    organisation.refresh_from_db()
    services.organisation_update(actor=client_owner, ctx=CTX, organisation=organisation, changes={"bsn": OTHER_BSN})
    organisation.refresh_from_db()
    assert organisation.bsn == OTHER_BSN
    assert BSN not in _raw_bsn(organisation) and OTHER_BSN not in _raw_bsn(organisation)
    [staff_event] = _events("organisation.updated")
    assert staff_event.data["changes"]["bsn"] == {"old": "", "new": "••••••333"}
    [client_event] = _events("client.data_changed")
    assert client_event.data["changes"]["bsn"] == {"old": "••••••333", "new": "••••••782"}
    for event in Event.objects.all():
        payload = json.dumps(event.data)
        assert BSN not in payload and OTHER_BSN not in payload


def test_it_refuses_a_client_change_of_a_locked_field_and_changes_nothing(client_owner, organisation, locked_name):
    with pytest.raises(ValidationError) as info:
        services.organisation_update(
            actor=client_owner,
            ctx=CTX,
            organisation=organisation,
            changes={"name": "Gekaapt B.V.", "phone": "0301234567"},
        )
    assert "name" in " ".join(info.value.messages)
    organisation.refresh_from_db()
    assert organisation.name == "Bakkerij Test B.V."
    assert organisation.phone == ""
    assert Event.objects.count() == 0


def test_it_lets_staff_change_a_locked_field(accountant, organisation, locked_name):
    services.organisation_update(actor=accountant, ctx=CTX, organisation=organisation, changes={"name": "Staf B.V."})
    organisation.refresh_from_db()
    assert organisation.name == "Staf B.V."
    assert len(_events("organisation.updated")) == 1


def test_it_records_label_changes(accountant, organisation):
    old, new = LabelFactory(name="Oud"), LabelFactory(name="Nieuw")
    organisation.labels.set([old])
    diff = services.organisation_update(
        actor=accountant, ctx=CTX, organisation=organisation, changes={}, labels=[new, old]
    )
    assert set(organisation.labels.all()) == {old, new}
    assert diff == {"labels": {"old": ["Oud"], "new": ["Nieuw", "Oud"]}}
    [event] = _events("organisation.updated")
    assert event.data["changes"]["labels"] == {"old": ["Oud"], "new": ["Nieuw", "Oud"]}


def test_it_records_staff_assignment_changes(accountant, firm_admin, organisation):
    services.organisation_update(
        actor=firm_admin, ctx=CTX, organisation=organisation, changes={}, assignments={"accountant": accountant}
    )
    other = StaffFactory(email="tweede@firm.test")
    services.organisation_update(
        actor=firm_admin, ctx=CTX, organisation=organisation, changes={}, assignments={"accountant": other}
    )
    services.organisation_update(
        actor=firm_admin, ctx=CTX, organisation=organisation, changes={}, assignments={"accountant": None}
    )
    assert not StaffAssignment.objects.filter(organisation=organisation).exists()
    changes = [e.data["changes"]["accountant"] for e in _events("organisation.updated")]
    assert changes == [
        {"old": None, "new": "accountant@firm.test"},
        {"old": "accountant@firm.test", "new": "tweede@firm.test"},
        {"old": "tweede@firm.test", "new": None},
    ]


def test_it_adds_a_member_and_records_it(accountant, organisation):
    person = UserFactory(email="nieuw@client.test")
    membership = services.membership_add(
        actor=accountant, ctx=CTX, organisation=organisation, user=person, role="viewer"
    )
    assert membership.role == "viewer"
    [event] = _events("membership.created")
    assert event.data == {"email": "nieuw@client.test", "role": "viewer"}
    assert event.organisation_id == organisation.pk


@pytest.mark.parametrize("case", ["duplicate", "staff", "role"])
def test_it_refuses_an_invalid_membership(case, accountant, client_owner, organisation):
    person = {"duplicate": client_owner, "staff": accountant, "role": UserFactory()}[case]
    role = "emperor" if case == "role" else "viewer"
    before = Membership.objects.count()
    with pytest.raises(ValidationError):
        services.membership_add(actor=accountant, ctx=CTX, organisation=organisation, user=person, role=role)
    assert Membership.objects.count() == before
    assert Event.objects.count() == 0


def test_it_changes_a_role_and_records_old_and_new(accountant, client_viewer):
    membership = Membership.objects.get(user=client_viewer)
    services.membership_change_role(actor=accountant, ctx=CTX, membership=membership, role="approver")
    membership.refresh_from_db()
    assert membership.role == "approver"
    [event] = _events("membership.role_changed")
    assert event.data == {"email": "viewer@client.test", "old": "viewer", "new": "approver"}
    services.membership_change_role(actor=accountant, ctx=CTX, membership=membership, role="approver")
    assert len(_events("membership.role_changed")) == 1


def test_it_refuses_an_unknown_role(accountant, client_viewer):
    membership = Membership.objects.get(user=client_viewer)
    with pytest.raises(ValidationError):
        services.membership_change_role(actor=accountant, ctx=CTX, membership=membership, role="admin")
    membership.refresh_from_db()
    assert membership.role == "viewer"
    assert Event.objects.count() == 0


def test_it_removes_a_membership_and_records_it(accountant, client_viewer, organisation):
    membership = Membership.objects.get(user=client_viewer)
    services.membership_remove(actor=accountant, ctx=CTX, membership=membership)
    assert not Membership.objects.filter(user=client_viewer).exists()
    [event] = _events("membership.removed")
    assert event.data == {"email": "viewer@client.test", "role": "viewer"}
    assert event.organisation_id == organisation.pk


def test_it_lets_an_admin_update_the_firm(firm_admin):
    firm = firm_get()
    diff = services.firm_update(
        actor=firm_admin,
        ctx=CTX,
        firm=firm,
        changes={"name": "Kantoor De Boer", "primary_color": "#112233", "id": 99, "logo": "evil.png"},
    )
    firm.refresh_from_db()
    assert firm.name == "Kantoor De Boer" and firm.primary_color == "#112233"
    assert firm.pk != 99 and not firm.logo
    assert diff == {
        "name": {"old": "Accordo", "new": "Kantoor De Boer"},
        "primary_color": {"old": "#1d4e89", "new": "#112233"},
    }
    [event] = _events("firm.updated")
    assert event.data == {"changes": diff}


@pytest.mark.parametrize("who", ["accountant", "client_owner"])
def test_it_refuses_a_firm_update_by_anybody_but_an_admin(who, request):
    actor = request.getfixturevalue(who)
    firm = firm_get()
    with pytest.raises(PermissionError):
        services.firm_update(actor=actor, ctx=CTX, firm=firm, changes={"name": "Overgenomen"})
    firm.refresh_from_db()
    assert firm.name == "Accordo"
    assert Event.objects.count() == 0


def test_it_creates_a_label_and_refuses_a_duplicate(firm_admin):
    label = services.label_create(actor=firm_admin, ctx=CTX, name="  Horeca ")
    assert label.name == "Horeca"
    for name in ("Horeca", "horeca", "  HORECA"):
        with pytest.raises(ValidationError) as info:
            services.label_create(actor=firm_admin, ctx=CTX, name=name)
        assert "exists" in " ".join(info.value.messages)
    with pytest.raises(ValidationError):
        services.label_create(actor=firm_admin, ctx=CTX, name="   ")
    assert Label.objects.count() == 1
    assert len(_events("label.created")) == 1


def test_it_deletes_a_label_and_records_it(firm_admin, organisation):
    label = LabelFactory(name="Weg")
    organisation.labels.add(label)
    services.label_delete(actor=firm_admin, ctx=CTX, label=label)
    assert not Label.objects.filter(name="Weg").exists()
    assert organisation.labels.count() == 0
    [event] = _events("label.deleted")
    assert event.data == {"name": "Weg"}


def test_it_records_who_saw_the_full_bsn(accountant, organisation):
    Organisation.objects.filter(pk=organisation.pk).update(bsn=BSN)
    organisation.refresh_from_db()
    assert services.organisation_bsn_reveal(actor=accountant, ctx=CTX, organisation=organisation) == BSN
    [event] = _events("organisation.bsn_viewed")
    assert event.actor_id == accountant.pk
    assert event.organisation_id == organisation.pk
    assert BSN not in json.dumps(event.data)


def test_it_refuses_to_show_a_client_the_full_bsn(client_owner, organisation):
    with pytest.raises(PermissionError):
        services.organisation_bsn_reveal(actor=client_owner, ctx=CTX, organisation=organisation)
    assert Event.objects.count() == 0


def test_it_keeps_the_event_chain_intact_across_services(firm_admin, accountant, organisation):
    MembershipFactory(organisation=organisation, role="viewer")
    services.organisation_update(actor=accountant, ctx=CTX, organisation=organisation, changes={"phone": "0301234567"})
    services.label_create(actor=firm_admin, ctx=CTX, name="Keten")
    services.organisation_bsn_reveal(actor=accountant, ctx=CTX, organisation=organisation)
    checked, problem = verify_chain()
    assert (checked, problem) == (3, None)
