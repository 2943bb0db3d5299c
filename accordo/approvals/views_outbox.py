"""The submission outbox for staff (SPEC §15): approved returns and filings, worked through step by step."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accordo.approvals import outbox as outbox_services
from accordo.approvals.access import access_staff_submission
from accordo.approvals.forms import AdvanceForm, OutboxFilterForm, filter_querystrings
from accordo.approvals.models import Submission
from accordo.approvals.selectors import OutboxFilters, outbox, outbox_counts
from accordo.core.access import AuthedRequest, staff_required
from accordo.core.context import ctx_from_request
from accordo.dossier.views.common import first_error

PAGE_SIZE = 50
DONE = {
    Submission.Status.SUBMITTED: gettext_lazy("Marked as submitted."),
    Submission.Status.ACCEPTED: gettext_lazy("Marked as accepted."),
    Submission.Status.REJECTED: gettext_lazy("Marked as rejected."),
    Submission.Status.READY: gettext_lazy("Ready to submit again."),
}


@require_GET
@staff_required
def outbox_page(request: AuthedRequest) -> HttpResponse:
    form = OutboxFilterForm(request.GET or None)
    filters = OutboxFilters()
    if form.is_bound and form.is_valid():
        filters = OutboxFilters(status=form.cleaned_data["status"], channel=form.cleaned_data["channel"])
    page = Paginator(outbox(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = outbox_counts(filters)
    return render(
        request,
        "approvals/staff/outbox.html",
        {
            "form": form if form.is_bound else OutboxFilterForm(),
            "filters": filters,
            "page": page,
            "counts": [(value, label, counts[value]) for value, label in Submission.Status.choices],
            **filter_querystrings(request),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
@staff_required
def submission_advance(request: AuthedRequest, public_id: str) -> HttpResponse:
    """One step of a submission: submitted, accepted, rejected (a note is required) or ready again."""
    submission = access_staff_submission(request.user, public_id)
    form = AdvanceForm(request.POST)
    filters = QueryDict(request.POST.get("filters", "")).urlencode()  # re-encoded: only a query string
    back = redirect(reverse("approvals_staff:outbox") + (f"?{filters}" if filters else ""))
    if not form.is_valid():
        messages.error(request, _("Choose a valid step."))
        return back
    status = form.cleaned_data["status"]
    try:
        outbox_services.submission_advance(
            actor=request.user,
            ctx=ctx_from_request(request),
            submission=submission,
            status=status,
            reference=form.cleaned_data["reference"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, first_error(error))
    else:
        messages.success(request, str(DONE[status]))
    return back
