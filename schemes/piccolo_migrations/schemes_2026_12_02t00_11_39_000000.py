"""Probable duplicates' row-level security, keys and checks; a member
terminated as a duplicate names the member kept."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

REASONS = "('death', 'resignation', 'transfer', 'fraud', 'duplicate')"
STATUSES = "('pending', 'active', 'suspended', 'terminated')"

DUPLICATES_SQL = [
    *rls.tenant_owned_table_v2("duplicate_pairs"),
    *rls.require_audit("duplicate_pairs"),
    "ALTER TABLE duplicate_pairs ADD CONSTRAINT duplicate_pairs_first_member_fkey"
    " FOREIGN KEY (tenant_id, first_member_id) REFERENCES members (tenant_id, id)",
    "ALTER TABLE duplicate_pairs ADD CONSTRAINT duplicate_pairs_second_member_fkey"
    " FOREIGN KEY (tenant_id, second_member_id) REFERENCES members (tenant_id, id)",
    "ALTER TABLE duplicate_pairs ADD CONSTRAINT duplicate_pairs_kept_member_fkey"
    " FOREIGN KEY (tenant_id, kept_member_id) REFERENCES members (tenant_id, id)",
    "ALTER TABLE duplicate_pairs ADD CONSTRAINT duplicate_pairs_values_check CHECK ("
    "first_member_id < second_member_id AND (same_birth_date OR same_phone) AND similarity BETWEEN 0 AND 1"
    " AND status IN ('pending', 'duplicate', 'not_duplicate', 'superseded')"
    " AND (status = 'pending') = (decided_at IS NULL)"
    " AND (status = 'duplicate') = (kept_member_id IS NOT NULL)"
    " AND kept_member_id IN (first_member_id, second_member_id)"
    " AND (status <> 'not_duplicate' OR btrim(reason) <> ''))",
    # The review lists a tenant's pending pairs oldest first; a merge finds
    # the pairs of either member.
    "CREATE INDEX duplicate_pairs_tenant_id_pending_idx ON duplicate_pairs (tenant_id, created_at, id)"
    " WHERE status = 'pending'",
    "CREATE INDEX duplicate_pairs_tenant_id_second_member_id_idx ON duplicate_pairs (tenant_id, second_member_id)",
    "ALTER TABLE member_status_changes DROP CONSTRAINT member_status_changes_values_check",
    "ALTER TABLE member_status_changes ADD CONSTRAINT member_status_changes_values_check CHECK ("
    f"to_status IN {STATUSES} AND (from_status IS NULL OR from_status IN {STATUSES})"
    f" AND (reason IS NULL OR reason IN {REASONS})"
    " AND ((to_status = 'terminated') = (reason IS NOT NULL))"
    " AND ((merged_into_id IS NOT NULL) = (reason IS NOT DISTINCT FROM 'duplicate')))",
    "ALTER TABLE member_status_changes ADD CONSTRAINT member_status_changes_merged_into_fkey"
    " FOREIGN KEY (tenant_id, merged_into_id) REFERENCES members (tenant_id, id)",
]

ID = "2026-12-02T00:11:39:000000"
VERSION = "1.38.0"
DESCRIPTION = "probable duplicates: row-level security, keys, checks; the duplicate termination reason"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def duplicates_sql() -> None:
        await rls.run_statements(DUPLICATES_SQL)

    manager.add_raw(duplicates_sql)
    return manager
