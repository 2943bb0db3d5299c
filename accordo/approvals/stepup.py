"""Step-up 2FA before approving in the portal (SPEC §16): a fresh code, not the login's second factor.

A user with a TOTP authenticator types a current code from the app (or an unused recovery code)
in the approve form; allauth checks it exactly as at login — its own code validation, its rate
limit on wrong codes, a TOTP code accepted only once — and records the reauthentication. Only then
does the decision carry ``mfa_passed=True``.

When the firm requires 2FA for approving (``Firm.require_approval_mfa``), a user without TOTP
cannot approve until they set it up. Users with only a passkey (WebAuthn) are treated as having
no step-up: confirming a passkey needs allauth's browser ceremony on its own reauthentication
page, which this form does not run. They approve when the firm does not require 2FA, and
otherwise are asked to add an authenticator app.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.base.forms import ReauthenticateForm
from allauth.mfa.models import Authenticator
from django.http import HttpRequest

from accordo.accounts.models import User
from accordo.clients.models import Firm


@dataclass(frozen=True)
class StepUp:
    """What approving asks of this user."""

    has_totp: bool  # a code must be typed with the decision
    firm_requires: bool  # the firm wants 2FA for every approval

    @property
    def blocked(self) -> bool:
        """Required, but the user has nothing to confirm with: they must enrol first."""
        return self.firm_requires and not self.has_totp

    @property
    def required(self) -> bool:
        """The decision service must refuse an approval without a passed step-up."""
        return self.firm_requires or self.has_totp


def step_up_for(user: User, firm: Firm) -> StepUp:
    has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return StepUp(has_totp=has_totp, firm_requires=firm.require_approval_mfa)


def step_up_verify(request: HttpRequest, user: User, code: str) -> str | None:
    """Check a TOTP or recovery code of ``user``; None when right, else the (translated) reason."""
    form = ReauthenticateForm(data={"code": code.strip()}, user=user)
    if form.is_valid():
        form.save()  # allauth records the reauthentication and the authenticator's use
        return None
    return str(next(iter(form.errors.values()))[0])
