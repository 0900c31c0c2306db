"""Schemes row-level security and constraints: what Piccolo cannot express."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

SCHEMES_SQL = [
    *rls.tenant_owned_table("schemes"),
    "ALTER TABLE schemes ADD CONSTRAINT schemes_kind_check"
    " CHECK (kind IN ('health_mutual', 'artisans', 'informal_workers', 'employer_ipm'))",
    "ALTER TABLE schemes ADD CONSTRAINT schemes_status_check CHECK (status IN ('draft', 'active', 'closed'))",
]

ID = "2026-11-23T10:38:57:000000"
VERSION = "1.38.0"
DESCRIPTION = "schemes row-level security and constraints"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def schemes_sql() -> None:
        await rls.run_statements(SCHEMES_SQL)

    manager.add_raw(schemes_sql)
    return manager
