"""Scheme branches and categories replace kinds; rule versions are tenant-owned
(policy version 2), audited, and point at a scheme of their own tenant."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

BRANCHES = "'health', 'maternity', 'old_age', 'work_injury', 'family', 'death'"
CATEGORIES = "'artisan', 'precarious_worker', 'migrant', 'salaried', 'self_employed', 'dependent'"

SCHEMES_SQL = [
    # Existing schemes get the categories their kind meant. The owner runs
    # this with row-level security forced off for the statement's sake only
    # (no tenant is set during a migration), and says the change is audited:
    # it is this migration's.
    "ALTER TABLE schemes NO FORCE ROW LEVEL SECURITY",
    "SELECT set_config('app.audited', 'on', true)",
    "UPDATE schemes SET categories = CASE kind"
    " WHEN 'artisans' THEN ARRAY['artisan']"
    " WHEN 'informal_workers' THEN ARRAY['precarious_worker']"
    " WHEN 'employer_ipm' THEN ARRAY['salaried']"
    " ELSE ARRAY['artisan', 'precarious_worker', 'migrant', 'self_employed'] END::varchar[]",
    "ALTER TABLE schemes FORCE ROW LEVEL SECURITY",
    f"ALTER TABLE schemes ADD CONSTRAINT schemes_branch_check CHECK (branch IN ({BRANCHES}))",
    "ALTER TABLE schemes ADD CONSTRAINT schemes_categories_check"
    f" CHECK (cardinality(categories) > 0 AND categories <@ ARRAY[{CATEGORIES}]::varchar[])",
]

VERSIONS_SQL = [
    *rls.tenant_owned_table_v2("scheme_rule_versions"),
    *rls.require_audit("scheme_rule_versions"),
    "ALTER TABLE scheme_rule_versions ADD CONSTRAINT scheme_rule_versions_scheme_tenant_fkey"
    " FOREIGN KEY (tenant_id, scheme) REFERENCES schemes (tenant_id, id) ON DELETE RESTRICT",
    "ALTER TABLE scheme_rule_versions ADD CONSTRAINT scheme_rule_versions_number_check CHECK (number >= 1)",
    "ALTER TABLE scheme_rule_versions ADD CONSTRAINT scheme_rule_versions_used_through_check"
    " CHECK (used_through IS NULL OR used_through >= effective_from)",
    "ALTER TABLE scheme_rule_versions ADD CONSTRAINT scheme_rule_versions_document_check"
    " CHECK (jsonb_typeof(document) = 'object')",
]

ID = "2026-12-01T22:54:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "scheme branches and categories; rule versions' row-level security and constraints"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def schemes_and_versions_sql() -> None:
        await rls.run_statements([*SCHEMES_SQL, *VERSIONS_SQL])

    # Raw statements run before the column is dropped, so the backfill reads it.
    manager.add_raw(schemes_and_versions_sql)
    manager.drop_column(
        table_class_name="Scheme",
        tablename="schemes",
        column_name="kind",
        db_column_name="kind",
        schema=None,
    )
    return manager
