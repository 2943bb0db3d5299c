"""Reads of deliveries: the client's list per organisation and the staff processing queue."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone

from accordo.accounts.models import User
from accordo.clients.models import Organisation, StaffAssignment
from accordo.deliveries.models import Delivery, Tray

OPEN = (Delivery.Status.RECEIVED, Delivery.Status.PROCESSING, Delivery.Status.RETURNED)


def active_trays() -> list[Tray]:
    return list(Tray.objects.filter(active=True).order_by("position", "name"))


def deliveries_of(organisation: Organisation) -> QuerySet[Delivery]:
    """An organisation's deliveries, newest first (the client's list)."""
    return (
        Delivery.objects.filter(organisation=organisation)
        .exclude(status=Delivery.Status.REPLACED)
        .select_related("tray", "delivered_by")
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class QueueFilters:
    tray: Tray | None = None
    organisation: Organisation | None = None
    assignee: User | None = None
    status: str = ""  # "" = open ones (received, in processing, returned)
    older_than_days: int | None = None


def queue(filters: QueueFilters) -> QuerySet[Delivery]:
    """The staff processing queue over all clients, oldest first."""
    rows = Delivery.objects.select_related("organisation", "tray", "delivered_by").defer("text", "confirmed")
    rows = rows.filter(status=filters.status) if filters.status else rows.filter(status__in=OPEN)
    if filters.tray is not None:
        rows = rows.filter(tray=filters.tray)
    if filters.organisation is not None:
        rows = rows.filter(organisation=filters.organisation)
    if filters.assignee is not None:
        rows = rows.filter(
            organisation_id__in=StaffAssignment.objects.filter(user=filters.assignee).values("organisation_id")
        )
    if filters.older_than_days:
        rows = rows.filter(created_at__lte=timezone.now() - datetime.timedelta(days=filters.older_than_days))
    return rows.order_by("created_at", "pk")


def status_counts() -> dict[str, int]:
    """How many deliveries are in each status (over all clients)."""
    counts = {value: 0 for value, _label in Delivery.Status.choices}
    for row in Delivery.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return counts
