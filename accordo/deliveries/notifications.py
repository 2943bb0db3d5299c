"""Mails that follow delivery events (run by the 'notifications' consumer in the worker)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from accordo.clients.models import Membership
from accordo.core.consumers import on_event
from accordo.core.mail import mail_render
from accordo.core.models import Event
from accordo.deliveries.models import Delivery


@on_event("notifications", "delivery.returned")
def tell_the_client_about_a_question(event: Event) -> None:
    """Whoever delivered the file (else every member who may deliver) gets the firm's question."""
    if event.target_type != "deliveries.delivery":
        return
    delivery = Delivery.objects.select_related("organisation", "delivered_by").filter(public_id=event.target_id).first()
    if delivery is None:
        return
    if delivery.delivered_by is not None and delivery.delivered_by.is_active:
        people = [delivery.delivered_by]
    else:
        people = [
            m.user
            for m in Membership.objects.filter(organisation=delivery.organisation).select_related("user")
            if m.can_deliver and m.user.is_active
        ]
    link = settings.SITE_URL + reverse("deliveries:client_delivery", args=[delivery.public_id])
    for person in people:
        mail_render(
            to=[person.email],
            template="delivery_returned",
            context={
                "organisation": delivery.organisation,
                "name": delivery.original_name,
                "question": event.data.get("question", ""),
                "link": link,
            },
            language=person.language,
        ).send()
