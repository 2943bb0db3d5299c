"""Mails that follow assessments ('notifications' consumer): the client's users are told of each one.

Conform: the assessment matches the return. Not conform: the firm reviews it and may object before
the objection deadline. Each user reads it in their own language; the portal link only for
organisations with a portal login (Collaborate extended tier).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from accordo.clients.models import Membership, Tier
from accordo.core.consumers import on_event
from accordo.core.mail import mail_render
from accordo.core.models import Event
from accordo.filings.models import Assessment, ReturnType


@on_event("notifications", "assessment.conform", "assessment.not_conform")
def tell_the_client(event: Event) -> None:
    assessment = (
        Assessment.objects.select_related("tax_return", "tax_return__organisation")
        .filter(public_id=event.target_id)
        .first()
    )
    if assessment is None or event.target_type != "filings.assessment":
        return
    tax_return = assessment.tax_return
    organisation = tax_return.organisation
    link = ""
    if organisation.tier == Tier.COLLABORATE_EXTENDED:
        link = settings.SITE_URL + reverse("filings_portal:organisation", args=[organisation.public_id])
    template = "assessment_conform" if event.verb == "assessment.conform" else "assessment_not_conform"
    members = Membership.objects.filter(organisation=organisation, user__is_active=True).select_related("user")
    for membership in members:
        person = membership.user
        mail_render(
            to=[person.email],
            template=template,
            context={
                "assessment": assessment,
                "tax_return": tax_return,
                "organisation": organisation,
                "what": ReturnType(tax_return.type).label,  # lazy: in the reader's language
                "kind": Assessment.Kind(assessment.kind).label,
                "link": link,
            },
            language=person.language,
        ).send()
