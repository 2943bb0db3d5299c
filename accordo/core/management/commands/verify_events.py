"""Verify the hash chain of the event log: exit 0 when intact, 1 naming the first bad event."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accordo.core.events import verify_chain


class Command(BaseCommand):
    help = "Verify that no event of the append-only audit log was changed or deleted."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, problem = verify_chain()
        if problem is not None:
            raise CommandError(f"event #{problem.seq}: {problem.reason} ({checked} events before it are intact)")
        self.stdout.write(self.style.SUCCESS(f"OK: {checked} events, chain intact"))
