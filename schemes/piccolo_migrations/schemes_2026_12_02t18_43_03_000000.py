"""Contributions: row-level security, the ledger written once (no update,
no delete), the checks that keep its rows coherent and the indexes its
reads follow."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

PAYERS = "('member', 'employer', 'state')"
LEDGER = ("contribution_calls", "payments", "payment_allocations")

CONTRIBUTIONS_SQL = [
    *(statement for table in (*LEDGER, "receipt_sequences") for statement in rls.tenant_owned_table_v2(table)),
    *(statement for table in (*LEDGER, "receipt_sequences") for statement in rls.require_audit(table)),
    # Money is recorded once and never changed: a mistake is reversed by a new row.
    *(f"REVOKE UPDATE, DELETE ON {table} FROM {rls.APPLICATION_ROLE}" for table in LEDGER),
    f"REVOKE DELETE ON receipt_sequences FROM {rls.APPLICATION_ROLE}",
    "ALTER TABLE contribution_calls ADD CONSTRAINT contribution_calls_values_check CHECK ("
    f"payer IN {PAYERS} AND kind IN ('contribution', 'registration_fee') AND amount >= 0 AND persons >= 0"
    " AND period_start <= period_end AND (member_id IS NOT NULL OR employer_id IS NOT NULL)"
    " AND (payer <> 'employer' OR employer_id IS NOT NULL) AND char_length(currency) = 3)",
    "ALTER TABLE payments ADD CONSTRAINT payments_values_check CHECK ("
    f"payer IN {PAYERS} AND channel IN ('mobile_money', 'card', 'cash', 'bank_transfer')"
    " AND amount <> 0 AND (amount < 0) = (reverses_id IS NOT NULL)"
    " AND (payer <> 'member' OR member_id IS NOT NULL) AND (payer <> 'employer' OR employer_id IS NOT NULL)"
    " AND receipt_sequence > 0 AND char_length(currency) = 3)",
    "ALTER TABLE payments ADD CONSTRAINT payments_reverses_fkey FOREIGN KEY (tenant_id, reverses_id)"
    " REFERENCES payments (tenant_id, id) ON DELETE RESTRICT",
    "ALTER TABLE payment_allocations ADD CONSTRAINT payment_allocations_amount_check CHECK (amount <> 0)",
    "ALTER TABLE receipt_sequences ADD CONSTRAINT receipt_sequences_values_check CHECK ("
    "year BETWEEN 2000 AND 9999 AND last_value >= 0)",
    "CREATE INDEX contribution_calls_member_idx ON contribution_calls (tenant_id, member_id, due_on)"
    " WHERE member_id IS NOT NULL",
    "CREATE INDEX contribution_calls_employer_idx ON contribution_calls (tenant_id, employer_id, due_on)"
    " WHERE employer_id IS NOT NULL",
    "CREATE INDEX contribution_calls_scheme_period_idx ON contribution_calls (tenant_id, scheme_id, period_start)",
    "CREATE INDEX payments_member_idx ON payments (tenant_id, member_id, received_at) WHERE member_id IS NOT NULL",
    "CREATE INDEX payments_employer_idx ON payments (tenant_id, employer_id, received_at)"
    " WHERE employer_id IS NOT NULL",
    "CREATE INDEX payment_allocations_call_idx ON payment_allocations (tenant_id, call_id)",
    "CREATE INDEX payment_allocations_payment_idx ON payment_allocations (tenant_id, payment_id)",
]

ID = "2026-12-02T18:43:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "contributions: row-level security, the ledger written once, checks and indexes"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def contributions_sql() -> None:
        await rls.run_statements(CONTRIBUTIONS_SQL)

    manager.add_raw(contributions_sql)
    return manager
