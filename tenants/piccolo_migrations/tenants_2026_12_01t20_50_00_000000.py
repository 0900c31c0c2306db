"""Read policies version 2: a ministry's supervised tenants are parsed once
per statement, not once per row."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

_TENANT_READ = f"{rls.PLATFORM} OR id = {rls.CURRENT_TENANT} OR id = ANY ({rls.READ_TENANTS_ONCE})"
_AUDIT_EVENTS_READ = f"{rls.PLATFORM} OR tenant_id = {rls.CURRENT_TENANT} OR tenant_id = ANY ({rls.READ_TENANTS_ONCE})"

READ_POLICIES_V2_SQL = [
    # The same widenings as their first migrations gave them.
    *rls.tenant_read_policy_v2("memberships", extra_read=f"{rls.PLATFORM} OR user_id = {rls.CURRENT_USER_ID}"),
    *rls.tenant_read_policy_v2("api_clients", extra_read=rls.PLATFORM),
    *rls.tenant_read_policy_v2("invitations", extra_read=rls.PLATFORM),
    # The registry and the audit log read the supervised tenants the same way.
    "DROP POLICY tenants_read ON tenants",
    f"CREATE POLICY tenants_read ON tenants FOR SELECT USING ({_TENANT_READ})",
    "DROP POLICY audit_events_read ON audit_events",
    f"CREATE POLICY audit_events_read ON audit_events FOR SELECT USING ({_AUDIT_EVENTS_READ})",
]

ID = "2026-12-01T20:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "read policies version 2"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def read_policies_v2_sql() -> None:
        await rls.run_statements(READ_POLICIES_V2_SQL)

    manager.add_raw(read_policies_v2_sql)
    return manager
