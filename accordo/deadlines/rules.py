"""The legal deadlines of an organisation, computed from its profile (SPEC §11).

Pure functions: no database, no clock. `deadlines_for(profile, year)` returns every deadline of
every period (VAT period, financial year, tax year) that ends in `year`.

Counting "N months after the end of a period" follows the civil computation (BE: Gerechtelijk
Wetboek art. 52-54, "van de zoveelste tot de dag vóór de zoveelste"; the Dutch tax office counts
the same way, e.g. Vpb for a year ending 28 February is due 31 July): the term starts the day
after the period ends and ends the day before the same day number N months later; if that day
does not exist, at the end of that month. A year ending 31 December gives 31 May for five months,
one ending 28 February 2027 gives 31 July 2027, one ending 30 June gives 31 January for seven
months. Deadlines are the legal ones; they are not moved off weekends or holidays, and
administrative tolerances (the Belgian summer extension, the next-working-day tolerance) are left out.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from accordo.clients.models import Organisation

LegalForm = Organisation.LegalForm

Country = Literal["NL", "BE"]
VatFrequency = Literal["monthly", "quarterly", "yearly", "none"]
MonthDay = tuple[int, int]

COUNTRIES: tuple[Country, ...] = ("NL", "BE")
VAT_FREQUENCIES: tuple[VatFrequency, ...] = ("monthly", "quarterly", "yearly", "none")


class DeadlineKind(StrEnum):
    VAT_RETURN = "vat_return"
    ICP_RETURN = "icp_return"
    PAYROLL_TAX_RETURN = "payroll_tax_return"
    INCOME_TAX_RETURN = "income_tax_return"
    CORPORATE_TAX_RETURN = "corporate_tax_return"
    ANNUAL_ACCOUNTS_FILING = "annual_accounts_filing"


# NL: natural persons and the partners of a VOF, maatschap or CV file income tax (IB) themselves.
NL_INCOME_TAX_FORMS = frozenset(
    {LegalForm.PERSON, LegalForm.EENMANSZAAK, LegalForm.VOF, LegalForm.MAATSCHAP, LegalForm.CV}
)
# NL: always liable to corporate tax and to publish annual accounts (Wet Vpb 1969 art. 2; BW 2:360).
# A stichting or vereniging is liable only when it runs an enterprise, so it gets no generated
# deadline; the firm adds it by hand.
NL_COMPANY_FORMS = frozenset({LegalForm.BV, LegalForm.NV, LegalForm.COOPERATIE})
# BE: companies with legal personality pay vennootschapsbelasting; a VZW pays
# rechtspersonenbelasting (other form and date), so it gets no generated corporate tax deadline.
BE_CORPORATE_TAX_FORMS = frozenset({LegalForm.BE_BV, LegalForm.BE_NV, LegalForm.BE_VOF, LegalForm.BE_COMMV})
# BE: a VOF or CommV whose unlimited partners are natural persons need not publish its accounts
# (WVV art. 3:1 §2), and whether a VZW files at the NBB depends on its size: both left to the firm.
BE_FILING_FORMS = frozenset({LegalForm.BE_BV, LegalForm.BE_NV})

NL_DEFAULT_YEARLY_VAT_DUE: MonthDay = (3, 31)
# The fixed Belgian corporate tax date for years ending 31 December to the end of February. The FPS
# Finance sets it each year on the return form; 30 September is the date this calendar promises.
BE_CORPORATE_TAX_FIXED_DUE: MonthDay = (9, 30)
BE_QUARTERLY_VAT_DAY_FROM = date(2025, 1, 1)


class DateMap(dict[date, date]):
    """Payroll periods' first days → due dates; hashable, since profiles are cache keys."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))


@dataclass(frozen=True, slots=True)
class Profile:
    """What the deadlines depend on.

    `fiscal_year_end` is a (month, day); in a year where that day does not exist (29 February) it is
    the last day of the month, so (2, 29) means "the end of February" every year while (2, 28)
    ends on the 28th also in a leap year. `payroll_dates` maps the first day of each payroll tax
    period to the due date the tax office sent the firm.
    """

    country: Country
    vat_frequency: VatFrequency
    fiscal_year_end: MonthDay = (12, 31)
    legal_form: str = ""
    payroll: bool = False
    extension_scheme: bool = False
    nl_yearly_vat_due: MonthDay | None = None
    payroll_dates: Mapping[date, date] | None = None

    def __post_init__(self) -> None:
        if self.payroll_dates is not None and not isinstance(self.payroll_dates, DateMap):
            object.__setattr__(self, "payroll_dates", DateMap(self.payroll_dates))
        if self.country not in COUNTRIES:
            raise ValueError(f"Unknown country {self.country!r}; expected one of {', '.join(COUNTRIES)}.")
        if self.vat_frequency not in VAT_FREQUENCIES:
            raise ValueError(
                f"Unknown VAT frequency {self.vat_frequency!r}; expected one of {', '.join(VAT_FREQUENCIES)}."
            )
        if self.country == "BE" and self.vat_frequency == "yearly":
            raise ValueError("Belgium has no yearly VAT return; use monthly, quarterly or none.")
        _check_month_day(self.fiscal_year_end, "fiscal year end")
        if self.nl_yearly_vat_due is not None:
            _check_month_day(self.nl_yearly_vat_due, "yearly VAT due date")
        if self.legal_form:
            if self.legal_form not in LegalForm.values:
                raise ValueError(f"Unknown legal form {self.legal_form!r}.")
            belgian = self.legal_form.startswith("be_")
            if self.legal_form != LegalForm.PERSON and belgian != (self.country == "BE"):
                raise ValueError(f"Legal form {self.legal_form!r} does not exist in {self.country}.")


@dataclass(frozen=True, slots=True)
class Deadline:
    kind: DeadlineKind
    period_start: date
    period_end: date
    due_date: date


def deadlines_for(profile: Profile, year: int) -> list[Deadline]:
    """Every deadline of `profile` for the periods ending in `year`, by due date, then kind."""
    found = _nl_deadlines(profile, year) if profile.country == "NL" else _be_deadlines(profile, year)
    found += _payroll_deadlines(profile, year)
    return sorted(found, key=lambda d: (d.due_date, d.kind, d.period_start))


# --- date arithmetic -------------------------------------------------------------------------


def _check_month_day(value: MonthDay, what: str) -> None:
    month, day = value
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2000, month)[1]:
        raise ValueError(f"Invalid {what} {month:02d}-{day:02d}.")


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def on_day(year: int, month_day: MonthDay) -> date:
    """`month_day` in `year`, the day clipped to the month's length (29 February → 28 February)."""
    month, day = month_day
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def months_after(end: date, months: int) -> date:
    """The last day of a term of `months` months counted from the day after `end`."""
    start = end + timedelta(days=1)
    year, month = _shift_month(start.year, start.month, months)
    if start.day > calendar.monthrange(year, month)[1]:
        return month_end(year, month)
    return date(year, month, start.day) - timedelta(days=1)


def last_day_of_month_after(end: date, months: int) -> date:
    year, month = _shift_month(end.year, end.month, months)
    return month_end(year, month)


def day_of_month_after(end: date, months: int, day: int) -> date:
    year, month = _shift_month(end.year, end.month, months)
    return date(year, month, day)


def financial_year(profile: Profile, year: int) -> tuple[date, date]:
    """The (first, last) day of the financial year that ends in `year`."""
    return on_day(year - 1, profile.fiscal_year_end) + timedelta(days=1), on_day(year, profile.fiscal_year_end)


def vat_periods(frequency: VatFrequency, year: int) -> list[tuple[date, date]]:
    """VAT periods are calendar months, quarters or the calendar year in both countries."""
    step = {"monthly": 1, "quarterly": 3, "yearly": 12}.get(frequency)
    if step is None:
        return []
    return [(date(year, first, 1), month_end(year, first + step - 1)) for first in range(1, 13, step)]


# --- the Netherlands ---------------------------------------------------------------------------


def _nl_deadlines(profile: Profile, year: int) -> list[Deadline]:
    found: list[Deadline] = []
    files_icp = profile.legal_form != LegalForm.PERSON
    for start, end in vat_periods(profile.vat_frequency, year):
        due = _nl_vat_due(profile, end)
        found.append(Deadline(DeadlineKind.VAT_RETURN, start, end, due))
        if files_icp:
            # ICP (Wet OB 1968 art. 37a): the same period as the VAT return and the same term,
            # within a month after the period. A yearly ICP return exists only for yearly VAT filers
            # with the tax office's permission; it gets the firm's yearly VAT date.
            # https://wetten.overheid.nl/BWBR0002629/
            found.append(Deadline(DeadlineKind.ICP_RETURN, start, end, due))

    if profile.legal_form in NL_INCOME_TAX_FORMS:
        found.append(_nl_income_tax(profile, year))
    if profile.legal_form in NL_COMPANY_FORMS:
        start, end = financial_year(profile, year)
        found.append(Deadline(DeadlineKind.CORPORATE_TAX_RETURN, start, end, _nl_corporate_tax_due(profile, end)))
        # Annual accounts (BW 2:394 lid 3 with 2:101 NV, 2:210 BV, 2:58 coöperatie): drawn up within
        # five months, extendable by five, adopted within two more; if not adopted by then, the
        # drawn-up accounts are filed at once. So filed at the latest 12 months after year end.
        # https://wetten.overheid.nl/BWBR0003045/
        # https://www.kvk.nl/wetten-en-regels/jaarrekening-deponeren/
        found.append(Deadline(DeadlineKind.ANNUAL_ACCOUNTS_FILING, start, end, months_after(end, 12)))
    return found


def _nl_vat_due(profile: Profile, period_end: date) -> date:
    """VAT return and payment: "binnen een maand na het einde van het tijdvak" (AWR art. 19 lid 1).

    https://wetten.overheid.nl/BWBR0002320/
    https://www.belastingdienst.nl/wps/wcm/connect/nl/btw/content/wanneer-btw-aangifte-doen-en-betalen
    A yearly return is due on the date the tax office set in its permission (31 March unless the
    firm enters another).
    """
    if profile.vat_frequency == "yearly":
        return on_day(period_end.year + 1, profile.nl_yearly_vat_due or NL_DEFAULT_YEARLY_VAT_DUE)
    return last_day_of_month_after(period_end, 1)


def _nl_income_tax(profile: Profile, year: int) -> Deadline:
    """Income tax (IB) for the calendar year: 1 May after it, or 1 May a year later in the scheme.

    AWR art. 9 and 10 let the inspector set the term in the invitation; the Belastingdienst sets
    1 May. The "uitstelregeling belastingconsulenten" moves it to 1 May of the second year after.
    https://wetten.overheid.nl/BWBR0002320/
    https://www.belastingdienst.nl/wps/wcm/connect/nl/intermediairs/content/uitstelregeling-belastingconsulenten
    """
    due = date(year + (2 if profile.extension_scheme else 1), 5, 1)
    return Deadline(DeadlineKind.INCOME_TAX_RETURN, date(year, 1, 1), date(year, 12, 31), due)


def _nl_corporate_tax_due(profile: Profile, year_end: date) -> date:
    """Corporate tax (Vpb): within five months after the financial year (AWR art. 10).

    In the uitstelregeling belastingconsulenten a calendar year's return is due 1 May of the second
    year after it. For a broken financial year the scheme extends the regular five months by eleven
    months, to sixteen months after the year end (e.g. 30 June 2025 → 31 October 2026).
    https://wetten.overheid.nl/BWBR0002320/
    https://www.belastingdienst.nl/wps/wcm/connect/nl/intermediairs/content/uitstelregeling-belastingconsulenten
    """
    if not profile.extension_scheme:
        return months_after(year_end, 5)
    if (year_end.month, year_end.day) == (12, 31):
        return date(year_end.year + 2, 5, 1)
    return months_after(year_end, 16)


# --- Belgium -----------------------------------------------------------------------------------


def _be_deadlines(profile: Profile, year: int) -> list[Deadline]:
    found: list[Deadline] = []
    files_listing = profile.legal_form != LegalForm.PERSON
    for start, end in vat_periods(profile.vat_frequency, year):
        due = _be_vat_due(profile, start, end)
        found.append(Deadline(DeadlineKind.VAT_RETURN, start, end, due))
        if files_listing:
            # The intra-community listing (KB nr. 50) follows the VAT frequency; it is given the
            # return's date: the 20th of the next month, for quarters from 2025 the 25th.
            # https://financien.belgium.be/nl/ondernemingen/btw/internationaal/intracommunautaire_listing
            found.append(Deadline(DeadlineKind.ICP_RETURN, start, end, due))

    if profile.legal_form in BE_CORPORATE_TAX_FORMS or profile.legal_form in BE_FILING_FORMS:
        start, end = financial_year(profile, year)
        if profile.legal_form in BE_CORPORATE_TAX_FORMS:
            found.append(Deadline(DeadlineKind.CORPORATE_TAX_RETURN, start, end, _be_corporate_tax_due(end)))
        if profile.legal_form in BE_FILING_FORMS:
            # Annual accounts at the National Bank: within 30 days of approval and at the latest
            # seven months after the financial year end (WVV art. 3:10).
            # https://www.nbb.be/nl/balanscentrale/neerleggen/termijn-van-goedkeuring-en-betaling
            found.append(Deadline(DeadlineKind.ANNUAL_ACCOUNTS_FILING, start, end, months_after(end, 7)))
    return found


def _be_vat_due(profile: Profile, period_start: date, period_end: date) -> date:
    """Periodic VAT return (KB nr. 1 art. 18 §1): monthly by the 20th of the next month; quarterly,
    for quarters from 1 January 2025, by the 25th of the month after the quarter (before: the 20th).

    https://financien.belgium.be/nl/ondernemingen/btw/aangifte/periodieke_aangifte
    Circulaire 2024/C/6 of 27 January 2025 on the modernised VAT chain.
    """
    if profile.vat_frequency == "quarterly" and period_start >= BE_QUARTERLY_VAT_DAY_FROM:
        return day_of_month_after(period_end, 1, 25)
    return day_of_month_after(period_end, 1, 20)


def _be_corporate_tax_due(year_end: date) -> date:
    """Vennootschapsbelasting, the term printed on the return form (WIB 92 art. 310): the fixed date
    (30 September) for financial years ending 31 December to the end of February, otherwise the last
    day of the seventh month after the year end.

    https://www.belgium.be/nl/belastingen/inkomstenbelastingen/vennootschappen/aangifte
    https://financien.belgium.be/nl/ondernemingen/vennootschapsbelasting/aangifte
    """
    if year_end.month in (1, 2):
        return on_day(year_end.year, BE_CORPORATE_TAX_FIXED_DUE)
    if (year_end.month, year_end.day) == (12, 31):
        return on_day(year_end.year + 1, BE_CORPORATE_TAX_FIXED_DUE)
    return last_day_of_month_after(year_end, 7)


# --- payroll tax -------------------------------------------------------------------------------


def _payroll_deadlines(profile: Profile, year: int) -> list[Deadline]:
    """Payroll tax (loonheffingen): the dates the tax office sends the firm each year; none without.

    A period runs to the day before the next period entered; the last one is a calendar month when it
    starts on the 1st, else a four-week period (the two payroll periods the tax office uses). The
    term is the tax office's, AWR art. 19: https://wetten.overheid.nl/BWBR0002320/
    """
    if not profile.payroll or not profile.payroll_dates:
        return []
    starts = sorted(profile.payroll_dates)
    found: list[Deadline] = []
    for index, start in enumerate(starts):
        if index + 1 < len(starts):
            end = starts[index + 1] - timedelta(days=1)
        elif start.day == 1:
            end = month_end(start.year, start.month)
        else:
            end = start + timedelta(days=27)
        if end.year == year:
            found.append(Deadline(DeadlineKind.PAYROLL_TAX_RETURN, start, end, profile.payroll_dates[start]))
    return found
