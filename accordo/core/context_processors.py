from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import translation

from accordo.clients.selectors import firm_for_request
from accordo.core.links import reverse_once

_languages: list[tuple[tuple[str, str], ...]] = []


@receiver(setting_changed)
def _forget(**kwargs: Any) -> None:
    """Tests that override LANGUAGES get freshly translated names."""
    _languages.clear()


def language_choices() -> tuple[tuple[str, str], ...]:
    """(code, name) of each language, the name in that language: "Nederlands", "English", "Français"."""
    if not _languages:
        choices = []
        for code, name in settings.LANGUAGES:
            with translation.override(code):
                choices.append((code, str(name)))
        _languages.append(tuple(choices))
    return _languages[0]


def portal(request: HttpRequest) -> dict[str, Any]:
    """The firm's branding and the navigation facts every page needs."""
    user = getattr(request, "user", None)
    return {
        "firm": firm_for_request(request),
        "is_firm_staff": bool(user and user.is_authenticated and user.is_firm_staff),
        "LANGUAGE_CHOICES": language_choices(),
        # base.html's forms; the rest of its links are in {% shared %} blocks.
        "logout_url": reverse_once("account_logout"),
        "set_language_url": reverse_once("set_language"),
    }
