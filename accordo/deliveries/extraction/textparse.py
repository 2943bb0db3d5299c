"""Finding amounts, dates and identifiers in one line of invoice text (Dutch, French, English)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from stdnum import iban as stdnum_iban
from stdnum.eu import vat as stdnum_vat

CURRENCY_SIGNS = {"€": "EUR", "$": "USD", "£": "GBP"}
_CUR = r"€|\$|£|EUR|USD|GBP|CHF"
_AMOUNT = re.compile(
    rf"(?<![\w.,/-])(?P<neg>-\s?)?(?:(?P<pre>{_CUR})\s?)?(?P<neg2>-\s?)?"
    r"(?P<num>[1-9]\d{0,2}(?P<g>[., ])\d{3}(?:(?P=g)\d{3})*(?:(?P<d1>[.,])(?:\d{2}|--?))?"
    r"|\d+(?:(?P<d2>[.,])(?:\d{2}|--?))?)"
    rf"(?!\d)(?!\s?%)(?![.,/-]\d)(?:\s?(?P<post>{_CUR})(?![A-Za-z]))?",
)


@dataclass(frozen=True)
class Amount:
    value: Decimal
    start: int
    currency: str | None


def find_amounts(line: str) -> list[Amount]:
    """Money amounts in ``line``: with two decimals (``1.234,56``, ``12.50``, ``25,-``) or a currency."""
    found: list[Amount] = []
    for match in _AMOUNT.finditer(line):
        num, group = match["num"], match["g"]
        decimal_sep = match["d1"] or match["d2"]
        if group and decimal_sep == group:
            continue
        cur = match["pre"] or match["post"]
        if decimal_sep is None and cur is None:
            continue
        whole, _sep, cents = num.rpartition(decimal_sep) if decimal_sep else (num, "", "00")
        whole = whole.replace(group, "") if group else whole
        cents = "00" if cents.startswith("-") else cents
        value = Decimal(f"{whole}.{cents}")
        if match["neg"] or match["neg2"]:
            value = -value
        found.append(Amount(value, match.start(), CURRENCY_SIGNS.get(cur, cur) if cur else None))
    return found


_MONTHS = {
    1: ("januari", "janvier", "january", "janv", "jan"),
    2: ("februari", "février", "fevrier", "february", "févr", "fevr", "feb", "fév", "fev"),
    3: ("maart", "mars", "march", "mrt", "mar"),
    4: ("april", "avril", "avr", "apr"),
    5: ("mei", "mai", "may"),
    6: ("juni", "juin", "june", "jun"),
    7: ("juli", "juillet", "july", "juil", "jul"),
    8: ("augustus", "août", "aout", "august", "aug"),
    9: ("september", "septembre", "sept", "sep"),
    10: ("oktober", "octobre", "october", "okt", "oct"),
    11: ("november", "novembre", "nov"),
    12: ("december", "décembre", "decembre", "déc", "dec"),
}
_MONTH_BY_NAME = {name: month for month, names in _MONTHS.items() for name in names}
_MONTH_RE = "|".join(sorted(_MONTH_BY_NAME, key=len, reverse=True))
_DATE_PATTERNS = (
    ("iso", re.compile(r"(?<![\d.,/-])(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)(?![.,/-]\d)")),
    ("dmy", re.compile(r"(?<![\d.,/-])(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?!\d)(?![.,/-]\d)")),
    (
        "dmy-word",
        re.compile(rf"(?<!\d)(\d{{1,2}})(?:er|e|ste|de|st|nd|rd|th)?\.?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})(?!\d)", re.I),
    ),
    ("mdy-word", re.compile(rf"(?<![\w])({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.I)),
)


def _date(year: int, month: int, day: int) -> datetime.date | None:
    if not 1990 <= year <= 2100:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def find_dates(line: str) -> list[tuple[int, datetime.date]]:
    """(position, date) for every date in ``line``; numeric dates are read day first."""
    found: dict[int, datetime.date] = {}
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(line):
            if m.start() in found:
                continue
            value: datetime.date | None
            if kind == "iso":
                value = _date(int(m[1]), int(m[2]), int(m[3]))
            elif kind == "dmy":
                year = int(m[4]) + (2000 if len(m[4]) == 2 else 0)
                value = _date(year, int(m[3]), int(m[1])) or _date(year, int(m[1]), int(m[3]))
            elif kind == "dmy-word":
                value = _date(int(m[3]), _MONTH_BY_NAME[m[2].lower()], int(m[1]))
            else:
                value = _date(int(m[3]), _MONTH_BY_NAME[m[1].lower()], int(m[2]))
            if value is not None:
                found[m.start()] = value
    return sorted(found.items())


_IBAN = re.compile(r"(?<![A-Z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,32}")


def _longest_iban(compact: str) -> str | None:
    """The longest valid IBAN that ``compact`` starts with.

    The ISO 7064 remainder is carried along the account part, so a length is only handed to
    stdnum (which also checks the country's format) when its check digits already add up.
    """
    tail = int(f"{int(compact[0], 36)}{int(compact[1], 36)}{compact[2:4]}")
    remainder, found = 0, None
    for length, char in enumerate(compact[4:34], start=5):
        for digit in str(int(char, 36)):
            remainder = (remainder * 10 + int(digit)) % 97
        if length >= 15 and (remainder * 10**6 + tail) % 97 == 1 and stdnum_iban.is_valid(compact[:length]):
            found = compact[:length]
    return found


def find_ibans(line: str) -> list[tuple[int, int, str]]:
    """(start, end, compact IBAN) for every valid IBAN in ``line``."""
    found = []
    for match in _IBAN.finditer(line.upper()):
        iban = _longest_iban(match[0].replace(" ", ""))
        if iban:
            found.append((match.start(), match.end(), iban))
    return found


# Lengths of EU VAT numbers after the country code, so only plausible prefixes are checked.
_VAT_LENGTHS: dict[str, tuple[int, ...]] = {
    "AT": (9,), "BE": (10,), "BG": (10, 9), "CY": (9,), "CZ": (10, 9, 8), "DE": (9,), "DK": (8,), "EE": (9,),
    "EL": (9,), "ES": (9,), "FI": (8,), "FR": (11,), "HR": (11,), "HU": (8,), "IE": (9, 8), "IT": (11,),
    "LT": (12, 9), "LU": (8,), "LV": (11,), "MT": (8,), "NL": (12,), "PL": (10,), "PT": (9,),
    "RO": (10, 9, 8), "SE": (12,), "SI": (8,), "SK": (10,), "XI": (12, 9),
}  # fmt: skip
_VAT_COUNTRIES = "|".join(_VAT_LENGTHS)
_VAT_PREFIXED = re.compile(rf"(?<![A-Z0-9])(?:{_VAT_COUNTRIES})[ .-]?[0-9A-Z](?:[ .-]?[0-9A-Z]){{7,13}}")
_VAT_BARE = re.compile(r"(?<![\d.])(?:[01]\d{3}[. ]?\d{3}[. ]?\d{3}|\d{9}B\d{2})(?![\d])")


def _valid_vat_prefix(compact: str) -> str | None:
    """The longest valid VAT number ``compact`` starts with."""
    for length in _VAT_LENGTHS.get(compact[:2], ()):
        candidate = compact[: 2 + length]
        if len(candidate) == 2 + length and stdnum_vat.is_valid(candidate):
            return candidate
    return None


def find_vat_numbers(line: str, *, labelled: bool) -> list[tuple[int, str]]:
    """(position, compact VAT number) for valid EU VAT numbers in ``line``.

    Numbers without a country code are only taken from a ``labelled`` line (one that says
    "btw", "TVA", "ondernemingsnummer"...), as Belgian (10 digits) or Dutch (``123456789B01``).
    """
    upper = line.upper()
    taken = [(start, end) for start, end, _iban in find_ibans(line)]
    found: dict[int, str] = {}
    for match in _VAT_PREFIXED.finditer(upper):
        if any(start <= match.start() < end for start, end in taken):
            continue
        vat = _valid_vat_prefix(re.sub(r"[ .-]", "", match[0]))
        if vat:
            found[match.start()] = vat
            taken.append((match.start(), match.end()))
    if labelled:
        for match in _VAT_BARE.finditer(upper):
            if any(start <= match.start() < end for start, end in taken):
                continue
            digits = re.sub(r"[ .]", "", match[0])
            vat = _valid_vat_prefix(("NL" if "B" in digits else "BE") + digits)
            if vat:
                found[match.start()] = vat
    return sorted(found.items())
