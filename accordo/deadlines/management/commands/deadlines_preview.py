"""Print the legal deadlines generated for a profile, as JSON, to check them by hand or by script."""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accordo.clients.models import Organisation
from accordo.deadlines.rules import COUNTRIES, VAT_FREQUENCIES, Profile, deadlines_for

DEFAULT_LEGAL_FORM = {"NL": Organisation.LegalForm.BV, "BE": Organisation.LegalForm.BE_BV}
MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")


class Command(BaseCommand):
    help = (
        "Print the deadlines of every VAT period, financial year and tax year ending in --year for a profile, "
        'as a JSON list of {"kind", "period_start", "period_end", "due_date"}.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--country", required=True, choices=COUNTRIES)
        parser.add_argument("--vat-frequency", required=True, choices=VAT_FREQUENCIES)
        parser.add_argument("--fiscal-year-end", required=True, help="MM-DD, e.g. 12-31 or 06-30")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument(
            "--legal-form",
            choices=Organisation.LegalForm.values,
            help="default: bv for NL, be_bv for BE",
        )
        parser.add_argument("--extension-scheme", action="store_true", help="the NL tax advisers' extension scheme")

    def handle(self, *args: Any, **options: Any) -> None:
        match = MONTH_DAY.fullmatch(options["fiscal_year_end"])
        if match is None:
            raise CommandError(f"--fiscal-year-end must be MM-DD, not {options['fiscal_year_end']!r}.")
        year = options["year"]
        if not 1901 <= year <= 9997:
            raise CommandError(f"--year must be between 1901 and 9997, not {year}.")
        country = options["country"]
        try:
            profile = Profile(
                country=country,
                vat_frequency=options["vat_frequency"],
                fiscal_year_end=(int(match[1]), int(match[2])),
                legal_form=options["legal_form"] or DEFAULT_LEGAL_FORM[country],
                extension_scheme=options["extension_scheme"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        rows = [
            {
                "kind": str(deadline.kind),
                "period_start": deadline.period_start.isoformat(),
                "period_end": deadline.period_end.isoformat(),
                "due_date": deadline.due_date.isoformat(),
            }
            for deadline in deadlines_for(profile, year)
        ]
        self.stdout.write(json.dumps(rows, indent=2))
