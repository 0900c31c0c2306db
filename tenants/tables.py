"""Tables of the tenancy kernel: the base of every tenant-owned table and the
job outbox."""

from __future__ import annotations

from typing import Any

from piccolo.columns import JSONB, UUID, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from tenants.ids import new_id
from tenants.registry.tables import Tenant

TENANT_OWNED_TABLES: set[str] = set()
"""Names of every tenant-owned table, for the checks of raw SQL (:mod:`tenants.scoping`)."""


class TenantTable(Table):
    """Base of every tenant-owned table: a ``tenant_id`` that leads its keys.

    Rows are read and written only through :mod:`tenants.scoping`, which adds
    the tenant to every query; row-level security enforces the same below.
    """

    id = UUID(primary_key=True, default=new_id)
    tenant_id = ForeignKey(Tenant, on_delete=OnDelete.restrict, null=False, index=False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        TENANT_OWNED_TABLES.add(cls._meta.tablename)


class OutboxJob(Table, tablename="outbox"):
    """A job written in the same transaction as the change that asked for it,
    relayed to the broker after commit and deleted once sent."""

    id = UUID(primary_key=True, default=new_id)
    tenant_id = ForeignKey(Tenant, on_delete=OnDelete.restrict, null=True, default=None, index=False)
    actor_name = Varchar(length=100)
    kwargs = JSONB(default="{}")
    created_at = Timestamptz()
