"""Access helpers shared by every app: staff-only views answer 404 to everybody else."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

if TYPE_CHECKING:
    from accordo.accounts.models import User


def public_id_or_404(public_id: uuid.UUID | str) -> uuid.UUID:
    """A public id from a URL or form; anything that is not a UUID is simply not found."""
    try:
        return public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None


View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class AuthedRequest(HttpRequest):
    """The request of a view behind a login check: its user is a real account."""

    user: User


def staff_required(view: View) -> View:
    """Anonymous → login; logged in but not firm staff → 404 (the page does not exist for them)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_firm_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def firm_admin_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_firm_admin:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def login_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
