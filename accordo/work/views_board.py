"""The planning board (SPEC §10): tasks by status as columns, filtered by assignee, week, client, label.

Moving a card is one form POST per card (works without JavaScript); board.js posts the same form
with fetch (asking for JSON) after a drag and drop or a keyboard move.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any, NamedTuple

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accordo.clients.models import Label
from accordo.core.access import AuthedRequest, staff_required
from accordo.core.context import ctx_from_request
from accordo.core.pagecache import cached_page
from accordo.work import services
from accordo.work.access import access_staff_task
from accordo.work.forms_tasks import BoardFilterForm, MoveForm, staff_choices
from accordo.work.models import Task
from accordo.work.selectors import (
    COLUMN_SIZE,
    DONE_RECENT_DAYS,
    board_columns,
    board_counts,
    column_tasks,
    target_url,
)

PAGE_SIZE = 50


def _filter_form(request: HttpRequest) -> BoardFilterForm:
    labels = list(Label.objects.order_by("name"))
    return BoardFilterForm(request.GET or None, staff=staff_choices(), labels=labels)


class Card(NamedTuple):
    """A task as a card shows it: its links, the page of its object and whether it is overdue."""

    task: Task
    url: str | None
    overdue: bool
    detail_url: str
    move_url: str
    organisation_url: str


_PLACEHOLDER = uuid.UUID(int=0)


def _url_maker(name: str) -> Callable[[uuid.UUID], str]:
    """A reverse() done once: a board shows up to 200 cards with three links each."""
    pattern = reverse(name, args=[_PLACEHOLDER])
    return lambda public_id: pattern.replace(str(_PLACEHOLDER), str(public_id))


def cards(tasks: list[Task], today: datetime.date) -> list[Card]:
    detail, move, org = _url_maker("work:task"), _url_maker("work:task_move"), _url_maker("staff:organisation_detail")
    return [
        Card(
            t,
            target_url(t),
            bool(t.due_date and t.due_date < today and t.status != Task.Status.DONE),
            detail(t.public_id),
            move(t.public_id),
            org(t.organisation.public_id) if t.organisation else "",
        )
        for t in tasks
    ]


def _querystring(request: HttpRequest, *drop: str) -> str:
    querystring = request.GET.copy()
    for key in ("page", *drop):
        querystring.pop(key, None)
    return querystring.urlencode()


def _board_context(request: AuthedRequest, form: BoardFilterForm) -> dict[str, Any]:
    filters = form.filters(request.user)
    return {
        "form": form,
        "filters": filters,
        "querystring": _querystring(request, "status"),
        "without_organisation": _querystring(request, "organisation"),
        "statuses": Task.Status.choices,
        "today": timezone.localdate(),
        "done_days": DONE_RECENT_DAYS,
        "column_size": COLUMN_SIZE,
    }


@require_GET
@staff_required
@cached_page
def board(request: AuthedRequest) -> HttpResponse:
    """Four columns of cards (done: the last DONE_RECENT_DAYS days), each with its count."""
    form = _filter_form(request)
    context = _board_context(request, form)
    today = context["today"]
    context["columns"] = [
        (status, label, count, cards(tasks, today)) for status, label, count, tasks in board_columns(context["filters"])
    ]
    return render(request, "work/board.html", context, status=400 if form.is_bound and form.errors else 200)


@require_GET
@staff_required
@cached_page
def board_column(request: AuthedRequest) -> HttpResponse:
    """Every card of one column (``?status=``, default To do), a page at a time: the board's "show more"."""
    status = request.GET.get("status") or Task.Status.OPEN
    if status not in Task.Status.values:
        raise Http404
    form = _filter_form(request)
    context = _board_context(request, form)
    count = board_counts(context["filters"])[status]
    paginator: Paginator[Task] = Paginator(column_tasks(context["filters"], status), PAGE_SIZE)
    paginator.count = count  # type: ignore[misc]  # known from the grouped count: no second count query
    page = paginator.get_page(request.GET.get("page"))
    context.update(
        {
            "status": status,
            "status_label": Task.Status(status).label,
            "count": count,
            "page": page,
            "cards": cards(list(page.object_list), context["today"]),
            "querystring": _querystring(request),
            "board_querystring": _querystring(request, "status"),
        }
    )
    return render(request, "work/board_column.html", context, status=400 if form.is_bound and form.errors else 200)


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request: HttpRequest, task: Task) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("work:task", args=[task.public_id])


def refuse(request: HttpRequest, task: Task, message: str, status: int) -> HttpResponse:
    """A move or assignment that cannot be done: JSON for board.js, else a page with the way back."""
    if wants_json(request):
        return JsonResponse({"ok": False, "error": message, "status": task.status}, status=status)
    return render(
        request,
        "work/tasks/refused.html",
        {"task": task, "message": message, "back": _back(request, task)},
        status=status,
    )


@require_POST
@staff_required
def task_move(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Move a task to another column; 400 on an unknown status, 409 when it moved since the page showed it."""
    task = access_staff_task(request.user, public_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return refuse(request, task, _("Choose a valid status."), 400)
    seen, status = form.cleaned_data["seen"], form.cleaned_data["status"]
    stale = _("This task was changed in the meantime. Reload the page.")
    if seen != task.status:
        return refuse(request, task, stale, 409)
    try:  # the service moves it only from the status the mover saw, so a move in between loses
        services.task_move(actor=request.user, ctx=ctx_from_request(request), task=task, status=status)
    except ValidationError as error:
        task.refresh_from_db(fields=["status"])
        return refuse(request, task, error.messages[0], 409 if error.code == "state" else 400)
    label = Task.Status(status).label
    text = _("“%(title)s” moved to %(status)s.") % {"title": task.title, "status": label}
    if wants_json(request):
        return JsonResponse({"ok": True, "status": status, "old": seen, "label": str(label), "message": text})
    messages.success(request, text)
    return redirect(_back(request, task))
