"""Online payments: row-level security, events written once (only their
processing time changes), checkouts of a member and a payment of their own
tenant, and the checks that keep their values coherent."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

PROVIDERS = "('wave', 'stripe')"
TABLES = ("gateway_accounts", "checkouts", "gateway_events")

GATEWAYS_SQL = [
    *(statement for table in TABLES for statement in rls.tenant_owned_table_v2(table)),
    # Events are the providers' own record, kept as received: like job deliveries, not audited.
    *(statement for table in TABLES[:2] for statement in rls.require_audit(table)),
    # An account is disabled rather than deleted; a checkout and an event are history.
    *(f"REVOKE DELETE ON {table} FROM {rls.APPLICATION_ROLE}" for table in TABLES),
    f"REVOKE UPDATE ON gateway_events FROM {rls.APPLICATION_ROLE}",
    f"GRANT UPDATE (processed_at) ON gateway_events TO {rls.APPLICATION_ROLE}",
    "ALTER TABLE gateway_accounts ADD CONSTRAINT gateway_accounts_values_check CHECK ("
    f"provider IN {PROVIDERS} AND api_key_sealed <> '' AND webhook_secret_sealed <> '')",
    "ALTER TABLE checkouts ADD CONSTRAINT checkouts_values_check CHECK ("
    f"provider IN {PROVIDERS} AND status IN ('open', 'succeeded', 'failed', 'expired') AND amount > 0"
    " AND char_length(currency) = 3 AND (status = 'succeeded') = (payment_id IS NOT NULL))",
    "ALTER TABLE checkouts ADD CONSTRAINT checkouts_member_fkey FOREIGN KEY (tenant_id, member_id)"
    " REFERENCES members (tenant_id, id) ON DELETE RESTRICT",
    "ALTER TABLE checkouts ADD CONSTRAINT checkouts_payment_fkey FOREIGN KEY (tenant_id, payment_id)"
    " REFERENCES payments (tenant_id, id) ON DELETE RESTRICT",
    "ALTER TABLE gateway_events ADD CONSTRAINT gateway_events_values_check CHECK ("
    f"provider IN {PROVIDERS} AND event_id <> '')",
    "CREATE INDEX checkouts_member_idx ON checkouts (tenant_id, member_id, created_at)",
    "CREATE INDEX checkouts_open_idx ON checkouts (tenant_id, created_at) WHERE status = 'open'",
]

ID = "2026-12-03T11:34:26:000000"
VERSION = "1.38.0"
DESCRIPTION = "online payments: row-level security, events written once, checks and indexes"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def gateways_sql() -> None:
        await rls.run_statements(GATEWAYS_SQL)

    manager.add_raw(gateways_sql)
    return manager
