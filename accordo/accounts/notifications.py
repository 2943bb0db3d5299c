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


@on_event("notifications", "staff.added")
def send_staff_welcome_mail(event: Event) -> None:
    """A new staff member gets a link to choose a password (only while none was chosen)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    from accordo.accounts.models import User

    user = User.objects.filter(public_id=event.target_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return
    key = default_token_generator.make_token(user)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
    mail_render(
        to=[user.email],
        template="staff_welcome",
        context={"person": user, "link": settings.SITE_URL + path},
        language=user.language,
    ).send()
