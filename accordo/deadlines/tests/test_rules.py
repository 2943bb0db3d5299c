import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accordo.deadlines.rules import Deadline, DeadlineKind, Profile, deadlines_for

K = DeadlineKind
NL_BV = Profile("NL", "quarterly", (12, 31), "bv")
NL_BV_MONTHLY = Profile("NL", "monthly", (12, 31), "bv")
NL_BV_JUNE = Profile("NL", "quarterly", (6, 30), "bv")
NL_BV_MARCH = Profile("NL", "quarterly", (3, 31), "bv")
NL_BV_FEB = Profile("NL", "quarterly", (2, 29), "bv")
NL_BV_FEB_28 = Profile("NL", "quarterly", (2, 28), "bv")
NL_BV_SCHEME = Profile("NL", "quarterly", (12, 31), "bv", extension_scheme=True)
NL_BV_JUNE_SCHEME = Profile("NL", "quarterly", (6, 30), "bv", extension_scheme=True)
NL_SOLE = Profile("NL", "quarterly", (12, 31), "eenmanszaak")
NL_SOLE_SCHEME = Profile("NL", "quarterly", (12, 31), "eenmanszaak", extension_scheme=True)
NL_YEARLY = Profile("NL", "yearly", (12, 31), "eenmanszaak")
NL_YEARLY_FIRM_DATE = Profile("NL", "yearly", (12, 31), "eenmanszaak", nl_yearly_vat_due=(6, 30))
BE_BV = Profile("BE", "quarterly", (12, 31), "be_bv")
BE_BV_MONTHLY = Profile("BE", "monthly", (12, 31), "be_bv")


def be_bv(month: int, day: int) -> Profile:
    return Profile("BE", "quarterly", (month, day), "be_bv")


CASES = [
    # NL VAT and ICP: the last day of the month after the period.
    ("nl-vat-q1", NL_BV, 2025, K.VAT_RETURN, date(2025, 3, 31), date(2025, 4, 30)),
    ("nl-vat-q2", NL_BV, 2025, K.VAT_RETURN, date(2025, 6, 30), date(2025, 7, 31)),
    ("nl-vat-q4-next-year", NL_BV, 2025, K.VAT_RETURN, date(2025, 12, 31), date(2026, 1, 31)),
    ("nl-icp-q4-next-year", NL_BV, 2025, K.ICP_RETURN, date(2025, 12, 31), date(2026, 1, 31)),
    ("nl-vat-january-leap", NL_BV_MONTHLY, 2028, K.VAT_RETURN, date(2028, 1, 31), date(2028, 2, 29)),
    ("nl-vat-january", NL_BV_MONTHLY, 2027, K.VAT_RETURN, date(2027, 1, 31), date(2027, 2, 28)),
    ("nl-vat-december", NL_BV_MONTHLY, 2025, K.VAT_RETURN, date(2025, 12, 31), date(2026, 1, 31)),
    ("nl-icp-monthly-april", NL_BV_MONTHLY, 2025, K.ICP_RETURN, date(2025, 4, 30), date(2025, 5, 31)),
    ("nl-vat-yearly-default", NL_YEARLY, 2025, K.VAT_RETURN, date(2025, 12, 31), date(2026, 3, 31)),
    ("nl-icp-yearly", NL_YEARLY, 2025, K.ICP_RETURN, date(2025, 12, 31), date(2026, 3, 31)),
    ("nl-vat-yearly-firm", NL_YEARLY_FIRM_DATE, 2025, K.VAT_RETURN, date(2025, 12, 31), date(2026, 6, 30)),
    # NL income tax: 1 May, or 1 May of the second year in the extension scheme.
    ("nl-ib", NL_SOLE, 2025, K.INCOME_TAX_RETURN, date(2025, 12, 31), date(2026, 5, 1)),
    ("nl-ib-scheme", NL_SOLE_SCHEME, 2025, K.INCOME_TAX_RETURN, date(2025, 12, 31), date(2027, 5, 1)),
    # NL corporate tax: five months; the extension scheme.
    ("nl-vpb-calendar", NL_BV, 2025, K.CORPORATE_TAX_RETURN, date(2025, 12, 31), date(2026, 5, 31)),
    ("nl-vpb-june", NL_BV_JUNE, 2025, K.CORPORATE_TAX_RETURN, date(2025, 6, 30), date(2025, 11, 30)),
    ("nl-vpb-march", NL_BV_MARCH, 2025, K.CORPORATE_TAX_RETURN, date(2025, 3, 31), date(2025, 8, 31)),
    ("nl-vpb-feb-leap", NL_BV_FEB, 2028, K.CORPORATE_TAX_RETURN, date(2028, 2, 29), date(2028, 7, 31)),
    ("nl-vpb-feb-common", NL_BV_FEB, 2027, K.CORPORATE_TAX_RETURN, date(2027, 2, 28), date(2027, 7, 31)),
    ("nl-vpb-feb-28-in-leap", NL_BV_FEB_28, 2028, K.CORPORATE_TAX_RETURN, date(2028, 2, 28), date(2028, 7, 28)),
    ("nl-vpb-scheme", NL_BV_SCHEME, 2025, K.CORPORATE_TAX_RETURN, date(2025, 12, 31), date(2027, 5, 1)),
    ("nl-vpb-scheme-june", NL_BV_JUNE_SCHEME, 2025, K.CORPORATE_TAX_RETURN, date(2025, 6, 30), date(2026, 10, 31)),
    # NL annual accounts: twelve months after the year end.
    ("nl-filing-calendar", NL_BV, 2025, K.ANNUAL_ACCOUNTS_FILING, date(2025, 12, 31), date(2026, 12, 31)),
    ("nl-filing-june", NL_BV_JUNE, 2025, K.ANNUAL_ACCOUNTS_FILING, date(2025, 6, 30), date(2026, 6, 30)),
    ("nl-filing-feb-leap", NL_BV_FEB, 2028, K.ANNUAL_ACCOUNTS_FILING, date(2028, 2, 29), date(2029, 2, 28)),
    ("nl-filing-into-leap", NL_BV_FEB, 2027, K.ANNUAL_ACCOUNTS_FILING, date(2027, 2, 28), date(2028, 2, 29)),
    # BE VAT: monthly the 20th, quarterly the 25th (from 2025; the 20th before).
    ("be-vat-monthly-jan", BE_BV_MONTHLY, 2025, K.VAT_RETURN, date(2025, 1, 31), date(2025, 2, 20)),
    ("be-vat-monthly-dec", BE_BV_MONTHLY, 2025, K.VAT_RETURN, date(2025, 12, 31), date(2026, 1, 20)),
    ("be-icp-monthly-dec", BE_BV_MONTHLY, 2025, K.ICP_RETURN, date(2025, 12, 31), date(2026, 1, 20)),
    ("be-vat-q1", BE_BV, 2025, K.VAT_RETURN, date(2025, 3, 31), date(2025, 4, 25)),
    ("be-vat-q4", BE_BV, 2025, K.VAT_RETURN, date(2025, 12, 31), date(2026, 1, 25)),
    ("be-icp-q2", BE_BV, 2025, K.ICP_RETURN, date(2025, 6, 30), date(2025, 7, 25)),
    ("be-vat-q3-2024", BE_BV, 2024, K.VAT_RETURN, date(2024, 9, 30), date(2024, 10, 20)),
    # BE annual accounts at the NBB: seven months.
    ("be-filing-calendar", BE_BV, 2025, K.ANNUAL_ACCOUNTS_FILING, date(2025, 12, 31), date(2026, 7, 31)),
    ("be-filing-june", be_bv(6, 30), 2025, K.ANNUAL_ACCOUNTS_FILING, date(2025, 6, 30), date(2026, 1, 31)),
    ("be-filing-feb-leap", be_bv(2, 29), 2028, K.ANNUAL_ACCOUNTS_FILING, date(2028, 2, 29), date(2028, 9, 30)),
    # BE corporate tax: 30 September for years ending 31 December to end of February, else 7th month.
    ("be-cit-december", BE_BV, 2025, K.CORPORATE_TAX_RETURN, date(2025, 12, 31), date(2026, 9, 30)),
    ("be-cit-january", be_bv(1, 31), 2026, K.CORPORATE_TAX_RETURN, date(2026, 1, 31), date(2026, 9, 30)),
    ("be-cit-feb-leap", be_bv(2, 29), 2028, K.CORPORATE_TAX_RETURN, date(2028, 2, 29), date(2028, 9, 30)),
    ("be-cit-feb-common", be_bv(2, 29), 2027, K.CORPORATE_TAX_RETURN, date(2027, 2, 28), date(2027, 9, 30)),
    ("be-cit-march", be_bv(3, 31), 2026, K.CORPORATE_TAX_RETURN, date(2026, 3, 31), date(2026, 10, 31)),
    ("be-cit-june", be_bv(6, 30), 2025, K.CORPORATE_TAX_RETURN, date(2025, 6, 30), date(2026, 1, 31)),
    ("be-cit-november", be_bv(11, 30), 2025, K.CORPORATE_TAX_RETURN, date(2025, 11, 30), date(2026, 6, 30)),
    ("be-cit-mid-december", be_bv(12, 15), 2025, K.CORPORATE_TAX_RETURN, date(2025, 12, 15), date(2026, 7, 31)),
]


def only(deadlines: list[Deadline], kind: DeadlineKind, period_end: date) -> Deadline:
    matches = [d for d in deadlines if d.kind == kind and d.period_end == period_end]
    assert len(matches) == 1, matches
    return matches[0]


@pytest.mark.parametrize(
    ("profile", "year", "kind", "period_end", "due"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_it_computes_the_due_date(profile, year, kind, period_end, due):
    assert only(deadlines_for(profile, year), kind, period_end).due_date == due


@pytest.mark.parametrize(
    ("profile", "year", "start", "end"),
    [
        (NL_BV, 2025, date(2025, 1, 1), date(2025, 12, 31)),
        (NL_BV_JUNE, 2025, date(2024, 7, 1), date(2025, 6, 30)),
        (NL_BV_FEB, 2028, date(2027, 3, 1), date(2028, 2, 29)),
        (NL_BV_FEB, 2029, date(2028, 3, 1), date(2029, 2, 28)),
        (NL_BV_FEB_28, 2029, date(2028, 2, 29), date(2029, 2, 28)),
    ],
)
def test_it_spans_the_financial_year_ending_in_the_year(profile, year, start, end):
    deadline = next(d for d in deadlines_for(profile, year) if d.kind == K.CORPORATE_TAX_RETURN)
    assert (deadline.period_start, deadline.period_end) == (start, end)


def test_it_lists_every_period_ending_in_the_year_by_due_date_then_kind():
    deadlines = deadlines_for(NL_BV_MONTHLY, 2025)
    vat = [d for d in deadlines if d.kind == K.VAT_RETURN]
    assert [d.period_start for d in vat] == [date(2025, m, 1) for m in range(1, 13)]
    assert len(deadlines) == 12 + 12 + 2
    assert deadlines == sorted(deadlines, key=lambda d: (d.due_date, d.kind))
    assert [d.kind for d in deadlines[:2]] == [K.ICP_RETURN, K.VAT_RETURN]


def test_it_generates_only_what_the_legal_form_files():
    assert {d.kind for d in deadlines_for(NL_SOLE, 2025)} == {K.VAT_RETURN, K.ICP_RETURN, K.INCOME_TAX_RETURN}
    person = Profile("NL", "none", (12, 31), "person")
    assert [d.kind for d in deadlines_for(person, 2025)] == [K.INCOME_TAX_RETURN]
    stichting = Profile("NL", "quarterly", (12, 31), "stichting")
    assert {d.kind for d in deadlines_for(stichting, 2025)} == {K.VAT_RETURN, K.ICP_RETURN}
    be_vof = Profile("BE", "monthly", (12, 31), "be_vof")
    assert K.ANNUAL_ACCOUNTS_FILING not in {d.kind for d in deadlines_for(be_vof, 2025)}
    assert K.CORPORATE_TAX_RETURN in {d.kind for d in deadlines_for(be_vof, 2025)}


def test_it_generates_payroll_deadlines_only_from_the_firms_dates():
    assert not [d for d in deadlines_for(Profile("NL", "none", payroll=True), 2025) if d.kind == K.PAYROLL_TAX_RETURN]
    dates = {
        date(2025, 11, 1): date(2025, 12, 31),
        date(2025, 12, 1): date(2026, 1, 31),
        date(2026, 1, 1): date(2026, 2, 28),
    }
    payroll = deadlines_for(Profile("NL", "none", legal_form="bv", payroll=True, payroll_dates=dates), 2025)
    rows = [(d.period_start, d.period_end, d.due_date) for d in payroll if d.kind == K.PAYROLL_TAX_RETURN]
    assert rows == [
        (date(2025, 11, 1), date(2025, 11, 30), date(2025, 12, 31)),
        (date(2025, 12, 1), date(2025, 12, 31), date(2026, 1, 31)),
    ]
    four_weeks = Profile("NL", "none", payroll=True, payroll_dates={date(2025, 12, 8): date(2026, 2, 4)})
    assert [(d.period_end, d.due_date) for d in deadlines_for(four_weeks, 2026)] == [
        (date(2026, 1, 4), date(2026, 2, 4))
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"country": "DE", "vat_frequency": "monthly"},
        {"country": "NL", "vat_frequency": "weekly"},
        {"country": "BE", "vat_frequency": "yearly"},
        {"country": "NL", "vat_frequency": "monthly", "fiscal_year_end": (2, 30)},
        {"country": "NL", "vat_frequency": "monthly", "fiscal_year_end": (13, 1)},
        {"country": "NL", "vat_frequency": "monthly", "legal_form": "be_bv"},
        {"country": "BE", "vat_frequency": "monthly", "legal_form": "bv"},
        {"country": "NL", "vat_frequency": "monthly", "legal_form": "gmbh"},
    ],
)
def test_it_rejects_an_impossible_profile(kwargs):
    with pytest.raises(ValueError):
        Profile(**kwargs)


def preview(*args: str) -> list[dict[str, str]]:
    out = StringIO()
    call_command("deadlines_preview", *args, stdout=out)
    return json.loads(out.getvalue())


def test_it_previews_the_deadlines_as_json():
    rows = preview("--country", "NL", "--vat-frequency", "quarterly", "--fiscal-year-end", "06-30", "--year", "2025")
    assert rows[0] == {
        "kind": "icp_return",
        "period_start": "2025-01-01",
        "period_end": "2025-03-31",
        "due_date": "2025-04-30",
    }
    assert {
        "kind": "corporate_tax_return",
        "period_start": "2024-07-01",
        "period_end": "2025-06-30",
        "due_date": "2025-11-30",
    } in rows
    assert {
        "kind": "annual_accounts_filing",
        "period_start": "2024-07-01",
        "period_end": "2025-06-30",
        "due_date": "2026-06-30",
    } in rows
    assert len(rows) == 10


def test_it_previews_with_a_legal_form_and_the_extension_scheme():
    args = ["--country", "NL", "--vat-frequency", "monthly", "--fiscal-year-end", "12-31", "--year", "2025"]
    rows = preview(*args, "--legal-form", "eenmanszaak", "--extension-scheme")
    assert [r for r in rows if r["kind"] == "income_tax_return"] == [
        {
            "kind": "income_tax_return",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "due_date": "2027-05-01",
        }
    ]


def test_it_defaults_to_a_belgian_bv():
    rows = preview("--country", "BE", "--vat-frequency", "quarterly", "--fiscal-year-end", "02-29", "--year", "2027")
    assert {
        "kind": "corporate_tax_return",
        "period_start": "2026-03-01",
        "period_end": "2027-02-28",
        "due_date": "2027-09-30",
    } in rows
    assert {
        "kind": "annual_accounts_filing",
        "period_start": "2026-03-01",
        "period_end": "2027-02-28",
        "due_date": "2027-09-30",
    } in rows


@pytest.mark.parametrize(
    "args",
    [
        ["--country", "DE", "--vat-frequency", "monthly", "--fiscal-year-end", "12-31", "--year", "2025"],
        ["--country", "NL", "--vat-frequency", "weekly", "--fiscal-year-end", "12-31", "--year", "2025"],
        ["--country", "NL", "--vat-frequency", "monthly", "--fiscal-year-end", "31-12", "--year", "2025"],
        ["--country", "NL", "--vat-frequency", "monthly", "--fiscal-year-end", "2025-12-31", "--year", "2025"],
        ["--country", "NL", "--vat-frequency", "monthly", "--fiscal-year-end", "12-31", "--year", "twenty"],
        ["--country", "NL", "--vat-frequency", "monthly", "--fiscal-year-end", "12-31", "--year", "0"],
        ["--country", "NL", "--vat-frequency", "monthly", "--fiscal-year-end", "12-31"],
        [
            "--country",
            "NL",
            "--vat-frequency",
            "monthly",
            "--fiscal-year-end",
            "12-31",
            "--year",
            "2025",
            "--legal-form",
            "be_nv",
        ],
        ["--country", "BE", "--vat-frequency", "yearly", "--fiscal-year-end", "12-31", "--year", "2025"],
    ],
)
def test_it_refuses_bad_arguments(args):
    with pytest.raises(CommandError):
        call_command("deadlines_preview", *args, stdout=StringIO())
