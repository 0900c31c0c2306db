"""Members' employments: row-level security, audit, composite keys, checks, indexes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

EMPLOYMENTS_SQL = [
    *rls.tenant_owned_table_v2("member_employments"),
    *rls.require_audit("member_employments"),
    "ALTER TABLE member_employments ADD CONSTRAINT member_employments_member_fkey"
    " FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id)",
    "ALTER TABLE member_employments ADD CONSTRAINT member_employments_employer_fkey"
    " FOREIGN KEY (tenant_id, employer_id) REFERENCES employers (tenant_id, id)",
    "ALTER TABLE member_employments ADD CONSTRAINT member_employments_values_check CHECK ("
    "contract_kind IN ('permanent', 'day', 'seasonal', 'temporary')"
    " AND (salary IS NULL OR (salary >= 0 AND currency ~ '^[A-Z]{3}$'))"
    " AND (ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on))",
    "CREATE INDEX member_employments_tenant_id_member_id_idx ON member_employments (tenant_id, member_id)",
    "CREATE INDEX member_employments_tenant_id_employer_id_idx ON member_employments (tenant_id, employer_id)",
]

ID = "2026-12-01T22:57:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "members' employments: row-level security, keys, checks, indexes"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def employments_sql() -> None:
        await rls.run_statements(EMPLOYMENTS_SQL)

    manager.add_raw(employments_sql)
    return manager
