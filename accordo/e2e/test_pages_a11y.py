"""Every main page, as the person who uses it, passes axe-core (WCAG 2.1 A and AA)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accordo.accounts import services as account_services
from accordo.accounts.models import Invitation
from accordo.clients import services as client_services
from accordo.core.context import RequestContext
from accordo.e2e.axe import PageGuard, checked
from accordo.e2e.flows import (
    assert_fits_width,
    follow,
    log_in,
    log_in_staff,
    path_of,
    submit,
    switch_language,
    visit,
)
from accordo.testing.factories import AssignmentFactory, LabelFactory

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}
NOT_ACCESSIBLE = """<!doctype html><html><head><title>Broken</title></head>
<body><main><h1>Broken</h1><img src="data:,"></main></body></html>"""
ACCESSIBLE = """<!doctype html><html lang="en"><head><title>Fine</title></head>
<body><main><h1>Fine</h1><p>Nothing to see.</p></main></body></html>"""


@pytest.fixture
def busy_organisation(organisation, firm_admin, client_owner):
    """The organisation with a label, an assigned accountant, a member, an open invitation and a change."""
    ctx = RequestContext.system("test")
    organisation.labels.add(LabelFactory(name="Jaarwerk"))
    AssignmentFactory(organisation=organisation, user=firm_admin)
    account_services.invitation_create(
        actor=firm_admin, ctx=ctx, organisation=organisation, email="later@client.test", role="viewer"
    )
    client_services.organisation_update(
        actor=firm_admin, ctx=ctx, organisation=organisation, changes={"phone": "+31 30 123 45 67"}
    )
    return organisation


def _invitation_link(invitation: Invitation) -> str:
    return reverse("invitation_accept", args=[invitation.public_id, account_services.invitation_token(invitation)])


def test_the_axe_check_catches_violations_and_unchecked_pages(new_context):
    raw = new_context().new_page()
    guard = PageGuard(raw)
    raw.route("http://axe.test/broken/", lambda route: route.fulfill(content_type="text/html", body=NOT_ACCESSIBLE))
    raw.route("http://axe.test/fine/", lambda route: route.fulfill(content_type="text/html", body=ACCESSIBLE))

    raw.goto("http://axe.test/broken/")
    with pytest.raises(AssertionError, match=r"(?s)html-has-lang \(serious\).*image-alt \(critical\).*\"img\""):
        checked(raw)
    raw.goto("http://axe.test/fine/")
    with pytest.raises(AssertionError, match=r"never checked with axe: http://axe.test/fine/"):
        guard.assert_complete()
    checked(raw)
    guard.assert_complete()


def test_it_serves_accessible_pages_before_login(page, live_server, firm_admin, organisation):
    base = live_server.url
    visit(page, f"{base}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "nl"
    for code in ("en", "fr", "nl"):
        switch_language(page, code)
        assert path_of(page) == "/accounts/login/"
        assert page.locator("html").get_attribute("lang") == code
        assert page.locator(f"header .language-switch button[value={code}]").get_attribute("aria-current") == "true"

    page.fill("input[name=login]", firm_admin.email)
    page.fill("input[name=password]", "not-the-password")
    submit(page)
    assert page.locator("main .form-errors").count() == 1

    visit(page, f"{base}/accounts/password/reset/")
    page.fill("input[name=email]", firm_admin.email)
    submit(page)
    assert path_of(page) == "/accounts/password/reset/done/"

    ctx = RequestContext.system("test")
    expired = account_services.invitation_create(
        actor=firm_admin, ctx=ctx, organisation=organisation, email="late@client.test", role="viewer"
    )
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert page.goto(base + _invitation_link(expired)).status == 410
    checked(page)
    withdrawn = account_services.invitation_create(
        actor=firm_admin, ctx=ctx, organisation=organisation, email="gone@client.test", role="viewer"
    )
    account_services.invitation_revoke(actor=firm_admin, ctx=ctx, invitation=withdrawn)
    assert page.goto(base + _invitation_link(withdrawn)).status == 410
    checked(page)


def test_it_serves_accessible_staff_pages(page, live_server, firm_admin, busy_organisation):
    base = live_server.url
    detail = f"/staff/organisations/{busy_organisation.public_id}/"
    log_in_staff(page, base, firm_admin)

    follow(page, "/staff/organisations/")
    page.fill("input[name=q]", "bakkerij")
    page.select_option("select[name=label]", label="Jaarwerk")
    page.select_option("select[name=assignee]", label=firm_admin.full_name)
    submit(page)
    assert page.locator("main tbody tr").count() == 1
    follow(page, detail)

    follow(page, f"{detail}edit/")
    page.fill("input[name=visit_postcode]", "geen postcode")
    submit(page)
    assert page.locator(".field.has-error input[name=visit_postcode]").count() == 1

    follow(page, f"{detail}invite/")
    page.fill("input[name=email]", "geen-adres")
    submit(page)
    assert page.locator(".field.has-error input[name=email]").count() == 1

    follow(page, f"{detail}timeline/")
    assert page.locator("ol.timeline .changes").count() == 1
    follow(page, "/staff/firm/")
    follow(page, "/staff/team/")
    visit(page, f"{base}/staff/organisations/new/")
    follow(page, "/profile/")
    follow(page, "/accounts/2fa/")
    visit(page, f"{base}/accounts/2fa/recovery-codes/generate/")
    visit(page, f"{base}/accounts/reauthenticate/")
    visit(page, f"{base}/accounts/password/change/")

    visit(page, f"{base}/staff/")
    for code in ("en", "fr", "nl"):
        switch_language(page, code)
        assert path_of(page) == "/staff/"
        assert page.locator("html").get_attribute("lang") == code


@pytest.mark.parametrize(
    "screen",
    [pytest.param("desktop"), pytest.param("phone", marks=pytest.mark.browser_context_args(**PHONE))],
)
def test_it_serves_accessible_client_pages_that_fit(page, live_server, client_owner, busy_organisation, screen):
    base = live_server.url
    home = f"/portal/{busy_organisation.public_id}/"

    log_in(page, base, client_owner.email)
    assert path_of(page) == "/portal/"
    assert_fits_width(page)
    for href in (home, f"{home}company/", f"{home}company/edit/"):
        follow(page, href)
        assert_fits_width(page)
    page.fill("input[name=visit_postcode]", "geen postcode")
    submit(page)
    assert page.locator(".field.has-error input[name=visit_postcode]").count() == 1
    assert_fits_width(page)
    for href in ("/profile/", "/accounts/2fa/"):
        follow(page, href)
        assert_fits_width(page)
    if screen == "phone":
        assert page.evaluate("window.innerWidth") == 390
