"""The client's page of one organisation's returns and assessments (portal members only)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accordo.clients.access import access_client_organisation
from accordo.clients.selectors import memberships_of
from accordo.core.access import AuthedRequest, login_required
from accordo.filings.selectors import organisation_returns


@require_GET
@login_required
def organisation(request: AuthedRequest, public_id: str) -> HttpResponse:
    org, membership = access_client_organisation(request.user, public_id)
    return render(
        request,
        "filings/portal/organisation.html",
        {
            "organisation": org,
            "membership": membership,
            "memberships": list(memberships_of(request.user)),
            "returns": list(organisation_returns(org)),
        },
    )
