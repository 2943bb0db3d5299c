"""Reads of the clients app, scoped by who is asking."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from accordo.accounts.models import User
from accordo.clients.models import Firm, Membership, Organisation


def firm_get() -> Firm:
    """The installation's firm; created with a neutral name on first use (one per installation)."""
    firm = Firm.objects.order_by("id").first()
    if firm is None:
        firm, _ = Firm.objects.get_or_create(pk=1, defaults={"name": "Accordo"})
    return firm


def firm_for_request(request: HttpRequest) -> Firm:
    """The firm, read once per request."""
    firm = getattr(request, "_accordo_firm", None)
    if firm is None:
        firm = firm_get()
        request._accordo_firm = firm  # type: ignore[attr-defined]
    return firm


def memberships_of(user: User) -> QuerySet[Membership]:
    """The user's memberships with their organisations, in the switcher's order."""
    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


def organisations_for_staff(
    *, query: str = "", label: str = "", tier: str = "", assignee: str = ""
) -> QuerySet[Organisation]:
    """Every organisation (staff see every client), filtered for the staff list."""
    qs = Organisation.objects.all()
    if query:
        qs = qs.filter(search_text__contains=query.strip().lower())
    if label:
        qs = qs.filter(labels__public_id=label)
    if tier:
        qs = qs.filter(tier=tier)
    if assignee:
        qs = qs.filter(Q(assignments__user__public_id=assignee))
    return qs.distinct() if (label or assignee) else qs
