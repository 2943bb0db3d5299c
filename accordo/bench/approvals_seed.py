"""The bench's approvals: 100,000 over all organisations in every state, with deciders and an outbox.

Rows only, written with bulk_create: the staff overview reads rows, never the documents.
"""

from __future__ import annotations

import contextlib
import datetime
import random
from collections.abc import Iterator

from django.utils import timezone

from accordo.accounts.models import User
from accordo.approvals.models import TAX_RETURNS, Approval, ApprovalType, Decider, Submission
from accordo.clients.models import MemberRole, Membership, Organisation

APPROVALS = 100_000
BATCH = 2000
STATEMENT = "Namens de organisatie keur ik de stukken goed zoals aangeboden."
STATUSES = (
    [Approval.Status.OFFERED] * 3
    + [Approval.Status.APPROVED] * 5
    + [Approval.Status.REJECTED, Approval.Status.WITHDRAWN, Approval.Status.EXPIRED, Approval.Status.SUPERSEDED]
)
TYPES = [t.value for t in ApprovalType]
TITLES = {
    "ib": "Aangifte inkomstenbelasting",
    "vpb": "Aangifte vennootschapsbelasting",
    "ob": "Btw-aangifte",
    "icp": "ICP-opgaaf",
    "lh": "Loonheffingen",
    "annual_accounts": "Jaarrekening",
    "publication": "Publicatiestukken",
    "quotation": "Offerte",
    "engagement": "Opdrachtbevestiging",
    "other": "Stukken",
}
SUBMISSION_STATUSES = [Submission.Status.READY] * 2 + [
    Submission.Status.SUBMITTED,
    Submission.Status.ACCEPTED,
    Submission.Status.ACCEPTED,
    Submission.Status.REJECTED,
]


@contextlib.contextmanager
def _own_created_at() -> Iterator[None]:
    """Let bulk_create keep the given created_at (spread over two years) instead of "now"."""
    field = Approval._meta.get_field("created_at")
    field.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        field.auto_now_add = True  # type: ignore[attr-defined]


def _period(rng: random.Random, kind: str, year: int) -> str:
    if kind in ("ob", "icp", "lh"):
        return f"{year}-Q{rng.randint(1, 4)}"
    return str(year)


def seed(
    rng: random.Random, organisations: list[Organisation], staff: list[User], *, count: int = APPROVALS
) -> dict[str, int]:
    """``count`` approvals spread over the organisations, one or two deciders each, and their submissions."""
    owners: dict[int, list[int]] = {}
    for org_id, user_id in Membership.objects.filter(role__in=(MemberRole.OWNER, MemberRole.APPROVER)).values_list(
        "organisation_id", "user_id"
    ):
        owners.setdefault(org_id, []).append(user_id)
    now = timezone.now()
    today = timezone.localdate()
    deciders: list[Decider] = []
    submissions: list[Submission] = []
    made = 0
    with _own_created_at():
        while made < count:
            rows = []
            for _ in range(min(BATCH, count - made)):
                organisation = rng.choice(organisations)
                kind = rng.choice(TYPES)
                status = rng.choice(STATUSES)
                age = rng.randint(0, 730)
                created = now - datetime.timedelta(days=age, minutes=rng.randint(0, 1439))
                year = created.year - 1
                due = today - datetime.timedelta(days=age - rng.randint(-10, 45))
                rows.append(
                    Approval(
                        organisation=organisation,
                        type=kind,
                        period=_period(rng, kind, year),
                        title=f"{TITLES[kind]} {year}",
                        amount=rng.randint(-50_000, 150_000) if kind in TAX_RETURNS else None,
                        due_date=due if rng.random() < 0.8 else None,
                        mode=Approval.Mode.READ if kind == ApprovalType.OTHER else Approval.Mode.APPROVE,
                        rule=Approval.Rule.ALL if rng.random() < 0.2 else Approval.Rule.ANY,
                        status=status,
                        statement=STATEMENT,
                        offered_by=rng.choice(staff),
                        decided_at=None if status == Approval.Status.OFFERED else created + datetime.timedelta(days=3),
                        created_at=created,
                        updated_at=created,
                    )
                )
            rows = Approval.objects.bulk_create(rows)
            for approval in rows:
                decision = {
                    Approval.Status.APPROVED: Decider.Decision.APPROVED,
                    Approval.Status.REJECTED: Decider.Decision.REJECTED,
                }.get(approval.status, Decider.Decision.PENDING)  # type: ignore[call-overload]
                for user_id in owners.get(approval.organisation_id, [])[:2]:
                    deciders.append(
                        Decider(
                            approval=approval,
                            user_id=user_id,
                            decision=decision,
                            decided_at=approval.decided_at if decision != Decider.Decision.PENDING else None,
                            reason="Het bedrag klopt niet." if decision == Decider.Decision.REJECTED else "",
                        )
                    )
                if approval.status == Approval.Status.APPROVED and approval.type in TAX_RETURNS:
                    submissions.append(
                        Submission(
                            approval=approval,
                            organisation_id=approval.organisation_id,
                            channel=Submission.Channel.TAX_OFFICE,
                            status=rng.choice(SUBMISSION_STATUSES),
                        )
                    )
            Decider.objects.bulk_create(deciders, batch_size=BATCH)
            deciders.clear()
            made += len(rows)
    Submission.objects.bulk_create(submissions, batch_size=BATCH)
    return {"approvals": made, "submissions": len(submissions)}
