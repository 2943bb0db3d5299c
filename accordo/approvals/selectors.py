"""Reads of approvals for staff: the overview over all clients, one approval's history, the outbox."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accordo.accounts.models import User
from accordo.approvals.models import Approval, Decider, Submission, TemporaryLink
from accordo.approvals.services import DECIDING_ROLES
from accordo.clients.models import Membership, Organisation, StaffAssignment
from accordo.core.models import Event
from accordo.dossier.models import Document

PDF = "application/pdf"
DOSSIER_CHOICES_MAX = 500
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class ApprovalFilters:
    status: str = ""  # "" = every status
    type: str = ""
    period: str = ""
    older_than_days: int | None = None
    due: str = ""  # "overdue" or "soon" (both only count approvals still waiting)
    assignee: User | None = None
    organisation: Organisation | None = None


def _deciders() -> Prefetch[str]:
    people = Decider.objects.select_related("user").only(
        "approval_id", "decision", "decided_at", "user__public_id", "user__email", "user__full_name"
    )
    return Prefetch("deciders", queryset=people.order_by("pk"))


def _filtered(filters: ApprovalFilters) -> QuerySet[Approval]:
    rows = Approval.objects.all()
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.type:
        rows = rows.filter(type=filters.type)
    if filters.period:
        rows = rows.filter(period=filters.period)
    if filters.organisation is not None:
        rows = rows.filter(organisation=filters.organisation)
    if filters.assignee is not None:
        rows = rows.filter(
            organisation_id__in=StaffAssignment.objects.filter(user=filters.assignee).values("organisation_id")
        )
    if filters.older_than_days:
        rows = rows.filter(created_at__lte=timezone.now() - datetime.timedelta(days=filters.older_than_days))
    today = timezone.localdate()
    if filters.due == "overdue":
        rows = rows.filter(status=Approval.Status.OFFERED, due_date__lt=today)
    elif filters.due == "soon":
        rows = rows.filter(
            status=Approval.Status.OFFERED,
            due_date__gte=today,
            due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
    return rows


LIST_FIELDS = (
    "public_id", "created_at", "organisation", "type", "period", "title", "amount", "due_date", "mode", "rule",
    "status", "offered_by", "decided_at",
    # Only what a row shows: an organisation row decrypts its BSN when loaded in full.
    "organisation__public_id", "organisation__name", "offered_by__public_id", "offered_by__email",
    "offered_by__full_name",
)  # fmt: skip


def approvals_overview(filters: ApprovalFilters) -> QuerySet[Approval]:
    """Every approval of every client matching ``filters``, with its deciders.

    Newest offer first; with a due-date filter the most pressing first (by due date, along the
    status and due date index).
    """
    order = ("due_date", "pk") if filters.due else ("-created_at", "-pk")
    return (
        _filtered(filters)
        .select_related("organisation", "offered_by")
        .only(*LIST_FIELDS)
        .prefetch_related(_deciders())
        .order_by(*order)
    )


def approvals_for_export(filters: ApprovalFilters) -> Iterator[Approval]:
    """The overview's rows for a CSV export, read in chunks (deciders fetched per chunk)."""
    return approvals_overview(filters).iterator(chunk_size=2000)


def approval_status_counts(filters: ApprovalFilters) -> dict[str, int]:
    """How many approvals are in each status, under every filter but the status itself."""
    counts = {value: 0 for value, _label in Approval.Status.choices}
    without_status = ApprovalFilters(**{**filters.__dict__, "status": ""})
    for row in _filtered(without_status).values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def organisation_approvals(organisation: Organisation, *, limit: int = 10) -> list[Approval]:
    """An organisation's newest approvals (its staff page)."""
    return list(
        Approval.objects.filter(organisation=organisation).defer("statement", "notes").order_by("-created_at")[:limit]
    )


def deciding_memberships(organisation: Organisation) -> list[Membership]:
    """The organisation's owners and approvers: who can be asked to decide."""
    return list(
        Membership.objects.filter(organisation=organisation, role__in=DECIDING_ROLES)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def dossier_pdfs(organisation: Organisation) -> list[Document]:
    """The organisation's dossier documents whose current version is a PDF (to offer), newest first."""
    return list(
        Document.objects.filter(organisation=organisation, deleted_at=None, current__mime=PDF)
        .select_related("current", "folder")
        .order_by("-current__created_at", "name")[:DOSSIER_CHOICES_MAX]
    )


def approval_deciders(approval: Approval) -> list[Decider]:
    return list(Decider.objects.filter(approval=approval).select_related("user").order_by("pk"))


def approval_links(approval: Approval) -> list[TemporaryLink]:
    return list(TemporaryLink.objects.filter(approval=approval).select_related("recipient").order_by("-created_at"))


def approval_events(approval: Approval, links: list[TemporaryLink], submission: Submission | None) -> list[Event]:
    """The evidence of one approval: its own events, its temporary links' and its submission's, oldest first."""
    wanted = Q(target_type=Approval._meta.label_lower, target_id=str(approval.public_id))
    if links:
        wanted |= Q(target_type=TemporaryLink._meta.label_lower, target_id__in=[str(x.public_id) for x in links])
    if submission is not None:
        wanted |= Q(target_type=Submission._meta.label_lower, target_id=str(submission.public_id))
    return list(Event.objects.filter(wanted).order_by("seq"))


def submission_of(approval: Approval) -> Submission | None:
    return Submission.objects.filter(approval=approval).first()


@dataclass(frozen=True)
class OutboxFilters:
    status: str = ""  # "" = every status
    channel: str = ""


def outbox(filters: OutboxFilters) -> QuerySet[Submission]:
    """The submission outbox, oldest first: what has waited longest comes first."""
    rows = Submission.objects.select_related("organisation", "approval").only(
        "public_id", "created_at", "organisation", "approval", "channel", "status", "reference", "note",
        "organisation__public_id", "organisation__name",
        "approval__public_id", "approval__type", "approval__period", "approval__title",
    )  # fmt: skip
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    return rows.order_by("pk")  # rows are only ever added: the oldest first, along the primary key


def outbox_counts(filters: OutboxFilters) -> dict[str, int]:
    """How many submissions are in each status (on the chosen channel)."""
    counts = {value: 0 for value, _label in Submission.Status.choices}
    rows = Submission.objects.all()
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    for row in rows.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return counts
