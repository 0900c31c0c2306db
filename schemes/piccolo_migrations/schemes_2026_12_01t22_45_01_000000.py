"""Employers' row-level security, audit trigger, constraints and search index."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

EMPLOYERS_SQL = [
    *rls.tenant_owned_table_v2("employers"),
    *rls.require_audit("employers"),
    "ALTER TABLE employers ADD CONSTRAINT employers_status_check CHECK (status IN ('active', 'closed'))",
    "ALTER TABLE employers ADD CONSTRAINT employers_name_check CHECK (length(btrim(name)) BETWEEN 2 AND 200)",
    "ALTER TABLE employers ADD CONSTRAINT employers_registration_number_check"
    " CHECK (registration_number <> '' AND registration_number = btrim(registration_number))",
    "ALTER TABLE employers ADD CONSTRAINT employers_contact_phone_check"
    " CHECK (contact_phone ~ '^\\+[1-9][0-9]{6,14}$')",
    "ALTER TABLE employers ADD CONSTRAINT employers_region_check CHECK (region ~ '^[A-Z]{2}-[A-Z0-9]{1,3}$')",
    # Keyset pages go by name then id; the search matches fragments of names.
    "CREATE INDEX employers_tenant_id_name_id_idx ON employers (tenant_id, name, id)",
    "CREATE INDEX employers_name_trgm_idx ON employers USING gin (lower(name) gin_trgm_ops)",
]

ID = "2026-12-01T22:45:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "employers row-level security and constraints"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def employers_sql() -> None:
        await rls.run_statements(EMPLOYERS_SQL)

    manager.add_raw(employers_sql)
    return manager
