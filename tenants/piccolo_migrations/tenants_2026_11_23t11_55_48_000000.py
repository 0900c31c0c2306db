"""Audit log row-level security: append-only for the application."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

AUDIT_SQL = [
    # The application may add and read entries, never change or remove one.
    *rls.enable_rls("audit_events", "SELECT, INSERT"),
    "CREATE POLICY audit_events_read ON audit_events FOR SELECT USING ("
    f"{rls.PLATFORM} OR tenant_id = {rls.CURRENT_TENANT} OR tenant_id = ANY ({rls.READ_TENANTS}))",
    "CREATE POLICY audit_events_insert ON audit_events FOR INSERT WITH CHECK ("
    f"{rls.PLATFORM} OR tenant_id = {rls.CURRENT_TENANT})",
    "CREATE UNIQUE INDEX audit_events_chain_seq_key ON audit_events (tenant_id, seq) NULLS NOT DISTINCT",
    "CREATE INDEX audit_events_tenant_id_occurred_at_idx ON audit_events (tenant_id, occurred_at DESC, id DESC)",
    "ALTER TABLE audit_events ADD CONSTRAINT audit_events_seq_check CHECK (seq > 0)",
]

ID = "2026-11-23T11:55:48:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log row-level security"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def audit_sql() -> None:
        await rls.run_statements(AUDIT_SQL)

    manager.add_raw(audit_sql)
    return manager
