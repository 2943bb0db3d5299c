"""Seed a large throw-away dataset and measure pages against the floor of a bare template view.

The command re-runs itself in a subprocess whose environment points Accordo at its own data
folder (``bench/data`` by default) with production-like settings, so the developer's database,
cache and files are never touched.
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
from django.db import connection
from django.test.utils import override_settings

CHILD_MARK = "ACCORDO_BENCH_CHILD"
DB_FILE = "bench.sqlite3"
# Settings that could point the bench at shared infrastructure; the child never inherits them.
DROPPED_ENV = ("ACCORDO_DATABASE_URL", "ACCORDO_REDIS_URL", "ACCORDO_S3_BUCKET", "ACCORDO_EMAIL_URL")


def child_env(data_dir: Path) -> dict[str, str]:
    """The environment of a bench child: its own data folder, SQLite file, production-like settings."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env.update(
        {
            CHILD_MARK: str(data_dir),
            "ACCORDO_DATA_DIR": str(data_dir),
            "ACCORDO_DATABASE_URL": f"sqlite:///{data_dir / DB_FILE}",
            "ACCORDO_STATIC_ROOT": str(data_dir / "static"),
            "ACCORDO_DEBUG": "false",
            "ACCORDO_TESTING": "false",
            "ACCORDO_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "accordo.settings",
        }
    )
    return env


class Command(BaseCommand):
    help = "Seed a throw-away database and measure page times against the framework floor."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisations", type=int, default=10_000, help="organisations to seed")
        parser.add_argument("--approvals", type=int, default=100_000, help="approvals to seed")
        parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
        parser.add_argument("--reuse", action="store_true", help="keep the database when it holds the data")
        parser.add_argument("--no-gate", action="store_true", help="only report; never fail on the gate")
        parser.add_argument("--data-dir", default=str(settings.BASE_DIR / "bench" / "data"))
        parser.add_argument("--output", default=str(settings.BASE_DIR / "bench" / "results.json"))
        parser.add_argument("--upload-mb", type=int, default=100, help="size of the timed upload (0: skip)")
        parser.add_argument("--tasks", type=int, default=100_000, help="tasks on the planning board")
        parser.add_argument(
            "--reminder-tasks", type=int, default=1_000_000, help="tasks for clients in the timed reminder sweep"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["organisations"] < 1 or options["requests"] < 1 or options["approvals"] < 0:
            raise CommandError("--organisations and --requests must be at least 1, --approvals at least 0")
        data_dir = Path(options["data_dir"]).resolve()
        if os.environ.get(CHILD_MARK) != str(data_dir):
            self._reexec(data_dir, options)
            return
        self._check_isolated(data_dir)
        self._bench(data_dir, options)

    def _files(self, dataset: Any, options: dict[str, Any]) -> dict[str, Any]:
        """The file paths: a large upload through a real server, and OCR against bare Tesseract."""
        from accordo.bench import dossier_seed, ocr_sample, upload_bench
        from accordo.dossier.models import Folder
        from accordo.dossier.ocrbench import ocr_seconds_per_page

        self.stdout.write("Measuring files ...")
        files: dict[str, Any] = {}
        if options["upload_mb"]:
            folder = Folder.objects.get(organisation=dataset.organisation, name=dossier_seed.FOLDER)
            files["upload"] = upload_bench.measure(
                dataset.staff, folder, size=options["upload_mb"] * 1024 * 1024, log=self.stdout.write
            )
        with ocr_sample.scanned_page() as page:
            ours, bare = ocr_seconds_per_page(page)
        files["ocr"] = {"seconds_per_page": round(ours, 3), "tesseract_seconds": round(bare, 3),
                        "ratio_to_tesseract": round(ours / bare, 2)}  # fmt: skip
        self.stdout.write(f"  OCR: {ours:.2f} s a page, bare tesseract {bare:.2f} s, ratio {ours / bare:.2f}")
        from accordo.bench import calendar_bench, certificate_bench

        files["calendars"] = calendar_bench.measure()
        self.stdout.write(f"  deadline calendars: {files['calendars']['seconds_fresh']:.2f} s for every organisation")

        files["certificate"] = certificate_bench.measure()
        self.stdout.write(f"  approval certificate: {files['certificate']['seconds_p50']:.2f} s (p50)")
        from accordo.bench import reminder_bench, workflow_bench

        files["workflows"] = workflow_bench.measure()
        self.stdout.write(
            f"  workflow started for {files['workflows']['organisations']} organisations: "
            f"{files['workflows']['seconds']:.2f} s"
        )
        files["reminders"] = reminder_bench.measure(options["reminder_tasks"])
        self.stdout.write(
            f"  reminder sweep over {files['reminders']['tasks_inserted']:,} tasks: "
            f"{files['reminders']['seconds_sweep']:.2f} s, {files['reminders']['task_reminders_sent']} sent"
        )
        return files

    def _reexec(self, data_dir: Path, options: dict[str, Any]) -> None:
        env = child_env(data_dir)
        argv = [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "bench",
            f"--organisations={options['organisations']}",
            f"--requests={options['requests']}",
            f"--approvals={options['approvals']}",
            f"--data-dir={data_dir}",
            f"--output={Path(options['output']).resolve()}",
            f"--upload-mb={options['upload_mb']}",
            f"--tasks={options['tasks']}",
            f"--reminder-tasks={options['reminder_tasks']}",
            *(["--reuse"] if options["reuse"] else []),
            *(["--no-gate"] if options["no_gate"] else []),
        ]
        # argv is this interpreter, manage.py and the parsed options: no shell, no outside input.
        code = subprocess.run(argv, env=env, cwd=settings.BASE_DIR, check=False).returncode  # noqa: S603
        if code:
            sys.exit(code)

    def _check_isolated(self, data_dir: Path) -> None:
        db = settings.DATABASES["default"]
        if (
            Path(settings.DATA_DIR).resolve() != data_dir
            or db["ENGINE"] != "django.db.backends.sqlite3"
            or Path(db["NAME"]).resolve() != data_dir / DB_FILE
            or settings.DEBUG
            or settings.TESTING
        ):
            raise CommandError(f"refusing to run: the settings do not point at the bench's own folder {data_dir}")

    def _bench(self, data_dir: Path, options: dict[str, Any]) -> None:
        from accordo.bench import measure, seed

        started = time.perf_counter()
        call_command("collectstatic", interactive=False, verbosity=0)  # the manifest {% static %} needs
        self.stdout.write(f"Static files collected in {time.perf_counter() - started:.1f} s.")
        dataset = None
        if options["reuse"] and (data_dir / DB_FILE).exists():
            call_command("migrate", interactive=False, verbosity=0)
            dataset = seed.dataset_if_seeded(organisations=options["organisations"], approvals=options["approvals"])
            if dataset is not None:
                self.stdout.write("Reusing the seeded database.")
        seed_seconds = 0.0
        if dataset is None:
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                (data_dir / (DB_FILE + suffix)).unlink(missing_ok=True)
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write(f"Seeding {options['organisations']} organisations ...")
            seed_started = time.perf_counter()
            dataset = seed.seed(
                organisations=options["organisations"], approvals=options["approvals"], log=self.stdout.write
            )
            seed_seconds = time.perf_counter() - seed_started
            self.stdout.write(f"Seeded in {seed_seconds:.1f} s.")

        from accordo.bench import board_bench

        board_bench.seed_tasks(
            options["tasks"], log=self.stdout.write
        )  # the planning board's 100,000 tasks (topped up)
        self.stdout.write(f"Measuring {options['requests']} requests per page ...")
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        with override_settings(ROOT_URLCONF="accordo.bench.urls", ALLOWED_HOSTS=hosts):
            results = measure.run(dataset, requests=options["requests"], log=self.stdout.write)

        self.stdout.write("")
        self.stdout.write(measure.table(results))
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps([r.as_json() for r in results], indent=2) + "\n", encoding="utf-8")
        files = self._files(dataset, options)
        files_output = output.with_name(output.stem + "-files.json")
        files_output.write_text(json.dumps(files, indent=2) + "\n", encoding="utf-8")
        self.stdout.write(f"Wrote {files_output}.")
        total = time.perf_counter() - started
        self.stdout.write(f"\nWrote {output}; seeding {seed_seconds:.1f} s, total {total:.1f} s.")

        failed = measure.failures(results)
        if failed:
            names = ", ".join(f"{r.name} ({r.ratio_to_floor:.2f} x floor)" for r in failed)
            message = f"Over the gate of {measure.GATE_RATIO} x the floor's p95: {names}"
            if options["no_gate"]:
                self.stdout.write(self.style.WARNING(message + " (not enforced: --no-gate)"))
            else:
                raise CommandError(message)
        else:
            self.stdout.write(self.style.SUCCESS("Every gated page is within the gate."))
