"""Language choice, idle session expiry and the 2FA enrolment gate."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
MFA_FLAG = "accordo_mfa_enrolled"
AFTER_MFA = "accordo_after_mfa"
LAST_SEEN = "accordo_last_seen"
# Paths a user who still has to enrol 2FA may use: login/logout/2FA pages, assets, language switch.
MFA_FREE_PREFIXES = ("/accounts/", "/static/", "/language/", "/branding/", "/healthz")


class UserLanguageMiddleware:
    """Language from the switch cookie, else the user's preference (set later), else Dutch."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in LANGUAGE_CODES:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        translation.deactivate()
        return response


class IdleTimeoutMiddleware:
    """Log out a session that was idle longer than ACCORDO_SESSION_IDLE_MINUTES.

    Also applies the user's preferred language when no language cookie overrides it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.idle_seconds = settings.SESSION_IDLE_MINUTES * 60

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - int(last_seen) > self.idle_seconds:
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity."))
                return redirect(settings.LOGIN_URL)
            if last_seen is None or now - int(last_seen) >= 30:
                request.session[LAST_SEEN] = now
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and user.language in LANGUAGE_CODES:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        return self.get_response(request)


def must_enrol_mfa(request: HttpRequest) -> bool:
    """Staff always, clients when the firm requires it, must have a second factor."""
    from allauth.mfa.models import Authenticator

    from accordo.clients.selectors import firm_for_request

    user = request.user
    if not user.is_authenticated or request.session.get(MFA_FLAG):
        return False
    if not (user.is_firm_staff or firm_for_request(request).require_client_mfa):
        return False
    if Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.RECOVERY_CODES).exists():
        request.session[MFA_FLAG] = True
        return False
    return True


class MfaEnrolmentMiddleware:
    """Send users who must use 2FA to the enrolment page before any other page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(MFA_FREE_PREFIXES) and must_enrol_mfa(request):
            messages.warning(request, _("Set up two-factor authentication before you continue."))
            if request.method == "GET":
                request.session[AFTER_MFA] = request.get_full_path()
            return redirect("mfa_activate_totp")
        return self.get_response(request)
