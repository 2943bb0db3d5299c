"""Inserting many rows without model instances: one prepared INSERT, run for every row.

For the bulk paths (calendars, bulk workflow starts, the bench's data) where building model
instances for ``bulk_create`` costs several times the insert itself. Values must already be as the
database takes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connection
from django.db.models import Model

BATCH = 1000


def insert_rows(model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]], *, batch: int = BATCH) -> None:
    """Insert ``rows`` (values in the order of the field ``names``) into ``model``'s table."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(model._meta.get_field(name).column)) for name in names)  # type: ignore[union-attr]
    # Only quoted names from the model's own metadata go into the statement; the values are parameters.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
    iterator = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(islice(iterator, batch)):
            cursor.executemany(sql, chunk)
