"""Whole-page cache for hot read-only pages, keyed on the head of the event log.

Every change of state goes through a service that appends an event in the same transaction
(STYLE.md), so the hash of the newest event names the state of everything a page can show. A page
kept under that hash is the page as it would be rendered now; the first write anywhere moves the
head and every kept page is simply never asked for again (the cache's own culling and expiry drop
them). The head is read *before* the view runs: a write committing in between can only put newer
content under the older key, never older content under the newer one.

The key also holds the user, the language, host and full path with query string, the local date
(pages may say "today" or "overdue") and a token of this process (templates and static URLs change
with a deploy). Not kept: anything but a 200 HTML answer, requests with flash messages waiting, and
while the log is empty. Each form's CSRF token is taken out of the kept copy and a fresh one for the
asking session put in on every answer.

Only for GET views without side effects: a view that records "viewed" events must not use this.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from accordo.core.models import EventChainHead

PROCESS = secrets.token_hex(8)
TIMEOUT = 600  # seconds; a page under a head nobody reads any more just waits to be culled
_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')
_MARK = "\x00csrf\x00"
_state = threading.local()


def data_version() -> str | None:
    """The newest event's hash, or None while the log is empty."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_hash FROM {EventChainHead._meta.db_table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


@contextlib.contextmanager
def bypassed() -> Iterator[None]:
    """Render every page afresh inside this block (the bench's cold measurements)."""
    _state.bypass = True
    try:
        yield
    finally:
        _state.bypass = False


def _key(request: HttpRequest, version: str) -> str:
    user = getattr(request, "user", None)
    parts = (
        PROCESS,
        version,
        getattr(user, "pk", None),
        get_language(),
        request.get_host(),
        request.get_full_path(),
        timezone.localdate().isoformat(),
    )
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _has_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    return bool(storage is not None and len(storage))


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's page from the cache while the event log has not moved."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "GET" or getattr(_state, "bypass", False) or _has_messages(request):
            return view(request, *args, **kwargs)
        version = data_version()
        if version is None:
            return view(request, *args, **kwargs)
        key = _key(request, version)
        kept = cache.get(key)
        if kept is not None:
            content_type, body = kept
            if _MARK in body:
                body = body.replace(_MARK, get_token(request))
            return HttpResponse(body, content_type=content_type)
        response = view(request, *args, **kwargs)
        content_type = response.get("Content-Type", "")
        if response.status_code == 200 and not response.streaming and content_type.startswith("text/html"):
            body = _CSRF.sub(lambda m: m.group(1) + _MARK + m.group(2), response.content.decode(response.charset))
            cache.set(key, (content_type, body), TIMEOUT)
        return response

    return wrapper
