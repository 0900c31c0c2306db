"""Documents' row-level security, keys and checks; administrative divisions
readable by everyone, written by the platform only, Senegal's departments loaded."""

import csv
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

DOCUMENTS_SQL = [
    *rls.tenant_owned_table_v2("documents"),
    *rls.require_audit("documents"),
    "ALTER TABLE documents ADD CONSTRAINT documents_member_fkey"
    " FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id)",
    "ALTER TABLE documents ADD CONSTRAINT documents_values_check CHECK ("
    "kind IN ('identity_document', 'photo', 'proof_of_trade', 'certificate')"
    " AND content_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')"
    " AND size > 0 AND status IN ('pending', 'stored') AND (status = 'pending') = (stored_at IS NULL))",
    "CREATE INDEX documents_tenant_id_member_id_idx ON documents (tenant_id, member_id, created_at, id)",
]

DIVISIONS_SQL = [
    *rls.enable_rls("administrative_divisions", "SELECT, INSERT, UPDATE"),
    "CREATE POLICY administrative_divisions_read ON administrative_divisions FOR SELECT USING (true)",
    f"CREATE POLICY administrative_divisions_insert ON administrative_divisions FOR INSERT WITH CHECK ({rls.PLATFORM})",
    "CREATE POLICY administrative_divisions_update ON administrative_divisions"
    f" FOR UPDATE USING ({rls.PLATFORM}) WITH CHECK ({rls.PLATFORM})",
    "ALTER TABLE administrative_divisions ADD CONSTRAINT administrative_divisions_values_check CHECK ("
    "code ~ '^[A-Z]{2}-[A-Z0-9]{1,3}(-[A-Z0-9]{1,4})+$' AND country ~ '^[A-Z]{2}$' AND left(code, 2) = country"
    " AND level IN ('department', 'arrondissement', 'commune') AND length(btrim(name)) BETWEEN 2 AND 200)",
    "CREATE INDEX administrative_divisions_parent_code_idx ON administrative_divisions (parent_code, name)",
]

SENEGAL_DEPARTMENTS = Path(__file__).parents[1] / "reference" / "data" / "sn_departments.csv"

ID = "2026-12-01T23:01:58:000000"
VERSION = "1.38.0"
DESCRIPTION = "documents and administrative divisions: row-level security, checks, Senegal's departments"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def documents_and_divisions_sql() -> None:
        await rls.run_statements(DOCUMENTS_SQL + DIVISIONS_SQL)
        with SENEGAL_DEPARTMENTS.open(encoding="utf-8", newline="") as file:
            rows = list(csv.DictReader(file))
        values = ", ".join(
            "('{code}', '{country}', '{parent_code}', '{level}', '{name}')".format(
                **{key: value.replace("'", "''") for key, value in row.items()}
            )
            for row in rows
        )
        # Loaded before the audit trigger exists: shipped data, not an operator's change.
        await rls.run_statements(
            [
                f"INSERT INTO administrative_divisions (code, country, parent_code, level, name) VALUES {values}",
                *rls.require_audit("administrative_divisions"),
            ]
        )

    manager.add_raw(documents_and_divisions_sql)
    return manager
