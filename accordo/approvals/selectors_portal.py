"""Reads of approvals for client users, scoped by their portal memberships."""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.db.models import Exists, F, OuterRef, QuerySet

from accordo.accounts.models import User
from accordo.approvals.models import Approval, ApprovalType, Decider
from accordo.clients.models import Membership, Organisation


class WaitingRow(NamedTuple):
    """An approval waiting for this user's decision, as the client home lists it."""

    public_id: str
    type_label: str
    period: str
    title: str
    organisation: str
    due_date: datetime.date | None
    mode: str


def waiting_for(user: User, organisation: Organisation | None = None) -> list[WaitingRow]:
    """Offers still open on which ``user`` has yet to decide, across all their portal organisations.

    One query whatever the number of organisations or approvals; soonest due date first.
    """
    if not user.is_authenticated:
        return []
    portal = Membership.objects.portal().filter(user=user).values("organisation_id")
    approvals = Approval.objects.filter(
        status=Approval.Status.OFFERED,
        organisation_id__in=portal,
        deciders__user=user,
        deciders__decision=Decider.Decision.PENDING,
    )
    if organisation is not None:
        approvals = approvals.filter(organisation=organisation)
    rows = approvals.order_by(F("due_date").asc(nulls_last=True), "created_at").values_list(
        "public_id", "type", "period", "title", "organisation__name", "due_date", "mode"
    )
    labels = dict(ApprovalType.choices)
    return [
        WaitingRow(str(public_id), str(labels.get(kind, kind)), period, title, name, due, mode)
        for public_id, kind, period, title, name, due, mode in rows
    ]


def approvals_of(organisation: Organisation, user: User) -> QuerySet[Approval]:
    """Every approval of one organisation, newest first; ``waiting`` says whether ``user`` still has to decide."""
    pending = Decider.objects.filter(approval=OuterRef("pk"), user=user, decision=Decider.Decision.PENDING)
    return (
        Approval.objects.filter(organisation=organisation)
        .annotate(waiting=Exists(pending))
        .order_by("-created_at", "-id")
    )
