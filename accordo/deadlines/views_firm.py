"""The firm's calendar settings: payroll tax dates from the tax office's letter (administrators)."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accordo.clients.selectors import firm_get
from accordo.core.access import AuthedRequest, firm_admin_required, public_id_or_404
from accordo.core.context import ctx_from_request
from accordo.deadlines.forms import PayrollDateForm
from accordo.deadlines.models import PayrollDate
from accordo.deadlines.services_firm import payroll_date_add, payroll_date_remove


@require_http_methods(["GET", "POST"])
@firm_admin_required
def payroll_dates(request: AuthedRequest) -> HttpResponse:
    form = PayrollDateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payroll_date_add(
                actor=request.user,
                ctx=ctx_from_request(request),
                period_start=form.cleaned_data["period_start"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as exc:
            form.add_error(exc.code if exc.code in form.fields else None, exc.messages[0])
        else:
            messages.success(request, _("Payroll tax date added. The calendars are being updated."))
            return redirect("deadlines:payroll_dates")
    rows = list(PayrollDate.objects.order_by("-period_start"))
    years = [(year, list(group)) for year, group in groupby(rows, key=lambda r: r.period_start.year)]
    return render(
        request,
        "deadlines/payroll_dates.html",
        {"form": form, "years": years, "firm": firm_get()},
        status=400 if form.errors else 200,
    )


@require_POST
@firm_admin_required
def payroll_date_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    row = PayrollDate.objects.filter(public_id=public_id_or_404(public_id)).first()
    if row is None:
        raise Http404
    payroll_date_remove(actor=request.user, ctx=ctx_from_request(request), row=row)
    messages.success(request, _("Payroll tax date removed. The calendars are being updated."))
    return redirect("deadlines:payroll_dates")
