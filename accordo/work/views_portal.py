"""Client pages of work: an organisation's tasks for the client, and marking one done.

Reached only through a portal membership (``Membership.objects.portal()``). Every member sees the
tasks; the assigned client user marks one done, or, when none of the client's users is assigned,
any member who may deliver (owner, approver, contributor). Viewers look only.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accordo.clients.access import access_client_organisation
from accordo.clients.selectors import memberships_of
from accordo.core.access import AuthedRequest, login_required
from accordo.core.context import ctx_from_request
from accordo.work import services
from accordo.work.access import access_client_task, client_may_complete
from accordo.work.models import Task
from accordo.work.selectors import client_tasks

PAGE_SIZE = 50


@require_GET
@login_required
def tasks_page(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The organisation's tasks for the client, open ones first."""
    organisation, membership = access_client_organisation(request.user, public_id)
    page = Paginator(client_tasks(organisation), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(task, client_may_complete(task, membership)) for task in page.object_list]
    return render(
        request,
        "work/portal/tasks.html",
        {
            "organisation": organisation,
            "membership": membership,
            "memberships": list(memberships_of(request.user)),
            "page": page,
            "rows": rows,
            "today": timezone.localdate(),
        },
    )


@require_POST
@login_required
def task_done(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Mark a task for the client done: 403 for viewers and for a task given to another user, 409 when done."""
    task, membership = access_client_task(request.user, public_id)
    assert task.organisation is not None
    back = reverse("work_portal:tasks", args=[task.organisation.public_id])
    if task.status != Task.Status.DONE and not client_may_complete(task, membership):
        message = _("You can see this task, but someone else marks it done.")
        return render(request, "work/tasks/refused.html", {"task": task, "message": message, "back": back}, status=403)
    try:
        services.task_complete_by_client(
            actor=request.user, ctx=ctx_from_request(request), task=task, membership=membership
        )
    except ValidationError as error:
        context = {"task": task, "message": error.messages[0], "back": back}
        return render(request, "work/tasks/refused.html", context, status=409)
    messages.success(request, _("Thank you: “%(title)s” is done.") % {"title": task.title})
    return redirect(back)
