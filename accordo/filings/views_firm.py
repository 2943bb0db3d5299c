"""Staff pages across all clients: importing assessments from CSV, the extension scheme's progress."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accordo.clients.selectors import firm_get
from accordo.core.access import AuthedRequest, staff_required
from accordo.core.context import ctx_from_request
from accordo.core.pagecache import cached_page
from accordo.filings.csvimport import COLUMNS, MAX_ROWS, assessments_import
from accordo.filings.forms import ImportForm, ProgressForm
from accordo.filings.progress import scheme_progress


@require_http_methods(["GET", "POST"])
@staff_required
def csv_import(request: AuthedRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = assessments_import(
                actor=request.user, ctx=ctx_from_request(request), upload=form.cleaned_data["file"]
            )
            status = 200 if result.ok else 400
    return render(
        request,
        "filings/staff/import.html",
        {"form": form, "result": result, "columns": COLUMNS, "max_rows": MAX_ROWS},
        status=status,
    )


@require_GET
@staff_required
@cached_page
def progress(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    form = ProgressForm(request.GET or None)
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else today.year - 1
    if not form.is_bound:
        form = ProgressForm(initial={"year": year})
    return render(
        request,
        "filings/staff/progress.html",
        {
            "form": form,
            "year": year,
            "rows": scheme_progress(year, today=today),
            "scheme_on": firm_get().extension_scheme,
            "today": today,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
