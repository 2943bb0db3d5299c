"""Who and where a change comes from, carried into every event."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.authentication import get_authentication_records
from django.http import HttpRequest


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    user_agent: str = ""
    mfa_passed: bool = False
    source: str = "web"

    @classmethod
    def system(cls, source: str = "system") -> RequestContext:
        return cls(source=source)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; REMOTE_ADDR is set right by the proxy in front (gunicorn/nginx)."""
    return request.META.get("REMOTE_ADDR") or None


def mfa_passed(request: HttpRequest) -> bool:
    """True when this session's login included a second factor (allauth's records)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, user))


def ctx_from_request(request: HttpRequest) -> RequestContext:
    return RequestContext(
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
        mfa_passed=mfa_passed(request),
    )
