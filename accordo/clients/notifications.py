"""Mails that follow client events (run by the 'notifications' consumer in the worker)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from accordo.clients.models import StaffAssignment
from accordo.core.consumers import on_event
from accordo.core.mail import mail_render
from accordo.core.models import Event


@on_event("notifications", "client.data_changed")
def tell_assigned_staff_about_data_change(event: Event) -> None:
    """The client's assigned staff learn what the client changed, so nobody retypes it."""
    if event.organisation_id is None:
        return
    assignments = StaffAssignment.objects.filter(organisation_id=event.organisation_id).select_related(
        "user", "organisation"
    )
    for assignment in assignments:
        staff = assignment.user
        if not staff.is_active:
            continue
        organisation = assignment.organisation
        link = settings.SITE_URL + reverse("staff:organisation_timeline", args=[organisation.public_id])
        mail_render(
            to=[staff.email],
            template="data_changed",
            context={
                "organisation": organisation,
                "changes": event.data.get("changes", {}),
                "actor": event.actor_label,
                "link": link,
            },
            language=staff.language,
        ).send()
