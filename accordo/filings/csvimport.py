"""Importing assessments from a CSV file (staff): every row is checked first, then all or nothing.

Columns (a header row names them, in any order): ``organisation`` (KvK number, a person's BSN, or
the organisation's public id), ``type`` (IB, VPB, OB, ICP, LH), ``period`` (2025, 2025-Q3,
2025-07), ``kind`` (provisional/final/additional, or voorlopig/definitief/navordering),
``number`` (optional), ``amount`` (1.234,56 or 1234.56) and ``dagtekening`` (2026-03-31 or
31-03-2026). Separated by semicolons or commas, UTF-8 with or without BOM.

A row whose return does not exist is refused (not created): an assessment is compared with the
return's amount, which a CSV of assessments does not carry. A row that repeats an assessment
already recorded (same return, kind, date and amount) is refused too, so a file cannot be
imported twice by mistake. BSNs are stored encrypted: when a file names one, the BSNs of all
private persons are decrypted once in memory (one query) and matched there.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.core.context import RequestContext
from accordo.filings.models import Assessment, ReturnType, TaxReturn
from accordo.filings.periods import Period, period_parse
from accordo.filings.services import assessment_record

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = ("organisation", "type", "period", "kind", "number", "amount", "dagtekening")
REQUIRED = ("organisation", "type", "period", "kind", "amount", "dagtekening")
KINDS = {
    "provisional": Assessment.Kind.PROVISIONAL, "voorlopig": Assessment.Kind.PROVISIONAL,
    "voorlopige aanslag": Assessment.Kind.PROVISIONAL,
    "final": Assessment.Kind.FINAL, "definitief": Assessment.Kind.FINAL, "definitieve aanslag": Assessment.Kind.FINAL,
    "additional": Assessment.Kind.ADDITIONAL, "navordering": Assessment.Kind.ADDITIONAL,
    "navorderingsaanslag": Assessment.Kind.ADDITIONAL, "aanvullend": Assessment.Kind.ADDITIONAL,
}  # fmt: skip
_DUTCH_AMOUNT = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d{1,2})?$|^-?\d+(,\d{1,2})?$")
_PLAIN_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NL_DATE = re.compile(r"^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    recorded: int = 0
    conform: int = 0
    not_conform: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    line: int
    key: str
    type: str
    period: Period
    kind: str
    number: str
    amount: Decimal
    dagtekening: datetime.date
    organisation: Organisation | None = None
    tax_return: TaxReturn | None = None


def parse_amount(text: str) -> Decimal | None:
    """An amount written the Dutch way (1.234,56) or plainly (1234.56); None if it is neither."""
    value = text.replace("€", "").replace(" ", "").replace("\u00a0", "").strip()
    try:
        if _PLAIN_AMOUNT.match(value) and not re.match(r"^-?\d{1,3}\.\d{3}$", value):
            return Decimal(value)
        if _DUTCH_AMOUNT.match(value):
            return Decimal(value.replace(".", "").replace(",", "."))
    except InvalidOperation:
        return None
    return None


def parse_date(text: str) -> datetime.date | None:
    """A date as 2026-03-31 or 31-03-2026 (also with slashes); None if it is neither."""
    text = text.strip()
    try:
        if m := _ISO_DATE.match(text):
            return datetime.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _NL_DATE.match(text):
            return datetime.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def _reader(upload: IO[bytes]) -> tuple[csv.DictReader[str] | None, str]:
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        return None, _("The file is larger than 2 MB. Split it into smaller files.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter), ""


def _check_row(line: int, values: dict[str, str], errors: list[RowError]) -> _Row | None:
    before = len(errors)

    def fail(column: str, message: str) -> None:
        errors.append(RowError(line, column, message))

    for column in REQUIRED:
        if not values.get(column):
            fail(column, _("This value is missing."))
    if len(errors) > before:
        return None
    type_ = values["type"].strip().lower()
    if type_ not in ReturnType.values:
        fail("type", _("Unknown type of return; use IB, VPB, OB, ICP or LH."))
    period = period_parse(values["period"])
    if period is None:
        fail("period", _("Write the period as a year (2025), a quarter (2025-Q3) or a month (2025-07)."))
    kind = KINDS.get(values["kind"].strip().lower())
    if kind is None:
        fail("kind", _("Unknown kind; use provisional, final or additional."))
    amount = parse_amount(values["amount"])
    if amount is None or abs(amount) >= Decimal("1e12"):
        fail("amount", _("Not an amount; write 1234.56 or 1.234,56."))
    dagtekening = parse_date(values["dagtekening"])
    if dagtekening is None:
        fail("dagtekening", _("Not a date; write 2026-03-31 or 31-03-2026."))
    number = values.get("number", "").strip()
    if len(number) > 40:
        fail("number", _("The assessment number is longer than 40 characters."))
    if len(errors) > before or period is None or kind is None or amount is None or dagtekening is None:
        return None
    return _Row(line, values["organisation"].strip(), type_, period, kind, number, amount, dagtekening)


def _organisations(rows: list[_Row], errors: list[RowError]) -> None:
    """Find each row's organisation by KvK number (8 digits), BSN (9 digits) or public id."""
    keys = {_norm(r.key) for r in rows}
    kvk = {k for k in keys if k.isdigit() and len(k) == 8}
    bsn = {k for k in keys if k.isdigit() and len(k) == 9}
    ids = {uuid.UUID(k) for k in keys - kvk - bsn if _is_uuid(k)}
    found: dict[str, list[Organisation]] = {}
    for org in Organisation.objects.filter(kvk_number__in=kvk) if kvk else []:
        found.setdefault(org.kvk_number, []).append(org)
    for org in Organisation.objects.filter(public_id__in=ids) if ids else []:
        found.setdefault(str(org.public_id), []).append(org)
    if bsn:
        for org in Organisation.objects.filter(kind=Organisation.Kind.PERSON).only("id", "name", "bsn", "country"):
            if org.bsn in bsn:
                found.setdefault(org.bsn, []).append(org)
    for row in rows:
        matches = found.get(_norm(row.key), [])
        if len(matches) == 1:
            row.organisation = matches[0]
        elif matches:
            errors.append(RowError(row.line, "organisation", _("More than one client has this number.")))
        else:
            errors.append(RowError(row.line, "organisation", _("No client with this KvK number, BSN or id.")))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _norm(key: str) -> str:
    key = key.replace(" ", "").replace(".", "")
    return str(uuid.UUID(key)) if _is_uuid(key) else key


def _returns(rows: list[_Row], errors: list[RowError]) -> None:
    """Find each row's return; refuse rows without one, or repeating a recorded assessment."""
    placed = [r for r in rows if r.organisation is not None]
    returns = {
        (t.organisation_id, t.type, t.period_start): t
        for t in TaxReturn.objects.filter(
            organisation__in={r.organisation.pk for r in placed if r.organisation},
            period_start__in={r.period.start for r in placed},
        )
    }
    recorded = set(
        Assessment.objects.filter(tax_return__in=[t.pk for t in returns.values()]).values_list(
            "tax_return_id", "kind", "dagtekening", "amount"
        )
    )
    seen: set[tuple[Any, ...]] = set()
    for row in placed:
        assert row.organisation is not None
        tax_return = returns.get((row.organisation.pk, row.type, row.period.start))
        if tax_return is None:
            errors.append(RowError(row.line, "period", _("This client has no return of this type for this period.")))
            continue
        if tax_return.amount is None:
            errors.append(RowError(row.line, "period", _("The amount of this return is not filled in yet.")))
            continue
        key = (tax_return.pk, row.kind, row.dagtekening, row.amount)
        if key in recorded or key in seen:
            errors.append(RowError(row.line, "number", _("This assessment has been recorded already.")))
            continue
        seen.add(key)
        row.tax_return = tax_return


def assessments_import(*, actor: User, ctx: RequestContext, upload: IO[bytes]) -> ImportResult:
    """Check every row of the file; record them all in one transaction only when none is wrong."""
    result = ImportResult()
    reader, problem = _reader(upload)
    if reader is None:
        result.errors.append(RowError(0, "", problem))
        return result
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        message = _("The header row lacks these columns: %(columns)s.") % {"columns": ", ".join(missing)}
        result.errors.append(RowError(1, "", message))
        return result
    rows: list[_Row] = []
    for index, raw in enumerate(reader):
        if index >= MAX_ROWS:
            message = _("The file has more than %(max)d rows. Split it into smaller files.") % {"max": MAX_ROWS}
            result.errors = [RowError(0, "", message)]
            return result
        values = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if not isinstance(v, list)}
        if not any(values.values()):
            continue
        row = _check_row(reader.line_num, values, result.errors)
        if row is not None:
            rows.append(row)
    if not rows and not result.errors:
        result.errors.append(RowError(0, "", _("The file has no rows to import.")))
    _organisations(rows, result.errors)
    _returns(rows, result.errors)
    if result.errors:
        result.errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else -1))
        return result
    with transaction.atomic():
        for row in rows:
            assert row.tax_return is not None
            assessment = assessment_record(
                actor=actor, ctx=ctx, tax_return=row.tax_return, kind=row.kind, amount=row.amount,
                dagtekening=row.dagtekening, number=row.number, source=Assessment.Source.CSV,
            )  # fmt: skip
            row.tax_return.refresh_from_db()
            result.recorded += 1
            if assessment.outcome == Assessment.Outcome.CONFORM:
                result.conform += 1
            else:
                result.not_conform += 1
    return result
