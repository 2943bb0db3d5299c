"""Object access checks of deliveries: missing and forbidden both raise Http404 (STYLE.md rule 1)."""

from __future__ import annotations

import uuid

from django.http import Http404

from accordo.accounts.models import User
from accordo.clients.models import Membership
from accordo.core.access import public_id_or_404
from accordo.deliveries.models import Delivery, Tray


def access_staff_delivery(user: User, public_id: uuid.UUID | str) -> Delivery:
    """Any delivery, for firm staff."""
    if not user.is_authenticated or not user.is_firm_staff:
        raise Http404
    delivery = (
        Delivery.objects.select_related("organisation", "tray", "delivered_by", "processed_by", "archived")
        .filter(public_id=public_id_or_404(public_id))
        .first()
    )
    if delivery is None:
        raise Http404
    return delivery


def access_client_delivery(
    user: User, public_id: uuid.UUID | str, *, deliver: bool = False
) -> tuple[Delivery, Membership]:
    """A delivery of an organisation the user belongs to; ``deliver`` also needs a delivering role."""
    if not user.is_authenticated:
        raise Http404
    delivery = (
        Delivery.objects.select_related("organisation", "tray").filter(public_id=public_id_or_404(public_id)).first()
    )
    if delivery is None:
        raise Http404
    membership = Membership.objects.portal().filter(user=user, organisation_id=delivery.organisation_id).first()
    if membership is None or (deliver and not membership.can_deliver):
        raise Http404
    return delivery, membership


def tray_by_id(public_id: uuid.UUID | str) -> Tray:
    tray = Tray.objects.filter(public_id=public_id_or_404(public_id), active=True).first()
    if tray is None:
        raise Http404
    return tray
