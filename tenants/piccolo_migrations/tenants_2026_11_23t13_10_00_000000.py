"""Every change to a tenant's business rows comes with an audit event in the
same transaction, checked by the database at commit."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

AUDITED_CHANGES_SQL = [
    rls.REQUIRE_AUDIT_FUNCTION,
    *rls.require_audit("memberships"),
    *rls.require_audit("api_clients"),
]

ID = "2026-11-23T13:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit event required with every change to tenant rows"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def audited_changes_sql() -> None:
        await rls.run_statements(AUDITED_CHANGES_SQL)

    manager.add_raw(audited_changes_sql)
    return manager
