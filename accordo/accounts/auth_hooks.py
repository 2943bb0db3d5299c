"""Session plumbing around allauth's login."""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.http import HttpRequest


def mark_fresh_login_as_recent_authentication(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """A password typed seconds ago counts as a recent re-authentication.

    allauth asks to re-enter the password before 2FA can be set up; right after signing in (when
    staff are sent to enrol 2FA) that would ask for the same password twice. The grace period is
    allauth's own re-authentication timeout, after which it asks again.
    """
    records = list(request.session.get(AUTHENTICATION_METHODS_SESSION_KEY) or [])
    if records:
        records[-1] = {**records[-1], "reauthenticated": True}
        request.session[AUTHENTICATION_METHODS_SESSION_KEY] = records
