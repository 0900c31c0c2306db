"""Subsidy statements and the State's payments of them: row-level security,
written once; a ministry's payment of a statement sits in the ministry's
tenant and is read by the statement's tenant too. And the declarations'
lines found by employee, whose rights follow their employer's calls."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

STATEMENT_TABLES = ("subsidy_statements", "subsidy_statement_calls")
TABLES = (*STATEMENT_TABLES, "subsidy_payments")

SUBSIDIES_SQL = [
    *(statement for table in STATEMENT_TABLES for statement in rls.tenant_owned_table_v2(table)),
    # The tenant paid reads the ministry's record of its payment.
    *rls.tenant_owned_table_v2("subsidy_payments", extra_read=f"statement_tenant_id = {rls.CURRENT_TENANT}"),
    # A ministry records payments of the statements of the tenants it supervises, of no other.
    "DROP POLICY subsidy_payments_insert ON subsidy_payments",
    "CREATE POLICY subsidy_payments_insert ON subsidy_payments FOR INSERT WITH CHECK ("
    f"tenant_id = {rls.CURRENT_TENANT} AND statement_tenant_id = ANY ({rls.READ_TENANTS_ONCE}))",
    *(statement for table in TABLES for statement in rls.require_audit(table)),
    *(f"REVOKE UPDATE, DELETE ON {table} FROM {rls.APPLICATION_ROLE}" for table in TABLES),
    "ALTER TABLE subsidy_statements ADD CONSTRAINT subsidy_statements_values_check CHECK ("
    "number >= 1 AND members >= 1 AND beneficiaries >= 0 AND amount > 0"
    " AND period_start <= period_end AND char_length(currency) = 3)",
    "ALTER TABLE subsidy_statements ADD CONSTRAINT subsidy_statements_scheme_fkey"
    " FOREIGN KEY (tenant_id, scheme_id) REFERENCES schemes (tenant_id, id) ON DELETE RESTRICT",
    "ALTER TABLE subsidy_statement_calls ADD CONSTRAINT subsidy_statement_calls_statement_fkey"
    " FOREIGN KEY (tenant_id, statement_id) REFERENCES subsidy_statements (tenant_id, id) ON DELETE RESTRICT",
    "ALTER TABLE subsidy_statement_calls ADD CONSTRAINT subsidy_statement_calls_call_fkey"
    " FOREIGN KEY (tenant_id, call_id) REFERENCES contribution_calls (tenant_id, id) ON DELETE RESTRICT",
    "CREATE INDEX subsidy_statement_calls_statement_idx ON subsidy_statement_calls (tenant_id, statement_id)",
    "CREATE INDEX subsidy_statements_period_idx ON subsidy_statements (tenant_id, period_start, id)",
    "ALTER TABLE subsidy_payments ADD CONSTRAINT subsidy_payments_values_check CHECK ("
    "amount > 0 AND char_length(currency) = 3 AND statement_tenant_id <> tenant_id)",
    "ALTER TABLE subsidy_payments ADD CONSTRAINT subsidy_payments_statement_fkey"
    " FOREIGN KEY (statement_tenant_id, statement_id) REFERENCES subsidy_statements (tenant_id, id)"
    " ON DELETE RESTRICT",
    "CREATE INDEX subsidy_payments_statement_idx ON subsidy_payments (statement_tenant_id, statement_id)",
    "ALTER TABLE payments ADD CONSTRAINT payments_subsidy_payment_fkey"
    " FOREIGN KEY (subsidy_payment_id) REFERENCES subsidy_payments (id) ON DELETE RESTRICT",
    "ALTER TABLE payments ADD CONSTRAINT payments_subsidy_check CHECK (subsidy_payment_id IS NULL OR payer = 'state')",
    # An employee's rights follow the employer's calls of the declarations naming them.
    "CREATE INDEX employer_declaration_lines_member_idx ON employer_declaration_lines (tenant_id, member_id)",
]

ID = "2026-12-04T02:38:35:000000"
VERSION = "1.38.0"
DESCRIPTION = "subsidy statements and the State's payments: row-level security, written once, read by the tenant paid"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def subsidies_sql() -> None:
        await rls.run_statements(SUBSIDIES_SQL)

    manager.add_raw(subsidies_sql)
    return manager
