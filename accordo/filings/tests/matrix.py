"""Objects this part of the app adds to the access matrix's world (accordo/tests/test_access_matrix.py)."""

from __future__ import annotations

from typing import Any

from accordo.accounts.models import User
from accordo.clients.models import Organisation


def objects(*, organisation: Organisation, client_owner: User, accountant: User) -> dict[str, Any]:
    """Keyed by names the matrix's OBJECT_KWARGS read as ``w.extra[name]``."""
    return {}
