"""The staff overview of every approval of every client: filters, counts per status, paging, CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accordo.approvals.forms import OverviewFilterForm, filter_querystrings
from accordo.approvals.models import Approval
from accordo.approvals.selectors import (
    ApprovalFilters,
    approval_status_counts,
    approvals_for_export,
    approvals_overview,
)
from accordo.clients.models import Organisation
from accordo.core.access import AuthedRequest, staff_required
from accordo.core.models import choice_labels
from accordo.core.pagecache import cached_page

PAGE_SIZE = 50


class CountedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator told its count: the counts per status already hold it, no second scan of the rows."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


def _filters(form: OverviewFilterForm) -> ApprovalFilters:
    if not (form.is_bound and form.is_valid()):
        return ApprovalFilters()
    data = form.cleaned_data
    return ApprovalFilters(
        status=data["status"] or "",
        type=data["type"] or "",
        period=(data["period"] or "").strip(),
        older_than_days=int(data["age"]) if data["age"] else None,
        due=data["due"] or "",
        assignee=data["assignee"],
        organisation=Organisation.objects.filter(public_id=data["organisation"]).first()
        if data["organisation"]
        else None,
    )


@require_GET
@staff_required
@cached_page
def overview(request: AuthedRequest) -> HttpResponse:
    form = OverviewFilterForm(request.GET or None)
    filters = _filters(form)
    counts = approval_status_counts(filters)
    matching = counts[filters.status] if filters.status else sum(counts.values())
    page = CountedPaginator(approvals_overview(filters), PAGE_SIZE, matching).get_page(request.GET.get("page"))
    return render(
        request,
        "approvals/staff/overview.html",
        {
            "form": form if form.is_bound else OverviewFilterForm(),
            "filters": filters,
            "page": page,
            "counts": [(value, label, counts[value]) for value, label in Approval.Status.choices],
            "total": sum(counts.values()),
            **filter_querystrings(request),
            "mine_url": f"?assignee={request.user.public_id}",
            "today": timezone.localdate(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    """Text as a spreadsheet shows it, never as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_rows(filters: ApprovalFilters, language: str) -> Iterator[list[Any]]:
    """The export's rows; read while the response streams, after the view (and its language) is gone."""
    with translation.override(language):
        types = choice_labels(Approval._meta.get_field("type"))
        statuses = choice_labels(Approval._meta.get_field("status"))
        modes = choice_labels(Approval._meta.get_field("mode"))
        header = [
            _("Client"), _("Type"), _("Period or year"), _("Title"), _("Status"), _("Amount"), _("Mode"),
            _("Offered"), _("Offered by"), _("Due date"), _("Decided"), _("Who decides"), _("Approval id"),
        ]  # fmt: skip
    yield header
    for a in approvals_for_export(filters):
        deciders = "; ".join(f"{d.user.email}: {d.decision}" for d in a.deciders.all())
        yield [
            _cell(a.organisation.name),
            types.get(a.type, a.type),
            _cell(a.period),
            _cell(a.title),
            statuses.get(a.status, a.status),
            "" if a.amount is None else str(a.amount),
            modes.get(a.mode, a.mode),
            timezone.localtime(a.created_at).isoformat(timespec="seconds"),
            a.offered_by.email,
            a.due_date.isoformat() if a.due_date else "",
            timezone.localtime(a.decided_at).isoformat(timespec="seconds") if a.decided_at else "",
            _cell(deciders),
            str(a.public_id),
        ]


@require_GET
@staff_required
def export(request: AuthedRequest) -> HttpResponse | StreamingHttpResponse:
    """The overview's filtered set as CSV, streamed row by row."""
    form = OverviewFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponse(_("These filters are not valid."), status=400, content_type="text/plain; charset=utf-8")
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _csv_rows(_filters(form), translation.get_language())),
        content_type="text/csv; charset=utf-8",
    )
    name = f"approvals-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
