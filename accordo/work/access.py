"""Object access checks of tasks: missing and forbidden both raise Http404 (STYLE.md rule 1).

Staff see every task (tasks are firm-wide). A client user reaches a task only when it is for the
client, of an organisation they have a portal membership of.
"""

from __future__ import annotations

import uuid

from django.http import Http404

from accordo.accounts.models import User
from accordo.clients.models import Membership
from accordo.core.access import public_id_or_404
from accordo.work.models import Task


def access_staff_task(user: User, public_id: uuid.UUID | str) -> Task:
    """Any task, for firm staff."""
    if not user.is_authenticated or not user.is_firm_staff:
        raise Http404
    task = (
        Task.objects.select_related("organisation", "assignee", "workflow", "source_event", "created_by")
        .filter(public_id=public_id_or_404(public_id))
        .first()
    )
    if task is None:
        raise Http404
    return task


def access_client_task(user: User, public_id: uuid.UUID | str) -> tuple[Task, Membership]:
    """A task for the client of an organisation the user has a portal membership of, with that membership."""
    if not user.is_authenticated:
        raise Http404
    task = (
        Task.objects.select_related("organisation", "assignee")
        .filter(public_id=public_id_or_404(public_id), for_client=True)
        .first()
    )
    if task is None or task.organisation_id is None:
        raise Http404
    membership = Membership.objects.portal().filter(user=user, organisation_id=task.organisation_id).first()
    if membership is None:
        raise Http404
    return task, membership


def client_may_complete(task: Task, membership: Membership) -> bool:
    """Who of the client marks a task done: its assignee, or (unassigned) anyone who delivers; never viewers."""
    if task.status == Task.Status.DONE or not membership.can_deliver:
        return False
    return task.assignee_id is None or task.assignee_id == membership.user_id
