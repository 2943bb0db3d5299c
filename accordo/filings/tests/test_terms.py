"""The objection deadline: six weeks after the dagtekening (NL), moved past weekends and Atw holidays."""

import datetime

import pytest

from accordo.filings.terms import be_objection_due, nl_atw_holidays, nl_objection_due, objection_due

D = datetime.date


@pytest.mark.parametrize(
    ("dagtekening", "due", "why"),
    [
        (D(2026, 3, 18), D(2026, 4, 29), "a plain Wednesday: dagtekening + 42 days"),
        (D(2026, 2, 14), D(2026, 3, 30), "ends on Saturday 28 March → Monday"),
        (D(2026, 2, 15), D(2026, 3, 30), "ends on Sunday 29 March → Monday"),
        (D(2026, 2, 20), D(2026, 4, 7), "ends on Good Friday 3 April (Atw art. 3(2)) → past Easter Monday"),
        (D(2026, 2, 23), D(2026, 4, 7), "ends on Easter Monday 6 April → Tuesday"),
        (D(2026, 4, 2), D(2026, 5, 15), "ends on Ascension Day 14 May → Friday"),
        (D(2026, 3, 16), D(2026, 4, 28), "ends on King's Day 27 April → Tuesday"),
        (D(2026, 3, 24), D(2026, 5, 6), "ends on 5 May in a year that is no lustrum → Wednesday"),
        (D(2026, 4, 13), D(2026, 5, 26), "ends on Whit Monday 25 May → Tuesday"),
        (D(2025, 11, 13), D(2025, 12, 29), "ends on Christmas Day → past Boxing Day and the weekend"),
        (D(2025, 11, 20), D(2026, 1, 2), "ends on New Year's Day → into the next year"),
        (D(2025, 11, 19), D(2025, 12, 31), "crosses no holiday: 31 December"),
    ],
)
def test_it_counts_the_dutch_objection_term(dagtekening, due, why):
    assert nl_objection_due(dagtekening) == due, why
    assert objection_due(dagtekening, "NL") == due


def test_it_counts_the_fifth_of_may_every_year_as_the_atw_does():
    assert D(2026, 5, 5) in nl_atw_holidays(2026) and D(2027, 5, 5) in nl_atw_holidays(2027)


@pytest.mark.parametrize(
    ("sent", "due", "why"),
    [
        (D(2026, 6, 1), D(2027, 6, 4), "Monday: third working day Thursday 4 June, one year on"),
        (D(2026, 4, 2), D(2027, 4, 8), "Thursday before Easter: Friday, (Easter Monday), Tuesday, Wednesday"),
        (D(2026, 12, 23), D(2027, 12, 29), "over Christmas and a weekend; the year after ends on a Wednesday"),
        (D(2026, 7, 8), D(2027, 7, 13), "third working day 13 July 2026; 13 July 2027 is a Tuesday"),
        (D(2027, 5, 10), D(2028, 5, 15), "13 May 2027 (Ascension) skipped: 14 May 2027; 14 May 2028 is a Sunday"),
    ],
)
def test_it_counts_the_belgian_objection_term(sent, due, why):
    assert be_objection_due(sent) == due, why
    assert objection_due(sent, "BE") == due
