"""The extension scheme's progress: the share of IB and VPB returns of a year filed by each milestone."""

import datetime
from decimal import Decimal

from accordo.filings.models import ReturnStatus, TaxReturn
from accordo.filings.progress import scheme_progress
from accordo.testing.factories import OrganisationFactory

D = datetime.date


def returns(type: str, submitted: list[datetime.date | None], year: int = 2025) -> None:
    for on in submitted:
        TaxReturn.objects.create(
            organisation=OrganisationFactory(), type=type, period=str(year), period_start=D(year, 1, 1),
            period_end=D(year, 12, 31), status=ReturnStatus.SUBMITTED if on else ReturnStatus.IN_PREPARATION,
            submitted_on=on, amount=Decimal("1"),
        )  # fmt: skip


def test_it_counts_the_share_filed_by_each_milestone_and_says_on_track_or_behind(db):
    returns("ib", [D(2026, 5, 1), D(2026, 8, 31), D(2026, 9, 15), None, None, None, None, None, None, None])
    returns("vpb", [D(2026, 6, 1), D(2026, 7, 1), D(2026, 7, 2)])
    returns("ob", [D(2026, 1, 1)])  # not in the scheme
    returns("ib", [D(2025, 5, 1)], year=2024)  # another year
    ib, vpb = scheme_progress(2025, today=D(2026, 11, 15))
    assert (ib.type, ib.total, ib.filed_now) == ("ib", 10, 3)
    assert [(m.date, m.target, m.share, m.state) for m in ib.milestones] == [
        (D(2026, 8, 31), Decimal("0.30"), Decimal("0.200"), "behind"),  # 2 of 10 by 31 August
        (D(2026, 10, 31), Decimal("0.50"), Decimal("0.300"), "behind"),
        (D(2026, 12, 31), Decimal("0.75"), Decimal("0.300"), "behind"),  # the next milestone, not reached yet
        (D(2027, 4, 30), Decimal("1.00"), Decimal("0.300"), "upcoming"),
    ]
    assert [m.state for m in vpb.milestones] == ["on_track", "on_track", "on_track", "on_track"]


def test_it_says_nothing_about_a_year_without_returns(db):
    ib, vpb = scheme_progress(2030, today=D(2031, 1, 1))
    assert ib.total == 0 and all(m.share is None for m in ib.milestones)
