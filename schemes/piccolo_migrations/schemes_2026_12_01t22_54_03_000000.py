"""Imports' row-level security and constraints: what Piccolo cannot express."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

IMPORTS_SQL = [
    *rls.tenant_owned_table_v2("import_jobs"),
    *rls.tenant_owned_table_v2("import_row_problems"),
    *rls.require_audit("import_jobs"),
    *rls.require_audit("import_row_problems"),
    "ALTER TABLE import_jobs ADD CONSTRAINT import_jobs_kind_check CHECK (kind IN ('members'))",
    "ALTER TABLE import_jobs ADD CONSTRAINT import_jobs_status_check"
    " CHECK (status IN ('awaiting_file', 'queued', 'running', 'done', 'failed'))",
    "ALTER TABLE import_jobs ADD CONSTRAINT import_jobs_file_format_check CHECK (file_format IN ('csv', 'xlsx'))",
    "ALTER TABLE import_jobs ADD CONSTRAINT import_jobs_counters_check CHECK ("
    "file_size > 0 AND next_line >= 2 AND rows_imported >= 0 AND rows_existing >= 0 AND rows_failed >= 0"
    " AND rows_read = rows_imported + rows_existing + rows_failed)",
    # A problem belongs to a job of its own tenant.
    "ALTER TABLE import_row_problems ADD CONSTRAINT import_row_problems_job_fkey"
    " FOREIGN KEY (tenant_id, job_id) REFERENCES import_jobs (tenant_id, id) ON DELETE CASCADE",
    "CREATE INDEX import_row_problems_job_line ON import_row_problems (tenant_id, job_id, line, id)",
    "CREATE INDEX import_jobs_tenant_created ON import_jobs (tenant_id, created_at DESC, id DESC)",
]

ID = "2026-12-01T22:54:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "imports row-level security and constraints"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def imports_sql() -> None:
        await rls.run_statements(IMPORTS_SQL)

    manager.add_raw(imports_sql)
    return manager
