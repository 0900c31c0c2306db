"""Call reminders: row-level security, written once (the row is the record
that the reminder was sent), each the reminder of a call of its own tenant."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

REMINDERS_SQL = [
    *rls.tenant_owned_table_v2("call_reminders"),
    *rls.require_audit("call_reminders"),
    f"REVOKE UPDATE, DELETE ON call_reminders FROM {rls.APPLICATION_ROLE}",
    "ALTER TABLE call_reminders ADD CONSTRAINT call_reminders_call_fkey FOREIGN KEY (tenant_id, call_id)"
    " REFERENCES contribution_calls (tenant_id, id) ON DELETE RESTRICT",
    "ALTER TABLE call_reminders ADD CONSTRAINT call_reminders_stage_check CHECK (stage IN ('before_due', 'overdue'))",
]

ID = "2026-12-03T12:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "call reminders: row-level security, written once, of a call of the same tenant"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def reminders_sql() -> None:
        await rls.run_statements(REMINDERS_SQL)

    manager.add_raw(reminders_sql)
    return manager
