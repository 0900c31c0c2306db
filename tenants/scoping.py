"""The query helper that scopes tenant-owned tables to a context.

Services reach tenant-owned tables only through :func:`within` (one tenant) or
:func:`across` (every tenant the context may read); a test fails if code calls
a tenant-owned table's query methods directly. Row-level security applies the
same rule again inside PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from piccolo.columns import Column
from piccolo.query import Count, Delete, Exists, Insert, Objects, Select, Update

from tenants.context import TenantContext
from tenants.tables import TenantTable

T = TypeVar("T", bound=TenantTable)


class ReadOnlyTenant(Exception):
    """A context tried to write rows of a tenant it may only read."""


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

    def count(self) -> Count:
        """``COUNT`` limited to the scope."""
        return self.table.count().where(self._where())

    def exists(self) -> Exists[T]:
        """``EXISTS`` limited to the scope."""
        return self.table.exists().where(self._where())

    def _writable(self) -> UUID:
        if self.write_tenant_id is None:
            raise ReadOnlyTenant(self.table._meta.tablename)
        return self.write_tenant_id

    def new(self, **values: Any) -> T:
        """A row of the context's own tenant, not yet inserted."""
        return self.table(tenant_id=self._writable(), **values)

    def insert(self, *rows: T) -> Insert[T]:
        """``INSERT`` rows made by :meth:`new`; a row of another tenant is refused."""
        tenant_id = self._writable()
        if any(row.tenant_id != tenant_id for row in rows):
            raise ReadOnlyTenant(self.table._meta.tablename)
        return self.table.insert(*rows)

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
