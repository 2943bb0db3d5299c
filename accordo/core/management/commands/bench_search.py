"""Search over a million documents: seed a throw-away database of its own and time scoped searches.

Like ``bench``, it re-runs itself in a child pointed at its own data folder (``bench/search-data``),
so neither the developer's database nor the page bench's is touched. The goal (issue 3): p95 at
most 50 ms for staff and client searches of a rare and a common word.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accordo.core.management.commands.bench import CHILD_MARK, child_env

GOAL_MS = 50.0


class Command(BaseCommand):
    help = "Seed documents into a throw-away database and time scoped full-text searches."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--documents", type=int, default=1_000_000)
        parser.add_argument("--organisations", type=int, default=1_000)
        parser.add_argument("--requests", type=int, default=200)
        parser.add_argument("--reuse", action="store_true", help="keep the database when it holds the data")
        parser.add_argument("--no-gate", action="store_true", help="only report; never fail on the goal")
        parser.add_argument("--data-dir", default=str(settings.BASE_DIR / "bench" / "search-data"))
        parser.add_argument("--output", default=str(settings.BASE_DIR / "bench" / "results-search.json"))

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(options["data_dir"]).resolve()
        if os.environ.get(CHILD_MARK) != str(data_dir):
            argv = [sys.executable, str(settings.BASE_DIR / "manage.py"), "bench_search", *self._argv(options)]
            # this interpreter, manage.py and the parsed options: no shell, no outside input
            code = subprocess.run(argv, env=child_env(data_dir), cwd=settings.BASE_DIR, check=False).returncode  # noqa: S603
            if code:
                raise CommandError(f"the search bench failed (exit {code})")
            return
        self._bench(data_dir, options)

    @staticmethod
    def _argv(options: dict[str, Any]) -> list[str]:
        return [
            f"--documents={options['documents']}",
            f"--organisations={options['organisations']}",
            f"--requests={options['requests']}",
            f"--data-dir={Path(options['data_dir']).resolve()}",
            f"--output={Path(options['output']).resolve()}",
            *(["--reuse"] if options["reuse"] else []),
            *(["--no-gate"] if options["no_gate"] else []),
        ]

    def _bench(self, data_dir: Path, options: dict[str, Any]) -> None:
        from accordo.bench import search_bench
        from accordo.dossier.models import Document

        db = data_dir / "bench.sqlite3"
        if not (options["reuse"] and db.exists()):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        seconds = 0.0
        if Document.objects.count() != options["documents"]:
            if Document.objects.exists():
                raise CommandError(f"{db} holds another dataset; run without --reuse")
            self.stdout.write(f"Seeding {options['documents']} documents ...")
            started = time.perf_counter()
            search_bench.seed(options["documents"], organisations=options["organisations"], log=self.stdout.write)
            seconds = time.perf_counter() - started
            self.stdout.write(f"Seeded in {seconds:.1f} s.")
        else:
            self.stdout.write("Reusing the seeded database.")
        rows = search_bench.measure(options["requests"], log=self.stdout.write)
        header = f"{'name':<24} {'p50_ms':>8} {'p95_ms':>8} {'rows':>9}"
        self.stdout.write("\n" + header + "\n" + "-" * len(header))
        for row in rows:
            self.stdout.write(f"{row['name']:<24} {row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f} {row['rows']:>9}")
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        result = {"documents": options["documents"], "seed_seconds": round(seconds, 1), "goal_p95_ms": GOAL_MS}
        output.write_text(json.dumps({**result, "searches": rows}, indent=2) + "\n", encoding="utf-8")
        self.stdout.write(f"Wrote {output}.")
        slow = [r["name"] for r in rows if r["p95_ms"] > GOAL_MS]
        if slow:
            message = f"Over the goal of {GOAL_MS} ms p95: {', '.join(slow)}"
            if options["no_gate"]:
                self.stdout.write(self.style.WARNING(message + " (not enforced: --no-gate)"))
            else:
                raise CommandError(message)
        else:
            self.stdout.write(self.style.SUCCESS(f"Every search is within {GOAL_MS} ms p95."))
