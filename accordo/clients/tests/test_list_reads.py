"""The plain-SQL reads of the busy pages give what the ORM gives, and the list's filters parse as a form would."""

import uuid

import pytest
from django.core.paginator import Paginator
from django.http import QueryDict

from accordo.clients.forms import OrganisationFilters
from accordo.clients.models import Organisation
from accordo.clients.selectors import (
    OrganisationRows,
    membership_rows,
    memberships_of,
    organisation_filter_choices,
)
from accordo.testing.factories import (
    AssignmentFactory,
    LabelFactory,
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    UserFactory,
)
from accordo.testing.oracles import organisations_for_staff


@pytest.fixture
def dataset(db):
    """Organisations with names that sort, search and escape in awkward ways, labels and staff."""
    bram = StaffFactory(email="bram@firm.test", full_name="Bram Boekhouder")
    tina = StaffFactory(email="tina@firm.test", full_name="", staff_role="tax_advisor")
    horeca, bouw = LabelFactory(name="Horeca"), LabelFactory(name="Bouw")
    names = ["Zeta B.V.", "alpha VOF", "Café 100% <Echt>", "Under_Score", "Back\\Slash", "Alpha VOF", "Alpha VOF"]
    organisations = []
    for i, name in enumerate(names):
        organisation = OrganisationFactory(
            name=name,
            tier=["standard", "collaborate", "collaborate_extended"][i % 3],
            kvk_number=f"{12345670 + i}",
            visit_city=["Utrecht", "Gent"][i % 2],
        )
        organisations.append(organisation)
        if i % 2:
            organisation.labels.add(horeca, bouw)
        elif i % 3:
            organisation.labels.add(bouw)
        if i % 3 != 2:
            AssignmentFactory(organisation=organisation, user=bram, role="accountant")
        if i % 2:
            AssignmentFactory(organisation=organisation, user=tina, role="tax_advisor")
    return {"staff": [bram, tina], "labels": [horeca, bouw], "organisations": organisations}


FILTERS = [
    {},
    {"query": "alpha"},
    {"query": "  ALPHA vof "},
    {"query": "100%"},
    {"query": "_"},
    {"query": "\\"},
    {"query": "utrecht"},
    {"query": "nothing like it"},
    {"tier": "standard"},
    {"label": "horeca"},
    {"label": "bouw", "tier": "collaborate"},
    {"assignee": "bram"},
    {"assignee": "tina", "query": "vof"},
]


@pytest.mark.parametrize("filters", FILTERS)
def test_the_list_rows_are_the_querysets_organisations_in_order(dataset, filters):
    labels = {label.name.lower(): label for label in dataset["labels"]}
    staff = {user.email.split("@")[0]: user for user in dataset["staff"]}
    label, assignee = labels.get(filters.get("label")), staff.get(filters.get("assignee"))
    expected = organisations_for_staff(
        query=filters.get("query", ""),
        tier=filters.get("tier", ""),
        label=str(label.public_id) if label else "",
        assignee=str(assignee.public_id) if assignee else "",
    )
    rows = OrganisationRows(
        organisation_filter_choices(),
        query=filters.get("query", ""),
        tier=filters.get("tier", ""),
        label=label.pk if label else None,
        assignee=assignee.pk if assignee else None,
    )
    assert rows.count() == expected.count()
    assert [r.public_id for r in rows[0:100]] == [str(o.public_id) for o in expected]
    assert [r.public_id for r in rows[1:3]] == [str(o.public_id) for o in expected[1:3]]


def test_a_row_holds_the_organisations_values_labels_by_name_and_staff_in_assignment_order(dataset):
    organisation = Organisation.objects.get(name="alpha VOF")
    AssignmentFactory(organisation=organisation, user=dataset["staff"][0], role="assistant")
    row = next(r for r in OrganisationRows(organisation_filter_choices())[0:100] if r.name == "alpha VOF")
    assert row.public_id == str(organisation.public_id)
    assert (row.legal_form, row.visit_city, row.kvk_number, row.tier) == (
        organisation.legal_form,
        organisation.visit_city,
        organisation.kvk_number,
        organisation.tier,
    )
    assert row.label_names == ["Bouw", "Horeca"]
    # A staff member without a full name shows the e-mail address, as User.display_name does.
    assert row.assigned_staff == [
        ("Bram Boekhouder", "accountant"),
        ("tina@firm.test", "tax_advisor"),
        ("Bram Boekhouder", "assistant"),
    ]


def test_an_assigned_user_who_is_no_longer_staff_is_still_named(dataset):
    bram = dataset["staff"][0]
    choices = organisation_filter_choices()
    bram.staff_role = ""
    bram.save()
    rows = OrganisationRows(choices)[0:100]  # the choices still name him, a fresh read does not
    fresh = OrganisationRows(organisation_filter_choices())[0:100]
    for page in (rows, fresh):
        assert ("Bram Boekhouder", "accountant") in next(r for r in page if r.name == "Zeta B.V.").assigned_staff


def test_a_label_made_after_the_choices_were_read_is_still_shown(dataset):
    choices = organisation_filter_choices()
    Organisation.objects.get(name="Zeta B.V.").labels.add(LabelFactory(name="Nieuw"))
    row = next(r for r in OrganisationRows(choices)[0:100] if r.name == "Zeta B.V.")
    assert "Nieuw" in row.label_names


def test_the_paginator_pages_the_rows_like_a_queryset(dataset):
    OrganisationFactory.create_batch(5)
    paginator = Paginator(OrganisationRows(organisation_filter_choices()), 5)
    expected = Paginator(organisations_for_staff(), 5)
    assert (paginator.count, paginator.num_pages) == (expected.count, expected.num_pages) == (12, 3)
    for number in (None, "abc", "-1", "2", "99"):
        page, other = paginator.get_page(number), expected.get_page(number)
        assert page.number == other.number
        assert [r.public_id for r in page] == [str(o.public_id) for o in other]


def test_the_filter_choices_are_the_labels_by_name_and_the_staff_by_full_name(dataset):
    UserFactory(email="client@client.test", full_name="Aa Client")
    choices = organisation_filter_choices()
    assert [c.label for c in choices.labels] == ["Bouw", "Horeca"]
    assert [c.label for c in choices.staff] == ["tina@firm.test", "Bram Boekhouder"]  # full names "" < "Bram"
    assert choices.labels[0].value == str(dataset["labels"][1].public_id)


def test_membership_rows_are_the_users_memberships_in_switcher_order(db):
    person = UserFactory(email="many@client.test")
    for name, role in [("Zeta", "owner"), ("Beta", "viewer"), ("Alpha", "approver")]:
        MembershipFactory(user=person, organisation=OrganisationFactory(name=name), role=role)
    MembershipFactory(organisation=OrganisationFactory(name="Not mine"))
    rows = membership_rows(person)
    expected = list(memberships_of(person))
    assert [(r.public_id, r.name, r.legal_form, r.role) for r in rows] == [
        (str(m.organisation.public_id), m.organisation.name, m.organisation.legal_form, m.role) for m in expected
    ]
    assert [r.name for r in rows] == ["Alpha", "Beta", "Zeta"]


# --- the filters --------------------------------------------------------------------------------


def _filters(dataset, **data):
    query = QueryDict(mutable=True)
    query.update(data)
    return OrganisationFilters(query, organisation_filter_choices())


def test_valid_filters_give_the_search_and_primary_keys(dataset):
    horeca, bram = dataset["labels"][0], dataset["staff"][0]
    filters = _filters(
        dataset,
        q="  Bakkerij ",
        label=str(horeca.public_id).upper(),  # any way a UUID is written, as the UUID field takes it
        tier="standard",
        assignee=str(bram.public_id),
        page="2",
    )
    assert not filters.invalid
    assert (filters.query, filters.label, filters.tier, filters.assignee) == (
        "Bakkerij",
        horeca.pk,
        "standard",
        bram.pk,
    )
    assert filters.raw["q"] == "  Bakkerij "  # the field shows what was typed


def test_no_filters_filter_nothing(dataset):
    for filters in (_filters(dataset), _filters(dataset, page="3"), _filters(dataset, q="", label="", tier="")):
        assert not filters.invalid
        assert (filters.query, filters.label, filters.tier, filters.assignee) == ("", None, "", None)


@pytest.mark.parametrize(
    ("data", "invalid"),
    [
        ({"q": "x" * 101}, {"q"}),
        ({"q": "a\x00b"}, {"q"}),
        ({"label": "not-a-uuid"}, {"label"}),
        ({"label": str(uuid.uuid4())}, {"label"}),
        ({"tier": "platinum"}, {"tier"}),
        ({"tier": "standard "}, {"tier"}),
        ({"assignee": "1"}, {"assignee"}),
        ({"assignee": "client"}, {"assignee"}),
        ({"tier": "platinum", "label": "x"}, {"tier", "label"}),
    ],
)
def test_an_invalid_filter_drops_every_filter(dataset, data, invalid):
    if data.get("assignee") == "client":
        data = {"assignee": str(UserFactory(email="c@client.test").public_id)}  # not staff
    filters = _filters(dataset, **{"q": "vof", **data})
    assert filters.invalid == invalid
    assert (filters.query, filters.label, filters.tier, filters.assignee) == ("", None, "", None)
