"""Staff pages of the mail quarantine: the list, one mail, release, discard, the raw message."""

from __future__ import annotations

import uuid
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accordo.accounts.models import User
from accordo.core.access import AuthedRequest, staff_required
from accordo.core.context import ctx_from_request
from accordo.deliveries.mailin import REASONS
from accordo.deliveries.models import QuarantinedMail
from accordo.deliveries.services_mail import quarantine_discard, quarantine_release

PAGE_SIZE = 50


def access_staff_quarantined_mail(user: User, public_id: uuid.UUID | str) -> QuarantinedMail:
    """A quarantined mail, for firm staff only; missing and forbidden both raise Http404."""
    if not user.is_authenticated or not user.is_firm_staff:
        raise Http404
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    mail = QuarantinedMail.objects.select_related("organisation", "tray", "decided_by").filter(public_id=key).first()
    if mail is None:
        raise Http404
    return mail


def quarantine_list_qs() -> QuerySet[QuarantinedMail]:
    """Every quarantined mail, held ones first, newest first within each group."""
    held_first = Case(
        When(status=QuarantinedMail.Status.HELD, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        QuarantinedMail.objects.select_related("organisation", "tray")
        .annotate(held_first=held_first)
        .order_by("held_first", "-created_at", "-pk")
    )


def _reason(mail: QuarantinedMail) -> str:
    return str(REASONS.get(mail.reason, mail.reason))


@require_GET
@staff_required
def quarantine_list(request: AuthedRequest) -> HttpResponse:
    page = Paginator(quarantine_list_qs(), PAGE_SIZE).get_page(request.GET.get("page"))
    for mail in page.object_list:
        mail.reason_label = _reason(mail)  # type: ignore[attr-defined]
    held = QuarantinedMail.objects.filter(status=QuarantinedMail.Status.HELD).count()
    return render(request, "deliveries/quarantine_list.html", {"page": page, "held": held})


@require_GET
@staff_required
def quarantine_detail(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    mail = access_staff_quarantined_mail(request.user, public_id)
    return render(
        request,
        "deliveries/quarantine_detail.html",
        {"mail": mail, "reason": _reason(mail), "held": mail.status == QuarantinedMail.Status.HELD},
    )


@require_POST
@staff_required
def quarantine_release_view(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    mail = access_staff_quarantined_mail(request.user, public_id)
    try:
        deliveries = quarantine_release(actor=request.user, ctx=ctx_from_request(request), mail=mail)
    except ValidationError as error:
        messages.error(request, error.messages[0] if error.messages else _("That did not work."))
    else:
        count = len(deliveries)
        messages.success(
            request,
            ngettext(
                "Released: %(count)s file delivered to %(tray)s.",
                "Released: %(count)s files delivered to %(tray)s.",
                count,
            )
            % {"count": count, "tray": mail.tray.name if mail.tray else ""},
        )
    return redirect("mailin:quarantine_detail", public_id=mail.public_id)


@require_POST
@staff_required
def quarantine_discard_view(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    mail = access_staff_quarantined_mail(request.user, public_id)
    try:
        quarantine_discard(actor=request.user, ctx=ctx_from_request(request), mail=mail)
    except ValidationError as error:
        messages.error(request, error.messages[0] if error.messages else _("That did not work."))
    else:
        messages.success(request, _("Discarded. The message is kept as evidence."))
    return redirect("mailin:quarantine_detail", public_id=mail.public_id)


@require_GET
@staff_required
def quarantine_message(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    """The raw message as an .eml download (never shown inline: it came from outside)."""
    mail = access_staff_quarantined_mail(request.user, public_id)
    response = FileResponse(
        mail.message.open("rb"),
        as_attachment=True,
        filename=f"quarantine-{mail.public_id}.eml",
        content_type="message/rfc822",
    )
    response["Cache-Control"] = "private, no-store"
    return cast(HttpResponse, response)  # streamed; staff_required's type only knows HttpResponse
