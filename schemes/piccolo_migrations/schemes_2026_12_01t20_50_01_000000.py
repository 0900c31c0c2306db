"""Schemes read policy version 2: a ministry's supervised tenants are parsed
once per statement, not once per row."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

ID = "2026-12-01T20:50:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "schemes read policy version 2"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def schemes_read_policy_v2_sql() -> None:
        await rls.run_statements(rls.tenant_read_policy_v2("schemes"))

    manager.add_raw(schemes_read_policy_v2_sql)
    return manager
