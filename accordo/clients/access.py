"""Object access checks for organisations: missing and forbidden both raise Http404."""

from __future__ import annotations

import uuid

from django.http import Http404

from accordo.accounts.models import User
from accordo.clients.models import Membership, Organisation
from accordo.core.access import public_id_or_404


def access_staff_organisation(user: User, public_id: uuid.UUID | str) -> Organisation:
    """Any organisation, for firm staff; 404 for everybody else."""
    if not user.is_authenticated or not user.is_firm_staff:
        raise Http404
    try:
        return Organisation.objects.get(public_id=public_id_or_404(public_id))
    except Organisation.DoesNotExist:
        raise Http404 from None


def access_client_organisation(
    user: User, public_id: uuid.UUID | str, *, write: bool = False
) -> tuple[Organisation, Membership]:
    """The organisation and the user's membership of it; 404 when not a member.

    ``write`` requires a role that may change the organisation's data (owner or approver).
    """
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.portal()
        .select_related("organisation")
        .filter(user=user, organisation__public_id=public_id_or_404(public_id))
        .first()
    )
    if membership is None or (write and not membership.can_edit_data):
        raise Http404
    return membership.organisation, membership
