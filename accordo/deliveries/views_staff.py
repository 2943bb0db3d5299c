"""Staff pages of deliveries: the processing queue over all clients, one delivery beside its data."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.core.access import AuthedRequest, firm_admin_required, staff_required
from accordo.core.context import ctx_from_request
from accordo.deliveries import services
from accordo.deliveries.access import access_staff_delivery
from accordo.deliveries.forms import ConfirmForm, QueueFilterForm, ReturnForm, TrayForm
from accordo.deliveries.models import Delivery, Tray
from accordo.deliveries.selectors import QueueFilters, queue, status_counts
from accordo.dossier.views.common import first_error, send_version

PAGE_SIZE = 50
BULK_MAX = 200


@require_GET
@staff_required
def queue_page(request: AuthedRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    filters = QueueFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = QueueFilters(
            tray=data["tray"],
            status=data["status"] or "",
            older_than_days=int(data["age"]) if data["age"] else None,
            organisation=Organisation.objects.filter(public_id=data["organisation"]).first()
            if data["organisation"]
            else None,
            assignee=User.objects.filter(public_id=data["assignee"]).exclude(staff_role="").first()
            if data["assignee"]
            else None,
        )
    page = Paginator(queue(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = status_counts()
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "deliveries/staff/queue.html",
        {
            "form": form if form.is_bound else QueueFilterForm(),
            "filters": filters,
            "page": page,
            "counts": [(label, counts[value]) for value, label in Delivery.Status.choices],
            "querystring": querystring.urlencode(),
            "mine_url": f"?assignee={request.user.public_id}",
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
@staff_required
def delivery_page(request: AuthedRequest, public_id: str) -> HttpResponse:
    delivery = access_staff_delivery(request.user, public_id)
    data = {**delivery.extracted, **delivery.confirmed}
    return render(
        request,
        "deliveries/staff/delivery.html",
        {
            "delivery": delivery,
            "organisation": delivery.organisation,
            "data": data,
            "confirm_form": ConfirmForm(initial={k: data.get(k) for k in services.CONFIRMABLE}),
            "return_form": ReturnForm(),
            "archive_path": services.archive_folder_path(delivery),
        },
    )


@require_GET
@staff_required
@xframe_options_sameorigin
def delivery_file(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    delivery = access_staff_delivery(request.user, public_id)
    return send_version(delivery, inline=request.GET.get("inline") == "1", name=delivery.original_name)


def _back(delivery: Delivery) -> HttpResponse:
    return redirect("deliveries:staff_delivery", delivery.public_id)


@require_POST
@staff_required
def delivery_confirm(request: AuthedRequest, public_id: str) -> HttpResponse:
    delivery = access_staff_delivery(request.user, public_id)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, str(errors[0]))
        return _back(delivery)
    try:
        changes = services.delivery_confirm(
            actor=request.user, ctx=ctx_from_request(request), delivery=delivery, data=form.cleaned_data
        )
    except ValidationError as error:
        messages.error(request, first_error(error))
        return _back(delivery)
    messages.success(request, _("Changes saved.") if changes else _("Nothing was changed."))
    return _back(delivery)


@require_POST
@staff_required
def delivery_process(request: AuthedRequest, public_id: str) -> HttpResponse:
    delivery = access_staff_delivery(request.user, public_id)
    try:
        services.delivery_process(actor=request.user, ctx=ctx_from_request(request), delivery=delivery)
    except ValidationError as error:
        messages.error(request, first_error(error))
        return _back(delivery)
    messages.success(request, _("Processed and filed in the dossier."))
    return _back(delivery)


@require_POST
@staff_required
def delivery_return(request: AuthedRequest, public_id: str) -> HttpResponse:
    delivery = access_staff_delivery(request.user, public_id)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the question for the client."))
        return _back(delivery)
    try:
        services.delivery_return(
            actor=request.user, ctx=ctx_from_request(request), delivery=delivery, question=form.cleaned_data["question"]
        )
    except ValidationError as error:
        messages.error(request, first_error(error))
        return _back(delivery)
    messages.success(request, _("Returned to the client with your question."))
    return _back(delivery)


@require_POST
@staff_required
def bulk_process(request: AuthedRequest) -> HttpResponse:
    """Mark the chosen deliveries processed (each archived); all or nothing."""
    ids = request.POST.getlist("delivery")[:BULK_MAX]
    chosen = [access_staff_delivery(request.user, public_id) for public_id in ids]
    if not chosen:
        messages.error(request, _("Choose at least one delivery."))
        return redirect("deliveries:staff_queue")
    ctx = ctx_from_request(request)
    try:
        with transaction.atomic():
            for delivery in chosen:
                services.delivery_process(actor=request.user, ctx=ctx, delivery=delivery)
    except ValidationError as error:
        messages.error(request, first_error(error) + " " + _("Nothing was processed."))
        return redirect("deliveries:staff_queue")
    count = len(chosen)
    messages.success(
        request, ngettext("%(count)d delivery processed.", "%(count)d deliveries processed.", count) % {"count": count}
    )
    filters = QueryDict(request.POST.get("filters", "")).urlencode()  # re-encoded: only a query string
    return redirect(reverse("deliveries:staff_queue") + (f"?{filters}" if filters else ""))


@require_http_methods(["GET", "POST"])
@firm_admin_required
def trays_page(request: AuthedRequest) -> HttpResponse:
    """The firm's trays: change one (``?tray=<id>`` form posted with ``tray``) or add one."""
    trays = list(Tray.objects.all())
    editing: Tray | None = None
    if request.method == "POST" and request.POST.get("tray"):
        editing = next((t for t in trays if str(t.public_id) == request.POST["tray"]), None)
        if editing is None:
            raise Http404
    form = TrayForm(request.POST or None, instance=editing, prefix=str(editing.public_id) if editing else "new")
    if request.method == "POST" and form.is_valid():
        try:
            services.tray_save(actor=request.user, ctx=ctx_from_request(request), tray=editing, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error("slug", error)
        else:
            messages.success(request, _("Tray saved."))
            return redirect("deliveries:staff_trays")
    forms_by_tray = [
        (t, form if editing is not None and t.pk == editing.pk else TrayForm(instance=t, prefix=str(t.public_id)))
        for t in trays
    ]
    new_form = form if editing is None and request.method == "POST" else TrayForm(prefix="new")
    return render(
        request,
        "deliveries/staff/trays.html",
        {"trays": forms_by_tray, "new_form": new_form},
        status=400 if form.errors else 200,
    )
