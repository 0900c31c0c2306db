"""Rows written in bulk: one statement for a batch, whatever its size.

Piccolo writes a batch as ``INSERT ... VALUES (...), (...)`` with one
parameter per value, built and converted in Python value by value: most of
an import's time. Here each column's values travel as one array and
PostgreSQL unnests them, so the statement's text is the same for every batch
(asyncpg prepares it once) and its parameters are as many as the table's
columns. ``COPY`` would be faster still, but PostgreSQL refuses it on tables
with row-level security.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import Enum
from functools import cache
from typing import Any

from piccolo.columns import Array, Column, Varchar
from piccolo.table import Table


def _array_type(column: Column) -> str:
    # A cast to varchar(n) would cut a longer text short without a word; as
    # text, the insert's own assignment to the column refuses it, as
    # Piccolo's insert did.
    return "text" if isinstance(column, Varchar) else str(column.column_type)


@cache
def _statement(table: type[Table]) -> tuple[str, tuple[str, ...]] | None:
    """The bulk insert of ``table`` and its columns' names, or None for a
    table with an array column (unnesting arrays of arrays flattens them)."""
    columns = table._meta.columns
    if any(isinstance(column, Array) for column in columns):
        return None
    names = ", ".join(f'"{column._meta.db_column_name}"' for column in columns)
    arrays = ", ".join(f"${index}::{_array_type(column)}[]" for index, column in enumerate(columns, start=1))
    statement = f"INSERT INTO {table._meta.get_formatted_tablename()} ({names}) SELECT * FROM unnest({arrays})"
    return statement, tuple(column._meta.name for column in columns)


def _value(value: Any) -> Any:
    # What Piccolo would send for the value: an enum's value, JSON as text.
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


async def insert_rows(table: type[Table], rows: Sequence[Table]) -> None:
    """Insert ``rows`` of ``table`` (made with every column's value, as
    Piccolo's constructor does) in the current transaction, in one statement."""
    found = _statement(table)
    if found is None:
        await table.insert(*rows)
        return
    statement, names = found
    values = [[_value(row.__dict__[name]) for row in rows] for name in names]
    binding: Any = table._meta.db.current_transaction.get()
    if binding is None:
        raise RuntimeError("a bulk insert runs in a transaction (tenant_tx)")
    await binding.connection.execute(statement, *values)
    for row in rows:
        row._exists_in_db = True
