"""Service tiers (SPEC §14): one at a time from the edit form, many at once from the list; each an event."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from accordo.clients import services
from accordo.clients.forms import ORGANISATION_FIELDS
from accordo.clients.models import Organisation, Tier
from accordo.clients.selectors import firm_get
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.testing.factories import OrganisationFactory

CTX = RequestContext(ip="192.0.2.9", user_agent="test-agent")


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["accordo_language"] = "en"
    with translation.override("en"):
        yield


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_it_moves_organisations_to_a_tier_with_an_event_for_each(accountant):
    moving = [OrganisationFactory(tier=Tier.STANDARD), OrganisationFactory(tier=Tier.COLLABORATE)]
    staying = OrganisationFactory(tier=Tier.COLLABORATE_EXTENDED)
    chosen = Organisation.objects.filter(pk__in=[o.pk for o in [*moving, staying]])
    changed = services.organisations_set_tier(
        actor=accountant, ctx=CTX, organisations=chosen, tier="collaborate_extended"
    )
    assert changed == 2
    assert set(Organisation.objects.values_list("tier", flat=True)) == {Tier.COLLABORATE_EXTENDED}
    events = Event.objects.filter(verb="organisation.tier_changed").order_by("seq")
    assert [e.organisation_id for e in events] == [o.pk for o in moving]
    assert events[0].data["changes"]["tier"] == {"old": "standard", "new": "collaborate_extended"}
    assert events[0].actor == accountant and events[0].ip == "192.0.2.9"


def test_it_moves_one_organisation(accountant, organisation):
    assert services.organisation_set_tier(actor=accountant, ctx=CTX, organisation=organisation, tier="standard")
    assert not services.organisation_set_tier(actor=accountant, ctx=CTX, organisation=organisation, tier="standard")
    organisation.refresh_from_db()
    assert organisation.tier == "standard"
    assert Event.objects.filter(verb="organisation.tier_changed", organisation=organisation).count() == 1


def test_it_refuses_an_unknown_tier_and_a_client(accountant, client_owner, organisation):
    with pytest.raises(Exception, match="valid service tier"):
        services.organisation_set_tier(actor=accountant, ctx=CTX, organisation=organisation, tier="gold")
    with pytest.raises(PermissionError):
        services.organisation_set_tier(actor=client_owner, ctx=CTX, organisation=organisation, tier="standard")
    assert not Event.objects.exists()


def test_staff_change_the_tier_of_the_chosen_clients_from_the_list(client, accountant, organisation):
    other = OrganisationFactory(tier=Tier.COLLABORATE_EXTENDED)
    untouched = OrganisationFactory(tier=Tier.COLLABORATE_EXTENDED)
    client.force_login(accountant)
    page = client.get(reverse("staff:organisation_list")).content.decode()
    assert f'name="organisation" value="{organisation.public_id}"' in page and 'id="bulk-tier"' in page
    response = client.post(
        reverse("staff:organisation_bulk_tier"),
        {"organisation": [str(organisation.public_id), str(other.public_id)], "tier": "collaborate", "filters": "q=x"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("staff:organisation_list") + "?q=x"
    assert "2 clients moved to Collaborate" in _messages(response)
    tiers = dict(Organisation.objects.values_list("pk", "tier"))
    assert tiers[organisation.pk] == tiers[other.pk] == "collaborate"
    assert tiers[untouched.pk] == "collaborate_extended"
    assert Event.objects.filter(verb="organisation.tier_changed").count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tier": "collaborate"}, "Choose at least one client"),
        ({"organisation": ["not-a-uuid"], "tier": "collaborate"}, "Choose at least one client"),
        ({"organisation": ["ORG"], "tier": "gold"}, "Choose a service tier"),
        ({"organisation": ["ORG"]}, "Choose a service tier"),
    ],
)
def test_it_refuses_a_bad_bulk_tier_change(client, accountant, organisation, data, message):
    client.force_login(accountant)
    data = {k: [str(organisation.public_id) if v == "ORG" else v for v in vs] if isinstance(vs, list) else vs
            for k, vs in data.items()}  # fmt: skip
    response = client.post(reverse("staff:organisation_bulk_tier"), data)
    assert response.status_code == 302
    assert message in _messages(response)
    organisation.refresh_from_db()
    assert organisation.tier == "collaborate_extended"
    assert not Event.objects.exists()


def test_the_bulk_tier_change_is_post_only(client, accountant):
    client.force_login(accountant)
    assert client.get(reverse("staff:organisation_bulk_tier")).status_code == 405


def test_the_edit_form_still_records_a_tier_change(client, accountant, organisation):
    client.force_login(accountant)
    data = {f: getattr(organisation, f) or "" for f in ORGANISATION_FIELDS if f != "bsn"}
    data.update(bsn="", tier="standard")
    response = client.post(reverse("staff:organisation_edit", args=[organisation.public_id]), data)
    assert response.status_code == 302
    event = Event.objects.get(verb="organisation.updated")
    assert event.data["changes"]["tier"] == {"old": "collaborate_extended", "new": "standard"}


def test_admins_set_the_approval_and_link_settings(client, firm_admin):
    firm = firm_get()
    client.force_login(firm_admin)
    data = {
        "name": firm.name,
        "primary_color": firm.primary_color,
        "accent_color": firm.accent_color,
        "sender_email": firm.sender_email,
        "require_approval_mfa": "on",
        "link_valid_days": "7",
        "link_max_opens": "3",
        "approval_expire_days": "60",
        "assessment_tolerance": "10",
        "nl_yearly_vat_due_month": "3",
        "nl_yearly_vat_due_day": "31",
        "deadline_task_days_ahead": "0",
        "deadline_task_role": "accountant",
    }
    page = client.get(reverse("staff:firm_settings")).content.decode()
    assert 'name="link_valid_days"' in page and 'name="require_approval_mfa"' in page
    assert client.post(reverse("staff:firm_settings"), data).status_code == 302
    firm = firm_get()
    assert (firm.require_approval_mfa, firm.link_valid_days, firm.link_max_opens, firm.approval_expire_days) == (
        True, 7, 3, 60,
    )  # fmt: skip
    changes = Event.objects.get(verb="firm.updated").data["changes"]
    assert changes["link_valid_days"] == {"old": 14, "new": 7}
    bad = client.post(reverse("staff:firm_settings"), {**data, "link_valid_days": "0", "link_max_opens": "1000"})
    assert bad.status_code == 400
    assert firm_get().link_valid_days == 7
