"""The objection deadline (bezwaartermijn) of an assessment, by the organisation's country.

Netherlands: the objection term is six weeks (Awb art. 6:7) and starts on the day after the date
of the decision, the assessment's dagtekening (Awb art. 6:8; https://wetten.overheid.nl/BWBR0005537/,
articles 6:7 and 6:8), so it ends on dagtekening + 42 days. A term ending on a Saturday, Sunday or
a generally recognised public holiday is extended to the next day that is none of these
(Algemene termijnenwet art. 1; the holidays are those of its art. 3: New Year's Day, Easter
Monday and Whit Monday, both Christmas days, Ascension Day, King's Day, 5 May, and by its art. 3(2)
Good Friday; https://wetten.overheid.nl/BWBR0004825/). The ``holidays`` package gives these days
for the Netherlands, except that it names 5 May only every fifth year: it is added for every year.
Days the government declares equal to a holiday under Atw art. 3(3) (such as the Friday after
Ascension in some years) are published per year and not known here.

Belgium: an objection (bezwaarschrift) is due within one year from the third working day after
the date the assessment was sent (art. 371 WIB 92); the dagtekening is taken as the sending date,
and a last day on a Saturday, Sunday or legal holiday moves to the next working day (Ger.W. art. 53).
"""

from __future__ import annotations

import datetime
from functools import lru_cache

NL_OBJECTION_DAYS = 42  # six weeks, Awb art. 6:7


@lru_cache(maxsize=64)
def nl_atw_holidays(year: int) -> frozenset[datetime.date]:
    """The generally recognised holidays of the Algemene termijnenwet (art. 3) in ``year``."""
    import holidays  # imported here: only computing a deadline needs it

    # Every day holidays.NL gives is in the Atw's list (Good Friday through art. 3(2)).
    days = {day for day, _name in holidays.NL(years=year).items()}
    days.add(datetime.date(year, 5, 5))  # art. 3(1) "de vijfde mei", every year
    return frozenset(days)


@lru_cache(maxsize=64)
def be_holidays(year: int) -> frozenset[datetime.date]:
    """Belgium's ten legal public holidays in ``year``."""
    import holidays

    return frozenset(day for day, _name in holidays.BE(years=year).items())


def nl_is_closed(day: datetime.date) -> bool:
    return day.weekday() >= 5 or day in nl_atw_holidays(day.year)


def be_is_closed(day: datetime.date) -> bool:
    return day.weekday() >= 5 or day in be_holidays(day.year)


def nl_objection_due(dagtekening: datetime.date) -> datetime.date:
    """Six weeks from the day after the dagtekening, moved past weekends and Atw holidays."""
    due = dagtekening + datetime.timedelta(days=NL_OBJECTION_DAYS)
    while nl_is_closed(due):
        due += datetime.timedelta(days=1)
    return due


def _plus_one_year(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def be_objection_due(sent: datetime.date) -> datetime.date:
    """One year from the third working day after the sending date (art. 371 WIB 92)."""
    day, working = sent, 0
    while working < 3:
        day += datetime.timedelta(days=1)
        if not be_is_closed(day):
            working += 1
    due = _plus_one_year(day)
    while be_is_closed(due):
        due += datetime.timedelta(days=1)
    return due


def objection_due(dagtekening: datetime.date, country: str) -> datetime.date:
    """The last day to object to an assessment of this date, for an organisation in ``country``."""
    if country == "BE":
        return be_objection_due(dagtekening)
    return nl_objection_due(dagtekening)
