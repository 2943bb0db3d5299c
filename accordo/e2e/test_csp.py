"""The strict Content-Security-Policy holds in a real browser: nothing on the pages is refused.

The other browser tests bypass the CSP to inject axe-core; this one does not, so an inline script
or style, or a library that evaluates strings, shows up here as a refused resource.
"""

from __future__ import annotations

import pytest

from accordo.testing.factories import TEST_PASSWORD, totp_now

pytestmark = pytest.mark.browser


def _watch(page):
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: refused.append(f"script error: {e}"))
    return refused


def _log_in(page, base: str, email: str, code: str | None = None) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    if code is not None:
        page.fill("input[name=code]", code)
        with page.expect_navigation():
            page.click("main button[type=submit]")


def test_it_runs_every_page_under_the_strict_policy(browser, live_server, accountant, client_owner, organisation):
    base = live_server.url
    staff = browser.new_context()
    page = staff.new_page()
    refused = _watch(page)
    _log_in(page, base, accountant.email, totp_now())
    for path in [
        "/staff/",
        "/staff/organisations/",
        f"/staff/organisations/{organisation.public_id}/",
        f"/staff/organisations/{organisation.public_id}/edit/",
        f"/staff/organisations/{organisation.public_id}/timeline/",
        "/accounts/2fa/",
        "/accounts/2fa/webauthn/",
        "/profile/",
    ]:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    # htmx and Alpine are loaded and working under the policy.
    assert page.evaluate("() => typeof window.htmx === 'object' && typeof window.Alpine === 'object'")
    staff.close()

    portal = browser.new_context()
    page = portal.new_page()
    refused += _watch(page)
    _log_in(page, base, client_owner.email)
    for path in ["/portal/", f"/portal/{organisation.public_id}/", f"/portal/{organisation.public_id}/company/edit/"]:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    portal.close()
    assert refused == []
