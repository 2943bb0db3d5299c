"""Steps several journeys share, done the way a person does them.

Links and buttons are found by their target (href, field name), not by their text, so the
journeys keep working when the Dutch and French translations change the wording.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page

from accordo.accounts.models import User
from accordo.e2e.axe import checked
from accordo.testing.factories import TEST_PASSWORD, totp_now


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def visit(page: Page, url: str) -> Page:
    """Type an address into the browser and check what comes back."""
    page.goto(url)
    return checked(page)


def follow(page: Page, href: str) -> Page:
    """Click the first visible link to ``href`` and check the page it opens."""
    with page.expect_navigation():
        page.locator(f'a[href="{href}"]:visible').first.click()
    return checked(page)


def submit(page: Page, selector: str = "main button[type=submit]") -> Page:
    """Click a submit button, wait for the next document and check it."""
    with page.expect_navigation():
        page.locator(selector).first.click()
    return checked(page)


def switch_language(page: Page, code: str) -> Page:
    """Press the language button in the header; the same page comes back in that language."""
    return submit(page, f"header .language-switch button[value={code}]")


def sign_out(page: Page) -> Page:
    return submit(page, 'header form[action="/accounts/logout/"] button[type=submit]')


def log_in(page: Page, base_url: str, email: str, password: str = TEST_PASSWORD) -> Page:
    """Open the login page and submit e-mail and password (stops at whatever comes next)."""
    visit(page, f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    return submit(page)


def log_in_staff(page: Page, base_url: str, user: User) -> Page:
    """Log a staff user with an enrolled authenticator in: password, then the TOTP code."""
    log_in(page, base_url, user.email)
    assert path_of(page) == "/accounts/2fa/authenticate/", page.url
    page.fill("input[name=code]", totp_now())
    submit(page)
    assert path_of(page) == "/staff/", page.url
    return page


def assert_fits_width(page: Page) -> None:
    """Nothing sticks out sideways: the page never scrolls horizontally."""
    widths = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths[0]}px content in a {widths[1]}px window"
