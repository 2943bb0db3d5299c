"""Plain ORM versions of hand-tuned reads: what the tests and the bench hold the fast reads to."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from accordo.clients.models import Organisation, StaffAssignment


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
