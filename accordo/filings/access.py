"""Object access checks of returns: missing and forbidden both raise Http404 (STYLE.md rule 1).

Staff see every return; client users see the returns of organisations they have a portal
membership of (``accordo.clients.access.access_client_organisation``).
"""

from __future__ import annotations

import uuid

from django.http import Http404

from accordo.accounts.models import User
from accordo.core.access import public_id_or_404
from accordo.filings.models import TaxReturn


def access_staff_return(user: User, public_id: uuid.UUID | str) -> TaxReturn:
    """Any return, for firm staff."""
    if not user.is_authenticated or not user.is_firm_staff:
        raise Http404
    tax_return = (
        TaxReturn.objects.select_related("organisation", "approval", "approval__submission")
        .filter(public_id=public_id_or_404(public_id))
        .first()
    )
    if tax_return is None:
        raise Http404
    return tax_return
