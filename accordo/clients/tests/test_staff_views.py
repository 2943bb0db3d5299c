"""Staff pages: real outcomes on the happy path, 400 and nothing changed on bad input, 405, 404."""

import uuid

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accordo.accounts import services as account_services
from accordo.accounts.models import Invitation
from accordo.clients.forms import ORGANISATION_FIELDS
from accordo.clients.models import Label, Membership, Organisation
from accordo.clients.selectors import firm_get
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.testing.factories import AssignmentFactory, LabelFactory, OrganisationFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BSN = "111222333"


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["accordo_language"] = "en"


@pytest.fixture
def as_accountant(client, accountant):
    client.force_login(accountant)
    return client


@pytest.fixture
def as_admin(client, firm_admin):
    client.force_login(firm_admin)
    return client


@pytest.fixture
def invitation(organisation, accountant):
    return account_services.invitation_create(
        actor=accountant, ctx=RequestContext(), organisation=organisation, email="new@client.test", role="viewer"
    )


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _org_data(organisation=None, **overrides):
    if organisation is None:
        data = {f: "" for f in ORGANISATION_FIELDS}
        data.update(kind="company", name="Nieuw B.V.", legal_form="bv", country="NL", kvk_number="12345678")
        data.update(financial_year_end_month="12", vat_frequency="quarterly", tier="standard")
    else:
        data = {f: getattr(organisation, f) or "" for f in ORGANISATION_FIELDS if f != "bsn"}
        data["bsn"] = ""
    data.update(overrides)
    return data


def _firm_data(**overrides):
    firm = firm_get()
    data = {
        "name": firm.name,
        "primary_color": firm.primary_color,
        "accent_color": firm.accent_color,
        "welcome_text": "",
        "email_signature": "",
        "sender_email": firm.sender_email,
        "host_name": "",
        "link_valid_days": firm.link_valid_days,
        "link_max_opens": firm.link_max_opens,
        "approval_expire_days": firm.approval_expire_days,
        "locked_fields": [],
        "assessment_tolerance": firm.assessment_tolerance,
        "nl_yearly_vat_due_month": firm.nl_yearly_vat_due_month,
        "nl_yearly_vat_due_day": firm.nl_yearly_vat_due_day,
        "deadline_task_days_ahead": firm.deadline_task_days_ahead,
        "deadline_task_role": firm.deadline_task_role,
    }
    data.update(overrides)
    return data


def test_it_shows_staff_home_with_my_clients_and_recent_activity(as_accountant, accountant, organisation):
    AssignmentFactory(organisation=organisation, user=accountant)
    as_accountant.post(reverse("staff:organisation_bsn", args=[organisation.public_id]))
    response = as_accountant.get(reverse("staff:home"))
    assert response.status_code == 200
    assert list(response.context["mine"]) == [organisation]
    assert [e.verb for e in response.context["recent"]] == ["organisation.bsn_viewed"]


def test_it_lists_organisations_with_their_labels_and_staff(
    as_accountant, accountant, organisation, other_organisation
):
    organisation.labels.add(LabelFactory(name="Horeca"))
    AssignmentFactory(organisation=organisation, user=accountant)
    response = as_accountant.get(reverse("staff:organisation_list"))
    assert response.status_code == 200
    assert {o.public_id for o in response.context["page"].object_list} == {
        str(organisation.public_id),
        str(other_organisation.public_id),
    }
    body = response.content.decode()
    assert "Horeca" in body and "Bram Boekhouder" in body


def test_it_filters_the_list_by_search_label_tier_and_assignee(as_accountant, accountant, organisation):
    label = LabelFactory(name="Bouw")
    tagged = OrganisationFactory(name="Aannemer B.V.", tier="standard", search_text="aannemer b.v. amersfoort")
    tagged.labels.add(label)
    AssignmentFactory(organisation=tagged, user=accountant)
    url = reverse("staff:organisation_list")
    for query in (
        {"q": "AANNEMER"},
        {"label": label.public_id},
        {"tier": "standard"},
        {"assignee": accountant.public_id},
    ):
        response = as_accountant.get(url, query)
        assert response.status_code == 200, query
        assert [o.public_id for o in response.context["page"].object_list] == [str(tagged.public_id)], query
    response = as_accountant.get(url, {"q": "bakkerij", "tier": "standard"})
    assert list(response.context["page"].object_list) == []


def test_it_paginates_the_list(as_accountant):
    OrganisationFactory.create_batch(55)
    url = reverse("staff:organisation_list")
    first = as_accountant.get(url, {"tier": "collaborate_extended"})
    second = as_accountant.get(url, {"tier": "collaborate_extended", "page": 2})
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 5
    assert first.context["querystring"] == "tier=collaborate_extended"


@pytest.mark.parametrize(
    "query",
    [
        {"label": "not-a-uuid"},
        {"label": str(uuid.uuid4())},
        {"assignee": "not-a-uuid"},
        {"assignee": "1"},
        {"tier": "platinum"},
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999"},
        {"q": "x" * 500},
        {"q": "%_'\"\\"},
    ],
)
def test_it_survives_bad_filter_values(as_accountant, organisation, query):
    response = as_accountant.get(reverse("staff:organisation_list"), query)
    assert response.status_code in (200, 400)


def test_it_shows_the_list_rows_escaped_with_their_links_labels_and_staff(as_accountant, accountant):
    tagged = OrganisationFactory(
        name="Café <b>&</b>", legal_form="vof", kvk_number="12345678", vat_number="NL123456789B01", tier="standard"
    )
    tagged.labels.add(LabelFactory(name="Horeca"), LabelFactory(name="A&B"))
    AssignmentFactory(organisation=tagged, user=accountant, role="accountant")
    body = as_accountant.get(reverse("staff:organisation_list")).content.decode()
    detail = reverse("staff:organisation_detail", args=[tagged.public_id])
    assert f'<a href="{detail}">Café &lt;b&gt;&amp;&lt;/b&gt;</a><br><span class="muted">VOF · ' in body
    assert "KvK 12345678<br>NL123456789B01" in body
    assert '<td data-label="Service tier">Standard</td>' in body
    assert '<span class="pill">A&amp;B</span><span class="pill">Horeca</span>' in body
    assert 'Bram Boekhouder <span class="muted">(Responsible accountant)</span>' in body
    assert "1 client<" in body


def test_it_shows_the_filters_as_given_and_marks_the_invalid_one(as_accountant, accountant):
    label = LabelFactory(name="Bouw")
    url = reverse("staff:organisation_list")
    body = as_accountant.get(url, {"q": 'a "b"', "label": label.public_id, "assignee": accountant.public_id}).content
    body = body.decode()
    assert '<input type="text" name="q" value="a &quot;b&quot;" maxlength="100" id="id_q">' in body
    assert f'<option value="{label.public_id}" selected>Bouw</option>' in body
    assert f'<option value="{accountant.public_id}" selected>Bram Boekhouder</option>' in body
    assert '<option value="" selected>All tiers</option>' in body
    assert 'aria-invalid="true"' not in body
    body = as_accountant.get(url, {"q": "x", "tier": "platinum"}).content.decode()
    assert '<select name="tier" aria-invalid="true" aria-describedby="id_tier_error" id="id_tier">' in body
    assert '<option value="" selected>All labels</option>' in body
    assert 'value="platinum"' not in body and "selected>All tiers" not in body
    assert '<label for="id_q">Search:</label>' in body


def test_it_creates_an_organisation(as_accountant, accountant):
    label = LabelFactory(name="MKB")
    assert as_accountant.get(reverse("staff:organisation_create")).status_code == 200
    data = _org_data(labels=[label.pk], assign_accountant=accountant.public_id, vat_number="nl004495445b01")
    response = as_accountant.post(reverse("staff:organisation_create"), data)
    organisation = Organisation.objects.get(name="Nieuw B.V.")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:organisation_detail", args=[organisation.public_id])
    assert organisation.vat_number == "NL004495445B01"
    assert list(organisation.labels.all()) == [label]
    assert organisation.assignments.get().user == accountant
    assert Event.objects.filter(verb="organisation.created", organisation=organisation).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kvk_number", "1234", "8 digits"),
        ("vat_number", "NL123456789B01", "valid Dutch VAT number"),
        ("vat_number", "DE123456789", "NL or BE"),
        ("iban", "NL00ABNA0000000000", "valid IBAN"),
        ("bsn", "123456789", "valid BSN"),
        ("visit_postcode", "12AB", "Dutch postcode"),
        ("phone", "call me", "phone number"),
        ("legal_form", "platypus", "valid choice"),
        ("name", "", "required"),
    ],
)
def test_it_refuses_bad_organisation_data_on_create(as_accountant, field, value, message):
    response = as_accountant.post(reverse("staff:organisation_create"), _org_data(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Organisation.objects.exists()
    assert not Event.objects.exists()


def test_it_refuses_a_company_legal_form_for_a_private_person(as_accountant):
    response = as_accountant.post(reverse("staff:organisation_create"), _org_data(kind="person", legal_form="bv"))
    assert response.status_code == 400
    assert "private person" in response.content.decode()
    assert not Organisation.objects.exists()


def test_it_shows_the_detail_with_a_masked_bsn(as_accountant, organisation, client_owner, invitation):
    Organisation.objects.filter(pk=organisation.pk).update(bsn=BSN)
    response = as_accountant.get(reverse("staff:organisation_detail", args=[organisation.public_id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "owner@client.test" in body and "new@client.test" in body
    assert "••••••333" in body and BSN not in body


def test_it_edits_an_organisation_and_records_old_and_new(as_accountant, organisation):
    url = reverse("staff:organisation_edit", args=[organisation.public_id])
    assert as_accountant.get(url).status_code == 200
    response = as_accountant.post(url, _org_data(organisation, name="Bakkerij Nieuw B.V.", visit_postcode="3511ab"))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Bakkerij Nieuw B.V."
    event = Event.objects.get(verb="organisation.updated")
    assert event.data["changes"] == {"name": {"old": "Bakkerij Test B.V.", "new": "Bakkerij Nieuw B.V."}}


def test_it_keeps_the_bsn_when_the_edit_leaves_it_empty(as_accountant, organisation):
    Organisation.objects.filter(pk=organisation.pk).update(bsn=BSN)
    url = reverse("staff:organisation_edit", args=[organisation.public_id])
    as_accountant.post(url, _org_data(organisation, phone="0301234567"))
    organisation.refresh_from_db()
    assert organisation.bsn == BSN and organisation.phone == "0301234567"


@pytest.mark.parametrize(("field", "value"), [("kvk_number", "abc"), ("vat_number", "BE0403019262")])
def test_it_refuses_bad_data_on_edit_and_changes_nothing(as_accountant, organisation, field, value):
    url = reverse("staff:organisation_edit", args=[organisation.public_id])
    response = as_accountant.post(url, _org_data(organisation, name="Gewijzigd", **{field: value}))
    assert response.status_code == 400
    organisation.refresh_from_db()
    assert organisation.name == "Bakkerij Test B.V."
    assert not Event.objects.exists()


def test_it_reveals_the_bsn_on_post_and_logs_it(as_accountant, organisation):
    Organisation.objects.filter(pk=organisation.pk).update(bsn=BSN)
    url = reverse("staff:organisation_bsn", args=[organisation.public_id])
    assert as_accountant.get(url).status_code == 405
    assert not Event.objects.exists()
    response = as_accountant.post(url)
    assert response.status_code == 200
    assert BSN in response.content.decode()
    assert Event.objects.filter(verb="organisation.bsn_viewed", organisation=organisation).count() == 1


def test_it_pages_the_timeline_with_before(as_accountant, organisation):
    url = reverse("staff:organisation_bsn", args=[organisation.public_id])
    for _ in range(55):
        as_accountant.post(url)
    timeline = reverse("staff:organisation_timeline", args=[organisation.public_id])
    first = as_accountant.get(timeline)
    assert len(first.context["events"]) == 50
    before = first.context["next_before"]
    second = as_accountant.get(timeline, {"before": before})
    assert len(second.context["events"]) == 5
    assert all(e.seq < before for e in second.context["events"])
    assert second.context["next_before"] is None
    for bad in ("abc", "-5", "1e9", ""):
        assert as_accountant.get(timeline, {"before": bad}).status_code == 200


def test_it_invites_a_person(as_accountant, organisation):
    url = reverse("staff:invitation_create", args=[organisation.public_id])
    assert as_accountant.get(url).status_code == 200
    data = {"email": "Nieuw@Client.test", "full_name": "Nina", "role": "approver", "language": "en"}
    response = as_accountant.post(url, data)
    assert response.status_code == 302
    invitation = Invitation.objects.get(organisation=organisation)
    assert (invitation.email, invitation.role, invitation.status) == ("nieuw@client.test", "approver", "pending")
    assert Event.objects.filter(verb="invitation.sent").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address", "role": "viewer", "language": "nl"}, "valid email"),
        ({"email": "x@client.test", "role": "emperor", "language": "nl"}, "valid choice"),
        ({"email": "owner@client.test", "role": "viewer", "language": "nl"}, "already a member"),
    ],
)
def test_it_refuses_a_bad_invitation(as_accountant, organisation, client_owner, data, message):
    response = as_accountant.post(reverse("staff:invitation_create", args=[organisation.public_id]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invitation.objects.exists()


def test_it_resends_and_revokes_an_invitation(as_accountant, invitation):
    nonce = invitation.nonce
    resend = reverse("staff:invitation_resend", args=[invitation.public_id])
    revoke = reverse("staff:invitation_revoke", args=[invitation.public_id])
    assert as_accountant.get(resend).status_code == 405
    assert as_accountant.get(revoke).status_code == 405
    assert as_accountant.post(resend).status_code == 302
    invitation.refresh_from_db()
    assert invitation.nonce != nonce
    assert as_accountant.post(revoke).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    response = as_accountant.post(resend)
    assert "Only an open invitation" in _messages(response)
    assert Event.objects.filter(verb="invitation.sent").count() == 2
    assert Event.objects.filter(verb="invitation.revoked").count() == 1


def test_it_changes_a_members_role(as_accountant, client_viewer):
    membership = Membership.objects.get(user=client_viewer)
    url = reverse("staff:membership_role", args=[membership.public_id])
    assert as_accountant.get(url).status_code == 405
    assert as_accountant.post(url, {"role": "approver"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == "approver"
    response = as_accountant.post(url, {"role": "emperor"})
    assert "valid role" in _messages(response)
    membership.refresh_from_db()
    assert membership.role == "approver"
    assert Event.objects.filter(verb="membership.role_changed").count() == 1


def test_it_removes_a_members_access(as_accountant, client_viewer, organisation):
    membership = Membership.objects.get(user=client_viewer)
    url = reverse("staff:membership_remove", args=[membership.public_id])
    assert as_accountant.get(url).status_code == 405
    response = as_accountant.post(url)
    assert response["Location"] == reverse("staff:organisation_detail", args=[organisation.public_id])
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert Event.objects.filter(verb="membership.removed").count() == 1


def test_it_saves_the_firm_settings(as_admin):
    url = reverse("staff:firm_settings")
    assert as_admin.get(url).status_code == 200
    data = _firm_data(name="Kantoor De Boer", primary_color="#AABBCC", locked_fields=["name", "kvk_number"])
    assert as_admin.post(url, data).status_code == 302
    firm = firm_get()
    assert (firm.name, firm.primary_color, firm.locked_fields) == ("Kantoor De Boer", "#aabbcc", ["name", "kvk_number"])
    assert Event.objects.filter(verb="firm.updated").count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"primary_color": "red"}, "#rrggbb"),
        ({"accent_color": "#12345"}, "#rrggbb"),
        ({"sender_email": "nope"}, "valid email"),
        ({"locked_fields": ["is_superuser"]}, "valid choice"),
        ({"name": ""}, "required"),
        ({"nl_yearly_vat_due_month": "2", "nl_yearly_vat_due_day": "30"}, "no day 30"),
        ({"deadline_task_role": "boss"}, "valid choice"),
        ({"assessment_tolerance": "-1"}, "greater than or equal to 0"),
    ],
)
def test_it_refuses_bad_firm_settings(as_admin, overrides, message):
    response = as_admin.post(reverse("staff:firm_settings"), _firm_data(**{"name": "Nieuw", **overrides}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert firm_get().name == "Accordo"
    assert not Event.objects.exists()


def test_it_accepts_a_png_logo(as_admin, client):
    logo = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    response = as_admin.post(reverse("staff:firm_settings"), {**_firm_data(), "logo_upload": logo})
    assert response.status_code == 302
    firm = firm_get()
    assert firm.logo.name.startswith("branding/")
    served = client.get(reverse("branding_logo"))
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == PNG


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"just some text, not an image", "PNG or JPEG"), (PNG + b"\x00" * (2 * 1024 * 1024), "larger than 2 MB")],
)
def test_it_refuses_a_bad_logo(as_admin, content, message):
    logo = SimpleUploadedFile("logo.png", content, content_type="image/png")
    response = as_admin.post(reverse("staff:firm_settings"), {**_firm_data(), "logo_upload": logo})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not firm_get().logo
    assert not Event.objects.exists()


def test_it_adds_and_removes_labels(as_admin):
    url = reverse("staff:label_create")
    assert as_admin.get(url).status_code == 405
    assert as_admin.post(url, {"name": "Horeca"}).status_code == 302
    assert "exists already" in _messages(as_admin.post(url, {"name": "horeca"}))
    assert "name" in _messages(as_admin.post(url, {"name": ""}))
    label = Label.objects.get()
    delete = reverse("staff:label_delete", args=[label.public_id])
    assert as_admin.get(delete).status_code == 405
    assert as_admin.post(delete).status_code == 302
    assert not Label.objects.exists()
    assert as_admin.post(delete).status_code == 404
    assert [e.verb for e in Event.objects.order_by("seq")] == ["label.created", "label.deleted"]


@pytest.mark.parametrize("name", ["firm_settings", "label_create", "label_delete"])
def test_it_hides_the_firm_pages_from_an_accountant(as_accountant, name):
    label = LabelFactory(name="Blijft")
    url = reverse(f"staff:{name}", args=[label.public_id] if name == "label_delete" else [])
    assert as_accountant.get(url).status_code in (404, 405)
    assert as_accountant.post(url, _firm_data(name="Gekaapt")).status_code == 404
    assert firm_get().name == "Accordo"
    assert Label.objects.filter(pk=label.pk).exists() and not Event.objects.exists()


@pytest.mark.parametrize("name", ["home", "organisation_list", "organisation_create", "firm_settings"])
def test_it_refuses_unsupported_methods(as_admin, name):
    url = reverse(f"staff:{name}")
    assert as_admin.put(url).status_code == 405
    assert as_admin.delete(url).status_code == 405
