"""Reads of the clients app, scoped by who is asking."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest

from accordo.accounts.models import User
from accordo.clients.models import AssignmentRole, Firm, Membership, Organisation, StaffAssignment


def firm_get() -> Firm:
    """The installation's firm; created with a neutral name on first use (one per installation)."""
    firm = Firm.objects.order_by("id").first()
    if firm is None:
        firm, _ = Firm.objects.get_or_create(pk=1, defaults={"name": "Accordo"})
    return firm


def _firm_row() -> Any:
    """The firm's row exactly as the database driver returns it: one indexed read, no ORM."""
    meta = Firm._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in meta.concrete_fields)
    # Only quoted names from the model's own metadata go into this statement, never input.
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} ORDER BY {quote(meta.pk.column)} LIMIT 1"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


# The firm as this process last loaded it, with its row exactly as the database returned it.
_firm_cache: tuple[Any, Firm] | None = None


def firm_fast() -> Firm:
    """The firm for a page, from this process's copy while its stored row is unchanged.

    Every page needs the firm. Comparing the raw row costs a fraction of an ORM load, and any
    change (by any process, by save() or update()) is seen at once. Each caller gets its own
    copy, so a view that edits it (the firm form) cannot change what other requests see.
    """
    global _firm_cache
    row = _firm_row()
    cached = _firm_cache
    if row is not None and cached is not None and cached[0] == row:
        return copy.deepcopy(cached[1])
    firm = firm_get()
    _firm_cache = (row, copy.deepcopy(firm)) if row is not None else None
    return firm


def firm_for_request(request: HttpRequest) -> Firm:
    """The firm, read once per request."""
    firm = getattr(request, "_accordo_firm", None)
    if firm is None:
        firm = firm_fast()
        request._accordo_firm = firm  # type: ignore[attr-defined]
    return firm


def memberships_of(user: User) -> QuerySet[Membership]:
    """The user's memberships with their organisations, in the switcher's order."""
    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


def organisations_for_staff(
    *, query: str = "", label: str = "", tier: str = "", assignee: str = ""
) -> QuerySet[Organisation]:
    """Every organisation (staff see every client), filtered for the staff list.

    Label and assignee filters are EXISTS subqueries, not joins: no duplicate rows, so no
    DISTINCT, and counting the matches for the paginator stays a plain COUNT.
    """
    qs = Organisation.objects.all()
    if query:
        qs = qs.filter(search_text__contains=query.strip().lower())
    if label:
        labelled = Organisation.labels.through.objects.filter(organisation=OuterRef("pk"), label__public_id=label)
        qs = qs.filter(Exists(labelled))
    if tier:
        qs = qs.filter(tier=tier)
    if assignee:
        assigned = StaffAssignment.objects.filter(organisation=OuterRef("pk"), user__public_id=assignee)
        qs = qs.filter(Exists(assigned))
    return qs


@dataclass(frozen=True)
class AssignedStaff:
    """One line of the staff list's "assigned staff" column."""

    name: str
    role: str


def organisation_list_annotate(organisations: Sequence[Organisation]) -> None:
    """Attach ``label_names`` and ``assigned_staff`` to each organisation of a list page.

    Two queries for the whole page that read plain values: no label, assignment or user objects
    per row, which is what made prefetching these relations the most expensive part of the page.
    """
    ids = [o.pk for o in organisations]
    labels: dict[int, list[str]] = defaultdict(list)
    staff: dict[int, list[AssignedStaff]] = defaultdict(list)
    if ids:
        links = Organisation.labels.through.objects.filter(organisation_id__in=ids)
        for org_id, name in links.order_by("label__name").values_list("organisation_id", "label__name"):
            labels[org_id].append(name)
        roles = dict(AssignmentRole.choices)
        rows = StaffAssignment.objects.filter(organisation_id__in=ids).order_by("id")
        fields = ("organisation_id", "role", "user__full_name", "user__email")
        for org_id, role, full_name, email in rows.values_list(*fields):
            # full_name or e-mail: what User.display_name shows.
            staff[org_id].append(AssignedStaff(name=full_name or email, role=str(roles.get(role, role))))
    for organisation in organisations:
        organisation.label_names = labels[organisation.pk]  # type: ignore[attr-defined]
        organisation.assigned_staff = staff[organisation.pk]  # type: ignore[attr-defined]
