"""The tenants registry: ministries, mutuals and IPMs."""

from __future__ import annotations

from piccolo.columns import UUID, Timestamptz, Varchar
from piccolo.table import Table

from tenants.ids import new_id
from tenants.roles import TenantKind, TenantStatus


class Tenant(Table, tablename="tenants"):
    """A ministry, mutual or IPM: the unit of isolation."""

    id = UUID(primary_key=True, default=new_id)
    kind = Varchar(length=16, choices=TenantKind)
    name = Varchar(length=200)
    slug = Varchar(length=63, unique=True)
    country = Varchar(length=2)
    currency = Varchar(length=3)
    status = Varchar(length=16, choices=TenantStatus, default=TenantStatus.PENDING)
    created_at = Timestamptz()
