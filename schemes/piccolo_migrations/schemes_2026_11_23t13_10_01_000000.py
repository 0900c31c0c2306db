"""Every change to schemes comes with an audit event in the same transaction."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

ID = "2026-11-23T13:10:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit event required with every change to schemes"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def schemes_audited_sql() -> None:
        await rls.run_statements(rls.require_audit("schemes"))

    manager.add_raw(schemes_audited_sql)
    return manager
