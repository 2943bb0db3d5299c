"""Project-wide views: the landing redirect, health check and the branding assets."""

from __future__ import annotations

import mimetypes

from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from accordo.clients.selectors import firm_for_request


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("account_login")
    return redirect("staff:home" if request.user.is_firm_staff else "portal:home")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
@cache_control(public=True, max_age=31536000, immutable=True)
def branding_css(request: HttpRequest) -> HttpResponse:
    """The firm's colours as CSS variables (cache-busted by the firm's version in the URL)."""
    css = render_to_string("branding.css", {"firm": firm_for_request(request)})
    return HttpResponse(css, content_type="text/css; charset=utf-8")


@require_GET
@cache_control(public=True, max_age=3600)
def branding_logo(request: HttpRequest) -> FileResponse:
    """The firm's logo, streamed from storage (local disk or S3 alike)."""
    firm = firm_for_request(request)
    if not firm.logo:
        raise Http404
    try:
        handle = firm.logo.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    content_type = mimetypes.guess_type(firm.logo.name)[0] or "application/octet-stream"
    return FileResponse(handle, content_type=content_type)
