"""Print the invoice data of a file as JSON: exact for e-invoices, suggestions for other PDFs."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from accordo.deliveries.extraction import ExtractionError, extract_file, pdf_text, suggest_from_text


class Command(BaseCommand):
    help = "Extract invoice data from a UBL XML file or a PDF and print it as JSON."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a UBL / Peppol XML file or a PDF (with or without an embedded e-invoice)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            data = extract_file(path)
            if data is None:
                data = suggest_from_text(pdf_text(path))
        except ExtractionError as error:
            raise CommandError(_("%(file)s: %(error)s") % {"file": path, "error": error})
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be read: %(reason)s") % {"file": path, "reason": error.strerror or error}
            )
        if options["verbosity"] > 1:
            self.stderr.write(f"source: {data.source}")
        self.stdout.write(json.dumps(data.as_json(), indent=2, ensure_ascii=False))
