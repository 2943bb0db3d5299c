"""Objects this part of the app adds to the access matrix's world (accordo/tests/test_access_matrix.py)."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.work.models import ReminderSchedule

SCHEDULES = importlib.import_module("accordo.work.migrations.0004_default_reminder_schedules")


def objects(*, organisation: Organisation, client_owner: User, accountant: User) -> dict[str, Any]:
    """Keyed by names the matrix's OBJECT_KWARGS read as ``w.extra[name]``."""
    SCHEDULES.forwards(apps, None)  # a live-server test may have emptied the table
    return {"reminder_schedule": ReminderSchedule.objects.get(kind=ReminderSchedule.Kind.CLIENT_TASK)}
