"""Staff pages of returns: the register, one client's returns, a return with its assessments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accordo.clients.access import access_staff_organisation
from accordo.clients.models import Organisation
from accordo.core.access import AuthedRequest, staff_required
from accordo.core.context import ctx_from_request
from accordo.core.pagecache import cached_page
from accordo.filings import services
from accordo.filings.access import access_staff_return
from accordo.filings.forms import AmountForm, AssessmentForm, RegisterFilterForm, ReturnForm, StatusForm
from accordo.filings.models import STATUS_RANK, ReturnStatus, TaxReturn
from accordo.filings.selectors import RegisterFilters, organisation_returns, returns_register
from accordo.filings.services import TRANSITIONS, ReturnStateError

PAGE_SIZE = 50


def _first_error(error: ValidationError) -> str:
    return str(error.messages[0]) if error.messages else _("That did not work.")


def _filters(form: RegisterFilterForm) -> RegisterFilters:
    if not (form.is_bound and form.is_valid()):
        return RegisterFilters()
    data = form.cleaned_data
    organisation = None
    if data["organisation"]:
        organisation = Organisation.objects.filter(public_id=data["organisation"]).first()
    return RegisterFilters(
        type=data["type"] or "", status=data["status"] or "", year=data["year"], outcome=data["outcome"] or "",
        organisation=organisation, client=(data["client"] or "").strip(),
    )  # fmt: skip


@require_GET
@staff_required
@cached_page
def register(request: AuthedRequest) -> HttpResponse:
    form = RegisterFilterForm(request.GET or None)
    filters = _filters(form)
    page = Paginator(returns_register(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "filings/staff/register.html",
        {
            "form": form if form.is_bound else RegisterFilterForm(),
            "filters": filters,
            "page": page,
            "querystring": query.urlencode(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
@staff_required
def organisation(request: AuthedRequest, public_id: str) -> HttpResponse:
    org = access_staff_organisation(request.user, public_id)
    return render(
        request,
        "filings/staff/organisation.html",
        {"organisation": org, "returns": list(organisation_returns(org))},
    )


@require_http_methods(["GET", "POST"])
@staff_required
def return_create(request: AuthedRequest, public_id: str) -> HttpResponse:
    org = access_staff_organisation(request.user, public_id)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tax_return = services.return_create(
                actor=request.user, ctx=ctx_from_request(request), organisation=org, type=form.cleaned_data["type"],
                period=form.cleaned_data["period"], amount=form.cleaned_data["amount"],
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, _first_error(error))
        else:
            messages.success(request, _("The return has been added."))
            return redirect("filings_staff:return", tax_return.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "filings/staff/return_form.html", {"organisation": org, "form": form}, status=status)


def _next(tax_return: TaxReturn) -> list[str]:
    return sorted(TRANSITIONS.get(tax_return.status, ()), key=STATUS_RANK.__getitem__)


def _detail(request: AuthedRequest, tax_return: TaxReturn, *, status: int = 200, **extra: Any) -> HttpResponse:
    approval = tax_return.approval
    submission = getattr(approval, "submission", None) if approval else None
    context = {
        "tax_return": tax_return,
        "organisation": tax_return.organisation,
        "assessments": list(tax_return.assessments.select_related("entered_by").order_by("-dagtekening", "-id")),
        "approval": approval,
        "submission": submission,
        "next_statuses": [
            (s, ReturnStatus(s).label)
            for s in sorted(TRANSITIONS.get(tax_return.status, ()), key=STATUS_RANK.__getitem__)
        ],
        "amount_form": extra.pop("amount_form", None) or AmountForm(initial={"amount": tax_return.amount}),
        "error": extra.pop("error", ""),
        **extra,
    }
    return render(request, "filings/staff/return.html", context, status=status)


@require_GET
@staff_required
def return_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    return _detail(request, access_staff_return(request.user, public_id))


@require_POST
@staff_required
def return_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    tax_return = access_staff_return(request.user, public_id)
    form = AmountForm(request.POST)
    if not form.is_valid():
        return _detail(request, tax_return, status=400, amount_form=form)
    services.return_update(
        actor=request.user, ctx=ctx_from_request(request), tax_return=tax_return, amount=form.cleaned_data["amount"]
    )
    messages.success(request, _("The amount has been saved."))
    return redirect("filings_staff:return", tax_return.public_id)


@require_POST
@staff_required
def return_move(request: AuthedRequest, public_id: str) -> HttpResponse:
    tax_return = access_staff_return(request.user, public_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _detail(request, tax_return, status=400, error=_("Choose a status."))
    try:
        services.return_move(
            actor=request.user, ctx=ctx_from_request(request), tax_return=tax_return, status=form.cleaned_data["status"]
        )
    except ReturnStateError as error:
        return _detail(request, tax_return, status=409, error=_first_error(error))
    messages.success(request, _("The status has been changed."))
    return redirect("filings_staff:return", tax_return.public_id)


@require_http_methods(["GET", "POST"])
@staff_required
def assessment_create(request: AuthedRequest, public_id: str) -> HttpResponse:
    tax_return = access_staff_return(request.user, public_id)
    form = AssessmentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                assessment = services.assessment_record(
                    actor=request.user, ctx=ctx_from_request(request), tax_return=tax_return, kind=data["kind"],
                    amount=data["amount"], dagtekening=data["dagtekening"], number=data["number"],
                )  # fmt: skip
            except ReturnStateError as error:
                form.add_error(None, _first_error(error))
                status = 409
            except ValidationError as error:
                form.add_error(None, _first_error(error))
            else:
                if assessment.outcome == assessment.Outcome.CONFORM:
                    messages.success(request, _("The assessment is conform the return; the client has been told."))
                else:
                    messages.warning(
                        request,
                        _("The assessment differs from the return. The client has been told and the objection "
                          "deadline is in the calendar."),
                    )  # fmt: skip
                return redirect("filings_staff:return", tax_return.public_id)
    return render(
        request,
        "filings/staff/assessment_form.html",
        {"tax_return": tax_return, "organisation": tax_return.organisation, "form": form},
        status=status,
    )
