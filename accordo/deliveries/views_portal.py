"""Client pages of deliveries: deliver into trays (drop, pick, camera), follow, answer, replace."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accordo.clients.access import access_client_organisation
from accordo.clients.selectors import memberships_of
from accordo.core.access import AuthedRequest, login_required
from accordo.core.context import ctx_from_request
from accordo.deliveries import services
from accordo.deliveries.access import access_client_delivery
from accordo.deliveries.forms import AnswerForm, DeliveryUploadForm
from accordo.deliveries.mailin import tray_address
from accordo.deliveries.models import Delivery, Tray
from accordo.deliveries.selectors import active_trays, deliveries_of
from accordo.dossier.models import MAX_FILE_BYTES
from accordo.dossier.views.common import (
    each_upload,
    first_error,
    received_files,
    send_version,
    upload_error,
    wants_json,
)

PAGE_SIZE = 50


@require_GET
@login_required
def deliveries_page(request: AuthedRequest, public_id: str) -> HttpResponse:
    organisation, membership = access_client_organisation(request.user, public_id)
    trays = active_trays()
    page = Paginator(deliveries_of(organisation), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "deliveries/portal/deliveries.html",
        {
            "organisation": organisation,
            "membership": membership,
            "memberships": list(memberships_of(request.user)),
            "trays": trays,
            "form": DeliveryUploadForm(initial={"tray": request.GET.get("tray")}),
            "page": page,
            "max_bytes": MAX_FILE_BYTES,
            "addresses": _addresses(services.address_of(organisation).token, trays),
        },
    )


def _addresses(token: str, trays: list[Tray]) -> list[tuple[str, str]]:
    """(tray name, e-mail address) for every tray, and the plain address first."""
    return [("", tray_address(token))] + [(t.name, tray_address(token, t)) for t in trays]


@require_POST
@login_required
def deliver(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Files into a tray; the widget sends one file a request, with the tray and optional details."""
    organisation, membership = access_client_organisation(request.user, public_id)
    if not membership.can_deliver:
        return upload_error(request, _("Your role lets you look, not deliver documents."), 403)
    form = DeliveryUploadForm(request.POST)
    files, refused = received_files(request)
    if refused is not None:
        return refused
    if not form.is_valid():
        for upload in files:
            upload.close()
        problem = "; ".join(str(e[0]) for e in form.errors.values())
        return upload_error(request, problem, 400)
    replaces = None
    if form.cleaned_data.get("replaces"):
        replaces, _membership = access_client_delivery(request.user, form.cleaned_data["replaces"], deliver=True)
        if replaces.organisation_id != organisation.pk:
            return upload_error(request, _("That delivery does not exist."), 404)
    ctx = ctx_from_request(request)
    stored, errors = each_upload(
        files,
        lambda upload: services.delivery_receive(
            actor=request.user,
            ctx=ctx,
            organisation=organisation,
            tray=form.cleaned_data["tray"],
            file=upload,
            name=upload.name or "",
            size=upload.size or 0,
            mime=upload.sniffed_mime,
            sha256=upload.sha256,
            note=form.cleaned_data["note"],
            amount=form.cleaned_data["amount"],
            due_date=form.cleaned_data["due_date"],
            replaces=replaces,
        ),
    )
    deliveries: list[Delivery] = stored  # type: ignore[assignment]
    if wants_json(request):
        return JsonResponse(
            {
                "ok": not errors,
                "error": " ".join(errors),
                "files": [
                    {"name": d.original_name, "url": reverse("deliveries:client_delivery", args=[d.public_id])}
                    for d in deliveries
                ],
            },
            status=400 if errors and not deliveries else 200,
        )
    for error in errors:
        messages.error(request, error)
    if deliveries:
        messages.success(request, _("%(count)d file(s) received.") % {"count": len(deliveries)})
    return redirect("deliveries:client_deliveries", organisation.public_id)


@require_GET
@login_required
def delivery_page(request: AuthedRequest, public_id: str) -> HttpResponse:
    delivery, membership = access_client_delivery(request.user, public_id)
    return render(
        request,
        "deliveries/portal/delivery.html",
        {
            "organisation": delivery.organisation,
            "memberships": list(memberships_of(request.user)),
            "delivery": delivery,
            "membership": membership,
            "data": {**delivery.extracted, **delivery.confirmed},
            "answer_form": AnswerForm(),
            "replace_form": DeliveryUploadForm(
                initial={"tray": delivery.tray.public_id, "replaces": delivery.public_id}
            ),
            "max_bytes": MAX_FILE_BYTES,
        },
    )


@require_POST
@login_required
def delivery_answer(request: AuthedRequest, public_id: str) -> HttpResponse:
    delivery, _membership = access_client_delivery(request.user, public_id, deliver=True)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your answer."))
        return redirect("deliveries:client_delivery", delivery.public_id)
    try:
        services.delivery_answer(
            actor=request.user, ctx=ctx_from_request(request), delivery=delivery, answer=form.cleaned_data["answer"]
        )
    except ValidationError as error:
        messages.error(request, first_error(error))
        return redirect("deliveries:client_delivery", delivery.public_id)
    messages.success(request, _("Thank you: your answer was sent to the firm."))
    return redirect("deliveries:client_delivery", delivery.public_id)


@require_GET
@login_required
def delivery_file(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    delivery, _membership = access_client_delivery(request.user, public_id)
    return send_version(delivery, inline=False, name=delivery.original_name)
