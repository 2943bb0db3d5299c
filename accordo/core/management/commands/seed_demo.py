"""Fill the database with the demo firm (idempotent: a second run changes nothing)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Seed the demo firm, staff and client accounts (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        from accordo.clients import demo as clients_demo

        with transaction.atomic():
            clients_demo.seed(stdout=self.stdout)
