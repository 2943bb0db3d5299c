"""Mails that follow account events (run by the 'notifications' consumer in the worker)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from accordo.accounts.models import Invitation
from accordo.core.consumers import on_event
from accordo.core.mail import mail_render
from accordo.core.models import Event


@on_event("notifications", "invitation.sent")
def send_invitation_mail(event: Event) -> None:
    """Mail the current link of a still-open invitation (a resend makes older links dead)."""
    from accordo.accounts.services import invitation_token

    invitation = (
        Invitation.objects.select_related("organisation", "invited_by").filter(public_id=event.target_id).first()
    )
    if invitation is None or invitation.status != Invitation.Status.PENDING or invitation.is_expired:
        return
    path = reverse("invitation_accept", args=[invitation.public_id, invitation_token(invitation)])
    message = mail_render(
        to=[invitation.email],
        template="invitation",
        context={
            "invitation": invitation,
            "organisation": invitation.organisation,
            "link": settings.SITE_URL + path,
            "role": invitation.get_role_display(),
        },
        language=invitation.language,
    )
    message.send()
