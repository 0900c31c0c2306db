"""The query helpers that scope tenant-owned tables to a context.

Services reach tenant-owned tables only through :func:`within` (one tenant) or
:func:`across` (every tenant the context may read); a test fails if code calls
a tenant-owned table's query methods directly. Raw SQL goes through the
transaction's ``fetch``/``fetchrow``/``fetchval``/``execute``, which pass each
statement to :func:`check_tenant_filters` first: a statement that names a
tenant-owned table without a condition on that table's ``tenant_id`` is
refused before it reaches the database, unless the call declares that it
reads across tenants on purpose (a token looked up before its tenant is
known). Row-level security applies the same rule again inside PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar
from uuid import UUID

from piccolo.columns import Column
from piccolo.query import Count, Delete, Exists, Objects, Select, Update

from tenants.bulk import insert_rows, rows_among
from tenants.context import TenantContext
from tenants.errors import ReadOnlyTenant
from tenants.tables import TENANT_OWNED_TABLES, TenantTable

T = TypeVar("T", bound=TenantTable)


@dataclass(frozen=True)
class Scope(Generic[T]):
    """Queries on ``table`` limited to ``tenant_ids``; writes go to ``write_tenant_id`` only."""

    table: type[T]
    tenant_ids: tuple[UUID, ...]
    write_tenant_id: UUID | None

    def _where(self) -> Any:
        column = self.table.tenant_id
        if not self.tenant_ids:
            # tenant_id is NOT NULL: a scope over no tenant matches no row.
            return column.is_null()
        if len(self.tenant_ids) == 1:
            return column == self.tenant_ids[0]
        return column.is_in(list(self.tenant_ids))

    def select(self, *columns: Column | str) -> Select[T]:
        """``SELECT`` limited to the scope."""
        return self.table.select(*columns).where(self._where())

    def objects(self) -> Objects[T]:
        """``objects()`` limited to the scope."""
        return self.table.objects().where(self._where())

    async def among(self, column: Column, keys: Sequence[Any], *order_by: Column) -> list[T]:
        """The scope's rows whose ``column`` is one of ``keys``, in
        ``order_by``: ``objects().where(column.is_in(keys))`` by a statement
        made once (see :func:`tenants.bulk.rows_among`)."""
        if not keys or not self.tenant_ids:
            return []
        return await rows_among(self.table, self.tenant_ids, column, keys, order_by)

    def count(self) -> Count:
        """``COUNT`` limited to the scope."""
        return self.table.count().where(self._where())

    def exists(self) -> Exists[T]:
        """``EXISTS`` limited to the scope."""
        return self.table.exists().where(self._where())

    def _writable(self) -> UUID:
        if self.write_tenant_id is None:
            raise ReadOnlyTenant(table=self.table._meta.tablename)
        return self.write_tenant_id

    def new(self, **values: Any) -> T:
        """A row of the context's own tenant, not yet inserted."""
        return self.table(tenant_id=self._writable(), **values)

    async def insert(self, *rows: T) -> None:
        """``INSERT`` rows made by :meth:`new`, in one statement whatever
        their number; a row of another tenant is refused."""
        tenant_id = self._writable()
        if any(row.tenant_id != tenant_id for row in rows):
            raise ReadOnlyTenant(table=self.table._meta.tablename)
        if rows:
            await insert_rows(self.table, rows)

    def update(self, values: dict[Column | str, Any] | None = None, **kwargs: Any) -> Update[T]:
        """``UPDATE`` rows of the context's own tenant."""
        tenant_id = self._writable()
        return self.table.update(values, **kwargs).where(self.table.tenant_id == tenant_id)

    def delete(self) -> Delete:
        """``DELETE`` rows of the context's own tenant."""
        tenant_id = self._writable()
        return self.table.delete().where(self.table.tenant_id == tenant_id)


def within(context: TenantContext, table: type[T], tenant_id: UUID | None = None) -> Scope[T]:
    """Scope ``table`` to one tenant: the context's own by default, or a tenant
    it supervises (read-only). A tenant it may not read yields no rows."""
    target = tenant_id or context.tenant_id
    if not context.can_read(target):
        return Scope(table=table, tenant_ids=(), write_tenant_id=None)
    writable = target if context.can_write(target) else None
    return Scope(table=table, tenant_ids=(target,), write_tenant_id=writable)


def across(context: TenantContext, table: type[T]) -> Scope[T]:
    """Scope ``table`` to every tenant the context may read; writes go to its own."""
    tenant_ids = (context.tenant_id, *sorted(context.supervised_tenant_ids))
    return Scope(table=table, tenant_ids=tenant_ids, write_tenant_id=context.tenant_id)


class MissingTenantFilter(Exception):
    """Raw SQL names a tenant-owned table without filtering it by tenant: a
    programming error, refused before the statement runs."""


_REFERENCE = re.compile(r"\b(FROM|JOIN|UPDATE|INTO)\s+([a-z_][a-z0-9_]*)(?:\s+(?:AS\s+)?([a-z_][a-z0-9_]*))?", re.I)
_NOT_ALIASES = frozenset(
    [
        "where",
        "on",
        "set",
        "join",
        "left",
        "right",
        "inner",
        "outer",
        "full",
        "cross",
        "natural",
        "using",
        "group",
        "order",
        "limit",
        "offset",
        "for",
        "values",
        "select",
        "returning",
        "lateral",
        "union",
        "except",
        "intersect",
        "and",
        "or",
        "default",
    ]
)
_CONDITION = r"\s*(=|IN\b|IS\s+NOT\s+DISTINCT\s+FROM\b)"


_SET_CLAUSE = re.compile(r"\bSET\b.*?(?=\bWHERE\b|\bRETURNING\b|\Z)", re.I | re.S)


@lru_cache(maxsize=4096)
def check_tenant_filters(statement: str) -> None:
    """Refuse ``statement`` if a tenant-owned table it reads, changes or
    deletes from has no condition on its ``tenant_id`` (``t.tenant_id = $1``,
    ``= ANY (...)``, ``IN``; a bare ``tenant_id = ...`` only when the statement
    names a single table), or if it inserts into one without a ``tenant_id``
    column. A tenant-owned table named where the check cannot follow it (a
    comma join, a schema or quotes, ``ONLY``) is refused too: the check fails
    closed. Raises :class:`MissingTenantFilter`."""
    references = list(_REFERENCE.finditer(statement))
    _refuse_unfollowed_names(statement, {match.start(2) for match in references})
    # An assignment (SET tenant_id = $1) is no filter.
    conditions = _SET_CLAUSE.sub(" ", statement)
    for match in references:
        keyword, table, alias = match.group(1).upper(), match.group(2).lower(), (match.group(3) or "").lower()
        if table not in TENANT_OWNED_TABLES:
            continue
        if keyword == "INTO":
            columns = re.match(r"\s*\(([^)]*)\)", statement[match.end(2) :])
            if columns is None or not re.search(r"\btenant_id\b", columns.group(1)):
                raise MissingTenantFilter(f"INSERT INTO {table} without tenant_id: {statement}")
            continue
        name = alias if alias and alias not in _NOT_ALIASES else table
        qualified = re.search(rf"\b{name}\.tenant_id{_CONDITION}", conditions, re.I)
        bare = len(references) == 1 and re.search(rf"(?<![.\w])tenant_id{_CONDITION}", conditions, re.I)
        if not (qualified or bare):
            raise MissingTenantFilter(f"{table} is not filtered by tenant_id: {statement}")


def _refuse_unfollowed_names(statement: str, followed: set[int]) -> None:
    for table in TENANT_OWNED_TABLES:
        for occurrence in re.finditer(rf"(?<!\w){table}(?!\w)", statement, re.I):
            as_qualifier = statement[occurrence.end() : occurrence.end() + 1] == "."
            if occurrence.start() not in followed and not as_qualifier:
                raise MissingTenantFilter(f"{table} is named where its tenant filter cannot be checked: {statement}")
