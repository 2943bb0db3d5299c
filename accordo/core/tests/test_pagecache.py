"""The page cache: kept while the event log stands still, fresh after any write, never shared wrongly."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accordo.clients import services
from accordo.core import pagecache
from accordo.core.context import RequestContext
from accordo.testing.factories import OrganisationFactory

CTX = RequestContext(ip="192.0.2.1")
URL = "/staff/organisations/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


@pytest.fixture
def staff_client(client, accountant, firm_admin):
    # A service write gives the log a head: from here on the list may be kept.
    services.label_create(actor=firm_admin, ctx=CTX, name="Start")
    client.cookies["accordo_language"] = "en"
    client.force_login(accountant)
    return client


def _get(client: Client, url: str = URL, **params: str):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, [q["sql"] for q in captured.captured_queries]


def test_url_is_the_organisation_list():
    assert reverse("staff:organisation_list") == URL


def test_a_second_visit_is_served_from_the_cache_without_reading_the_rows(staff_client, organisation):
    first, first_sql = _get(staff_client)
    second, second_sql = _get(staff_client)
    assert "Bakkerij Test B.V." in first.content.decode()
    assert TOKEN.sub("", first.content.decode()) == TOKEN.sub("", second.content.decode())
    assert any("clients_organisation" in sql for sql in first_sql)
    assert not any("clients_organisation" in sql for sql in second_sql)
    assert len(second_sql) < len(first_sql)


def test_a_service_write_shows_at_once(staff_client, firm_admin, organisation):
    _get(staff_client)
    services.organisation_update(
        actor=firm_admin, ctx=CTX, organisation=organisation, changes={"name": "Bakkerij Hernoemd B.V."}
    )
    page, _ = _get(staff_client)
    assert "Bakkerij Hernoemd B.V." in page.content.decode()
    assert "Bakkerij Test B.V." not in page.content.decode()


def test_a_write_outside_the_event_log_is_not_seen_until_the_next_event(staff_client, firm_admin):
    # The contract the cache rests on, shown both ways: only event-recording writes move the key.
    _get(staff_client)
    OrganisationFactory(name="Zonder Gebeurtenis B.V.")
    assert "Zonder Gebeurtenis B.V." not in _get(staff_client)[0].content.decode()
    services.label_create(actor=firm_admin, ctx=CTX, name="Daarna")
    assert "Zonder Gebeurtenis B.V." in _get(staff_client)[0].content.decode()


def test_each_answer_carries_a_fresh_working_csrf_token(staff_client, accountant):
    _get(staff_client)
    kept, _ = _get(staff_client)
    tokens = TOKEN.findall(kept.content.decode())
    assert tokens and "\x00" not in kept.content.decode()
    # Another session of the same person gets the kept page with a token of its own session.
    other = Client(enforce_csrf_checks=True)
    other.force_login(accountant)
    page = other.get(URL)
    token = TOKEN.findall(page.content.decode())[0]
    assert token not in tokens
    signed_out = other.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert signed_out.status_code == 302
    assert "_auth_user_id" not in other.session


def test_people_languages_and_queries_each_get_their_own_page(staff_client, firm_admin):
    _get(staff_client)
    mine, _ = _get(staff_client)
    admin = Client()
    admin.cookies["accordo_language"] = "en"
    admin.force_login(firm_admin)
    theirs = admin.get(URL).content.decode()
    team = reverse("staff:team")
    assert f'href="{team}"' in theirs and f'href="{team}"' not in mine.content.decode()
    staff_client.cookies["accordo_language"] = "fr"
    french, _ = _get(staff_client)
    assert french.content.decode() != mine.content.decode()
    assert 'lang="fr"' in french.content.decode()
    searched, sql = _get(staff_client, q="niets-gevonden")
    assert any("clients_organisation" in s for s in sql)


def test_waiting_messages_are_shown_not_kept(staff_client):
    _get(staff_client)
    data = {
        "kind": "company",
        "name": "Met Bericht B.V.",
        "legal_form": "bv",
        "country": "NL",
        "kvk_number": "12345678",
        "financial_year_end_month": "12",
        "vat_frequency": "quarterly",
        "tier": "standard",
    }
    assert staff_client.post(reverse("staff:organisation_create"), data).status_code == 302
    # The flash message waits for the next page the person opens: here the list.
    page = staff_client.get(URL).content.decode()
    assert "Organisation created." in page and "Met Bericht B.V." in page
    again = staff_client.get(URL).content.decode()
    assert "Organisation created." not in again and "Met Bericht B.V." in again


def test_nothing_is_kept_while_the_log_is_empty(client, accountant, organisation):
    client.force_login(accountant)
    client.get(URL)
    OrganisationFactory(name="Later B.V.")
    assert "Later B.V." in client.get(URL).content.decode()


def test_bypassed_renders_afresh(staff_client):
    _get(staff_client)
    OrganisationFactory(name="Vers B.V.")
    with pagecache.bypassed():
        fresh, _ = _get(staff_client)
    assert "Vers B.V." in fresh.content.decode()
