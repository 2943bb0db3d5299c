"""A new staff member must set up an authenticator app before any staff page, then always use it."""

from __future__ import annotations

import pytest

from accordo.accounts.management.commands.demo_totp import current_totp
from accordo.accounts.models import User
from accordo.e2e.flows import log_in, path_of, sign_out, submit, visit
from accordo.testing.factories import StaffFactory

pytestmark = pytest.mark.browser

ACTIVATE = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"


def _wrong_code(secret: str) -> str:
    """A code that is valid at no moment near now."""
    valid = {current_totp(secret, offset=o) for o in (-2, -1, 0, 1, 2)}
    return next(c for c in (f"{n:06d}" for n in range(123456, 999999, 7919)) if c not in valid)


def test_it_makes_new_staff_enrol_totp_and_then_asks_for_the_code(browse, live_server):
    """
    GIVEN a staff member without a second factor
    WHEN they log in
    THEN only the authenticator set-up opens until they enrol, and the next login needs the code:
         a wrong code is refused, the right one lets them in.
    """
    base = live_server.url
    user: User = StaffFactory.create(email="nieuw@firm.test", full_name="Nora Nieuw")
    page = browse()

    log_in(page, base, user.email)
    assert path_of(page) == ACTIVATE
    for blocked in ("/staff/", "/staff/organisations/", "/profile/"):
        visit(page, base + blocked)
        assert path_of(page) == ACTIVATE, f"{blocked} opened before 2FA enrolment"

    secret = page.input_value("#authenticator_secret")
    assert len(secret) >= 16
    enrol_code = current_totp(secret)
    page.fill("input[name=code]", enrol_code)
    submit(page)
    assert path_of(page) in ("/accounts/2fa/recovery-codes/", "/accounts/2fa/")
    visit(page, f"{base}/staff/")
    assert path_of(page) == "/staff/"

    sign_out(page)
    assert path_of(page) == "/accounts/login/"
    visit(page, f"{base}/staff/")
    assert path_of(page) == "/accounts/login/"

    log_in(page, base, user.email)
    assert path_of(page) == AUTHENTICATE
    page.fill("input[name=code]", _wrong_code(secret))
    submit(page)
    assert path_of(page) == AUTHENTICATE
    assert page.locator("main .errorlist").count() == 1, "a wrong code must say so"

    # allauth refuses a code twice within its period; the next period's code is within tolerance.
    code = current_totp(secret)
    page.fill("input[name=code]", code if code != enrol_code else current_totp(secret, offset=1))
    submit(page)
    assert path_of(page) == "/staff/"
