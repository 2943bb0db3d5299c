"""The site's URLs plus the floor: a bare template view behind the same middleware (bench only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path
from django.views.decorators.http import require_GET

from accordo.core.access import login_required

FLOOR_TEMPLATE = engines["django"].from_string(
    '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Floor</title></head>'
    "<body><main><h1>Floor</h1><p>Signed in as {{ user.email }}.</p></main></body></html>"
)


@require_GET
@login_required
def floor(request: HttpRequest) -> HttpResponse:
    """What every page costs at least: session, user, middleware and one tiny template."""
    return HttpResponse(FLOOR_TEMPLATE.render({"user": request.user}))


urlpatterns = [
    path("__bench__/floor/", floor, name="bench_floor"),
    path("", include("accordo.urls")),
]
