"""Employer declarations: row-level security, written once (a correction is
a new declaration), lines and calls of a declaration of their own tenant,
and a call per declaration rather than per employer and period."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

TABLES = ("employer_declarations", "employer_declaration_lines")

DECLARATIONS_SQL = [
    *(statement for table in TABLES for statement in rls.tenant_owned_table_v2(table)),
    *(statement for table in TABLES for statement in rls.require_audit(table)),
    *(f"REVOKE UPDATE, DELETE ON {table} FROM {rls.APPLICATION_ROLE}" for table in TABLES),
    "ALTER TABLE employer_declarations ADD CONSTRAINT employer_declarations_values_check CHECK ("
    "version >= 1 AND (version = 1) = (replaces_id IS NULL) AND employees >= 0 AND salaries >= 0"
    " AND employer_share >= 0 AND employee_share >= 0 AND amount = employer_share + employee_share"
    " AND period_start <= period_end AND char_length(currency) = 3)",
    "ALTER TABLE employer_declarations ADD CONSTRAINT employer_declarations_employer_fkey"
    " FOREIGN KEY (tenant_id, employer_id) REFERENCES employers (tenant_id, id) ON DELETE RESTRICT",
    "ALTER TABLE employer_declarations ADD CONSTRAINT employer_declarations_replaces_fkey"
    " FOREIGN KEY (tenant_id, replaces_id) REFERENCES employer_declarations (tenant_id, id) ON DELETE RESTRICT",
    "ALTER TABLE employer_declaration_lines ADD CONSTRAINT employer_declaration_lines_values_check CHECK ("
    "line >= 1 AND salary > 0 AND base >= 0 AND employer_share >= 0 AND employee_share >= 0)",
    "ALTER TABLE employer_declaration_lines ADD CONSTRAINT employer_declaration_lines_declaration_fkey"
    " FOREIGN KEY (tenant_id, declaration_id) REFERENCES employer_declarations (tenant_id, id) ON DELETE RESTRICT",
    "ALTER TABLE employer_declaration_lines ADD CONSTRAINT employer_declaration_lines_member_fkey"
    " FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE RESTRICT",
    "ALTER TABLE contribution_calls ADD CONSTRAINT contribution_calls_declaration_fkey"
    " FOREIGN KEY (tenant_id, declaration_id) REFERENCES employer_declarations (tenant_id, id) ON DELETE RESTRICT",
    # A correction's call sits next to the call of the declaration it replaces.
    "ALTER TABLE contribution_calls DROP CONSTRAINT contribution_calls_tenant_id_payer_period_key",
    "ALTER TABLE contribution_calls ADD CONSTRAINT contribution_calls_tenant_id_payer_period_key"
    " UNIQUE NULLS NOT DISTINCT"
    " (tenant_id, kind, payer, period_start, member_id, employer_id, declaration_id)",
    "CREATE INDEX contribution_calls_declaration_idx"
    " ON contribution_calls (tenant_id, declaration_id) WHERE declaration_id IS NOT NULL",
    "CREATE INDEX employer_declarations_employer_idx"
    " ON employer_declarations (tenant_id, employer_id, period_start, version)",
]

ID = "2026-12-03T17:36:59:000000"
VERSION = "1.38.0"
DESCRIPTION = "employer declarations: row-level security, written once, of their own tenant; a call per declaration"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def declarations_sql() -> None:
        await rls.run_statements(DECLARATIONS_SQL)

    manager.add_raw(declarations_sql)
    return manager
