"""Tags for other apps' pages (at their anchors): an organisation's open tasks, a client's tasks."""

from __future__ import annotations

from django import template

from accordo.clients.models import Organisation
from accordo.work.models import Task
from accordo.work.selectors import OPEN_STATUSES, client_tasks, organisation_open_tasks

register = template.Library()


@register.simple_tag
def open_tasks_of(organisation: Organisation, limit: int = 10) -> list[Task]:
    """The organisation's open tasks for the staff page (one query)."""
    return organisation_open_tasks(organisation, limit=limit)


@register.simple_tag
def client_open_tasks_of(organisation: Organisation, limit: int = 5) -> list[Task]:
    """The organisation's open tasks for the client, for its portal home (one query)."""
    return list(client_tasks(organisation).filter(status__in=OPEN_STATUSES)[:limit])
