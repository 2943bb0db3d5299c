"""Client pages: home with the organisation switcher, company data view and edit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accordo.approvals.selectors_portal import waiting_for
from accordo.clients import services, tables
from accordo.clients.access import access_client_organisation
from accordo.clients.forms import CompanyDataForm, client_fields_for
from accordo.clients.models import Organisation
from accordo.clients.selectors import firm_for_request, membership_rows, memberships_of
from accordo.core.access import AuthedRequest, login_required
from accordo.core.context import ctx_from_request
from accordo.core.pagecache import cached_page
from accordo.deliveries.models import Delivery


@require_GET
@login_required
@cached_page
def client_home(request: AuthedRequest) -> HttpResponse:
    if request.user.is_firm_staff:
        return redirect("staff:home")
    memberships = membership_rows(request.user)
    return render(
        request,
        "clients/portal/home.html",
        {
            "memberships": memberships,
            "cards": tables.membership_cards(memberships),
            "waiting": waiting_for(request.user),
        },
    )


def field_display(organisation: Organisation, name: str) -> object:
    """A field as a person reads it: choice labels, the BSN masked."""
    if name == "bsn":
        return organisation.bsn_masked
    display = getattr(organisation, f"get_{name}_display", None)
    return display() if display else getattr(organisation, name)


def field_label(name: str) -> object:
    return Organisation._meta.get_field(name).verbose_name  # type: ignore[union-attr]


def _portal_context(request: AuthedRequest, organisation: Organisation, membership: object) -> dict[str, object]:
    return {
        "organisation": organisation,
        "membership": membership,
        "memberships": list(memberships_of(request.user)),
    }


@require_GET
@login_required
def organisation_home(request: AuthedRequest, public_id: str) -> HttpResponse:
    organisation, membership = access_client_organisation(request.user, public_id)
    context = _portal_context(request, organisation, membership)
    context["approvals_waiting"] = waiting_for(request.user, organisation)
    context["questions"] = list(
        Delivery.objects.filter(organisation=organisation, status=Delivery.Status.RETURNED).order_by("-updated_at")[:20]
    )
    return render(request, "clients/portal/organisation_home.html", context)


@require_GET
@login_required
def company_data(request: AuthedRequest, public_id: str) -> HttpResponse:
    organisation, membership = access_client_organisation(request.user, public_id)
    fields = [(field_label(name), field_display(organisation, name)) for name in client_fields_for(organisation)]
    context = _portal_context(request, organisation, membership)
    context["fields"] = fields
    return render(request, "clients/portal/company_data.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def company_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    organisation, membership = access_client_organisation(request.user, public_id, write=True)
    locked = list(firm_for_request(request).locked_fields)
    form = CompanyDataForm(request.POST or None, instance=organisation, locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                fresh = Organisation.objects.select_for_update().get(pk=organisation.pk)
                diff = services.organisation_update(
                    actor=request.user,
                    ctx=ctx_from_request(request),
                    organisation=fresh,
                    changes=form.changes(),
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your changes are saved.") if diff else _("Nothing was changed."))
            return redirect("portal:company_data", organisation.public_id)
    organisation.refresh_from_db()
    context = _portal_context(request, organisation, membership)
    context["form"] = form
    context["locked_fields"] = [
        (field_label(name), field_display(organisation, name))
        for name in client_fields_for(organisation)
        if name in locked
    ]
    return render(request, "clients/portal/company_edit.html", context, status=400 if form.errors else 200)
