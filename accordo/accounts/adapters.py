"""allauth and axes hooks: no open sign-up, branded mails sent by the worker, firm-named TOTP."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpRequest
from django.urls import reverse

from accordo.core.mail import mail_send_later


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """People join by invitation only."""
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return reverse("home")

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render allauth's mail (password reset, ...) in the branded layout; the worker sends it."""
        from accordo.clients.selectors import firm_get

        firm = firm_get()
        context = {**context, "firm": firm}
        message = self.render_mail(template_prefix, email, context)
        message.from_email = firm.sender
        mail_send_later(message)


class MfaAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        from accordo.clients.selectors import firm_get

        return firm_get().name

    def get_totp_label(self, user: Any) -> str:
        return str(user.email)


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The login name axes counts failures for (allauth passes it as 'email')."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or request.POST.get("login", "")
    return str(value).strip().lower()
