"""Payment receipts: row-level security, written once (no update, no
delete), each the receipt of a payment of its own tenant."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

RECEIPTS_SQL = [
    *rls.tenant_owned_table_v2("payment_receipts"),
    *rls.require_audit("payment_receipts"),
    f"REVOKE UPDATE, DELETE ON payment_receipts FROM {rls.APPLICATION_ROLE}",
    "ALTER TABLE payment_receipts ADD CONSTRAINT payment_receipts_payment_fkey FOREIGN KEY (tenant_id, payment_id)"
    " REFERENCES payments (tenant_id, id) ON DELETE RESTRICT",
    "ALTER TABLE payment_receipts ADD CONSTRAINT payment_receipts_values_check CHECK ("
    "size > 0 AND sha256 ~ '^[0-9a-f]{64}$' AND storage_key <> '')",
]

ID = "2026-12-03T09:11:48:000000"
VERSION = "1.38.0"
DESCRIPTION = "payment receipts: row-level security, written once, of a payment of the same tenant"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def receipts_sql() -> None:
        await rls.run_statements(RECEIPTS_SQL)

    manager.add_raw(receipts_sql)
    return manager
