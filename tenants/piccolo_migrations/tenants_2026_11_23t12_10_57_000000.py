"""API clients row-level security: tenant-owned; the token endpoint reads
them at platform level to authenticate a client."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

API_CLIENTS_SQL = [
    *rls.tenant_owned_table("api_clients", extra_read=rls.PLATFORM),
    "CREATE INDEX api_clients_tenant_id_created_at_idx ON api_clients (tenant_id, created_at DESC)",
]

ID = "2026-11-23T12:10:57:000000"
VERSION = "1.38.0"
DESCRIPTION = "api clients row-level security"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def api_clients_sql() -> None:
        await rls.run_statements(API_CLIENTS_SQL)

    manager.add_raw(api_clients_sql)
    return manager
