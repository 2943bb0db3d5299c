"""URLs reversed once per process: reverse() costs tens of microseconds, and busy pages need the same
few URLs on every request. They change only with the URL configuration or the script prefix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

_reversed: dict[tuple[Any, ...], str] = {}
_ZERO_UUID = "00000000-0000-0000-0000-000000000000"


@receiver(setting_changed)
def _forget(**kwargs: Any) -> None:
    _reversed.clear()


def reverse_once(view_name: str, args: Sequence[Any] = ()) -> str:
    """reverse(view_name, args=args), kept per URL configuration and script prefix."""
    key = (view_name, tuple(args), settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())
    url = _reversed.get(key)
    if url is None:
        url = _reversed[key] = reverse(view_name, args=args)
    return url


def public_id_url(view_name: str) -> tuple[str, str]:
    """(head, tail) of the URL of a view that takes one public id: ``head + str(public_id) + tail``."""
    head, tail = reverse_once(view_name, [_ZERO_UUID]).split(_ZERO_UUID)
    return head, tail
