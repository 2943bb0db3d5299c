"""Reads of returns and assessments: the register, one organisation's returns, the client's view."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from accordo.clients.models import Organisation
from accordo.filings.models import Assessment, TaxReturn


@dataclass(frozen=True)
class RegisterFilters:
    type: str = ""
    status: str = ""
    year: int | None = None
    outcome: str = ""
    organisation: Organisation | None = None
    client: str = ""


def with_latest_assessment(returns: QuerySet[TaxReturn]) -> QuerySet[TaxReturn]:
    """Annotate each return with its latest assessment's kind, amount, date and outcome (no extra query)."""
    latest = Assessment.objects.filter(tax_return=OuterRef("pk")).order_by("-dagtekening", "-id")
    return returns.annotate(
        latest_kind=Subquery(latest.values("kind")[:1]),
        latest_amount=Subquery(latest.values("amount")[:1]),
        latest_dagtekening=Subquery(latest.values("dagtekening")[:1]),
        latest_outcome=Subquery(latest.values("outcome")[:1]),
    )


def returns_register(filters: RegisterFilters) -> QuerySet[TaxReturn]:
    """Every return matching the filters, newest period first, with its organisation and latest assessment."""
    returns = TaxReturn.objects.select_related("organisation")
    if filters.type:
        returns = returns.filter(type=filters.type)
    if filters.status:
        returns = returns.filter(status=filters.status)
    if filters.year:
        returns = returns.filter(period_start__year=filters.year)
    if filters.organisation is not None:
        returns = returns.filter(organisation=filters.organisation)
    if filters.client:
        returns = returns.filter(organisation__search_text__contains=filters.client.lower())
    returns = with_latest_assessment(returns)
    # Filtered by keyword dicts: the annotation is not a model field the type checker knows.
    if filters.outcome == "none":
        returns = returns.filter(**{"latest_outcome__isnull": True})
    elif filters.outcome:
        returns = returns.filter(**{"latest_outcome": filters.outcome})
    return returns.order_by("-period_start", "type", "id")


def organisation_returns(organisation: Organisation) -> QuerySet[TaxReturn]:
    """One organisation's returns, newest period first, each with its assessments (two queries)."""
    return (
        TaxReturn.objects.filter(organisation=organisation)
        .prefetch_related(Prefetch("assessments", queryset=Assessment.objects.order_by("-dagtekening", "-id")))
        .order_by("-period_start", "type", "id")
    )
