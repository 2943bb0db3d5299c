from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accordo.clients.selectors import firm_for_request


def portal(request: HttpRequest) -> dict[str, Any]:
    """The firm's branding and the navigation facts every page needs."""
    user = getattr(request, "user", None)
    return {
        "firm": firm_for_request(request),
        "is_firm_staff": bool(user and user.is_authenticated and user.is_firm_staff),
        "LANGUAGE_CHOICES": settings.LANGUAGES,
    }
