"""Socle's own audit events are spread over several chains: the sequence is
unique per chain, and a tenant's events stay in its one chain."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

AUDIT_CHAINS_SQL = [
    "ALTER TABLE audit_events ADD CONSTRAINT audit_events_chain_check"
    " CHECK (chain >= 0 AND (tenant_id IS NULL OR chain = 0))",
    "DROP INDEX audit_events_chain_seq_key",
    "CREATE UNIQUE INDEX audit_events_chain_seq_key ON audit_events (tenant_id, chain, seq) NULLS NOT DISTINCT",
]

ID = "2026-12-01T21:15:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit chains: unique sequence per chain"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def audit_chains_sql() -> None:
        await rls.run_statements(AUDIT_CHAINS_SQL)

    manager.add_raw(audit_chains_sql)
    return manager
