"""A suspension Socle decides records why: the member's dues are unpaid.
Termination reasons stay with terminations, and the one suspension reason
with suspensions; a manager's own suspension still records none."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

TERMINATION_REASONS = "('death', 'resignation', 'transfer', 'fraud', 'duplicate')"
SUSPENSION_REASONS = "('unpaid_dues')"
STATUSES = "('pending', 'active', 'suspended', 'terminated')"

REASON_SQL = [
    "ALTER TABLE member_status_changes DROP CONSTRAINT member_status_changes_values_check",
    "ALTER TABLE member_status_changes ADD CONSTRAINT member_status_changes_values_check CHECK ("
    f"to_status IN {STATUSES} AND (from_status IS NULL OR from_status IN {STATUSES})"
    f" AND ((to_status = 'terminated') = (reason IS NOT NULL AND reason IN {TERMINATION_REASONS}))"
    f" AND (to_status <> 'suspended' OR reason IS NULL OR reason IN {SUSPENSION_REASONS})"
    " AND (to_status IN ('terminated', 'suspended') OR reason IS NULL)"
    " AND ((merged_into_id IS NOT NULL) = (reason IS NOT DISTINCT FROM 'duplicate')))",
]

ID = "2026-12-03T06:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the unpaid dues suspension reason"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def reason_sql() -> None:
        await rls.run_statements(REASON_SQL)

    manager.add_raw(reason_sql)
    return manager
