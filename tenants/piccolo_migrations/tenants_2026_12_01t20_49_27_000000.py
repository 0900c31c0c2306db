"""Outbox rows that keep failing are parked; job deliveries are a platform
table, like the outbox."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

OUTBOX_PARKING_SQL = [
    "ALTER TABLE outbox ADD CONSTRAINT outbox_attempts_check CHECK (attempts >= 0)",
    # The sweep reads the oldest rows not parked; operators list the parked ones.
    "DROP INDEX outbox_created_at_idx",
    "CREATE INDEX outbox_pending_created_at_idx ON outbox (created_at) WHERE parked_at IS NULL",
    "CREATE INDEX outbox_parked_at_idx ON outbox (parked_at) WHERE parked_at IS NOT NULL",
    *rls.enable_rls("job_deliveries", "SELECT, INSERT, UPDATE, DELETE"),
    f"CREATE POLICY job_deliveries_platform ON job_deliveries USING ({rls.PLATFORM}) WITH CHECK ({rls.PLATFORM})",
]

ID = "2026-12-01T20:49:27:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox parking and job deliveries row-level security"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def outbox_parking_sql() -> None:
        await rls.run_statements(OUTBOX_PARKING_SQL)

    manager.add_raw(outbox_parking_sql)
    return manager
