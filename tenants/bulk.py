"""Rows written and read in bulk: one statement for a batch, whatever its
size, whose text is made once.

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
from typing import Any, TypeVar

from piccolo.columns import Array, Column, Varchar
from piccolo.table import Table

T = TypeVar("T", bound=Table)


def array_type(column: Column) -> str:
    """The type of an array parameter of ``column``'s values."""
    # A cast to varchar(n) would cut a longer text short without a word; as
    # text, an insert's own assignment to the column refuses it, as
    # Piccolo's insert did.
    return "text" if isinstance(column, Varchar) else str(column.column_type)


def connection_of(table: type[Table]) -> Any:
    """The connection of the transaction Piccolo's queries on ``table`` run
    in (:func:`tenants.tx.tenant_tx` binds it)."""
    binding: Any = table._meta.db.current_transaction.get()
    if binding is None:
        raise RuntimeError(f"{table._meta.tablename}: bulk statements run in a transaction (tenant_tx)")
    return binding.connection


@cache
def _statement(table: type[Table]) -> tuple[str, tuple[str, ...]] | None:
    """The bulk insert of ``table`` and its columns' names, or None for a
    table with an array column (unnesting arrays of arrays flattens them)."""
    columns = table._meta.columns
    if any(isinstance(column, Array) for column in columns):
        return None
    names = ", ".join(f'"{column._meta.db_column_name}"' for column in columns)
    arrays = ", ".join(f"${index}::{array_type(column)}[]" for index, column in enumerate(columns, start=1))
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
    await connection_of(table).execute(statement, *values)
    for row in rows:
        row._exists_in_db = True


def among_statement(table: type[Table], column: Column, order_by: Sequence[Column] = ()) -> str:
    """The statement of :func:`rows_among`: ``$1`` the tenants, ``$2`` the keys."""
    return _among(table, column._meta.name, tuple(c._meta.name for c in order_by))


@cache
def _among(table: type[Table], column: str, order_by: tuple[str, ...]) -> str:
    key = table._meta.get_column_by_name(column)
    order = ", ".join(f'"{name}"' for name in order_by)
    return (
        f"SELECT * FROM {table._meta.get_formatted_tablename()}"
        f' WHERE "tenant_id" = ANY($1::uuid[]) AND "{column}" = ANY($2::{array_type(key)}[])'
        + (f" ORDER BY {order}" if order else "")
    )


async def rows_among(
    table: type[T], tenant_ids: Sequence[Any], column: Column, keys: Sequence[Any], order_by: Sequence[Column]
) -> list[T]:
    """The rows of ``tenant_ids`` whose ``column`` is one of ``keys``, in
    ``order_by``: what ``objects().where(...)`` reads, by a statement whose
    text is made once per table, column and order. Piccolo builds a query's
    text anew on every call, a tenth of a small request's CPU."""
    records = await connection_of(table).fetch(among_statement(table, column, order_by), list(tenant_ids), list(keys))
    return [table(**dict(record), _exists_in_db=True) for record in records]
