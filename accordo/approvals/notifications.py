"""What follows approval events, in the worker ('notifications' consumer): mails to deciders (the
portal for the extended tier, a temporary link per person for Collaborate), one-time codes,
reminders, the firm told of a rejection, and the filing of an approved set with its certificate."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accordo.accounts.models import User
from accordo.approvals.models import Approval, ApprovalType, Decider, LinkCode, TemporaryLink
from accordo.clients.models import AssignmentRole, StaffAssignment, Tier
from accordo.core.consumers import on_event
from accordo.core.context import RequestContext
from accordo.core.mail import mail_render
from accordo.core.models import Event


def _approval(event: Event) -> Approval | None:
    if event.target_type != "approvals.approval":
        return None
    return Approval.objects.select_related("organisation", "offered_by").filter(public_id=event.target_id).first()


def _pending_deciders(approval: Approval) -> list[User]:
    return [
        d.user
        for d in Decider.objects.filter(approval=approval, decision=Decider.Decision.PENDING).select_related("user")
        if d.user.is_active
    ]


def _portal_link(approval: Approval) -> str:
    return settings.SITE_URL + reverse("approvals_portal:approval", args=[approval.public_id])


def _live_link(approval: Approval, person: User) -> TemporaryLink | None:
    """The person's newest link of this approval that still works, if any."""
    from accordo.approvals.links import LinkDead, link_usable_check

    link = (
        TemporaryLink.objects.select_related("approval", "document")
        .filter(approval=approval, recipient=person, revoked_at=None)
        .order_by("-created_at")
        .first()
    )
    if link is None:
        return None
    try:
        link_usable_check(link)
    except LinkDead:
        return None
    return link


def _mail_decider(approval: Approval, person: User, *, template: str, extra: dict[str, object]) -> None:
    """Mail one decider: the portal page, or (Collaborate tier) a temporary link made for them."""
    from accordo.approvals.links import link_create, link_url
    from accordo.approvals.services import approval_emailed

    through_link = approval.organisation.tier != Tier.COLLABORATE_EXTENDED
    if through_link:
        link = _live_link(approval, person) or link_create(
            actor=None,
            ctx=RequestContext.system("mail"),
            organisation=approval.organisation,
            recipient=person,
            approval=approval,
        )
        url, expires = link_url(link), link.expires_at
    else:
        url, expires = _portal_link(approval), None
    mail_render(
        to=[person.email],
        template=template,
        context={
            "approval": approval,
            "organisation": approval.organisation,
            "what": ApprovalType(approval.type).label,  # lazy: in the reader's language
            "link": url,
            "expires": expires,
            "through_link": through_link,
            **extra,
        },
        language=person.language,
    ).send()
    approval_emailed(approval=approval, to=person.email, link=through_link)


@on_event("notifications", "approval.offered")
def tell_the_deciders(event: Event) -> None:
    approval = _approval(event)
    if approval is None or approval.status != Approval.Status.OFFERED:
        return
    for person in _pending_deciders(approval):
        _mail_decider(approval, person, template="approval_offered", extra={})


@on_event("notifications", "approval.reminded")
def remind_the_deciders(event: Event) -> None:
    approval = _approval(event)
    if approval is None or approval.status != Approval.Status.OFFERED:
        return
    overdue = approval.due_date is not None and approval.due_date < timezone.localdate()
    for person in _pending_deciders(approval):
        _mail_decider(approval, person, template="approval_reminder", extra={"overdue": overdue})


@on_event("notifications", "link.created")
def mail_a_document_link(event: Event) -> None:
    """Links of approvals are mailed with the offer (above); a document link is mailed here."""
    from accordo.approvals.links import link_url

    link = (
        TemporaryLink.objects.select_related("organisation", "recipient", "document")
        .filter(public_id=event.target_id)
        .first()
    )
    if link is None or link.document is None or link.revoked_at is not None:
        return
    mail_render(
        to=[link.recipient.email],
        template="link_document",
        context={
            "organisation": link.organisation,
            "name": link.document.name,
            "link": link_url(link),
            "expires": link.expires_at,
            "max_opens": link.max_opens,
        },
        language=link.recipient.language,
    ).send()


@on_event("notifications", "link.code_sent")
def mail_the_code(event: Event) -> None:
    from accordo.approvals.links import CODE_MINUTES, link_code_value

    code = (
        LinkCode.objects.select_related("link__recipient", "link__organisation", "link__approval")
        .filter(pk=event.data.get("code"))
        .first()
    )
    if code is None or code.used_at is not None or code.expires_at <= timezone.now():
        return  # a newer code replaced it, or it ran out before the worker came to it
    link = code.link
    mail_render(
        to=[link.recipient.email],
        template="link_code",
        context={
            "organisation": link.organisation,
            "approval": link.approval,
            "code": link_code_value(code),
            "minutes": CODE_MINUTES,
        },
        language=link.recipient.language,
    ).send()


@on_event("notifications", "approval.rejected")
def tell_the_firm_of_a_rejection(event: Event) -> None:
    """Whoever offered it and the client's responsible accountant read the reason."""
    approval = _approval(event)
    if approval is None:
        return
    people = {approval.offered_by.pk: approval.offered_by}
    for assignment in StaffAssignment.objects.filter(
        organisation=approval.organisation, role=AssignmentRole.ACCOUNTANT
    ).select_related("user"):
        people[assignment.user.pk] = assignment.user
    link = settings.SITE_URL + reverse("approvals_staff:approval", args=[approval.public_id])
    for person in people.values():
        if not person.is_active:
            continue
        mail_render(
            to=[person.email],
            template="approval_rejected",
            context={
                "approval": approval,
                "organisation": approval.organisation,
                "what": ApprovalType(approval.type).label,  # lazy: in the reader's language
                "who": event.actor_label,
                "reason": event.data.get("reason", ""),
                "link": link,
            },
            language=person.language,
        ).send()


@on_event("notifications", "approval.approved")
def file_an_approved_set(event: Event) -> None:
    if not event.data.get("final"):
        return
    approval = _approval(event)
    if approval is None or approval.status != Approval.Status.APPROVED or approval.certificate_id:
        return
    from accordo.approvals.tasks import approval_file

    approval_file(approval.pk)
